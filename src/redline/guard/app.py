"""The FastAPI application: routes, error shapes, body limits and request metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redline.guard import feedback, moderation, proxy
from redline.guard.errors import error_body, install_error_handlers
from redline.guard.policy import Policy
from redline.guard.service import Guard, guard_of

ROUTES = {
    "/v1/moderations": "moderations",
    "/v1/chat/completions": "chat",
    "/v1/feedback": "feedback",
    "/healthz": "healthz",
    "/metrics": "metrics",
    "/openapi.json": "openapi",
}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

ops = APIRouter(tags=["operations"])


@ops.get("/healthz")
async def healthz(request: Request) -> dict[str, Any]:
    guard = guard_of(request)
    return {
        "status": "ok",
        "judges": {stage: list(c.judges) for stage, c in guard.checkers.items()},
        "upstream": guard.upstream is not None,
    }


@ops.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    body = guard_of(request).metrics.render()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


class BodyLimitAndMetrics:
    """Pure ASGI middleware (it must not buffer streamed answers): refuses bodies over the
    limit with 413 before any parsing, and times and counts every request by route."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard
        self.limit = guard.policy.limits.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = ROUTES.get(scope["path"], "other")
        start = time.perf_counter()
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if scope["method"] in BODY_METHODS:
                body = await self._read(scope, receive)
                if body is None:
                    await self._too_large(send_counted)
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_counted)
        finally:
            metrics = self.guard.metrics
            metrics.requests.labels(route=route, status=str(status)).inc()
            metrics.latency.labels(route=route).observe(time.perf_counter() - start)

    async def _read(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to be over the limit."""
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                return None
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(parts)

    async def _too_large(self, send: Send) -> None:
        body = error_body(
            f"request body over {self.limit} bytes", "invalid_request_error", "body_too_large"
        )
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the buffered body once, then waits for the disconnect."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def create_app(policy: Policy) -> FastAPI:
    """The guard service for a policy; raises UserError (before serving) if it cannot run."""
    guard = Guard(policy)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await guard.start()
        try:
            yield
        finally:
            await guard.close()

    app = FastAPI(
        title="redline guard",
        summary="Moderation and a guarded chat proxy, compatible with OpenAI's API.",
        version="1",
        lifespan=lifespan,
    )
    app.state.guard = guard
    install_error_handlers(app)
    app.include_router(moderation.router)
    if guard.upstream is not None:
        app.include_router(proxy.router)
    app.include_router(feedback.router)
    app.include_router(ops)
    app.add_middleware(BodyLimitAndMetrics, guard=guard)
    return app
