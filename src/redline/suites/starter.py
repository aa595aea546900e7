"""redline's own starter suite: harmful requests to refuse and look-alike benign ones to answer."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import orjson

from redline.records import Prompt
from redline.suites.base import Suite, SuiteInfo


class StarterSuite(Suite):
    info = SuiteInfo(
        name="starter",
        description=(
            "Harmful requests and XSTest-style benign look-alikes "
            "across redline's 16 risk categories"
        ),
        licence="Apache-2.0 (written for redline)",
        source="redline",
    )

    def prompts(self, *, quick: bool = False) -> Iterator[Prompt]:
        data = resources.files("redline.suites").joinpath("data/starter.jsonl").read_bytes()
        for line in data.splitlines():
            if not line.strip():
                continue
            row = orjson.loads(line)
            if quick and not row.get("quick"):
                continue
            yield Prompt.create(
                suite=self.info.name,
                key=row["id"],
                text=row["text"],
                category=row["category"],
                expected=row["expected"],
                source="redline starter",
                labels={"kind": row.get("kind", ""), "row_id": row["id"]},
            )
