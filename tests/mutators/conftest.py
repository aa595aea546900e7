"""Fixtures for mutator tests: real requests and an isolated rewrite cache."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from redline.records import Prompt


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Model rewrites go to a scratch cache, never the user's."""
    monkeypatch.setenv("REDLINE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def advbench_goals(shared_datasets: Path) -> list[str]:
    """The 520 AdvBench harmful behaviours (real requests, for realistic text)."""
    path = shared_datasets / "advbench" / "data" / "harmful_behaviors.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["goal"] for row in csv.DictReader(handle)]


@pytest.fixture(scope="session")
def advbench_prompts(advbench_goals: list[str]) -> list[Prompt]:
    return [
        Prompt.create(suite="advbench", key=str(i), text=goal, category="harm", expected="refuse")
        for i, goal in enumerate(advbench_goals)
    ]
