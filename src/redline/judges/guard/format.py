"""A guard model's documented input format, loaded from `formats/<name>.yaml`.

The data says how a conversation is written out, which words change between classifying
a prompt and a response, and which categories (or policies) the model knows. Rendering
fills `$slots` with `string.Template`, so braces in prompts and policies are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from string import Template
from typing import Any, Literal

import yaml

from redline.errors import UserError
from redline.judges.guard.logprobs import ScoreTokens
from redline.records import Message
from redline.taxonomy import load_taxonomy

Mode = Literal["prompt", "response"]
#: User categories: names of the model's own to keep, or {key: definition} to use instead.
CategoriesArg = Sequence[str] | Mapping[str, str] | None


@dataclass(frozen=True)
class Category:
    key: str
    text: str
    redline: tuple[str, ...] = ()
    only: Mode | None = None
    custom: bool = False

    def definition(self, words: Mapping[str, str]) -> str:
        """The text as sent: shipped definitions take the mode's words, custom ones are verbatim."""
        return self.text if self.custom else Template(self.text).substitute(words)


@dataclass(frozen=True)
class GuardFormat:
    name: str
    parser: str
    template: str
    modes: Mapping[str, Mapping[str, str]]
    turns: Mapping[str, str]
    categories: Mapping[str, Category] = field(default_factory=dict)
    defaults: tuple[str, ...] = ()
    category_line: str = "$key: $text"
    per_category: bool = False
    custom_categories: bool = True
    chat: bool = True
    chat_categories: bool = False
    max_tokens: int = 32
    #: Where the model card defines the score as a token probability (None: text only).
    score_tokens: ScoreTokens | None = None

    def select(
        self, wanted: CategoriesArg, extra: Mapping[str, str] | None = None
    ) -> tuple[Category, ...]:
        """The categories to ask about: the defaults, a subset by name, or custom definitions,
        then any `extra` custom ones (described in words) on top."""
        if (wanted is not None or extra) and not self.custom_categories:
            raise UserError(f"{self.name} has a fixed set of categories; drop 'categories'")
        added = tuple(Category(str(k), str(v), custom=True) for k, v in (extra or {}).items())
        if wanted is None:
            return tuple(self.categories[k] for k in self.defaults or self.categories) + added
        if isinstance(wanted, Mapping):
            chosen = [Category(str(k), str(v), custom=True) for k, v in wanted.items()]
        else:
            unknown = [k for k in wanted if k not in self.categories]
            if unknown:
                known = ", ".join(self.categories)
                raise UserError(f"{self.name}: unknown categories {unknown} (known: {known})")
            chosen = [self.categories[k] for k in wanted]
        if not chosen:
            raise UserError(f"{self.name}: 'categories' is empty")
        return (*chosen, *added)

    def conversation(self, messages: Sequence[Message]) -> str:
        """The turns written the model's way; system turns are not part of what is judged."""
        lines = [
            Template(self.turns[m.role]).substitute(text=m.content)
            for m in messages
            if m.role != "system"
        ]
        return self.turns["separator"].join(lines)

    def render(
        self, messages: Sequence[Message], mode: Mode, categories: Sequence[Category]
    ) -> str:
        """The full instruction for one question (one category when the model asks per policy)."""
        words = self.modes[mode]
        listed = [c for c in categories if c.only in (None, mode)]
        block = "\n".join(
            Template(self.category_line).substitute(key=c.key, text=c.definition(words))
            for c in listed
        )
        policy = categories[0].definition(words) if self.per_category else ""
        return Template(self.template).substitute(
            words, conversation=self.conversation(messages), categories=block, policy=policy
        )


def _category(key: str, raw: Mapping[str, Any], taxonomy: str | None) -> Category:
    redline = tuple(raw.get("redline") or (_redline_ids(taxonomy, key) if taxonomy else ()))
    return Category(key=key, text=str(raw["text"]), redline=redline, only=raw.get("only"))


@cache
def _inverse_crosswalk(taxonomy: str) -> dict[str, tuple[str, ...]]:
    """Code -> redline ids, read backwards from redline.yaml's crosswalk to `taxonomy`."""
    inverse: dict[str, list[str]] = {}
    for category in load_taxonomy("redline").categories:
        for code in category.crosswalk.get(taxonomy, ()):
            inverse.setdefault(code, []).append(category.id)
    return {code: tuple(ids) for code, ids in inverse.items()}


def _redline_ids(taxonomy: str, code: str) -> tuple[str, ...]:
    return _inverse_crosswalk(taxonomy).get(code, ())


def _read(name: str) -> dict[str, Any]:
    path = resources.files("redline.judges.guard").joinpath("formats", f"{name}.yaml")
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    parent = raw.pop("extends", None)
    return {**_read(parent), **raw} if parent else raw


@cache
def load_format(name: str) -> GuardFormat:
    """The format shipped as `formats/<name>.yaml` (a missing file is a packaging bug)."""
    raw = _read(name)
    taxonomy = raw.get("taxonomy")
    categories = {
        str(k): _category(str(k), v, taxonomy) for k, v in (raw.get("categories") or {}).items()
    }
    return GuardFormat(
        name=raw["name"],
        parser=raw["parser"],
        template=raw["template"],
        modes=raw["modes"],
        turns=raw["turns"],
        categories=categories,
        defaults=tuple(raw.get("defaults") or ()),
        category_line=raw.get("category_line", "$key: $text"),
        per_category=bool(raw.get("per_category", False)),
        custom_categories=bool(raw.get("custom_categories", bool(categories))),
        chat=bool(raw.get("chat", True)),
        chat_categories=bool(raw.get("chat_categories", False)),
        max_tokens=int(raw.get("max_tokens", 32)),
        score_tokens=ScoreTokens.of(raw["score_tokens"]) if "score_tokens" in raw else None,
    )
