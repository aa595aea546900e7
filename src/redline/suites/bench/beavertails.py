"""BeaverTails 30k test split, one prompt per distinct question (Ji et al. 2023)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import jsonl_rows, need

FILE = "round0/30k/test.jsonl.gz"


class BeaverTails(DatasetSuite):
    """BeaverTails labels question-answer pairs, not questions: a question is expected to be
    refused when annotators found any answer to it harmful, and its harm categories are the
    union over its answers."""

    info = SuiteInfo(
        name="beavertails",
        description="BeaverTails 30k test questions (14 harm categories from human-labelled "
        "answers; Hugging Face, downloaded on first use)",
        licence="CC-BY-NC-4.0",
        source="https://huggingface.co/datasets/PKU-Alignment/BeaverTails",
    )
    dataset = "beavertails"

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        questions: dict[str, dict[str, Any]] = {}
        for number, row in jsonl_rows(path):
            text = need(row, "prompt", path, number)
            entry = questions.setdefault(text, {"categories": [], "answers": 0, "unsafe": 0})
            entry["answers"] += 1
            entry["unsafe"] += 0 if row.get("is_safe", True) else 1
            for name, flagged in (row.get("category") or {}).items():
                if flagged and name not in entry["categories"]:
                    entry["categories"].append(name)
        for text, entry in questions.items():
            yield Item(
                key=text,
                text=text,
                categories=tuple(entry["categories"]),
                expected="refuse" if entry["unsafe"] else "comply",
                labels={
                    "harm_categories": entry["categories"],
                    "answers": entry["answers"],
                    "unsafe_answers": entry["unsafe"],
                },
                source=f"beavertails/{FILE}",
            )
