"""Benchmark: load every layer from the GeoPackage store (budget ≤ 0.5 s, issue 1).

Prints its figures; exits 1 if the median load time is over budget.
Run: python benchmarks/bench_store.py [--runs N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.storage import create_store, read_all  # noqa: E402

BUDGET_S = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gpkg"
        t0 = time.perf_counter()
        create_store(path)
        created = time.perf_counter() - t0
        t0 = time.perf_counter()
        frames = read_all(path)
        first = time.perf_counter() - t0
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            read_all(path)
            times.append(time.perf_counter() - t0)
    features = sum(len(f) for f in frames.values())
    median = statistics.median(times)
    print(f"store: {len(frames)} layers, {features} features")
    print(f"create store from geodata/: {created * 1000:.0f} ms")
    print(f"load all layers, first call: {first * 1000:.0f} ms")
    print(f"load all layers, {args.runs} runs: median {median * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (budget {BUDGET_S * 1000:.0f} ms)")
    if median > BUDGET_S:
        print("OVER BUDGET")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
