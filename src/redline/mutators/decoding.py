"""Turning an encoded answer back into text a judge can read.

A probe's `decode` lists decoder specs, outermost encoding first ("base64", "caesar:3",
"wordsub:apple=bomb"); each is the mutator that made the encoding, whose `read` undoes it.
Decoding is best effort and never raises: text with nothing to decode comes back as it
was, and when only part of an answer decodes the judge gets the original and the decoded
text together, so nothing the model wrote is hidden from it.
Model decoders (translation back to English) need a helper model: `HelperDecoder` is the
engine's decode hook that runs them, starting the helper only when an answer needs it.
"""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache

from redline.errors import UserError
from redline.mutators.base import CHAIN_SEP, Mutator, Reading
from redline.mutators.cache import MutationCache
from redline.mutators.catalog import build_mutator
from redline.mutators.model import ModelMutator, MutationFailed
from redline.records import Probe
from redline.targets import Target

PARTLY_DECODED = "[decoded, in part]"
_FENCE_LINE = re.compile(r"^[ \t]*```[\w+-]*[ \t]*\n?", re.M)


@lru_cache(maxsize=256)
def _decoder(spec: str) -> Mutator | None:
    """The mutator behind a decoder spec; None for one that is no longer installed."""
    try:
        return build_mutator(spec)
    except UserError:
        return None


def _combine(original: str, text: str, decoded: int, failed: int) -> str:
    if text == original or not (decoded or failed):
        return original
    if failed:
        return f"{original}\n\n{PARTLY_DECODED}\n{text}"
    return text


def decode_response(probe: Probe, text: str) -> str:
    """The answer to `probe` as a judge should read it (sync decoders only)."""
    if not probe.decode:
        return text
    current, decoded, failed = _FENCE_LINE.sub("", text), 0, 0
    for spec in probe.decode.split(CHAIN_SEP):
        decoder = _decoder(spec)
        reading = decoder.read(current) if decoder is not None else None
        if reading is not None:
            current = reading.text
            decoded, failed = decoded + reading.decoded, failed + reading.failed
    return _combine(text, current, decoded, failed)


async def adecode_response(
    probe: Probe, text: str, *, helper: Target | None = None, cache: MutationCache | None = None
) -> str:
    """Like `decode_response`, also running model decoders (translation back to English).

    `helper` must already be started; a helper failure leaves that step undone.
    """
    if not probe.decode:
        return text
    current, decoded, failed = _FENCE_LINE.sub("", text), 0, 0
    for spec in probe.decode.split(CHAIN_SEP):
        decoder = _decoder(spec)
        reading: Reading | None = None
        if isinstance(decoder, ModelMutator):
            model_decoder = build_mutator(spec, helper=helper, cache=cache)
            assert isinstance(model_decoder, ModelMutator)
            try:
                reading = await model_decoder.aread(current)
            except MutationFailed:
                failed += 1
        elif decoder is not None:
            reading = decoder.read(current)
        if reading is not None:
            current = reading.text
            decoded, failed = decoded + reading.decoded, failed + reading.failed
    return _combine(text, current, decoded, failed)


def needs_helper(probe: Probe) -> bool:
    """Whether decoding answers to `probe` asks a helper model (e.g. to translate them back)."""
    if not probe.decode:
        return False
    return any(isinstance(_decoder(spec), ModelMutator) for spec in probe.decode.split(CHAIN_SEP))


class HelperDecoder:
    """The engine's decode hook: sync decoders inline, model decoders through `helper`.

    The helper is started on the first answer that needs it, inside the engine's event loop,
    so a run without translated probes never loads it; `close`, in the same loop, releases
    it. With `manage=False` the caller starts and closes the helper (when it is the target
    itself, the engine does). Without a helper, model decoders are left undone, as in
    `decode_response`. At most `concurrency` helper calls run at once.
    """

    def __init__(
        self,
        helper: Target | None,
        cache: MutationCache | None = None,
        *,
        manage: bool = True,
        concurrency: int = 4,
    ) -> None:
        self.helper = helper
        self.cache = cache
        self.manage = manage
        limit = (helper.max_concurrency if helper else None) or concurrency
        self._gate = asyncio.Semaphore(min(concurrency, limit))
        self._starting = asyncio.Lock()
        self._started = False

    async def __call__(self, probe: Probe, text: str) -> str:
        helper = self.helper
        if helper is None or not needs_helper(probe):
            return decode_response(probe, text)
        await self._start_once(helper)
        async with self._gate:
            return await adecode_response(probe, text, helper=helper, cache=self.cache)

    async def _start_once(self, helper: Target) -> None:
        if self._started or not self.manage:
            return
        async with self._starting:  # answers decode concurrently: one start serves them all
            if not self._started:
                await helper.start()
                self._started = True

    async def close(self) -> None:
        if self._started and self.helper is not None:
            self._started = False
            await self.helper.close()
