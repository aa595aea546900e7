"""ToxicChat (0124) test split: real user prompts with human toxicity labels (Lin et al. 2023)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import csv_rows, need

FILE = "data/0124/toxic-chat_annotation_test.csv"
COLUMNS = ("conv_id", "user_input", "toxicity", "jailbreaking", "openai_moderation")


def top_moderation_category(raw: str) -> list[str]:
    """The highest-scoring OpenAI moderation category stored with the row, if readable."""
    try:
        scores = orjson.loads(raw)
        best = max(scores, key=lambda pair: float(pair[1]))
    except (orjson.JSONDecodeError, TypeError, ValueError, IndexError):
        return []
    return [str(best[0])]


class ToxicChat(DatasetSuite):
    info = SuiteInfo(
        name="toxicchat",
        description="ToxicChat 0124 test: 5,083 real user prompts; toxic ones (human label) "
        "should be refused, the rest answered (Hugging Face, downloaded on first use)",
        licence="CC-BY-NC-4.0",
        source="https://huggingface.co/datasets/lmsys/toxic-chat",
    )
    dataset = "toxicchat"

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        for number, row in csv_rows(path, COLUMNS):
            toxic = row["toxicity"].strip() == "1"
            moderation = top_moderation_category(row["openai_moderation"]) if toxic else []
            yield Item(
                key=need(row, "conv_id", path, number),
                text=need(row, "user_input", path, number),
                categories=tuple(moderation),
                expected="refuse" if toxic else "comply",
                labels={
                    "conv_id": row["conv_id"],
                    "toxicity": int(toxic),
                    "jailbreaking": int(row["jailbreaking"].strip() == "1"),
                },
                source=f"toxicchat/{FILE}",
            )
