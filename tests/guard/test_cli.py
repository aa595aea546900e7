"""`redline serve` and `redline serve-key` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml
from typer.testing import CliRunner

from redline.cli import app
from redline.guard.auth import KeyRing
from redline.guard.policy import ApiKey
from tests.conftest import free_port, start_process, stop_process

REDLINE = [sys.executable, "-m", "redline"]


def test_serve_starts_and_answers(tmp_path: Path, upstream: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        yaml.safe_dump({"upstream": {"base_url": upstream}, "audit": {"path": "a.db"}})
    )
    port = free_port()
    proc = start_process([*REDLINE, "serve", "--policy", str(policy), "--port", str(port)], port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as resp:
            health = json.loads(resp.read())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json") as resp:
            paths = json.loads(resp.read())["paths"]
    finally:
        stop_process(proc)
    assert health == {
        "status": "ok",
        "judges": {"input": ["prompt-harm-clf"], "output": ["content-harm-clf"]},
        "upstream": True,
    }
    assert {"/v1/moderations", "/v1/chat/completions", "/v1/feedback"} <= set(paths)
    assert (tmp_path / "a.db").is_file()


def test_invalid_policy_refuses_to_start_with_one_line(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("categories: {enforce: [nonsense]}\n")
    done = subprocess.run(
        [*REDLINE, "serve", "--policy", str(policy)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "unknown category 'nonsense'" in done.stderr


def test_serve_key_prints_a_key_its_hash_accepts() -> None:
    result = CliRunner().invoke(app, ["serve-key", "--name", "team-a"])
    assert result.exit_code == 0
    key = result.stdout.split("key: ")[1].split()[0]
    entry = yaml.safe_load(result.stdout.split("policy entry: ")[1])
    ring = KeyRing((ApiKey(**entry),))
    assert ring.name_of(key) == "team-a" and ring.name_of(key + "x") is None
