"""A guard's score from its token probabilities, where its model card defines it that way:
P(unsafe word) against P(safe word) at the answer token (ShieldGemma and Granite Guardian:
"Yes" / "No"; Llama Guard: "unsafe" / "safe").

Tokens are matched ignoring case, spaces and tokenizer word markers, and the variants of a
word ("Yes", " yes", "▁YES") add up: what counts is the probability that the answer reads
as that word. A word missing from the alternatives counts as probability 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from redline.records import TokenLogprobs

#: Alternatives asked for per token: a guard's two verdict words lead its answer token, and
#: a small number suits servers that cap it (OpenAI's API takes up to 20).
TOP_LOGPROBS = 5
#: Word-start markers of SentencePiece ("▁") and byte-level BPE ("Ġ") vocabularies.
_MARKERS = " \t\r\n▁Ġ"


def word(token: str) -> str:
    """A token as a verdict word: no surrounding spaces or word markers, case folded."""
    return token.strip(_MARKERS).casefold()


@dataclass(frozen=True)
class ScoreTokens:
    """The two words a guard's verdict token chooses between, and what precedes it."""

    unsafe: str
    safe: str
    #: The verdict follows this text where the answer has it (Granite Guardian 3.3's "<score>").
    after: str = ""

    @classmethod
    def of(cls, raw: Mapping[str, str]) -> ScoreTokens:
        return cls(word(raw["unsafe"]), word(raw["safe"]), str(raw.get("after", "")))

    def answer_token(self, tokens: Sequence[TokenLogprobs]) -> TokenLogprobs | None:
        """The first token with visible text, after the `after` marker where there is one."""
        start = 0
        if self.after:
            found = "".join(t.token for t in tokens).casefold().find(self.after.casefold())
            start = found + len(self.after) if found >= 0 else 0
        offset = 0
        for token in tokens:
            if offset >= start and word(token.token):
                return token
            offset += len(token.token)
        return None

    def p_unsafe(self, tokens: Sequence[TokenLogprobs] | None) -> float | None:
        """P(unsafe word) / (P(unsafe word) + P(safe word)) at the answer token; None when
        there are no log-probabilities or neither word is among the alternatives."""
        token = self.answer_token(tokens) if tokens else None
        if token is None:
            return None
        unsafe = safe = 0.0
        for text, logprob in token.top:
            said = word(text)
            if said == self.unsafe:
                unsafe += math.exp(logprob)
            elif said == self.safe:
                safe += math.exp(logprob)
        if unsafe + safe == 0.0:
            return None
        return unsafe / (unsafe + safe)
