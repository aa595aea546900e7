"""A guard's score from its answer token's log-probabilities."""

from __future__ import annotations

import math

import pytest

from redline.judges.guard import load_format
from redline.judges.guard.logprobs import ScoreTokens, word
from redline.records import TokenLogprobs

YES_NO = ScoreTokens.of({"unsafe": "Yes", "safe": "No"})


def tok(token: str, *top: tuple[str, float]) -> TokenLogprobs:
    return TokenLogprobs(token=token, top=top)


def test_tokens_read_as_words_whatever_their_case_space_or_marker() -> None:
    assert {word(t) for t in ("Yes", " yes", "▁YES", "Ġyes", "yes\n")} == {"yes"}
    assert word("\n\n") == "" and word("Yesterday") == "yesterday"


def test_score_is_p_yes_against_p_no_at_the_first_token() -> None:
    tokens = [tok("Yes", ("Yes", -0.1), ("No", -2.5), ("The", -5.0)), tok(",", (",", -0.01))]
    expected = math.exp(-0.1) / (math.exp(-0.1) + math.exp(-2.5))
    assert YES_NO.p_unsafe(tokens) == pytest.approx(expected)
    assert YES_NO.p_unsafe(tokens) == pytest.approx(0.9168, abs=1e-4)


def test_spellings_of_a_word_add_up() -> None:
    tokens = [tok("No", ("No", math.log(0.5)), ("▁yes", math.log(0.2)), ("YES", math.log(0.2)))]
    assert YES_NO.p_unsafe(tokens) == pytest.approx(0.4 / 0.9)


def test_a_word_missing_from_the_alternatives_counts_as_zero() -> None:
    assert YES_NO.p_unsafe([tok("No", ("No", -0.01), ("The", -6.0))]) == 0.0


def test_no_verdict_word_or_no_logprobs_leaves_the_text_to_decide() -> None:
    assert YES_NO.p_unsafe([tok("**", ("**", -0.2), ("I", -3.0))]) is None
    assert YES_NO.p_unsafe(None) is None and YES_NO.p_unsafe(()) is None


def test_blank_tokens_before_the_answer_are_skipped() -> None:
    llama_guard = load_format("llama_guard_3").score_tokens
    assert llama_guard is not None
    tokens = [tok("\n\n", ("\n\n", -0.01)), tok("unsafe", ("unsafe", -1.0), ("safe", -1.0))]
    assert llama_guard.p_unsafe(tokens) == pytest.approx(0.5)


def test_the_answer_token_follows_the_marker_when_the_answer_has_one() -> None:
    granite = load_format("granite_guardian").score_tokens
    assert granite is not None and granite.after == "<score>"
    thinking = [tok("<think>", ("<think>", -0.01)), tok("No", ("No", -0.01), ("Yes", -5.0)),
                tok("</think>"), tok("\n<", ("\n<", -0.01)), tok("score"), tok(">"),
                tok(" yes", (" yes", -0.1), (" no", -2.5))]  # fmt: skip
    assert granite.p_unsafe(thinking) == pytest.approx(0.9168, abs=1e-4)
    plain = [tok("Yes", ("Yes", -0.1), ("No", -2.5))]  # Granite Guardian before 3.3
    assert granite.p_unsafe(plain) == pytest.approx(0.9168, abs=1e-4)


def test_only_guards_whose_cards_define_a_token_score_have_one() -> None:
    names = ("llama_guard_3", "llama_guard_4", "shieldgemma", "granite_guardian", "wildguard",
             "qwen3guard")  # fmt: skip
    scored = {name for name in names if load_format(name).score_tokens is not None}
    assert scored == {"llama_guard_3", "llama_guard_4", "shieldgemma", "granite_guardian"}
