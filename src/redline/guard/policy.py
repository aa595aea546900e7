"""The guard policy: which judges check what, which categories are enforced, and how hard.

One YAML file, validated in full before the server binds a port: a bad policy stops
`redline serve` with one line naming the field, never a half-configured service. Every
section is optional; an example with the defaults spelled out where they matter:

    input:  {judges: [prompt-harm-clf]}          # checks user text (and /v1/moderations)
    output: {judges: [content-harm-clf], stream: incremental, window_chars: 200}
    categories:
      taxonomy: redline                          # or ailuminate, llama_guard_3, ...
      enforce: all                               # or a list; the rest are only reported
      default_threshold: 0.5
      thresholds: {self_harm: 0.3}
      custom:
        - {id: competitors, description: "Talk of rival products.", patterns: ['\\bacme\\b']}
    abstain: block                               # no usable verdict: block, allow or review
    refusal: "I can't help with that."
    upstream: {base_url: "http://127.0.0.1:8000/v1", api_key_env: UPSTREAM_KEY, timeout_s: 60}
    auth:
      keys: [{name: team-a, hash: "sha256$...$..."}]     # from `redline serve-key`
      rate_limit: {per_second: 20, burst: 40}
    limits: {max_body_bytes: 1000000, max_batch: 64, max_messages: 256}
    audit: {path: redline-guard.db, redact: false}
    feedback: {eta: 0.5}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from redline.errors import UserError
from redline.spec import PluginSpec, describe_validation_error, read_spec_file
from redline.taxonomy import load_taxonomy

Action = Literal["allow", "block", "review"]
CATEGORY_ID = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _judges_shorthand(value: Any) -> Any:
    """`[prompt-harm-clf]` means `[{name: prompt-harm-clf}]`, as in run specs."""
    if isinstance(value, list | tuple):
        return [{"name": v} if isinstance(v, str) else v for v in value]
    return value


class JudgeEntry(Strict):
    """A judge of a stage: a plugin spec plus the key its vote and weight go by."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    #: Defaults to `name`; set it to run one judge twice (say, at two thresholds).
    id: str | None = Field(default=None, pattern=CATEGORY_ID)

    @property
    def key(self) -> str:
        return self.id or self.name

    @property
    def spec(self) -> PluginSpec:
        return PluginSpec(name=self.name, args=self.args)


class StageChecks(Strict):
    """The judges that read one side of a conversation."""

    judges: tuple[JudgeEntry, ...] = ()

    _shorthand = field_validator("judges", mode="before")(_judges_shorthand)

    @field_validator("judges")
    @classmethod
    def _unique_keys(cls, judges: tuple[JudgeEntry, ...]) -> tuple[JudgeEntry, ...]:
        keys = [j.key for j in judges]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"judge {duplicates[0]!r} is listed twice (give each an `id`)")
        return judges


class OutputChecks(StageChecks):
    #: incremental: release streamed text a window at a time, each window checked first;
    #: end: hold the whole answer until it is checked. Neither releases unchecked text.
    stream: Literal["incremental", "end"] = "incremental"
    window_chars: int = Field(default=200, ge=1, le=100_000)


class CustomCategory(Strict):
    """A category of your own, described in words for guard models that read descriptions;
    `patterns` (regular expressions) let it fire without such a model."""

    id: str = Field(pattern=CATEGORY_ID)
    description: str = Field(min_length=1)
    patterns: tuple[str, ...] = ()

    @field_validator("patterns")
    @classmethod
    def _compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return patterns


