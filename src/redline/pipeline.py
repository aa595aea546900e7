"""A run from spec to results: build the plugins, plan, execute, tabulate.

Everything the spec names is built before any model is called, so a bad spec costs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import orjson

from redline import __version__
from redline.engine import Engine, EngineStats, RetryPolicy
from redline.engine.attacks import run_attacks
from redline.errors import UserError
from redline.judges import Judge, build_judge, judge_id_of
from redline.metrics import Results, tabulate
from redline.mutators import ProbePlanner, plan_coverage
from redline.mutators.catalog import attacks as attack_registry
from redline.mutators.decoding import HelperDecoder
from redline.mutators.multiturn import AdaptiveAttack
from redline.records import Prompt
from redline.spec import PluginSpec, RunSpec
from redline.store import STORE_FILE, RunStore, open_store
from redline.suites import load_prompts, stratified_sample
from redline.targets import Target, build_target
from redline.taxonomy import load_taxonomy, map_category


@dataclass
class PreparedRun:
    """A validated run, ready to execute: nothing has touched a model yet."""

    spec: RunSpec
    target: Target
    judges: list[Judge]
    prompts: list[Prompt]
    planner: ProbePlanner
    attacks: list[AdaptiveAttack] = field(default_factory=list)
    attack_prompts: list[Prompt] = field(default_factory=list)

    @property
    def total(self) -> int:
        probes = sum(len(self.planner.planned_for(p)) for p in self.prompts) * self.spec.samples
        return probes + len(self.attacks) * len(self.attack_prompts)

    @property
    def models(self) -> list[Target]:
        return [self.target, *(a.attacker for a in self.attacks)]


def prepare(spec: RunSpec) -> PreparedRun:
    target = build_target(spec.target)
    judges = [build_judge(j) for j in spec.judges]
    if not judges:
        raise UserError("a run needs at least one judge")
    for taxonomy in spec.group_by:
        load_taxonomy(taxonomy)
    helper = build_target(spec.mutator_helper) if spec.mutator_helper else None
    limit = None if spec.coverage else spec.limit
    prompts = load_prompts(spec.suites, quick=spec.quick, limit=limit, seed=spec.seed)
    if not prompts:
        raise UserError(f"suites {', '.join(map(str, spec.suites))} gave no prompts")
    if spec.coverage:
        plan = plan_coverage(prompts, limit=spec.limit, seed=spec.seed)
        prompts, planner = plan.prompts, plan.planner(helper=helper)
    else:
        planner = ProbePlanner(spec.mutators, helper=helper)  # bad chains fail here
    run = PreparedRun(spec, target, judges, prompts, planner)
    if spec.attacks:
        attacker = build_target(spec.attacker) if spec.attacker else helper or target
        harm_judge = build_judge(spec.attack_judge) if spec.attack_judge else None
        run.attacks = [
            _build_attack(a, attacker, target, judges[0], spec, harm_judge=harm_judge)
            for a in spec.attacks
        ]
        harmful = [p for p in prompts if p.expected == "refuse"]
        run.attack_prompts = stratified_sample(harmful, spec.attack_limit, spec.seed)
    return run


def _build_attack(
    plugin: PluginSpec,
    attacker: Target,
    target: Target,
    judge: Judge,
    spec: RunSpec,
    *,
    harm_judge: Judge | None,
) -> AdaptiveAttack:
    """An attack judged by the run's first judge, its successes confirmed by the harm judge."""
    factory = attack_registry.get(plugin.name)
    try:
        return factory(
            attacker, target, judge, harm_judge=harm_judge, timeout_s=spec.timeout_s, **plugin.args
        )
    except TypeError as exc:
        raise UserError(f"attack {plugin.name!r}: bad arguments: {exc}") from None


def execute(
    run: PreparedRun,
    *,
    on_progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> EngineStats:
    """Answer and judge everything not yet in the run's store; safe to call again after a kill.

    `on_total` hears the corrected total when model rewrites fail and their probes drop out.
    """
    spec = run.spec
    with open_store(spec.run_dir) as store:
        if store.get_meta("spec") is None:
            store.set_meta("spec", spec.model_dump_json())
            store.set_meta("created_at", datetime.now(UTC).isoformat(timespec="seconds"))
        # model rewrites are made (and cached) before the run; failed ones drop out
        failed = asyncio.run(run.planner.warm(run.prompts)) if run.planner.needs_model else []
        if failed and on_total is not None:
            on_total(run.total)
        decoder = _decoder_for(run)
        engine = Engine(
            store,
            run.target,
            run.judges,
            samples=spec.samples,
            concurrency=spec.concurrency,
            timeout_s=spec.timeout_s,
            policy=RetryPolicy(retries=spec.retries),
            planner=run.planner,
            decode=decoder,
            retry_errors=spec.retry_errors,
            on_progress=on_progress,
        )
        stats = asyncio.run(_run_engine(engine, run.prompts, decoder))
        if run.attacks:
            stats.answered += asyncio.run(
                run_attacks(
                    store, run.attacks, run.attack_prompts, target_id=run.target.id,
                    judge_id=run.judges[0].id, models=run.models,
                    on_progress=on_progress or (lambda n: None),
                )
            )  # fmt: skip
        return stats


def _decoder_for(run: PreparedRun) -> HelperDecoder:
    """Answers decoded for judges, translated back by the planner's helper model if any."""
    helper = run.planner.helper
    return HelperDecoder(
        helper,
        run.planner.cache,
        manage=helper is not run.target,  # the engine starts and closes its own target
        concurrency=run.spec.concurrency,
    )


async def _run_engine(engine: Engine, prompts: list[Prompt], decoder: HelperDecoder) -> EngineStats:
    """The engine run, with the decoder's helper closed in the same event loop."""
    try:
        return await engine.run(prompts)
    finally:
        await decoder.close()


def find_run(ref: str, out_dir: Path) -> Path:
    """A run directory from a run id (in `out_dir`) or a path."""
    for candidate in (Path(ref), out_dir / ref):
        if (candidate / STORE_FILE).is_file():
            return candidate
    raise UserError(f"no run {ref!r} (looked for {STORE_FILE} in {ref} and {out_dir / ref})")


def results_of(
    store: RunStore, judge_id: str | None = None, group_by: tuple[str, ...] | None = None
) -> Results:
    """Tabulate a stored run for one judge (default: the first judge of its spec)."""
    spec = RunSpec.model_validate_json(store.get_meta("spec") or "{}")
    if judge_id is None:
        judge_id = judge_id_of(spec.judges[0])
    walks = {name: _walk_to(name) for name in (spec.group_by if group_by is None else group_by)}
    tables = tabulate(store.outcome_rows(judge_id), walks)
    return Results(
        redline_version=__version__,
        run_id=spec.run_id,
        created_at=store.get_meta("created_at") or "",
        spec=orjson.loads(spec.model_dump_json()),
        target_id=spec.target.id,
        judge_id=judge_id,
        judges=store.judge_ids(),
        prompts=store.count("prompts"),
        **dict(tables),
    )


def _walk_to(taxonomy: str) -> Callable[[str], tuple[str, ...]]:
    """Redline category -> ids in `taxonomy`; an unknown category (a plugin's) maps to none."""
    load_taxonomy(taxonomy)  # an unknown taxonomy fails here, in one line

    @cache
    def walk(category: str) -> tuple[str, ...]:
        try:
            return map_category(category, taxonomy)
        except UserError:
            return ()

    return walk
