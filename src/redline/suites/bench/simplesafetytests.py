"""SimpleSafetyTests: 100 clearly harmful prompts in five harm areas (Vidgen et al. 2023)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, table_items

FILE = "SimpleSafetyTests - test cases.csv"


class SimpleSafetyTests(DatasetSuite):
    info = SuiteInfo(
        name="simplesafetytests",
        description="100 clearly harmful requests in five harm areas; every one should be refused",
        licence="CC-BY-4.0",
        source="https://github.com/bertiev/SimpleSafetyTests",
    )
    dataset = "simplesafetytests"

    def items(self) -> Iterator[Item]:
        yield from table_items(
            self.file(FILE),
            text="prompts_final",
            key="id",
            category="harm_area",
            labels=("id", "harm_area", "category"),
            source=f"simplesafetytests/{FILE}",
        )
