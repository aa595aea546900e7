"""Where redline keeps downloaded and assembled files ($REDLINE_CACHE or the user cache
dir), and whether it may download at all ($REDLINE_OFFLINE, set by the global --offline)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from platformdirs import user_cache_dir


def cache_dir() -> Path:
    root = os.environ.get("REDLINE_CACHE")
    return Path(root) if root else Path(user_cache_dir("redline"))


OFFLINE_ENV = "REDLINE_OFFLINE"


def is_offline(offline: bool | None = None) -> bool:
    """An explicit argument wins; otherwise REDLINE_OFFLINE=1 (set by the global --offline)."""
    if offline is not None:
        return offline
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
