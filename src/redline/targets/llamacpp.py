"""Local GGUF models through llama.cpp: the embedded default, or any GGUF path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from redline.errors import UserError
from redline.records import TokenLogprobs
from redline.spec import TargetSpec
from redline.targets.base import Generation, TargetError
from redline.targets.embedded_model import embedded_model_path
from redline.targets.in_process import InProcessTarget

DEFAULT_CONTEXT = 2048


class LogprobsRecorder:
    """A logits processor that passes the logits through, noting the k likeliest tokens at
    each generated position.

    llama-cpp-python's own `logprobs` needs the model loaded with logits_all=True, which keeps
    n_ctx x vocabulary floats and computes logits for every prompt token; reading the logits
    as each token is sampled costs one log-softmax per generated token on any loaded model.
    """

    def __init__(self, llama: Any, k: int) -> None:
        self.llama = llama
        self.k = k
        self.steps: list[tuple[tuple[str, float], ...]] = []
        self.prompt_len = -1
        #: The tokens chosen before the latest step (the last choice is never fed back).
        self.chosen: list[int] = []

    def __call__(self, input_ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        if self.prompt_len < 0:
            self.prompt_len = len(input_ids)
        self.chosen = input_ids[self.prompt_len :].tolist()
        shifted = logits - logits.max()
        logprobs = shifted - np.log(np.exp(shifted, dtype=np.float64).sum())
        best = np.argpartition(logprobs, -self.k)[-self.k :]
        best = best[np.argsort(logprobs[best])[::-1]]
        self.steps.append(tuple((self._piece(int(i)), float(logprobs[i])) for i in best))
        return logits

    def _piece(self, token: int) -> str:
        return self.llama.detokenize([token]).decode("utf-8", errors="replace")

    def tokens(self, text: str) -> tuple[TokenLogprobs, ...]:
        """Each position's chosen token with its alternatives; the last chosen token is what
        the text has left after the others."""
        pieces = [self._piece(token) for token in self.chosen]
        before = "".join(pieces)
        pieces.append(text[len(before) :] if text.startswith(before) else "")
        return tuple(
            TokenLogprobs(token=piece, top=top)
            for piece, top in zip(pieces, self.steps, strict=False)
        )


class LlamaCppTarget(InProcessTarget[Any]):
    def __init__(self, spec: TargetSpec) -> None:
        super().__init__(spec)
        if spec.model and not Path(spec.model).is_file():
            raise UserError(f"GGUF model file not found: {spec.model}")

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

    def _complete(
        self, llama: Any, messages: list[dict[str, str]], seed: int, top_logprobs: int
    ) -> Generation:
        recorder = LogprobsRecorder(llama, top_logprobs) if top_logprobs else None
        try:
            out = llama.create_chat_completion(
                messages=messages,
                temperature=self.spec.temperature,
                max_tokens=self.spec.max_tokens,
                seed=seed,
                logits_processor=[recorder] if recorder else None,
            )
        except ValueError as exc:  # e.g. the prompt does not fit the context window
            raise TargetError(str(exc), retryable=False) from None
        usage = out.get("usage") or {}
        text = out["choices"][0]["message"]["content"] or ""
        return Generation(
            text=text,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            top_logprobs=recorder.tokens(text) if recorder else None,
        )
