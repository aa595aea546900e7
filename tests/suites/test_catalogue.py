"""`suites list` / `suites show` facts, and the typer commands that print them."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from redline.cli.suites import suites_app
from redline.errors import UserError
from redline.suites.catalogue import sample, suite_row, suite_table

app = typer.Typer()
app.add_typer(suites_app, name="suites")


def test_table_counts_from_the_data_without_network(real_data: Path) -> None:
    rows = {r["name"]: r for r in suite_table()}
    assert rows["xstest"] | {"categories": None} == {
        "name": "xstest",
        "prompts": 450,
        "refuse": 200,
        "comply": 250,
        "description": rows["xstest"]["description"],
        "licence": "CC-BY-4.0",
        "source": "https://github.com/paul-rottger/exaggerated-safety",
        "categories": None,
        "status": "ready",
    }
    assert sum(rows["xstest"]["categories"].values()) == 450
    assert rows["multijail"]["prompts"] == 3150
    assert rows["sorry_bench"]["status"] == "not downloaded (gated: needs HF_TOKEN)"
    assert rows["sorry_bench"]["prompts"] is None
    assert rows["toxicchat"]["status"] == "not downloaded"


def test_sample_is_spread_and_reproducible(real_data: Path) -> None:
    first = sample("xstest", 6, seed=3)
    assert [p.id for p in first] == [p.id for p in sample("xstest", 6, seed=3)]
    assert {p.expected for p in first} == {"refuse", "comply"}
    assert [p.id for p in first] != [p.id for p in sample("xstest", 6, seed=4)]
    with pytest.raises(UserError):
        sample("xstest", 0)


def test_unknown_suite_row_reports_the_error() -> None:
    row = suite_row("no_such_suite")
    assert row["status"].startswith("error: unknown suites 'no_such_suite'")


def test_cli_list_and_show(real_data: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["suites", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    names = {r["name"]: r for r in orjson.loads(listed.output)}
    assert names["harmbench"]["prompts"] == 400
    table = runner.invoke(app, ["suites", "list"], env={"COLUMNS": "160"})
    assert table.exit_code == 0 and "simplesafetytests" in table.output and "3,150" in table.output
    shown = runner.invoke(app, ["suites", "show", "harmbench", "-n", "2"], env={"COLUMNS": "160"})
    assert shown.exit_code == 0, shown.output
    assert (
        "centerforaisafety/HarmBench" in shown.output and shown.output.count("expected refuse") == 2
    )
    as_json = orjson.loads(runner.invoke(app, ["suites", "show", "xstest", "--json"]).output)
    assert len(as_json["sample"]) == 5 and as_json["prompts"] == 450
