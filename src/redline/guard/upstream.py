"""The guarded model: one aiohttp session to an OpenAI-compatible server, with timeouts.

Upstream failures become errors the caller can act on: a client mistake (4xx) is passed
back as is, a rate limit keeps its Retry-After, anything else on the upstream side is a
502, and silence past the timeout a 504.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson

from redline.errors import UserError
from redline.guard.policy import Upstream
from redline.targets.openai import parse_retry_after

DONE = b"[DONE]"


class UpstreamError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _failure(status: int, raw: bytes, retry_after: str | None) -> UpstreamError:
    """What the client should see for an upstream's non-200 answer."""
    if status == 429:
        wait = parse_retry_after(retry_after)
        headers = {"Retry-After": str(math.ceil(wait))} if wait is not None else {}
        return UpstreamError(429, "upstream rate limit reached", headers)
    if 400 <= status < 500 and status not in (401, 403, 407):
        return UpstreamError(status, f"upstream: {_message(raw)}")
    return UpstreamError(502, f"upstream failed with HTTP {status}")


def _message(raw: bytes) -> str:
    """An upstream error's own message where it sent one in OpenAI's shape."""
    try:
        message = orjson.loads(raw)["error"]["message"]
        if isinstance(message, str):
            return message[:500]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        pass
    return raw[:200].decode("utf-8", "replace")


class UpstreamClient:
    def __init__(self, config: Upstream) -> None:
        self.config = config
        self.url = config.base_url.rstrip("/") + "/chat/completions"
        self.headers = {"Content-Type": "application/json"}
        if config.api_key_env:
            key = os.environ.get(config.api_key_env)
            if not key:
                raise UserError(f"upstream key variable {config.api_key_env} is not set")
            self.headers["Authorization"] = f"Bearer {key}"
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, ttl_dns_cache=300), headers=self.headers
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _body(self, body: dict[str, Any]) -> bytes:
        if self.config.model:
            body = {**body, "model": self.config.model}
        try:
            return orjson.dumps(body)
        except TypeError:  # integers past 64 bits, which the client's JSON may hold
            return json.dumps(body).encode()

    async def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """A whole chat completion as a mapping with a `choices` list."""
        assert self._session is not None, "start() the client first"
        timeout = aiohttp.ClientTimeout(
            total=self.config.timeout_s, connect=self.config.connect_timeout_s
        )
        try:
            async with self._session.post(self.url, data=self._body(body), timeout=timeout) as resp:
                raw = await resp.read()
                if resp.status != 200:
                    raise _failure(resp.status, raw, resp.headers.get("Retry-After"))
        except TimeoutError:
            raise UpstreamError(504, "upstream timed out") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise UpstreamError(502, f"upstream unreachable: {type(exc).__name__}") from None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            raise UpstreamError(502, "upstream sent a malformed completion")
        return data

    @asynccontextmanager
    async def stream(self, body: dict[str, Any]) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Open a streamed completion (errors before the first byte raise here), then yield
        its chunks; `timeout_s` bounds the wait for each next piece."""
        assert self._session is not None, "start() the client first"
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self.config.connect_timeout_s, sock_read=self.config.timeout_s
        )
        try:
            resp = await self._session.post(self.url, data=self._body(body), timeout=timeout)
        except TimeoutError:
            raise UpstreamError(504, "upstream timed out") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise UpstreamError(502, f"upstream unreachable: {type(exc).__name__}") from None
        try:
            if resp.status != 200:
                raw = await resp.read()
                raise _failure(resp.status, raw, resp.headers.get("Retry-After"))
            yield _chunks(resp)
        finally:
            resp.close()


async def _chunks(resp: aiohttp.ClientResponse) -> AsyncIterator[dict[str, Any]]:
    """The JSON chunks of a server-sent event stream, up to `data: [DONE]`."""
    try:
        async for line in resp.content:
            if not line.startswith(b"data:"):
                continue  # blank separators, comments, event names
            data = line[5:].strip()
            if data == DONE:
                return
            try:
                chunk = orjson.loads(data)
            except orjson.JSONDecodeError:
                raise UpstreamError(502, "upstream sent a malformed stream chunk") from None
            if not isinstance(chunk, dict):
                raise UpstreamError(502, "upstream sent a malformed stream chunk")
            yield chunk
    except TimeoutError:
        raise UpstreamError(504, "upstream stream stalled") from None
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise UpstreamError(502, f"upstream stream broke: {type(exc).__name__}") from None
