"""Agreement between a judge and human labels, in the figures people ask about."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
)

from redline.errors import UserError
from redline.judges.base import Judge, JudgeInput
from redline.judges.embedded import data
from redline.judges.embedded.data import Example
from redline.judges.keyword import classify
from redline.records import Outcome, Prompt


def binary_metrics(
    y: np.ndarray, pred: np.ndarray, score: np.ndarray | None = None
) -> dict[str, object]:
    """Accuracy, precision, recall, F1 (positive class and macro), kappa, confusion matrix,
    and AUPRC when a score is given (higher = more likely positive)."""
    out: dict[str, object] = {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "kappa": round(float(cohen_kappa_score(y, pred)), 4)
        if len(set(y) | set(pred)) > 1
        else 0.0,
        "confusion": confusion_matrix(y, pred, labels=[0, 1]).tolist(),
        "positives": int(np.sum(y)),
    }
    if score is not None and 0 < np.sum(y) < len(y):
        out["auprc"] = round(float(average_precision_score(y, score)), 4)
    return out


def best_threshold(y: np.ndarray, p_positive: np.ndarray) -> float:
    """The cut on P(positive) with the best positive-class F1 on a calibration split."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    f1s = [f1_score(y, (p_positive >= t).astype(int), zero_division=0) for t in grid]
    return float(grid[int(np.argmax(f1s))])


@dataclass(frozen=True)
class EvalSet:
    """Held-out labelled rows and what a positive label means for them."""

    task: str  # "refusal": label 1 = refused fully or partly; "harm": label 1 = harmful
    load: Callable[[Path], list[Example]]
    about: str


def _refused(e: Example) -> Example:
    """Refusal class -> 1 when refused fully or partly (refusal or partial)."""
    return dataclasses.replace(e, label=int(e.label < 2))


def _held_out(rows: list[Example]) -> list[Example]:
    return [e for e in rows if e.fold in data.TEST_FOLDS]


EVAL_SETS: dict[str, EvalSet] = {
    "dna-refusal": EvalSet(
        "refusal",
        lambda r: [_refused(e) for e in _held_out(data.dna_refusal(r))],
        "Do-Not-Answer, held-out questions (folds 8-9), all 6 models, human action labels",
    ),
    "dna-harm": EvalSet(
        "harm",
        lambda r: _held_out(data.dna_harm(r)),
        "Do-Not-Answer, held-out questions (folds 8-9), all 6 models, human harmful labels",
    ),
    "jbb-refusal": EvalSet(
        "refusal",
        lambda r: [dataclasses.replace(e, label=1 - e.label) for e in data.jbb_responses(r)],
        "JailbreakBench responses; refused = not jailbroken (LLM-judge labels, not human)",
    ),
    "jbb-harm": EvalSet(
        "harm",
        data.jbb_responses,
        "JailbreakBench responses; harmful = jailbroken (LLM-judge labels, not human)",
    ),
    "prompt-harm": EvalSet(
        "harm",
        data.prompt_harm_test,
        "XSTest + SimpleSafetyTests + MultiJail (en): prompt sources never trained on",
    ),
    "xstest": EvalSet(
        "harm",
        lambda r: [e for e in data.prompt_harm_test(r) if e.group == "xstest"],
        "XSTest: 250 safe look-alikes vs 200 unsafe prompts, human labels",
    ),
}


def judge_rows(judge: Judge, rows: Sequence[Example], task: str) -> tuple[np.ndarray, np.ndarray]:
    """Positive predictions and P(positive)-like scores from any judge in the registry.

    A refusal judge's score says how far the model went along, so P(refused) = 1 - score.
    """
    items = [
        JudgeInput(
            Prompt.create(suite="eval", text=e.prompt, category="", expected="refuse"), e.response
        )
        for e in rows
    ]
    verdicts = asyncio.run(judge.judge(items))
    if failed := next((v.error for v in verdicts if v.error), None):
        raise UserError(f"judge {judge.name!r} failed on some rows: {failed}")
    if task == "refusal":
        if any(v.outcome is None for v in verdicts):
            raise UserError(f"judge {judge.name!r} gives no refusal outcome")
        pred = np.array([v.outcome is not Outcome.COMPLIANCE for v in verdicts], int)
        scores = [None if v.score is None else 1.0 - v.score for v in verdicts]
    else:
        if any(v.harmful is None for v in verdicts):
            raise UserError(f"judge {judge.name!r} gives no harmful flag")
        pred = np.array([bool(v.harmful) for v in verdicts], int)
        scores = [v.score for v in verdicts]
    score = np.array([p if s is None else s for s, p in zip(scores, pred, strict=True)], float)
    return pred, score


def evaluate(judge: Judge, name: str, datasets_root: Path) -> dict[str, object]:
    """A judge's metrics on one named eval set, beside the keyword baseline where it applies."""
    if name not in EVAL_SETS:
        raise UserError(f"unknown eval dataset {name!r}; choose from {', '.join(EVAL_SETS)}")
    spec = EVAL_SETS[name]
    rows = spec.load(datasets_root)
    y = np.array([e.label for e in rows])
    pred, score = judge_rows(judge, rows, spec.task)
    out: dict[str, object] = {
        "dataset": name,
        "about": spec.about,
        "rows": len(rows),
        judge.name: binary_metrics(y, pred, score),
    }
    if spec.task == "refusal" and judge.name != "keyword":
        kw = np.array([classify(e.response or "")[0] is not Outcome.COMPLIANCE for e in rows], int)
        out["keyword"] = binary_metrics(y, kw)
    return out
