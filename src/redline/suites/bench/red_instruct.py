"""Harmful question sets from declare-lab's red-instruct: HarmfulQA, CatQA and DangerousQA."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from redline.errors import UserError
from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose
from redline.suites.readers import json_document

SOURCE = "https://github.com/declare-lab/red-instruct"
FOLDER = "harmful_questions"
CATQA_LANGUAGES = {
    "en": "catqa_english.json",
    "zh": "catqa_chinese.json",
    "vi": "catqa_vietnamese.json",
}


def nested_questions(path: Path) -> Iterator[tuple[str, str, int, str]]:
    """(topic, subtopic, index, question) from a {topic: {subtopic: [questions]}} file."""
    document = json_document(path)
    if not isinstance(document, dict):
        raise UserError(f"{path}: expected an object of topics, got {type(document).__name__}")
    for topic, subtopics in document.items():
        if not isinstance(subtopics, dict):
            raise UserError(f"{path}: topic {topic!r}: expected an object of subtopics")
        for subtopic, questions in subtopics.items():
            for index, question in enumerate(questions):
                yield topic, subtopic, index, str(question)


class _RedInstruct(DatasetSuite):
    dataset = "red_instruct"


class HarmfulQA(_RedInstruct):
    info = SuiteInfo(
        name="harmfulqa",
        description="1,960 harmful questions over 10 academic topics and 98 subtopics (HarmfulQA); "
        "topics are subjects, not harms, so redline assigns categories by keyword rules",
        licence="Apache-2.0",
        source=SOURCE,
    )
    FILE = f"{FOLDER}/harmfulqa.json"

    def required_files(self) -> Sequence[str]:
        return [self.FILE]

    def items(self) -> Iterator[Item]:
        for topic, subtopic, index, question in nested_questions(self.file(self.FILE)):
            labels = {"topic": topic, "subtopic": subtopic}
            yield _item(f"{topic}/{subtopic}/{index}", question, (topic,), labels, self.FILE)


class CatQA(_RedInstruct):
    info = SuiteInfo(
        name="catqa",
        description="CategoricalHarmfulQA: 550 harmful questions in 11 categories x 5 "
        "subcategories, in English, Chinese and Vietnamese (1,650 prompts), language as a label",
        licence="Apache-2.0",
        source=SOURCE,
    )

    def __init__(
        self, *, languages: Sequence[str] = tuple(CATQA_LANGUAGES), offline: bool | None = None
    ) -> None:
        super().__init__(offline=offline)
        self.languages = choose(self.info.name, "language", languages, CATQA_LANGUAGES)

    def required_files(self) -> Sequence[str]:
        return [f"{FOLDER}/{CATQA_LANGUAGES[lang]}" for lang in self.languages]

    def items(self) -> Iterator[Item]:
        for language, file in zip(self.languages, self.required_files(), strict=True):
            for topic, subtopic, index, question in nested_questions(self.file(file)):
                sub = subtopic.rstrip(":").strip()
                labels = {"category": topic, "subcategory": sub, "language": language}
                key = f"{language}/{topic}/{sub}/{index}"
                yield _item(key, question, (sub, topic), labels, file)


class DangerousQA(_RedInstruct):
    info = SuiteInfo(
        name="dangerousqa",
        description="200 harmful questions without categories (DangerousQA); redline assigns "
        "categories by keyword rules",
        licence="Apache-2.0",
        source=SOURCE,
    )
    FILE = f"{FOLDER}/dangerousqa.json"

    def required_files(self) -> Sequence[str]:
        return [self.FILE]

    def items(self) -> Iterator[Item]:
        path = self.file(self.FILE)
        questions = json_document(path)
        if not isinstance(questions, list):
            raise UserError(f"{path}: expected a list of questions, got {type(questions).__name__}")
        for index, question in enumerate(questions):
            yield _item(str(index), str(question), (), {"index": index}, self.FILE)


def _item(
    key: str, text: str, categories: tuple[str, ...], labels: dict[str, Any], file: str
) -> Item:
    return Item(
        key=key, text=text, categories=categories, labels=labels, source=f"red_instruct/{file}"
    )
