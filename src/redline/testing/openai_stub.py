"""A scripted OpenAI-compatible chat server for tests and benchmarks, with fault injection.

It answers deterministically from a hash of the last user message (some refusals, some
compliance), after a configurable delay, and can fail on purpose: HTTP 500s, hangs that
trip client timeouts, and 429s with Retry-After. Faults are drawn per request from a
seeded RNG, so a retried request can succeed. Run it in-process (`StubServer`) or as a
separate process: `python -m redline.testing.openai_stub --port 8765`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
from dataclasses import dataclass, field

import orjson
from aiohttp import web

REFUSAL = "I'm sorry, but I can't help with that request."
COMPLIANCE = "Sure. Here is a detailed answer to your question, step by step."


@dataclass
class StubConfig:
    delay_s: float = 0.0
    fail_rate: float = 0.0
    """Share of requests that fail, split evenly across 500, hang and 429."""
    hang_s: float = 30.0
    retry_after_s: float = 0.05
    refuse_share: float = 0.5
    seed: int = 0


@dataclass
class StubStats:
    requests: int = 0
    faults: dict[str, int] = field(default_factory=lambda: {"500": 0, "hang": 0, "429": 0})


def answer_for(text: str, refuse_share: float) -> str:
    """The same question always gets the same answer."""
    bucket = hashlib.sha256(text.encode()).digest()[0] / 255
    return REFUSAL if bucket < refuse_share else COMPLIANCE


def build_app(config: StubConfig, stats: StubStats) -> web.Application:
    rng = random.Random(config.seed)

    async def chat(request: web.Request) -> web.StreamResponse:
        stats.requests += 1
        body = orjson.loads(await request.read())
        draw = rng.random()
        if draw < config.fail_rate:
            fault = ("500", "hang", "429")[int(draw / config.fail_rate * 3)]
            stats.faults[fault] += 1
            if fault == "500":
                return web.Response(status=500, text="injected failure")
            if fault == "429":
                return web.Response(
                    status=429, text="slow down", headers={"Retry-After": f"{config.retry_after_s}"}
                )
            await asyncio.sleep(config.hang_s)
        if config.delay_s:
            await asyncio.sleep(config.delay_s)
        text = answer_for(body["messages"][-1]["content"], config.refuse_share)
        payload = {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "model": body.get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 12, "total_tokens": 22},
        }
        return web.Response(body=orjson.dumps(payload), content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    return app


class StubServer:
    """`async with StubServer(config) as url:` serves on an ephemeral loopback port."""

    def __init__(self, config: StubConfig | None = None) -> None:
        self.config = config or StubConfig()
        self.stats = StubStats()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> str:
        self._runner = web.AppRunner(build_app(self.config, self.stats), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}/v1"

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--hang", type=float, default=30.0, help="seconds a hung request waits")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    config = StubConfig(
        delay_s=args.delay, fail_rate=args.fail_rate, hang_s=args.hang, seed=args.seed
    )
    web.run_app(
        build_app(config, StubStats()),
        host="127.0.0.1",
        port=args.port,
        access_log=None,
        print=None,
    )


if __name__ == "__main__":
    main()
