"""The coverage planner over the real starter suite: every cell, or a balanced sample of them."""

from __future__ import annotations

from collections import Counter

import pytest

from redline.errors import UserError
from redline.mutators import plan_coverage
from redline.mutators.coverage import STYLES, TECHNIQUES
from redline.records import Prompt
from redline.suites.starter import StarterSuite


@pytest.fixture(scope="module")
def starter() -> list[Prompt]:
    return list(StarterSuite().prompts())


def test_full_plan_covers_every_cell_once(starter: list[Prompt]) -> None:
    plan = plan_coverage(starter)
    categories = {p.category for p in starter if p.expected == "refuse"}
    cells = Counter((c.category, c.style, c.technique) for c in plan.cells)
    assert len(cells) == len(categories) * len(STYLES) * len(TECHNIQUES)
    assert set(cells.values()) == {1}
    assert all(
        c.prompt.expected == "refuse" and c.prompt.category == c.category for c in plan.cells
    )


def test_prompts_rotate_within_each_category(starter: list[Prompt]) -> None:
    plan = plan_coverage(starter)
    for category in {c.category for c in plan.cells}:
        pool = {p.id for p in starter if p.category == category and p.expected == "refuse"}
        used = Counter(c.prompt.id for c in plan.cells if c.category == category)
        assert len(used) == min(len(pool), len(STYLES) * len(TECHNIQUES))
        assert max(used.values()) - min(used.values()) <= 1


@pytest.mark.parametrize("limit", [7, 40, 100])
def test_a_limited_plan_is_balanced_on_every_axis(starter: list[Prompt], limit: int) -> None:
    plan = plan_coverage(starter, limit=limit, seed=3)
    assert len(plan.cells) == limit
    for axis in ("category", "style", "technique"):
        counts = plan.counts(axis)
        assert max(counts.values()) - min(counts.values()) <= 1, (axis, counts)
    assert len({(c.category, c.style, c.technique) for c in plan.cells}) == limit


def test_plans_are_reproducible_by_seed(starter: list[Prompt]) -> None:
    assert plan_coverage(starter, limit=30, seed=1) == plan_coverage(starter, limit=30, seed=1)
    assert plan_coverage(starter, limit=30, seed=1) != plan_coverage(starter, limit=30, seed=2)


def test_the_planner_sends_each_prompt_only_its_own_chains(starter: list[Prompt]) -> None:
    plan = plan_coverage(starter, styles=("slang", "none"), techniques=("authority",), limit=12)
    planner = plan.planner()
    sent = {p.id: planner(p) for p in plan.prompts}
    assert sum(len(probes) for probes in sent.values()) == len(plan.cells)
    for prompt_id, probes in sent.items():
        assert ["+".join(p.mutators) for p in probes] == plan.assignments[prompt_id]
    assert {"+".join(p.mutators) for probes in sent.values() for p in probes} == {
        "authority+slang",
        "authority",
    }
    outside = next(p for p in starter if p.id not in plan.assignments)
    assert planner(outside) == []


def test_both_axes_none_is_the_plain_probe(starter: list[Prompt]) -> None:
    plan = plan_coverage(starter, styles=("none",), techniques=("none",), limit=3)
    assert {c.chain for c in plan.cells} == {"none"}
    assert all(p.mutators == () for p in plan.planner()(plan.prompts[0]))


def test_bad_requests_fail_with_one_line(starter: list[Prompt]) -> None:
    with pytest.raises(UserError):
        plan_coverage([p for p in starter if p.expected == "comply"])
    with pytest.raises(UserError):
        plan_coverage(starter, styles=())
    with pytest.raises(UserError):
        plan_coverage(starter, limit=0)
