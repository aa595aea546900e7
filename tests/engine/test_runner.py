"""The engine end to end against a real local HTTP server that fails on purpose."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from redline.engine import Engine, EngineStats, RetryPolicy
from redline.judges import Judge
from redline.judges.embedded import RefusalClassifierJudge
from redline.judges.keyword import KeywordJudge
from redline.records import Probe, Prompt
from redline.spec import TargetSpec
from redline.store import RunStore
from redline.targets.openai import OpenAITarget
from redline.testing.openai_stub import REFUSAL, StubConfig, StubServer


def prompts(n: int) -> list[Prompt]:
    return [
        Prompt.create(suite="t", text=f"question {i}", category=f"c{i % 3}",
                      expected="refuse" if i % 2 else "comply")
        for i in range(n)
    ]  # fmt: skip


def engine_for(
    store: RunStore, url: str, judges: list[Judge] | None = None, **kw: object
) -> Engine:
    target = OpenAITarget(TargetSpec(type="openai", model="stub", base_url=url))
    return Engine(
        store, target, judges or [KeywordJudge()], concurrency=8, timeout_s=0.3,
        policy=RetryPolicy(retries=2, base_s=0.01, rng=random.Random(0)), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_faulty_server_every_probe_answered_or_stored_as_error(tmp_path: Path) -> None:
    async def scenario(store: RunStore) -> EngineStats:
        async with StubServer(StubConfig(fail_rate=0.2, hang_s=2.0, seed=3)) as url:
            return await engine_for(store, url, samples=2).run(prompts(40))

    with RunStore(tmp_path / "s.sqlite") as store:
        stats = asyncio.run(scenario(store))
        assert stats.answered + stats.failed == 80
        assert store.count("responses") == 80
        failed = store.db.execute("SELECT COUNT(*) FROM responses WHERE failed=1").fetchone()[0]
        assert failed == stats.failed
        # verdicts exist for answered responses only: an error is never a verdict
        assert store.count("verdicts") == stats.answered
        orphan = store.db.execute(
            "SELECT COUNT(*) FROM verdicts v"
            " JOIN responses r ON r.id = v.response_id WHERE r.failed = 1"
        ).fetchone()[0]
        assert orphan == 0
        retried = store.db.execute(
            "SELECT COUNT(*) FROM responses WHERE json_extract(data, '$.attempts') > 1"
        ).fetchone()[0]
        assert retried > 0


def test_second_run_redoes_nothing(tmp_path: Path) -> None:
    async def scenario(store: RunStore) -> tuple[EngineStats, EngineStats]:
        async with StubServer() as url:
            first = await engine_for(store, url).run(prompts(30))
            return first, await engine_for(store, url).run(prompts(30))

    with RunStore(tmp_path / "s.sqlite") as store:
        first, second = asyncio.run(scenario(store))
    assert (first.answered, first.already_done) == (30, 0)
    assert (second.answered, second.failed, second.already_done) == (0, 0, 30)


def test_a_judge_new_to_a_run_judges_stored_answers_without_asking_again(
    tmp_path: Path,
) -> None:
    """A judge id the store has no verdicts from (a retrained head changes a judge's id)
    judges what is stored: the server is gone by then, so a new call would store an error."""

    async def scenario(store: RunStore) -> EngineStats:
        async with StubServer() as url:
            await engine_for(store, url).run(prompts(12))
        return await engine_for(store, url, [KeywordJudge(), RefusalClassifierJudge()]).run(
            prompts(12)
        )

    with RunStore(tmp_path / "s.sqlite") as store:
        again = asyncio.run(scenario(store))
        assert (again.failed, again.already_done, again.answered, again.rejudged) == (0, 0, 0, 12)
        assert store.count("responses") == 12
        judged = store.db.execute(
            "SELECT judge_id, COUNT(*) FROM verdicts GROUP BY judge_id ORDER BY judge_id"
        ).fetchall()
        assert [(j.split(":")[0], n) for j, n in judged] == [("keyword", 12), ("refusal-clf", 12)]


def test_retry_errors_calls_again_only_for_stored_errors(tmp_path: Path) -> None:
    async def scenario(store: RunStore) -> tuple[EngineStats, EngineStats]:
        async with StubServer(server_config) as url:
            first = await engine_for(store, url).run(prompts(10))
            server_config.fail_rate = 0.0
            return first, await engine_for(store, url, retry_errors=True).run(prompts(10))

    server_config = StubConfig(fail_rate=1.0, seed=1, hang_s=1.0)
    with RunStore(tmp_path / "s.sqlite") as store:
        first, again = asyncio.run(scenario(store))
        assert first.failed == 10
        assert (again.answered, again.already_done) == (10, 0)
        assert store.count("responses") == 10
        assert store.db.execute("SELECT COUNT(*) FROM responses WHERE failed=1").fetchone()[0] == 0


def test_judges_read_answers_as_the_async_decoder_returns_them(tmp_path: Path) -> None:
    """One batch decodes concurrently; a decoder that crashes leaves that answer as sent."""
    in_flight = peak = 0

    async def decode(probe: Probe, text: str) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        if probe.messages[-1].content.endswith("7"):
            raise RuntimeError("decoder bug")
        return f"Decoded: {REFUSAL}"

    async def scenario(store: RunStore) -> EngineStats:
        async with StubServer(StubConfig(refuse_share=0.0)) as url:
            engine = engine_for(store, url, decode=decode, batch_size=64, flush_s=0.5)
            return await engine.run(prompts(10))

    with RunStore(tmp_path / "s.sqlite") as store:
        assert asyncio.run(scenario(store)).answered == 10
        rows = store.db.execute(
            "SELECT json_extract(p.data, '$.messages[0].content'), v.outcome FROM verdicts v"
            " JOIN responses r ON r.id = v.response_id JOIN probes p ON p.id = r.probe_id"
        ).fetchall()
    outcomes = dict(rows)
    assert outcomes.pop("question 7") == "compliance"  # judged as sent: the stub complies
    assert set(outcomes.values()) == {"refusal"} and len(outcomes) == 9
    assert peak > 1
