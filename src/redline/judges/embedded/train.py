"""Train the embedded judges' heads from the public datasets, reproducibly.

Every head is fitted on one split, has its threshold picked on another, and is scored on
rows it never saw (other models' responses, other datasets' prompts). The figures go into
a JSON card beside the weights, so what ships says how well it does and on what.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from redline.errors import UserError
from redline.judges.embedded import data
from redline.judges.embedded.encoder import ENCODER_ID, shared_encoder
from redline.judges.embedded.evaluate import best_threshold, binary_metrics
from redline.judges.embedded.features import Featurizer, View, field_text
from redline.judges.embedded.head import FoldedHead, Head, KernelHead, LinearHead
from redline.judges.keyword import classify
from redline.records import Outcome

SEED = 0


Split = tuple[list[data.Example], list[data.Example], dict[str, list[data.Example]]]


@dataclass(frozen=True)
class Folding:
    """Fine labels a linear head is trained on, and the recipe class each is summed into."""

    classes: tuple[str, ...]
    groups: tuple[int, ...]


@dataclass(frozen=True)
class Recipe:
    """What one head reads, which classes it predicts and how hard it is regularised.

    A recipe with no featurizer trains a kernel head over sentence embeddings of `field`.
    A cross-fitted recipe has no calibration split: its cut comes from out-of-fold
    predictions over the fit folds, and the head is then fitted on all of them.
    """

    featurizer: Featurizer | None
    classes: tuple[str, ...]
    c: float
    split: Callable[[Path], Split]
    positive: Callable[[np.ndarray], np.ndarray]  # labels -> 1 for the positive class
    own_weight: float = 1.0  # sample weight of hand-written rows (group "own")
    field: str = "prompt"
    folding: Folding | None = None
    cross_fit: bool = False

    def describe(self) -> dict[str, object]:
        if self.featurizer is None:
            return {"encoder": ENCODER_ID, "field": self.field}
        fine = {"fine_classes": list(self.folding.classes)} if self.folding else {}
        return self.featurizer.to_dict() | fine


def _dna_split(
    rows: list[data.Example], calibration: tuple[int, ...] = data.CALIBRATION_FOLDS
) -> Split:
    """Split by question, so no test question was seen with any model's answer (a
    cross-fitted recipe passes no calibration folds: it fits on every other question)."""
    return (
        [e for e in rows if e.fold not in (*calibration, *data.TEST_FOLDS)],
        [e for e in rows if e.fold in calibration],
        {"held_out_questions": [e for e in rows if e.fold in data.TEST_FOLDS]},
    )


def _with_own(split: Split, own: list[data.Example]) -> Split:
    """Hand-written rows join the fitting set only: thresholds and tests stay public data."""
    fit, calib, tests = split
    return [*fit, *own], calib, tests


def _prompt_split(root: Path) -> Split:
    """Fit on 80% of the training sources, pick the threshold on the other 20%, test on
    datasets never trained on."""
    rows = data.prompt_harm_train(root)
    rng = np.random.default_rng(SEED)
    calib = rng.random(len(rows)) < 0.2
    fit = [e for e, c in zip(rows, calib, strict=True) if not c]
    cal = [e for e, c in zip(rows, calib, strict=True) if c]
    test = data.prompt_harm_test(root)
    return fit, cal, {"unseen_sources": test, "xstest": [e for e in test if e.group == "xstest"]}


# Refusals sit in the opening (char and word n-grams there); whether help follows shows in
# the whole answer; and what was asked shapes how an answer should be read.
_REFUSAL_VIEWS = (
    View("response", "char_wb", (2, 5), 18, head_chars=400),
    View("response", "word", (1, 3), 18, head_chars=600),
    View("response", "word", (1, 2), 17, head_chars=3000),
    View("prompt", "word", (1, 2), 16),
)

_ACTION_CLASS = tuple(data.REFUSAL_CLASS[a] for a in range(len(data.ACTION_NAMES)))

RECIPES: dict[str, Recipe] = {
    "refusal": Recipe(
        Featurizer(_REFUSAL_VIEWS, shape=True),
        data.REFUSAL_NAMES,
        c=3.0,
        split=lambda root: _with_own(
            _dna_split(data.dna_actions(root), calibration=()), data.own_responses()
        ),
        positive=lambda y: (np.array(_ACTION_CLASS)[y] < 2).astype(int),  # refused at all
        own_weight=3.0,
        folding=Folding(data.ACTION_NAMES, _ACTION_CLASS),
        cross_fit=True,
    ),
    "response_harm": Recipe(
        Featurizer(
            (
                View("response", "word", (1, 2), 18, head_chars=1500),
                View("prompt", "word", (1, 2), 16),
            ),
            shape=True,
        ),
        ("harmless", "harmful"),
        c=3.0,
        split=lambda root: _dna_split(data.dna_harm(root)),
        positive=lambda y: y,
    ),
    # Harmful and benign prompts share their words ("kill a process"), so the prompt head
    # reads meaning: an RBF-kernel SVM over MiniLM sentence embeddings.
    "prompt_harm": Recipe(
        None,
        ("harmless", "harmful"),
        c=3.0,
        split=_prompt_split,
        positive=lambda y: y,
    ),
}


def _weights(recipe: Recipe, rows: Sequence[data.Example]) -> np.ndarray:
    return np.array([recipe.own_weight if e.group == "own" else 1.0 for e in rows])


def _fit(recipe: Recipe, rows: Sequence[data.Example]) -> LogisticRegression:
    assert recipe.featurizer is not None
    x = recipe.featurizer.transform([e.pair for e in rows])
    y = np.array([e.label for e in rows])
    # newton-cg: the optimum lbfgs finds, on these wide sparse rows in a quarter of the time
    clf = LogisticRegression(C=recipe.c, max_iter=5000, class_weight="balanced", solver="newton-cg")
    return clf.fit(x, y, sample_weight=_weights(recipe, rows))


def _fit_kernel(
    recipe: Recipe, rows: Sequence[data.Example], gamma: float | None = None
) -> KernelHead:
    """An RBF-kernel SVM on embeddings (gamma: scikit-learn's "scale" unless given)."""
    x = shared_encoder().encode([field_text(e.pair, recipe.field) for e in rows])
    gamma = gamma or float(1.0 / (x.shape[1] * x.var()))
    svm = SVC(C=recipe.c, kernel="rbf", gamma=gamma, class_weight="balanced")
    svm.fit(x, [e.label for e in rows], sample_weight=_weights(recipe, rows))
    return KernelHead(
        recipe.field,
        recipe.classes,
        svm.support_vectors_.astype(np.float32),
        svm.dual_coef_[0].astype(np.float32),
        float(svm.intercept_[0]),
        gamma,
        (1.0, 0.0),
        0.5,
    )


def _kernel_head(
    recipe: Recipe, rows: Sequence[data.Example], calib: Sequence[data.Example]
) -> KernelHead:
    """The SVM's scores mapped to probabilities (Platt) on `calib` with balanced classes,
    so 0.5 means as likely harmful as not whatever the mix."""
    head = _fit_kernel(recipe, rows)
    scores = head.decision([e.pair for e in calib])[:, None]
    platt = LogisticRegression(class_weight="balanced").fit(scores, [e.label for e in calib])
    return dataclasses.replace(head, platt=(float(platt.coef_[0, 0]), float(platt.intercept_[0])))


def p_positive(kind: str, head: Head, rows: Sequence[data.Example]) -> np.ndarray:
    """P(positive class): P(refused fully or partly) = 1 - P(compliance) for refusal,
    P(harmful) otherwise."""
    p_last = head.proba([e.pair for e in rows])[:, -1]
    return 1.0 - p_last if kind == "refusal" else p_last


def head_threshold(kind: str, cut: float) -> float:
    """Heads store their cut on the last class: P(compliance) for refusal."""
    return round(1.0 - cut, 2) if kind == "refusal" else cut


def _keyword(kind: str, rows: Sequence[data.Example]) -> np.ndarray | None:
    if kind != "refusal":
        return None
    return np.array([classify(e.response or "")[0] is not Outcome.COMPLIANCE for e in rows], int)


def _head(recipe: Recipe, rows: Sequence[data.Example], threshold: float) -> Head:
    """A linear head, folded into the recipe's classes when it learns finer ones."""
    assert recipe.featurizer is not None
    clf = _fit(recipe, rows)
    folding = recipe.folding
    classes = folding.classes if folding else recipe.classes
    linear = LinearHead.from_sklearn(
        recipe.featurizer, classes, clf.coef_, clf.intercept_, threshold
    )
    return FoldedHead(linear, recipe.classes, folding.groups, threshold) if folding else linear


def _cross_fitted(
    kind: str, recipe: Recipe, fit: list[data.Example]
) -> tuple[Head, float, dict[str, object]]:
    """Pick the cut on out-of-fold predictions (each question fold scored by a head fitted
    on the others; hand-written rows always fit), then fit once on every row."""
    held: list[data.Example] = []
    scores = []
    for fold in sorted({e.fold for e in fit if e.group != "own"}):
        rows = [e for e in fit if e.group != "own" and e.fold == fold]
        head = _head(recipe, [e for e in fit if e.group == "own" or e.fold != fold], 0.5)
        held += rows
        scores.append(p_positive(kind, head, rows))
    p = np.concatenate(scores)
    cut = best_threshold(recipe.positive(np.array([e.label for e in held])), p)
    head = _head(recipe, fit, head_threshold(kind, cut))
    return head, cut, {"out_of_fold": _agreement(kind, recipe, held, p, cut)}


def _calibrated(
    kind: str, recipe: Recipe, fit: list[data.Example], calib: list[data.Example]
) -> tuple[Head, float, dict[str, object]]:
    """Fit on `fit`, pick the cut on `calib`; a kernel head is then refitted on both."""
    head = _head(recipe, fit, 0.5) if recipe.featurizer else _kernel_head(recipe, fit, calib)
    y_cal = recipe.positive(np.array([e.label for e in calib]))
    cut = best_threshold(y_cal, p_positive(kind, head, calib))
    head = dataclasses.replace(head, threshold=head_threshold(kind, cut))
    metrics = {"calibration": _scores(kind, recipe, head, calib, cut)}
    if isinstance(head, KernelHead):  # refit on every row, keeping the Platt map and cut
        refit = _fit_kernel(recipe, [*fit, *calib], head.gamma)
        head = dataclasses.replace(head, vectors=refit.vectors, coef=refit.coef,
                                   intercept=refit.intercept)  # fmt: skip
    return head, cut, metrics


def _scores(
    kind: str, recipe: Recipe, head: Head, rows: Sequence[data.Example], cut: float
) -> dict[str, object]:
    return _agreement(kind, recipe, rows, p_positive(kind, head, rows), cut)


def _agreement(
    kind: str, recipe: Recipe, rows: Sequence[data.Example], p: np.ndarray, cut: float
) -> dict[str, object]:
    """P(positive) cut at `cut` against the labels, with the keyword baseline beside it."""
    y = recipe.positive(np.array([e.label for e in rows]))
    out: dict[str, object] = {
        "rows": len(rows),
        "embedded": binary_metrics(y, (p >= cut).astype(int), p),
    }
    kw = _keyword(kind, rows)
    if kw is not None:
        out["keyword"] = binary_metrics(y, kw)
    return out


def _leave_one_model_out(
    kind: str, recipe: Recipe, fit: list[data.Example], rows: list[data.Example], cut: float
) -> dict[str, object]:
    """Refit without each Do-Not-Answer model and score that model's answers to the test
    questions: how the head does on a model it has never read."""
    per_model = {}
    for model in data.DNA_MODELS:
        head = _head(recipe, [e for e in fit if e.group != model], cut)
        per_model[model] = _scores(kind, recipe, head, [e for e in rows if e.group == model], cut)
    return per_model


def train(
    kind: str, out_dir: Path, datasets_root: Path, cross_model: bool = True
) -> dict[str, object]:
    """Fit one head, save `<kind>.npz` and `<kind>.json` (its card) in out_dir; return the card.

    For the Do-Not-Answer heads, `cross_model` also refits once per model left out (slow:
    about a minute each) and records how each held-out model is judged.
    """
    if kind not in RECIPES:
        raise UserError(f"unknown judge kind {kind!r}; choose from {', '.join(RECIPES)}")
    recipe = RECIPES[kind]
    started = time.monotonic()
    fit, calib, tests = recipe.split(datasets_root)
    if recipe.cross_fit:
        head, cut, metrics = _cross_fitted(kind, recipe, fit)
    else:
        head, cut, metrics = _calibrated(kind, recipe, fit, calib)
    metrics |= {name: _scores(kind, recipe, head, rows, cut) for name, rows in tests.items()}
    if cross_model and "held_out_questions" in tests:
        metrics["leave_one_model_out"] = _leave_one_model_out(
            kind, recipe, fit, tests["held_out_questions"], cut
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    head.save(out_dir / f"{kind}.npz")
    card = {
        "kind": kind,
        "classes": list(recipe.classes),
        "threshold": head.threshold,
        "featurizer": recipe.describe(),
        "model": {
            "type": "logistic regression" if recipe.featurizer else "RBF-kernel SVM, Platt",
            "cut_from": "out-of-fold predictions" if recipe.cross_fit else "calibration split",
            "C": recipe.c,
            "class_weight": "balanced",
            "hand_written_weight": recipe.own_weight,
        },
        "data": {
            "fit_rows": len(fit),
            "calibration_rows": len(calib),
            "sources": sorted({e.group for e in fit}),
        },
        "split": _SPLITS[kind],
        "label_mapping": _MAPPINGS[kind],
        "command": f"redline judge train {kind}",
        "metrics": metrics,
        "train_seconds": round(time.monotonic() - started, 1),
    }
    (out_dir / f"{kind}.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


_DNA_SPLIT = (
    "Do-Not-Answer split by question (stable hash into 10 folds): fit 0-6, threshold 7, "
    "test 8-9. leave_one_model_out refits without each model and tests it on folds 8-9."
)
_SPLITS = {
    "refusal": "Do-Not-Answer split by question (stable hash into 10 folds): fit 0-7, test "
    "8-9. The cut comes from out-of-fold predictions over folds 0-7 (each fold scored by a "
    "head fitted on the other seven), then the head is fitted on all of 0-7. "
    "leave_one_model_out refits without each model and tests it on folds 8-9. Hand-written "
    "rows (data/refusal_own.jsonl) always join the fit.",
    "response_harm": _DNA_SPLIT,
    "prompt_harm": f"Training sources split 80/20 at random (seed {SEED}): SVM fitted on 80%, "
    "Platt map and threshold on 20% (its metrics), then the SVM refitted on all rows; "
    "test on XSTest, SimpleSafetyTests and MultiJail (en), never trained on.",
}
_MAPPINGS = {
    "refusal": "Fitted on Do-Not-Answer's six action codes (hand-written rows: refusal -> 0, "
    "partial -> 1, compliance -> 5), summed into action 0,4 -> refusal; 1 -> partial; "
    "2,3,5 -> compliance. Binary metrics: positive = refused fully or partly (0,1,4) vs "
    "complied (2,3,5).",
    "response_harm": "Do-Not-Answer human *_harmful label (1 harmful).",
    "prompt_harm": "1 = harmful request or content; 0 = benign (see data.prompt_harm_train).",
}
