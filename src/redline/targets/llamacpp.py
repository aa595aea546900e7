"""Local GGUF models through llama.cpp: the embedded default, or any GGUF path.

llama.cpp runs one generation at a time per model, so calls are serialised on one worker
thread and the event loop stays free for the store and the progress bar.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from redline.errors import UserError
from redline.records import Message
from redline.spec import TargetSpec
from redline.targets.base import Generation, Target, TargetError
from redline.targets.embedded_model import embedded_model_path

DEFAULT_CONTEXT = 2048


class LlamaCppTarget(Target):
    max_concurrency = 1

    def __init__(self, spec: TargetSpec) -> None:
        super().__init__(spec)
        if spec.model and not Path(spec.model).is_file():
            raise UserError(f"GGUF model file not found: {spec.model}")
        self._llama: Any = None
        self._pool: ThreadPoolExecutor | None = None

    def _load(self) -> Any:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise UserError(
                "llama-cpp-python is not installed: pip install 'redline[embedded]'"
            ) from None
        path = Path(self.spec.model) if self.spec.model else embedded_model_path()
        options = {"n_ctx": DEFAULT_CONTEXT, "n_threads": os.cpu_count() or 1, **self.spec.options}
        try:
            return Llama(model_path=str(path), seed=self.spec.seed, verbose=False, **options)
        except (ValueError, RuntimeError) as exc:
            raise UserError(f"cannot load GGUF model {path}: {exc}") from None

    async def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamacpp")
        loop = asyncio.get_running_loop()
        self._llama = await loop.run_in_executor(self._pool, self._load)

    async def close(self) -> None:
        self._llama = None
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def _complete(self, messages: list[dict[str, str]], seed: int) -> Generation:
        try:
            out = self._llama.create_chat_completion(
                messages=messages,
                temperature=self.spec.temperature,
                max_tokens=self.spec.max_tokens,
                seed=seed,
            )
        except ValueError as exc:  # e.g. the prompt does not fit the context window
            raise TargetError(str(exc), retryable=False) from None
        usage = out.get("usage") or {}
        return Generation(
            text=out["choices"][0]["message"]["content"] or "",
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
        )

    async def generate(self, messages: tuple[Message, ...], *, sample: int) -> Generation:
        assert self._llama is not None, "start() the target first"
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, self._complete, self.messages_for(messages), self.seed_for(sample)
        )
