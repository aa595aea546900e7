"""The audit log: every decision, every human label, and the learnt judge weights, in SQLite.

WAL mode; decisions are buffered and committed together every FLUSH_S seconds (or every
FLUSH_ROWS rows), which costs a fraction of a commit per request: a killed server loses at
most the last FLUSH_S of decisions, and readers (a dashboard, `sqlite3`) never block the
service. Labels and weights commit at once. With `redact`, only the length of each text is
kept. Plain keys are never stored: clients appear by their key's name.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from redline.errors import UserError
from redline.guard.checks import Decision, Stage

SCHEMA_VERSION = "1"
FLUSH_S = 0.05
FLUSH_ROWS = 512
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    request_id TEXT NOT NULL,
    client TEXT NOT NULL,
    route TEXT NOT NULL,
    stage TEXT NOT NULL,
    action TEXT NOT NULL,
    flagged INTEGER NOT NULL,
    score REAL,
    flagged_categories TEXT NOT NULL,
    category_scores TEXT NOT NULL,
    votes TEXT NOT NULL,
    text TEXT,
    text_chars INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_request ON decisions (request_id);
CREATE TABLE IF NOT EXISTS feedback (
    decision_id TEXT PRIMARY KEY REFERENCES decisions (id),
    ts REAL NOT NULL,
    client TEXT NOT NULL,
    harmful INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS weights (
    stage TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    ts REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class StoredDecision:
    id: str
    stage: Stage
    flagged: bool
    votes: dict[str, bool | None]
    labelled: bool


class AuditLog:
    def __init__(self, path: str, *, redact: bool) -> None:
        self.redact = redact
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._pending: list[tuple[Any, ...]] = []
        try:
            # One event loop owns the connection; it may be opened on another thread.
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )
        except sqlite3.Error as exc:
            raise UserError(f"cannot open audit log {path}: {exc}") from None

    def close(self) -> None:
        self.flush()
        self._db.close()

    def record(
        self, decisions: Sequence[Decision], *, request_id: str, client: str, route: str
    ) -> None:
        now = time.time()
        rows = [
            (
                d.id,
                now,
                request_id,
                client,
                route,
                d.stage,
                d.action,
                int(d.flagged),
                d.score,
                orjson.dumps([c for c, f in d.categories.items() if f]).decode(),
                orjson.dumps({c: s for c, s in d.category_scores.items() if s}).decode(),
                orjson.dumps(d.votes).decode(),
                None if self.redact else d.text,
                len(d.text),
            )
            for d in decisions
        ]
        self._pending.extend(rows)
        if len(self._pending) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Commit the buffered decisions in one transaction."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    async def flush_every(self, seconds: float = FLUSH_S) -> None:
        """Run until cancelled: the periodic commit of buffered decisions."""
        while True:
            await asyncio.sleep(seconds)
            self.flush()

    def decision(self, decision_id: str) -> StoredDecision | None:
        self.flush()
        row = self._db.execute(
            "SELECT d.stage, d.flagged, d.votes, f.decision_id IS NOT NULL FROM decisions d"
            " LEFT JOIN feedback f ON f.decision_id = d.id WHERE d.id = ?",
            (decision_id,),
        ).fetchone()
        if row is None:
            return None
        stage, flagged, votes, labelled = row
        return StoredDecision(
            decision_id, stage, bool(flagged), orjson.loads(votes), bool(labelled)
        )

    def label(
        self, decision_id: str, *, harmful: bool, client: str, stage: Stage, weights: Any
    ) -> None:
        """Store a human label and the weights it produced, in one transaction."""
        now = time.time()
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?)", (decision_id, now, client, int(harmful))
            )
            self._db.execute(
                "INSERT OR REPLACE INTO weights VALUES (?, ?, ?)",
                (stage, orjson.dumps(weights).decode(), now),
            )

    def weights(self, stage: Stage) -> Any | None:
        """The last weights saved for a stage (None before the first label)."""
        row = self._db.execute("SELECT state FROM weights WHERE stage = ?", (stage,)).fetchone()
        return None if row is None else orjson.loads(row[0])
