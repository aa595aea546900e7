"""Every registered suite keeps the same contract, on real upstream files or hub fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from redline.records import Prompt
from redline.suites import suites
from redline.suites.dataset import QUICK_LIMIT, DatasetSuite, ItemSuite
from redline.suites.download import source

# Hub fixtures hold two of AIR-Bench's 43 category files.
ARGS: dict[str, dict[str, Any]] = {"air_bench": {"categories": ["1", "3940"]}}
NEEDS_PARQUET = {"wildguardtest", "labsafety"}


def build(name: str, shared: Path, hub: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    suite = suites.get(name)(**ARGS.get(name, {}))
    on_hub = isinstance(suite, DatasetSuite) and source(suite.dataset).host == "hub"
    monkeypatch.setenv("REDLINE_DATASETS", str(hub if on_hub else shared))
    if name in NEEDS_PARQUET:
        pytest.importorskip("pyarrow")
    return suite


@pytest.mark.parametrize("name", [n for n in suites.names() if n != "longsafety"])
def test_suite_contract(
    name: str,
    shared_datasets: Path,
    hub_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    check_prompts: Callable[[list[Prompt], str], None],
) -> None:
    suite = build(name, shared_datasets, hub_root, monkeypatch)
    assert suite.info.name == name
    assert suite.info.description and suite.info.licence and suite.info.source
    prompts = list(suite.prompts())
    check_prompts(prompts, name)
    quick = list(suite.prompts(quick=True))
    assert 0 < len(quick) < len(prompts) or len(prompts) <= QUICK_LIMIT
    assert {p.id for p in quick} <= {p.id for p in prompts}, "ids must not depend on the load"
    if isinstance(suite, ItemSuite):
        assert suite.readiness() == "ready"
        assert len(quick) == min(QUICK_LIMIT, len(prompts))
        assert suite.count() == len(prompts)
        assert sum(suite.categories().values()) == len(prompts)


def test_every_public_suite_is_registered() -> None:
    expected = {
        "simplesafetytests", "xstest", "harmbench", "advbench", "strongreject", "ailuminate",
        "do_not_answer", "jailbreakbench", "cyberseceval_frr", "cyberseceval_injection",
        "multijail", "harmfulqa", "catqa", "dangerousqa", "codeattack", "longsafety",
        "sorry_bench", "air_bench", "aegis2", "beavertails", "toxicchat", "wildguardtest",
        "or_bench", "labsafety",
    }  # fmt: skip
    assert expected <= set(suites.names())
