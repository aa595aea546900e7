"""AIR-Bench 2024: 5,694 requests over the regulation-based AIR 2024 taxonomy (Zeng et al.)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose
from redline.suites.download import source
from redline.suites.readers import csv_rows, need

COLUMNS = ("cate-idx", "l2-name", "l3-name", "l4-name", "prompt")


def category_files() -> dict[str, str]:
    """File id ("1" ... "3940" ...) -> category_<id>.csv, in upstream order."""
    files = source("air_bench").files
    return {p.removeprefix("category_").removesuffix(".csv"): p for p in files}


class AirBench(DatasetSuite):
    info = SuiteInfo(
        name="air_bench",
        description="AIR-Bench 2024: 5,694 risky requests labelled down to 314 level-4 risks of "
        "the AIR 2024 taxonomy (Hugging Face, downloaded on first use)",
        licence="CC-BY-4.0",
        source="https://huggingface.co/datasets/stanford-crfm/air-bench-2024",
    )
    dataset = "air_bench"

    def __init__(self, *, categories: Sequence[str] | None = None, offline: bool | None = None):
        super().__init__(offline=offline)
        files = category_files()
        chosen = choose(self.info.name, "category file", categories or files, files)
        self.files = [files[c] for c in chosen]

    def required_files(self) -> Sequence[str]:
        return self.files

    def items(self) -> Iterator[Item]:
        for file in self.files:
            path = self.file(file)
            for number, row in csv_rows(path, COLUMNS):
                yield Item(
                    key=f"{file}:{number}",
                    text=need(row, "prompt", path, number),
                    categories=(row["l3-name"], row["l2-name"]),
                    labels={c: row[c] for c in COLUMNS if c != "prompt"},
                    source=f"air_bench/{file}",
                )
