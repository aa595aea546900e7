"""Aegis 2.0 test set: human-LLM prompts labelled safe or unsafe by people (Ghosh et al. 2025)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import json_records, need

FILE = "test.json"
REDACTED = "REDACTED"


class Aegis2(DatasetSuite):
    """Each test prompt once; unsafe prompts should be refused, safe ones answered.

    Prompts the dataset withholds (text "REDACTED", to be rebuilt from another corpus) are
    skipped because there is nothing to send.
    """

    info = SuiteInfo(
        name="aegis2",
        description="Aegis 2.0 (Nemotron Content Safety V2) test prompts with human safe/unsafe "
        "labels and violated categories (Hugging Face, downloaded on first use)",
        licence="CC-BY-4.0",
        source="https://huggingface.co/datasets/nvidia/Aegis-AI-Content-Safety-Dataset-2.0",
    )
    dataset = "aegis2"

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        for number, row in json_records(path):
            text = need(row, "prompt", path, number)
            if text.strip() == REDACTED:
                continue
            violated = [c.strip() for c in str(row.get("violated_categories") or "").split(",")]
            violated = [c for c in violated if c]
            yield Item(
                key=str(row.get("id", number)),
                text=text,
                categories=tuple(violated),
                expected="refuse" if row.get("prompt_label") == "unsafe" else "comply",
                labels={
                    "id": row.get("id"),
                    "prompt_label": row.get("prompt_label"),
                    "response_label": row.get("response_label"),
                    "violated_categories": violated,
                    "prompt_label_source": row.get("prompt_label_source"),
                },
                source=f"aegis2/{FILE}",
            )
