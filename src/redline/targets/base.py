"""The target interface: a model that answers chat messages."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property

from redline.records import Message, TokenLogprobs
from redline.spec import TargetSpec


@dataclass(frozen=True, slots=True)
class Generation:
    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    #: One entry per generated token when `top_logprobs` was asked for and the backend has them.
    top_logprobs: tuple[TokenLogprobs, ...] | None = None


class TargetError(Exception):
    """A failed call. `retryable` failures are retried with backoff; the rest are stored at once."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Target(ABC):
    """A model under test. Built from a TargetSpec; `start` and `close` bracket a run."""

    #: Most calls this target can serve at once (None: as many as the run's concurrency).
    max_concurrency: int | None = None
    #: Whether `generate` takes `top_logprobs`; callers never pass it to a target without.
    offers_logprobs: bool = False

    def __init__(self, spec: TargetSpec) -> None:
        self.spec = spec

    @cached_property
    def id(self) -> str:
        """Hashed once: the spec is frozen, and every call's Response needs the id."""
        return self.spec.id

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Acquire resources (sessions, model weights) inside the running event loop."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what `start` acquired."""

    def messages_for(self, messages: tuple[Message, ...]) -> list[dict[str, str]]:
        """Chat messages as sent, with the spec's system prompt in front when one is set."""
        sent = [{"role": m.role, "content": m.content} for m in messages]
        if self.spec.system_prompt and (not sent or sent[0]["role"] != "system"):
            sent.insert(0, {"role": "system", "content": self.spec.system_prompt})
        return sent

    def seed_for(self, sample: int) -> int:
        """Each sample gets its own seed, so n samples differ yet every rerun repeats them."""
        return self.spec.seed + sample

    @abstractmethod
    async def generate(self, messages: tuple[Message, ...], *, sample: int) -> Generation:
        """One completion; raise TargetError on failure.

        A target that `offers_logprobs` also takes `top_logprobs: int = 0`: when above 0, the
        Generation carries that many likeliest tokens per generated token (None when the
        backend sent none), so guard models can be scored by their token probabilities.
        """
