"""POST /v1/chat/completions: a guarded proxy to the upstream model.

Every user and tool message is checked before the upstream is called (a request spread
over turns, or smuggled in through a tool result, is still seen); the answer is checked
before the client sees it. Blocked content becomes the policy's refusal with
`finish_reason: content_filter`, and every answer carries OpenAI's `moderation` field with
the decisions behind it. Streams never release unchecked text: in `incremental` mode the
answer is released a window at a time after each check of the text so far, in `end` mode
all at once after the final check.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from typing import Any

import orjson
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response, StreamingResponse

from redline.guard.checks import Decision, Subject
from redline.guard.errors import ApiError, error_body
from redline.guard.moderation import model_name, result_of
from redline.guard.service import Client, Guard, guard_of
from redline.guard.upstream import UpstreamError

router = APIRouter(tags=["chat"])


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(min_length=1, max_length=64)
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    """OpenAI's chat request; fields not named here are passed to the upstream untouched."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1, max_length=256)
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool | None = None
    n: int | None = Field(None, ge=1, le=128)


def text_of(message: ChatMessage) -> str:
    if isinstance(message.content, list):
        return "\n".join(p.text for p in message.content if p.type == "text" and p.text)
    return message.content or ""


def last_user_text(messages: Sequence[ChatMessage]) -> str | None:
    return next((text_of(m) for m in reversed(messages) if m.role == "user"), None)


#: Roles whose text comes from outside the operator: people and the tools they drive.
CHECKED_ROLES = frozenset({"user", "tool", "function"})


def checked_texts(messages: Sequence[ChatMessage]) -> list[str]:
    """What the input check reads: each user and tool message once, the latest first."""
    texts = (text_of(m) for m in reversed(messages) if m.role in CHECKED_ROLES)
    return list(dict.fromkeys(t for t in texts if t))


def moderation_side(model: str, decisions: Sequence[Decision]) -> dict[str, Any]:
    """One side of OpenAI's `moderation` object on a completion: its decisions as results."""
    results = [{**result_of(d), "model": model, "type": "moderation_result"} for d in decisions]
    return {"type": "moderation_results", "model": model, "results": results}


def _sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(payload) + b"\n\n"


def _json(payload: dict[str, Any]) -> Response:
    return Response(orjson.dumps(payload), media_type="application/json")


