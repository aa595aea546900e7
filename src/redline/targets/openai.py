"""OpenAI-compatible chat completions over a lean aiohttp client.

vLLM, Ollama, llama.cpp's server and hosted APIs all speak this protocol. aiohttp with
one shared session keeps up with thousands of requests per second on two cores, where the
SDK's httpx path collapses (see DESIGN.md), so this is the engine's hot path.
"""

from __future__ import annotations

import os
from email.utils import parsedate_to_datetime
from time import time

import aiohttp
import orjson

from redline.errors import UserError
from redline.records import Message, TokenLogprobs
from redline.spec import TargetSpec
from redline.targets.base import Generation, Target, TargetError

DEFAULT_KEY_ENV = "OPENAI_API_KEY"
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None


class OpenAITarget(Target):
    offers_logprobs = True

    def __init__(self, spec: TargetSpec) -> None:
        super().__init__(spec)
        if not spec.base_url:
            raise UserError("target openai needs base_url (e.g. http://localhost:8000/v1)")
        if not spec.model:
            raise UserError("target openai needs a model name")
        self.url = spec.base_url.rstrip("/") + "/chat/completions"
        self.headers = {"Content-Type": "application/json"}
        key_env = spec.api_key_env or DEFAULT_KEY_ENV
        key = os.environ.get(key_env)
        if spec.api_key_env and not key:
            raise UserError(f"environment variable {key_env} (target api_key_env) is not set")
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=self.headers,
            json_serialize=lambda o: orjson.dumps(o).decode(),
            # The engine times every call itself (RunSpec.timeout_s); a second, hidden timer
            # per request from aiohttp (300 s by default) would only cost CPU.
            timeout=aiohttp.ClientTimeout(total=None),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def body(self, messages: tuple[Message, ...], sample: int, top_logprobs: int = 0) -> bytes:
        payload = {
            "model": self.spec.model,
            "messages": self.messages_for(messages),
            "temperature": self.spec.temperature,
            "max_tokens": self.spec.max_tokens,
            "seed": self.seed_for(sample),
            **self.spec.options,
        }
        if top_logprobs:
            payload.update(logprobs=True, top_logprobs=top_logprobs)
        return orjson.dumps(payload)

    async def generate(
        self, messages: tuple[Message, ...], *, sample: int, top_logprobs: int = 0
    ) -> Generation:
        assert self._session is not None, "start() the target first"
        body = self.body(messages, sample, top_logprobs)
        try:
            async with self._session.post(self.url, data=body) as resp:
                raw = await resp.read()
                if resp.status != 200:
                    raise TargetError(
                        f"HTTP {resp.status}: {raw[:200].decode('utf-8', 'replace')}",
                        retryable=resp.status in RETRYABLE_STATUS,
                        retry_after=parse_retry_after(resp.headers.get("Retry-After")),
                    )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TargetError(f"{type(exc).__name__}: {exc}", retryable=True) from None
        return parse_completion(raw, logprobs=top_logprobs > 0)


def parse_completion(raw: bytes, *, logprobs: bool = False) -> Generation:
    """The first choice's text and token usage, plus its token log-probabilities when they
    were asked for; a malformed body is a retryable failure."""
    try:
        data = orjson.loads(raw)
        choice = data["choices"][0]
        text = choice["message"]["content"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        raise TargetError(f"malformed completion: {raw[:200]!r}", retryable=True) from None
    usage = data.get("usage") or {}
    return Generation(
        text=text or "",
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        top_logprobs=parse_logprobs(choice.get("logprobs")) if logprobs else None,
    )


def parse_logprobs(raw: object) -> tuple[TokenLogprobs, ...] | None:
    """`choices[0].logprobs` in the chat API's shape ({content: [{token, top_logprobs}]});
    None when absent or in another shape, so the caller falls back to reading the text."""
    try:
        return tuple(
            TokenLogprobs(
                token=entry["token"],
                top=tuple((alt["token"], float(alt["logprob"])) for alt in entry["top_logprobs"]),
            )
            for entry in raw["content"]  # type: ignore[index]
        )
    except (KeyError, TypeError, ValueError):
        return None
