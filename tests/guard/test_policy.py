"""A bad policy stops the service before it starts, with one line naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.errors import UserError
from redline.guard import build_policy, create_app, load_policy
from redline.guard.categories import CategoryRules
from redline.guard.policy import Categories


def error_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as raised:
        create_app(load_policy(path))
    message = str(raised.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abstain: maybe\n", "abstain"),
        ("unknown_section: 1\n", "unknown_section: Extra inputs are not permitted"),
        ("categories: {taxonomy: nope}\n", "unknown taxonomy 'nope'"),
        ("categories: {enforce: [not_a_category]}\n", "unknown category 'not_a_category'"),
        ("categories: {thresholds: {self_harm: 2}}\n", "must lie in [0, 1]"),
        ("categories: {custom: [{id: x, description: d, patterns: ['(']}]}\n", "bad regular"),
        ("categories: {custom: [{id: x, description: only words}]}\n", "no patterns"),
        ("input: {judges: [no-such-judge]}\n", "unknown judges 'no-such-judge'"),
        ("input: {judges: [keyword, keyword]}\n", "listed twice"),
        ("upstream: {base_url: 'ftp://x'}\n", "upstream.base_url"),
        ("auth: {keys: [{name: a, hash: plain-text-key}]}\n", "auth.keys.0.hash"),
        ("input: [\n", "malformed YAML"),
        ("- a list\n", "must be a YAML mapping"),
    ],
)
def test_invalid_policies_are_one_line_errors(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in error_of(tmp_path, text)


def test_missing_upstream_key_variable_is_reported(tmp_path: Path) -> None:
    text = "upstream: {base_url: 'http://127.0.0.1:9/v1', api_key_env: REDLINE_TEST_UNSET_KEY}\n"
    assert "REDLINE_TEST_UNSET_KEY" in error_of(tmp_path, text)


def test_audit_path_is_relative_to_the_policy_file(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("audit: {path: logs/guard.db}\n")
    assert load_policy(tmp_path / "p.yaml").audit.path == str(tmp_path / "logs" / "guard.db")


def test_categories_walk_to_other_taxonomies() -> None:
    rules = CategoryRules(Categories(taxonomy="llama_guard_3"))
    assert rules.named(["drugs", "S11", "made-up"]) == {"S2", "S11"}
    assert rules.matched("how to synthesise fentanyl") == {"S2"}
    scores = rules.scores(0.9, set(), "a text no rule explains")
    assert scores["unspecified"] == 0.9 and sum(scores.values()) == 0.9


def test_default_policy_uses_the_embedded_classifiers() -> None:
    policy = build_policy({})
    assert [j.name for j in policy.input.judges] == ["prompt-harm-clf"]
    assert [j.name for j in policy.output.judges] == ["content-harm-clf"]
    assert policy.abstain == "block" and policy.categories.enforce == "all"
