"""Users' own prompt files (CSV, JSONL or Parquet) as suites, described by a column mapping.

    {path: my.csv, text: question, category: topic, expected: refuse}

`expected` and `category` each take either a literal (refuse/comply; a redline category id)
or the name of a column holding one per row. A category column may hold the user's own
labels if `crosswalk` maps them onto redline ids, in the same form as the shipped crosswalk
files. Without a category, prompts are filed by keyword rules, as for AdvBench.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, get_args

from redline.errors import UserError
from redline.records import Expected
from redline.suites.base import Suite, SuiteInfo
from redline.suites.dataset import Item, ItemSuite
from redline.suites.readers import Row, need, table_rows
from redline.taxonomy import Crosswalk, build_crosswalk, load_taxonomy
from redline.taxonomy._crosswalk import normalise

KEYS = {"path", "name", "text", "category", "expected", "id", "labels", "crosswalk"}
EXPECTED_WORDS: dict[str, Expected] = {
    "refuse": "refuse",
    "unsafe": "refuse",
    "harmful": "refuse",
    "1": "refuse",
    "true": "refuse",
    "comply": "comply",
    "safe": "comply",
    "benign": "comply",
    "unharmful": "comply",
    "0": "comply",
    "false": "comply",
}
UNLABELLED = {"try": "all", "else": "violent_crime"}


class UserSuite(ItemSuite):
    """A table of prompts from the user's own file."""

    def __init__(
        self,
        path: str | Path,
        *,
        text: str,
        name: str | None = None,
        category: str | None = None,
        expected: str = "refuse",
        id_column: str | None = None,
        labels: tuple[str, ...] = (),
        crosswalk: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.text_column = text
        self.category = category
        self.expected = expected
        self.id_column = id_column
        self.label_columns = tuple(labels)
        suite = name or self.path.stem
        self.info = SuiteInfo(  # per instance: each file is its own suite
            name=suite,
            description=f"user prompts from {self.path.name}",
            licence="user-provided",
            source=str(self.path),
        )
        redline = {cid: cid for cid in load_taxonomy("redline").ids()}
        try:
            self._walk = build_crosswalk(
                suite,
                {"map": {**redline, **(crosswalk or {})}, "default": UNLABELLED},
                f"suite {suite}: crosswalk",
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None

    def crosswalk(self) -> Crosswalk:
        return self._walk

    def items(self) -> Iterator[Item]:
        required = [self.text_column, *self.label_columns]
        if self.id_column:
            required.append(self.id_column)
        count = 0
        for number, row in table_rows(self.path, required):
            if count == 0:
                self._check_literals(row)
            count += 1
            yield self._item(row, number)
        if count == 0:
            raise UserError(f"{self.path}: no prompts (the file has a header but no rows)")

    def _check_literals(self, row: Row) -> None:
        """`expected` and `category` name a column or hold a literal: say so once, up front."""
        if self.expected not in EXPECTED_WORDS and self.expected not in row:
            raise UserError(
                f"{self.path}: 'expected' {self.expected!r} is neither refuse/comply nor a column"
            )
        category = self.category
        if category and category not in row and normalise(category) not in self._walk.entries:
            raise UserError(
                f"{self.path}: 'category' {category!r} is neither a column nor a redline category"
            )

    def _item(self, row: Row, number: int) -> Item:
        categories: tuple[str, ...] = ()
        if self.category is not None:
            value = str(row[self.category]) if self.category in row else self.category
            if normalise(value) not in self._walk.entries:
                raise UserError(
                    f"{self.path}: row {number}: category {value!r} is not a redline category; "
                    "map it with `crosswalk: {" + value + ": <redline id>}`"
                )
            categories = (value,)
        labels = {c: row.get(c) for c in self.label_columns}
        if self.category is not None and self.category in row:
            labels["category"] = row[self.category]
        return Item(
            key=need(row, self.id_column, self.path, number) if self.id_column else str(number),
            text=need(row, self.text_column, self.path, number),
            categories=categories,
            expected=self._expected(row, number),
            labels=labels,
            source=str(self.path),
        )

    def _expected(self, row: Row, number: int) -> Expected:
        if self.expected in EXPECTED_WORDS and self.expected not in row:
            return EXPECTED_WORDS[self.expected]
        value = str(row.get(self.expected, "")).strip().lower()
        if value not in EXPECTED_WORDS:
            allowed = "/".join(get_args(Expected))
            raise UserError(
                f"{self.path}: row {number}: column {self.expected!r} holds {value!r}, "
                f"expected {allowed} (or safe/unsafe, 0/1)"
            )
        return EXPECTED_WORDS[value]


def user_suite_from_mapping(mapping: Mapping[str, Any]) -> Suite:
    """A suite from a spec entry such as {path: my.csv, text: question, expected: refuse}."""
    unknown = sorted(set(mapping) - KEYS)
    if unknown:
        allowed = ", ".join(sorted(KEYS))
        raise UserError(f"user suite: unknown key {unknown[0]!r} (allowed: {allowed})")
    for required in ("path", "text"):
        if not mapping.get(required):
            example = "{path: my.csv, text: prompt}"
            raise UserError(f"user suite: {required!r} is required (e.g. {example})")
    labels = mapping.get("labels") or ()
    if isinstance(labels, str):
        labels = (labels,)
    crosswalk = mapping.get("crosswalk")
    if crosswalk is not None and not isinstance(crosswalk, Mapping):
        raise UserError("user suite: 'crosswalk' must map your labels to redline category ids")
    return UserSuite(
        mapping["path"],
        text=str(mapping["text"]),
        name=mapping.get("name"),
        category=mapping.get("category"),
        expected=str(mapping.get("expected", "refuse")),
        id_column=mapping.get("id"),
        labels=tuple(str(c) for c in labels),
        crosswalk=crosswalk,
    )
