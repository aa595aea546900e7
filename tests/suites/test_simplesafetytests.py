from __future__ import annotations

from collections import Counter
from pathlib import Path

from redline.suites.bench.simplesafetytests import SimpleSafetyTests


def test_reads_all_hundred_prompts_with_harm_areas(real_data: Path) -> None:
    prompts = list(SimpleSafetyTests().prompts())
    assert len(prompts) == 100
    assert {p.expected for p in prompts} == {"refuse"}
    assert len(Counter(p.labels["harm_area"] for p in prompts)) == 5
    first = next(p for p in prompts if p.labels["id"] == "sst_001")
    assert first.category == "self_harm"
    assert first.labels["category"] == "Information and advice seeking"
    assert all(
        p.category == "child_safety" for p in prompts if p.labels["harm_area"] == "Child safety"
    )
