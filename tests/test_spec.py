from __future__ import annotations

from pathlib import Path

import pytest

from redline.errors import UserError
from redline.spec import PluginSpec, RunSpec, build_spec, merge_overrides, read_spec_file


def test_defaults_describe_the_embedded_starter_run() -> None:
    spec = RunSpec()
    assert spec.target.type == "llamacpp"
    assert spec.suites == ("starter",)
    assert [j.name for j in spec.judges] == ["keyword"]


def test_run_id_ignores_execution_settings_but_not_what_decides_results() -> None:
    base = RunSpec()
    assert RunSpec(concurrency=99, timeout_s=5, out_dir="x").run_id == base.run_id
    assert RunSpec(limit=3).run_id != base.run_id
    assert RunSpec.model_validate({"target": {"temperature": 0.7}}).run_id != base.run_id


def test_attack_judge_counts_in_the_run_id_only_for_runs_with_attacks() -> None:
    plain, attacked = RunSpec(), RunSpec(attacks=["escalation"])
    assert RunSpec(attack_judge="none").run_id == plain.run_id
    assert RunSpec(attacks=["escalation"], attack_judge="none").run_id != attacked.run_id
    assert (
        RunSpec(attacks=["escalation"], attack_judge="content-harm-clf").run_id == attacked.run_id
    )


def test_attack_judge_defaults_to_the_harm_classifier_and_none_turns_it_off() -> None:
    assert RunSpec().attack_judge == PluginSpec(name="content-harm-clf")
    assert build_spec({"attack_judge": "none"}).attack_judge is None
    assert build_spec({"attack_judge": None}).attack_judge is None
    custom = build_spec({"attack_judge": {"name": "harm-clf", "args": {"threshold": 0.9}}})
    assert custom.attack_judge is not None and custom.attack_judge.args == {"threshold": 0.9}


def test_shorthands_for_suites_and_judges() -> None:
    spec = build_spec(
        {"suites": "starter, other", "judges": ["keyword", {"name": "x", "args": {"a": 1}}]}
    )
    assert spec.suites == ("starter", "other")
    assert spec.judges[1].args == {"a": 1}


def test_flags_override_nested_spec_fields() -> None:
    merged = merge_overrides(
        {"target": {"type": "openai", "model": "a"}}, {"target.model": "b", "limit": None}
    )
    assert merged == {"target": {"type": "openai", "model": "b"}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": {"tyep": "openai"}}, "target.tyep: Extra inputs are not permitted"),
        ({"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"target": {"temperature": "hot"}}, "target.temperature"),
    ],
)
def test_bad_fields_give_one_line_naming_the_field(data: dict, message: str) -> None:
    with pytest.raises(UserError, match=message) as info:
        build_spec(data, source="spec.yaml")
    assert "\n" not in str(info.value)


def test_spec_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="spec file not found"):
        read_spec_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("target: {type: openai\n")
    with pytest.raises(UserError, match=r"malformed YAML \(line \d+\)"):
        read_spec_file(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(UserError, match="must be a YAML mapping"):
        read_spec_file(listy)
