"""A trained linear head: featurizer settings, weights, threshold, in one small .npz file.

Only the columns a head ever saw are stored (logistic regression leaves the rest at zero),
so a head over a million hashed columns weighs a few hundred kilobytes and loads without
pickle or any particular scikit-learn version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from redline.errors import UserError
from redline.judges.embedded.features import Featurizer, Pair

HEADS_DIR = Path(__file__).with_name("heads")


@dataclass(frozen=True)
class LinearHead:
    """Class probabilities from hashed features: softmax over classes, or a sigmoid for two."""

    featurizer: Featurizer
    classes: tuple[str, ...]
    cols: np.ndarray  # int64 feature columns with a weight
    weights: np.ndarray  # (len(cols), outputs)
    intercept: np.ndarray  # (outputs,)
    threshold: float  # on the probability of the last class

    def proba(self, pairs: Sequence[Pair]) -> np.ndarray:
        """(rows, classes) probabilities; with two classes, column 1 is the positive one."""
        logits = np.asarray(self.featurizer.transform(pairs) @ self._dense) + self.intercept
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
            return np.column_stack([1.0 - p, p])
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    @cached_property
    def _dense(self) -> np.ndarray:
        """Weights for every column: a few MB in memory, and far faster than column slicing."""
        full = np.zeros((self.featurizer.n_features, self.weights.shape[1]), dtype=np.float32)
        full[self.cols] = self.weights
        return full

    @classmethod
    def from_sklearn(
        cls,
        featurizer: Featurizer,
        classes: Sequence[str],
        coef: np.ndarray,
        intercept: np.ndarray,
        threshold: float,
    ) -> LinearHead:
        """Keep only the columns any class weighs, as float32."""
        cols = np.flatnonzero(np.abs(coef).max(axis=0) > 1e-6)
        return cls(
            featurizer,
            tuple(classes),
            cols.astype(np.int64),
            coef[:, cols].T.astype(np.float32),
            intercept.astype(np.float32),
            float(threshold),
        )

    def save(self, path: Path) -> None:
        meta = {
            "featurizer": self.featurizer.to_dict(),
            "classes": list(self.classes),
            "threshold": self.threshold,
        }
        np.savez_compressed(
            path,
            meta=np.array(json.dumps(meta)),
            cols=self.cols.astype(np.int32),
            weights=self.weights.astype(np.float16),
            intercept=self.intercept,
        )

    @classmethod
    def load(cls, path: Path) -> LinearHead:
        if not path.exists():
            raise UserError(f"judge head not found: {path} (train it: redline judge train)")
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return cls(
                Featurizer.from_dict(meta["featurizer"]),
                tuple(meta["classes"]),
                data["cols"].astype(np.int64),
                data["weights"].astype(np.float32),
                data["intercept"],
                float(meta["threshold"]),
            )


@cache
def shipped_head(kind: str) -> LinearHead:
    """A head that ships with redline, loaded once per process."""
    return LinearHead.load(HEADS_DIR / f"{kind}.npz")
