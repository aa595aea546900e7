"""The `redline` command. Bad input is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console

from redline.cli.judge import judge_app
from redline.cli.mutators import mutators_app
from redline.cli.reports import register_report_commands
from redline.cli.run import register_run_command
from redline.cli.serve import register_serve_command
from redline.cli.suites import suites_app
from redline.errors import UserError

app = typer.Typer(
    name="redline",
    help="Measure how safely a language model behaves: attack success, refusal and "
    "false-refusal rates per risk category, with confidence intervals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
register_run_command(app)
register_report_commands(app)
register_serve_command(app)
app.add_typer(suites_app, name="suites")
app.add_typer(mutators_app, name="mutators")
app.add_typer(judge_app, name="judge")


@app.callback()
def options(
    offline: Annotated[
        bool, typer.Option("--offline", help="Never download: a missing dataset file is an error.")
    ] = False,
) -> None:
    """Measure how safely a language model behaves: attack success, refusal and
    false-refusal rates per risk category, with confidence intervals."""
    if offline:
        os.environ["REDLINE_OFFLINE"] = "1"


EXIT_USER_ERROR = 2


def main() -> None:
    try:
        app()
    except UserError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_USER_ERROR)
