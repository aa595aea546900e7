"""Model-assisted mutators: a helper model translates, paraphrases or persuasively rewrites.

Any Target can be the helper (the embedded model when none is given). Rewrites are cached
on disk, keyed by helper, mutator and instruction, so a suite is rewritten once. The sync
`mutate` only reads that cache; `amutate` fills it. A helper that fails or refuses raises
MutationFailed: the probe is left out and reported, never sent half-made.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from functools import cached_property
from typing import Any

from redline.engine.retry import RetryPolicy, call_target
from redline.errors import UserError
from redline.ids import stable_id
from redline.judges.keyword import classify
from redline.mutators.base import Mutator, Reading, Rewrite, last_user_index, no_arg
from redline.mutators.cache import MutationCache
from redline.mutators.english import looks_english
from redline.mutators.render import packaged, render, slot
from redline.records import Message, Outcome, Probe, Prompt
from redline.spec import TargetSpec
from redline.targets import Target, build_target

HELPERS = "mutators/data/helpers.yaml"


class MutationPending(LookupError):
    """A model rewrite that is not in the cache yet: await `amutate` (or a planner's warm-up)."""


class MutationFailed(Exception):
    """The helper model could not make a rewrite (an error, an empty answer, or a refusal)."""


_FENCE = re.compile(r"^```[\w-]*\s*$", re.M)
_LABEL = re.compile(
    r"^(?:sure[,!.]?\s*)?(?:here(?:'s| is)[^\n:]*|translation|rewritten (?:text|request)|"
    r"paraphrase[d]?(?: text)?|request)\s*:\s*",
    re.I,
)
_QUOTES = {'"': '"', "'": "'", "“": "”", "«": "»", "「": "」"}


def clean_helper_output(text: str) -> str:
    """The rewrite alone: without fences, a leading "Translation:" label or wrapping quotes."""
    text = _LABEL.sub("", _FENCE.sub("", text).strip()).strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


class ModelMutator(Mutator):
    kind = "model"
    #: Whether a rewrite that reads as a refusal is a failure (translations are left to judges).
    reject_refusals = True

    def __init__(
        self,
        arg: str | None = None,
        *,
        helper: Target | None = None,
        cache: MutationCache | None = None,
        timeout_s: float = 120.0,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(arg)
        self._helper = helper
        self.cache = cache or MutationCache()
        self.timeout_s = timeout_s
        self.policy = policy or RetryPolicy(retries=2)

    @property
    def helper(self) -> Target:
        """The helper model; the embedded one unless another was given."""
        if self._helper is None:
            self._helper = build_target(TargetSpec())
        return self._helper

    @cached_property
    def helper_prompts(self) -> dict[str, Any]:
        return packaged("data", "helpers")

    @abstractmethod
    def instruction(self, text: str, prompt: Prompt | None) -> str | None:
        """What to ask the helper; None when the text needs no rewrite."""

    def decoder(self) -> str | None:
        return None

    def _key(self, ask: str) -> str:
        return stable_id("mutation", self.spec, self.helper.id, ask)

    def rewrite(self, text: str, prompt: Prompt) -> Rewrite:
        ask = self.instruction(text, prompt)
        if ask is None:
            return Rewrite(text, self.decoder())
        cached = self.cache.get(self._key(ask))
        if cached is None:
            raise MutationPending(f"{self.spec}: rewrite not made yet")
        return Rewrite(cached, self.decoder())

    async def rewrite_text(self, text: str, prompt: Prompt | None) -> str:
        """The rewrite of `text`, from the cache or the helper (which must be started)."""
        ask = self.instruction(text, prompt)
        if ask is None:
            return text
        key = self._key(ask)
        if (cached := self.cache.get(key)) is not None:
            return cached
        made = await self._generate(ask)
        if made.casefold() == text.strip().casefold():
            # Small helpers often echo their input; such a probe would duplicate the plain one.
            raise MutationFailed(f"{self.spec}: helper returned the text unchanged")
        self.cache.put(key, made)
        return made

    async def amutate(self, probe: Probe, prompt: Prompt) -> Probe:
        await self.rewrite_text(probe.messages[last_user_index(probe.messages)].content, prompt)
        return self.mutate(probe, prompt)

    async def aread(self, text: str) -> Reading | None:
        """Decode an answer with the helper's help; None when this mutator decodes nothing."""
        return None

    async def _generate(self, ask: str) -> str:
        request = Probe(
            id=stable_id("helper-request", ask),
            prompt_id="helper",
            messages=(Message(role="user", content=ask),),
        )
        response = await call_target(
            self.helper, request, 0, timeout_s=self.timeout_s, policy=self.policy
        )
        if response.error is not None:
            raise MutationFailed(f"{self.spec}: helper failed: {response.error}")
        made = clean_helper_output(response.text or "")
        if not made:
            raise MutationFailed(f"{self.spec}: helper returned nothing")
        if self.reject_refusals and classify(made)[0] is Outcome.REFUSAL:
            raise MutationFailed(f"{self.spec}: helper refused: {made[:80]!r}")
        return made


def languages() -> dict[str, str]:
    return dict(packaged("data", "languages")["languages"])


def language_presets() -> dict[str, list[str]]:
    return dict(packaged("data", "languages")["presets"])


class Translate(ModelMutator):
    name = "translate"
    description = (
        "Translates the request (translate:fr, translate:Yoruba; translate:multijail runs "
        "MultiJail's ten languages); answers are translated back to English for judging."
    )
    example = "translate:fr"
    reject_refusals = False

    def __init__(self, arg: str | None = None, **kwargs: Any) -> None:
        if not arg or not re.fullmatch(r"[A-Za-z][A-Za-z ()-]*", arg):
            raise UserError(
                "translate needs a language code or name: translate:fr, translate:Yoruba "
                "(or translate:multijail for MultiJail's ten languages)"
            )
        super().__init__(arg.lower() if arg.lower() in languages() else arg, **kwargs)

    @property
    def language(self) -> str:
        assert self.arg is not None
        return languages().get(self.arg, self.arg)

    @property
    def to_english(self) -> bool:
        return self.language.lower() == "english"

    def instruction(self, text: str, prompt: Prompt | None) -> str | None:
        if self.to_english and looks_english(text):
            return None
        return render(self.helper_prompts["translate"], {"language": self.language, "text": text})

    def decoder(self) -> str | None:
        return None if self.to_english else f"{self.name}:en"

    async def aread(self, text: str) -> Reading | None:
        if not self.to_english:
            return None
        english = await self.rewrite_text(text, None)
        return Reading(english, decoded=int(english != text))


class Paraphrase(ModelMutator):
    name = "paraphrase"
    description = "The helper model rewords the request, keeping its meaning."

    def __init__(self, arg: str | None = None, **kwargs: Any) -> None:
        super().__init__(arg, **kwargs)
        no_arg(self)

    def instruction(self, text: str, prompt: Prompt | None) -> str | None:
        return render(self.helper_prompts["paraphrase"], {"text": text})


class Persuade(ModelMutator):
    name = "persuade"
    description = (
        "The helper model rewrites the request with a persuasion technique "
        "(persuade:authority, expert, evidence, logical, emotional, ...; default varies by prompt)."
    )

    def __init__(self, arg: str | None = None, **kwargs: Any) -> None:
        super().__init__(arg, **kwargs)
        if arg is not None and arg not in self.techniques:
            known = ", ".join(self.techniques)
            raise UserError(f"persuade: unknown technique {arg!r} (known: {known})")

    @property
    def techniques(self) -> dict[str, str]:
        return dict(self.helper_prompts["techniques"])

    def technique(self, prompt: Prompt | None) -> str:
        if self.arg is not None:
            return self.arg
        names = sorted(self.techniques)
        return names[slot(len(names), prompt.id if prompt else "", self.name)]

    def instruction(self, text: str, prompt: Prompt | None) -> str | None:
        technique = self.technique(prompt)
        values = {
            "technique": technique.replace("_", " "),
            "definition": self.techniques[technique],
            "text": text,
        }
        return render(self.helper_prompts["persuade"], values)
