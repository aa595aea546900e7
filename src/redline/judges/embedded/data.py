"""Labelled examples for training and evaluating the embedded judges, read from the public
datasets in their upstream formats (the folder layout of `shared/datasets`).

Do-Not-Answer's human `action` codes describe *how* a model answered; `REFUSAL_CLASS`
folds them into redline's outcomes (see the heads' cards for the reasoning).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.errors import UserError
from redline.ids import stable_id

DNA_MODELS = ("GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b")

#: Do-Not-Answer action -> refusal class (0 refusal, 1 partial, 2 compliance).
#: 0 declines; 4 cannot answer (no access / no knowledge): nothing asked for is given.
#: 1 refutes the question's premise: pushes back yet usually engages -> partial.
#: 2 gives both sides, 3 answers with a disclaimer, 5 follows the instruction -> compliance.
REFUSAL_CLASS = {0: 0, 4: 0, 1: 1, 2: 2, 3: 2, 5: 2}
REFUSAL_NAMES = ("refusal", "partial", "compliance")
#: Do-Not-Answer's six actions, by code: how an answer went, finer than REFUSAL_NAMES.
ACTION_NAMES = ("declines", "refutes", "both_sides", "disclaims", "cannot_know", "follows")
#: The action a hand-written row stands for, by its refusal class.
OWN_ACTION = {0: 0, 1: 1, 2: 5}
#: Do-Not-Answer question folds (of 10): fit on 0-6, pick thresholds on 7, test on 8-9.
CALIBRATION_FOLDS = (7,)
TEST_FOLDS = (8, 9)


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled row; `group` names where it came from (a model or a source) for splits."""

    prompt: str
    response: str | None
    label: int
    group: str
    key: str

    @property
    def fold(self) -> int:
        """The Do-Not-Answer question fold in `key` (model:fold)."""
        return int(self.key.rsplit(":", 1)[1])

    @property
    def pair(self) -> tuple[str, str | None]:
        return (self.prompt, self.response)


def _need(path: Path) -> Path:
    if not path.exists():
        raise UserError(f"dataset file not found: {path}")
    return path


def _read_csv(path: Path) -> list[dict[str, str]]:
    with _need(path).open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def question_fold(question: str) -> int:
    """A stable 0-9 bucket per question: folds 8-9 are held out from training."""
    return int(stable_id("dna-question", question)[:8], 16) % 10


def dna_rows(root: Path) -> Iterator[tuple[str, str, str, int, int]]:
    """(model, question, response, action, harmful) for every Do-Not-Answer response."""
    for row in _read_csv(root / "do_not_answer" / "datasets" / "data_en.csv"):
        for model in DNA_MODELS:
            action, harmful = row[f"{model}_action"], row[f"{model}_harmful"]
            if action == "" or harmful == "":
                continue
            yield model, row["question"], row[f"{model}_response"], int(action), int(harmful)


def dna_actions(root: Path) -> list[Example]:
    """Do-Not-Answer responses labelled with the annotators' action code (0-5)."""
    return [Example(q, r, a, m, f"{m}:{question_fold(q)}") for m, q, r, a, _ in dna_rows(root)]


def dna_refusal(root: Path) -> list[Example]:
    """Do-Not-Answer responses labelled refusal / partial / compliance from human actions."""
    return [dataclasses.replace(e, label=REFUSAL_CLASS[e.label]) for e in dna_actions(root)]


def dna_harm(root: Path) -> list[Example]:
    """Do-Not-Answer responses labelled harmful (1) or not (0) by human annotators."""
    return [Example(q, r, h, m, f"{m}:{question_fold(q)}") for m, q, r, _, h in dna_rows(root)]


def jbb_responses(root: Path) -> list[Example]:
    """JailbreakBench artifacts: label 1 where the benchmark's LLM judge called it jailbroken.

    These labels come from Llama-3-70B, not people: useful as a second source, not as truth.
    """
    base = _need(root / "jailbreakbench_artifacts" / "attack-artifacts")
    out: list[Example] = []
    for path in sorted(base.glob("*/*/*.json")):
        if path.name in {"attack-info.json", "evaluation.json", "submission.json"}:
            continue
        artifact = _read_json(path)
        group = f"{path.parts[-3]}/{path.stem}"
        for item in artifact.get("jailbreaks", []):
            if item.get("response") is None or item.get("prompt") is None:
                continue
            out.append(
                Example(
                    item["prompt"],
                    item["response"],
                    int(bool(item["jailbroken"])),
                    group,
                    f"{group}:{item['index']}",
                )
            )
    return out


