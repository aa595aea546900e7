"""Template mutators: the request set inside a framing written as data (`templates/*.yaml`).

A template file holds a one-line `description` and a list of `variants`; a prompt always
gets the same variant. Variants place the request through fields:

  {{prompt}}          the request as it is
  {{prompt_json}}     the request as a quoted JSON string
  {{words}}           its words as a JSON/Python list literal
  {{words_reversed}}  the same list, last word first (for stack-style code wrapping)

Dropping a new YAML file into `templates/` registers a new mutator; `template:PATH` uses a
file of your own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from redline.errors import UserError
from redline.mutators.base import Mutator, Rewrite, no_arg
from redline.mutators.render import fields_of, packaged, pick, read_yaml, render, variants_of
from redline.records import Prompt

FIELDS = frozenset({"prompt", "prompt_json", "words", "words_reversed"})
FOLDER = "templates"


def _list_literal(items: list[str]) -> str:
    """A list that is valid JSON and valid Python alike."""
    return "[" + ", ".join(orjson.dumps(item).decode() for item in items) + "]"


def template_fields(text: str) -> dict[str, str]:
    words = text.split()
    return {
        "prompt": text,
        "prompt_json": orjson.dumps(text).decode(),
        "words": _list_literal(words),
        "words_reversed": _list_literal(words[::-1]),
    }


def check_template(data: Mapping[str, Any], where: str) -> tuple[str, list[str]]:
    """The description and variants of a template file, or a one-line error saying what is wrong."""
    description = data.get("description")
    if not isinstance(description, str) or not description.strip() or "\n" in description.strip():
        raise UserError(f"{where}: 'description' must be one line of text")
    variants = variants_of(data, "variants", where)
    for number, variant in enumerate(variants, 1):
        used = fields_of(variant)
        if unknown := used - FIELDS:
            raise UserError(f"{where}: variant {number} uses unknown fields {sorted(unknown)}")
        if not used:
            raise UserError(f"{where}: variant {number} never places the request")
    return description.strip(), variants


class TemplateMutator(Mutator):
    kind = "template"

    def __init__(
        self, name: str, data: Mapping[str, Any], where: str, arg: str | None = None
    ) -> None:
        super().__init__(arg)
        self.name = name
        self.description, self.variants = check_template(data, where)

    def rewrite(self, text: str, prompt: Prompt) -> Rewrite:
        return Rewrite(render(pick(self.variants, prompt.id, self.name), template_fields(text)))


def builtin_template(name: str, arg: str | None = None) -> TemplateMutator:
    """The template shipped as `templates/<name>.yaml`."""
    mutator = TemplateMutator(name, packaged(FOLDER, name), f"mutators/{FOLDER}/{name}.yaml", arg)
    no_arg(mutator)
    return mutator


class FileTemplate(TemplateMutator):
    """`template:PATH`: a template file of your own, in the same format as the built-ins."""

    description = "Your own template file: template:PATH.yaml (same format as the built-ins)."

    def __init__(self, arg: str | None = None) -> None:
        if not arg:
            raise UserError("template needs a file: template:PATH.yaml")
        super().__init__("template", read_yaml(Path(arg)), arg, arg)
