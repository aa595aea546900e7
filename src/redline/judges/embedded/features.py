"""Turn (prompt, response) pairs into sparse feature rows, with no fitted state.

Hashed n-grams need no vocabulary, so a head is just weights: it loads the same under any
scikit-learn version and ships in a few hundred kilobytes. Each judge reads a *view* of
the pair (the response's opening, the prompt, ...) because where evidence lives differs:
refusals sit in the first sentences, harm in the whole text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from redline.judges.keyword import classify
from redline.records import Outcome

#: One (prompt, response) pair; the response is absent for prompt-only judges.
Pair = tuple[str, str | None]


@dataclass(frozen=True)
class View:
    """A slice of one field, hashed as char or word n-grams into its own block of columns."""

    field: str  # "prompt" or "response"
    analyzer: str  # "char_wb" or "word"
    ngrams: tuple[int, int]
    bits: int
    head_chars: int | None = None  # keep only the opening
    tail_chars: int | None = None  # ... or only the ending

    def text(self, pair: Pair) -> str:
        raw = field_text(pair, self.field)
        if self.head_chars is not None:
            return raw[: self.head_chars]
        if self.tail_chars is not None:
            return raw[-self.tail_chars :]
        return raw

    def vectorizer(self) -> HashingVectorizer:
        return HashingVectorizer(
            analyzer=self.analyzer,
            ngram_range=self.ngrams,
            n_features=2**self.bits,
            alternate_sign=False,
            norm="l2",
            lowercase=True,
            token_pattern=r"(?u)\b\w+\b|[^\w\s]",
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "analyzer": self.analyzer,
            "ngrams": list(self.ngrams),
            "bits": self.bits,
            "head_chars": self.head_chars,
            "tail_chars": self.tail_chars,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> View:
        return cls(**{**data, "ngrams": tuple(data["ngrams"])})  # type: ignore[arg-type]


def _normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'").strip()


def field_text(pair: Pair, field: str) -> str:
    """The prompt or the response of a pair, curly quotes straightened."""
    return _normalise(pair[0] if field == "prompt" else (pair[1] or ""))


_LIST_LINE = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+\S", re.MULTILINE)
_SHAPE_NAMES = (
    "kw_refusal",
    "kw_partial",
    "kw_compliance",
    "log_chars",
    "log_lines",
    "list_lines",
    "has_code",
    "empty",
)


def shape_features(response: str | None) -> list[float]:
    """The keyword judge's verdict plus the response's shape: length, lists, code."""
    text = _normalise(response or "")
    outcome, _ = classify(text)
    return [
        float(outcome is Outcome.REFUSAL),
        float(outcome is Outcome.PARTIAL),
        float(outcome is Outcome.COMPLIANCE),
        math.log1p(len(text)) / 8.0,
        math.log1p(text.count("\n")) / 4.0,
        min(len(_LIST_LINE.findall(text)), 10) / 10.0,
        float("```" in text),
        float(not text),
    ]


@dataclass(frozen=True)
class Featurizer:
    """Hashed views side by side, optionally followed by the shape features."""

    views: tuple[View, ...]
    shape: bool = False

    @property
    def n_features(self) -> int:
        return sum(2**v.bits for v in self.views) + (len(_SHAPE_NAMES) if self.shape else 0)

    def transform(self, pairs: Sequence[Pair]) -> sp.csr_matrix:
        blocks = [v.vectorizer().transform([v.text(p) for p in pairs]) for v in self.views]
        if self.shape:
            dense = np.array([shape_features(p[1]) for p in pairs], dtype=np.float64)
            blocks.append(sp.csr_matrix(dense.reshape(len(pairs), len(_SHAPE_NAMES))))
        return sp.hstack(blocks, format="csr")

    def to_dict(self) -> dict[str, object]:
        return {"views": [v.to_dict() for v in self.views], "shape": self.shape}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Featurizer:
        views = tuple(View.from_dict(v) for v in data["views"])  # type: ignore[union-attr]
        return cls(views=views, shape=bool(data["shape"]))
