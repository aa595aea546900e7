"""HarmBench text behaviours: standard, contextual and copyright (Mazeika et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose
from redline.suites.readers import csv_rows, need

SPLITS = {
    "val": "data/behavior_datasets/harmbench_behaviors_text_val.csv",
    "test": "data/behavior_datasets/harmbench_behaviors_text_test.csv",
}
FUNCTIONAL = ("standard", "contextual", "copyright")
COLUMNS = (
    "Behavior",
    "FunctionalCategory",
    "SemanticCategory",
    "Tags",
    "ContextString",
    "BehaviorID",
)


def behaviour_text(behaviour: str, context: str) -> str:
    """A contextual behaviour travels with its context: the document first, then the request."""
    return f"{context}\n\n---\n\n{behaviour}" if context.strip() else behaviour


class HarmBench(DatasetSuite):
    info = SuiteInfo(
        name="harmbench",
        description="400 harmful text behaviours (val 80 + test 320): 200 standard, 100 contextual "
        "(sent with their context document) and 100 copyright requests",
        licence="MIT",
        source="https://github.com/centerforaisafety/HarmBench",
    )
    dataset = "harmbench"

    def __init__(
        self,
        *,
        splits: Sequence[str] = tuple(SPLITS),
        functional: Sequence[str] = FUNCTIONAL,
        offline: bool | None = None,
    ) -> None:
        super().__init__(offline=offline)
        self.splits = choose(self.info.name, "split", splits, SPLITS)
        self.functional = frozenset(choose(self.info.name, "kind", functional, FUNCTIONAL))

    def required_files(self) -> Sequence[str]:
        return [SPLITS[s] for s in self.splits]

    def items(self) -> Iterator[Item]:
        for split in self.splits:
            path = self.file(SPLITS[split])
            for number, row in csv_rows(path, COLUMNS):
                if row["FunctionalCategory"] not in self.functional:
                    continue
                behaviour = need(row, "Behavior", path, number)
                yield Item(
                    key=need(row, "BehaviorID", path, number),
                    text=behaviour_text(behaviour, row["ContextString"] or ""),
                    categories=(row["SemanticCategory"],),
                    labels={
                        "BehaviorID": row["BehaviorID"],
                        "Behavior": behaviour,
                        "FunctionalCategory": row["FunctionalCategory"],
                        "SemanticCategory": row["SemanticCategory"],
                        "Tags": row["Tags"],
                        "split": split,
                    },
                    source=f"harmbench/{SPLITS[split]}",
                    about=behaviour,
                )
