"""SORRY-Bench (2024-06): 450 unsafe requests over 45 fine-grained topics (Xie et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.errors import UserError
from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import jsonl_rows

FILE = "question.jsonl"


class SorryBench(DatasetSuite):
    info = SuiteInfo(
        name="sorry_bench",
        description="SORRY-Bench base set: 450 unsafe requests, 10 for each of 45 topics "
        "(Hugging Face, gated: needs HF_TOKEN)",
        licence="SORRY-Bench terms (gated)",
        source="https://huggingface.co/datasets/sorry-bench/sorry-bench-202406",
    )
    dataset = "sorry_bench"

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        for number, row in jsonl_rows(path):
            turns = [t for t in row.get("turns") or [] if isinstance(t, str) and t.strip()]
            if not turns:
                raise UserError(f"{path}: line {number}: no text in 'turns'")
            yield Item(
                key=f"{row.get('prompt_style', 'base')}:{row.get('question_id', number)}",
                text="\n\n".join(turns),
                categories=(str(row.get("category", "")),),
                labels={k: row.get(k) for k in ("question_id", "category", "prompt_style")},
                source=f"sorry_bench/{FILE}",
            )
