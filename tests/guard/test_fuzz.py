"""Schema-driven fuzzing: schemathesis reads the live OpenAPI document and throws valid and
invalid requests at every operation; no answer may be a 5xx and the server must survive."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.guard.conftest import KEY, policy_for

MAX_EXAMPLES = 100  # per operation and phase
MAX_SECONDS = 60
# The console script: `python -m schemathesis.cli` trips a recursion error in hypothesis.
SCHEMATHESIS = Path(sys.executable).with_name("st")
# One fuzzer process per operation group: in one process, hypothesis's strategy for
# free-form JSON values grows deep enough across operations to hit a CPython 3.11
# `ast.parse` bug ("AST constructor recursion depth mismatch") in the fuzzer itself.
GROUPS = (
    ["--include-path", "/v1/moderations"],
    ["--include-path", "/v1/chat/completions"],
    ["--include-path", "/v1/feedback"],
    ["--include-method", "GET"],
)


def fuzz(url: str, group: list[str], folder: Path) -> subprocess.Popen[str]:
    """One fuzzer run; it works in `folder` (it keeps a `.schemathesis/` cache there)."""
    return subprocess.Popen(
        [
            str(SCHEMATHESIS), "run", f"{url}/openapi.json", *group,
            "--checks", "not_a_server_error",
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", "1",
            "--workers", "1",
            "--generation-database", "none",
            "--header", f"Authorization: Bearer {KEY}",
            "--no-color",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=folder,
    )  # fmt: skip


def test_fuzzing_the_openapi_document_finds_no_server_errors(
    serve_guard: Callable[..., str], tmp_path: Path, upstream: str
) -> None:
    url = serve_guard(policy_for(tmp_path, upstream))
    runs = [fuzz(url, group, tmp_path) for group in GROUPS]
    outputs = [run.communicate(timeout=MAX_SECONDS)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
        # (feedback's 404s for made-up decision ids are a warning, not a failure)
        assert " passed" in output and "failed" not in output
    with urllib.request.urlopen(f"{url}/healthz") as resp:
        assert json.loads(resp.read())["status"] == "ok"
    with urllib.request.urlopen(f"{url}/metrics") as resp:
        metrics = resp.read().decode()
    answered = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("redline_guard_requests_total{")
    )
    assert answered >= 400  # the fuzzers really ran
    assert 'status="5' not in metrics
