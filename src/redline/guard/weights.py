"""Each stage's Hedge weights (redline.judges.ensemble), restored from the audit log.

The guard keeps one set of weights per stage, keyed like the stage's judges; a person's
label on a decision is one Hedge update of that stage's weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redline.judges.ensemble import HedgeWeights


def restore_weights(
    saved: Mapping[str, Any] | None, keys: Sequence[str], eta: float
) -> HedgeWeights | None:
    """The saved weights when they cover exactly these judges; else equal weights, where
    judges kept from the save keep theirs and new ones start at the mean. None for a
    stage without judges."""
    if not keys:
        return None
    if saved is not None:
        hedge = HedgeWeights.from_dict(saved)
        if hedge.members == list(keys):
            hedge.eta = eta  # the policy's learning rate wins over the saved one
            return hedge
        kept = {k: w for k, w in hedge.weights.items() if k in keys and w > 0}
        return HedgeWeights(keys, eta=eta, weights=kept, updates=hedge.updates)
    return HedgeWeights(keys, eta=eta)
