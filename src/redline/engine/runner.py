"""The engine: stream probes to a target with bounded concurrency, judge, and commit in batches.

Three kinds of task share one event loop: a planner that feeds a bounded queue with the
(probe, sample) pairs not yet in the store, workers that call the target, and one writer
that judges finished responses in batches and commits each batch with its verdicts in a
single transaction. Queues are bounded, so memory stays flat however many probes a run has.
Store calls run one at a time on a thread of their own: SQLite releases the GIL while it
writes, so the event loop keeps serving HTTP during a commit.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from redline.engine.retry import RetryPolicy, call_target
from redline.errors import UserError
from redline.judges.base import Judge, JudgeInput, Judgement
from redline.records import Probe, Prompt, Response, Verdict
from redline.store import RunStore
from redline.targets.base import Target

PLAN_CHUNK = 512
Planner = Callable[[Prompt], Sequence[Probe]]
#: Turns an answer into what judges read (decodes a base64 reply, translates a French one back);
#: async, since some decoders ask a helper model. See redline.mutators.
Decoder = Callable[[Probe, str], Awaitable[str]]
T = TypeVar("T")


def plain_probes(prompt: Prompt) -> Sequence[Probe]:
    return (Probe.plain(prompt),)


async def as_sent(probe: Probe, text: str) -> str:
    return text


@dataclass
class EngineStats:
    already_done: int = 0
    answered: int = 0  # answers the model gave in this run
    failed: int = 0
    rejudged: int = 0  # stored answers judged by a judge that had not read them (no model call)


@dataclass(frozen=True, slots=True)
class _Work:
    prompt: Prompt
    probe: Probe
    sample: int
    stored: bool = False  # the answer comes from the store, to be judged again


def _chunks(items: Iterable[Prompt], size: int) -> Iterator[list[Prompt]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Engine:
    def __init__(
        self,
        store: RunStore,
        target: Target,
        judges: Sequence[Judge],
        *,
        samples: int = 1,
        concurrency: int = 8,
        timeout_s: float = 120.0,
        policy: RetryPolicy | None = None,
        planner: Planner = plain_probes,
        decode: Decoder = as_sent,
        retry_errors: bool = False,
        on_progress: Callable[[int], None] | None = None,
        batch_size: int = 256,
        flush_s: float = 0.1,
    ) -> None:
        self.store = store
        self.target = target
        self.judges = judges
        self.samples = samples
        self.workers = min(concurrency, target.max_concurrency or concurrency)
        self.timeout_s = timeout_s
        self.policy = policy or RetryPolicy()
        self.planner = planner
        self.decode = decode
        self.retry_errors = retry_errors
        self.on_progress = on_progress or (lambda n: None)
        self.batch_size = batch_size
        self.flush_s = flush_s
        self.stats = EngineStats()

    async def run(self, prompts: Iterable[Prompt]) -> EngineStats:
        """Answer and judge every (probe, sample) of `prompts` not already in the store."""
        work: asyncio.Queue[_Work | None] = asyncio.Queue(maxsize=self.workers * 2)
        done: asyncio.Queue[tuple[_Work, Response] | None] = asyncio.Queue(
            maxsize=self.batch_size * 4
        )
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="redline-store")
        await self.target.start()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._plan(prompts, work, done))
                workers = [group.create_task(self._work(work, done)) for _ in range(self.workers)]
                writer = group.create_task(self._write(done))
                await asyncio.gather(*workers)
                await done.put(None)
                await writer
        finally:
            await self.target.close()
            for judge in self.judges:
                await judge.close()
            self._store_thread.shutdown()
        return self.stats

    async def _in_store(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call on the store's own thread: one at a time, in the order asked."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, partial(call, *args, **kwargs))

    async def _plan(
        self,
        prompts: Iterable[Prompt],
        work: asyncio.Queue[_Work | None],
        done: asyncio.Queue[tuple[_Work, Response] | None],
    ) -> None:
        target_id = self.target.id
        for chunk in _chunks(prompts, PLAN_CHUNK):
            pending = [(prompt, probe) for prompt in chunk for probe in self.planner(prompt)]
            await self._in_store(self.store.add_plan, chunk, [probe for _, probe in pending])
            keyed = {
                Response.make_id(probe.id, target_id, sample): _Work(prompt, probe, sample)
                for prompt, probe in pending
                for sample in range(self.samples)
            }
            finished = await self._in_store(
                self.store.done_response_ids, list(keyed), include_failed=not self.retry_errors
            )
            unjudged = await self._in_store(
                self.store.unjudged_responses, list(finished), [j.id for j in self.judges]
            )
            again = {r.id for r in unjudged}
            finished -= again
            if finished:
                self.stats.already_done += len(finished)
                self.on_progress(len(finished))
            for response in unjudged:  # answered before: judged again, not asked again
                await done.put((dataclasses.replace(keyed[response.id], stored=True), response))
            for response_id, item in keyed.items():
                if response_id not in finished and response_id not in again:
                    await work.put(item)
        for _ in range(self.workers):
            await work.put(None)

    async def _work(
        self,
        work: asyncio.Queue[_Work | None],
        done: asyncio.Queue[tuple[_Work, Response] | None],
    ) -> None:
        while (item := await work.get()) is not None:
            response = await call_target(
                self.target, item.probe, item.sample, timeout_s=self.timeout_s, policy=self.policy
            )
            await done.put((item, response))

    async def _write(self, done: asyncio.Queue[tuple[_Work, Response] | None]) -> None:
        """Commit a batch once it is full or `flush_s` after its first item, whichever is first."""
        finished = False
        while not finished:
            first = await done.get()
            if first is None:
                return
            batch = [first]
            # One timer per batch, not per item: a cancelled get() leaves its item queued.
            try:
                async with asyncio.timeout(self.flush_s):
                    while len(batch) < self.batch_size:
                        item = await done.get()
                        if item is None:
                            finished = True
                            break
                        batch.append(item)
            except TimeoutError:
                pass
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[_Work, Response]]) -> None:
        answered = [(item, r) for item, r in batch if r.ok]
        texts = await asyncio.gather(
            *(self._decode_safely(item.probe, r.text or "") for item, r in answered)
        )
        inputs = [
            JudgeInput(item.prompt, text) for (item, _), text in zip(answered, texts, strict=True)
        ]
        verdicts: list[Verdict] = []
        for judge in self.judges:
            judgements = await _judge_safely(judge, inputs)
            judge_id = judge.id
            verdicts.extend(
                Verdict.of(r.id, judge_id, j)
                for (_, r), j in zip(answered, judgements, strict=True)
            )
        responses = [r for _, r in batch]
        await self._in_store(self.store.save_results, responses, verdicts)
        rejudged = sum(item.stored for item, _ in answered)
        self.stats.rejudged += rejudged
        self.stats.answered += len(answered) - rejudged
        self.stats.failed += len(batch) - len(answered)
        self.on_progress(len(batch))

    async def _decode_safely(self, probe: Probe, text: str) -> str:
        """Decoding is best effort: a decoder that crashes leaves the answer as it was sent."""
        try:
            return await self.decode(probe, text)
        except UserError:  # a bad setup (a helper that cannot start) is for the user to fix
            raise
        except Exception:
            return text


async def _judge_safely(judge: Judge, inputs: list[JudgeInput]) -> list[Judgement]:
    """A judge that crashes on a batch yields an error verdict per item, never a guess."""
    if not inputs:
        return []
    try:
        judgements = await judge.judge(inputs)
        if len(judgements) != len(inputs):
            raise RuntimeError(f"returned {len(judgements)} judgements for {len(inputs)} items")
    except Exception as exc:
        return [Judgement(error=f"{type(exc).__name__}: {exc}")] * len(inputs)
    return judgements
