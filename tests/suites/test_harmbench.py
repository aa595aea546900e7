from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.suites.bench.harmbench import HarmBench


def test_reads_val_and_test_splits_of_text_behaviours(real_data: Path) -> None:
    prompts = list(HarmBench().prompts())
    assert len(prompts) == 400
    assert Counter(p.labels["split"] for p in prompts) == {"val": 80, "test": 320}
    assert Counter(p.labels["FunctionalCategory"] for p in prompts) == {
        "standard": 200,
        "contextual": 100,
        "copyright": 100,
    }
    assert {p.category for p in prompts if p.labels["SemanticCategory"] == "copyright"} == {
        "intellectual_property"
    }
    assert {
        p.category for p in prompts if p.labels["SemanticCategory"] == "cybercrime_intrusion"
    } == {"cybercrime"}


def test_contextual_behaviours_carry_their_context_in_the_prompt(real_data: Path) -> None:
    contextual = list(HarmBench(functional=["contextual"]).prompts())
    assert len(contextual) == 100
    for prompt in contextual:
        behaviour = prompt.labels["Behavior"]
        assert prompt.text.endswith(behaviour)
        assert len(prompt.text) > len(behaviour) + 10 and "\n---\n" in prompt.text
    standard = list(HarmBench(functional=["standard"], splits=["test"]).prompts())
    assert all(p.text == p.labels["Behavior"] for p in standard)


def test_unknown_split_or_kind_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown split 'train'"):
        HarmBench(splits=["train"])
    with pytest.raises(UserError, match="known: standard, contextual, copyright"):
        HarmBench(functional=["multimodal"])
