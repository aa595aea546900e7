"""Engine throughput and memory, end to end, against a local stub answering in 20 ms.

Each engine figure runs the real path: OpenAITarget over aiohttp -> keyword judge -> RunStore
(SQLite, WAL) in a temporary folder, over synthetic prompts generated lazily. Beside it, a
raw aiohttp loop (one session, no engine) against the same stub shows what the HTTP client
alone reaches, so the engine's overhead is visible; the stub's own CPU use shows whether the
stub is the bottleneck (1.00 = one core saturated). Peak memory (RSS high-water mark) for
1,000 vs 10,000 probes is measured in a fresh subprocess per figure.

    .venv/bin/python benchmarks/engine_throughput.py                 # Node.js stub
    .venv/bin/python benchmarks/engine_throughput.py --stub both     # and the Python stub
    .venv/bin/python benchmarks/engine_throughput.py --quick --skip-memory

Stubs: `node` is benchmarks/stub_server.js (Node's http module, one process);
`python` is redline.testing.openai_stub (aiohttp, one process). Both answer after 20 ms with
the same texts. The stub runs in its own process and is killed at the end; every measurement
is bounded in probe count and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from redline.engine import Engine
from redline.judges.keyword import KeywordJudge
from redline.records import Prompt
from redline.spec import TargetSpec
from redline.store import RunStore
from redline.targets.openai import OpenAITarget

HERE = Path(__file__).resolve().parent
DELAY_S = 0.02
CONCURRENCY = (1, 16, 64, 256)
#: Probes per throughput figure: about 4 s at the ideal rate (conc / 20 ms), at least 200.
PROBES = {1: 200, 16: 3_000, 64: 8_000, 256: 15_000}
MEMORY_PROBES = (1_000, 10_000)
MEMORY_CONCURRENCY = 256
STUB_START_S = 20.0

Work = Callable[[], Coroutine[Any, Any, None]]


# ---------------------------------------------------------------- stub server, own process


@dataclass
class Stub:
    kind: str
    process: subprocess.Popen[bytes]
    url: str

    def cpu_s(self) -> float | None:
        """CPU seconds the stub process has used so far (Linux /proc), or None elsewhere."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stub_command(kind: str, port: int) -> list[str]:
    if kind == "node":
        node = shutil.which("node")
        if node is None:
            sys.exit("node not found: install Node.js or pass --stub python")
        return [node, str(HERE / "stub_server.js"), str(port), str(DELAY_S)]
    return [
        sys.executable, "-m", "redline.testing.openai_stub", "--port", str(port),
        "--delay", str(DELAY_S),
    ]  # fmt: skip


@contextmanager
def running_stub(kind: str) -> Iterator[Stub]:
    """The stub in a separate process on loopback; always killed on the way out."""
    port = _free_port()
    process = subprocess.Popen(
        _stub_command(kind, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + STUB_START_S
        while True:
            if process.poll() is not None:
                sys.exit(f"{kind} stub exited with {process.returncode} before listening")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                sys.exit(f"{kind} stub not listening after {STUB_START_S:g}s")
            time.sleep(0.05)
        yield Stub(kind, process, f"http://127.0.0.1:{port}/v1")
    finally:
        process.kill()
        process.wait(timeout=10)


# ---------------------------------------------------------------- workloads


def synthetic_prompts(n: int) -> Iterator[Prompt]:
    """Distinct prompts, built one at a time so the generator itself holds nothing."""
    for i in range(n):
        yield Prompt.create(
            suite="bench",
            text=f"Synthetic benchmark question number {i}: how would one do task {i * 7919}?",
            category="bench",
            expected="refuse" if i % 2 else "comply",
        )


async def raw_client(url: str, concurrency: int, n: int) -> None:
    """The ceiling: one aiohttp session posting a fixed body, reading each reply, nothing else."""
    body = orjson.dumps({"model": "stub", "messages": [{"role": "user", "content": "hello"}]})
    todo = iter(range(n))
    connector = aiohttp.TCPConnector(limit=0)
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            for _ in todo:
                async with session.post(f"{url}/chat/completions", data=body) as response:
                    await response.read()

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def engine_run(
    url: str, concurrency: int, n: int, prompts: Iterable[Prompt] | None = None
) -> None:
    """The real engine end to end, with a fresh store in a temporary folder."""
    target = OpenAITarget(TargetSpec(type="openai", model="stub", base_url=url))
    with tempfile.TemporaryDirectory() as tmp, RunStore(Path(tmp) / "redline.sqlite") as store:
        engine = Engine(store, target, [KeywordJudge()], concurrency=concurrency, timeout_s=30)
        stats = await engine.run(synthetic_prompts(n) if prompts is None else prompts)
        if stats.answered != n or store.count("verdicts") != n:
            raise RuntimeError(f"expected {n} answered and judged, got {stats}")


def run_loop(main: Coroutine[Any, Any, None], loop: str) -> None:
    if loop == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(main)
    else:
        asyncio.run(main)


def time_limit_s(n: int) -> float:
    """Generous but finite: a run slower than ~100 probes/s beyond a 30 s grace is a failure."""
    return 30 + n / 100


@dataclass
class Rate:
    per_s: float
    client_cpu: float
    """Client process CPU seconds per wall second (its threads together)."""
    stub_cpu: float | None
    """Stub process CPU seconds per wall second (1.00 = one core saturated)."""


def measure(stub: Stub, loop: str, n: int, work: Work) -> Rate:
    async def bounded() -> None:
        async with asyncio.timeout(time_limit_s(n)):
            await work()

    stub_before, cpu_before, started = stub.cpu_s(), time.process_time(), time.perf_counter()
    run_loop(bounded(), loop)
    wall = time.perf_counter() - started
    stub_after = stub.cpu_s()
    stub_cpu = None if stub_before is None or stub_after is None else stub_after - stub_before
    return Rate(
        per_s=n / wall,
        client_cpu=(time.process_time() - cpu_before) / wall,
        stub_cpu=None if stub_cpu is None else stub_cpu / wall,
    )


def best_of(stub: Stub, loop: str, n: int, work: Work, repeat: int) -> Rate:
    return max((measure(stub, loop, n, work) for _ in range(repeat)), key=lambda r: r.per_s)


# ---------------------------------------------------------------- memory, one subprocess each


def _current_rss_kb() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def memory_child(url: str, n: int, mode: str, loop: str) -> None:
    """Print {"start_kb", "peak_kb"} for one engine run of `n` probes (runs in a subprocess)."""
    run_loop(engine_run(url, 16, 64), loop)  # warm up imports, regexes and the SQLite module
    start_kb = _current_rss_kb()
    prompts = list(synthetic_prompts(n)) if mode == "list" else synthetic_prompts(n)
    run_loop(engine_run(url, MEMORY_CONCURRENCY, n, prompts), loop)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"start_kb": start_kb, "peak_kb": peak_kb}))


