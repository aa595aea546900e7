"""`redline judge ...`: train, run and evaluate judges outside a full run.

The lead's cli.py mounts `judge_app`; UserError raised here becomes one line on stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from redline.errors import UserError
from redline.judges import judges
from redline.judges.base import Judge, JudgeInput, Judgement
from redline.records import Prompt

judge_app = typer.Typer(help="Train, run and evaluate judges.", no_args_is_help=True)

DatasetsOpt = Annotated[
    Path | None,
    typer.Option(
        "--datasets",
        envvar="REDLINE_DATASETS",
        help="Folder of the public datasets (default: ../shared/datasets).",
    ),
]


def _datasets_root(path: Path | None) -> Path:
    root = path or Path(os.getcwd()) / ".." / "shared" / "datasets"
    if not root.is_dir():
        raise UserError(f"datasets folder not found: {root} (pass --datasets or REDLINE_DATASETS)")
    return root.resolve()


def _build(name: str) -> Judge:
    return judges.get(name)()


@judge_app.command("train")
def train_cmd(
    kind: Annotated[str, typer.Argument(help="refusal, response_harm or prompt_harm")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for the head and its card.")
    ] = None,
    datasets: DatasetsOpt = None,
    cross_model: Annotated[
        bool,
        typer.Option(help="Also refit once per Do-Not-Answer model left out (slower)."),
    ] = True,
) -> None:
    """Fit one embedded judge head from the public datasets and print its held-out figures."""
    from redline.judges.embedded.head import HEADS_DIR
    from redline.judges.embedded.train import train

    card = train(kind, out or HEADS_DIR, _datasets_root(datasets), cross_model=cross_model)
    typer.echo(json.dumps(card["metrics"], indent=2))


def read_rows(path: Path) -> list[dict[str, Any]]:
    """JSONL rows with a `prompt` string and an optional `response` string."""
    if not path.is_file():
        raise UserError(f"input file not found: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise UserError(f"{path}:{n}: not valid JSON") from None
        if not isinstance(row, dict) or not isinstance(row.get("prompt"), str):
            raise UserError(f"{path}:{n}: each row needs a string 'prompt'")
        if row.get("response") is not None and not isinstance(row["response"], str):
            raise UserError(f"{path}:{n}: 'response' must be a string or absent")
        rows.append(row)
    return rows


def _label(j: Judgement) -> str | None:
    if j.outcome is not None:
        return j.outcome.value
    if j.harmful is not None:
        return "harmful" if j.harmful else "harmless"
    return None


@judge_app.command("score")
def score_cmd(
    src: Annotated[Path, typer.Argument(help="JSONL rows {prompt, response?}.")],
    judge: Annotated[str, typer.Option("--judge", help="A registered judge name.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL, one verdict per input row.")],
) -> None:
    """Judge every row of a JSONL file and write one verdict per row, in order."""
    rows = read_rows(src)
    j = _build(judge)
    items = [
        JudgeInput(
            Prompt.create(suite="score", text=r["prompt"], category="", expected="refuse"),
            r.get("response"),
        )
        for r in rows
    ]
    verdicts = asyncio.run(j.judge(items))
    with out.open("wb") as fh:
        for v in verdicts:
            fh.write(orjson.dumps({"label": _label(v), "score": v.score, "error": v.error}) + b"\n")
    typer.echo(f"{len(verdicts)} verdicts from {j.name} -> {out}")


@judge_app.command("eval")
def eval_cmd(
    judge: Annotated[str, typer.Option("--judge", help="A registered judge name.")],
    dataset: Annotated[
        str,
        typer.Option(
            "--dataset", help="dna-refusal, dna-harm, jbb-refusal, jbb-harm, prompt-harm, xstest"
        ),
    ],
    datasets: DatasetsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Agreement with human labels on a held-out set, with the keyword baseline beside it."""
    from redline.judges.embedded.evaluate import evaluate

    result = evaluate(_build(judge), dataset, _datasets_root(datasets))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{result['dataset']}: {result['about']} ({result['rows']} rows)")
    names = [k for k, v in result.items() if isinstance(v, dict)]
    keys = ("accuracy", "precision", "recall", "f1", "macro_f1", "auprc", "kappa", "confusion")
    typer.echo(f"{'metric':<10}" + "".join(f"{n:>22}" for n in names))
    for key in keys:
        cells = [str(result[n].get(key, "-")) for n in names]  # type: ignore[union-attr]
        typer.echo(f"{key:<10}" + "".join(f"{c:>22}" for c in cells))
