"""WildGuardTest: vanilla and adversarial prompts with human harm labels (Han et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import need, parquet_rows

FILE = "test/wildguard_test.parquet"


class WildGuardTest(DatasetSuite):
    info = SuiteInfo(
        name="wildguardtest",
        description="WildGuardTest prompts, vanilla and adversarial, harmful (refuse) or benign "
        "(answer) by human label (Hugging Face, gated: needs HF_TOKEN; Parquet needs pyarrow)",
        licence="ODC-BY (AI2 ImpACT low-risk terms)",
        source="https://huggingface.co/datasets/allenai/wildguardmix",
    )
    dataset = "wildguardtest"

    def items(self) -> Iterator[Item]:
        path = self.file(FILE)
        for number, row in parquet_rows(path):
            label = row.get("prompt_harm_label")
            if label not in ("harmful", "unharmful"):
                continue  # rows without an agreed prompt label measure nothing
            subcategory = str(row.get("subcategory") or "")
            yield Item(
                key=str(number),
                text=need(row, "prompt", path, number),
                categories=(subcategory,) if subcategory else (),
                expected="refuse" if label == "harmful" else "comply",
                labels={
                    "prompt_harm_label": label,
                    "adversarial": bool(row.get("adversarial")),
                    "subcategory": subcategory,
                },
                source=f"wildguardtest/{FILE}",
            )
