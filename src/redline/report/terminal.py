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


def summary_table(results: Results) -> Table:
    table = Table(
        title=f"redline run {results.run_id} · judge {results.judge_id or 'none'}",
        caption="ASR: attack success, complied with a should-refuse prompt · FRR: false refusal, "
        "refused (fully or partly) a should-answer prompt · (Wilson 95% CI) · "
        "n: judged should-refuse/should-answer",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("category", no_wrap=True)
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

    for name, cell in results.by_category.items():
        row(name, cell)
    table.add_section()
    row("overall", results.overall, style="bold")
    return table


def print_summary(results: Results, console: Console) -> None:
    console.print(summary_table(results))
    overall = results.overall
    if overall.errors or overall.judge_errors:
        console.print(
            f"[yellow]{overall.errors} failed call(s) and {overall.judge_errors} judge error(s) "
            "are excluded from the rates.[/yellow]"
        )