class Categories(Strict):
    taxonomy: str = "redline"
    #: Categories that block; the rest are still scored and reported.
    enforce: Literal["all"] | tuple[str, ...] = "all"
    default_threshold: float = Field(0.5, ge=0.0, le=1.0)
    thresholds: dict[str, float] = Field(default_factory=dict)
    custom: tuple[CustomCategory, ...] = ()
    #: Where harm goes when no judge or rule names a category.
    fallback: str = Field("unspecified", pattern=CATEGORY_ID)

    @field_validator("thresholds")
    @classmethod
    def _in_range(cls, thresholds: dict[str, float]) -> dict[str, float]:
        for name, value in thresholds.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"threshold for {name!r} must lie in [0, 1], got {value}")
        return thresholds

    @model_validator(mode="after")
    def _known(self) -> Categories:
        known = self.ids()
        unknown = [c for c in (*self.thresholds, *self.enforced()) if c not in known]
        if unknown:
            raise ValueError(f"unknown category {unknown[0]!r} for taxonomy {self.taxonomy}")
        own = [c.id for c in self.custom] + [self.fallback]
        clash = sorted({c for c in own if own.count(c) > 1 or c in self.taxonomy_ids()})
        if clash:
            raise ValueError(f"category {clash[0]!r} is defined twice")
        return self

    def taxonomy_ids(self) -> list[str]:
        """The finest-grained categories of the configured taxonomy (UserError if unknown)."""
        return [c.id for c in load_taxonomy(self.taxonomy).leaves()]

    def ids(self) -> list[str]:
        """Every category a result reports, in order: taxonomy, custom, fallback."""
        return [*self.taxonomy_ids(), *(c.id for c in self.custom), self.fallback]

    def enforced(self) -> tuple[str, ...]:
        return tuple(self.ids()) if self.enforce == "all" else self.enforce

    def threshold(self, category: str) -> float:
        return self.thresholds.get(category, self.default_threshold)


class Upstream(Strict):
    """The OpenAI-compatible model the chat proxy guards."""

    base_url: str = Field(pattern=r"^https?://\S+$")
    api_key_env: str | None = None
    #: Replace the client's model name (None: pass it through).
    model: str | None = None
    timeout_s: float = Field(60.0, gt=0, le=3600)
    connect_timeout_s: float = Field(5.0, gt=0, le=600)


class ApiKey(Strict):
    name: str = Field(min_length=1, max_length=64)
    #: "sha256$<salt hex>$<digest hex>", as printed by `redline serve-key`.
    hash: str = Field(pattern=r"^sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$")


class RateLimit(Strict):
    """A token bucket per API key (per client address when no keys are configured)."""

    per_second: float = Field(gt=0)
    burst: int = Field(ge=1)


class Auth(Strict):
    keys: tuple[ApiKey, ...] = ()
    rate_limit: RateLimit | None = None

    @field_validator("keys")
    @classmethod
    def _unique(cls, keys: tuple[ApiKey, ...]) -> tuple[ApiKey, ...]:
        names = [k.name for k in keys]
        if len(set(names)) != len(names):
            raise ValueError("API key names must be unique")
        return keys


class Limits(Strict):
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_batch: int = Field(64, ge=1, le=10_000)
    max_messages: int = Field(256, ge=1, le=100_000)


class Audit(Strict):
    #: SQLite file (relative paths are read from the policy file's folder).
    path: str = "redline-guard.db"
    #: Keep only the length of each checked text, never the text.
    redact: bool = False


class Feedback(Strict):
    #: Hedge learning rate: how fast a judge that disagrees with people loses weight.
    eta: float = Field(0.5, gt=0, le=10)


class Policy(Strict):
    version: Literal[1] = 1
    input: StageChecks = Field(
        default_factory=lambda: StageChecks(judges=(JudgeEntry(name="prompt-harm-clf"),))
    )
    output: OutputChecks = Field(
        default_factory=lambda: OutputChecks(judges=(JudgeEntry(name="content-harm-clf"),))
    )
    categories: Categories = Field(default_factory=Categories)
    #: What to do when no judge gives a usable verdict.
    abstain: Action = "block"
    refusal: str = Field("I can't help with that.", min_length=1)
    upstream: Upstream | None = None
    auth: Auth = Field(default_factory=Auth)
    limits: Limits = Field(default_factory=Limits)
    audit: Audit = Field(default_factory=Audit)
    feedback: Feedback = Field(default_factory=Feedback)

    def with_base(self, folder: Path) -> Policy:
        """Resolve the audit path against `folder` (the policy file's own folder)."""
        path = Path(self.audit.path)
        if path.is_absolute() or self.audit.path == ":memory:":
            return self
        audit = self.audit.model_copy(update={"path": str(folder / path)})
        return self.model_copy(update={"audit": audit})


def build_policy(data: dict[str, Any], source: str = "policy") -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_validation_error(exc, source)) from None


def load_policy(path: Path) -> Policy:
    """The policy in a YAML file, or a one-line UserError saying what is wrong where."""
    policy = build_policy(read_spec_file(path), str(path))
    return policy.with_base(path.resolve().parent)
