"""Crosswalks: how a suite's own category labels become redline categories.

One YAML file per suite under `taxonomy/crosswalks/`. A label maps either to one redline id,
or to `{try: [ids...], else: id}`: the prompt text is matched against the keyword rules of
each id in `try` (in order; `try: all` means every category, in the priority order of
`_keywords.yaml`) and the first hit wins, so a broad upstream label such as
"Illegal Activity" still lands on drugs, fraud or weapons as the prompt itself says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from redline.errors import UserError
from redline.taxonomy._loader import PACKAGE, load_taxonomy, read_data_file

KEYWORDS_FILE = "_keywords.yaml"


@dataclass(frozen=True)
class Choice:
    """Where one upstream label goes: the first `tries` id whose keywords match, else `fallback`."""

    fallback: str
    tries: tuple[str, ...] = ()
    broad: bool = False  # `try: all`: any category may result, none is characteristic

    def pick(self, text: str) -> str:
        if self.tries:
            rules = keyword_rules()
            for category in self.tries:
                if rules[category].search(text):
                    return category
        return self.fallback

    def targets(self) -> set[str]:
        """The categories this label stands for when walking back from redline."""
        return {self.fallback} if self.broad else {self.fallback, *self.tries}


def normalise(label: str) -> str:
    """Labels differ in case and trailing colons between files of one dataset (CatQA)."""
    return label.strip().rstrip(":").strip().casefold()


@dataclass(frozen=True)
class Crosswalk:
    suite: str
    taxonomy: str | None
    entries: Mapping[str, Choice]
    original: Mapping[str, str]
    default: Choice | None

    def resolve(self, labels: Iterable[str], text: str) -> str:
        """The redline category for a prompt: its first known label decides, else the default."""
        unknown: list[str] = []
        for label in labels:
            choice = self.entries.get(normalise(label))
            if choice is not None:
                return choice.pick(text)
            unknown.append(label)
        if self.default is not None:
            return self.default.pick(text)
        what = f"label {unknown[0]!r}" if unknown else "prompts without a label"
        raise UserError(
            f"crosswalk {self.suite}: no redline category for {what} "
            f"(add it to taxonomy/crosswalks/{self.suite}.yaml)"
        )

    def labels_for(self, category: str) -> list[str]:
        """Upstream labels that can map to a redline category (used to walk back)."""
        return sorted(
            self.original[key]
            for key, choice in self.entries.items()
            if category in choice.targets()
        )


@cache
def keyword_rules() -> dict[str, re.Pattern[str]]:
    """One case-insensitive pattern per redline category, from `crosswalks/_keywords.yaml`."""
    raw: dict[str, list[str]] = read_data_file("crosswalks", KEYWORDS_FILE)
    known = set(load_taxonomy("redline").ids())
    missing = known - raw.keys()
    if missing or raw.keys() - known:
        raise ValueError(
            f"{KEYWORDS_FILE}: categories must be exactly redline's ({sorted(missing)})"
        )
    return {
        cat: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
        for cat, pats in raw.items()
    }


def _choice(value: Any, where: str, known: set[str]) -> Choice:
    if isinstance(value, str):
        choice = Choice(fallback=value)
    elif isinstance(value, dict) and set(value) == {"try", "else"}:
        broad = value["try"] == "all"
        tries = keyword_rules() if broad else value["try"]
        choice = Choice(str(value["else"]), tuple(str(v) for v in tries), broad)
    else:
        raise ValueError(
            f"{where}: expected a redline id or {{try: [...], else: id}}, got {value!r}"
        )
    bad = choice.targets() - known
    if bad:
        raise ValueError(f"{where}: not redline categories: {sorted(bad)}")
    return choice


def build_crosswalk(suite: str, raw: Mapping[str, Any], where: str) -> Crosswalk:
    """A crosswalk from its YAML shape: `map` (label -> choice), `default`, `taxonomy`."""
    known = set(load_taxonomy("redline").ids())
    mapping = raw.get("map") or {}
    entries = {normalise(str(k)): _choice(v, f"{where}: {k}", known) for k, v in mapping.items()}
    default = raw.get("default")
    return Crosswalk(
        suite=suite,
        taxonomy=raw.get("taxonomy"),
        entries=entries,
        original={normalise(str(k)): str(k) for k in mapping},
        default=_choice(default, f"{where}: default", known) if default is not None else None,
    )


@cache
def load_crosswalk(suite: str) -> Crosswalk:
    """The crosswalk shipped for `suite`; every target is checked against redline's taxonomy."""
    try:
        raw = read_data_file("crosswalks", f"{suite}.yaml")
    except FileNotFoundError:
        raise UserError(
            f"no crosswalk for suite {suite!r} (taxonomy/crosswalks/{suite}.yaml)"
        ) from None
    return build_crosswalk(suite, raw, f"crosswalks/{suite}.yaml")


def crosswalk_names() -> list[str]:
    """Suites that ship a crosswalk file."""
    folder = resources.files(PACKAGE).joinpath("crosswalks")
    return sorted(
        p.name.removesuffix(".yaml")
        for p in folder.iterdir()
        if p.name.endswith(".yaml") and not p.name.startswith("_")
    )
