"""Models run in-process by Hugging Face transformers: a hub id or local folder, or a GGUF
file that transformers de-quantises (`options: {gguf_file: name.gguf}`).

This is the way to run a guard model with its own chat template and no server: the
tokenizer's template renders the conversation, and `options.chat_template_kwargs` reach it
as they would reach vLLM's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redline.cache import is_offline
from redline.errors import UserError
from redline.records import TokenLogprobs
from redline.spec import TargetSpec
from redline.targets.base import Generation, TargetError
from redline.targets.in_process import InProcessTarget

OPTIONS = ("gguf_file", "device", "dtype", "chat_template_kwargs")


@dataclass(frozen=True)
class _Loaded:
    tokenizer: Any
    model: Any
    #: Longest sequence (prompt plus answer) the model takes.
    context: int | None
    #: Tokens that end an answer: they are neither text nor counted.
    stops: frozenset[int]


def top_logprobs_of(
    tokenizer: Any, logits: Any, chosen: list[int], k: int
) -> tuple[TokenLogprobs, ...]:
    """Each chosen token with the k likeliest at its place, from the model's raw logits
    (before temperature or sampling filters, as llama.cpp and OpenAI report them)."""
    import torch

    tokens = []
    for step, token in zip(logits, chosen, strict=False):
        values, ids = torch.log_softmax(step[0].float(), dim=-1).topk(k)
        top = tuple(
            (tokenizer.decode([i]), v) for i, v in zip(ids.tolist(), values.tolist(), strict=True)
        )
        tokens.append(TokenLogprobs(token=tokenizer.decode([token]), top=top))
    return tuple(tokens)


class TransformersTarget(InProcessTarget[_Loaded]):
    def __init__(self, spec: TargetSpec) -> None:
        super().__init__(spec)
        if not spec.model:
            raise UserError("transformers target: set model to a Hugging Face model id or folder")
        unknown = sorted(set(spec.options) - set(OPTIONS))
        if unknown:
            raise UserError(
                f"transformers target: unknown option(s) {', '.join(unknown)} "
                f"(known: {', '.join(OPTIONS)})"
            )
        self.model_id: str = spec.model
        self.gguf_file: str | None = spec.options.get("gguf_file")
        self.device: str = spec.options.get("device", "cpu")
        self.template_kwargs: dict[str, Any] = dict(spec.options.get("chat_template_kwargs", {}))

    def _dtype(self, torch: Any) -> Any:
        """float32 on the CPU (half precision is slow there); the checkpoint's own elsewhere."""
        name = self.spec.options.get("dtype", "float32" if self.device == "cpu" else "auto")
        if name == "auto":
            return name
        dtype = getattr(torch, str(name), None)
        if not isinstance(dtype, torch.dtype):
            raise UserError(f"transformers target: unknown dtype {name!r} (e.g. bfloat16, auto)")
        return dtype

    def _load(self) -> _Loaded:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise UserError(
                "torch and transformers are not installed: pip install 'redline[transformers]'"
            ) from None
        dtype = self._dtype(torch)
        where: dict[str, Any] = {"gguf_file": self.gguf_file} if self.gguf_file else {}
        where["local_files_only"] = is_offline()  # --offline: the hub cache or nothing
        try:
            # The model first: a folder without one says so, rather than blaming the tokenizer.
            model = AutoModelForCausalLM.from_pretrained(
                self.model_id, dtype=dtype, device_map=self.device, **where
            )
            tokenizer = AutoTokenizer.from_pretrained(self.model_id, **where)
        except (OSError, ValueError, KeyError, ImportError, RuntimeError) as exc:
            said = " ".join(str(exc).split())[:240] or type(exc).__name__
            raise UserError(f"cannot load model {self.model_id}: {said}") from None
        if not tokenizer.chat_template:
            raise UserError(f"model {self.model_id} has no chat template to render messages")
        stops = model.generation_config.eos_token_id
        stops = {stops} if isinstance(stops, int) else set(stops or ())
        if tokenizer.eos_token_id is not None:
            stops.add(tokenizer.eos_token_id)
        context = getattr(model.config, "max_position_embeddings", None)
        return _Loaded(tokenizer, model, context, frozenset(stops))

    def _complete(
        self, loaded: _Loaded, messages: list[dict[str, str]], seed: int, top_logprobs: int
    ) -> Generation:
        import torch

        tokenizer, model = loaded.tokenizer, loaded.model
        inputs = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True,
            **self.template_kwargs,
        ).to(model.device)  # fmt: skip
        prompt_len = int(inputs["input_ids"].shape[1])
        room = self.spec.max_tokens
        if loaded.context is not None:
            if prompt_len >= loaded.context:
                raise TargetError(
                    f"prompt of {prompt_len} tokens does not fit the model's context "
                    f"({loaded.context})",
                    retryable=False,
                )
            room = min(room, loaded.context - prompt_len)
        sampling = self.spec.temperature > 0
        # Sampling draws from a seeded copy of the RNG: reruns repeat, global state is kept.
        devices = list(range(torch.cuda.device_count())) if model.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            try:
                out = model.generate(
                    **inputs,
                    max_new_tokens=room,
                    do_sample=sampling,
                    temperature=self.spec.temperature if sampling else None,
                    return_dict_in_generate=True,
                    output_logits=top_logprobs > 0,
                )
            except torch.cuda.OutOfMemoryError as exc:
                raise TargetError(f"out of memory: {exc}", retryable=False) from None
        chosen = out.sequences[0, prompt_len:].tolist()
        end = next((i for i, t in enumerate(chosen) if t in loaded.stops), len(chosen))
        chosen = chosen[:end]
        return Generation(
            text=tokenizer.decode(chosen, skip_special_tokens=True),
            prompt_tokens=prompt_len,
            completion_tokens=len(chosen),
            top_logprobs=(
                top_logprobs_of(tokenizer, out.logits, chosen, top_logprobs)
                if top_logprobs
                else None
            ),
        )
