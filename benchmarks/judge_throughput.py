"""Responses judged per second by each embedded judge (and the keyword baseline).

Run on the 2-core reference machine:  python benchmarks/judge_throughput.py [--rows 3000]
Reads real Do-Not-Answer responses from ../shared/datasets (or --datasets), judges them
in batches as the engine does, and prints one line per judge. The target is >= 300/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

from redline.judges import judges
from redline.judges.base import JudgeInput
from redline.judges.embedded.data import dna_rows
from redline.records import Prompt

JUDGES = ("keyword", "refusal-clf", "harm-clf", "prompt-harm-clf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument(
        "--datasets",
        type=Path,
        default=Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets",
    )
    args = parser.parse_args()
    rows = [(q, r) for _, q, r, _, _ in dna_rows(args.datasets)][: args.rows]
    items = [
        JudgeInput(Prompt.create(suite="bench", text=q, category="", expected="refuse"), r)
        for q, r in rows
    ]
    mean_chars = sum(len(r) for _, r in rows) / len(rows)
    print(
        f"{len(items)} responses (mean {mean_chars:.0f} chars), batch {args.batch}, "
        f"{os.cpu_count()} cores"
    )
    for name in JUDGES:
        judge = judges.get(name)()
        asyncio.run(judge.judge(items[:8]))  # warm up: load the head
        start = time.perf_counter()
        for i in range(0, len(items), args.batch):
            asyncio.run(judge.judge(items[i : i + args.batch]))
        elapsed = time.perf_counter() - start
        print(f"{name:<16} {len(items) / elapsed:8.0f} responses/s")


if __name__ == "__main__":
    main()
