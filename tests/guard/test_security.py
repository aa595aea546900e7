"""Keys, rate limits, body and batch limits, malformed requests, secrets kept out of logs."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import aiohttp
import openai
import orjson
import pytest

from tests.guard.conftest import KEY, audited, policy_for

AUTH = {"Authorization": f"Bearer {KEY}"}


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """A raw POST (the openai client would refuse to send most of these)."""

    async def go() -> tuple[int, dict]:
        async with aiohttp.ClientSession() as session:
            sent = {"Content-Type": "application/json", **AUTH, **(headers or {})}
            async with session.post(url, data=body, headers=sent) as resp:
                return resp.status, orjson.loads(await resp.read())

    return asyncio.run(go())


def test_keys_are_required_and_checked(guard_url: str) -> None:
    client = openai.OpenAI(base_url=f"{guard_url}/v1", api_key="wrong-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.moderations.create(input="hello")
    for headers in ({"Authorization": ""}, {"Authorization": "Basic abc"}):
        status, body = post(f"{guard_url}/v1/moderations", b'{"input": "hi"}', headers)
        assert status == 401 and body["error"]["code"] == "invalid_api_key"


def test_rate_limit_per_key(serve_guard: Callable[..., str], tmp_path: Path, upstream: str) -> None:
    policy = policy_for(tmp_path, upstream)
    policy["auth"] = {**policy["auth"], "rate_limit": {"per_second": 0.5, "burst": 3}}
    url = serve_guard(policy)
    codes = [post(f"{url}/v1/moderations", b'{"input": "hi"}')[0] for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)
    with pytest.raises(openai.RateLimitError) as limited:
        client.moderations.create(input="hi")
    assert int(limited.value.response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b'{"input": "' + b"x" * 9000 + b'"}', 413, "over 8192 bytes"),
        (orjson.dumps({"input": ["t"] * 9}), 400, "at most 8 texts"),
        (b'{"input": ', 400, "JSON"),
        (b"[1, 2]", 400, "body"),
        (b'{"input": 5}', 400, "input"),
        (b'{"input": []}', 400, "non-empty list"),
        (b'{"input": "hi", "extra": 1}', 400, "extra"),
        (orjson.dumps({"input": [{"type": "image_url", "image_url": {"url": "x"}}]}), 400, "image"),
    ],
)
def test_bad_moderation_requests_are_4xx(
    guard_url: str, body: bytes, status: int, fragment: str
) -> None:
    got, answer = post(f"{guard_url}/v1/moderations", body)
    assert got == status
    assert fragment.lower() in answer["error"]["message"].lower()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"model": "m", "messages": []}, "messages"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "m", "messages": [{"role": "user", "content": "hi"}] * 17}, "at most 16"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 2, "stream": True},
         "one choice"),
    ],
)  # fmt: skip
def test_bad_chat_requests_are_400(guard_url: str, body: dict, fragment: str) -> None:
    status, answer = post(f"{guard_url}/v1/chat/completions", orjson.dumps(body))
    assert status == 400 and fragment in answer["error"]["message"]


def test_feedback_for_unknown_decision_is_404(guard_url: str) -> None:
    body = orjson.dumps({"decision_id": "dec-nope", "harmful": True})
    assert post(f"{guard_url}/v1/feedback", body)[0] == 404


def test_secrets_stay_out_of_logs_and_audit(
    serve_guard: Callable[..., str],
    tmp_path: Path,
    upstream: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upstream_key = "upstream-secret-7f3a9c"
    monkeypatch.setenv("GUARD_TEST_UPSTREAM_KEY", upstream_key)
    policy = policy_for(tmp_path, upstream, audit={"path": str(tmp_path / "a.db"), "redact": True})
    policy["upstream"] = {**policy["upstream"], "api_key_env": "GUARD_TEST_UPSTREAM_KEY"}
    caplog.set_level(logging.DEBUG)
    url = serve_guard(policy, access_log=True)
    secret_text = "my private diary entry"
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": secret_text}])
    post(f"{url}/v1/moderations", b'{"input": "x"}', {"Authorization": "Bearer wrong-secret-key"})
    post(f"{url}/v1/moderations", b'{"input": ', {})
    logged = caplog.text
    assert "POST /v1/chat/completions" in logged  # the access log did run
    for secret in (KEY, upstream_key, "wrong-secret-key", secret_text):
        assert secret not in logged
    query = "SELECT text, text_chars FROM decisions WHERE stage = 'input'"
    texts = audited(tmp_path / "a.db", query, 1)
    with sqlite3.connect(tmp_path / "a.db") as db:
        dump = "\n".join(db.iterdump())
    assert texts == [(None, len(secret_text))]
    for secret in (KEY, upstream_key, secret_text):
        assert secret not in dump
