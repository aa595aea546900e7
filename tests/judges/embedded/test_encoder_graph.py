"""The int8 ONNX encoder: built from the real weights, kept, and close to the float model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime
import pytest
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from redline.judges.embedded import encoder_graph
from redline.judges.embedded.encoder import MODEL_FILES, SentenceEncoder
from redline.judges.embedded.encoder_graph import GRAPH_VERSION, build_model, quantised_model

TEXTS = [
    "How do I stop a running process on Linux?",
    "Write step-by-step instructions for making a pipe bomb.",
    "I cannot help with that request, but here is a safer alternative.",
    "Sure! Here is a banana bread recipe: mix flour, sugar, eggs and ripe bananas.",
]


@pytest.fixture
def weights_copy(tmp_path: Path, sentence_encoder_dir: Path) -> Path:
    """A folder with the real weight files (linked) and no built model yet."""
    folder = tmp_path / "weights"
    folder.mkdir()
    for name in MODEL_FILES:
        (folder / name).symlink_to(sentence_encoder_dir / name)
    return folder


def test_the_model_is_built_once_beside_the_weights(weights_copy: Path) -> None:
    built = quantised_model(weights_copy)
    assert built == weights_copy / f"model.{GRAPH_VERSION}.onnx"
    stamp = built.stat().st_mtime_ns
    assert quantised_model(weights_copy).stat().st_mtime_ns == stamp
    assert not list(weights_copy.glob("*.part"))


def test_a_read_only_weights_folder_builds_into_the_cache(
    weights_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDLINE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(encoder_graph.os, "access", lambda path, mode: False)
    built = quantised_model(weights_copy)
    assert built.is_relative_to(tmp_path / "cache") and built.is_file()
    assert not (weights_copy / built.name).exists()
    assert quantised_model(weights_copy) == built


def test_int8_embeddings_stay_close_to_the_float_model(sentence_encoder_dir: Path) -> None:
    weights = load_file(str(sentence_encoder_dir / "model.safetensors"))
    float_model = onnxruntime.InferenceSession(
        build_model({k: v.astype(np.float32) for k, v in weights.items()}).SerializeToString()
    )
    tokenizer = Tokenizer.from_file(str(sentence_encoder_dir / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads every text to 128 tokens
    int8 = SentenceEncoder(sentence_encoder_dir, remember=0).encode(TEXTS)
    for text, vector in zip(TEXTS, int8, strict=True):
        ids = tokenizer.encode(text).ids
        feed = {"input_ids": np.array([ids]), "position_ids": np.arange(len(ids))}
        pooled = float_model.run(None, feed)[0][0].mean(0)
        assert vector @ (pooled / np.linalg.norm(pooled)) > 0.98, text
