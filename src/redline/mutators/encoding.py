"""Encoding mutators: the request in a cipher or code, with a plain instruction to answer in kind.

Each one records its own spec as the probe's decoder, so the engine can decode the answer
before judging. The instruction wordings live in `data/encodings.yaml`.
"""

from __future__ import annotations

from abc import abstractmethod
from functools import cached_property

from redline.errors import UserError
from redline.mutators.base import Mutator, Reading, Rewrite, no_arg
from redline.mutators.ciphers import (
    AtbashCodec,
    CaesarCodec,
    WordShapeCodec,
    WordSubCodec,
    homoglyph_codec,
    leet_codec,
)
from redline.mutators.codec import Codec
from redline.mutators.render import packaged, pick, render, variants_of
from redline.mutators.transcoders import Base64Codec, CharCodeCodec, HexCodec, MorseCodec
from redline.records import Prompt


class EncodingMutator(Mutator):
    kind = "encoding"

    def __init__(self, arg: str | None = None) -> None:
        super().__init__(arg)
        self.check_arg()

    def check_arg(self) -> None:
        no_arg(self)

    @cached_property
    def codec(self) -> Codec:
        return self.make_codec()

    @abstractmethod
    def make_codec(self) -> Codec: ...

    def codec_for(self, text: str) -> Codec:
        """The codec for one message (most are fixed; a word-substitution key depends on it)."""
        return self.codec

    def decoder_for(self, codec: Codec) -> str | None:
        return self.spec

    def fields(self, codec: Codec) -> dict[str, object]:
        """Values beyond `encoded` that this mutator's instructions mention."""
        return {}

    @cached_property
    def instructions(self) -> list[str]:
        data = packaged("data", "encodings")
        return variants_of(data, self.name, "mutators/data/encodings.yaml")

    def rewrite(self, text: str, prompt: Prompt) -> Rewrite:
        codec = self.codec_for(text)
        values = {"encoded": codec.encode(text), **self.fields(codec)}
        instruction = pick(self.instructions, prompt.id, self.name)
        return Rewrite(render(instruction, values), decoder=self.decoder_for(codec))

    def read(self, text: str) -> Reading | None:
        return self.codec.read(text)


class Base64(EncodingMutator):
    name = "base64"
    description = "The request in base64, with the reply asked for in base64."

    def make_codec(self) -> Codec:
        return Base64Codec()


class Hex(EncodingMutator):
    name = "hex"
    description = "The request as hexadecimal UTF-8 bytes, reply asked for in hex."

    def make_codec(self) -> Codec:
        return HexCodec()


class CharCodes(EncodingMutator):
    name = "ascii"
    description = "The request as decimal character codes (ASCII), reply asked for in codes."

    def make_codec(self) -> Codec:
        return CharCodeCodec()


class Morse(EncodingMutator):
    name = "morse"
    description = "The request in Morse code, with the reply asked for in Morse."

    def make_codec(self) -> Codec:
        return MorseCodec()


class Rot13(EncodingMutator):
    name = "rot13"
    description = "The request in ROT13, with the reply asked for in ROT13."

    def make_codec(self) -> Codec:
        return CaesarCodec(13)


class Caesar(EncodingMutator):
    name = "caesar"
    description = "The request in a Caesar cipher (caesar:N shifts N letters, default 3)."
    default_shift = 3

    def check_arg(self) -> None:
        if self.arg is not None and not (self.arg.isdigit() and 1 <= int(self.arg) <= 25):
            raise UserError(f"caesar takes a shift from 1 to 25 (got {self.arg!r})")

    @property
    def shift(self) -> int:
        return int(self.arg) if self.arg is not None else self.default_shift

    def make_codec(self) -> Codec:
        return CaesarCodec(self.shift)

    def fields(self, codec: Codec) -> dict[str, object]:
        return {"shift": self.shift}


class Atbash(EncodingMutator):
    name = "atbash"
    description = "The request in the Atbash cipher (a<->z), with the reply asked for in Atbash."

    def make_codec(self) -> Codec:
        return AtbashCodec()


class Leet(EncodingMutator):
    name = "leet"
    description = "The request in leetspeak (a->4, e->3, ...), with the reply asked for in kind."

    def make_codec(self) -> Codec:
        return leet_codec()


class Homoglyph(EncodingMutator):
    name = "homoglyph"
    description = "Latin letters swapped for Cyrillic look-alikes that slip past string filters."

    def make_codec(self) -> Codec:
        return homoglyph_codec()


class Misspell(EncodingMutator):
    name = "misspell"
    description = "Every longer word misspelt by swapping two inner letters (typo style)."

    def make_codec(self) -> Codec:
        return WordShapeCodec("swap")


class ReverseWords(EncodingMutator):
    name = "reverse"
    description = "Word-level obfuscation: each word spelt backwards, reply asked for the same way."

    def make_codec(self) -> Codec:
        return WordShapeCodec("reverse")


class WordSub(EncodingMutator):
    name = "wordsub"
    description = (
        "Word-level obfuscation: telling words replaced by harmless code words and a key "
        "(wordsub:code=word,... sets the key)."
    )

    def check_arg(self) -> None:
        if self.arg is not None:
            try:
                WordSubCodec.from_arg(self.arg)
            except ValueError as exc:
                raise UserError(f"wordsub: {exc}") from None

    def make_codec(self) -> Codec:
        return WordSubCodec.from_arg(self.arg or "")

    def codec_for(self, text: str) -> Codec:
        return self.codec if self.arg is not None else WordSubCodec.for_text(text)

    def decoder_for(self, codec: Codec) -> str | None:
        assert isinstance(codec, WordSubCodec)
        return f"{self.name}:{codec.arg}" if codec.key else None

    def fields(self, codec: Codec) -> dict[str, object]:
        assert isinstance(codec, WordSubCodec)
        key = "\n".join(f"- {code} means {real}" for code, real in codec.key.items())
        return {"key": key or "- (no words needed replacing)"}

    def read(self, text: str) -> Reading | None:
        return self.codec.read(text) if self.arg is not None else None
