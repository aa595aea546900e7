"""`redline run` as a user runs it: a real process, real servers on loopback, a real store."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from redline.judges.embedded.head import head_path, load_head

REDLINE = [sys.executable, "-m", "redline"]


def redline(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REDLINE, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def only_run_dir(cwd: Path) -> Path:
    (run_dir,) = (cwd / "redline-runs").iterdir()
    return run_dir


def test_help_explains_every_command(tmp_path: Path) -> None:
    top = redline("--help", cwd=tmp_path)
    assert top.returncode == 0
    for command in ("run", "runs", "report"):
        assert command in top.stdout
        sub = redline(command, "--help", cwd=tmp_path)
        assert sub.returncode == 0 and "Usage" in sub.stdout
    assert "--base-url" in redline("run", "--help", cwd=tmp_path).stdout


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("target: {type: nonsense}\n", "unknown targets 'nonsense'"),
        ("target: {type: openai\n", "malformed YAML"),
        ("suites: [starter, no_such_suite]\n", "unknown suites 'no_such_suite'"),
        ("target: {type: llamacpp, model: /no/such/model.gguf}\n", "GGUF model file not found"),
        ("limit: -3\n", "limit: Input should be greater than or equal to 1"),
        ("judges: [keyword, oracle]\n", "unknown judges 'oracle'"),
    ],
)
def test_bad_specs_fail_in_one_line_before_any_model_is_called(
    tmp_path: Path, spec: str, message: str
) -> None:
    (tmp_path / "spec.yaml").write_text(spec)
    result = redline("run", "spec.yaml", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "redline-runs").exists()


def test_missing_spec_file(tmp_path: Path) -> None:
    result = redline("run", "absent.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "spec file not found: absent.yaml" in result.stderr


def test_faulty_server_run_completes_with_every_probe_accounted(
    tmp_path: Path, stub_server
) -> None:  # type: ignore[no-untyped-def]
    url = stub_server("--fail-rate", "0.2", "--hang", "3", "--seed", "11")
    result = redline(
        "run", "--target", "openai", "--model", "stub", "--base-url", url, "--limit", "40",
        "--timeout", "0.5", "--retries", "1", "--concurrency", "8", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    results = json.loads((only_run_dir(tmp_path) / "results.json").read_text())
    overall = results["overall"]
    assert overall["responses"] == 40
    judged = sum(overall[k] for k in overall if k.startswith(("harmful_", "benign_")))
    assert judged + overall["errors"] == 40
    assert overall["judge_errors"] == 0
    assert results["schema_version"] == "1.0"


def test_spec_file_and_flags_together(tmp_path: Path, stub_server) -> None:  # type: ignore[no-untyped-def]
    url = stub_server()
    (tmp_path / "spec.yaml").write_text(
        f"target: {{type: openai, model: stub, base_url: '{url}'}}\n"
        "suites: [starter]\nlimit: 50\nsamples: 2\nconcurrency: 4\n"
    )
    result = redline("run", "spec.yaml", "--limit", "10", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    results = json.loads((only_run_dir(tmp_path) / "results.json").read_text())
    assert results["prompts"] == 10 and results["overall"]["responses"] == 20
    assert results["spec"]["samples"] == 2


def _responses(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_kill_9_then_rerun_resumes_to_identical_results(tmp_path: Path, stub_server) -> None:  # type: ignore[no-untyped-def]
    url = stub_server("--delay", "0.05")
    args = ["run", "--target", "openai", "--model", "stub", "--base-url", url,
            "--limit", "120", "--samples", "2", "--concurrency", "4"]  # fmt: skip
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    killed.mkdir()
    clean.mkdir()
    proc = subprocess.Popen(
        [*REDLINE, *args], cwd=killed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    db = None
    while time.monotonic() < deadline:
        runs = killed / "redline-runs"
        dbs = list(runs.glob("*/redline.sqlite")) if runs.exists() else []
        if dbs and _responses(dbs[0]) >= 40:
            db = dbs[0]
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert db is not None, "the run never got going"
    partial = _responses(db)
    assert 40 <= partial < 240

    resumed = redline(*args, cwd=killed)
    assert resumed.returncode == 0, resumed.stderr
    assert "already in the store" in resumed.stdout
    with sqlite3.connect(db) as conn:
        total, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT probe_id || ':' || sample) FROM responses"
        ).fetchone()
        verdicts = conn.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
    assert total == distinct == 240 and verdicts == 240

    assert redline(*args, cwd=clean).returncode == 0
    ours = json.loads((db.parent / "results.json").read_text())
    theirs = json.loads((only_run_dir(clean) / "results.json").read_text())
    for key in ("overall", "by_category", "by_suite", "prompts", "run_id"):
        assert ours[key] == theirs[key]


def test_runs_and_report_look_back(tmp_path: Path, stub_server) -> None:  # type: ignore[no-untyped-def]
    url = stub_server()
    assert redline("run", "--target", "openai", "--model", "stub", "--base-url", url,
                   "--limit", "8", cwd=tmp_path).returncode == 0  # fmt: skip
    run_dir = only_run_dir(tmp_path)
    listing = redline("runs", cwd=tmp_path)
    assert listing.returncode == 0 and run_dir.name in listing.stdout
    (run_dir / "report.html").unlink()
    again = redline("report", run_dir.name, cwd=tmp_path)
    assert again.returncode == 0 and (run_dir / "report.html").exists()
    missing = redline("report", "nope", cwd=tmp_path)
    assert missing.returncode == 2 and "no run 'nope'" in missing.stderr


def test_gates_fail_the_command_when_a_rate_is_too_high(tmp_path: Path, stub_server) -> None:  # type: ignore[no-untyped-def]
    url = stub_server()
    result = redline("run", "--target", "openai", "--model", "stub", "--base-url", url,
                     "--limit", "20", "--max-asr", "0.0", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 3 and "gate failed: attack success" in result.stdout


@pytest.mark.model
def test_default_run_on_the_embedded_model(tmp_path: Path) -> None:
    result = redline("run", "--limit", "3", "--max-tokens", "24", cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    run_dir = only_run_dir(tmp_path)
    results = json.loads((run_dir / "results.json").read_text())
    assert results["overall"]["responses"] == 3 and results["overall"]["errors"] == 0
    assert results["spec"]["target"]["type"] == "llamacpp"
    assert "ASR" in result.stdout and "report:" in result.stdout
    assert (run_dir / "report.html").stat().st_size > 2000


@pytest.mark.model
def test_multi_turn_attack_on_the_embedded_model_stops_at_its_budget(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(
        "target: {max_tokens: 48}\nlimit: 2\n"
        "attacks: [{name: escalation, args: {max_turns: 2, budget: 2}}]\nattack_limit: 1\n"
    )
    result = redline("run", "spec.yaml", cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stderr
    run_dir = only_run_dir(tmp_path)
    with sqlite3.connect(run_dir / "redline.sqlite") as conn:
        turns = conn.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
        attacked = conn.execute(
            "SELECT COUNT(*) FROM probes WHERE mutators = 'escalation'"
        ).fetchone()[0]
    assert 1 <= turns <= 2 and attacked == 1
    html = (run_dir / "report.html").read_text()
    assert "turn(s) of escalation" in html
    results = json.loads((run_dir / "results.json").read_text())
    assert results["by_mutator"]["escalation"]["responses"] == 1


def test_a_retrained_head_rejudges_stored_answers_without_asking_again(
    tmp_path: Path,
    stub_server,  # type: ignore[no-untyped-def]
) -> None:
    """The head's digest is in its judge's id: after retraining, the same command judges the
    stored answers with the new head and does not ask the model again."""
    head = tmp_path / "harm.npz"
    shipped = load_head(head_path("response_harm"))
    shipped.save(head)
    url = stub_server()
    (tmp_path / "spec.yaml").write_text(
        f"target: {{type: openai, model: stub, base_url: '{url}'}}\nsuites: [starter]\n"
        f"limit: 6\njudges: [{{name: harm-clf, args: {{head: '{head}'}}}}]\n"
    )
    assert redline("run", "spec.yaml", cwd=tmp_path).returncode == 0
    dataclasses.replace(shipped, threshold=0.9).save(head)  # "retrained"
    again = redline("run", "spec.yaml", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "re-judged: 6 stored answer(s)" in again.stdout
    with sqlite3.connect(only_run_dir(tmp_path) / "redline.sqlite") as conn:
        failed = conn.execute("SELECT COUNT(*) FROM responses WHERE failed=1").fetchone()[0]
        judges = conn.execute("SELECT COUNT(DISTINCT judge_id) FROM verdicts").fetchone()[0]
    assert (failed, judges) == (0, 2)
