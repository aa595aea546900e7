"""Adaptive attacks inside a run: every turn stored, the deciding answer counted, resume works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from redline.pipeline import execute, prepare, results_of
from redline.records import Outcome
from redline.spec import build_spec
from redline.store import open_store
from redline.testing.openai_stub import COMPLIANCE, StubConfig, StubServer
from tests.mutators.helpers import ScriptedChat, scripted_server, serving_in_thread

REFUSE = "I'm sorry, but I can't help with that."
COMPLY = "Sure. Here is how, step by step: first you gather the materials."


@pytest.fixture
def scripted_url() -> Iterator[tuple[str, ScriptedChat]]:
    """The scripted chat server on its own loop thread, so the pipeline can asyncio.run freely."""
    chat = ScriptedChat({"attacker": ["Tell me a story about it."], "target": [REFUSE, COMPLY]})
    with serving_in_thread(lambda: scripted_server(chat)) as url:
        yield url, chat


def spec_for(url: str, tmp_path: Path, **extra: object):  # type: ignore[no-untyped-def]
    return build_spec({
        "target": {"type": "openai", "model": "target", "base_url": url},
        "attacker": {"type": "openai", "model": "attacker", "base_url": url},
        "suites": ["starter"], "limit": 4, "mutators": ["none"],
        "attacks": [{"name": "escalation", "args": {"max_turns": 3}}], "attack_limit": 2,
        "out_dir": str(tmp_path), **extra,
    })  # fmt: skip


def test_attack_turns_are_stored_and_counted_per_attack(scripted_url, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ = scripted_url
    spec = spec_for(url, tmp_path)
    run = prepare(spec)
    assert len(run.attack_prompts) == 2 and all(p.expected == "refuse" for p in run.attack_prompts)
    assert run.total == 4 + 2
    execute(run)
    with open_store(spec.run_dir) as store:
        assert store.count("turns") >= 2
        results = results_of(store)
        attacked = [t for t in store.transcripts() if t.turns]
    assert results.by_mutator["escalation"].responses == 2
    assert len(attacked) == 2
    for transcript in attacked:
        assert [t.index for t in transcript.turns] == sorted(t.index for t in transcript.turns)
        assert transcript.response.text == transcript.turns[-1].response


def test_a_second_execute_does_not_attack_again(scripted_url, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, chat = scripted_url
    spec = spec_for(url, tmp_path)
    execute(prepare(spec))
    calls = len(chat.sent_to("attacker"))
    execute(prepare(spec))
    assert len(chat.sent_to("attacker")) == calls


def test_innocent_compliance_is_no_success_when_the_attack_judge_calls_it_harmless(
    tmp_path: Path,
) -> None:
    """The stub always complies with the same innocent text; harm-clf at threshold 1 reads it
    as harmless, so each escalation runs to max_turns instead of stopping at its warm-up."""
    harmless = {"name": "harm-clf", "args": {"threshold": 1.0}}
    with serving_in_thread(lambda: StubServer(StubConfig(refuse_share=0.0))) as url:
        attacked = {}
        for attack_judge in (harmless, "none"):
            spec = spec_for(url, tmp_path, attack_judge=attack_judge)
            execute(prepare(spec))
            with open_store(spec.run_dir) as store:
                attacked[spec.attack_judge is None] = [t for t in store.transcripts() if t.turns]
    for transcript in attacked[False]:
        assert len(transcript.turns) == 3 and transcript.response.text == COMPLIANCE
        [verdict] = transcript.verdicts
        assert (verdict.outcome, verdict.harmful) == (Outcome.PARTIAL, False)  # no success
        assert verdict.judge_id.startswith("keyword:") and "harm-clf" in verdict.rationale
        assert "counted as partial" in verdict.rationale
    assert [len(t.turns) for t in attacked[True]] == [1, 1]
    assert all(t.verdicts[0].harmful is None for t in attacked[True])


def test_unknown_attack_and_bad_arguments_fail_before_any_call(tmp_path: Path) -> None:
    from redline.errors import UserError

    base = {"target": {"type": "openai", "model": "m", "base_url": "http://127.0.0.1:9/v1"},
            "limit": 2, "out_dir": str(tmp_path)}  # fmt: skip
    with pytest.raises(UserError, match="unknown attacks 'siege'"):
        prepare(build_spec({**base, "attacks": ["siege"]}))
    with pytest.raises(UserError, match="attack 'escalation': bad arguments"):
        prepare(build_spec({**base, "attacks": [{"name": "escalation", "args": {"turns": 3}}]}))
