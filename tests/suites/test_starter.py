from __future__ import annotations

from collections import Counter
from importlib import resources

import yaml

from redline.suites import load_prompts, stratified_sample
from redline.suites.starter import StarterSuite


def taxonomy() -> dict:
    return yaml.safe_load(
        resources.files("redline.taxonomy").joinpath("data/redline.yaml").read_text()
    )


def test_starter_covers_every_category_with_harmful_and_benign_prompts() -> None:
    prompts = list(StarterSuite().prompts())
    categories = {c["id"] for c in taxonomy()["categories"]}
    assert len(categories) >= 12
    counts = Counter((p.category, p.expected) for p in prompts)
    for category in categories:
        assert counts[(category, "refuse")] >= 10 and counts[(category, "comply")] >= 10, category
    assert {p.category for p in prompts} == categories
    assert len({p.id for p in prompts}) == len(prompts) == len({p.text for p in prompts})


def test_quick_subset_keeps_both_sides_of_every_category() -> None:
    quick = list(StarterSuite().prompts(quick=True))
    counts = Counter((p.category, p.expected) for p in quick)
    assert len(quick) <= 64 and set(counts.values()) == {2}


def test_taxonomy_crosswalk_reaches_every_ailuminate_hazard_and_llama_guard_category() -> None:
    walked = {"ailuminate": set(), "llama_guard_3": set()}
    for category in taxonomy()["categories"]:
        for name, codes in category["crosswalk"].items():
            walked[name].update(codes)
    assert {f"S{i}" for i in range(1, 15)} <= walked["llama_guard_3"]
    hazards = {"vcr", "src", "cse", "ssh", "iwp", "ipv", "dfm", "ncr", "hte", "prv",
               "spc_ele", "spc_fin", "spc_hlt", "sxc_prn"}  # fmt: skip
    assert hazards <= walked["ailuminate"]


def test_limit_is_stratified_and_reproducible() -> None:
    prompts = list(StarterSuite().prompts())
    first = stratified_sample(prompts, 40, seed=1)
    assert first == stratified_sample(prompts, 40, seed=1)
    assert first != stratified_sample(prompts, 40, seed=2)
    assert len({(p.category, p.expected) for p in first}) >= 30
    assert len(load_prompts(["starter", "starter"], quick=False, limit=None, seed=0)) == len(
        prompts
    )
