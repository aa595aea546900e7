"""Heads survive a save/load round trip; featurizers are stateless and deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from redline.errors import UserError
from redline.judges import build_judge, judge_id_of
from redline.judges.embedded.features import Featurizer, View
from redline.judges.embedded.head import FoldedHead, KernelHead, LinearHead, load_head
from redline.spec import PluginSpec

PAIRS = [
    ("q", "I'm sorry, but I can't help with that."),
    ("q", "Sure! Here are the steps:\n1. Preheat the oven\n2. Mix the flour"),
    ("q", "I cannot assist with this request."),
    ("q", "Of course. The capital of France is Paris."),
]
FEATURIZER = Featurizer((View("response", "word", (1, 2), 12, head_chars=200),), shape=True)


def _linear_head(labels: list[int]) -> tuple[LinearHead, LogisticRegression]:
    clf = LogisticRegression().fit(FEATURIZER.transform(PAIRS), labels)
    head = LinearHead.from_sklearn(
        FEATURIZER, ("refusal", "compliance"), clf.coef_, clf.intercept_, 0.5
    )
    return head, clf


def test_round_trip_keeps_probabilities(tmp_path: Path) -> None:
    head, clf = _linear_head([0, 1, 0, 1])
    head.save(tmp_path / "h.npz")
    loaded = load_head(tmp_path / "h.npz")
    expected = clf.predict_proba(FEATURIZER.transform(PAIRS))
    np.testing.assert_allclose(loaded.proba(PAIRS), expected, atol=1e-3)
    assert loaded.featurizer == FEATURIZER and loaded.threshold == 0.5


def test_folded_head_sums_fine_classes_and_round_trips(tmp_path: Path) -> None:
    """Four fine labels folded into two classes: each class gets its members' probability."""
    clf = LogisticRegression().fit(FEATURIZER.transform(PAIRS), [0, 1, 2, 3])
    fine = LinearHead.from_sklearn(FEATURIZER, ("a", "b", "c", "d"), clf.coef_, clf.intercept_, 0)
    head = FoldedHead(fine, ("refusal", "compliance"), (0, 1, 0, 1), 0.6)
    head.save(tmp_path / "f.npz")
    loaded = load_head(tmp_path / "f.npz")
    assert isinstance(loaded, FoldedHead) and loaded.threshold == 0.6
    p = clf.predict_proba(FEATURIZER.transform(PAIRS))
    expected = np.column_stack([p[:, 0] + p[:, 2], p[:, 1] + p[:, 3]])
    np.testing.assert_allclose(loaded.proba(PAIRS), expected, atol=1e-3)


def test_missing_head_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        load_head(tmp_path / "nope.npz")


def test_featurizer_is_deterministic_and_slices_views() -> None:
    a = FEATURIZER.transform(PAIRS)
    b = Featurizer.from_dict(FEATURIZER.to_dict()).transform(PAIRS)
    assert (a != b).nnz == 0 and a.shape == (4, FEATURIZER.n_features)
    view = View("response", "word", (1, 1), 10, tail_chars=5)
    assert view.text(("p", "hello world")) == "world"


def _kernel_head() -> KernelHead:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    coef = np.array([1.0, -1.0, 0.5, -0.5, 0.2], dtype=np.float32)
    return KernelHead("prompt", ("harmless", "harmful"), vectors, coef, 0.1, 0.7, (2.0, -0.3), 0.4)


def test_kernel_head_round_trip_keeps_probabilities(tmp_path: Path) -> None:
    head = _kernel_head()
    head.save(tmp_path / "k.npz")
    loaded = load_head(tmp_path / "k.npz")
    assert isinstance(loaded, KernelHead) and loaded.threshold == 0.4
    pairs = [("How do I bake bread?", None), ("hello", None)]
    probs = loaded.proba(pairs)
    np.testing.assert_allclose(probs, head.proba(pairs), atol=2e-3)  # float16 vectors
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_kernel_head_from_another_encoder_is_refused(tmp_path: Path) -> None:
    _kernel_head().save(tmp_path / "k.npz")
    with np.load(tmp_path / "k.npz") as data:
        arrays = dict(data)
    meta = json.loads(str(arrays["meta"]))
    arrays["meta"] = np.array(json.dumps({**meta, "encoder": "someone/else@1"}))
    np.savez(tmp_path / "other.npz", **arrays)
    with pytest.raises(UserError, match="trained on someone/else"):
        load_head(tmp_path / "other.npz")


def test_a_file_that_is_not_a_head_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="not a judge head"):
        load_head(tmp_path / "junk.npz")


def test_a_judge_id_follows_its_head_file(tmp_path: Path) -> None:
    """Verdicts from two heads never share an id, so a resumed run cannot mix them."""
    path = tmp_path / "h.npz"
    _linear_head([0, 1, 0, 1])[0].save(path)
    spec = PluginSpec(name="harm-clf", args={"head": str(path)})
    first = judge_id_of(spec)
    assert build_judge(spec).id == first
    _linear_head([1, 0, 1, 0])[0].save(path)  # retrained in place
    second = judge_id_of(spec)
    assert second != first
    assert judge_id_of(PluginSpec(name="harm-clf")) not in (first, second)  # the shipped head
