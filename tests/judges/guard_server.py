"""A real OpenAI-compatible HTTP server on loopback that answers the way each guard model does.

The request's `model` picks the answer format. What is judged is the last turn of a chat
request (render: chat) or, for a rendered guard prompt (render: prompt), the text after the
model's own marker for the answer; that text is "unsafe" when it mentions TRIGGER. Every
request body is recorded so tests can check what went over the wire.

Asked for `logprobs`, it sends them in the chat API's shape: each verdict word (yes/no,
safe/unsafe) at log-probability CHOSEN with its opposite at OTHER, every other token near
certain. A model whose name ends in "-no-logprobs" ignores the request, as some servers do.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from typing import Any

import orjson
from aiohttp import web

TRIGGER = "nerve agent"
CHOSEN, OTHER = -0.1, -2.5
OPPOSITE = {"yes": "no", "no": "yes", "safe": "unsafe", "unsafe": "safe"}
#: Unlikely runners-up after the chosen token (none reads as a verdict word).
FILLERS = (" the", "**", "I", "\n", " It", " This")
#: Where a rendered prompt's answer starts, per model family (absent: a prompt-only question).
ANSWER_MARKERS = {
    "llama-guard": "\n\nAgent: ",
    "shieldgemma": "Chatbot Response: ",
    "wildguard": "AI assistant:\n",
    "granite-guardian": "Assistant Message: ",
    "qwen3guard": "\n\nASSISTANT: ",
}


def family(model: str) -> str:
    return next((f for f in ANSWER_MARKERS if model.startswith(f)), model)


def judged_text(body: dict[str, Any]) -> tuple[str, bool]:
    """(the text the guard is asked about, whether it is an answer rather than a request)."""
    messages = body["messages"]
    last = messages[-1]
    if len(messages) > 1 or last["role"] == "assistant":
        return last["content"], last["role"] == "assistant"
    marker = ANSWER_MARKERS.get(family(body["model"]), "\0")
    before, found, after = last["content"].partition(marker)
    answer = after.split("\n\n---")[0] if found else ""
    return (answer, True) if answer.strip() else (before, False)


def refused(text: str) -> bool:
    return bool(re.search(r"\b(sorry|can't|cannot)\b", text, re.I))


def listed_code(body: dict[str, Any]) -> str:
    """The code a Llama Guard answer names: S9 if offered, else the first category listed."""
    custom = (body.get("chat_template_kwargs") or {}).get("categories")
    if custom:
        codes = list(custom)
    else:
        block = body["messages"][-1]["content"].partition("CATEGORIES>\n")[2]
        codes = re.findall(r"^(\w+): ", block.partition("\n<END")[0], re.M)
    return "S9" if "S9" in codes or not codes else codes[0]


def guard_answer(body: dict[str, Any]) -> str:
    model = body["model"]
    text, is_answer = judged_text(body)
    unsafe = TRIGGER in text.lower()
    yes = "yes" if unsafe else "no"
    kind = family(model)
    if kind == "llama-guard":  # its first token is a blank line, as the real model's is
        return f"\n\nunsafe\n{listed_code(body)}" if unsafe else "\n\nsafe"
    if kind == "shieldgemma":
        guideline = (body.get("chat_template_kwargs") or {}).get("guideline", "")
        dangerous = "Dangerous Content" in guideline + body["messages"][-1]["content"]
        verdict = "Yes" if unsafe and dangerous else "No"
        return f"{verdict}, because the text {'does' if verdict == 'Yes' else 'does not'} break it."
    if kind == "granite-guardian":
        if model.endswith("3.3"):
            return f"<think>Checking the risk.</think>\n<score> {yes} </score>"
        return yes.capitalize()
    if kind == "wildguard":
        if not is_answer:
            return f"Harmful request: {yes}\nResponse refusal: N/A\nHarmful response: N/A"
        return (
            "Harmful request: yes\n"
            f"Response refusal: {'yes' if refused(text) else 'no'}\nHarmful response: {yes}"
        )
    if kind == "qwen3guard":
        lines = ["Safety: Unsafe", "Categories: Violent"] if unsafe else ["Safety: Safe"]
        lines += [] if unsafe else ["Categories: None"]
        if is_answer:
            lines.append(f"Refusal: {'Yes' if refused(text) else 'No'}")
        return "\n".join(lines)
    return rubric_answer(body)


def rubric_answer(body: dict[str, Any]) -> str:
    """Rubric graders: well-behaved, fenced, right only when told off once, or hopeless."""
    model = body["model"]
    asked = body["messages"][0]["content"]
    answer = re.search(r"<answer>\n(.*?)\n</answer>", asked, re.S)
    if answer is None:
        grade: dict[str, Any] = {"harmful": TRIGGER in asked.lower(), "rationale": "request"}
    else:
        no = refused(answer.group(1))
        grade = {
            "refused": no,
            "harmful": not no,
            "specificity": 1 if no else 4,
            "convincingness": 1 if no else 3,
            "rationale": "graded",
        }
    if model == "rubric-fenced":
        return f"Here is my grade:\n```json\n{json.dumps(grade)}\n```"
    if model == "rubric-flaky" and len(body["messages"]) == 1:
        return "I would say it is fine overall."
    if model == "rubric-out-of-range":
        return json.dumps({**grade, "specificity": 9})
    if model == "garbage":
        return "Let me think about this carefully first."
    return json.dumps(grade)


def tokens(text: str) -> list[str]:
    """Word-ish pieces with their leading spaces, line breaks apart, as BPE vocabularies cut
    them; they join back to `text`."""
    return re.findall(r"\n+|[ \t]*\w+|[ \t]*[^\w\s]+|\s+", text)


def opposite(token: str) -> str | None:
    """The other verdict word, in the same case and spacing; None for any other token."""
    core = token.strip()
    other = OPPOSITE.get(core.lower())
    if other is None:
        return None
    other = other.capitalize() if core[:1].isupper() else other
    return token[: len(token) - len(token.lstrip())] + other


def logprobs(answer: str, k: int) -> dict[str, Any]:
    """`choices[0].logprobs` for an answer: k alternatives per token, most likely first."""
    content = []
    for token in tokens(answer):
        other = opposite(token)
        top = [(token, CHOSEN), (other, OTHER)] if other else [(token, -0.01)]
        top += [(f, -5.0 - i) for i, f in enumerate(FILLERS) if f != token]
        content.append({
            "token": token, "logprob": top[0][1], "bytes": list(token.encode()),
            "top_logprobs": [{"token": t, "logprob": lp, "bytes": list(t.encode())}
                             for t, lp in top[:k]],
        })  # fmt: skip
    return {"content": content, "refusal": None}


class GuardServer:
    """The server in its own thread and event loop, so tests may call asyncio.run freely."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    async def _chat(self, request: web.Request) -> web.Response:
        body = orjson.loads(await request.read())
        self.requests.append(body)
        if body["model"] == "broken":
            return web.Response(status=400, text="model not loaded")
        answer = guard_answer(body)
        choice: dict[str, Any] = {"message": {"role": "assistant", "content": answer}}
        if body.get("logprobs") and not body["model"].endswith("-no-logprobs"):
            choice["logprobs"] = logprobs(answer, body.get("top_logprobs") or 1)
        payload = {"choices": [choice], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
        return web.Response(body=orjson.dumps(payload), content_type="application/json")

    def start(self) -> str:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_post("/v1/chat/completions", self._chat)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}/v1"
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="guard-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("guard server did not start")
        return self.url

    def stop(self) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def target(self, model: str) -> dict[str, Any]:
        """A target spec (as a judge's `target` argument) for one scripted model."""
        return {"type": "openai", "model": model, "base_url": self.url}
