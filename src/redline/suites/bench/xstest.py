"""XSTest: safe prompts that sound unsafe, and unsafe contrasts (Röttger et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.records import Expected
from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, table_items
from redline.suites.readers import Row

FILE = "xstest_prompts.csv"


def _expected(row: Row, _number: int) -> Expected:
    return "comply" if row["label"] == "safe" else "refuse"


class XSTest(DatasetSuite):
    info = SuiteInfo(
        name="xstest",
        description="250 safe prompts that sound unsafe (should be answered: false-refusal test) "
        "and 200 unsafe contrast prompts (should be refused)",
        licence="CC-BY-4.0",
        source="https://github.com/paul-rottger/exaggerated-safety",
    )
    dataset = "xstest"

    def items(self) -> Iterator[Item]:
        yield from table_items(
            self.file(FILE),
            text="prompt",
            key="id",
            category="type",
            labels=("id", "type", "label", "focus", "note"),
            expected=_expected,
            source=f"xstest/{FILE}",
        )
