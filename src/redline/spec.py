"""RunSpec: one validated description of a run, from YAML, CLI flags, or both.

A bad spec fails here, before any model is called, with a one-line message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from redline.errors import UserError
from redline.ids import stable_id


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PluginSpec(Strict):
    """A plugin by registry name plus its constructor arguments."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


def _plugin(value: Any) -> Any:
    """Accept the shorthand `keyword` for `{name: keyword}`."""
    return {"name": value} if isinstance(value, str) else value


class TargetSpec(Strict):
    """The model under test. `model` is a model name for servers, a GGUF path for llamacpp."""

    type: str = "llamacpp"
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    system_prompt: str | None = None
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(128, ge=1, le=32768)
    seed: int = 0
    options: dict[str, Any] = Field(default_factory=dict)

    def identity(self) -> dict[str, Any]:
        """What decides the answers: the key of this target's responses in the store."""
        return self.model_dump(exclude={"api_key_env"})

    @property
    def id(self) -> str:
        return stable_id("target", self.identity())


class RunSpec(Strict):
    """Everything a run needs. Execution, reporting and gates never change the results."""

    target: TargetSpec = Field(default_factory=TargetSpec)
    suites: tuple[str | dict[str, Any], ...] = ("starter",)
    quick: bool = False
    judges: tuple[PluginSpec, ...] = (PluginSpec(name="keyword"),)
    limit: int | None = Field(None, ge=1)
    samples: int = Field(1, ge=1, le=100)
    seed: int = 0
    #: Mutator chains, one probe each: "none" (plain), "base64", "caesar:3+roleplay", ...
    mutators: tuple[str, ...] = ("none",)
    #: Cross categories x styles x persuasion techniques instead (balanced to `limit`).
    coverage: bool = False
    #: Helper model for translate/paraphrase/persuade (None: the embedded model).
    mutator_helper: TargetSpec | None = None
    #: Adaptive multi-turn attacks (escalation, refine) with their limits as args.
    attacks: tuple[PluginSpec, ...] = ()
    #: The attacker model (None: the mutator helper if set, else the target itself).
    attacker: TargetSpec | None = None
    #: Should-refuse prompts each attack is run on (stratified sample of the run's prompts).
    attack_limit: int = Field(10, ge=1)
    #: Reads each answer the first judge calls compliance: an attack succeeds only on one it
    #: calls harmful (None or "none": the first judge alone decides).
    attack_judge: PluginSpec | None = PluginSpec(name="content-harm-clf")
    # execution
    concurrency: int = Field(8, ge=1, le=4096)
    timeout_s: float = Field(120.0, gt=0)
    retries: int = Field(4, ge=0, le=20)
    retry_errors: bool = False
    out_dir: str = "redline-runs"
    # reports also group rates by these taxonomies (any name `load_taxonomy` knows)
    group_by: tuple[str, ...] = ("ailuminate", "llama_guard_3")
    # gates: the command exits 3 when an overall rate is above its bound
    max_asr: float | None = Field(None, ge=0.0, le=1.0)
    max_frr: float | None = Field(None, ge=0.0, le=1.0)

    @field_validator("judges", "attacks", mode="before")
    @classmethod
    def _judges_shorthand(cls, value: Any) -> Any:
        return [_plugin(v) for v in value] if isinstance(value, list | tuple) else value

    @field_validator("attack_judge", mode="before")
    @classmethod
    def _attack_judge_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() == "none":
            return None
        return _plugin(value)

    @field_validator("suites", mode="before")
    @classmethod
    def _suites_shorthand(cls, value: Any) -> Any:
        return (
            [s.strip() for s in value.split(",") if s.strip()] if isinstance(value, str) else value
        )

    @field_validator("mutators", mode="before")
    @classmethod
    def _mutators_shorthand(cls, value: Any) -> Any:
        """ "base64,roleplay+slang" on the command line: chains split by commas."""
        return (
            [c.strip() for c in value.split(",") if c.strip()] if isinstance(value, str) else value
        )

    @property
    def run_id(self) -> str:
        """Same results-deciding fields, same run: this is what makes resume work."""
        return stable_id(
            "run",
            self.target.identity(),
            self.suites,
            self.quick,
            [j.model_dump() for j in self.judges],
            self.limit,
            self.samples,
            self.seed,
            self.mutators,
            self.coverage,
            self.mutator_helper.identity() if self.mutator_helper else None,
            [a.model_dump() for a in self.attacks],
            self.attacker.identity() if self.attacker else None,
            self.attack_limit if self.attacks else None,
            self.attack_judge.model_dump() if self.attacks and self.attack_judge else None,
        )

    @property
    def run_dir(self) -> Path:
        return Path(self.out_dir) / self.run_id


def describe_validation_error(error: ValidationError, source: str) -> str:
    """Pydantic's first complaint, squeezed into one line that names the field."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "spec"
    return f"{source}: {where}: {first['msg']}"


def build_spec(data: dict[str, Any], source: str = "spec") -> RunSpec:
    try:
        return RunSpec.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_validation_error(exc, source)) from None


def read_spec_file(path: Path) -> dict[str, Any]:
    """The raw mapping in a YAML spec file, or a one-line UserError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"spec file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read spec file {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise UserError(f"{path}: malformed YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: a spec must be a YAML mapping, got {type(data).__name__}")
    return data


def merge_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Apply CLI flags over a spec mapping; keys like "target.model" reach nested fields."""
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for key, value in overrides.items():
        if value is None:
            continue
        head, _, tail = key.partition(".")
        if tail:
            section = merged.setdefault(head, {})
            if not isinstance(section, dict):
                raise UserError(f"spec field {head!r} must be a mapping")
            section[tail] = value
        else:
            merged[key] = value
    return merged
