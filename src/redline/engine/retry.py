"""Calling a target: timeout, retries, exponential backoff with full jitter, Retry-After."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from time import perf_counter

from redline.records import Probe, Response
from redline.targets.base import Target, TargetError


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 4
    base_s: float = 0.5
    cap_s: float = 30.0
    #: A server asking for a longer pause than this gets this instead.
    max_retry_after_s: float = 120.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Pause before retry number `attempt` (0-based): the server's word, else full jitter."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after_s) + self.rng.uniform(0, self.base_s / 4)
        return self.rng.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


async def call_target(
    target: Target,
    probe: Probe,
    sample: int,
    *,
    timeout_s: float,
    policy: RetryPolicy,
    top_logprobs: int = 0,
) -> Response:
    """A Response with text, or with the last error once retries are spent; never raises.

    `top_logprobs` > 0 asks a target that offers them for token log-probabilities.
    """
    started = perf_counter()
    attempt = 0
    asked = {"top_logprobs": top_logprobs} if top_logprobs and target.offers_logprobs else {}

    def response(**outcome: object) -> Response:
        return Response(
            id=Response.make_id(probe.id, target.id, sample),
            probe_id=probe.id,
            target_id=target.id,
            sample=sample,
            latency_s=perf_counter() - started,
            attempts=attempt,
            **outcome,  # type: ignore[arg-type]
        )

    while True:
        attempt += 1
        try:
            async with asyncio.timeout(timeout_s):
                generation = await target.generate(probe.messages, sample=sample, **asked)
        except TimeoutError:
            failure = TargetError(f"timed out after {timeout_s:g}s", retryable=True)
        except TargetError as exc:
            failure = exc
        else:
            return response(
                text=generation.text,
                prompt_tokens=generation.prompt_tokens,
                completion_tokens=generation.completion_tokens,
                top_logprobs=generation.top_logprobs,
            )
        if not failure.retryable or attempt > policy.retries:
            return response(error=str(failure))
        await asyncio.sleep(policy.delay(attempt - 1, failure.retry_after))
