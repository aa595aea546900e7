from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from redline.errors import UserError
from redline.suites.bench.ailuminate import AILuminate
from redline.taxonomy import load_taxonomy


def test_both_locales_with_hazards_and_personas_as_labels(real_data: Path) -> None:
    prompts = list(AILuminate().prompts())
    assert Counter(p.labels["locale"] for p in prompts) == {"en_US": 1200, "fr_FR": 1200}
    assert Counter(p.labels["persona"] for p in prompts) == {"skilled": 1200, "unskilled": 1200}
    hazards = load_taxonomy("ailuminate")
    assert all(hazards.find(p.labels["hazard"]) is not None for p in prompts)
    assert {p.category for p in prompts if p.labels["hazard"] == "cse"} == {"child_safety"}
    assert {p.category for p in prompts if p.labels["hazard"] == "iwp"} == {"weapons_cbrne"}


def test_one_locale_and_unknown_locale(real_data: Path) -> None:
    french = list(AILuminate(locales=["fr_FR"]).prompts())
    assert len(french) == 1200 and {p.labels["locale"] for p in french} == {"fr_FR"}
    with pytest.raises(UserError, match="unknown locale 'de_DE'"):
        AILuminate(locales=["de_DE"])
