"""Suites read real upstream files: ../shared/datasets for GitHub data, small hand-written
fixtures in the upstream formats for Hugging Face data. Tests never touch the network."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from redline.records import Prompt
from redline.taxonomy import load_taxonomy

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_OFFLINE", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)


@pytest.fixture
def real_data(shared_datasets: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared public datasets as redline's dataset root (a pre-filled download cache)."""
    monkeypatch.setenv("REDLINE_DATASETS", str(shared_datasets))
    return shared_datasets


def _rows(name: str) -> list[dict]:
    lines = (FIXTURES / "_build" / name).read_text(encoding="utf-8").splitlines()
    return [orjson.loads(line) for line in lines if line.strip()]


def _write_parquet(rows: list[dict], path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


@pytest.fixture(scope="session")
def hub_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hub fixtures laid out as dataset folders, binary formats written from `_build/`."""
    root = tmp_path_factory.mktemp("hub-datasets")
    shutil.copytree(
        FIXTURES, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("_build", "README.md")
    )
    beaver = root / "beavertails" / "round0" / "30k" / "test.jsonl.gz"
    beaver.parent.mkdir(parents=True)
    lines = b"".join(orjson.dumps(r) + b"\n" for r in _rows("beavertails_test.jsonl"))
    beaver.write_bytes(gzip.compress(lines))
    try:
        _write_parquet(
            _rows("wildguard_test.jsonl"), root / "wildguardtest/test/wildguard_test.parquet"
        )
        _write_parquet(
            _rows("labsafety_qa.jsonl"), root / "labsafety/MCQ/QA-00000-of-00001.parquet"
        )
    except pytest.skip.Exception:
        pass  # without pyarrow the Parquet suites' tests skip themselves
    return root


@pytest.fixture
def hub_data(hub_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REDLINE_DATASETS", str(hub_root))
    return hub_root


def _check_prompts(prompts: list[Prompt], suite: str) -> None:
    """Valid redline categories, unique ids, serialisable labels, a user turn last."""
    assert prompts, f"{suite}: no prompts"
    redline_ids = set(load_taxonomy("redline").ids())
    assert len({p.id for p in prompts}) == len(prompts), f"{suite}: duplicate ids"
    for prompt in prompts:
        assert prompt.suite == suite
        assert prompt.category in redline_ids, prompt.category
        assert prompt.expected in ("refuse", "comply")
        assert prompt.messages[-1].role == "user" and prompt.text.strip()
        orjson.dumps(prompt.labels)


@pytest.fixture
def check_prompts() -> Callable[[list[Prompt], str], None]:
    return _check_prompts
