"""The coverage planner: risk categories x writing styles x persuasion techniques, balanced.

After ASTRAL (Ugarte et al., 2024): testing every request plainly misses how a model reacts
to the same request in slang, as a question, or wrapped in an appeal to authority. The
planner crosses the three axes, gives each cell a prompt of its category (rotating, so a
category's prompts are spread over its cells), and when a limit is set picks cells so that
every category, style and technique is used as evenly as the limit allows.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product

from redline.errors import UserError
from redline.mutators.base import CHAIN_SEP
from redline.mutators.chains import NONE, ProbePlanner
from redline.records import Expected, Prompt
from redline.targets import Target

#: ASTRAL's writing styles, as redline mutators (uncommon dialects have no counterpart yet).
STYLES = ("slang", "technical", "question", "roleplay", "misspell")
#: ASTRAL's persuasion techniques that have template mutators.
TECHNIQUES = ("authority", "expert", "evidence", "logical")


@dataclass(frozen=True)
class Cell:
    category: str
    style: str
    technique: str
    prompt: Prompt

    @property
    def chain(self) -> str:
        """Persuasion first, then the style over the persuaded text; "none" steps drop out."""
        steps = [step for step in (self.technique, self.style) if step != NONE]
        return CHAIN_SEP.join(steps) or NONE


@dataclass(frozen=True)
class CoveragePlan:
    cells: tuple[Cell, ...]

    @property
    def prompts(self) -> list[Prompt]:
        return list({cell.prompt.id: cell.prompt for cell in self.cells}.values())

    @property
    def assignments(self) -> dict[str, list[str]]:
        chosen: dict[str, list[str]] = {}
        for cell in self.cells:
            chains = chosen.setdefault(cell.prompt.id, [])
            if cell.chain not in chains:
                chains.append(cell.chain)
        return chosen

    def counts(self, axis: str) -> Counter[str]:
        """How many cells use each value of "category", "style" or "technique"."""
        return Counter(getattr(cell, axis) for cell in self.cells)

    def planner(self, *, helper: Target | None = None) -> ProbePlanner:
        chains = list(dict.fromkeys(cell.chain for cell in self.cells))
        return ProbePlanner(chains, assignments=self.assignments, helper=helper)


def _balanced(cells: list[tuple[str, str, str]], limit: int) -> list[tuple[str, str, str]]:
    """Greedily take the cell whose category, style and technique are least used so far."""
    sizes = [len({cell[axis] for cell in cells}) for axis in range(3)]
    used: list[Counter[str]] = [Counter(), Counter(), Counter()]
    remaining, chosen = list(cells), []
    while remaining and len(chosen) < limit:
        best = min(
            range(len(remaining)),
            key=lambda i: sum(used[a][remaining[i][a]] * sizes[a] for a in range(3)),
        )
        cell = remaining.pop(best)
        for axis in range(3):
            used[axis][cell[axis]] += 1
        chosen.append(cell)
    return chosen


def plan_coverage(
    prompts: Iterable[Prompt],
    *,
    styles: Sequence[str] = STYLES,
    techniques: Sequence[str] = TECHNIQUES,
    expected: Expected | None = "refuse",
    per_cell: int = 1,
    limit: int | None = None,
    seed: int = 0,
) -> CoveragePlan:
    """A balanced plan over categories x styles x techniques ("none" is allowed on either axis).

    Only prompts with `expected` behaviour take part (None: all). Without `limit` every cell
    gets `per_cell` prompts; with it, `limit` cells are chosen as evenly as possible.
    """
    if per_cell < 1 or (limit is not None and limit < 1):
        raise UserError("coverage needs per_cell >= 1 and, if given, limit >= 1")
    if not styles or not techniques:
        raise UserError("coverage needs at least one style and one technique ('none' is allowed)")
    pools: dict[str, list[Prompt]] = {}
    for prompt in prompts:
        if expected is None or prompt.expected == expected:
            pools.setdefault(prompt.category, []).append(prompt)
    if not pools:
        raise UserError("coverage: no prompts to plan with")
    rng = random.Random(seed)
    grid = [c for c in product(sorted(pools), styles, techniques) for _ in range(per_cell)]
    rng.shuffle(grid)
    if limit is not None:
        grid = _balanced(grid, limit)
    for pool in pools.values():
        rng.shuffle(pool)
    taken: Counter[str] = Counter()
    cells = []
    for category, style, technique in grid:
        pool = pools[category]
        cells.append(Cell(category, style, technique, pool[taken[category] % len(pool)]))
        taken[category] += 1
    return CoveragePlan(tuple(cells))
