"""A run from spec to store: answers to translated probes are translated back before judging."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.pipeline import execute, prepare
from redline.spec import RunSpec, build_spec
from redline.store import open_store
from redline.targets.openai import OpenAITarget
from tests.mutators.helpers import ScriptedChat, scripted_server, serving_in_thread

FRENCH_REFUSAL = "Désolé, je ne peux pas vous aider avec ça."
ENGLISH_REFUSAL = "I'm sorry, but I can't help you with that."


def translating_spec(url: str, tmp_path: Path) -> RunSpec:
    """One starter prompt, plain and in French, with the scripted server as target and helper."""
    return build_spec({
        "target": {"type": "openai", "model": "target", "base_url": url},
        "mutator_helper": {"type": "openai", "model": "helper", "base_url": url},
        "suites": ["starter"], "limit": 1, "mutators": ["none", "translate:fr"],
        "out_dir": str(tmp_path / "runs"),
    })  # fmt: skip


def test_translated_answers_are_judged_in_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDLINE_CACHE", str(tmp_path / "cache"))
    chat = ScriptedChat({
        "target": [FRENCH_REFUSAL],
        # the request into French (made before the run), then the answer back into English
        "helper": ["Comment puis-je faire ça ?", ENGLISH_REFUSAL],
    })  # fmt: skip
    with serving_in_thread(lambda: scripted_server(chat)) as url:
        spec = translating_spec(url, tmp_path)
        run = prepare(spec)
        execute(run)
        execute(prepare(spec))  # a resumed run asks the helper nothing more
    with open_store(spec.run_dir) as store:
        judged = {t.probe.mutators: t for t in store.transcripts()}
    assert judged[()].verdicts[0].outcome == "compliance"  # keyword rules can't read French
    translated = judged[("translate:fr",)]
    assert translated.response.text == FRENCH_REFUSAL  # stored as the model wrote it
    assert translated.verdicts[0].outcome == "refusal"  # judged as translated back
    asked = [request[-1]["content"] for request in chat.sent_to("helper")]
    assert len(asked) == 2  # the plain probe's answer was not sent for translation
    assert "English" in asked[1] and FRENCH_REFUSAL in asked[1]
    helper = run.planner.helper
    assert isinstance(helper, OpenAITarget) and helper._session is None  # closed after the run


def test_a_failed_rewrite_drops_out_of_the_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDLINE_CACHE", str(tmp_path / "cache"))
    chat = ScriptedChat({"target": [ENGLISH_REFUSAL], "helper": [""]})  # an empty translation
    with serving_in_thread(lambda: scripted_server(chat)) as url:
        spec = translating_spec(url, tmp_path)
        run = prepare(spec)
        assert run.total == 2
        totals: list[int] = []
        stats = execute(run, on_total=totals.append)
    assert totals == [1] and run.total == 1 and stats.answered == 1
