"""The judge interface: read a batch of responses, return one judgement each."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from redline.ids import stable_id
from redline.records import Judgement, Prompt


@dataclass(frozen=True, slots=True)
class JudgeInput:
    """What a judge may look at: the original prompt and the (decoded) response text."""

    prompt: Prompt
    response: str | None


def judge_id(name: str, args: dict[str, Any], version: str = "") -> str:
    """A judge's id from its spec and version, so reports can name it without building it,
    and a run resumed after a trained head changed never mixes the two heads' verdicts."""
    parts = (name, args, version) if version else (name, args)
    return f"{name}:{stable_id(*parts)[:8]}"


class Judge(ABC):
    """A judge built from a name and arguments; its id names both, so verdicts say who judged."""

    name: str = ""
    #: CPU-heavy judges run off the event loop so HTTP calls keep flowing.
    cpu_bound: bool = False

    def __init__(self, **args: Any) -> None:
        self.args = args

    @classmethod
    def version(cls, args: dict[str, Any]) -> str:
        """What decides the verdicts besides name and args, e.g. a trained head's digest."""
        return ""

    @cached_property
    def id(self) -> str:
        return judge_id(self.name, self.args, self.version(self.args))

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the judge opened (model sessions); called once a run is done."""

    @abstractmethod
    async def judge(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        """One judgement per item, in order. A failure on one item is that item's `error`."""


class SyncJudge(Judge):
    """A judge that works item by item in plain Python."""

    @abstractmethod
    def judge_one(self, item: JudgeInput) -> Judgement: ...

    def judge_batch(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        return [self.judge_one(item) for item in items]

    async def judge(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        if self.cpu_bound:
            return await asyncio.to_thread(self.judge_batch, items)
        return self.judge_batch(items)
