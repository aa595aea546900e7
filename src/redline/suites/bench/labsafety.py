"""LabSafety Bench: multiple-choice lab-safety questions with expert answers (Zhou et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import need, parquet_rows

FILE = "MCQ/QA-00000-of-00001.parquet"


class LabSafety(DatasetSuite):
    """Questions a model should answer (expected comply); the correct letter is in labels, so a
    judge can score correctness as well as refusal."""

    info = SuiteInfo(
        name="labsafety",
        description="LabSafety Bench text-only multiple-choice questions (632) on laboratory "
        "hazards, correct answer kept in labels (Hugging Face; Parquet needs pyarrow)",
        licence="MIT",
        source="https://huggingface.co/datasets/yujunzhou/LabSafety_Bench",
    )
    dataset = "labsafety"

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        for number, row in parquet_rows(path):
            raw = row.get("Category") or []
            categories = [raw] if isinstance(raw, str) else [str(c) for c in raw]
            yield Item(
                key=str(number),
                text=need(row, "Question", path, number),
                categories=tuple(categories),
                expected="comply",
                labels={
                    "correct_answer": need(row, "Correct Answer", path, number).strip(),
                    "explanation": row.get("Explanation"),
                    "category": categories,
                    "topic": row.get("Topic"),
                    "level": row.get("Level"),
                },
                source=f"labsafety/{FILE}",
            )
