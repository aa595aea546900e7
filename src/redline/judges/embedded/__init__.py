"""Embedded classifier judges: linear heads over hashed n-grams, offline and CPU-only."""

from redline.judges.embedded.judges import (
    PromptHarmJudge,
    RefusalClassifierJudge,
    ResponseHarmJudge,
)

__all__ = ["PromptHarmJudge", "RefusalClassifierJudge", "ResponseHarmJudge"]
