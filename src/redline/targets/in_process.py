"""Targets whose model lives in this process (llama.cpp, transformers).

Such a model runs one generation at a time, so it is loaded once on one worker thread and
every call runs there in turn: the event loop stays free for the store and the progress bar.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from redline.records import Message
from redline.spec import TargetSpec
from redline.targets.base import Generation, Target

Model = TypeVar("Model")


class InProcessTarget(Target, Generic[Model]):
    max_concurrency = 1
    offers_logprobs = True

    def __init__(self, spec: TargetSpec) -> None:
        super().__init__(spec)
        self._model: Model | None = None
        self._pool: ThreadPoolExecutor | None = None

    @abstractmethod
    def _load(self) -> Model:
        """The loaded model (runs on the worker thread); UserError when it cannot load."""

    @abstractmethod
    def _complete(
        self, model: Model, messages: list[dict[str, str]], seed: int, top_logprobs: int
    ) -> Generation:
        """One completion on the worker thread; TargetError on a failed call."""

    async def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=type(self).__name__)
        loop = asyncio.get_running_loop()
        self._model = await loop.run_in_executor(self._pool, self._load)

    async def close(self) -> None:
        self._model = None
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    async def generate(
        self, messages: tuple[Message, ...], *, sample: int, top_logprobs: int = 0
    ) -> Generation:
        assert self._model is not None, "start() the target first"
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool,
            self._complete,
            self._model,
            self.messages_for(messages),
            self.seed_for(sample),
            top_logprobs,
        )
