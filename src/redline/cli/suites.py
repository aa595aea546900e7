"""`redline suites ...`: which prompt suites exist, how big they are, and what they ask."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from redline.suites.catalogue import sample, suite_row, suite_table

suites_app = typer.Typer(
    name="suites",
    help="Prompt suites: redline's starter set, public benchmarks and your own files.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _short(status: str) -> str:
    """The status without its explanation, which `suites show` and --json give in full."""
    return status.split(" (")[0].split(":")[0]


@suites_app.command("list")
def list_suites(as_json: JsonOption = False) -> None:
    """Every suite with its prompt count (read from the data), categories, licence and status."""
    rows = suite_table()
    if as_json:
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(box=None, header_style="bold")
    table.add_column("suite", no_wrap=True)
    for column in ("prompts", "refuse", "comply"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("licence", max_width=14, no_wrap=True)
    table.add_column("status", no_wrap=True)
    for row in rows:
        table.add_row(
            Text(row["name"], style="cyan"),
            _count(row["prompts"]),
            _count(row["refuse"]),
            _count(row["comply"]),
            Text(row.get("licence", "")),
            Text(_short(row["status"]), style="green" if row["status"] == "ready" else "yellow"),
        )
    Console().print(table)


@suites_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Suite name, as in `redline suites list`.")],
    n: Annotated[int, typer.Option("--n", "-n", help="How many prompts to show.")] = 5,
    seed: Annotated[int, typer.Option(help="Which sample to draw.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """A suite's description, source, prompts per category, and a sample of its prompts."""
    row = suite_row(name)
    prompts = sample(name, n, seed)
    if as_json:
        payload = {**row, "sample": [p.model_dump(mode="json") for p in prompts]}
        typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())
        return
    console = Console()
    console.print(Text(name, style="bold cyan"), Text(f"  {row['status']}"))
    for key in ("description", "licence", "source"):
        console.print(Text(f"{key}: ", style="bold"), Text(str(row.get(key, ""))), sep="")
    console.print(
        Text(
            f"prompts: {_count(row['prompts'])} "
            f"(refuse {_count(row['refuse'])}, comply {_count(row['comply'])})"
        )
    )
    categories = Table("category", "prompts", box=None, header_style="bold")
    for category, count in (row.get("categories") or {}).items():
        categories.add_row(Text(category), f"{count:,}")
    console.print(categories)
    for prompt in prompts:
        console.print(
            Text(f"\n[{prompt.category} | expected {prompt.expected}] {prompt.id}", style="bold")
        )
        for message in prompt.messages:
            console.print(Text(f"{message.role}: ", style="dim"), Text(message.content), sep="")
