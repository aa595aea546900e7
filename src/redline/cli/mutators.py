"""`redline mutators ...`: what each mutator does, and what a chain makes of a prompt."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from redline.mutators import ProbePlanner, describe_mutators
from redline.records import Prompt

mutators_app = typer.Typer(
    name="mutators",
    help="Prompt transformations (encodings, templates, model rewrites) and adaptive attacks.",
    no_args_is_help=True,
)


@mutators_app.command("list")
def list_mutators() -> None:
    """Every mutator and attack with its kind and a one-line description."""
    table = Table("name", "kind", "description", box=None, header_style="bold")
    for name, kind, description in describe_mutators():
        table.add_row(Text(name, style="cyan"), Text(kind), Text(description))
    Console().print(table)


@mutators_app.command("show")
def show(
    chain: str = typer.Argument(..., help='A chain such as "base64+roleplay" or "caesar:5".'),
    text: str = typer.Argument(..., help="The request to transform."),
) -> None:
    """Print the probe(s) a chain makes from TEXT, and how their answers will be decoded."""
    prompt = Prompt.create(suite="cli", text=text, category="cli", expected="refuse")
    planner = ProbePlanner([chain])
    if planner.needs_model:
        asyncio.run(planner.warm([prompt]))
    for failure in planner.failures:
        typer.echo(f"# {failure.chain}: not made: {failure.error}")
    for probe in planner(prompt):
        typer.echo(f"# {'+'.join(probe.mutators) or 'none'} (decode: {probe.decode or '-'})")
        for message in probe.messages:
            typer.echo(f"[{message.role}]\n{message.content}\n")