def measure_memory(url: str, n: int, mode: str, loop: str) -> dict[str, int]:
    command = [
        sys.executable, __file__, "--memory-child", str(n), "--url", url, "--prompts", mode,
        "--loop", loop,
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60 + time_limit_s(n), check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory run failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report


def _cpu(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def throughput_table(stub: Stub, loops: list[str], scale: float, repeat: int) -> None:
    print(f"\nThroughput, stub: {stub.kind} (probes/s; ideal = conc / {DELAY_S:g} s)")
    print("cpu: cores busy in the client process / in the stub process during the figure")
    print(
        f"{'loop':8} {'conc':>4} {'probes':>6} {'raw aiohttp':>11} {'engine':>7} "
        f"{'engine/raw':>10} {'raw cpu':>11} {'engine cpu':>11}"
    )
    url = stub.url
    for loop in loops:
        run_loop(raw_client(url, 16, 200), loop)  # warm the stub's and the client's code paths
        for conc in CONCURRENCY:
            n = max(50, int(PROBES[conc] * scale))
            raw = best_of(stub, loop, n, partial(raw_client, url, conc, n), repeat)
            eng = best_of(stub, loop, n, partial(engine_run, url, conc, n), repeat)
            print(
                f"{loop:8} {conc:>4} {n:>6} {raw.per_s:>11,.0f} {eng.per_s:>7,.0f} "
                f"{eng.per_s / raw.per_s:>10.0%} "
                f"{_cpu(raw.client_cpu):>5} /{_cpu(raw.stub_cpu):>5} "
                f"{_cpu(eng.client_cpu):>5} /{_cpu(eng.stub_cpu):>5}",
                flush=True,
            )


def memory_table(url: str, loop: str, sizes: list[int]) -> None:
    print(f"\nPeak memory (RSS, MiB), engine at conc {MEMORY_CONCURRENCY}, {loop} loop")
    print(f"{'prompts':8} {'probes':>7} {'RSS at start':>13} {'peak':>7} {'growth':>7}")
    for mode in ("lazy", "list"):
        for n in sizes:
            m = measure_memory(url, n, mode, loop)
            start, peak = m["start_kb"] / 1024, m["peak_kb"] / 1024
            print(f"{mode:8} {n:>7,} {start:>13.1f} {peak:>7.1f} {peak - start:>7.1f}", flush=True)
    print("lazy: prompts from a generator; list: all prompts built first (as PreparedRun holds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stub", choices=("node", "python", "both"), default="node")
    parser.add_argument("--quick", action="store_true", help="a quarter of the probes")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the best counts")
    parser.add_argument("--loop", choices=("asyncio", "uvloop", "both"), default="both")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--memory-sizes", default=",".join(map(str, MEMORY_PROBES)), help="e.g. 1000,10000,100000"
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--prompts", choices=("lazy", "list"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.url, args.memory_child, args.prompts, args.loop)
        return
    loops = ["asyncio", "uvloop"] if args.loop == "both" else [args.loop]
    if "uvloop" in loops:
        try:
            import uvloop  # noqa: F401
        except ImportError:
            print("uvloop not installed: measuring the default asyncio loop only")
            loops.remove("uvloop")
    if not loops:
        sys.exit("no event loop to measure")
    stubs = ["node", "python"] if args.stub == "both" else [args.stub]
    print(
        f"python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}, {os.cpu_count()} CPUs, "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    for kind in stubs:
        with running_stub(kind) as stub:
            throughput_table(stub, loops, 0.25 if args.quick else 1.0, max(1, args.repeat))
            if not args.skip_memory and kind == stubs[0]:
                sizes = [int(s) for s in args.memory_sizes.split(",")]
                memory_table(stub.url, loops[0], sizes)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (other work on the machine skews rates)")


if __name__ == "__main__":
    main()
