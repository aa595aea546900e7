"""MultiJail: 315 harmful prompts in English and nine translations (Deng et al. 2024)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

from redline.errors import UserError
from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose
from redline.suites.readers import csv_rows, need

FILE = "data/MultiJail.csv"
LANGUAGES = ("en", "zh", "it", "vi", "ar", "ko", "th", "bn", "sw", "jv")


def parse_tags(raw: str, path: Path, number: int) -> list[str]:
    """Tags are stored as a Python list literal, e.g. "['Theft', 'Weapons']"."""
    try:
        tags = ast.literal_eval(raw) if raw.strip() else []
    except (ValueError, SyntaxError):
        raise UserError(f"{path}: row {number}: unreadable tags {raw[:60]!r}") from None
    return [str(t) for t in tags] if isinstance(tags, list | tuple) else [str(tags)]


class MultiJail(DatasetSuite):
    info = SuiteInfo(
        name="multijail",
        description="315 harmful prompts in 10 languages (en, zh, it, vi, ar, ko, th, bn, sw, jv; "
        "3,150 prompts), the language kept as a label",
        licence="MIT",
        source="https://github.com/DAMO-NLP-SG/multilingual-safety-for-LLMs",
    )
    dataset = "multijail"

    def __init__(self, *, languages: Sequence[str] = LANGUAGES, offline: bool | None = None):
        super().__init__(offline=offline)
        self.languages = choose(self.info.name, "language", languages, LANGUAGES)

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        rows = list(csv_rows(path, ("id", "source", "tags", *self.languages)))
        for language in self.languages:
            for number, row in rows:
                tags = parse_tags(row["tags"] or "", path, number)
                yield Item(
                    key=f"{language}:{row['id']}",
                    text=need(row, language, path, number),
                    categories=tuple(tags),
                    labels={
                        "id": row["id"],
                        "language": language,
                        "tags": tags,
                        "source": row["source"],
                    },
                    source=f"multijail/{FILE}",
                )
