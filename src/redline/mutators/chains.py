"""Mutator chains ("base64+roleplay", applied left to right) and the planner the engine calls.

A chain spec names the steps; "none" is the plain, unmutated probe. A preset argument such
as `translate:multijail` expands one chain into one per language. Model-assisted steps need
their rewrites made before planning: `await planner.warm(prompts)` makes and caches them,
after which the planner is a plain sync function, as the engine expects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

from redline.errors import UserError
from redline.mutators.base import ARG_SEP, CHAIN_SEP, Mutator
from redline.mutators.cache import MutationCache
from redline.mutators.catalog import build_mutator, is_model_step, split_spec
from redline.mutators.model import (
    ModelMutator,
    MutationFailed,
    MutationPending,
    language_presets,
)
from redline.records import Probe, Prompt
from redline.spec import TargetSpec
from redline.targets import Target, build_target

NONE = "none"


def _alternatives(step: str) -> list[str]:
    """One step, or the steps a preset argument stands for."""
    name, arg = split_spec(step)
    if name == "translate" and arg in language_presets():
        return [f"{name}{ARG_SEP}{code}" for code in language_presets()[arg]]
    return [step.strip()]


def expand_chains(chains: Iterable[str]) -> list[str]:
    """Chain specs with presets expanded and duplicates dropped, in order."""
    expanded: list[str] = []
    for chain in chains:
        steps = [s.strip() for s in chain.split(CHAIN_SEP)]
        if not all(steps):
            raise UserError(f"mutator chain {chain!r} has an empty step")
        if NONE in steps and len(steps) > 1:
            raise UserError(f"mutator chain {chain!r}: 'none' cannot be combined with other steps")
        for combo in product(*(_alternatives(s) for s in steps)):
            expanded.append(CHAIN_SEP.join(combo))
    return list(dict.fromkeys(expanded))


@dataclass
class Chain:
    spec: str
    steps: list[Mutator]

    @property
    def needs_model(self) -> bool:
        return any(step.kind == "model" for step in self.steps)

    def apply(self, prompt: Prompt) -> Probe:
        probe = Probe.plain(prompt)
        for step in self.steps:
            probe = step.mutate(probe, prompt)
        return probe

    async def aapply(self, prompt: Prompt) -> Probe:
        """Like `apply`, asking helper models for rewrites not yet cached."""
        probe = Probe.plain(prompt)
        for step in self.steps:
            if isinstance(step, ModelMutator):
                probe = await step.amutate(probe, prompt)
            else:
                probe = step.mutate(probe, prompt)
        return probe


def build_chain(
    spec: str, *, helper: Target | None = None, cache: MutationCache | None = None
) -> Chain:
    if spec.strip() == NONE:
        return Chain(NONE, [])
    steps = [build_mutator(s, helper=helper, cache=cache) for s in spec.split(CHAIN_SEP)]
    return Chain(spec, steps)


@dataclass(frozen=True)
class MutationFailure:
    """A (prompt, chain) whose helper model could not make the rewrite: left out of the plan."""

    prompt_id: str
    chain: str
    error: str


@dataclass
class ProbePlanner:
    """prompt -> one probe per chain; callable, so it serves as the engine's planner."""

    chains: Sequence[str] = (NONE,)
    #: prompt id -> the chains for that prompt (a coverage plan); None: every chain for all.
    assignments: Mapping[str, Sequence[str]] | None = None
    helper: Target | None = None
    cache: MutationCache | None = None
    concurrency: int = 4
    failures: list[MutationFailure] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        specs = expand_chains(self.chains)
        steps = {step for spec in specs for step in spec.split(CHAIN_SEP)}
        if self.helper is None and any(is_model_step(step) for step in steps):
            self.helper = build_target(TargetSpec())  # one embedded helper shared by all steps
        self.cache = self.cache or MutationCache()
        self.built = {s: build_chain(s, helper=self.helper, cache=self.cache) for s in specs}
        assigned = {s for chosen in (self.assignments or {}).values() for s in chosen}
        if unknown := assigned - set(self.built):
            raise UserError(f"assigned chains not in the plan: {', '.join(sorted(unknown))}")
        self._left_out: set[tuple[str, str]] = set()
        self._warmed = False

    @property
    def needs_model(self) -> bool:
        return any(chain.needs_model for chain in self.built.values())

    def chains_for(self, prompt: Prompt) -> list[Chain]:
        if self.assignments is None:
            return list(self.built.values())
        return [self.built[spec] for spec in self.assignments.get(prompt.id, ())]

    async def warm(self, prompts: Iterable[Prompt]) -> list[MutationFailure]:
        """Make and cache every model rewrite the plan needs; returns what could not be made."""
        self._warmed = True
        todo = [(p, c) for p in prompts for c in self.chains_for(p) if c.needs_model]
        if not todo:
            return []
        pairs = iter(todo)  # shared by the workers, so each pair is made once

        async def worker() -> None:
            for prompt, chain in pairs:
                try:
                    await chain.aapply(prompt)
                except MutationFailed as exc:
                    self.failures.append(MutationFailure(prompt.id, chain.spec, str(exc)))
                    self._left_out.add((prompt.id, chain.spec))

        assert self.helper is not None
        await self.helper.start()
        try:
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        finally:
            await self.helper.close()
        return self.failures

    def planned_for(self, prompt: Prompt) -> list[Chain]:
        """The chains `prompt` will be sent through: its plan, less rewrites that failed."""
        return [c for c in self.chains_for(prompt) if (prompt.id, c.spec) not in self._left_out]

    def __call__(self, prompt: Prompt) -> list[Probe]:
        probes = []
        for chain in self.planned_for(prompt):
            try:
                probes.append(chain.apply(prompt))
            except MutationPending as exc:
                hint = "" if self._warmed else " (await ProbePlanner.warm(prompts) before planning)"
                raise UserError(f"mutator chain {chain.spec!r}: {exc}{hint}") from None
        return probes


def plan_probes(prompt: Prompt, chains: Sequence[str] = (NONE,)) -> list[Probe]:
    """One probe per chain for `prompt` ("none" gives the plain probe)."""
    return ProbePlanner(chains)(prompt)
