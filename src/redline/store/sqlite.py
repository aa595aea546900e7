"""The run store: every record of a run in one SQLite file (WAL, transactional, versioned).

Rows are keyed by the records' stable ids, so a rerun finds what is done and a write can
never duplicate. A batch of responses and their verdicts commits in one transaction: a run
killed at any moment keeps whole batches and loses only work in flight.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from redline.errors import UserError
from redline.records import Probe, Prompt, Response, Turn, Verdict

SCHEMA_VERSION = 1
STORE_FILE = "redline.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prompts (
    id TEXT PRIMARY KEY, suite TEXT NOT NULL, category TEXT NOT NULL,
    expected TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS probes (
    id TEXT PRIMARY KEY, prompt_id TEXT NOT NULL REFERENCES prompts(id),
    mutators TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY, probe_id TEXT NOT NULL REFERENCES probes(id), target_id TEXT NOT NULL,
    sample INTEGER NOT NULL, failed INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS verdicts (
    id TEXT PRIMARY KEY, response_id TEXT NOT NULL REFERENCES responses(id),
    judge_id TEXT NOT NULL, outcome TEXT, failed INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    id TEXT PRIMARY KEY, probe_id TEXT NOT NULL REFERENCES probes(id),
    idx INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS turns_probe ON turns(probe_id, idx);
CREATE INDEX IF NOT EXISTS probes_prompt ON probes(prompt_id);
CREATE INDEX IF NOT EXISTS responses_probe ON responses(probe_id);
CREATE INDEX IF NOT EXISTS verdicts_response ON verdicts(response_id, judge_id);
"""


@dataclass(frozen=True, slots=True)
class Transcript:
    """One answered probe with everything behind it, for reports."""

    prompt: Prompt
    probe: Probe
    response: Response
    verdicts: tuple[Verdict, ...]
    #: The exchanges of an adaptive attack behind this response (empty for single probes).
    turns: tuple[Turn, ...] = ()


def _dump(record: BaseModel) -> bytes:
    """A record as JSON bytes, straight from pydantic-core (no intermediate dict)."""
    return record.__pydantic_serializer__.to_json(record)


class RunStore:
    """One run's SQLite file. Only the engine writes; reports and metrics read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            version = self._version()
            if version is not None and version != SCHEMA_VERSION:
                raise UserError(
                    f"{path}: store schema v{version}, this redline reads v{SCHEMA_VERSION}"
                )
            self.db.executescript(_SCHEMA)
            self.db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        except sqlite3.DatabaseError as exc:
            raise UserError(f"{path}: not a usable redline store ({exc})") from None

    def _version(self) -> int | None:
        has_meta = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not has_meta:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE ... COMMIT; rolled back if the body raises."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # meta
    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    # writes
    def add_plan(self, prompts: Iterable[Prompt], probes: Iterable[Probe]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO prompts VALUES (?, ?, ?, ?, ?)",
                ((p.id, p.suite, p.category, p.expected, _dump(p)) for p in prompts),
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO probes VALUES (?, ?, ?, ?)",
                ((p.id, p.prompt_id, "+".join(p.mutators), _dump(p)) for p in probes),
            )

    def save_results(
        self,
        responses: Sequence[Response],
        verdicts: Sequence[Verdict],
        turns: Sequence[tuple[str, Turn]] = (),
    ) -> None:
        """Responses, verdicts and an adaptive attack's (probe id, turn) pairs: all or nothing."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO turns VALUES (?, ?, ?, ?)",
                ((t.id, probe_id, t.index, _dump(t)) for probe_id, t in turns),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (r.id, r.probe_id, r.target_id, r.sample, r.error is not None, _dump(r))
                    for r in responses
                ),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        v.id,
                        v.response_id,
                        v.judge_id,
                        v.outcome.value if v.outcome else None,
                        v.error is not None,
                        _dump(v),
                    )
                    for v in verdicts
                ),
            )

    # reads
    def done_response_ids(self, ids: Sequence[str], *, include_failed: bool = True) -> set[str]:
        """Which of `ids` are already stored (optionally not counting stored errors)."""
        query = "SELECT id FROM responses WHERE id IN (SELECT value FROM json_each(?))"
        if not include_failed:
            query += " AND failed = 0"
        return {row[0] for row in self.db.execute(query, (orjson.dumps(list(ids)).decode(),))}

    def unjudged_responses(self, ids: Sequence[str], judge_ids: Sequence[str]) -> list[Response]:
        """Stored answers among `ids` that some judge in `judge_ids` has not judged: a judge
        added to the spec, or one whose head was retrained, since the run last ran."""
        query = """
            SELECT r.data FROM responses r
            WHERE r.id IN (SELECT value FROM json_each(?)) AND r.failed = 0
              AND (SELECT COUNT(DISTINCT v.judge_id) FROM verdicts v
                   WHERE v.response_id = r.id
                     AND v.judge_id IN (SELECT value FROM json_each(?))) < ?"""
        wanted = (orjson.dumps(list(ids)).decode(), orjson.dumps(list(judge_ids)).decode())
        rows = self.db.execute(query, (*wanted, len(set(judge_ids))))
        return [Response.model_validate_json(row[0]) for row in rows]

    def count(self, table: str) -> int:
        if table not in {"prompts", "probes", "responses", "verdicts", "turns"}:
            raise ValueError(table)
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def judge_ids(self) -> list[str]:
        return [
            row[0] for row in self.db.execute("SELECT DISTINCT judge_id FROM verdicts ORDER BY 1")
        ]

    def outcome_rows(self, judge_id: str | None) -> Iterator[tuple[Any, ...]]:
        """Grouped counts: (suite, category, expected, mutators, call failed, outcome,
        judge failed, n)."""
        return self.db.execute(
            """
            SELECT q.suite, q.category, q.expected, p.mutators, r.failed, v.outcome, v.failed,
                   COUNT(*)
            FROM responses r
            JOIN probes p ON p.id = r.probe_id
            JOIN prompts q ON q.id = p.prompt_id
            LEFT JOIN verdicts v ON v.response_id = r.id AND v.judge_id = ?
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            """,
            (judge_id,),
        )

    def transcripts(self, limit: int | None = None) -> Iterator[Transcript]:
        """Answered probes, grouped by category and expected behaviour, streamed from disk."""
        rows = self.db.execute(
            """
            SELECT q.data, p.data, r.data,
                   (SELECT json_group_array(json(v.data))
                    FROM verdicts v WHERE v.response_id = r.id),
                   (SELECT json_group_array(json(t.data))
                    FROM (SELECT data FROM turns WHERE probe_id = p.id ORDER BY idx) t)
            FROM responses r
            JOIN probes p ON p.id = r.probe_id
            JOIN prompts q ON q.id = p.prompt_id
            ORDER BY q.category, q.expected, q.suite, q.id, p.id, r.sample
            LIMIT ?
            """,
            (-1 if limit is None else limit,),
        )
        for prompt, probe, response, verdicts, turns in rows:
            yield Transcript(
                prompt=Prompt.model_validate_json(prompt),
                probe=Probe.model_validate_json(probe),
                response=Response.model_validate_json(response),
                verdicts=tuple(Verdict.model_validate(v) for v in orjson.loads(verdicts)),
                turns=tuple(Turn.model_validate(t) for t in orjson.loads(turns)),
            )


def open_store(run_dir: Path) -> RunStore:
    return RunStore(run_dir / STORE_FILE)
