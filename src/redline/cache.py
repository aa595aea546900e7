"""Where redline keeps downloaded and assembled files ($REDLINE_CACHE or the user cache
dir), whether it may download at all ($REDLINE_OFFLINE, set by the global --offline), and
the one checked download that fills it (datasets, the sentence encoder)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from platformdirs import user_cache_dir

from redline import __version__
from redline.errors import UserError


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


HF_TOKEN_ENV = "HF_TOKEN"
TIMEOUT_S = 60.0
CHUNK = 1 << 20


def hub_endpoint() -> str:
    """The Hugging Face endpoint; HF_ENDPOINT points it at a mirror, as huggingface_hub does."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def _http_error(url: str, exc: urllib.error.HTTPError) -> UserError:
    if exc.code in (401, 403):
        return UserError(
            f"access denied to {url} (HTTP {exc.code}): the dataset may be gated; accept its "
            f"terms on the hub and set {HF_TOKEN_ENV}"
        )
    return UserError(f"cannot download {url}: HTTP {exc.code} {exc.reason}")


def download(url: str, dest: Path, *, sha256: str | None = None, token: str | None = None) -> None:
    """Stream `url` into a temp file beside `dest`, check its SHA-256, then move it into place.

    A download that fails or does not match its checksum leaves nothing behind, so a later run
    never mistakes half a file for the real one.
    """
    headers = {"User-Agent": f"redline/{__version__}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as resp:
                while chunk := resp.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        if sha256 is not None and digest.hexdigest() != sha256:
            raise UserError(
                f"checksum mismatch for {url}: expected SHA-256 {sha256}, got {digest.hexdigest()}"
            )
        os.replace(tmp, dest)
    except urllib.error.HTTPError as exc:
        raise _http_error(url, exc) from None
    except (urllib.error.URLError, ValueError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UserError(f"cannot download {url}: {reason} (use --offline to stay local)") from None
    finally:
        tmp.unlink(missing_ok=True)
