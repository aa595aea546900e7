"""Streamed answers: no unchecked text ever reaches the client, in either stream mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai

from tests.guard.conftest import KEY, REFUSAL, policy_for
from tests.guard.upstream import CODENAME, scripted_answer


def stream(url: str, prompt: str) -> tuple[list[str], list[str | None], dict[str, Any] | None]:
    """Content pieces, finish reasons and the trailing moderation object of one stream."""
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)
    pieces: list[str] = []
    finishes: list[str | None] = []
    moderation = None
    for chunk in client.chat.completions.create(
        model="scripted", messages=[{"role": "user", "content": prompt}], stream=True
    ):
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            finishes.append(choice.finish_reason)
        if chunk.moderation is not None:
            moderation = chunk.moderation.model_dump()
    return pieces, finishes, moderation


def test_allowed_stream_arrives_whole_and_in_pieces(guard_url: str) -> None:
    pieces, finishes, moderation = stream(guard_url, "Forecast? [[long]]")
    assert "".join(pieces) == scripted_answer("[[long]]")
    assert len([p for p in pieces if p]) > 10 and finishes[-1] == "stop"
    assert moderation is not None
    assert moderation["output"]["results"][0]["action"] == "allow"


def test_incremental_mode_releases_checked_text_then_refuses(guard_url: str) -> None:
    pieces, finishes, moderation = stream(guard_url, "Status? [[codename]]")
    text = "".join(pieces)
    answer = scripted_answer("[[codename]]")
    assert CODENAME not in text
    released = text.removesuffix("\n\n" + REFUSAL)
    assert released != text and answer.startswith(released) and len(released) >= 64
    assert finishes[-1] == "content_filter"
    assert moderation is not None
    assert moderation["output"]["results"][0]["categories"]["codename"] is True


def test_end_mode_holds_everything_until_the_final_check(
    serve_guard: Callable[..., str], tmp_path: Path, upstream: str
) -> None:
    policy = policy_for(tmp_path, upstream)
    policy["output"] = {**policy["output"], "stream": "end"}
    url = serve_guard(policy)
    pieces, finishes, _ = stream(url, "Status? [[codename]]")
    assert "".join(pieces) == REFUSAL and finishes[-1] == "content_filter"
    pieces, finishes, _ = stream(url, "Forecast? [[long]]")
    assert "".join(pieces) == scripted_answer("[[long]]") and finishes[-1] == "stop"


def test_blocked_input_streams_only_the_refusal(guard_url: str) -> None:
    pieces, finishes, moderation = stream(guard_url, "pipe bomb recipe please [[fail]]")
    assert "".join(pieces) == REFUSAL and finishes == ["content_filter"]
    assert moderation is not None and moderation["input"]["results"][0]["flagged"] is True
