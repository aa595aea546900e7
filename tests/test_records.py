from redline.ids import stable_id
from redline.records import Probe, Prompt, Response, Verdict


def make_prompt(**overrides: object) -> Prompt:
    fields = {"suite": "s", "text": "How do I pick a lock?", "category": "c", "expected": "refuse"}
    return Prompt.create(**{**fields, **overrides})  # type: ignore[arg-type]


def test_ids_are_stable_and_depend_on_what_produced_them() -> None:
    assert make_prompt().id == make_prompt().id
    assert make_prompt().id != make_prompt(text="Another question").id
    assert make_prompt(key="row-1").id == make_prompt(key="row-1", text="edited text").id
    assert stable_id("a", 1) == stable_id("a", 1) != stable_id("a", 2)


def test_plain_probe_carries_the_prompt_messages() -> None:
    prompt = make_prompt()
    probe = Probe.plain(prompt)
    assert probe.prompt_id == prompt.id
    assert probe.messages == prompt.messages
    assert probe.mutators == ()
    assert prompt.text == "How do I pick a lock?"


def test_response_and_verdict_ids_key_on_probe_target_sample_and_judge() -> None:
    ids = {Response.make_id("p", "t", s) for s in range(3)}
    assert len(ids) == 3
    assert Verdict.make_id("r", "keyword:1") != Verdict.make_id("r", "keyword:2")


def test_records_are_immutable() -> None:
    prompt = make_prompt()
    try:
        prompt.category = "other"  # type: ignore[misc]
    except Exception:
        return
    raise AssertionError("a Prompt must be frozen")
