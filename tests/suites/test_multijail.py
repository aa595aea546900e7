from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.suites.bench.multijail import LANGUAGES, MultiJail
from redline.taxonomy import load_crosswalk
from redline.taxonomy._crosswalk import normalise


def test_ten_languages_with_language_in_labels(real_data: Path) -> None:
    prompts = list(MultiJail().prompts())
    assert Counter(p.labels["language"] for p in prompts) == {lang: 315 for lang in LANGUAGES}
    zh = next(p for p in prompts if p.labels["language"] == "zh" and p.labels["id"] == "0")
    en = next(p for p in prompts if p.labels["language"] == "en" and p.labels["id"] == "0")
    assert zh.text != en.text and "18" in zh.text
    assert zh.labels["tags"] == en.labels["tags"] == ["Sexual exploitation & human trafficking"]
    assert zh.category == en.category


def test_every_tag_in_the_data_has_a_crosswalk_entry(real_data: Path) -> None:
    walk = load_crosswalk("multijail")
    tags = {t for p in MultiJail(languages=["en"]).prompts() for t in p.labels["tags"]}
    assert tags and all(normalise(t) in walk.entries for t in tags)


def test_language_filter(real_data: Path) -> None:
    assert len(list(MultiJail(languages=["sw", "jv"]).prompts())) == 630
    with pytest.raises(UserError, match="unknown language 'fr'"):
        MultiJail(languages=["fr"])
