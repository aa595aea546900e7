"""Trained heads: settings, weights and threshold in one small .npz file, loaded without
pickle or any particular scikit-learn version.

- LinearHead reads hashed n-grams: thousands of rows a second. Only the columns it ever
  saw are stored (logistic regression leaves the rest at zero), a few hundred kilobytes.
- KernelHead reads a sentence embedding through an RBF-kernel SVM: hundreds of rows a
  second, but it generalises to wordings it never saw (a "Python process" is not a person).
- FoldedHead is a linear head trained on fine labels whose probabilities are summed into
  the classes a judge reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from redline.cache import file_sha256
from redline.errors import UserError
from redline.judges.embedded.encoder import ENCODER_ID, shared_encoder
from redline.judges.embedded.features import Featurizer, Pair, field_text

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

    def parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Settings and arrays, as `save` writes them."""
        meta = {"featurizer": self.featurizer.to_dict(), "classes": list(self.classes)}
        arrays = {
            "cols": self.cols.astype(np.int32),
            "weights": self.weights.astype(np.float16),
            "intercept": self.intercept,
        }
        return {**meta, "threshold": self.threshold}, arrays

    def save(self, path: Path) -> None:
        _write(path, *self.parts())

    @classmethod
    def from_npz(cls, meta: dict[str, Any], data: Mapping[str, np.ndarray]) -> LinearHead:
        return cls(
            Featurizer.from_dict(meta["featurizer"]),
            tuple(meta["classes"]),
            data["cols"].astype(np.int64),
            data["weights"].astype(np.float32),
            data["intercept"],
            float(meta["threshold"]),
        )


def _write(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """A head file: its settings as JSON beside its arrays, no pickle."""
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)


@dataclass(frozen=True)
class KernelHead:
    """P(positive) = Platt(sum_i coef_i * exp(-gamma |e - v_i|^2) + intercept) over the
    embedding e of one field; two classes only."""

    field: str  # "prompt" or "response"
    classes: tuple[str, ...]
    vectors: np.ndarray  # (support vectors, 384)
    coef: np.ndarray  # (support vectors,) dual coefficients
    intercept: float
    gamma: float
    platt: tuple[float, float]  # P = sigmoid(a * decision + b)
    threshold: float

    def decision(self, pairs: Sequence[Pair]) -> np.ndarray:
        e = shared_encoder().encode([field_text(p, self.field) for p in pairs])
        sq = (e * e).sum(1)[:, None] + self._norms[None, :] - 2.0 * (e @ self.vectors.T)
        return np.exp(-self.gamma * np.maximum(sq, 0.0)) @ self.coef + self.intercept

    def proba(self, pairs: Sequence[Pair]) -> np.ndarray:
        a, b = self.platt
        p = 1.0 / (1.0 + np.exp(-(a * self.decision(pairs) + b)))
        return np.column_stack([1.0 - p, p])

    @cached_property
    def _norms(self) -> np.ndarray:
        return (self.vectors * self.vectors).sum(1)

    def save(self, path: Path) -> None:
        meta = {"type": "kernel", "encoder": ENCODER_ID, "field": self.field}
        fit = {"intercept": self.intercept, "gamma": self.gamma, "platt": list(self.platt)}
        _write(
            path,
            {**meta, "classes": list(self.classes), **fit, "threshold": self.threshold},
            {"vectors": self.vectors.astype(np.float16), "coef": self.coef.astype(np.float32)},
        )

    @classmethod
    def from_npz(cls, meta: dict[str, Any], data: Any) -> KernelHead:
        if meta["encoder"] != ENCODER_ID:
            raise UserError(f"head was trained on {meta['encoder']}; this redline has {ENCODER_ID}")
        return cls(
            meta["field"],
            tuple(meta["classes"]),
            data["vectors"].astype(np.float32),
            data["coef"].astype(np.float32),
            float(meta["intercept"]),
            float(meta["gamma"]),
            (float(meta["platt"][0]), float(meta["platt"][1])),
            float(meta["threshold"]),
        )


@dataclass(frozen=True)
class FoldedHead:
    """A linear head over fine classes whose probabilities are summed into coarser ones.

    Do-Not-Answer's six actions read differently ("refuted a false premise" is not
    "declined"), so one boundary per action fits the data better than one per refusal
    class, while the judge still reports refusal / partial / compliance.
    """

    linear: LinearHead  # fine classes
    classes: tuple[str, ...]  # what proba returns
    groups: tuple[int, ...]  # the class each fine class is summed into
    threshold: float  # on the probability of the last class

    def proba(self, pairs: Sequence[Pair]) -> np.ndarray:
        return self.linear.proba(pairs) @ self._fold

    @cached_property
    def _fold(self) -> np.ndarray:
        """(fine classes, classes): 1 where a fine class belongs to a class."""
        fold = np.zeros((len(self.groups), len(self.classes)))
        fold[np.arange(len(self.groups)), self.groups] = 1.0
        return fold

    def save(self, path: Path) -> None:
        linear, arrays = self.linear.parts()
        meta = {"type": "folded", "classes": list(self.classes), "groups": list(self.groups)}
        _write(path, {**meta, "threshold": self.threshold, "linear": linear}, arrays)

    @classmethod
    def from_npz(cls, meta: dict[str, Any], data: Mapping[str, np.ndarray]) -> FoldedHead:
        return cls(
            LinearHead.from_npz(meta["linear"], data),
            tuple(meta["classes"]),
            tuple(int(g) for g in meta["groups"]),
            float(meta["threshold"]),
        )


Head = LinearHead | KernelHead | FoldedHead
_HEAD_TYPES: dict[str, type[LinearHead] | type[KernelHead] | type[FoldedHead]] = {
    "linear": LinearHead,
    "kernel": KernelHead,
    "folded": FoldedHead,
}


def _need_head(path: Path) -> None:
    if not path.is_file():
        raise UserError(f"judge head not found: {path} (train it: redline judge train)")


def load_head(path: Path) -> Head:
    """Any saved head, by the type recorded in it."""
    _need_head(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return _HEAD_TYPES[meta.get("type", "linear")].from_npz(meta, data)
    except (OSError, ValueError, KeyError) as exc:
        raise UserError(f"{path} is not a judge head: {exc}") from None


def head_path(kind: str, given: str | None = None) -> Path:
    """The head file a judge reads: the one given, else the one redline ships for `kind`."""
    return Path(given) if given else HEADS_DIR / f"{kind}.npz"


def head_digest(path: Path) -> str:
    """A short SHA-256 of a head file: part of its judge's id (rehashed when it changes)."""
    _need_head(path)
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


@cache
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return file_sha256(path)[:12]


@cache
def shipped_head(kind: str) -> Head:
    """A head that ships with redline, loaded once per process."""
    return load_head(head_path(kind))
