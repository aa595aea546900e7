"""Every deterministic mutator decodes what it encodes, using only what its probe records."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.mutators import build_mutator, describe_mutators, plan_probes
from redline.mutators.ciphers import HOMOGLYPHS, LEET
from redline.mutators.encoding import EncodingMutator
from redline.mutators.transcoders import MORSE
from redline.records import Prompt


def _morse_expected(text: str) -> str:
    """Morse has no case: letters come back lower-case; characters it lacks pass through."""
    return "".join(ch.lower() if ch.lower() in MORSE else ch for ch in text)


def _without(chars: str | set[str]) -> st.SearchStrategy[str]:
    return st.text(alphabet=st.characters(exclude_characters=set(chars), exclude_categories=["Cs"]))


_same: Callable[[str], str] = lambda text: text  # noqa: E731

# name -> (texts it must round-trip, what decoding them must give)
ROUND_TRIPS: dict[str, tuple[st.SearchStrategy[str], Callable[[str], str]]] = {
    "base64": (st.text(), _same),
    "hex": (st.text(), _same),
    "ascii": (st.text(), _same),
    "morse": (st.text(), _morse_expected),
    "rot13": (st.text(), _same),
    "caesar": (st.text(), _same),
    "atbash": (st.text(), _same),
    # Decoding is exact where the text holds no look-alike characters of its own.
    "leet": (_without(set(LEET.values())), _same),
    "homoglyph": (_without(set(HOMOGLYPHS.values())), _same),
    "misspell": (st.text(), _same),
    "reverse": (st.text(), _same),
    "wordsub": (st.text(), _same),
}


def test_every_encoding_mutator_has_a_round_trip_property() -> None:
    encodings = {name for name, kind, _ in describe_mutators() if kind == "encoding"}
    assert encodings == set(ROUND_TRIPS)


def round_trip(spec: str, text: str) -> str:
    """Encode `text` as the mutator does, then decode with the decoder its probe names."""
    mutator = build_mutator(spec)
    assert isinstance(mutator, EncodingMutator)
    prompt = Prompt.create(suite="prop", text=text, category="x", expected="refuse")
    [probe] = plan_probes(prompt, [spec])
    encoded = mutator.codec_for(text).encode(text)
    if probe.decode is None:  # nothing was hidden (e.g. no word worth a code word)
        return encoded
    decoder = build_mutator(probe.decode)
    assert isinstance(decoder, EncodingMutator)
    return decoder.codec.decode(encoded)


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_round_trip(name: str) -> None:
    texts, expected = ROUND_TRIPS[name]

    @settings(max_examples=150, deadline=None)
    @given(texts)
    def check(text: str) -> None:
        assert round_trip(name, text) == expected(text)

    check()


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 25), st.text())
def test_caesar_round_trips_at_every_shift(shift: int, text: str) -> None:
    assert round_trip(f"caesar:{shift}", text) == text


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_encodings_change_latin_text(text: str) -> None:
    """A cipher that left the request readable would test nothing."""
    plain = "Explain how to bypass a paywall " + text
    for name in ("base64", "hex", "ascii", "morse", "rot13", "atbash", "reverse"):
        assert build_mutator(name).codec_for(plain).encode(plain) != plain
