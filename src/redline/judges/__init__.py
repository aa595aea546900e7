"""Judges that read responses. Built-ins load lazily; plugins arrive as entry points."""

from __future__ import annotations

from redline.errors import UserError
from redline.judges.base import Judge, JudgeInput, Judgement, SyncJudge
from redline.registry import Registry
from redline.spec import PluginSpec

judges: Registry[Judge] = Registry("judges")
judges.register("keyword", "redline.judges.keyword:KeywordJudge")


def build_judge(spec: PluginSpec) -> Judge:
    try:
        return judges.get(spec.name)(**spec.args)
    except TypeError as exc:
        raise UserError(f"judge {spec.name!r}: bad arguments: {exc}") from None


__all__ = ["Judge", "JudgeInput", "Judgement", "SyncJudge", "build_judge", "judges"]
