"""Codecs that disguise words while keeping the shape of text: letter ciphers and look-alikes.

Their output looks like prose, so reading an answer compares each line (or word) both ways
and keeps the version that reads as English.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from redline.mutators.base import Reading
from redline.mutators.codec import Codec, choose_lines
from redline.mutators.english import COMMON, WORD
from redline.mutators.render import packaged

_LOWER, _UPPER = string.ascii_lowercase, string.ascii_uppercase


class CaesarCodec(Codec):
    """Latin letters shifted `shift` places round the alphabet; everything else unchanged."""

    def __init__(self, shift: int) -> None:
        self.shift = shift % 26
        k = self.shift
        plain, shifted = _LOWER + _UPPER, _LOWER[k:] + _LOWER[:k] + _UPPER[k:] + _UPPER[:k]
        self._enc = str.maketrans(plain, shifted)
        self._dec = str.maketrans(shifted, plain)

    def encode(self, text: str) -> str:
        return text.translate(self._enc)

    def decode(self, text: str) -> str:
        return text.translate(self._dec)

    def read(self, text: str) -> Reading:
        return choose_lines(text, self.decode)


class AtbashCodec(Codec):
    """The alphabet reversed (a<->z, b<->y, ...): its own inverse."""

    _TABLE = str.maketrans(_LOWER + _UPPER, _LOWER[::-1] + _UPPER[::-1])

    def encode(self, text: str) -> str:
        return text.translate(self._TABLE)

    decode = encode

    def read(self, text: str) -> Reading:
        return choose_lines(text, self.decode)


class SubstitutionCodec(Codec):
    """Characters swapped for look-alikes; reading maps them back inside disguised words.

    With `need_letter` (leetspeak, whose look-alikes are digits), a token without a real
    letter ("15", "7") is only read back on a line where other words were disguised, so the
    numbers of a plain answer keep their digits.
    """

    def __init__(
        self, table: Mapping[str, str], lookalikes: Mapping[str, str], *, need_letter: bool
    ) -> None:
        self.need_letter = need_letter
        inverse = {v: k for k, v in table.items()}
        self._enc = str.maketrans(dict(table))
        self._dec = str.maketrans(inverse)
        self._read = str.maketrans({**dict(lookalikes), **inverse})
        self._disguised = set(lookalikes) | set(inverse)

    def encode(self, text: str) -> str:
        return text.translate(self._enc)

    def decode(self, text: str) -> str:
        return text.translate(self._dec)

    def _disguise(self, word: str) -> tuple[bool, bool]:
        """(whether `word` is disguised, whether it also holds a real letter)."""
        disguised = any(ch in self._disguised for ch in word) and all(
            ch in self._disguised or ch.isascii() for ch in word
        )
        return disguised, any(ch.isascii() and ch.isalpha() for ch in word)

    def _read_line(self, line: str) -> tuple[str, int]:
        words = re.split(r"(\s+)", line)
        kinds = [self._disguise(word) for word in words]
        line_disguised = not self.need_letter or any(d and letter for d, letter in kinds)
        count = 0
        for index, (disguised, _) in enumerate(kinds):
            if disguised and line_disguised:
                words[index] = words[index].translate(self._read)
                count += 1
        return "".join(words), count

    def read(self, text: str) -> Reading:
        lines = [self._read_line(line) for line in text.split("\n")]
        return Reading("\n".join(line for line, _ in lines), sum(n for _, n in lines))


LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
LEET_EXTRA = {"@": "a", "$": "s"}


def leet_codec() -> SubstitutionCodec:
    """Lower-case vowels and s, t as digits; upper case is left alone so decoding is exact.

    Reading only touches tokens that also hold a real letter, so "Step 1" keeps its digit.
    """
    return SubstitutionCodec(LEET, LEET_EXTRA, need_letter=True)


HOMOGLYPHS = {
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і", "j": "ј",
    "s": "ѕ", "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О",
    "P": "Р", "T": "Т", "X": "Х",
}  # fmt: skip
#: Greek and other look-alikes a model may use on its own when asked to answer in kind.
HOMOGLYPHS_EXTRA = dict(zip("αονρτΑΒΕΟ", "aovptABEO", strict=True))


def homoglyph_codec() -> SubstitutionCodec:
    return SubstitutionCodec(HOMOGLYPHS, HOMOGLYPHS_EXTRA, need_letter=False)


class WordShapeCodec(Codec):
    """Rearranges the letters inside each word; self-inverse, so word boundaries never move."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def _word(self, match: re.Match[str]) -> str:
        word = match.group(0)
        if self.mode == "reverse":
            return word[::-1]
        return word[0] + word[2] + word[1] + word[3:] if len(word) >= 4 else word  # swap 2nd, 3rd

    def encode(self, text: str) -> str:
        return WORD.sub(self._word, text)

    decode = encode

    def read(self, text: str) -> Reading:
        return choose_lines(text, self.decode)


CODE_WORDS = tuple(packaged("data", "words")["code_words"].split())
MAX_SWAPS = 8


class WordSubCodec(Codec):
    """Harmless code words stand in for chosen words; the key maps code word -> real word."""

    def __init__(self, key: Mapping[str, str]) -> None:
        self.key = dict(key)
        self._back = {real: code for code, real in self.key.items()}

    @classmethod
    def for_text(cls, text: str) -> WordSubCodec:
        """A key hiding the uncommon words of `text` (up to MAX_SWAPS, longest first)."""
        words = list(dict.fromkeys(WORD.findall(text)))
        present = {w.lower() for w in words}
        candidates = [w for w in words if len(w) >= 4 and w.lower() not in COMMON]
        chosen = sorted(candidates, key=lambda w: (-len(w), words.index(w)))[:MAX_SWAPS]
        codes = [c for c in CODE_WORDS if c not in present]
        return cls(dict(zip(codes, chosen, strict=False)))

    @property
    def arg(self) -> str:
        return ",".join(f"{code}={real}" for code, real in self.key.items())

    @classmethod
    def from_arg(cls, arg: str) -> WordSubCodec:
        pairs = [item.split("=", 1) for item in arg.split(",") if item]
        if not all(len(p) == 2 and WORD.fullmatch(p[0]) and WORD.fullmatch(p[1]) for p in pairs):
            raise ValueError(f"expected code=word pairs separated by commas, got {arg!r}")
        return cls(dict(pairs))

    def encode(self, text: str) -> str:
        return WORD.sub(lambda m: self._back.get(m.group(0), m.group(0)), text)

    def decode(self, text: str) -> str:
        return WORD.sub(lambda m: self.key.get(m.group(0), m.group(0)), text)

    def read(self, text: str) -> Reading:
        """Code words in any case come back as their real words."""
        lowered = {code.lower(): real for code, real in self.key.items()}
        count = 0

        def one(match: re.Match[str]) -> str:
            nonlocal count
            real = lowered.get(match.group(0).lower())
            if real is None:
                return match.group(0)
            count += 1
            return real

        return Reading(WORD.sub(one, text), decoded=count)
