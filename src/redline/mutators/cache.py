"""A small SQLite cache of model-made rewrites, so a translation is paid for once.

Keys hash everything that decides the rewrite (helper model, instruction, input text), so
a changed instruction or helper simply misses and nothing stale is ever served.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from redline.cache import cache_dir

FILE_NAME = "mutations.sqlite3"


class MutationCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or cache_dir() / FILE_NAME
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS mutations (key TEXT PRIMARY KEY, text TEXT NOT NULL)"
            )
        return self._db

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT text FROM mutations WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, text: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO mutations VALUES (?, ?)", (key, text))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
