"""Stable ids: a short hash of what produced a record, so re-running a spec finds its work."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def stable_id(*parts: Any) -> str:
    """Hash JSON-serialisable parts into a 16-hex-digit id that never changes between runs."""
    payload = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()[:16]
