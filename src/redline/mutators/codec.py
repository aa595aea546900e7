"""Codecs: exact encode/decode pairs, plus a tolerant `read` for what a model actually writes.

`decode` is the strict inverse of `encode` (the round-trip tests hold it to that). `read`
copes with model output: prose around the encoded part, line-wrapped or truncated
payloads, answers that ignored the instruction and came back in plain English.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable

from redline.mutators.base import Reading
from redline.mutators.english import COMMON, WORD, has_letters, letter_pair_score

MIN_READABLE = 0.9


class Codec(ABC):
    @abstractmethod
    def encode(self, text: str) -> str: ...

    @abstractmethod
    def decode(self, text: str) -> str:
        """The exact inverse of `encode`; may raise ValueError on text it did not make."""

    @abstractmethod
    def read(self, text: str) -> Reading:
        """Best-effort decoding of a model's answer."""


def readable(text: str) -> bool:
    """Decoded bytes that look like text rather than noise."""
    if not text.strip() or "\ufffd" in text:
        return False
    good = sum(1 for ch in text if ch.isprintable() or ch in "\n\t\r")
    return good / len(text) >= MIN_READABLE


#: How much more English (log-likelihood per changed word) a reading must be to win a tie.
PAIR_MARGIN = 1.0


def prefer(line: str, alt: str) -> int:
    """+1 if `alt` reads as English more than `line`, -1 if less, 0 if it cannot be told.

    Only the words that differ are compared, so short words a cipher leaves alone (as
    misspelling does) do not drown the signal.
    """
    words, alts = WORD.findall(line), WORD.findall(alt)
    if len(words) == len(alts):
        changed = [(w, a) for w, a in zip(words, alts, strict=True) if w != a]
        words, alts = [w for w, _ in changed], [a for _, a in changed]
    common = sum(a.lower() in COMMON for a in alts) - sum(w.lower() in COMMON for w in words)
    if common:
        return 1 if common > 0 else -1
    margin = letter_pair_score(alts) - letter_pair_score(words)
    if abs(margin) <= PAIR_MARGIN * max(len(words), 1):
        return 0
    return 1 if margin > 0 else -1


def choose_lines(text: str, decode: Callable[[str], str]) -> Reading:
    """Decode line by line, keeping whichever version of each line reads more like English.

    A line that cannot be told either way is decoded but counted as failed, so the caller
    can show both versions.
    """
    lines, decoded, failed = [], 0, 0
    for line in text.split("\n"):
        alt = decode(line) if has_letters(line) else line
        choice = prefer(line, alt) if alt != line else -1
        lines.append(line if choice < 0 else alt)
        decoded += choice > 0
        failed += choice == 0
    return Reading("\n".join(lines), decoded, failed)


def replace_segments(
    text: str,
    pattern: re.Pattern[str],
    decode: Callable[[str], str | None],
    suspicious: Callable[[str], bool],
) -> Reading:
    """Decode every match of `pattern` in place; prose around the matches is left alone.

    `decode` returns None when a match is not really encoded; such a match counts as failed
    only when `suspicious` says it looked encoded all the same.
    """
    decoded = failed = 0

    def one(match: re.Match[str]) -> str:
        nonlocal decoded, failed
        segment = match.group(0)
        plain = decode(segment)
        if plain is None:
            failed += suspicious(segment)
            return segment
        decoded += 1
        return plain

    return Reading(pattern.sub(one, text), decoded, failed)
