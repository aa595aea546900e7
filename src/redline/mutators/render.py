"""Data files and `{{field}}` rendering shared by templates, instructions and attacker prompts.

Double braces keep single braces free for the code that wrapping templates are full of.
A variant is picked from a hash of the prompt id, so a prompt always gets the same wording
and a suite spreads evenly over the variants.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from redline.errors import UserError
from redline.ids import stable_id

FIELD = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fields_of(template: str) -> set[str]:
    return set(FIELD.findall(template))


def render(template: str, values: Mapping[str, object]) -> str:
    """Fill every `{{field}}`; a field without a value is a bug in the data file."""

    def fill(match: re.Match[str]) -> str:
        try:
            return str(values[match.group(1)])
        except KeyError:
            raise UserError(f"template field {{{{{match.group(1)}}}}} has no value") from None

    return FIELD.sub(fill, template)


def slot(size: int, *key: object) -> int:
    """A position in range(size), fixed by `key` (a prompt id and a mutator name)."""
    return int(stable_id(*key), 16) % size


def pick(variants: Sequence[str], *key: object) -> str:
    return variants[slot(len(variants), *key)]


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"data file not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a YAML mapping")
    return data


@cache
def packaged(folder: str, name: str) -> dict[str, Any]:
    """A YAML file shipped in `redline/mutators/<folder>/`, read once."""
    root = resources.files("redline.mutators").joinpath(folder)
    return read_yaml(Path(str(root.joinpath(f"{name}.yaml"))))


def packaged_names(folder: str) -> list[str]:
    root = resources.files("redline.mutators").joinpath(folder)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def variants_of(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    """A non-empty list of strings under `key`, or a one-line error naming the file."""
    variants = data.get(key)
    if not (isinstance(variants, list) and variants and all(isinstance(v, str) for v in variants)):
        raise UserError(f"{where}: {key!r} must be a non-empty list of strings")
    return variants
