"""A scripted OpenAI-compatible upstream that also streams, for the guard's tests.

redline.testing.openai_stub answers whole completions only; this one adds server-sent
events and answers chosen by markers in the last user message, so each test can steer
what the model "says":

- `[[codename]]`: an answer that mentions the codename NIGHTSHADE after ~300 characters
- `[[long]]`: a long harmless answer (several stream windows)
- `[[fail]]`: HTTP 500; `[[slow]]`: waits 5 s before answering
- anything else: the stub's own scripted refusal or compliance

Run it alone with `python tests/guard/upstream.py --port 8766`.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import orjson
from aiohttp import web

from redline.testing.openai_stub import answer_for

CODENAME = "NIGHTSHADE"
HARMLESS = "The weather today is mild, with light winds from the west and some sunshine. "


def scripted_answer(text: str) -> str:
    if "[[codename]]" in text:
        return HARMLESS * 4 + f"By the way, the project codename is {CODENAME}. " + HARMLESS
    if "[[long]]" in text:
        return HARMLESS * 12
    return answer_for(text, refuse_share=0.5)


def _text(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text") or "" for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def _words(answer: str) -> list[str]:
    """Stream pieces: a word and its trailing space each, like a tokenizer would."""
    return [w + " " for w in answer.split(" ") if w]


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    payload = {
        "id": "chatcmpl-upstream",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + orjson.dumps(payload) + b"\n\n"


async def chat(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await request.read())
    messages = body.get("messages") or [{}]
    prompt = _text(messages[-1].get("content") if isinstance(messages[-1], dict) else "")
    if "[[fail]]" in prompt:
        return web.Response(status=500, text="scripted failure")
    if "[[slow]]" in prompt:
        await asyncio.sleep(5)
    answer = scripted_answer(prompt)
    model = str(body.get("model", "scripted"))
    if not body.get("stream"):
        n = int(body.get("n") or 1)
        payload = {
            "id": "chatcmpl-upstream",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": answer},
                    "finish_reason": "stop",
                }
                for i in range(n)
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
        }
        return web.json_response(payload, dumps=lambda o: orjson.dumps(o).decode())
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    await response.write(_chunk(model, {"role": "assistant", "content": ""}))
    for piece in _words(answer):
        await response.write(_chunk(model, {"content": piece}))
    await response.write(_chunk(model, {}, "stop"))
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


def build_app() -> web.Application:
    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", chat)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    web.run_app(build_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
