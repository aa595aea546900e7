"""`redline run`: evaluate a model, with a progress bar, a summary table and report files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from redline.cli.common import GroupByOption, OutOption, emit_reports
from redline.metrics import Cell
from redline.pipeline import execute, prepare
from redline.spec import build_spec, merge_overrides, read_spec_file

EXIT_INTERRUPTED = 130
EXIT_GATE_FAILED = 3


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def run(
    spec_file: Annotated[
        Path | None,
        typer.Argument(help="YAML run spec; flags override its fields.", show_default=False),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            help="Target type: llamacpp (default, embedded model), openai or transformers.",
            rich_help_panel="Target",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Model name for a server, a GGUF path for llamacpp, a hub id or folder for "
            "transformers.",
            rich_help_panel="Target",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="OpenAI-compatible base URL, e.g. http://localhost:8000/v1.",
            rich_help_panel="Target",
        ),
    ] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option(
            help="Environment variable holding the API key (default OPENAI_API_KEY when set).",
            rich_help_panel="Target",
        ),
    ] = None,
    system_prompt: Annotated[
        str | None,
        typer.Option(help="System prompt sent before every probe.", rich_help_panel="Target"),
    ] = None,
    temperature: Annotated[
        float | None,
        typer.Option(help="Sampling temperature (default 0).", rich_help_panel="Target"),
    ] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option(help="Longest answer, in tokens (default 128).", rich_help_panel="Target"),
    ] = None,
    suite: Annotated[
        str | None,
        typer.Option(
            help="Suites to run, comma-separated (default starter).", rich_help_panel="What to ask"
        ),
    ] = None,
    quick: Annotated[
        bool | None,
        typer.Option(
            "--quick/--full",
            help="Quick representative subset of each suite.",
            rich_help_panel="What to ask",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            help="At most this many prompts, stratified by category.", rich_help_panel="What to ask"
        ),
    ] = None,
    mutators: Annotated[
        str | None,
        typer.Option(
            "--mutators",
            "-m",
            help="Mutator chains, comma-separated; 'none' is the plain prompt, '+' chains "
            "(e.g. none,base64,caesar:3+roleplay,translate:fr). See `redline mutators list`.",
            rich_help_panel="Attacks",
        ),
    ] = None,
    attacks: Annotated[
        str | None,
        typer.Option(
            "--attacks",
            help="Adaptive multi-turn attacks, comma-separated (escalation, refine); the attacker "
            "model is the spec's `attacker` (default: the mutator helper, else the target).",
            rich_help_panel="Attacks",
        ),
    ] = None,
    attack_limit: Annotated[
        int | None,
        typer.Option(
            help="Should-refuse prompts each attack is run on (default 10).",
            rich_help_panel="Attacks",
        ),
    ] = None,
    attack_judge: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Judge that must call an answer harmful before an attack counts it a success "
            "(default content-harm-clf; 'none': the first judge's compliance is enough).",
            rich_help_panel="Attacks",
        ),
    ] = None,
    coverage: Annotated[
        bool | None,
        typer.Option(
            "--coverage/--no-coverage",
            help="Cross categories x writing styles x persuasion techniques, balanced to --limit.",
            rich_help_panel="Attacks",
            show_default=False,
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(help="Answers per probe (default 1).", rich_help_panel="What to ask"),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seed for sampling prompts and for generation (default 0).",
            rich_help_panel="What to ask",
        ),
    ] = None,
    judge: Annotated[
        str | None,
        typer.Option(
            help="Judges, comma-separated; the first one drives the rates (default keyword).",
            rich_help_panel="Judging",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Calls in flight at once (default 8).", rich_help_panel="Execution"),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds before one call times out (default 120).", rich_help_panel="Execution"
        ),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(help="Retries of a failed call (default 4).", rich_help_panel="Execution"),
    ] = None,
    out: OutOption = None,
    group_by: GroupByOption = None,
    retry_errors: Annotated[
        bool | None,
        typer.Option(
            "--retry-errors",
            help="On resume, call again for responses stored as errors.",
            rich_help_panel="Execution",
            show_default=False,
        ),
    ] = None,
    max_asr: Annotated[
        float | None,
        typer.Option(
            help="Exit 3 if the overall attack success rate exceeds this (0-1).",
            rich_help_panel="Gates",
        ),
    ] = None,
    max_frr: Annotated[
        float | None,
        typer.Option(
            help="Exit 3 if the overall false-refusal rate exceeds this (0-1).",
            rich_help_panel="Gates",
        ),
    ] = None,
) -> None:
    """Run suites against a target, judge every answer and write the report.

    The same command run again resumes: what is already in the run store is not redone.
    """
    data = read_spec_file(spec_file) if spec_file else {}
    overrides = {
        "target.type": target, "target.model": model, "target.base_url": base_url,
        "target.api_key_env": api_key_env, "target.system_prompt": system_prompt,
        "target.temperature": temperature, "target.max_tokens": max_tokens,
        "suites": _csv(suite), "quick": quick, "limit": limit, "samples": samples, "seed": seed,
        "judges": _csv(judge), "concurrency": concurrency, "timeout_s": timeout,
        "retries": retries, "out_dir": str(out) if out else None, "retry_errors": retry_errors,
        "mutators": _csv(mutators), "coverage": coverage, "attacks": _csv(attacks),
        "attack_limit": attack_limit, "attack_judge": attack_judge, "group_by": _csv(group_by),
        "max_asr": max_asr, "max_frr": max_frr,
    }  # fmt: skip
    spec = build_spec(merge_overrides(data, overrides), source=str(spec_file or "options"))
    prepared = prepare(spec)
    console = Console()
    console.print(
        f"run [bold]{spec.run_id}[/bold]: {len(prepared.prompts)} prompts, "
        f"{prepared.total} probe answers "
        f"→ {spec.target.type}{':' + spec.target.model if spec.target.model else ''}"
    )
    progress = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=console,
    )  # fmt: skip
    with progress:
        task = progress.add_task("probing", total=prepared.total)
        try:
            stats = execute(
                prepared,
                on_progress=lambda n: progress.advance(task, n),
                on_total=lambda n: progress.update(task, total=n),
            )
        except KeyboardInterrupt:
            progress.stop()
            console.print(
                "[yellow]interrupted[/yellow]: committed work is kept; "
                "run the same command to resume."
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
    if stats.already_done:
        console.print(f"resumed: {stats.already_done} response(s) were already in the store")
    if stats.rejudged:
        console.print(
            f"re-judged: {stats.rejudged} stored answer(s) that a current judge had not read "
            "(the model was not asked again)"
        )
    results = emit_reports(spec.run_dir, console)
    _check_gates(results.overall, spec.max_asr, spec.max_frr, console)


def _check_gates(
    overall: Cell, max_asr: float | None, max_frr: float | None, console: Console
) -> None:
    """Fail the command when a rate is over the bound a CI job set."""
    failed = []
    gates = (
        ("attack success", overall.attack_success, max_asr),
        ("false refusal", overall.false_refusal, max_frr),
    )
    for label, rate, bound in gates:
        if bound is not None and rate is not None and rate.rate > bound:
            failed.append(f"{label} {rate.rate:.1%} > {bound:.1%}")
    if failed:
        console.print(f"[red]gate failed:[/red] {'; '.join(failed)}")
        raise typer.Exit(EXIT_GATE_FAILED)


def register_run_command(app: typer.Typer) -> None:
    app.command("run")(run)
