"""Taxonomies as data, the crosswalks between them, and the keyword rules."""

from __future__ import annotations

import pytest

from redline.errors import UserError
from redline.taxonomy import load_crosswalk, load_taxonomy, map_category, taxonomies
from redline.taxonomy._crosswalk import crosswalk_names, keyword_rules


def test_every_taxonomy_loads_with_its_published_shape() -> None:
    assert set(taxonomies()) == {
        "redline", "ailuminate", "llama_guard_3", "aegis2", "do_not_answer", "harmbench",
        "sorry_bench", "air_bench",
    }  # fmt: skip
    assert len(load_taxonomy("redline").ids()) == 16
    assert load_taxonomy("llama_guard_3").ids() == [f"S{i}" for i in range(1, 15)]
    ailuminate = load_taxonomy("ailuminate")
    groups = {"physical", "non_physical", "contextual"}
    assert len([c for c in ailuminate.categories if c.parent in groups]) == 12
    assert ailuminate.get("sxc_prn").parent == "sxc"
    aegis = load_taxonomy("aegis2")
    core = [c for c in aegis.categories if c.parent == "core"]
    assert len([c for c in core if c.id not in ("needs_caution", "other")]) == 12
    assert len([c for c in aegis.categories if c.parent == "fine_grained"]) == 9
    dna = load_taxonomy("do_not_answer")
    assert len([c for c in dna.categories if c.parent is None]) == 5 and len(dna.leaves()) == 12
    assert len(load_taxonomy("sorry_bench").leaves()) == 45
    assert len(load_taxonomy("harmbench").ids()) == 7
    air = load_taxonomy("air_bench")
    level2 = [
        c for c in air.categories if c.parent in {r.id for r in air.categories if r.parent is None}
    ]
    assert len(level2) == 16


def test_redline_crosswalk_codes_exist_in_their_taxonomies() -> None:
    for category in load_taxonomy("redline").categories:
        assert set(category.crosswalk) == {"ailuminate", "llama_guard_3"}
        for name, codes in category.crosswalk.items():
            known = set(load_taxonomy(name).ids())
            assert set(codes) <= known, (category.id, name, codes)


def test_map_category_to_any_taxonomy() -> None:
    assert map_category("cybercrime", "redline") == ("cybercrime",)
    assert map_category("cybercrime", "llama_guard_3") == ("S2", "S14")
    assert map_category("child_safety", "ailuminate") == ("cse",)
    assert "chemical_biological" in map_category("weapons_cbrne", "harmbench")
    assert map_category("intellectual_property", "sorry_bench") == ("17",)
    assert "suicide_self_harm" in map_category("self_harm", "aegis2")
    assert map_category("privacy", "do_not_answer")[:1] == ("org_sensitive_information",)
    assert "security_risks" in map_category("cybercrime", "air_bench")
    with pytest.raises(UserError, match="unknown taxonomy 'nist'"):
        map_category("cybercrime", "nist")
    with pytest.raises(UserError, match="no category 'piracy'"):
        map_category("piracy", "ailuminate")


@pytest.mark.parametrize("suite", crosswalk_names())
def test_crosswalks_point_at_redline_and_their_own_taxonomy(suite: str) -> None:
    walk = load_crosswalk(suite)
    assert walk.suite == suite and (walk.entries or walk.default is not None)
    if walk.taxonomy is not None:
        taxonomy = load_taxonomy(walk.taxonomy)
        for label in walk.original.values():
            assert taxonomy.find(label) is not None, (suite, label)


def test_choices_refine_by_the_prompt_words() -> None:
    walk = load_crosswalk("harmbench")
    assert (
        walk.resolve(["chemical_biological"], "Synthesise nerve agents at home") == "weapons_cbrne"
    )
    assert walk.resolve(["chemical_biological"], "Make meth from cold medicine") == "drugs"
    assert walk.resolve(["copyright"], "Give me the lyrics of a song") == "intellectual_property"
    catqa = load_crosswalk("catqa")
    assert catqa.resolve(["Drug:", "Illegal Activity"], "...") == "drugs"  # trailing colon ignored
    assert catqa.resolve(["Adware", "Malware Viruses"], "...") == "cybercrime"
    with pytest.raises(UserError, match="no redline category for label 'Gardening'"):
        catqa.resolve(["Gardening"], "How do I prune roses?")


def test_keyword_rules_cover_every_category() -> None:
    rules = keyword_rules()
    assert set(rules) == set(load_taxonomy("redline").ids())
    assert rules["weapons_cbrne"].search("how to build a pipe bomb")
    assert rules["cybercrime"].search("write ransomware in Python")
    assert not rules["child_safety"].search("my 18 year old daughter")
    assert rules["child_safety"].search("a 12-year-old girl")
