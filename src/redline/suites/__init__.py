"""Prompt suites, by name. Built-ins load lazily; more arrive via `redline.suites` entry points."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from redline.errors import UserError
from redline.records import Prompt
from redline.registry import Registry
from redline.suites.base import Suite, SuiteInfo
from redline.suites.sampling import stratified_sample
from redline.suites.user import user_suite_from_mapping

suites: Registry[Suite] = Registry("suites")
suites.register("starter", "redline.suites.starter:StarterSuite")
# Public benchmarks read from their upstream files (see suites/data/sources.yaml).
suites.register("simplesafetytests", "redline.suites.bench.simplesafetytests:SimpleSafetyTests")
suites.register("xstest", "redline.suites.bench.xstest:XSTest")
suites.register("harmbench", "redline.suites.bench.harmbench:HarmBench")
suites.register("advbench", "redline.suites.bench.advbench:AdvBench")
suites.register("strongreject", "redline.suites.bench.strongreject:StrongReject")
suites.register("ailuminate", "redline.suites.bench.ailuminate:AILuminate")
suites.register("do_not_answer", "redline.suites.bench.do_not_answer:DoNotAnswer")
suites.register("jailbreakbench", "redline.suites.bench.jailbreakbench:JailbreakBench")
suites.register("cyberseceval_frr", "redline.suites.bench.cyberseceval:CyberSecEvalFRR")
suites.register("cyberseceval_injection", "redline.suites.bench.cyberseceval:CyberSecEvalInjection")
suites.register("multijail", "redline.suites.bench.multijail:MultiJail")
suites.register("harmfulqa", "redline.suites.bench.red_instruct:HarmfulQA")
suites.register("catqa", "redline.suites.bench.red_instruct:CatQA")
suites.register("dangerousqa", "redline.suites.bench.red_instruct:DangerousQA")
suites.register("codeattack", "redline.suites.bench.codeattack:CodeAttack")
suites.register("longsafety", "redline.suites.bench.longsafety:LongSafety")
# Hugging Face hub datasets, downloaded on first use.
suites.register("sorry_bench", "redline.suites.bench.sorry_bench:SorryBench")
suites.register("air_bench", "redline.suites.bench.air_bench:AirBench")
suites.register("aegis2", "redline.suites.bench.aegis2:Aegis2")
suites.register("beavertails", "redline.suites.bench.beavertails:BeaverTails")
suites.register("toxicchat", "redline.suites.bench.toxicchat:ToxicChat")
suites.register("wildguardtest", "redline.suites.bench.wildguardtest:WildGuardTest")
suites.register("or_bench", "redline.suites.bench.or_bench:ORBench")
suites.register("labsafety", "redline.suites.bench.labsafety:LabSafety")


SuiteRef = str | Mapping[str, Any]


def build_suite(ref: SuiteRef) -> Suite:
    """A suite from a spec entry: a registered name, {name, args} for a registered suite with
    options, or a user file mapping such as {path: my.csv, text: question, expected: refuse}."""
    if isinstance(ref, str):
        return suites.get(ref)()
    if "path" in ref:
        return user_suite_from_mapping(ref)
    if "name" not in ref or set(ref) - {"name", "args"}:
        raise UserError(
            f"suite entry {dict(ref)!r}: use a name, {{name, args}} or {{path, text, ...}}"
        )
    try:
        return suites.get(ref["name"])(**(ref.get("args") or {}))
    except TypeError as exc:
        raise UserError(f"suite {ref['name']!r}: bad arguments: {exc}") from None


def load_prompts(
    refs: Iterable[SuiteRef], *, quick: bool, limit: int | None, seed: int
) -> list[Prompt]:
    """The prompts a run asks, from every suite, sampled down to `limit` if given."""
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for ref in refs:
        for prompt in build_suite(ref).prompts(quick=quick):
            if prompt.id not in seen:
                seen.add(prompt.id)
                prompts.append(prompt)
    return stratified_sample(prompts, limit, seed) if limit is not None else prompts


__all__ = [
    "Suite",
    "SuiteInfo",
    "SuiteRef",
    "build_suite",
    "load_prompts",
    "stratified_sample",
    "suites",
]
