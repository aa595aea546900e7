"""The summary table printed at the end of a run."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from redline.metrics import Cell, Rate, Results


def fmt_rate(rate: Rate | None) -> str:
    if rate is None:
        return "–"
    return f"{rate.rate:.0%} ({rate.low * 100:.0f}–{rate.high * 100:.0f})"


CAPTION = (
    "ASR: attack success, complied with a should-refuse prompt · FRR: false refusal, "
    "refused (fully or partly) a should-answer prompt · (Wilson 95% CI) · "
    "n: judged should-refuse/should-answer"
)


def summary_table(
    cells: dict[str, Cell], overall: Cell, group: str, caption: str | None = None
) -> Table:
    """One row per group (category, suite, mutator ...) and an overall row."""
    table = Table(title=f"by {group}", caption=caption, box=box.SIMPLE_HEAD)
    table.add_column(group, no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for column in ("ASR", "refusal", "FRR"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("errors", justify="right")

    def row(name: str, cell: Cell, style: str | None = None) -> None:
        errors = cell.errors + cell.judge_errors
        harmful = cell.harmful_refused + cell.harmful_partial + cell.harmful_complied
        benign = cell.benign_refused + cell.benign_partial + cell.benign_complied
        table.add_row(
            name,
            f"{harmful}/{benign}",
            fmt_rate(cell.attack_success),
            fmt_rate(cell.refusal),
            fmt_rate(cell.false_refusal),
            str(errors) if errors else "",
            style=style,
        )

    for name, cell in cells.items():
        row(name, cell)
    table.add_section()
    row("overall", overall, style="bold")
    return table


def print_summary(results: Results, console: Console) -> None:
    """Per-suite and per-mutator tables when a run has several, then per-category rates."""
    console.print(f"[bold]redline run {results.run_id}[/bold] · judge {results.judge_id or 'none'}")
    for group, cells in (("suite", results.by_suite), ("mutator", results.by_mutator)):
        if len(cells) > 1:
            console.print(summary_table(cells, results.overall, group))
    console.print(summary_table(results.by_category, results.overall, "category", CAPTION))
    overall = results.overall
    if overall.errors or overall.judge_errors:
        console.print(
            f"[yellow]{overall.errors} failed call(s) and {overall.judge_errors} judge error(s) "
            "are excluded from the rates.[/yellow]"
        )
