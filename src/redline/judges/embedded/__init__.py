"""Embedded classifier judges: offline, CPU-only heads over hashed n-grams or MiniLM
sentence embeddings."""

from redline.judges.embedded.judges import (
    ContentHarmJudge,
    PromptHarmJudge,
    RefusalClassifierJudge,
    ResponseHarmJudge,
)

__all__ = ["ContentHarmJudge", "PromptHarmJudge", "RefusalClassifierJudge", "ResponseHarmJudge"]
