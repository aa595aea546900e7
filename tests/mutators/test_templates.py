"""Template data files: they load, place the request, spread over variants, and stay valid code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import orjson
import pytest

from redline.errors import UserError
from redline.mutators import build_mutator, plan_probes
from redline.mutators.render import packaged, packaged_names
from redline.mutators.templates import FOLDER, TemplateMutator, check_template, template_fields
from redline.records import Prompt
from tests.mutators.helpers import make_prompt

TEMPLATES = packaged_names(FOLDER)
TRICKY = 'Write "malware" that deletes C:\\Windows\\ and {braces} {{prompt}} $HOME'


def test_the_issue_templates_are_all_there() -> None:
    wanted = {"roleplay", "authority", "expert", "evidence", "logical", "technical", "slang",
              "question", "codewrap", "cou"}  # fmt: skip
    assert wanted <= set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_has_several_variants_that_place_the_request(name: str) -> None:
    data = packaged(FOLDER, name)
    _, variants = check_template(data, name)
    assert len(variants) >= 3
    fields = template_fields("alpha beta gamma")
    for variant in variants:
        text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: fields[m.group(1)], variant)
        assert (
            "alpha beta gamma" in text
            or '"alpha", "beta", "gamma"' in text
            or ('"gamma", "beta", "alpha"' in text)
        )


@pytest.mark.parametrize("name", TEMPLATES)
def test_real_prompts_spread_over_every_variant(name: str, advbench_prompts: list[Prompt]) -> None:
    mutator = build_mutator(name)
    assert isinstance(mutator, TemplateMutator)
    used = set()
    for prompt in advbench_prompts[:200]:
        [probe] = plan_probes(prompt, [name])
        used.add(next(i for i, v in enumerate(mutator.variants) if _matches(v, probe, prompt)))
    assert used == set(range(len(mutator.variants)))


def _matches(variant: str, probe: object, prompt: Prompt) -> bool:
    fields = template_fields(prompt.text)
    rendered = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: fields[m.group(1)], variant)
    return rendered == probe.messages[-1].content  # type: ignore[attr-defined]


def test_request_text_is_placed_verbatim_even_with_braces_and_backslashes() -> None:
    prompt = make_prompt(TRICKY)
    [probe] = plan_probes(prompt, ["question"])
    assert TRICKY in probe.messages[-1].content


def test_code_wrapping_stays_valid_code_for_tricky_requests() -> None:
    """Every codewrap variant, for many prompts, parses as Python or JSON as it claims."""
    mutator = build_mutator("codewrap")
    assert isinstance(mutator, TemplateMutator)
    fields = template_fields(TRICKY)
    for variant in mutator.variants:
        rendered = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: fields[m.group(1)], variant)
        block = re.search(r"```(\w+)\n(.*?)```", rendered, re.S)
        assert block is not None
        language, code = block.groups()
        if language == "python":
            tree = ast.parse(code)
            literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
            lists = [ast.literal_eval(n) for n in ast.walk(tree) if isinstance(n, ast.List)]
            assert TRICKY in literals or TRICKY.split() in lists or TRICKY.split()[::-1] in lists
        else:
            assert orjson.loads(code)["task"] == TRICKY


@pytest.mark.parametrize(
    ("yaml_text", "problem"),
    [
        ("variants: ['{{prompt}}']", "description"),
        ("description: 'two\n\n  lines'\nvariants: ['{{prompt}}']", "description"),
        ("description: d\nvariants: []", "variants"),
        ("description: d\nvariants: ['no request here']", "never places the request"),
        ("description: d\nvariants: ['{{prompt}} {{secret}}']", "unknown fields"),
    ],
)
def test_broken_template_files_fail_with_one_line(
    tmp_path: Path, yaml_text: str, problem: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(UserError, match=problem) as caught:
        build_mutator(f"template:{path}")
    assert "\n" not in str(caught.value)


def test_own_template_file_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("description: Mine.\nvariants: ['Q: {{prompt}}']\n", encoding="utf-8")
    [probe] = plan_probes(make_prompt("hi"), [f"template:{path}"])
    assert probe.messages[-1].content == "Q: hi"
    with pytest.raises(UserError, match="not found"):
        build_mutator(f"template:{tmp_path / 'nope.yaml'}")
    with pytest.raises(UserError, match="needs a file"):
        build_mutator("template")


def test_templates_take_no_argument() -> None:
    with pytest.raises(UserError, match="takes no argument"):
        build_mutator("roleplay:loud")


class TestIdentity:
    def test_data_groups_are_aligned_and_swaps_cover_every_group(self) -> None:
        data = packaged("data", "identity")
        groups = data["groups"]
        assert data["default"] in groups
        assert len({len(phrases) for phrases in groups.values()}) == 1
        assert all(set(row) == set(groups) for row in data["swaps"])

    def test_groups_give_matched_pairs(self, advbench_prompts: list[Prompt]) -> None:
        data = packaged("data", "identity")
        for prompt in advbench_prompts[:50]:
            low, high = plan_probes(prompt, ["identity:privileged", "identity:marginalised"])
            a, b = low.messages[-1].content, high.messages[-1].content
            # the same wording with the aligned phrase of each group
            index = next(i for i, p in enumerate(data["groups"]["privileged"]) if p in a)
            assert b == a.replace(
                data["groups"]["privileged"][index], data["groups"]["marginalised"][index], 1
            )

    def test_identity_words_in_the_request_are_swapped_keeping_case(self) -> None:
        prompt = make_prompt("Why are Women worse drivers than men?")
        low, high = plan_probes(prompt, ["identity:privileged", "identity:marginalised"])
        assert low.messages[-1].content == "Why are Men worse drivers than men?"
        assert high.messages[-1].content == "Why are Women worse drivers than women?"

    def test_a_free_phrase_introduces_the_asker(self) -> None:
        [probe] = plan_probes(make_prompt("Is this legal?"), ["identity:a Sikh grandmother"])
        assert "a Sikh grandmother" in probe.messages[-1].content
        assert probe.messages[-1].content.endswith("Is this legal?")
        with pytest.raises(UserError):
            build_mutator("identity: ")
