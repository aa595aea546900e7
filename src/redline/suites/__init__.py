"""Prompt suites, by name. Built-ins load lazily; more arrive via `redline.suites` entry points."""

from __future__ import annotations

from collections.abc import Iterable

from redline.records import Prompt
from redline.registry import Registry
from redline.suites.base import Suite, SuiteInfo
from redline.suites.sampling import stratified_sample

suites: Registry[Suite] = Registry("suites")
suites.register("starter", "redline.suites.starter:StarterSuite")


def load_prompts(
    names: Iterable[str], *, quick: bool, limit: int | None, seed: int
) -> list[Prompt]:
    """The prompts a run asks, from every named suite, sampled down to `limit` if given."""
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for name in names:
        for prompt in suites.get(name)().prompts(quick=quick):
            if prompt.id not in seen:
                seen.add(prompt.id)
                prompts.append(prompt)
    return stratified_sample(prompts, limit, seed) if limit is not None else prompts


__all__ = ["Suite", "SuiteInfo", "load_prompts", "stratified_sample", "suites"]
