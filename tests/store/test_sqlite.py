from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.records import Outcome, Probe, Prompt, Response, Verdict
from redline.store import RunStore


def plan(store: RunStore) -> tuple[Prompt, Probe]:
    prompt = Prompt.create(suite="s", text="q", category="c", expected="refuse")
    probe = Probe.plain(prompt)
    store.add_plan([prompt], [probe])
    return prompt, probe


def response(probe: Probe, sample: int = 0, error: str | None = None) -> Response:
    return Response(
        id=Response.make_id(probe.id, "t", sample), probe_id=probe.id, target_id="t",
        sample=sample, text=None if error else "answer", error=error,
    )  # fmt: skip


def test_store_is_wal_and_versioned(tmp_path: Path) -> None:
    with RunStore(tmp_path / "s.sqlite") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.get_meta("schema_version") == "1"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    RunStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(UserError, match="schema v99"):
        RunStore(path)


def test_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not a usable redline store"):
        RunStore(path)


def test_results_commit_together_and_replays_do_not_duplicate(tmp_path: Path) -> None:
    with RunStore(tmp_path / "s.sqlite") as store:
        _, probe = plan(store)
        plan(store)
        r = response(probe)
        v = Verdict(
            id=Verdict.make_id(r.id, "j"), response_id=r.id, judge_id="j", outcome=Outcome.REFUSAL
        )
        store.save_results([r], [v])
        store.save_results([r], [v])
        assert (store.count("prompts"), store.count("responses"), store.count("verdicts")) == (
            1,
            1,
            1,
        )
        assert [t.verdicts[0].outcome for t in store.transcripts()] == [Outcome.REFUSAL]


def test_a_failed_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    with RunStore(tmp_path / "s.sqlite") as store:
        _, probe = plan(store)
        orphan = Verdict(id="v", response_id="no-such-response", judge_id="j")
        with pytest.raises(sqlite3.IntegrityError):
            store.save_results([response(probe)], [orphan])
        assert store.count("responses") == 0


def test_done_ids_can_leave_out_stored_errors(tmp_path: Path) -> None:
    with RunStore(tmp_path / "s.sqlite") as store:
        _, probe = plan(store)
        ok, failed = response(probe, 0), response(probe, 1, error="HTTP 500")
        store.save_results([ok, failed], [])
        ids = [ok.id, failed.id, "unknown"]
        assert store.done_response_ids(ids) == {ok.id, failed.id}
        assert store.done_response_ids(ids, include_failed=False) == {ok.id}
