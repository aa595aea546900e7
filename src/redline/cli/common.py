"""Pieces the CLI commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from redline.metrics import Results
from redline.pipeline import results_of
from redline.report import print_summary, write_reports
from redline.store import open_store

DEFAULT_OUT = Path("redline-runs")

GroupByOption = Annotated[
    str | None,
    typer.Option(
        "--group-by",
        help="Also group rates by these taxonomies, comma-separated "
        "(default ailuminate,llama_guard_3; see redline/taxonomy/data).",
        show_default=False,
    ),
]

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", help=f"Folder holding run folders (default {DEFAULT_OUT}).", show_default=False
    ),
]


def emit_reports(
    run_dir: Path,
    console: Console,
    judge_id: str | None = None,
    group_by: tuple[str, ...] | None = None,
) -> Results:
    """Tabulate a stored run, print the summary and (re)write results.json and report.html."""
    with open_store(run_dir) as store:
        results = results_of(store, judge_id, group_by)
        paths = write_reports(results, store, run_dir)
    print_summary(results, console)
    console.print(f"report: {paths['html']}\nresults: {paths['json']}")
    return results
