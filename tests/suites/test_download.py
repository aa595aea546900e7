"""Downloads against a loopback server: checksums, gating, offline mode, atomic placement."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from redline.cache import is_offline
from redline.errors import UserError
from redline.suites.download import (
    Source,
    UpstreamFile,
    dataset_root,
    source,
    sources,
)

BODY = b"prompt,category\nHow do locks work?,illegal\n"


class Hub(BaseHTTPRequestHandler):
    """Serves BODY for every path; answers 401 to gated paths without a bearer token."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization")
        self.seen.append((self.path, auth))
        if "missing" in self.path:
            self.send_error(404)
        elif "gated" in self.path and not auth:
            self.send_error(401)
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[tuple[str, str | None]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("REDLINE_DATASETS", str(tmp_path))
    Hub.seen = []
    yield Hub.seen
    server.shutdown()
    server.server_close()


def hub_source(repo: str = "org/demo", sha256: str | None = None, gated: bool = False) -> Source:
    files = {"data/rows.csv": UpstreamFile(sha256, "data/rows.csv")}
    return Source("demo", "hub", repo, "main", files, gated)


def test_fetch_downloads_into_the_dataset_folder(hub: list, tmp_path: Path) -> None:
    digest = hashlib.sha256(BODY).hexdigest()
    path = hub_source(sha256=digest).fetch("data/rows.csv", offline=False)
    assert path == tmp_path / "demo" / "data" / "rows.csv"
    assert path.read_bytes() == BODY
    assert hub == [("/datasets/org/demo/resolve/main/data/rows.csv", None)]
    assert [p.name for p in path.parent.iterdir()] == ["rows.csv"]  # no temp file left
    hub_source().fetch("data/rows.csv", offline=False)
    assert len(hub) == 1, "a file already on disk is never fetched again"


def test_checksum_mismatch_leaves_nothing_behind(hub: list, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="checksum mismatch"):
        hub_source(sha256="0" * 64).fetch("data/rows.csv", offline=False)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_http_errors_are_one_line(hub: list) -> None:
    with pytest.raises(UserError, match="HTTP 404") as err:
        hub_source(repo="org/missing").fetch("data/rows.csv", offline=False)
    assert "\n" not in str(err.value)
    with pytest.raises(UserError, match="HF_TOKEN"):
        hub_source(repo="org/gated").fetch("data/rows.csv", offline=False)


def test_gated_dataset_needs_a_token_before_any_request(
    hub: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    gated = hub_source(repo="org/gated", gated=True)
    with pytest.raises(UserError, match="set HF_TOKEN"):
        gated.fetch("data/rows.csv", offline=False)
    assert hub == []
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    assert gated.fetch("data/rows.csv", offline=False).read_bytes() == BODY
    assert hub == [("/datasets/org/gated/resolve/main/data/rows.csv", "Bearer hf_test")]


def test_offline_names_the_missing_file_and_never_connects(
    hub: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UserError, match="offline") as err:
        hub_source().fetch("data/rows.csv")  # REDLINE_OFFLINE=1 from conftest
    assert str(tmp_path / "demo" / "data" / "rows.csv") in str(err.value)
    monkeypatch.delenv("REDLINE_OFFLINE")
    with pytest.raises(UserError, match="offline"):
        hub_source().fetch("data/rows.csv", offline=True)
    assert hub == []


def test_offline_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_OFFLINE", "yes")
    assert is_offline() and not is_offline(False)
    monkeypatch.setenv("REDLINE_OFFLINE", "0")
    assert not is_offline() and is_offline(True)


def test_dataset_root_defaults_to_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REDLINE_DATASETS", raising=False)
    monkeypatch.setenv("REDLINE_CACHE", str(tmp_path))
    assert dataset_root() == tmp_path / "datasets"


def test_upstream_urls_pin_the_provenance_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert source("xstest").url("xstest_prompts.csv") == (
        "https://raw.githubusercontent.com/paul-rottger/exaggerated-safety/"
        "d7bb5bd738c1fcbc36edd83d5e7d1b71a3e2d84d/xstest_prompts.csv"
    )
    assert (
        source("simplesafetytests")
        .url("SimpleSafetyTests - test cases.csv")
        .endswith("/SimpleSafetyTests%20-%20test%20cases.csv")
    )
    assert (
        source("cyberseceval")
        .url("mitre_frr/mitre_frr.json")
        .endswith(
            "/4be64c3a24442b51c76175e6ec67722cc3f5fe38/CybersecurityBenchmarks/datasets/mitre_frr/mitre_frr.json"
        )
    )
    assert (
        source("strongreject")
        .url("strongreject_dataset/strongreject_dataset.csv")
        .endswith("/data/behavior_datasets/strongreject_dataset.csv")
    )
    assert source("air_bench").url("category_3940.csv") == (
        "https://huggingface.co/datasets/stanford-crfm/air-bench-2024/resolve/"
        "976d9fbb0f52bce704dcbef5bd7a2652e65f2a21/category_3940.csv"
    )


def test_pinned_checksums_match_the_real_files(shared_datasets: Path) -> None:
    checked = 0
    for folder, src in sources().items():
        for path, entry in src.files.items():
            local = shared_datasets / folder / path
            if entry.sha256 is None or not local.is_file():
                continue
            assert hashlib.sha256(local.read_bytes()).hexdigest() == entry.sha256, local
            checked += 1
    assert checked >= 40
