from __future__ import annotations

import asyncio
import random

from redline.engine.retry import RetryPolicy, call_target
from redline.records import Message, Probe, Prompt
from redline.spec import TargetSpec
from redline.targets.base import Generation, Target, TargetError


class ScriptedTarget(Target):
    """Fails as scripted, then answers: a fault injector for the retry loop."""

    def __init__(self, failures: list[TargetError | str]) -> None:
        super().__init__(TargetSpec(type="scripted"))
        self.failures = failures
        self.calls = 0

    async def generate(self, messages: tuple[Message, ...], *, sample: int) -> Generation:
        self.calls += 1
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "hang":
                await asyncio.sleep(10)
            assert isinstance(failure, TargetError)
            raise failure
        return Generation(text="fine", prompt_tokens=3, completion_tokens=1)


PROBE = Probe.plain(Prompt.create(suite="s", text="q", category="c", expected="refuse"))
FAST = RetryPolicy(retries=3, base_s=0.001, rng=random.Random(0))


def call(target: Target, policy: RetryPolicy = FAST, timeout_s: float = 5.0):  # type: ignore[no-untyped-def]
    return asyncio.run(call_target(target, PROBE, 0, timeout_s=timeout_s, policy=policy))


def test_retryable_failures_are_retried_until_success() -> None:
    target = ScriptedTarget([TargetError("500", retryable=True)] * 2)
    response = call(target)
    assert response.ok and response.text == "fine"
    assert response.attempts == 3 and target.calls == 3


def test_non_retryable_failure_is_stored_at_once() -> None:
    target = ScriptedTarget([TargetError("HTTP 400: bad request", retryable=False)])
    response = call(target)
    assert response.error == "HTTP 400: bad request" and response.attempts == 1


def test_exhausted_retries_keep_the_last_error() -> None:
    target = ScriptedTarget([TargetError(f"fail {i}", retryable=True) for i in range(10)])
    response = call(target)
    assert response.error == "fail 3" and response.attempts == 4 and response.text is None


def test_timeouts_are_retryable_failures() -> None:
    target = ScriptedTarget(["hang", "hang"])
    response = call(target, timeout_s=0.05)
    assert response.ok and response.attempts == 3


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(base_s=0.4, max_retry_after_s=5, rng=random.Random(1))
    assert 2.0 <= policy.delay(0, retry_after=2.0) <= 2.1
    assert 5.0 <= policy.delay(0, retry_after=600) <= 5.1


def test_backoff_grows_exponentially_with_full_jitter_under_a_cap() -> None:
    policy = RetryPolicy(base_s=1, cap_s=8, rng=random.Random(2))
    for attempt, ceiling in [(0, 1), (1, 2), (2, 4), (3, 8), (10, 8)]:
        delays = [policy.delay(attempt, None) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8
