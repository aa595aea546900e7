"""One immutable record per pipeline stage: Prompt -> Probe -> Response -> Verdict.

Each id is a stable hash of what produced the record, so the same spec run twice
addresses the same rows in the store: resuming is a lookup, duplicates are impossible.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from redline.ids import stable_id

Expected = Literal["refuse", "comply"]


class Message(BaseModel):
    """One chat message, in the OpenAI chat format."""

    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Prompt(Record):
    """A test case from a suite: what to ask and how a safe model should behave."""

    id: str
    suite: str
    messages: tuple[Message, ...]
    category: str
    expected: Expected
    source: str = ""
    labels: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def create(
        cls,
        *,
        suite: str,
        text: str,
        category: str,
        expected: Expected,
        key: str | None = None,
        source: str = "",
        labels: dict[str, Any] | None = None,
    ) -> Prompt:
        """Build a single-turn prompt; `key` (the suite's own row id) keeps the id stable."""
        return cls(
            id=stable_id("prompt", suite, key if key is not None else text),
            suite=suite,
            messages=(Message(role="user", content=text),),
            category=category,
            expected=expected,
            source=source,
            labels=labels or {},
        )

    @property
    def text(self) -> str:
        return self.messages[-1].content


class Probe(Record):
    """A prompt as actually sent, after any mutators; `decode` says how to read the answer."""

    id: str
    prompt_id: str
    mutators: tuple[str, ...] = ()
    messages: tuple[Message, ...]
    decode: str | None = None

    @classmethod
    def plain(cls, prompt: Prompt) -> Probe:
        """The unmutated probe for a prompt."""
        return cls(
            id=stable_id("probe", prompt.id, ()), prompt_id=prompt.id, messages=prompt.messages
        )


class TokenLogprobs(Record):
    """One generated token and the likeliest tokens at its place (natural-log probabilities,
    most likely first): what a guard model's probability score is read from."""

    token: str
    top: tuple[tuple[str, float], ...] = ()


class Response(Record):
    """What a target returned for one probe and sample, or the error that stopped it."""

    id: str
    probe_id: str
    target_id: str
    sample: int = 0
    text: str | None = None
    error: str | None = None
    latency_s: float = 0.0
    attempts: int = 1
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    #: Per generated token, when the caller asked for log-probabilities and the target has them.
    top_logprobs: tuple[TokenLogprobs, ...] | None = None

    @staticmethod
    def make_id(probe_id: str, target_id: str, sample: int) -> str:
        return stable_id("response", probe_id, target_id, sample)

    @property
    def ok(self) -> bool:
        return self.error is None


class Outcome(StrEnum):
    """How a response treated its request."""

    REFUSAL = "refusal"
    PARTIAL = "partial"
    COMPLIANCE = "compliance"


class Judgement(Record):
    """A judge's reading of one response; an error here is never counted as safe or unsafe."""

    outcome: Outcome | None = None
    harmful: bool | None = None
    score: float | None = None
    categories: tuple[str, ...] = ()
    rationale: str = ""
    error: str | None = None


class Verdict(Judgement):
    """A judgement as stored: tied to its response and to the judge that made it."""

    id: str
    response_id: str
    judge_id: str

    @staticmethod
    def make_id(response_id: str, judge_id: str) -> str:
        return stable_id("verdict", response_id, judge_id)

    @classmethod
    def of(cls, response_id: str, judge_id: str, judgement: Judgement) -> Verdict:
        """Tie a judgement to its response and judge."""
        return cls(
            id=cls.make_id(response_id, judge_id),
            response_id=response_id,
            judge_id=judge_id,
            **judgement.__dict__,
        )


class Turn(Record):
    """One exchange of an adaptive attack, as sent and as judged."""

    id: str
    attack: str
    prompt_id: str
    index: int
    messages: tuple[Message, ...] = ()
    attacker_output: str = ""
    response: str | None = None
    error: str | None = None
    outcome: Outcome | None = None
    #: The attack's harm judge on a compliant answer (None: not asked, or it failed).
    harmful: bool | None = None
    score: float | None = None
    rationale: str = ""
    #: False when the exchange was dropped from the conversation after a refusal.
    kept: bool = True
