"""Micro-batching: concurrent requests share one judge call.

A judge like the embedded classifiers does one matrix product per batch, so judging ten
texts together costs little more than judging one. No timer is involved: while a batch is
being judged, new requests queue, and the next batch takes them all. An idle server judges
each request at once; a busy one batches more as load grows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from redline.judges.base import Judge, JudgeInput
from redline.records import Judgement

Pending = tuple[Sequence[JudgeInput], "asyncio.Future[list[Judgement]]"]


class Batcher:
    def __init__(self, judge: Judge, max_items: int = 256) -> None:
        self.judge = judge
        self.max_items = max_items
        self._pending: list[Pending] = []
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        future: asyncio.Future[list[Judgement]] = asyncio.get_running_loop().create_future()
        self._pending.append((items, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain())
        return await future

    def _take(self) -> list[Pending]:
        """Queued requests up to `max_items` texts (at least one request)."""
        taken, count = 0, 0
        while taken < len(self._pending) and (taken == 0 or count < self.max_items):
            count += len(self._pending[taken][0])
            taken += 1
        batch, self._pending = self._pending[:taken], self._pending[taken:]
        return batch

    async def _drain(self) -> None:
        while self._pending:
            batch = self._take()
            items = [item for request, _ in batch for item in request]
            try:
                results = await self.judge.judge(items)
            except Exception as exc:  # a crashing judge abstains: its error is data
                results = [Judgement(error=f"{type(exc).__name__}: {exc}")] * len(items)
            start = 0
            for request, future in batch:
                if not future.done():
                    future.set_result(results[start : start + len(request)])
                start += len(request)
