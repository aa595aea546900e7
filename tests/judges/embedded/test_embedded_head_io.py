"""Heads survive a save/load round trip; featurizers are stateless and deterministic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from redline.errors import UserError
from redline.judges.embedded.features import Featurizer, View
from redline.judges.embedded.head import LinearHead

PAIRS = [
    ("q", "I'm sorry, but I can't help with that."),
    ("q", "Sure! Here are the steps:\n1. Preheat the oven\n2. Mix the flour"),
    ("q", "I cannot assist with this request."),
    ("q", "Of course. The capital of France is Paris."),
]
FEATURIZER = Featurizer((View("response", "word", (1, 2), 12, head_chars=200),), shape=True)


def test_round_trip_keeps_probabilities(tmp_path: Path) -> None:
    clf = LogisticRegression().fit(FEATURIZER.transform(PAIRS), [0, 1, 0, 1])
    head = LinearHead.from_sklearn(
        FEATURIZER, ("refusal", "compliance"), clf.coef_, clf.intercept_, 0.5
    )
    head.save(tmp_path / "h.npz")
    loaded = LinearHead.load(tmp_path / "h.npz")
    expected = clf.predict_proba(FEATURIZER.transform(PAIRS))
    np.testing.assert_allclose(loaded.proba(PAIRS), expected, atol=1e-3)
    assert loaded.featurizer == FEATURIZER and loaded.threshold == 0.5


def test_missing_head_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        LinearHead.load(tmp_path / "nope.npz")


def test_featurizer_is_deterministic_and_slices_views() -> None:
    a = FEATURIZER.transform(PAIRS)
    b = Featurizer.from_dict(FEATURIZER.to_dict()).transform(PAIRS)
    assert (a != b).nnz == 0 and a.shape == (4, FEATURIZER.n_features)
    view = View("response", "word", (1, 1), 10, tail_chars=5)
    assert view.text(("p", "hello world")) == "world"
