"""Load on the guard service: /v1/moderations throughput and latency, and proxy overhead.

    .venv/bin/python benchmarks/guard_load.py                       # defaults below
    .venv/bin/python benchmarks/guard_load.py --requests 3000 --seconds 20 --concurrency 32

Three processes on loopback: the guard (`redline serve` with the default policy, i.e. the
embedded prompt-harm-clf on input and content-harm-clf on output, audit log on), the
scripted upstream (redline.testing.openai_stub, answering after --delay), and this one, the
load generator (one aiohttp session). Every phase stops at --requests or --seconds,
whichever comes first. Moderation requests carry one starter-suite prompt each, cycled and
numbered so that no text repeats: the guard's sentence encoder remembers texts it has
seen, and a repeat would time that memory rather than the model.

Proxy overhead is measured at concurrency 1 (latency, not queueing) on the prompts whose
input check passes (blocked ones never reach the upstream): the same chat request sent
straight to the upstream, then through the guard, which checks the input, calls the
upstream and checks the answer. The difference of medians is what the guard adds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import yaml

from redline.guard.auth import new_key
from redline.suites import build_suite

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/conftest.py's process helpers
from tests.conftest import free_port, start_process, stop_process  # noqa: E402


@dataclass
class Phase:
    name: str
    latencies: list[float]
    errors: int
    elapsed: float

    def line(self) -> str:
        done = len(self.latencies)
        ordered = sorted(self.latencies) or [float("nan")]
        p50 = ordered[len(ordered) // 2] * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        return (
            f"{self.name:<34} {done:6d} req {done / self.elapsed:8.0f} req/s "
            f"p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  errors {self.errors}"
        )

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)


async def load(
    name: str,
    url: str,
    bodies: Callable[[int], bytes],
    *,
    headers: dict[str, str],
    concurrency: int,
    requests: int,
    seconds: float,
) -> Phase:
    """`requests` POSTs (or as many as fit in `seconds`) from `concurrency` workers."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds
    sent = {"Content-Type": "application/json", **headers}

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal issued, errors
        while issued < requests and time.perf_counter() < deadline:
            body = bodies(issued)
            issued += 1
            start = time.perf_counter()
            async with session.post(url, data=body, headers=sent) as resp:
                await resp.read()
                if resp.status != 200:
                    errors += 1
                    continue
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Phase(name, latencies, errors, elapsed)


@contextmanager
def services(delay: float, workdir: Path) -> Iterator[tuple[str, str, str]]:
    """(upstream /v1 URL, guard base URL, API key), each server in its own process."""
    up_port, guard_port = free_port(), free_port()
    upstream = start_process(
        [sys.executable, "-m", "redline.testing.openai_stub", "--port", str(up_port),
         "--delay", str(delay)],
        up_port,
    )  # fmt: skip
    key, hashed = new_key()
    policy = {
        "upstream": {"base_url": f"http://127.0.0.1:{up_port}/v1"},
        "auth": {"keys": [{"name": "bench", "hash": hashed}]},
        "audit": {"path": str(workdir / "audit.db")},
    }
    (workdir / "policy.yaml").write_text(yaml.safe_dump(policy))
    serve = (
        "import sys; from pathlib import Path; from redline.guard import load_policy, serve; "
        "serve(load_policy(Path(sys.argv[1])), port=int(sys.argv[2]))"
    )
    guard = start_process(
        [sys.executable, "-c", serve, str(workdir / "policy.yaml"), str(guard_port)],
        guard_port,
        timeout_s=60,
    )
    try:
        yield f"http://127.0.0.1:{up_port}/v1", f"http://127.0.0.1:{guard_port}", key
    finally:
        stop_process(guard)
        stop_process(upstream)


def prompts() -> list[str]:
    return [p.text for p in build_suite("starter").prompts(quick=False)]


def chat_body(texts: list[str]) -> Callable[[int], bytes]:
    def body(i: int) -> bytes:
        message = {"role": "user", "content": texts[i % len(texts)]}
        return orjson.dumps({"model": "stub", "messages": [message], "max_tokens": 32})

    return body


async def passing(url: str, texts: list[str], headers: dict[str, str]) -> list[str]:
    """The texts the guard allows: only those reach the upstream through the proxy."""
    allowed: list[str] = []
    async with aiohttp.ClientSession(headers=headers) as session:
        for start in range(0, len(texts), 32):
            batch = texts[start : start + 32]
            async with session.post(url, json={"input": batch}) as resp:
                results = (await resp.json())["results"]
            allowed += [t for t, r in zip(batch, results, strict=True) if r["action"] != "block"]
    return allowed


async def run(args: argparse.Namespace, upstream: str, guard: str, key: str) -> None:
    texts = prompts()
    auth = {"Authorization": f"Bearer {key}"}
    bound: dict[str, Any] = {"requests": args.requests, "seconds": args.seconds}

    numbers = itertools.count()  # across phases: no text is ever sent twice

    def moderation(i: int) -> bytes:
        n = next(numbers)
        return orjson.dumps({"input": f"{texts[n % len(texts)]} ({n})"})

    await load("warm-up", f"{guard}/v1/moderations", moderation, headers=auth,
               concurrency=4, requests=200, seconds=5)  # fmt: skip
    print(f"{len(texts)} starter prompts; {os.cpu_count()} cores shared by all three processes")
    for concurrency in args.concurrency:
        phase = await load(
            f"/v1/moderations  conc {concurrency}",
            f"{guard}/v1/moderations",
            moderation,
            headers=auth,
            concurrency=concurrency,
            **bound,
        )
        print(phase.line())

    allowed = await passing(f"{guard}/v1/moderations", texts, auth)
    print(f"overhead phase: the {len(allowed)} prompts the input check lets through")
    chat = chat_body(allowed)
    overhead_bound = {"requests": args.overhead_requests, "seconds": args.seconds}
    direct = await load("upstream direct  conc 1", f"{upstream}/chat/completions", chat,
                        headers={}, concurrency=1, **overhead_bound)  # fmt: skip
    proxied = await load("via guard proxy  conc 1", f"{guard}/v1/chat/completions", chat,
                         headers=auth, concurrency=1, **overhead_bound)  # fmt: skip
    print(direct.line())
    print(proxied.line())
    added = (proxied.median - direct.median) * 1000
    print(f"proxy overhead (p50 guarded - p50 direct): {added:.2f} ms per request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per moderation phase")
    parser.add_argument("--seconds", type=float, default=15.0, help="cap per phase")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--overhead-requests", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.02, help="upstream answer delay (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, services(args.delay, Path(tmp)) as urls:
        asyncio.run(run(args, *urls))


if __name__ == "__main__":
    main()
