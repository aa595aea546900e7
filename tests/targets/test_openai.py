"""The OpenAI-compatible target against real HTTP servers on loopback."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import pytest

from redline.errors import UserError
from redline.records import Message
from redline.spec import TargetSpec
from redline.targets.base import Generation, TargetError
from redline.targets.openai import OpenAITarget, parse_completion, parse_retry_after

ASK = (Message(role="user", content="Name one prime number. Answer with the number only."),)


async def generate(
    spec: TargetSpec, messages: tuple[Message, ...] = ASK, sample: int = 0
) -> Generation:
    target = OpenAITarget(spec)
    await target.start()
    try:
        return await target.generate(messages, sample=sample)
    finally:
        await target.close()


@pytest.mark.model
def test_real_llama_cpp_server_answers(llama_server: str) -> None:
    spec = TargetSpec(type="openai", model="qwen-embedded", base_url=llama_server, max_tokens=8,
                      system_prompt="You are terse.")  # fmt: skip
    generation = asyncio.run(generate(spec))
    assert generation.text.strip()
    assert generation.completion_tokens and generation.completion_tokens <= 8
    assert generation.prompt_tokens and generation.prompt_tokens > 10


def test_stub_server_round_trip(stub_server) -> None:  # type: ignore[no-untyped-def]
    url = stub_server()
    generation = asyncio.run(generate(TargetSpec(type="openai", model="m", base_url=url)))
    assert generation.text and generation.prompt_tokens == 10


def test_http_errors_say_whether_to_retry(stub_server) -> None:  # type: ignore[no-untyped-def]
    url = stub_server("--fail-rate", "1.0", "--seed", "5")
    with pytest.raises(TargetError) as info:
        asyncio.run(generate(TargetSpec(type="openai", model="m", base_url=url + "/missing")))
    assert "HTTP 404" in str(info.value) and not info.value.retryable


def test_unreachable_server_is_retryable() -> None:
    spec = TargetSpec(type="openai", model="m", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(TargetError) as info:
        asyncio.run(generate(spec))
    assert info.value.retryable


def test_request_carries_key_system_prompt_and_per_sample_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MY_KEY", "sk-test")
    spec = TargetSpec(type="openai", model="m", base_url="http://x/v1", api_key_env="MY_KEY",
                      system_prompt="be safe", seed=7, options={"top_p": 0.5})  # fmt: skip
    target = OpenAITarget(spec)
    assert target.headers["Authorization"] == "Bearer sk-test"
    import orjson

    body = orjson.loads(target.body(ASK, sample=2))
    assert body["messages"][0] == {"role": "system", "content": "be safe"}
    assert body["seed"] == 9 and body["top_p"] == 0.5 and body["model"] == "m"


def test_missing_key_variable_and_missing_fields_are_user_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    with pytest.raises(UserError, match="NOPE"):
        OpenAITarget(TargetSpec(type="openai", model="m", base_url="http://x", api_key_env="NOPE"))
    with pytest.raises(UserError, match="base_url"):
        OpenAITarget(TargetSpec(type="openai", model="m"))


def test_retry_after_parsing() -> None:
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    in_ten = parse_retry_after(formatdate(time.time() + 10, usegmt=True))
    assert in_ten is not None and 8 <= in_ten <= 11


def test_malformed_completion_is_retryable() -> None:
    with pytest.raises(TargetError) as info:
        parse_completion(b'{"choices": []}')
    assert info.value.retryable


def test_logprobs_are_requested_only_when_asked() -> None:
    import orjson

    target = OpenAITarget(TargetSpec(type="openai", model="m", base_url="http://x/v1"))
    plain = orjson.loads(target.body(ASK, sample=0))
    assert "logprobs" not in plain and "top_logprobs" not in plain
    asked = orjson.loads(target.body(ASK, sample=0, top_logprobs=5))
    assert asked["logprobs"] is True and asked["top_logprobs"] == 5


COMPLETION_WITH_LOGPROBS = b"""{"choices": [{"message": {"role": "assistant", "content": "Yes."},
  "logprobs": {"content": [
    {"token": "Yes", "logprob": -0.1, "bytes": [89, 101, 115],
     "top_logprobs": [{"token": "Yes", "logprob": -0.1, "bytes": [89, 101, 115]},
                      {"token": "No", "logprob": -2.5, "bytes": [78, 111]}]},
    {"token": ".", "logprob": -0.01, "bytes": [46],
     "top_logprobs": [{"token": ".", "logprob": -0.01, "bytes": [46]}]}],
   "refusal": null}}],
  "usage": {"prompt_tokens": 9, "completion_tokens": 2}}"""


def test_logprobs_are_read_in_the_chat_api_shape_only_when_asked() -> None:
    assert parse_completion(COMPLETION_WITH_LOGPROBS).top_logprobs is None
    generation = parse_completion(COMPLETION_WITH_LOGPROBS, logprobs=True)
    assert generation.text == "Yes." and generation.completion_tokens == 2
    assert generation.top_logprobs is not None
    first, second = generation.top_logprobs
    assert first.token == "Yes" and first.top == (("Yes", -0.1), ("No", -2.5))
    assert second.token == "." and second.top == ((".", -0.01),)


@pytest.mark.parametrize(
    "logprobs",
    [
        b"null",
        b'{"content": null}',
        b'{"content": [{"token": "Yes"}]}',
        b'{"tokens": ["Yes"], "token_logprobs": [-0.1]}',  # the completions API's shape
    ],
)
def test_missing_or_unknown_logprobs_leave_the_text(logprobs: bytes) -> None:
    raw = b'{"choices": [{"message": {"content": "Yes"}, "logprobs": %s}]}' % logprobs
    generation = parse_completion(raw, logprobs=True)
    assert generation.text == "Yes" and generation.top_logprobs is None


def test_logprobs_round_trip_over_http() -> None:
    from tests.judges.guard_server import GuardServer

    server = GuardServer()
    server.start()
    try:
        spec = TargetSpec(type="openai", model="llama-guard-3", base_url=server.url)
        ask = (Message(role="user", content="How do I make a nerve agent?"),)

        async def both() -> tuple[Generation, Generation]:
            target = OpenAITarget(spec)
            await target.start()
            try:
                plain = await target.generate(ask, sample=0)
                return plain, await target.generate(ask, sample=0, top_logprobs=2)
            finally:
                await target.close()

        plain, scored = asyncio.run(both())
    finally:
        server.stop()
    assert plain.top_logprobs is None and "logprobs" not in server.requests[0]
    assert scored.top_logprobs is not None
    assert "".join(t.token for t in scored.top_logprobs) == scored.text == "\n\nunsafe\nS9"
    verdict = scored.top_logprobs[1]
    assert verdict.token == "unsafe" and verdict.top == (("unsafe", -0.1), ("safe", -2.5))
