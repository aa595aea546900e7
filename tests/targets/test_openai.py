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