class Exchange:
    """One proxied request: its ids, its checks so far, and how to answer it."""

    def __init__(self, guard: Guard, body: ChatRequest, client: str) -> None:
        self.guard = guard
        self.body = body
        self.client = client
        self.id = f"chatcmpl-{secrets.token_hex(12)}"
        self.created = int(time.time())
        self.prompt = last_user_text(body.messages)
        self.input: list[Decision] = []
        self.output: list[Decision] = []

    def record(self) -> None:
        self.guard.observe(
            [*self.input, *self.output], request_id=self.id, client=self.client, route="chat"
        )

    def moderation(self) -> dict[str, Any]:
        return {
            "input": moderation_side(model_name(self.guard, "input"), self.input),
            "output": moderation_side(model_name(self.guard, "output"), self.output),
        }

    @property
    def refusal(self) -> str:
        return self.guard.policy.refusal

    async def check_output(self, texts: Sequence[str]) -> list[Decision]:
        subjects = [Subject(t, self.prompt or "") for t in texts]
        return await self.guard.checkers["output"].check(subjects)

    def refused(self) -> Response:
        """The answer when the input is blocked: the refusal, and no upstream call."""
        if self.body.stream:
            chunk = self._chunk({"role": "assistant", "content": self.refusal}, "content_filter")
            return _event_stream(self._close_stream([chunk]))
        message = {"role": "assistant", "content": self.refusal}
        return _json(
            {
                "id": self.id,
                "object": "chat.completion",
                "created": self.created,
                "model": self.body.model,
                "choices": [{"index": 0, "message": message, "finish_reason": "content_filter"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "moderation": self.moderation(),
            }
        )

    def _chunk(self, delta: dict[str, Any], finish: str | None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return _sse(self._chunk_envelope([choice]))

    def _chunk_envelope(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.body.model,
            "choices": choices,
        }

    async def _close_stream(self, last: list[bytes]) -> AsyncIterator[bytes]:
        for event in last:
            yield event
        yield _sse({**self._chunk_envelope([]), "moderation": self.moderation()})
        yield b"data: [DONE]\n\n"

    async def complete(self, payload: dict[str, Any]) -> Response:
        assert self.guard.upstream is not None
        data = await self._timed(self.guard.upstream.complete(payload))
        answers = [(i, c) for i, c in enumerate(data["choices"]) if _message_text(c) is not None]
        self.output = await self.check_output([_message_text(c) or "" for _, c in answers])
        for (index, _), decision in zip(answers, self.output, strict=True):
            if decision.action == "block":
                data["choices"][index] = {
                    **data["choices"][index],
                    "message": {"role": "assistant", "content": self.refusal},
                    "finish_reason": "content_filter",
                }
        data["moderation"] = self.moderation()
        return _json(data)

    async def _timed(self, call: Any) -> Any:
        start = time.perf_counter()
        try:
            return await call
        except UpstreamError as exc:
            self.guard.metrics.upstream_errors.labels(kind=str(exc.status)).inc()
            raise ApiError(
                exc.status, exc.message, kind=_kind(exc.status), headers=exc.headers
            ) from None
        finally:
            self.guard.metrics.upstream_latency.observe(time.perf_counter() - start)

    async def stream(self, payload: dict[str, Any]) -> Response:
        assert self.guard.upstream is not None
        stack = AsyncExitStack()
        chunks = await self._timed(stack.enter_async_context(self.guard.upstream.stream(payload)))
        return _event_stream(self._relay(chunks, stack))

    async def _relay(
        self, chunks: AsyncIterator[dict[str, Any]], stack: AsyncExitStack
    ) -> AsyncIterator[bytes]:
        """Upstream chunks out, each piece of text only after a check that covers it."""
        config = self.guard.policy.output
        window = config.window_chars if config.stream == "incremental" else None
        pending: list[bytes] = []
        text, checked, released = "", 0, False
        try:
            async with stack:
                try:
                    async for chunk in chunks:
                        if "error" in chunk:
                            yield _sse({"error": chunk["error"]})
                            return
                        pending.append(_sse(chunk))
                        text += _delta_text(chunk)
                        if window is not None and len(text) - checked >= window:
                            blocked = await self._check_stream(text)
                            if blocked:
                                break
                            yield b"".join(pending)
                            pending.clear()
                            checked, released = len(text), True
                except UpstreamError as exc:
                    yield b"data: " + error_body(exc.message, _kind(exc.status)) + b"\n\n"
                    return
            blocked = self._blocked()
            if not blocked and len(text) > checked:
                blocked = await self._check_stream(text)
            if blocked:
                tail = "\n\n" + self.refusal if released else self.refusal
                delta = {"content": tail} if released else {"role": "assistant", "content": tail}
                pending = [self._chunk(delta, "content_filter")]
            async for event in self._close_stream(pending):
                yield event
        finally:
            self.record()

    def _blocked(self) -> bool:
        return bool(self.output) and self.output[-1].action == "block"

    async def _check_stream(self, text: str) -> bool:
        """Check the whole answer so far; only the latest check is kept as the decision."""
        self.output = await self.check_output([text])
        return self._blocked()


def _event_stream(events: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


def _kind(status: int) -> str:
    if status == 429:
        return "rate_limit_error"
    return "upstream_error" if status >= 500 else "invalid_request_error"


def _message_text(choice: Any) -> str | None:
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else None


def _delta_text(chunk: dict[str, Any]) -> str:
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    delta = choices[0].get("delta")
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""


@router.post(
    "/v1/chat/completions",
    responses={
        400: {"description": "Malformed request"},
        401: {"description": "Bad API key"},
        502: {"description": "The upstream failed"},
        504: {"description": "The upstream timed out"},
    },
)
async def chat_completions(body: ChatRequest, request: Request, client: Client) -> Response:
    guard = guard_of(request)
    if len(body.messages) > guard.policy.limits.max_messages:
        limit = guard.policy.limits.max_messages
        raise ApiError(400, f"messages: at most {limit} per request", param="messages")
    if body.stream and (body.n or 1) > 1:
        raise ApiError(400, "n: only one choice can be streamed through the guard", param="n")
    exchange = Exchange(guard, body, client)
    if texts := checked_texts(body.messages):
        exchange.input = await guard.checkers["input"].check([Subject(t) for t in texts])
    if any(decision.action == "block" for decision in exchange.input):
        exchange.record()
        return exchange.refused()
    payload = body.model_dump(mode="json", exclude_unset=True)
    if body.stream:
        try:
            return await exchange.stream(payload)
        except ApiError:
            exchange.record()
            raise
    try:
        return await exchange.complete(payload)
    finally:
        exchange.record()
