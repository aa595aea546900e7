"""Split calibration for abstention: keep a plain decision only where it is known to be good.

A score in [0, 1] (higher: more likely unsafe) is decided "unsafe" at or above a threshold
and "safe" below it. Calibration on a labelled split carves a "needs review" band around
the threshold: the decision stands at or above `hi` and at or below `lo`; between them a
person looks. As in split conformal prediction the band comes from data the judges were
not fitted on, but each side's error among the items it decides is bounded by a one-sided
Wilson upper bound at `confidence`, not by its point estimate, so the bound also holds on
new data from the same source (with that confidence) instead of only on average.
Thresholds are scanned from the most confident end towards the decision threshold and the
scan stops at the first failure after the bound first holds, so it does not hunt through
every threshold for a lucky one. Both sides within alpha keep the overall error among
decided items within alpha.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import groupby
from statistics import NormalDist
from typing import Any

from redline.errors import UserError
from redline.metrics.intervals import wilson_interval


@dataclass(frozen=True)
class Calibration:
    """Where to decide, and what the calibration set measured there."""

    lo: float | None  # scores at or below are "safe" (None: never decide safe)
    hi: float | None  # scores at or above are "unsafe" (None: never decide unsafe)
    alpha: float
    threshold: float = 0.5  # the plain decision the band is carved around
    confidence: float = 0.9
    n: int = 0
    coverage: float = 0.0  # share of calibration items decided
    error: float = 0.0  # error among decided calibration items

    def decide(self, score: float) -> bool | None:
        """True: unsafe, False: safe, None: needs review."""
        if self.hi is not None and score >= self.hi:
            return True
        if self.lo is not None and score <= self.lo:
            return False
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        try:
            return cls(**data)
        except TypeError as exc:
            raise UserError(f"calibration: {exc}") from None


def _threshold(pairs: Iterable[tuple[float, bool]], alpha: float, z: float) -> float | None:
    """Walk (score, wrong) from most to least confident; the last score where the bound held."""
    decided = wrong = 0
    best: float | None = None
    for score, group in groupby(pairs, key=lambda p: p[0]):
        tied = list(group)
        decided += len(tied)
        wrong += sum(w for _, w in tied)
        if wilson_interval(wrong, decided, z)[1] <= alpha:
            best = score
        elif best is not None:
            break
    return best


def calibrate(
    scores: Sequence[float],
    labels: Sequence[bool],
    alpha: float,
    threshold: float = 0.5,
    confidence: float = 0.9,
) -> Calibration:
    """Where the decision `score >= threshold` keeps its error among decided items within
    `alpha`, at `confidence`, judging by the calibration set (labels: True for unsafe)."""
    if len(scores) != len(labels) or not scores:
        raise UserError("calibrate needs as many labels as scores, and at least one")
    if not 0 < alpha < 1 or not 0.5 <= confidence < 1:
        raise UserError(
            f"alpha must lie in (0, 1) and confidence in [0.5, 1): {alpha}, {confidence}"
        )
    z = NormalDist().inv_cdf(confidence)
    data = sorted(zip(scores, labels, strict=True))
    hi = _threshold(((s, not y) for s, y in reversed(data) if s >= threshold), alpha, z)
    lo = _threshold(((s, y) for s, y in data if s < threshold), alpha, z)
    band = Calibration(lo=lo, hi=hi, alpha=alpha, threshold=threshold, confidence=confidence)
    made = [(d, y) for d, y in ((band.decide(s), y) for s, y in data) if d is not None]
    error = sum(d != y for d, y in made) / len(made) if made else 0.0
    return replace(band, n=len(data), coverage=len(made) / len(data), error=error)
