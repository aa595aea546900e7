"""Judges that ask a model: guard models and the rubric judge share how they reach it.

The target is built from its spec when the judge is built (a bad spec fails before any
work), but started only on first use, inside the event loop that uses it, so building a
judge never loads weights or opens sessions. A judge may also be handed a Target its
caller already started (and will close): then it is used as is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from redline.engine.retry import RetryPolicy, call_target
from redline.errors import UserError
from redline.ids import stable_id
from redline.judges.base import Judge
from redline.records import Message, Probe, Response
from redline.spec import TargetSpec
from redline.targets import Target, build_target

TargetArg = Target | TargetSpec | Mapping[str, Any] | None


def target_spec(target: TargetSpec | Mapping[str, Any] | None, max_tokens: int) -> TargetSpec:
    """The spec for a judge's model; `max_tokens` applies unless the spec sets its own."""
    if isinstance(target, TargetSpec):
        return target
    raw = dict(target or {})
    raw.setdefault("max_tokens", max_tokens)
    try:
        return TargetSpec.model_validate(raw)
    except ValueError as exc:
        raise UserError(f"judge target: {str(exc).splitlines()[-1].strip()}") from None


class ModelJudge(Judge):
    """A judge whose readings come from a model behind a Target."""

    #: Enough for the judge's answer; a target spec may still set its own.
    default_max_tokens: int = 128

    def __init__(
        self,
        target: TargetArg = None,
        *,
        concurrency: int | None = None,
        timeout_s: float | None = None,
        call_retries: int | None = None,
        **args: Any,
    ) -> None:
        if isinstance(target, Target):
            self.spec, self._owned = target.spec, False
            self._targets: dict[str, Target] = {"": target}
        else:
            self.spec, self._owned = target_spec(target, self.default_max_tokens), True
            self._targets = {"": build_target(self.spec)}
        # The arguments as given (objects by their spec): the id a spec's reader computes
        # without building the judge must be the id its verdicts are stored under.
        given = {
            "target": target if isinstance(target, Mapping) else self.spec.identity(),
            "concurrency": concurrency,
            "timeout_s": timeout_s,
            "call_retries": call_retries,
        }
        super().__init__(**{k: v for k, v in given.items() if v is not None}, **args)
        self.concurrency = 8 if concurrency is None else concurrency
        if self.concurrency < 1:
            raise UserError(f"{self.name}: concurrency must be at least 1")
        self.timeout_s = 120.0 if timeout_s is None else timeout_s
        self.policy = RetryPolicy(retries=2 if call_retries is None else call_retries)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._gate = asyncio.Semaphore(self.concurrency)
        self._started: set[str] = set()

    def variant(self, options: Mapping[str, Any]) -> str:
        """Register a copy of the target that sends extra request options; returns its key."""
        key = stable_id(options)
        if key not in self._targets:
            spec = self.spec.model_copy(update={"options": {**self.spec.options, **options}})
            self._targets[key] = build_target(spec)
        return key

    def _bind_loop(self) -> None:
        """Locks and semaphores belong to one event loop; a new loop starts targets afresh."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._lock = asyncio.Lock()
            limit = self._targets[""].max_concurrency or self.concurrency
            self._gate = asyncio.Semaphore(min(limit, self.concurrency))
            self._started = set() if self._owned else {""}

    async def _ready(self, key: str) -> Target:
        target = self._targets[key]
        if key not in self._started:
            async with self._lock:
                if key not in self._started:
                    await target.start()
                    self._started.add(key)
        return target

    async def ask(
        self, messages: tuple[Message, ...], *, variant: str = "", top_logprobs: int = 0
    ) -> Response:
        """The model's answer to `messages`; failures come back as the Response's error.
        `top_logprobs` > 0 asks for token log-probabilities where the target offers them."""
        self._bind_loop()
        target = await self._ready(variant)
        turns = [(m.role, m.content) for m in messages]
        probe = Probe(id=stable_id("judge-request", self.id, turns), prompt_id="judge",
                      messages=messages)  # fmt: skip
        async with self._gate:
            return await call_target(
                target,
                probe,
                0,
                timeout_s=self.timeout_s,
                policy=self.policy,
                top_logprobs=top_logprobs,
            )

    async def close(self) -> None:
        """Stop the targets this judge started (a target handed in stays with its owner)."""
        for key in sorted(self._started):
            if self._owned or key:
                await self._targets[key].close()
        self._started = set() if self._owned else {""}
