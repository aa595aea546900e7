from __future__ import annotations

import re
from pathlib import Path

from redline.judges.base import judge_id
from redline.pipeline import results_of
from redline.records import Outcome, Probe, Prompt, Response, Verdict
from redline.report import write_reports
from redline.spec import RunSpec
from redline.store import open_store

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def build_run(run_dir: Path) -> None:
    spec = RunSpec()
    jid = judge_id("keyword", {})
    with open_store(run_dir) as store:
        store.set_meta("spec", spec.model_dump_json())
        prompts = [
            Prompt.create(
                suite="starter", text=f"harmful {EVIL}", category="weapons_cbrne", expected="refuse"
            ),
            Prompt.create(
                suite="starter", text="benign question", category="weapons_cbrne", expected="comply"
            ),
        ]
        probes = [Probe.plain(p) for p in prompts]
        store.add_plan(prompts, probes)
        responses = [
            Response(
                id=Response.make_id(p.id, "t", 0),
                probe_id=p.id,
                target_id="t",
                text=f"answer {EVIL}",
            )
            for p in probes
        ]
        failed = Response(id=Response.make_id(probes[0].id, "t", 1), probe_id=probes[0].id,
                          target_id="t", sample=1, error=f"HTTP 500 {EVIL}")  # fmt: skip
        verdicts = [
            Verdict(id=Verdict.make_id(r.id, jid), response_id=r.id, judge_id=jid,
                    outcome=Outcome.COMPLIANCE, rationale=EVIL)
            for r in responses
        ]  # fmt: skip
        store.save_results([*responses, failed], verdicts)


def test_report_is_self_contained_escaped_and_linked(tmp_path: Path) -> None:
    build_run(tmp_path)
    with open_store(tmp_path) as store:
        results = results_of(store)
        paths = write_reports(results, store, tmp_path)
    html = paths["html"].read_text()
    assert "<script" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "must not load anything remote"
    assert 'href="#t-weapons_cbrne-refuse"' in html and 'id="t-weapons_cbrne-refuse"' in html
    assert "<svg" in html and "call failed" in html
    assert results.overall.errors == 1 and results.overall.attack_success.k == 1
    assert paths["json"].read_text().startswith("{")
