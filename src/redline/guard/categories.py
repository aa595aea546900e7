"""Which categories a harm score belongs to, in the policy's taxonomy.

Guard models name categories themselves; classifiers only say "harmful, p = 0.9". The
harm is then put where the text points: redline's keyword rules per category, walked
to the policy's taxonomy through the crosswalks, and custom categories' own patterns.
Harm that nothing explains goes to the fallback category, so a flag always has a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from redline.guard.policy import Categories
from redline.taxonomy import keyword_rules, load_taxonomy, map_category

REDLINE = "redline"


class CategoryRules:
    def __init__(self, config: Categories) -> None:
        self.config = config
        self.ids = config.ids()
        self.enforced = frozenset(config.enforced())
        self.thresholds = {c: config.threshold(c) for c in self.ids}
        leaves = set(config.taxonomy_ids())
        #: redline category -> the policy taxonomy's categories it stands for
        self._walk = {
            c: tuple(m for m in map_category(c, config.taxonomy) if m in leaves)
            for c in load_taxonomy(REDLINE).ids()
        }
        self._keywords = list(keyword_rules().items())
        self._lowest = min((self.thresholds[c] for c in leaves), default=0.0)
        self._custom = [
            (c.id, re.compile("|".join(f"(?:{p})" for p in c.patterns), re.IGNORECASE))
            for c in config.custom
            if c.patterns
        ]

    def named(self, labels: Iterable[str]) -> set[str]:
        """Policy categories for the labels a judge gave: policy or redline ids, bare or
        namespaced by the judge (guard models say "llama-guard-3:S1", "qwen3guard:codename")."""
        found: set[str] = set()
        for label in labels:
            bare = label.rpartition(":")[2]
            for candidate in dict.fromkeys((label, bare)):
                if candidate in self.thresholds:
                    found.add(candidate)
                else:
                    found.update(self._walk.get(candidate, ()))
        return found

    def matched(self, text: str) -> set[str]:
        """Taxonomy categories whose keyword rules match the text."""
        found: set[str] = set()
        for category, rule in self._keywords:
            if self._walk[category] and rule.search(text):
                found.update(self._walk[category])
        return found

    def custom_hits(self, text: str) -> set[str]:
        return {cid for cid, rule in self._custom if rule.search(text)}

    def scores(self, harm: float | None, named: set[str], text: str) -> dict[str, float]:
        """A score per category: the harm score where the harm belongs, 1.0 for a custom
        pattern hit, 0.0 elsewhere. The keyword rules (the costly part, ~0.2 ms a text) run
        only when the score could flag a taxonomy category; below that it cannot matter
        where the harm goes, and it is reported under the fallback."""
        scores = dict.fromkeys(self.ids, 0.0)
        if harm is not None:
            matched = self.matched(text) if not named and harm >= self._lowest else set()
            where = named or matched or {self.config.fallback}
            for category in where:
                scores[category] = harm
        for category in self.custom_hits(text):
            scores[category] = 1.0
        return scores

    def flags(self, scores: dict[str, float]) -> dict[str, bool]:
        return {c: s >= self.thresholds[c] for c, s in scores.items()}

    def flagged(self, flags: dict[str, bool]) -> bool:
        """Only enforced categories block; the others are reported for information."""
        return any(flag and c in self.enforced for c, flag in flags.items())
