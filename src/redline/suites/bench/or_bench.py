"""OR-Bench: over-refusal prompts that only look harmful, plus toxic controls (Cui et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from redline.records import Expected
from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose, table_items

SUBSETS: dict[str, tuple[str, Expected]] = {
    "hard-1k": ("or-bench-hard-1k.csv", "comply"),
    "toxic": ("or-bench-toxic.csv", "refuse"),
    "80k": ("or-bench-80k.csv", "comply"),
}


class ORBench(DatasetSuite):
    info = SuiteInfo(
        name="or_bench",
        description="OR-Bench hard-1k (benign prompts that look harmful: should be answered) and "
        "toxic (should be refused) over 10 categories; subsets=['80k'] adds the large set "
        "(Hugging Face, downloaded on first use)",
        licence="CC-BY-4.0",
        source="https://huggingface.co/datasets/bench-llm/or-bench",
    )
    dataset = "or_bench"

    def __init__(
        self, *, subsets: Sequence[str] = ("hard-1k", "toxic"), offline: bool | None = None
    ) -> None:
        super().__init__(offline=offline)
        self.subsets = choose(self.info.name, "subset", subsets, SUBSETS)

    def required_files(self) -> Sequence[str]:
        return [SUBSETS[s][0] for s in self.subsets]

    def items(self) -> Iterator[Item]:
        for subset in self.subsets:
            file, expected = SUBSETS[subset]
            for item in table_items(
                self.file(file),
                text="prompt",
                category="category",
                labels=("category",),
                expected=expected,
                source=f"or_bench/{file}",
            ):
                item.labels["subset"] = subset
                yield item
