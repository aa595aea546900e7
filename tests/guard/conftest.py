"""The guard under test: a real uvicorn server on a loopback port, a real upstream process.

The default test policy blocks only on custom categories with fixed patterns, so which
requests are blocked does not move when the embedded classifiers are retrained; the
classifiers still run on every check and their votes drive the feedback tests.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from redline.guard import build_policy, create_app
from redline.guard.auth import hash_key
from tests.conftest import free_port, start_process, stop_process

KEY = "rl-test-key-0123456789abcdef0123456789"
REFUSAL = "Blocked by the test policy."
UPSTREAM_SCRIPT = Path(__file__).with_name("upstream.py")


class ThreadedServer:
    """uvicorn serving an app from a thread; `url` is its loopback base URL."""

    def __init__(self, app: Any, *, access_log: bool = False) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=free_port(), log_config=None, access_log=access_log
        )
        self.server = uvicorn.Server(config)
        self.url = f"http://127.0.0.1:{config.port}"
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("guard server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


def audited(path: Path, query: str, count: int) -> list[tuple[Any, ...]]:
    """Rows of the audit log once `count` are there (decisions are committed in batches
    every 50 ms), or what is there after two seconds."""
    deadline = time.monotonic() + 2
    while True:
        with sqlite3.connect(path) as db:
            rows = db.execute(query).fetchall()
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


@pytest.fixture(scope="session")
def upstream() -> Iterator[str]:
    """The scripted streaming upstream in its own process; yields its /v1 base URL."""
    port = free_port()
    proc = start_process([sys.executable, str(UPSTREAM_SCRIPT), "--port", str(port)], port)
    yield f"http://127.0.0.1:{port}/v1"
    stop_process(proc)


def policy_for(folder: Path, upstream: str | None, **overrides: Any) -> dict[str, Any]:
    """The tests' policy as a mapping; `overrides` replace top-level sections."""
    policy: dict[str, Any] = {
        "input": {
            "judges": [
                {"name": "prompt-harm-clf", "id": "lenient", "args": {"threshold": 0.999}},
                {"name": "prompt-harm-clf", "id": "strict", "args": {"threshold": 0.0}},
            ]
        },
        "output": {"judges": ["harm-clf", "keyword"], "stream": "incremental", "window_chars": 64},
        "categories": {
            "enforce": ["pipe_bombs", "codename"],
            "custom": [
                {
                    "id": "pipe_bombs",
                    "description": "Requests about building pipe bombs.",
                    "patterns": [r"\bpipe bombs?\b"],
                },
                {
                    "id": "codename",
                    "description": "The internal project codename.",
                    "patterns": ["NIGHTSHADE"],
                },
            ],
        },
        "abstain": "allow",
        "refusal": REFUSAL,
        "auth": {"keys": [{"name": "tests", "hash": hash_key(KEY)}]},
        "limits": {"max_body_bytes": 8192, "max_batch": 8, "max_messages": 16},
        "audit": {"path": str(folder / "audit.db")},
    }
    if upstream is not None:
        policy["upstream"] = {"base_url": upstream, "timeout_s": 2}
    policy.update(overrides)
    return policy


@pytest.fixture
def serve_guard(tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], str]]:
    """Start a guard for a policy mapping; returns its base URL. Stopped after the test."""
    servers: list[ThreadedServer] = []

    def start(policy: dict[str, Any], access_log: bool = False) -> str:
        server = ThreadedServer(create_app(build_policy(policy)), access_log=access_log)
        servers.append(server.__enter__())
        return server.url

    yield start
    for server in servers:
        server.__exit__()


@pytest.fixture
def guard_url(serve_guard: Callable[..., str], tmp_path: Path, upstream: str) -> str:
    return serve_guard(policy_for(tmp_path, upstream))
