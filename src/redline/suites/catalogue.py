"""What `redline suites list` and `redline suites show` print: facts read from the data.

Listing never touches the network: a hub suite that has not been downloaded yet says so
instead of being counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from redline.errors import UserError
from redline.records import Prompt
from redline.suites import suites
from redline.suites.base import Suite
from redline.suites.dataset import ItemSuite
from redline.suites.sampling import stratified_sample


def _profile(suite: Suite) -> tuple[int, Counter[str], Counter[str]]:
    """(prompts, per redline category, per expected behaviour), in one pass over the data."""
    categories: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    if isinstance(suite, ItemSuite):
        walk = suite.crosswalk()
        for item in suite.items():
            categories[walk.resolve(item.categories, item.topic)] += 1
            expected[item.expected] += 1
    else:
        for prompt in suite.prompts():
            categories[prompt.category] += 1
            expected[prompt.expected] += 1
    return sum(categories.values()), categories, expected


def suite_row(name: str) -> dict[str, Any]:
    """One suite's facts; a suite that cannot be read reports why instead of failing the list."""
    row: dict[str, Any] = {"name": name, "prompts": None, "refuse": None, "comply": None}
    try:
        suite = suites.get(name)()
        info = suite.info
        row |= {
            "description": info.description,
            "licence": info.licence,
            "source": info.source,
            "categories": {},
            "status": suite.readiness() if isinstance(suite, ItemSuite) else "ready",
        }
        if not row["status"].startswith("not downloaded"):
            count, categories, expected = _profile(suite)
            row |= {
                "prompts": count,
                "refuse": expected["refuse"],
                "comply": expected["comply"],
                "categories": dict(categories.most_common()),
            }
    except UserError as exc:
        row.setdefault("description", "")
        row |= {"status": f"error: {exc}"}
    return row


def suite_table() -> list[dict[str, Any]]:
    """Every registered suite with its row count, categories, licence and source."""
    return [suite_row(name) for name in suites.names()]


def sample(name: str, n: int, seed: int = 0) -> list[Prompt]:
    """Up to `n` prompts of a suite, spread over its categories, the same for the same seed."""
    if n < 1:
        raise UserError("sample size must be at least 1")
    return stratified_sample(suites.get(name)().prompts(), n, seed)
