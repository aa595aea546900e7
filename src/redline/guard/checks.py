"""One check: the stage's judges read a text, their votes are weighed, the policy decides.

Each judge's score is first recalibrated so that its own decision threshold sits at 0.5
(a judge that only says yes/no counts as 1.0/0.0); the Hedge-weighted mean of those is the
harm score. With the default category threshold of 0.5 a text is flagged when the weighted
majority of judges, each at its own operating point, calls it harmful.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from redline.guard.batching import Batcher
from redline.guard.categories import CategoryRules
from redline.guard.policy import Action
from redline.judges.base import Judge, JudgeInput
from redline.judges.ensemble import HedgeWeights
from redline.records import Judgement, Message, Prompt

Stage = Literal["input", "output"]


@dataclass(frozen=True, slots=True)
class Decision:
    """What the guard decided about one text, and the votes behind it (kept for feedback)."""

    id: str
    stage: Stage
    action: Action
    flagged: bool
    score: float | None  # None: every judge abstained
    categories: dict[str, bool]
    category_scores: dict[str, float]
    votes: dict[str, bool | None]
    text: str


@dataclass(frozen=True, slots=True)
class Subject:
    """A text to check; `context` is the user's request when the text is the model's answer."""

    text: str
    context: str | None = None


def new_decision_id() -> str:
    return f"dec-{secrets.token_hex(12)}"


def guard_prompt(text: str) -> Prompt:
    """A Prompt wrapper for judges; built unvalidated since every field is ours."""
    return Prompt.model_construct(
        id="guard",
        suite="guard",
        messages=(Message.model_construct(role="user", content=text),),
        category="guard",
        expected="comply",
        source="",
        labels={},
    )


def calibrated(judgement: Judgement, threshold: float | None) -> float:
    """The judge's score with its own threshold moved to 0.5 (piecewise linear)."""
    score = judgement.score
    if score is None or threshold is None or not 0.0 < threshold < 1.0:
        return 1.0 if judgement.harmful else 0.0
    if score < threshold:
        return 0.5 * score / threshold
    return 0.5 + 0.5 * (score - threshold) / (1.0 - threshold)


class StageChecker:
    """The judges of one stage (input or output) and how their votes become a decision."""

    def __init__(
        self,
        stage: Stage,
        judges: dict[str, Judge],
        rules: CategoryRules,
        weights: HedgeWeights | None,
        abstain: Action,
    ) -> None:
        self.stage = stage
        self.judges = judges
        self.rules = rules
        self.weights = weights
        self.abstain = abstain
        self._batchers = {name: Batcher(judge) for name, judge in judges.items()}
        self._thresholds = {n: _threshold_of(j) for n, j in judges.items()}

    async def check(self, subjects: Sequence[Subject]) -> list[Decision]:
        """One decision per subject; all judges run concurrently over the whole batch."""
        if not subjects:
            return []
        items = [
            JudgeInput(guard_prompt(s.text), None)
            if s.context is None
            else JudgeInput(guard_prompt(s.context), s.text)
            for s in subjects
        ]
        names = list(self._batchers)
        per_judge = await asyncio.gather(*(self._batchers[n](items) for n in names))
        return [
            self._decide(subject, {n: per_judge[k][i] for k, n in enumerate(names)})
            for i, subject in enumerate(subjects)
        ]

    def _decide(self, subject: Subject, judged: dict[str, Judgement]) -> Decision:
        votes = {n: (j.harmful if j.error is None else None) for n, j in judged.items()}
        usable = {n: j for n, j in judged.items() if votes[n] is not None}
        score = None
        if usable and self.weights is not None:
            share = self.weights.share(usable)
            score = sum(share[n] * calibrated(j, self._thresholds[n]) for n, j in usable.items())
        named = self.rules.named(c for j in usable.values() for c in j.categories)
        seen = subject.text if subject.context is None else f"{subject.context}\n{subject.text}"
        scores = self.rules.scores(score, named, seen)
        flags = self.rules.flags(scores)
        flagged = self.rules.flagged(flags)
        if flagged:
            action: Action = "block"
        elif score is None:
            action = self.abstain
            flagged = action == "block"
        else:
            action = "allow"
        return Decision(
            id=new_decision_id(),
            stage=self.stage,
            action=action,
            flagged=flagged,
            score=score,
            categories=flags,
            category_scores=scores,
            votes=votes,
            text=subject.text,
        )


def _threshold_of(judge: Judge) -> float | None:
    """The judge's decision threshold on its score, where it exposes one."""
    threshold = getattr(judge, "threshold", None)
    return float(threshold) if isinstance(threshold, int | float) else None
