from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.suites.bench.advbench import AdvBench
from redline.suites.bench.codeattack import CodeAttack


def test_three_code_templates_wrap_every_advbench_request(real_data: Path) -> None:
    prompts = list(CodeAttack().prompts())
    assert Counter(p.labels["variant"] for p in prompts) == {
        "python_list": 520,
        "python_string": 520,
        "python_stack": 520,
    }
    assert all("def " in p.text for p in prompts)
    string_variant = [p for p in prompts if p.labels["variant"] == "python_string"]
    assert all(p.labels["plain_attack"] in p.text for p in string_variant)


def test_categories_follow_the_plain_request_not_the_code(real_data: Path) -> None:
    advbench = {p.text: p.category for p in AdvBench().prompts()}
    for prompt in CodeAttack(variants=["python_list"]).prompts():
        assert prompt.category == advbench[prompt.labels["plain_attack"]]
    with pytest.raises(UserError, match="unknown variant"):
        CodeAttack(variants=["cobol"])
