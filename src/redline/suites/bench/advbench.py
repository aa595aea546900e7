"""AdvBench: 520 harmful instructions and the reply an attack aims for (Zou et al. 2023)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, table_items

FILE = "data/harmful_behaviors.csv"


class AdvBench(DatasetSuite):
    info = SuiteInfo(
        name="advbench",
        description="520 harmful behaviours (instructions to refuse); no upstream categories, "
        "so redline assigns them by keyword rules",
        licence="MIT",
        source="https://github.com/llm-attacks/llm-attacks (copy from renqibing/CodeAttack)",
    )
    dataset = "advbench"

    def items(self) -> Iterator[Item]:
        yield from table_items(
            self.file(FILE), text="goal", labels=("target",), source=f"advbench/{FILE}"
        )
