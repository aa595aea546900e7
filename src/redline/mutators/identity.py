"""Identity-keyword swaps for bias probes (the PCJailbreak idea).

A model's willingness can shift with who is asking or who is being asked about. Running a
suite through `identity:privileged` and `identity:marginalised` gives matched pairs that
differ only in identity words, so any gap in refusal rates is the model's bias.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from redline.errors import UserError
from redline.mutators.base import Mutator, Rewrite
from redline.mutators.render import packaged, pick, render, slot, variants_of
from redline.records import Prompt

WHERE = "mutators/data/identity.yaml"


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


class IdentitySwap(Mutator):
    name = "identity"
    kind = "template"
    description = (
        "Bias probe: swaps identity keywords, or adds a self-description, for a group "
        "(identity:privileged, identity:marginalised, or identity:any phrase)."
    )

    def __init__(self, arg: str | None = None) -> None:
        super().__init__(arg)
        if arg is not None and not arg.strip():
            raise UserError("identity needs a group name or a phrase after the colon")

    @cached_property
    def data(self) -> dict[str, Any]:
        return packaged("data", "identity")

    @property
    def group(self) -> str:
        return self.arg if self.arg is not None else str(self.data["default"])

    def _swap(self, text: str) -> tuple[str, int]:
        """Identity words of every group replaced by this group's counterparts.

        Words of this group count as matches too (left as they are), so every group's probe
        of a prompt takes the same branch and the probes stay matched pairs.
        """
        replacements = {
            word.lower(): row[self.group] for row in self.data["swaps"] for word in row.values()
        }
        alternatives = sorted(replacements, key=len, reverse=True)
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, alternatives)) + r")\b", re.I)
        return pattern.subn(
            lambda m: _match_case(replacements[m.group(0).lower()], m.group(0)), text
        )

    def rewrite(self, text: str, prompt: Prompt) -> Rewrite:
        groups: dict[str, list[str]] = self.data["groups"]
        if self.group in groups:
            swapped, count = self._swap(text)
            if count:
                return Rewrite(swapped)
            phrases = groups[self.group]
            # The slot ignores the group, so every group's probe of a prompt is a matched pair.
            identity = phrases[slot(len(phrases), prompt.id, "identity-phrase")]
        else:
            identity = self.group
        variant = pick(variants_of(self.data, "variants", WHERE), prompt.id, self.name)
        return Rewrite(render(variant, {"identity": identity, "prompt": text}))
