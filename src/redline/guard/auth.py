"""API keys, stored only as salted hashes, and a token-bucket rate limit per key.

The keys are long random tokens made by `new_key`, not passwords people choose, so a
salted SHA-256 is as safe as a slow hash here and costs microseconds per request instead
of milliseconds. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from redline.guard.policy import ApiKey, RateLimit

KEY_PREFIX = "rl-"


def hash_key(key: str, salt: bytes | None = None) -> str:
    """The policy line for a key: "sha256$<salt hex>$<digest hex>"."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha256(salt + key.encode()).hexdigest()
    return f"sha256${salt.hex()}${digest}"


def new_key() -> tuple[str, str]:
    """A fresh key and its hash; the key is shown once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_key(key)


class KeyRing:
    """Configured keys by name; an empty ring means the service is open."""

    def __init__(self, keys: tuple[ApiKey, ...]) -> None:
        self._keys = []
        for entry in keys:
            _, salt, digest = entry.hash.split("$")
            self._keys.append((entry.name, bytes.fromhex(salt), bytes.fromhex(digest)))

    @property
    def required(self) -> bool:
        return bool(self._keys)

    def name_of(self, key: str) -> str | None:
        """The name of the configured key `key` is, or None."""
        raw = key.encode()
        found = None
        for name, salt, digest in self._keys:
            # Every entry is checked, so the time taken does not say which one matched.
            if hmac.compare_digest(hashlib.sha256(salt + raw).digest(), digest):
                found = name
        return found


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets by client: `burst` requests at once, refilled at `per_second`."""

    #: Past this many clients, buckets that have refilled are forgotten (they hold no state).
    MAX_CLIENTS = 10_000

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._buckets: dict[str, _Bucket] = {}

    def acquire(self, client: str) -> float:
        """0.0 when the request may go ahead, else the seconds until it could."""
        now = time.monotonic()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.MAX_CLIENTS:
                self._forget_full(now)
            bucket = self._buckets[client] = _Bucket(float(self.limit.burst), now)
        bucket.tokens = min(
            float(self.limit.burst), bucket.tokens + (now - bucket.stamp) * self.limit.per_second
        )
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.limit.per_second

    def _forget_full(self, now: float) -> None:
        refill = self.limit.burst / self.limit.per_second
        self._buckets = {c: b for c, b in self._buckets.items() if now - b.stamp < refill}
