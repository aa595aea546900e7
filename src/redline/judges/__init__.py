"""Judges that read responses. Built-ins load lazily; plugins arrive as entry points."""

from __future__ import annotations

from redline.errors import UserError
from redline.judges.base import Judge, JudgeInput, Judgement, SyncJudge, judge_id
from redline.registry import Registry
from redline.spec import PluginSpec

judges: Registry[Judge] = Registry("judges")
judges.register("keyword", "redline.judges.keyword:KeywordJudge")
judges.register("refusal-clf", "redline.judges.embedded:RefusalClassifierJudge")
judges.register("harm-clf", "redline.judges.embedded:ResponseHarmJudge")
judges.register("content-harm-clf", "redline.judges.embedded:ContentHarmJudge")
judges.register("prompt-harm-clf", "redline.judges.embedded:PromptHarmJudge")
judges.register("llama-guard-3", "redline.judges.guard:LlamaGuard3Judge")
judges.register("llama-guard-4", "redline.judges.guard:LlamaGuard4Judge")
judges.register("shieldgemma", "redline.judges.guard:ShieldGemmaJudge")
judges.register("wildguard", "redline.judges.guard:WildGuardJudge")
judges.register("granite-guardian", "redline.judges.guard:GraniteGuardianJudge")
judges.register("qwen3guard", "redline.judges.guard:Qwen3GuardJudge")
judges.register("rubric", "redline.judges.rubric:RubricJudge")
judges.register("ensemble", "redline.judges.ensemble:EnsembleJudge")


def build_judge(spec: PluginSpec) -> Judge:
    try:
        return judges.get(spec.name)(**spec.args)
    except TypeError as exc:
        raise UserError(f"judge {spec.name!r}: bad arguments: {exc}") from None


def judge_id_of(spec: PluginSpec) -> str:
    """The id a judge built from `spec` would have, without building it."""
    return judge_id(spec.name, spec.args, judges.get(spec.name).version(spec.args))


__all__ = ["Judge", "JudgeInput", "Judgement", "SyncJudge", "build_judge", "judge_id_of", "judges"]
