"""Guard-model judges: Llama Guard 3 and 4, ShieldGemma, WildGuard, Granite Guardian and
Qwen3Guard, each in its documented format, over any target."""

from redline.judges.guard.format import GuardFormat, load_format
from redline.judges.guard.judge import GuardJudge
from redline.judges.guard.models import (
    GraniteGuardianJudge,
    LlamaGuard3Judge,
    LlamaGuard4Judge,
    Qwen3GuardJudge,
    ShieldGemmaJudge,
    WildGuardJudge,
)
from redline.judges.guard.parsers import Reading, Unparsable

__all__ = [
    "GraniteGuardianJudge",
    "GuardFormat",
    "GuardJudge",
    "LlamaGuard3Judge",
    "LlamaGuard4Judge",
    "Qwen3GuardJudge",
    "Reading",
    "ShieldGemmaJudge",
    "Unparsable",
    "WildGuardJudge",
    "load_format",
]
