"""Codecs that turn text into symbols: base64, hex bytes, character codes and Morse.

Their output has a shape of its own, so reading a model's answer means finding the encoded
runs inside the prose and decoding each one in place.
"""

from __future__ import annotations

import base64
import binascii
import re

from redline.mutators.base import Reading
from redline.mutators.codec import Codec, readable, replace_segments

_CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


def _utf8(raw: bytes) -> str | None:
    """Text from bytes, forgiving a character cut off at the end of a truncated answer."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return raw[: exc.start].decode("utf-8")
        return None


def _text_or_none(raw: bytes) -> str | None:
    text = _utf8(raw)
    return text if text is not None and readable(text) else None


class Base64Codec(Codec):
    #: A run of base64 symbols, continued by following lines made of nothing else (wrapped
    #: output) as long as no line before ends in padding.
    _RUN = re.compile(
        r"(?<![\w+/=-])[A-Za-z0-9+/_-]{8,}"
        r"(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]{4,}(?==*[ \t]*(?:\r?\n|$)))*={0,2}"
    )

    def encode(self, text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    def decode(self, text: str) -> str:
        try:
            return base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"not base64 text: {exc}") from None

    @staticmethod
    def _segment(segment: str) -> str | None:
        data = re.sub(r"\s+", "", segment).rstrip("=").replace("-", "+").replace("_", "/")
        data = data[: len(data) - 1] if len(data) % 4 == 1 else data  # a truncated last symbol
        try:
            raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
        except binascii.Error:
            return None
        return _text_or_none(raw)

    @staticmethod
    def _suspicious(segment: str) -> bool:
        """Digits, symbols or mid-word capitals: not an ordinary long word."""
        return len(segment) >= 12 and bool(re.search(r"[0-9+/=]|[a-z][A-Z]", segment))

    def read(self, text: str) -> Reading:
        return replace_segments(text, self._RUN, self._segment, self._suspicious)


class HexCodec(Codec):
    _BYTE = r"(?:0x|\\x)?[0-9A-Fa-f]{2}"
    _RUN = re.compile(rf"(?<![0-9A-Za-z]){_BYTE}(?:[ ,:]*{_BYTE}){{3,}}(?![0-9A-Za-z])")

    def encode(self, text: str) -> str:
        return text.encode("utf-8").hex(" ")

    def decode(self, text: str) -> str:
        try:
            return bytes.fromhex(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not hex-encoded UTF-8: {exc}") from None

    @staticmethod
    def _segment(segment: str) -> str | None:
        digits = re.sub(r"0x|\\x|[ ,:]", "", segment)
        return _text_or_none(bytes.fromhex(digits[: len(digits) // 2 * 2]))

    def read(self, text: str) -> Reading:
        return replace_segments(text, self._RUN, self._segment, lambda s: bool(re.search(r"\d", s)))


class CharCodeCodec(Codec):
    """Decimal Unicode code points ("ASCII codes"), separated by spaces."""

    _RUN = re.compile(r"(?<![\w.])\d{1,7}(?:[ \t,;]*\r?\n?[ \t,;]*\d{1,7}){3,}(?![\w.])")
    #: Code points from here on are CJK and later scripts, written without spaces.
    _WIDE = 0x2E80

    def encode(self, text: str) -> str:
        return " ".join(str(ord(ch)) for ch in text)

    def decode(self, text: str) -> str:
        try:
            return "".join(chr(int(code)) for code in text.split())
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"not character codes: {exc}") from None

    def _segment(self, segment: str) -> str | None:
        codes = [int(c) for c in re.findall(r"\d+", segment)]
        if not all(0 < c <= 0x10FFFF for c in codes):
            return None
        text = "".join(chr(c) for c in codes).rstrip(_CONTROL)  # a code cut short at the end
        mostly_ascii = sum(c < 128 for c in codes) * 2 >= len(codes)
        if not readable(text) or not (mostly_ascii or min(codes) >= self._WIDE):
            return None
        return text

    def read(self, text: str) -> Reading:
        return replace_segments(text, self._RUN, self._segment, lambda s: True)


MORSE = {
    "a": ".-", "b": "-...", "c": "-.-.", "d": "-..", "e": ".", "f": "..-.", "g": "--.",
    "h": "....", "i": "..", "j": ".---", "k": "-.-", "l": ".-..", "m": "--", "n": "-.",
    "o": "---", "p": ".--.", "q": "--.-", "r": ".-.", "s": "...", "t": "-", "u": "..-",
    "v": "...-", "w": ".--", "x": "-..-", "y": "-.--", "z": "--..",
    "0": "-----", "1": ".----", "2": "..---", "3": "...--", "4": "....-", "5": ".....",
    "6": "-....", "7": "--...", "8": "---..", "9": "----.",
    ".": ".-.-.-", ",": "--..--", "?": "..--..", "'": ".----.", "!": "-.-.--", "/": "-..-.",
    "(": "-.--.", ")": "-.--.-", "&": ".-...", ":": "---...", ";": "-.-.-.", "=": "-...-",
    "+": ".-.-.", "-": "-....-", "_": "..--.-", '"': ".-..-.", "$": "...-..-", "@": ".--.-.",
}  # fmt: skip
FROM_MORSE = {code: ch for ch, code in MORSE.items()}
_MORSE_LOOKALIKES = str.maketrans(dict.fromkeys("·•∙", ".") | dict.fromkeys("−–—_", "-"))


class MorseCodec(Codec):
    """Letters as dots and dashes, separated by spaces; words by " / ". Case is lost."""

    WORD_SEP = " / "
    _RUN = re.compile(r"(?<![\w.-])[.-]{1,8}(?:[ \t]+(?:[/|][ \t]+)?[.-]{1,8}){2,}(?![\w.-])")

    def encode(self, text: str) -> str:
        """Characters Morse has no code for pass through as they are."""
        return self.WORD_SEP.join(
            " ".join(MORSE.get(ch.lower(), ch) for ch in word) for word in text.split(" ")
        )

    def decode(self, text: str) -> str:
        return " ".join(
            "".join(FROM_MORSE.get(code, code) for code in word.split(" ") if code)
            for word in text.split(self.WORD_SEP)
        )

    @staticmethod
    def _segment(segment: str) -> str | None:
        words = [w.split() for w in re.split(r"\s*[/|]\s*|\s{3,}", segment.strip())]
        codes = [code for word in words for code in word]
        unknown = sum(code not in FROM_MORSE for code in codes)
        if unknown * 2 > len(codes):
            return None
        return " ".join("".join(FROM_MORSE.get(code, "?") for code in word) for word in words)

    def read(self, text: str) -> Reading:
        return replace_segments(
            text.translate(_MORSE_LOOKALIKES), self._RUN, self._segment, lambda s: True
        )
