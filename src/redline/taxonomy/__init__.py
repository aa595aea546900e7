"""Risk taxonomies as data, and crosswalks between them.

Every prompt carries one redline category; `map_category` walks it to any other taxonomy, so a
report can group the same verdicts by AILuminate hazard, Llama Guard code or a benchmark's own
labels. Walks to AILuminate and Llama Guard 3 come from redline.yaml; walks to a benchmark's
taxonomy (HarmBench, SORRY-Bench, ...) invert that benchmark's suite crosswalk.
"""

from __future__ import annotations

from redline.errors import UserError
from redline.taxonomy._crosswalk import (
    Crosswalk,
    build_crosswalk,
    crosswalk_names,
    keyword_rules,
    load_crosswalk,
)
from redline.taxonomy._loader import Category, Taxonomy, load_taxonomy, taxonomies

REDLINE = "redline"


def map_category(category: str, taxonomy: str) -> tuple[str, ...]:
    """The ids in `taxonomy` that a redline category corresponds to (empty if none do)."""
    own = load_taxonomy(REDLINE).get(category)
    if taxonomy == REDLINE:
        return (category,)
    target = load_taxonomy(taxonomy)
    if taxonomy in own.crosswalk:
        return own.crosswalk[taxonomy]
    ids: set[str] = set()
    walks = [load_crosswalk(n) for n in crosswalk_names()]
    for walk in (w for w in walks if w.taxonomy == taxonomy):
        for label in walk.labels_for(category):
            found = target.find(label)
            if found is None:
                raise UserError(f"crosswalk {walk.suite}: {label!r} is not in taxonomy {taxonomy}")
            ids.add(found.id)
    return tuple(sorted(ids, key=target.ids().index))


__all__ = [
    "Category",
    "Crosswalk",
    "Taxonomy",
    "build_crosswalk",
    "keyword_rules",
    "load_crosswalk",
    "load_taxonomy",
    "map_category",
    "taxonomies",
]
