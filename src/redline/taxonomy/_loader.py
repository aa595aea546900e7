"""Risk taxonomies as data: one YAML file per taxonomy under `taxonomy/data/`.

Keeping taxonomies as data (not code) lets a report group the same verdicts by redline's
categories, by AILuminate hazards or by Llama Guard codes without touching a line of Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from redline.errors import UserError

PACKAGE = "redline.taxonomy"


@dataclass(frozen=True)
class Category:
    """One node of a taxonomy; `parent` makes hierarchies (risk area -> harm type)."""

    id: str
    name: str
    description: str = ""
    parent: str | None = None
    crosswalk: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Taxonomy:
    name: str
    version: str
    description: str
    source: str
    categories: tuple[Category, ...]

    def ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def get(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise UserError(f"taxonomy {self.name!r} has no category {category_id!r}")

    def find(self, label: str) -> Category | None:
        """The category whose id or name is `label` (case-insensitive): upstream files use both."""
        wanted = label.strip().casefold()
        for category in self.categories:
            if wanted in (category.id.casefold(), category.name.casefold()):
                return category
        return None

    def leaves(self) -> list[Category]:
        """Categories no other category names as parent: the finest grain of the taxonomy."""
        parents = {c.parent for c in self.categories}
        return [c for c in self.categories if c.id not in parents]


def read_data_file(folder: str, name: str) -> Any:
    """A YAML file shipped in `redline/taxonomy/<folder>/`."""
    path = resources.files(PACKAGE).joinpath(folder, name)
    if not path.is_file():
        raise FileNotFoundError(name)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def taxonomies() -> list[str]:
    """Names of every taxonomy shipped with redline."""
    folder = resources.files(PACKAGE).joinpath("data")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def _category(raw: dict[str, Any]) -> Category:
    crosswalk = {k: tuple(str(v) for v in vs) for k, vs in (raw.get("crosswalk") or {}).items()}
    return Category(
        id=str(raw["id"]),
        name=str(raw.get("name", raw["id"])),
        description=str(raw.get("description", "")).strip(),
        parent=str(raw["parent"]) if raw.get("parent") is not None else None,
        crosswalk=crosswalk,
    )


@cache
def load_taxonomy(name: str) -> Taxonomy:
    """The taxonomy shipped as `data/<name>.yaml`; a UserError names the known ones otherwise."""
    try:
        raw = read_data_file("data", f"{name}.yaml")
    except FileNotFoundError:
        known = ", ".join(taxonomies())
        raise UserError(f"unknown taxonomy {name!r} (known: {known})") from None
    categories = tuple(_category(c) for c in raw["categories"])
    ids = [c.id for c in categories]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"taxonomy {name}: duplicate ids {duplicates}")
    orphans = sorted({c.parent for c in categories if c.parent and c.parent not in ids})
    if orphans:
        raise ValueError(f"taxonomy {name}: unknown parents {orphans}")
    return Taxonomy(
        name=str(raw.get("name", name)),
        version=str(raw.get("version", "")),
        description=str(raw.get("description", "")).strip(),
        source=str(raw.get("source", "")).strip(),
        categories=categories,
    )
