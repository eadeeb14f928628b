"""Benchmark: ranking candidates for a need, and building their arrays (issue 3 and 12 budgets).

100,000 candidates ranked in ≤ 100 ms and 1,000,000 in ≤ 1.5 s in-process, peak memory
≤ 1 GiB at 1,000,000; the matching arrays of 1,000,000 candidates built in ≤ 2 s (issue 12).
Candidates come from the fixed-seed synthetic generator, zoned like the store's carriers
(subdistrict, clusters, Hetao); the arrays are built once, chunk by chunk (only
:func:`spatial.match.candidate_arrays` and the join are timed, not generating or zoning the
rows), and the ranking — hard constraints, eight criteria, top-k, near misses and the ±20 %
stability check — is timed as the median of several runs. Prints 1k/10k/100k/1M; exits 1 when a
budget is missed.

Run: python benchmarks/bench_match.py [--sizes 1000,10000,100000,1000000]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.ingest.bundled import read_bundled  # noqa: E402
from geodata.reports.inventory import zoned  # noqa: E402
from geodata.synthetic import synthetic_carriers  # noqa: E402
from spatial.match import Need, candidate_arrays, concat_candidates, match  # noqa: E402

BUDGETS_S = {100_000: 0.100, 1_000_000: 1.5}
ARRAYS_BUDGETS_S = {1_000_000: 2.0}
CHUNK = 100_000  # the arrays are built chunk by chunk, as from a large file: no 1M-row frame
MEMORY_BUDGET = 1 << 30
NEED = Need(industry="biomed", area_min=800, area_max=1500, max_rent=150, near=(114.0745, 22.5225),
            near_label="皇岗口岸", within_km=3, stage="startup", facilities=("wet_lab",))


def _build(n: int, frames: dict, district) -> tuple:
    """The candidate arrays of ``n`` zoned synthetic carriers, and the seconds (wall clock, CPU) spent
    building them: the arrays of each chunk and their join, not generating or zoning the rows."""
    clock = [0.0, 0.0]

    def timed(fn, arg):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(arg)
        clock[0] += time.perf_counter() - t0
        clock[1] += time.process_time() - c0
        return out

    parts = [timed(candidate_arrays, zoned(synthetic_carriers(min(CHUNK, n - start), district, seed=start,
                                                              prefix=f"syn{start}"), frames))
             for start in range(0, n, CHUNK)]
    return timed(concat_candidates, parts), clock[0], clock[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    frames, _ = read_bundled()
    district = frames["district"].geometry.iloc[0]
    ok = True
    for n in (int(s) for s in args.sizes.split(",")):
        cands, build, build_cpu = _build(n, frames, district)
        match(cands, NEED, top=5)  # warm-up
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = match(cands, NEED, top=5)
            times.append(time.perf_counter() - t0)
        tracemalloc.start()
        match(cands, NEED, top=5)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        median = statistics.median(times)
        budget = BUDGETS_S.get(n)
        verdict = "" if budget is None else (" — met" if median <= budget else " — MISSED")
        ok &= budget is None or median <= budget
        print(f"{n:>9,} candidates: rank median {median * 1000:7.1f} ms (min {min(times) * 1000:.1f}), "
              f"{median / n * 1e9:6.1f} ns/candidate, match peak {peak / 2**20:6.1f} MiB, "
              f"{int(result.passing.sum()):,} pass" + (f"; budget {budget * 1000:.0f} ms{verdict}" if budget else ""))
        arrays_budget = ARRAYS_BUDGETS_S.get(n)
        met = arrays_budget is None or build <= arrays_budget
        ok &= met
        print(f"{'':>11}arrays built in {build:.2f} s (CPU {build_cpu:.2f} s)" + (
            "" if arrays_budget is None else
            f", {build / arrays_budget:.2f} of the {arrays_budget:g} s budget — ≤ {arrays_budget:g} s budget "
            + ("met" if met else "OVER")))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"process peak RSS {rss / 2**20:.0f} MiB (budget {MEMORY_BUDGET / 2**20:.0f} MiB)"
          + (" — met" if rss <= MEMORY_BUDGET else " — MISSED"))
    ok &= rss <= MEMORY_BUDGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
