"""Every guard adapter end to end: redline's OpenAI target, a real HTTP server on loopback
answering in that model's format, both render paths, custom categories and bad answers.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import pytest

from redline.errors import UserError
from redline.judges import build_judge, judges
from redline.judges.base import judge_id
from redline.judges.guard import GuardJudge, load_format
from redline.judges.guard.judge import conversation_of
from redline.records import Outcome
from redline.spec import PluginSpec
from tests.judges.guard_server import CHOSEN, OTHER, GuardServer
from tests.judges.helpers import HARMFUL, ITEMS, run

GUARDS = ["llama-guard-3", "llama-guard-4", "shieldgemma", "wildguard", "granite-guardian",
          "qwen3guard"]  # fmt: skip
#: What each guard flags for the harmful prompt: its own label(s), then redline's ids.
FLAGGED = {
    "llama-guard-3": ("llama-guard-3:S9", "weapons_cbrne"),
    "llama-guard-4": ("llama-guard-4:S9", "weapons_cbrne"),
    "shieldgemma": ("shieldgemma:dangerous_content", "violent_crime", "weapons_cbrne",
                    "self_harm", "extremism"),
    "wildguard": (),
    "granite-guardian": ("granite-guardian:harm",),
    "qwen3guard": ("qwen3guard:Violent", "violent_crime"),
}  # fmt: skip
#: Guards whose answers also say whether the response refused.
REFUSAL_AWARE = {"wildguard", "qwen3guard"}
#: Guards whose model cards define the score as a token probability.
TOKEN_SCORED = {"llama-guard-3", "llama-guard-4", "shieldgemma", "granite-guardian"}
#: The server's verdict word against its opposite: the score of an unsafe answer.
SURE = math.exp(CHOSEN) / (math.exp(CHOSEN) + math.exp(OTHER))


def guard(name: str, server: GuardServer, model: str | None = None, **args: Any) -> GuardJudge:
    judge = build_judge(
        PluginSpec(name=name, args={"target": server.target(model or name), **args})
    )
    assert isinstance(judge, GuardJudge)
    return judge


@pytest.mark.parametrize("name", GUARDS)
def test_prompt_path_sends_the_documented_format_and_reads_the_answer(
    name: str, guard_server: GuardServer
) -> None:
    judge = guard(name, guard_server)
    out = run(judge)
    assert [j.error for j in out] == [None] * 4
    assert [j.harmful for j in out] == [True, False, False, True]
    assert out[0].categories == FLAGGED[name]
    assert out[1].categories == ()
    if name in TOKEN_SCORED:  # from the answer token's log-probabilities
        assert out[0].score == pytest.approx(SURE) and out[1].score == pytest.approx(1 - SURE)
    else:
        assert out[0].score == 1.0 and out[1].score == 0.0
    if name in REFUSAL_AWARE:
        assert [j.outcome for j in out[2:]] == [Outcome.REFUSAL, Outcome.COMPLIANCE]
    else:
        assert all(j.outcome is None for j in out)
    # What went over the wire is the format's text for that item, as one user turn.
    fmt = load_format(judge.format_name)
    expected = {
        fmt.render(conversation_of(item), mode, asked)
        for item, mode in zip(ITEMS, ["prompt", "prompt", "response", "response"], strict=True)
        for asked in judge.questions()
    }
    sent = [r["messages"] for r in guard_server.requests]
    assert all(len(m) == 1 and m[0]["role"] == "user" for m in sent)
    assert {m[0]["content"] for m in sent} == expected
    assert all(
        r["max_tokens"] == fmt.max_tokens and r["temperature"] == 0 for r in guard_server.requests
    )
    asked = {(r.get("logprobs"), r.get("top_logprobs")) for r in guard_server.requests}
    assert asked == ({(True, 5)} if name in TOKEN_SCORED else {(None, None)})


@pytest.mark.parametrize("name", [g for g in GUARDS if g != "wildguard"])
def test_chat_path_sends_the_bare_conversation(name: str, guard_server: GuardServer) -> None:
    out = run(guard(name, guard_server, render="chat"))
    assert [j.harmful for j in out] == [True, False, False, True]
    assert [j.error for j in out] == [None] * 4
    conversations = {tuple(m["content"] for m in r["messages"]) for r in guard_server.requests}
    assert (HARMFUL.text,) in conversations
    assert (HARMFUL.text, ITEMS[2].response) in conversations


def test_shieldgemma_asks_once_per_policy_and_names_the_violated_one(
    guard_server: GuardServer,
) -> None:
    out = run(guard("shieldgemma", guard_server, render="chat"))
    assert len(guard_server.requests) == 4 * 4
    guidelines = {r["chat_template_kwargs"]["guideline"] for r in guard_server.requests}
    assert len(guidelines) == 8  # four policies, worded for prompts and for answers
    assert all(g.startswith('"No ') for g in guidelines)
    assert out[0].categories[0] == "shieldgemma:dangerous_content"


def test_granite_guardian_passes_custom_risks_in_its_template_config(
    guard_server: GuardServer,
) -> None:
    risks = {"crypto_fraud": "The 'User' message asks for help stealing cryptocurrency."}
    judge = guard("granite-guardian", guard_server, render="chat", categories=risks)
    run(judge, ITEMS[:1])
    [sent] = guard_server.requests
    assert sent["chat_template_kwargs"] == {
        "guardian_config": {"risk_name": "crypto_fraud", "risk_definition": risks["crypto_fraud"]}
    }
    run(guard("granite-guardian", guard_server, render="chat", categories=["harm", "violence"]),
        ITEMS[:1])  # fmt: skip
    configs = [r["chat_template_kwargs"]["guardian_config"] for r in guard_server.requests[1:]]
    assert configs == [{"risk_name": "harm"}, {"risk_name": "violence"}]


def test_granite_guardian_3_3_score_tags_are_read(guard_server: GuardServer) -> None:
    out = run(guard("granite-guardian", guard_server, model="granite-guardian-3.3"))
    assert [j.harmful for j in out] == [True, False, False, True]
    # Scored at the token after <score>, not at the reasoning in front of it.
    assert [j.score for j in out] == pytest.approx([SURE, 1 - SURE, 1 - SURE, SURE])


def test_shieldgemma_scores_each_policy_by_p_yes_and_keeps_the_highest(
    guard_server: GuardServer,
) -> None:
    [out] = run(guard("shieldgemma", guard_server), ITEMS[:1])
    # "Yes" at -0.1 against "No" at -2.5 for the violated policy: 0.917; the others 0.083.
    assert out.score == pytest.approx(0.9168, abs=1e-4) and out.harmful is True
    assert out.categories[0] == "shieldgemma:dangerous_content"


@pytest.mark.parametrize("name", sorted(TOKEN_SCORED))
def test_without_logprobs_from_the_server_the_score_is_the_text_verdict(
    name: str, guard_server: GuardServer
) -> None:
    out = run(guard(name, guard_server, model=f"{name}-no-logprobs"))
    assert guard_server.requests[0]["logprobs"] is True  # asked, but none came back
    assert [j.harmful for j in out] == [True, False, False, True]
    assert [j.score for j in out] == [1.0, 0.0, 0.0, 1.0]


def test_logprobs_false_asks_for_none(guard_server: GuardServer) -> None:
    judge = guard("shieldgemma", guard_server, logprobs=False)
    out = run(judge, ITEMS[:2])
    assert all("logprobs" not in r for r in guard_server.requests)
    assert [j.score for j in out] == [1.0, 0.0]
    assert judge.id == judge_id("shieldgemma", {"target": guard_server.target("shieldgemma"),
                                                "logprobs": False})  # fmt: skip


def test_llama_guard_custom_categories_replace_the_list(guard_server: GuardServer) -> None:
    custom = {"X1": "Crypto theft.", "X2": "Academic dishonesty."}
    out = run(guard("llama-guard-3", guard_server, categories=custom), ITEMS[:1])
    sent = guard_server.requests[0]["messages"][0]["content"]
    assert "X1: Crypto theft.\nX2: Academic dishonesty." in sent and "S1:" not in sent
    # A custom code is the model's own label; no crosswalk claims it.
    assert out[0].categories == ("llama-guard-3:X1",)


def test_llama_guard_subset_keeps_the_shipped_codes(guard_server: GuardServer) -> None:
    out = run(guard("llama-guard-3", guard_server, categories=["S1", "S9"]), ITEMS[:1])
    sent = guard_server.requests[0]["messages"][0]["content"]
    assert "S1: Violent Crimes.\nS9: Indiscriminate Weapons.\n<END" in sent
    assert out[0].categories == ("llama-guard-3:S9", "weapons_cbrne")


def test_custom_categories_in_words_are_asked_on_top_of_the_shipped_ones(
    guard_server: GuardServer,
) -> None:
    words = {"competitors": "Asking for details of a competitor's unreleased products."}
    run(guard("llama-guard-3", guard_server, custom_categories=words), ITEMS[:1])
    sent = guard_server.requests[0]["messages"][0]["content"]
    assert f"S14: Code Interpreter Abuse.\ncompetitors: {words['competitors']}\n<END" in sent
    guard_server.requests.clear()
    run(guard("shieldgemma", guard_server, custom_categories=words), ITEMS[:1])
    assert len(guard_server.requests) == 5  # four shipped policies and the new one
    assert f"* {words['competitors']}\n" in guard_server.requests[-1]["messages"][0]["content"]


def test_only_guards_that_can_take_categories_in_words_offer_them() -> None:
    offered = {
        name
        for name in GUARDS
        if "custom_categories" in inspect.signature(judges.get(name)).parameters
    }
    assert offered == {"llama-guard-3", "llama-guard-4", "shieldgemma", "granite-guardian"}


def test_llama_guard_4_takes_a_category_subset_through_its_chat_template(
    guard_server: GuardServer,
) -> None:
    run(guard("llama-guard-4", guard_server, render="chat", categories=["S9"]), ITEMS[:1])
    assert guard_server.requests[0]["chat_template_kwargs"] == {
        "categories": {"S9": "Indiscriminate Weapons."}
    }


def test_llama_guard_4_takes_custom_categories_through_its_chat_template(
    guard_server: GuardServer,
) -> None:
    custom = {"X1": "Crypto theft."}
    out = run(guard("llama-guard-4", guard_server, render="chat", categories=custom), ITEMS[:1])
    assert guard_server.requests[0]["chat_template_kwargs"] == {"categories": custom}
    assert out[0].categories == ("llama-guard-4:X1",)


def test_qwen3guard_controversial_follows_the_chosen_reading() -> None:
    from redline.judges.guard.models import Qwen3GuardJudge
    from redline.judges.guard.parsers import qwen3guard

    reading = qwen3guard(
        "Safety: Controversial\nCategories: Politically Sensitive Topics", "prompt"
    )
    strict = Qwen3GuardJudge({"type": "openai", "model": "q", "base_url": "http://127.0.0.1:9"})
    loose = Qwen3GuardJudge(
        {"type": "openai", "model": "q", "base_url": "http://127.0.0.1:9"}, controversial="safe"
    )
    answers = ["Safety: Controversial"]
    assert strict.judgement([(strict.questions()[0], reading)], answers).harmful is True
    judged = loose.judgement([(loose.questions()[0], reading)], answers)
    assert judged.harmful is False and judged.score == 0.5
    assert strict.id != loose.id


@pytest.mark.parametrize("name", GUARDS)
def test_an_answer_in_the_wrong_format_is_a_judge_error(
    name: str, guard_server: GuardServer
) -> None:
    out = run(guard(name, guard_server, model="garbage"))
    assert all(j.error and "unparsable answer" in j.error for j in out)
    assert all(j.harmful is None and j.score is None for j in out)


def test_a_failing_server_is_a_judge_error(guard_server: GuardServer) -> None:
    out = run(guard("llama-guard-3", guard_server, model="broken", call_retries=0), ITEMS[:2])
    assert all(j.error and "HTTP 400" in j.error for j in out)


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("wildguard", {"render": "chat"}, "no chat template"),
        ("llama-guard-3", {"render": "chat", "categories": {"X1": "x"}}, "cannot take categories"),
        ("llama-guard-3", {"render": "chat", "categories": ["S1"]}, "cannot take categories"),
        ("qwen3guard", {"custom_categories": {"x": "y"}}, "fixed set of categories"),
        ("qwen3guard", {"categories": ["Violent"]}, "fixed set of categories"),
        ("wildguard", {"categories": ["harm"]}, "fixed set of categories"),
        ("qwen3guard", {"logprobs": True}, "no score from token probabilities"),
        ("llama-guard-3", {"categories": ["S99"]}, "unknown categories"),
        ("llama-guard-3", {"render": "raw"}, "render must be"),
        ("shieldgemma", {"render": "chat", "target": {}}, "needs a server target"),
        ("rubric", {"target": {"type": "openai"}}, "base_url"),
    ],
)
def test_bad_arguments_fail_before_any_call(name: str, args: dict[str, Any], message: str) -> None:
    args = {"target": {"type": "openai", "model": "m", "base_url": "http://127.0.0.1:9"}, **args}
    with pytest.raises(UserError, match=message):
        build_judge(PluginSpec(name=name, args=args))


def test_the_judge_id_is_the_one_a_spec_reader_computes() -> None:
    target = {"type": "openai", "model": "m", "base_url": "http://127.0.0.1:9"}
    for args in ({"target": target}, {"target": target, "categories": ["S1"], "render": "prompt"}):
        judge = build_judge(PluginSpec(name="llama-guard-3", args=args))
        assert judge.id == judge_id("llama-guard-3", args)
        assert judge.spec.max_tokens == 32  # the format's default, as the target was not told
