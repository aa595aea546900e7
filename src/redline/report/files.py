"""Write a run's report files: results.json for machines, report.html for people."""

from __future__ import annotations

from pathlib import Path

from redline.metrics import Results
from redline.report.html import render_html
from redline.store import RunStore

RESULTS_FILE = "results.json"
HTML_FILE = "report.html"


def write_reports(results: Results, store: RunStore, run_dir: Path) -> dict[str, Path]:
    """Both files, each replaced atomically so a reader never sees half a report."""
    paths = {"json": run_dir / RESULTS_FILE, "html": run_dir / HTML_FILE}
    _write_atomic(paths["json"], results.model_dump_json(indent=2))
    _write_atomic(paths["html"], render_html(results, store))
    return paths


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
