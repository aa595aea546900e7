"""A rough test of "is this English?", for decoders that cannot tell cipher from prose by shape.

Letter ciphers (Caesar, Atbash, misspelling, ...) keep the shape of text, so the decoder
reads each line both ways and keeps the version that looks more like English: first by
counting very common words, then, on a tie, by how English its letter pairs are (a small
bigram model built from the same word list).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from redline.mutators.render import packaged

WORD = re.compile(r"[^\W\d_]+")

COMMON = frozenset(packaged("data", "words")["common"].split())


def _pairs(word: str) -> Iterable[str]:
    padded = f"^{word.lower()}$"
    return (padded[i : i + 2] for i in range(len(padded) - 1))


_PAIR_COUNTS = Counter(pair for word in COMMON for pair in _pairs(word))
_PAIR_TOTAL = sum(_PAIR_COUNTS.values())


def english_score(text: str) -> int:
    """Number of very common English words in `text` (case-insensitive)."""
    return sum(1 for word in WORD.findall(text) if word.lower() in COMMON)


def letter_pair_score(words: Iterable[str]) -> float:
    """Log-likelihood of the words' letter pairs under English; higher is more English."""
    return sum(
        math.log((_PAIR_COUNTS[pair] + 0.5) / _PAIR_TOTAL)
        for word in words
        for pair in _pairs(word)
    )


def has_letters(text: str) -> bool:
    return WORD.search(text) is not None


def looks_english(text: str, share: float = 0.25) -> bool:
    """True when at least `share` of the words are very common English ones."""
    words = WORD.findall(text)
    return bool(words) and english_score(text) >= share * len(words)