OWN_PROMPTS = Path(__file__).with_name("data") / "prompt_harm_own.jsonl"
OWN_RESPONSES = Path(__file__).with_name("data") / "refusal_own.jsonl"


def own_responses() -> list[Example]:
    """Hand-written short answers, refusals and partial refusals, labelled with the action
    each stands for (the file holds REFUSAL_NAMES indices).

    Do-Not-Answer's compliant answers are long; without these, a one-line factual answer
    reads as pushback, which would inflate false-refusal rates.
    """
    rows = [json.loads(line) for line in OWN_RESPONSES.read_text(encoding="utf-8").splitlines()]
    return [
        Example(r["prompt"], r["response"], OWN_ACTION[int(r["label"])], "own", f"own:{i}")
        for i, r in enumerate(rows)
    ]


def _flatten(tree: object) -> Iterator[str]:
    """Every string leaf of red-instruct's nested {topic: {subtopic: [questions]}} files."""
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, dict):
        for value in tree.values():
            yield from _flatten(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _flatten(value)


def _prompts(texts: list[str], label: int, group: str) -> list[Example]:
    return [Example(t, None, label, group, f"{group}:{i}") for i, t in enumerate(texts) if t]


def _read_json(path: Path) -> Any:
    return json.loads(_need(path).read_text(encoding="utf-8"))


def _column(path: Path, column: str) -> list[str]:
    return [row[column] for row in _read_csv(path)]


# AILuminate's specialised-advice hazards (spc_*) are ordinary questions whose *answers* can
# be hazardous, so they say nothing about a prompt's own harm.
def _ailuminate(root: Path) -> list[str]:
    path = root / "ailuminate_demo" / "airr_official_1.0_demo_en_us_prompt_set_release.csv"
    return [r["prompt_text"] for r in _read_csv(path) if not r["hazard"].startswith("spc_")]


def prompt_harm_train(root: Path) -> list[Example]:
    """Harmful requests and content (1) against benign prompts (0) for the prompt judge.

    Public sets give mostly harmful *requests*; the hand-written file adds content
    (hate, harassment, sexual, self-harm, violence) and benign look-alikes, which the
    public sets lack. XSTest, SimpleSafetyTests and MultiJail stay out: they are the test.
    """
    ri = root / "red_instruct" / "harmful_questions"
    harmful = {
        "advbench": _column(root / "advbench/data/harmful_behaviors.csv", "goal"),
        "harmbench": _column(
            root / "harmbench/data/behavior_datasets/harmbench_behaviors_text_all.csv", "Behavior"
        ),
        "strongreject": _column(
            root / "strongreject/strongreject_dataset/strongreject_dataset.csv", "forbidden_prompt"
        ),
        "catqa": list(_flatten(_read_json(ri / "catqa_english.json"))),
        "dangerousqa": list(_flatten(_read_json(ri / "dangerousqa.json"))),
        "ailuminate": _ailuminate(root),
    }
    # CyberSecEval's false-refusal set: benign requests that merely sound like attacks.
    frr = [r["mutated_prompt"] for r in _read_json(root / "cyberseceval/mitre_frr/mitre_frr.json")]
    out = [e for group, texts in harmful.items() for e in _prompts(texts, 1, group)]
    out += _prompts(frr, 0, "mitre_frr")
    for i, line in enumerate(OWN_PROMPTS.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        out.append(Example(row["text"], None, int(row["label"]), "own", f"own:{i}"))
    return out


def prompt_harm_test(root: Path) -> list[Example]:
    """Human-labelled prompts from sources the prompt judge never trains on."""
    xstest = [
        Example(r["prompt"], None, int(r["label"] == "unsafe"), "xstest", f"xstest:{r['id']}")
        for r in _read_csv(root / "xstest/xstest_prompts.csv")
    ]
    sst = _column(root / "simplesafetytests/SimpleSafetyTests - test cases.csv", "prompts_final")
    multijail = _column(root / "multijail/data/MultiJail.csv", "en")
    return [
        *xstest,
        *_prompts(sst, 1, "simplesafetytests"),
        *_prompts(multijail, 1, "multijail"),
    ]
