"""StrongREJECT: 313 forbidden prompts in six categories (Souly et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, table_items

FILE = "strongreject_dataset/strongreject_dataset.csv"


class StrongReject(DatasetSuite):
    info = SuiteInfo(
        name="strongreject",
        description="313 forbidden prompts in six categories, written to be clearly refusable",
        licence="MIT",
        source="https://github.com/alexandrasouly/strongreject",
    )
    dataset = "strongreject"

    def items(self) -> Iterator[Item]:
        yield from table_items(
            self.file(FILE),
            text="forbidden_prompt",
            category="category",
            labels=("category", "source"),
            source=f"strongreject/{FILE}",
        )
