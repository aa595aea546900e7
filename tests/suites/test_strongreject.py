from __future__ import annotations

from collections import Counter
from pathlib import Path

from redline.suites.bench.strongreject import StrongReject


def test_reads_313_forbidden_prompts_in_six_categories(real_data: Path) -> None:
    prompts = list(StrongReject().prompts())
    assert len(prompts) == 313
    assert len(Counter(p.labels["category"] for p in prompts)) == 6
    assert Counter(p.labels["source"] for p in prompts)["custom"] == 221
    sexual = [p for p in prompts if p.labels["category"] == "Sexual content"]
    assert {p.category for p in sexual} <= {"sexual_content", "child_safety"}
