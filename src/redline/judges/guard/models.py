"""The guard models redline knows: a format file each, plus how their chat templates take
categories when the server renders the prompt (`render: chat`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from redline.errors import UserError
from redline.judges.guard.format import Category, Mode
from redline.judges.guard.judge import GuardJudge
from redline.judges.guard.parsers import Reading
from redline.judges.model_judge import TargetArg


class LlamaGuard3Judge(GuardJudge):
    """Llama Guard 3: safe / unsafe with MLCommons codes S1-S14 (custom codes: render: prompt)."""

    name = "llama-guard-3"
    format_name = "llama_guard_3"


class LlamaGuard4Judge(GuardJudge):
    """Llama Guard 4: Llama Guard 3's codes; its chat template takes a category list."""

    name = "llama-guard-4"
    format_name = "llama_guard_4"

    def template_options(self, asked: Sequence[Category], mode: Mode) -> dict[str, Any]:
        if not self.tailored:
            return {}
        return {"categories": {c.key: c.text for c in asked}}


class ShieldGemmaJudge(GuardJudge):
    """ShieldGemma: one Yes/No question per policy; unsafe when any policy is violated."""

    name = "shieldgemma"
    format_name = "shieldgemma"

    def template_options(self, asked: Sequence[Category], mode: Mode) -> dict[str, Any]:
        return {"guideline": asked[0].definition(self.format.modes[mode])}


class GraniteGuardianJudge(GuardJudge):
    """Granite Guardian: one Yes/No question per risk (default: general harm)."""

    name = "granite-guardian"
    format_name = "granite_guardian"

    def template_options(self, asked: Sequence[Category], mode: Mode) -> dict[str, Any]:
        risk = asked[0]
        config = {"risk_name": risk.key}
        if risk.custom:
            config["risk_definition"] = risk.text
        return {"guardian_config": config}


class WildGuardJudge(GuardJudge):
    """WildGuard: harmful request, refusal and harmful response in one answer. Its taxonomy
    is fixed, so its signature offers no categories (callers that look for
    `custom_categories` leave it alone)."""

    name = "wildguard"
    format_name = "wildguard"

    def __init__(self, target: TargetArg = None, **args: Any) -> None:
        super().__init__(target, **args)


class Qwen3GuardJudge(GuardJudge):
    """Qwen3Guard-Gen: Safe / Unsafe / Controversial with its own fixed categories, and
    refusals for answers."""

    name = "qwen3guard"
    format_name = "qwen3guard"

    def __init__(
        self,
        target: TargetArg = None,
        *,
        controversial: Literal["unsafe", "safe"] | None = None,
        **args: Any,
    ) -> None:
        if controversial not in (None, "unsafe", "safe"):
            raise UserError(
                f"qwen3guard: controversial must be 'unsafe' or 'safe', not {controversial!r}"
            )
        extra: dict[str, Any] = {"controversial": controversial} if controversial else {}
        super().__init__(target, **extra, **args)
        self.controversial_unsafe = controversial != "safe"

    def unsafe(self, reading: Reading) -> bool:
        """Qwen3Guard's strict reading treats Controversial as unsafe; `controversial: safe` is
        its loose one."""
        return self.controversial_unsafe if reading.unsafe is None else reading.unsafe
