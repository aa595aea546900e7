"""How votes become decisions: abstention, calibration, weights, and shared judge batches."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from redline.guard import build_policy
from redline.guard.batching import Batcher
from redline.guard.checks import Subject, calibrated, guard_prompt
from redline.guard.service import Guard
from redline.judges.base import Judge, JudgeInput
from redline.records import Judgement


def guard(tmp_path: Path, **policy: object) -> Guard:
    return Guard(build_policy({"audit": {"path": str(tmp_path / "a.db")}, **policy}))


@pytest.mark.parametrize(
    ("abstain", "flagged"), [("block", True), ("allow", False), ("review", False)]
)
def test_abstain_when_no_judge_can_say(tmp_path: Path, abstain: str, flagged: bool) -> None:
    # The keyword judge reads answers only: on a bare prompt it errors, i.e. abstains.
    checker = guard(tmp_path, input={"judges": ["keyword"]}, abstain=abstain).checkers["input"]
    (decision,) = asyncio.run(checker.check([Subject("anything at all")]))
    assert decision.votes == {"keyword": None} and decision.score is None
    assert (decision.action, decision.flagged) == (abstain, flagged)


def test_a_custom_pattern_blocks_even_when_judges_abstain(tmp_path: Path) -> None:
    custom = [{"id": "acme", "description": "Our rival.", "patterns": [r"\bacme\b"]}]
    checker = guard(
        tmp_path, input={"judges": ["keyword"]}, abstain="allow", categories={"custom": custom}
    ).checkers["input"]
    allowed, blocked = asyncio.run(checker.check([Subject("hello"), Subject("buy ACME now")]))
    assert allowed.action == "allow" and blocked.action == "block"
    assert blocked.categories["acme"] and blocked.category_scores["acme"] == 1.0


def test_each_judge_is_read_at_its_own_threshold() -> None:
    assert calibrated(Judgement(harmful=True, score=0.35), 0.35) == 0.5
    assert calibrated(Judgement(harmful=False, score=0.175), 0.35) == 0.25
    assert calibrated(Judgement(harmful=True, score=1.0), 0.35) == 1.0
    assert calibrated(Judgement(harmful=True), None) == 1.0  # yes/no judges


def test_weights_decide_between_disagreeing_judges(tmp_path: Path) -> None:
    judges = [
        {"name": "prompt-harm-clf", "id": "never", "args": {"threshold": 0.9999999}},
        {"name": "prompt-harm-clf", "id": "always", "args": {"threshold": 0.0}},
    ]
    checker = guard(tmp_path, input={"judges": judges}).checkers["input"]
    assert checker.weights is not None
    for _ in range(6):  # people keep saying "harmless": "always" loses its say
        checker.weights.update({"never": False, "always": True}, False)
    (decision,) = asyncio.run(checker.check([Subject("What is the boiling point of water?")]))
    assert decision.votes == {"never": False, "always": True}
    assert decision.action == "allow" and decision.score is not None and decision.score < 0.5


class CountingJudge(Judge):
    """Records the batch sizes it was called with; slow enough for requests to queue."""

    name = "counting"

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    async def judge(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        self.batches.append(len(items))
        await asyncio.sleep(0.01)
        return [Judgement(harmful=it.prompt.text == "bad", score=0.0) for it in items]


def test_concurrent_requests_share_judge_calls_and_get_their_own_answers() -> None:
    judge = CountingJudge()
    batcher = Batcher(judge)

    async def ask(text: str) -> bool | None:
        (judgement,) = await batcher([JudgeInput(guard_prompt(text), None)])
        return judgement.harmful

    async def alone_then_many() -> list[bool | None]:
        await ask("ok")
        return await asyncio.gather(*(ask("bad" if i % 3 == 0 else "ok") for i in range(30)))

    answers = asyncio.run(alone_then_many())
    assert answers == [i % 3 == 0 for i in range(30)]
    assert judge.batches == [1, 30]  # idle: judged at once; busy: one shared call


def test_a_crashing_judge_abstains() -> None:
    class Broken(CountingJudge):
        async def judge(self, items: Sequence[JudgeInput]) -> list[Judgement]:
            raise RuntimeError("boom")

    (judgement,) = asyncio.run(Batcher(Broken())([JudgeInput(guard_prompt("x"), None)]))
    assert judgement.error == "RuntimeError: boom"
