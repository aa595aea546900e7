from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.suites.bench.jailbreakbench import JailbreakBench, methods


def test_one_prompt_per_distinct_jailbreak_of_each_method(real_data: Path) -> None:
    prompts = list(JailbreakBench().prompts())
    assert methods() == ["DSN", "GCG", "JBC", "PAIR", "prompt_with_random_search"]
    assert len(prompts) == 1097  # 1,637 non-null artifact prompts, 1,097 distinct texts
    assert sum(len(p.labels["targets"]) for p in prompts) == 1637
    for prompt in prompts:
        assert set(prompt.labels["jailbroken_on"]) <= set(prompt.labels["targets"])
        assert prompt.labels["goal"] and prompt.labels["behavior"]
    assert len(Counter(p.labels["category"] for p in prompts)) == 10


def test_method_filter(real_data: Path) -> None:
    pair = list(JailbreakBench(methods=["PAIR"]).prompts())
    assert {p.labels["method"] for p in pair} == {"PAIR"}
    assert len(pair) == 400 - (13 + 36 + 96 + 18)  # nulls where PAIR found no jailbreak
    with pytest.raises(UserError, match="unknown method 'AutoDAN'"):
        JailbreakBench(methods=["AutoDAN"])
