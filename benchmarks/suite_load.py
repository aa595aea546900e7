"""How long each local suite takes to load: constructor + every prompt, from cold caches.

    python benchmarks/suite_load.py [--datasets ../shared/datasets] [--repeat 3]

Target: every local suite under 2 s on 2 CPU cores. Hub suites that are not downloaded
are skipped (listing them needs no network; loading them would).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

DEFAULT_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def cold_load(name: str) -> tuple[int, float]:
    """(prompts, seconds) for one suite with the crosswalk and keyword caches emptied first."""
    from redline.suites import suites
    from redline.taxonomy import _crosswalk, _loader

    _crosswalk.load_crosswalk.cache_clear()
    _crosswalk.keyword_rules.cache_clear()
    _loader.load_taxonomy.cache_clear()
    start = time.perf_counter()
    count = sum(1 for _ in suites.get(name)().prompts())
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["REDLINE_DATASETS"] = str(args.datasets)
    os.environ["REDLINE_OFFLINE"] = "1"

    start = time.perf_counter()
    from redline.suites import suites
    from redline.suites.dataset import ItemSuite

    print(f"import redline.suites: {time.perf_counter() - start:.3f} s")
    print(f"{'suite':24} {'prompts':>8} {'median s':>9} {'max s':>7}")
    worst = 0.0
    for name in suites.names():
        suite = suites.get(name)()
        if isinstance(suite, ItemSuite) and suite.readiness() != "ready":
            print(f"{name:24} {'-':>8} {'skipped':>9}  ({suite.readiness()})")
            continue
        runs = [cold_load(name) for _ in range(args.repeat)]
        times = [t for _, t in runs]
        worst = max(worst, max(times))
        print(f"{name:24} {runs[0][0]:>8,} {statistics.median(times):>9.3f} {max(times):>7.3f}")
    print(f"slowest single load: {worst:.3f} s ({'OK' if worst < 2 else 'OVER'} the 2 s budget)")


if __name__ == "__main__":
    main()
