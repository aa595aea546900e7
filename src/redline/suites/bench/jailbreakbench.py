"""JailbreakBench artifacts: jailbreak prompts that published attacks found (Chao et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose
from redline.suites.download import source
from redline.suites.readers import json_document

DATASET = "jailbreakbench_artifacts"


def _artifact_files() -> list[str]:
    return [p for p in source(DATASET).files if p.startswith("attack-artifacts/")]


def methods() -> list[str]:
    return sorted({p.split("/")[1] for p in _artifact_files()})


class JailbreakBench(DatasetSuite):
    """One prompt per distinct jailbreak text of a method; the models it was made for are labels.

    An attack that found no jailbreak for a behaviour leaves no prompt (the artifact stores
    null), so counts differ by method. `jailbroken_on` lists the models the JailbreakBench
    judge (an LLM, not a person) found broken by that prompt.
    """

    info = SuiteInfo(
        name="jailbreakbench",
        description="Jailbreak prompts from the JailbreakBench artifacts (PAIR, GCG, JBC, DSN, "
        "random search) for its 100 harmful behaviours, deduplicated per attack method",
        licence="MIT",
        source="https://github.com/JailbreakBench/artifacts",
    )
    dataset = DATASET

    def __init__(self, *, methods: Sequence[str] | None = None, offline: bool | None = None):
        super().__init__(offline=offline)
        self.methods = _select_methods(methods)

    def required_files(self) -> Sequence[str]:
        return [p for p in _artifact_files() if p.split("/")[1] in self.methods]

    def items(self) -> Iterator[Item]:
        merged: dict[tuple[str, str], Item] = {}
        for path in self.required_files():
            document = json_document(self.file(path))
            params = document["parameters"]
            for jb in document["jailbreaks"]:
                if not jb.get("prompt"):
                    continue
                key = (params["method"], jb["prompt"])
                if key not in merged:
                    merged[key] = _item(params, jb, f"{DATASET}/{path}")
                labels = merged[key].labels
                labels["targets"].append(params["model"])
                if jb.get("jailbroken"):
                    labels["jailbroken_on"].append(params["model"])
        yield from merged.values()


def _item(params: dict[str, Any], jb: dict[str, Any], file: str) -> Item:
    return Item(
        key=f"{params['method']}:{jb['index']}:{jb['prompt']}",
        text=jb["prompt"],
        categories=(jb["category"],),
        labels={
            "method": params["method"],
            "attack_type": params["attack_type"],
            "index": jb["index"],
            "goal": jb["goal"],
            "behavior": jb["behavior"],
            "category": jb["category"],
            "targets": [],
            "jailbroken_on": [],
        },
        source=file,
        about=jb["goal"],
    )


def _select_methods(wanted: Sequence[str] | None) -> frozenset[str]:
    known = methods()
    if wanted is None:
        return frozenset(known)
    return frozenset(choose("jailbreakbench", "method", wanted, known))
