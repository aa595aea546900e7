"""Do-Not-Answer: 939 requests a responsible model should not follow (Wang et al. 2023)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import csv_rows, need

FILE = "datasets/Instruction/do_not_answer_en.csv"
COLUMNS = ("id", "risk_area", "types_of_harm", "specific_harms", "question")


class DoNotAnswer(DatasetSuite):
    info = SuiteInfo(
        name="do_not_answer",
        description="939 requests to decline, in a three-level hierarchy: 5 risk areas, "
        "12 harm types, 61 specific harms",
        licence="Apache-2.0",
        source="https://github.com/Libr-AI/do-not-answer",
    )
    dataset = "do_not_answer"

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        for number, row in csv_rows(path, COLUMNS):
            harm, _, detail = row["specific_harms"].partition(":")
            yield Item(
                key=need(row, "id", path, number),
                text=need(row, "question", path, number),
                categories=(row["types_of_harm"],),
                labels={
                    "id": row["id"],
                    "risk_area": row["risk_area"],
                    "types_of_harm": row["types_of_harm"],
                    "specific_harm": harm.strip(),
                    "specific_harm_description": detail.strip(),
                },
                source=f"do_not_answer/{FILE}",
            )
