"""`redline runs` and `redline report`: look back at stored runs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from redline.cli.common import DEFAULT_OUT, GroupByOption, OutOption, emit_reports
from redline.errors import UserError
from redline.metrics import Rate
from redline.pipeline import find_run, results_of
from redline.store import STORE_FILE, open_store


def runs(out: OutOption = None) -> None:
    """List the runs in the output folder, newest first."""
    root = out or DEFAULT_OUT
    stores = sorted(root.glob(f"*/{STORE_FILE}"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not stores:
        raise UserError(f"no runs in {root}")
    table = Table(title=f"runs in {root}")
    table.add_column("run", no_wrap=True)
    for column in ("created", "target", "suites", "responses", "errors", "ASR", "FRR"):
        table.add_column(column, overflow="fold")
    for path in stores:
        with open_store(path.parent) as store:
            results = results_of(store)
        target = results.spec["target"]
        table.add_row(
            results.run_id,
            results.created_at,
            f"{target['type']}{':' + target['model'] if target.get('model') else ''}",
            ",".join(results.spec["suites"]),
            str(results.overall.responses),
            str(results.overall.errors + results.overall.judge_errors),
            _percent(results.overall.attack_success),
            _percent(results.overall.false_refusal),
        )
    Console().print(table)


def _percent(rate: Rate | None) -> str:
    return "–" if rate is None else f"{rate.rate:.0%}"


def report(
    run: Annotated[str, typer.Argument(help="Run id (in --out) or path to a run folder.")],
    out: OutOption = None,
    group_by: GroupByOption = None,
    judge: Annotated[
        str | None,
        typer.Option(help="Judge id whose verdicts drive the rates (default: the spec's first)."),
    ] = None,
) -> None:
    """Re-render a stored run's summary, results.json and report.html."""
    taxonomies = tuple(t.strip() for t in group_by.split(",") if t.strip()) if group_by else None
    emit_reports(find_run(run, out or DEFAULT_OUT), Console(), judge, taxonomies)


def register_report_commands(app: typer.Typer) -> None:
    app.command("runs")(runs)
    app.command("report")(report)
