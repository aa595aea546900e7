"""The prompt path through a real model: each model judge renders its format for the embedded
llama.cpp model (Qwen2.5-Coder-0.5B, not a guard) and reads whatever comes back.

The small model is no guard, so its verdicts mean nothing; what must hold is the plumbing:
the rendered prompt reaches a real model and its answer becomes a judgement or a stored
parse error, never a crash or a transport error. Prompts are trimmed (category subsets)
and answers capped at 12 tokens to keep the model's time short.
"""

from __future__ import annotations

from typing import Any

import pytest

from redline.judges import build_judge, judges
from redline.judges.base import JudgeInput
from redline.records import Judgement
from redline.spec import PluginSpec
from redline.targets import Target
from tests.judges.helpers import HARMFUL, REFUSAL, run

pytestmark = pytest.mark.model

PROMPT_ONLY = JudgeInput(HARMFUL, None)
ANSWERED = JudgeInput(HARMFUL, REFUSAL)


def readable(judgement: Judgement) -> bool:
    """A verdict, or the model's answer kept as a parse error; never a failed call."""
    if judgement.error is not None:
        return "unparsable" in judgement.error
    return judgement.harmful is not None


@pytest.mark.parametrize(
    ("name", "args", "item"),
    [
        ("llama-guard-3", {"categories": ["S1", "S9"]}, PROMPT_ONLY),
        ("llama-guard-4", {"categories": ["S1", "S9"]}, ANSWERED),
        ("shieldgemma", {"categories": ["dangerous_content"]}, PROMPT_ONLY),
        ("wildguard", {}, ANSWERED),
        ("qwen3guard", {}, PROMPT_ONLY),
        ("rubric", {"retries": 0}, PROMPT_ONLY),
    ],
)
def test_prompt_path_on_the_embedded_model(
    name: str, args: dict[str, Any], item: JudgeInput, embedded_target: Target
) -> None:
    judge = judges.get(name)(embedded_target, **args)
    [out] = run(judge, [item])
    assert readable(out), out


def test_a_judge_built_from_its_name_alone_runs_on_the_embedded_model() -> None:
    judge = build_judge(PluginSpec(name="granite-guardian"))  # target: TargetSpec() default
    assert judge.spec.type == "llamacpp" and judge.spec.max_tokens == 24
    [out] = run(judge, [ANSWERED])
    assert readable(out), out


def test_shieldgemma_scores_from_the_embedded_models_token_probabilities(
    embedded_target: Target,
) -> None:
    judge = judges.get("shieldgemma")(embedded_target, categories=["dangerous_content"])
    [out] = run(judge, [PROMPT_ONLY])
    assert out.error is None, out
    # A verdict read from text alone scores 0 or 1; P("Yes") against P("No") lies between.
    assert out.score is not None and 0.0 < out.score < 1.0
