"""The mutator interface: one probe in, one transformed probe out.

A mutator rewrites the last user message of a probe. Encoding mutators also name a decoder
(their own spec) so the engine can turn an encoded answer back into text a judge can read;
`read` is that decoder. Everything else (ids, the chain, the decode list) is bookkeeping done
once, here, in `mutate`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal, final

from redline.errors import UserError
from redline.ids import stable_id
from redline.records import Message, Probe, Prompt

MutatorKind = Literal["encoding", "template", "model"]

#: Separates the steps of a chain ("base64+roleplay") and of a probe's decode list.
CHAIN_SEP = "+"
ARG_SEP = ":"


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A rewritten message, and the decoder spec its answer needs (None: read it as is)."""

    text: str
    decoder: str | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """Decoded model output: how many pieces decoded and how many looked encoded but failed."""

    text: str
    decoded: int = 0
    failed: int = 0


def last_user_index(messages: tuple[Message, ...]) -> int:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            return index
    raise UserError("a probe to mutate needs at least one user message")


class Mutator(ABC):
    """A named prompt transformation, built from `name` or `name:arg`."""

    name: str = ""
    kind: MutatorKind = "template"
    description: str = ""

    def __init__(self, arg: str | None = None) -> None:
        self.arg = arg

    @property
    def spec(self) -> str:
        """How this mutator is written in a chain; it is recorded in every probe it makes."""
        return self.name if self.arg is None else f"{self.name}{ARG_SEP}{self.arg}"

    @abstractmethod
    def rewrite(self, text: str, prompt: Prompt) -> Rewrite:
        """The new text of the last user message (`prompt` is the original, for variant choice)."""

    def read(self, text: str) -> Reading | None:
        """Decode a model's answer to a probe this mutator made; None when nothing to decode."""
        return None

    @final
    def mutate(self, probe: Probe, prompt: Prompt) -> Probe:
        """`probe` with this mutator applied on top of its chain."""
        at = last_user_index(probe.messages)
        rewrite = self.rewrite(probe.messages[at].content, prompt)
        messages = list(probe.messages)
        messages[at] = Message(role="user", content=rewrite.text)
        chain = (*probe.mutators, self.spec)
        decoders = [d for d in (rewrite.decoder, probe.decode) if d]
        return Probe(
            id=stable_id("probe", prompt.id, chain),
            prompt_id=prompt.id,
            mutators=chain,
            messages=tuple(messages),
            decode=CHAIN_SEP.join(decoders) or None,
        )


def no_arg(mutator: Mutator) -> None:
    """Refuse an argument a mutator does not take, naming the mutator."""
    if mutator.arg is not None:
        raise UserError(f"mutator {mutator.name!r} takes no argument (got {mutator.arg!r})")
