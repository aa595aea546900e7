"""Responses judged per second by each embedded judge (and the keyword baseline).

Run on the 2-core reference machine:  python benchmarks/judge_throughput.py [--rows 3000]
Reads real Do-Not-Answer responses from ../shared/datasets (or --datasets), judges them
in batches as the engine does, and prints one line per judge. The target is >= 300/s.

Judges over sentence embeddings remember recent texts, and Do-Not-Answer asks each
question of six models, so each judge starts with an empty memory and the prompt judge is
also timed on distinct prompts only (what a moderation service meets).
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
from redline.judges.embedded.encoder import shared_encoder
from redline.records import Prompt

JUDGES = ("keyword", "refusal-clf", "harm-clf", "prompt-harm-clf", "content-harm-clf")


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
    distinct = list({item.prompt.text: item for item in items}.values())
    runs = [(name, items) for name in JUDGES] + [("prompt-harm-clf", distinct)]
    for name, batch in runs:
        judge = judges.get(name)()
        asyncio.run(judge.judge(batch[-8:]))  # warm up: load the head
        shared_encoder().forget()
        start = time.perf_counter()
        for i in range(0, len(batch), args.batch):
            asyncio.run(judge.judge(batch[i : i + args.batch]))
        elapsed = time.perf_counter() - start
        note = " (distinct prompts)" if batch is distinct else ""
        print(f"{name:<17} {len(batch) / elapsed:8.0f} rows/s over {len(batch)} rows{note}")


if __name__ == "__main__":
    main()
