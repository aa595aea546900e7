"""Where redline keeps downloaded and assembled files: $REDLINE_CACHE or the user cache dir."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir


def cache_dir() -> Path:
    root = os.environ.get("REDLINE_CACHE")
    return Path(root) if root else Path(user_cache_dir("redline"))
