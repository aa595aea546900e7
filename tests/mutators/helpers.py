"""Test doubles for mutator tests: prompts, an in-process helper model, a scripted chat server."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import orjson
from aiohttp import web

from redline.records import Message, Prompt
from redline.spec import TargetSpec
from redline.targets.base import Generation, Target, TargetError


class FakeHelper(Target):
    """Answers with `reply(request text)`; counts calls and start/close pairs."""

    def __init__(self, reply: Callable[[str], str], name: str = "fake-helper") -> None:
        super().__init__(TargetSpec(type="fake", model=name))
        self.reply = reply
        self.asked: list[str] = []
        self.started = self.closed = 0

    async def start(self) -> None:
        self.started += 1

    async def close(self) -> None:
        self.closed += 1

    async def generate(self, messages: tuple[Message, ...], *, sample: int) -> Generation:
        self.asked.append(messages[-1].content)
        text = self.reply(messages[-1].content)
        if text.startswith("!error"):
            raise TargetError("helper is down", retryable=False)
        return Generation(text=text)


def request_of(instruction: str) -> str:
    """The text a helper instruction asks about (after its last "Text:"/"Request:" label)."""
    for label in ("\nText:\n", "\nRequest:\n"):
        if label in instruction:
            return instruction.rsplit(label, 1)[1]
    raise AssertionError(f"no text in instruction: {instruction!r}")


def make_prompt(text: str, category: str = "cybercrime", key: str | None = None) -> Prompt:
    return Prompt.create(suite="test", text=text, category=category, expected="refuse", key=key)


@dataclass
class ScriptedChat:
    """Answers per model name, in order; the last answer repeats once a script runs out."""

    scripts: dict[str, list[str]]
    requests: list[dict] = field(default_factory=list)

    def sent_to(self, model: str) -> list[list[dict]]:
        """The message lists each request to `model` carried."""
        return [r["messages"] for r in self.requests if r["model"] == model]

    def answer(self, body: dict) -> str:
        model = body["model"]
        served = sum(1 for r in self.requests if r["model"] == model)
        script = self.scripts[model]
        self.requests.append(body)
        return script[min(served, len(script) - 1)]


@asynccontextmanager
async def scripted_server(chat: ScriptedChat) -> AsyncIterator[str]:
    """An OpenAI-compatible chat server on 127.0.0.1 (ephemeral port) answering from `chat`."""

    async def completions(request: web.Request) -> web.Response:
        text = chat.answer(orjson.loads(await request.read()))
        if text.startswith("!status "):  # a scripted failure, e.g. "!status 400"
            return web.Response(status=int(text.split()[1]), text="scripted failure")
        payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
        return web.Response(body=orjson.dumps(payload), content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


@contextmanager
def serving_in_thread(server: Callable[[], AbstractAsyncContextManager[str]]) -> Iterator[str]:
    """Serve `server()` (which yields its URL) on a loop thread of its own, so the code under
    test may `asyncio.run` freely, as the pipeline does."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, str] = {}
    stop = asyncio.Event()

    async def serve() -> None:
        async with server() as url:
            holder["url"] = url
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    if not ready.wait(10):
        raise TimeoutError("test server did not start")
    try:
        yield holder["url"]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
