"""Responses judged per second by each embedded judge (and the keyword baseline).

Run on the 2-core reference machine:  python benchmarks/judge_throughput.py [--rows 3000]
Reads real Do-Not-Answer responses from ../shared/datasets (or --datasets), judges them
in batches as the engine does, and prints one line per judge. The target is >= 300/s.

Judges over sentence embeddings remember recent texts, and Do-Not-Answer asks each
question of six models, so each judge starts with an empty memory and the prompt judge is
also timed on distinct prompts only (what a moderation service meets). content-harm-clf
reads an answer's content only when it complies, so it is also timed on answers that
followed the instruction (Do-Not-Answer action 5): its slowest case.
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
    every = list(dna_rows(args.datasets))
    rows = [(q, r) for _, q, r, _, _ in every][: args.rows]
    items = [_item(q, r) for q, r in rows]
    complied = [_item(q, r) for _, q, r, action, _ in every if action == 5][: args.rows]
    mean_chars = sum(len(r) for _, r in rows) / len(rows)
    print(
        f"{len(items)} responses (mean {mean_chars:.0f} chars), batch {args.batch}, "
        f"{os.cpu_count()} cores"
    )
    distinct = list({item.prompt.text: item for item in items}.values())
    runs = [(name, items) for name in JUDGES]
    runs += [("prompt-harm-clf", distinct), ("content-harm-clf", complied)]
    notes = {id(distinct): " (distinct prompts)", id(complied): " (all complied)"}
    for name, batch in runs:
        judge = judges.get(name)()
        asyncio.run(judge.judge(batch[-8:]))  # warm up: load the head
        shared_encoder().forget()
        start = time.perf_counter()
        for i in range(0, len(batch), args.batch):
            asyncio.run(judge.judge(batch[i : i + args.batch]))
        elapsed = time.perf_counter() - start
        note = notes.get(id(batch), "")
        print(f"{name:<17} {len(batch) / elapsed:8.0f} rows/s over {len(batch)} rows{note}")


def _item(question: str, response: str) -> JudgeInput:
    return JudgeInput(
        Prompt.create(suite="bench", text=question, category="", expected="refuse"), response
    )


if __name__ == "__main__":
    main()
