"""Stratified sampling: `--limit N` keeps every category represented, reproducibly."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

from redline.records import Prompt


def stratified_sample(prompts: Iterable[Prompt], limit: int, seed: int = 0) -> list[Prompt]:
    """Up to `limit` prompts drawn round-robin across (category, expected) strata.

    Each stratum is shuffled with a fixed seed, so the same limit and seed always pick the
    same prompts, and harmful and benign prompts of a category both stay in the sample.
    """
    strata: dict[tuple[str, str], list[Prompt]] = defaultdict(list)
    for prompt in prompts:
        strata[(prompt.category, prompt.expected)].append(prompt)
    rng = random.Random(seed)
    queues = []
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        queues.append(members)
    rng.shuffle(queues)  # a small limit must not favour alphabetically early categories
    chosen: list[Prompt] = []
    depth = 0
    while len(chosen) < limit and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue) and len(chosen) < limit:
                chosen.append(queue[depth])
        depth += 1
    return chosen
