"""Benchmark: placing 200,000 enterprises in carriers by their messy addresses (budget ≤ 60 s each).

Two inventories: the 55 bundled carriers (7 with an address: most are found by name), and the bundled
carriers plus 5,000 synthetic ones (:func:`geodata.synthetic_economy.synthetic_carriers`: a road of Futian
and a number each). The enterprises come from :func:`geodata.synthetic_economy.synthetic_economy` (fixed
seed; generation timed apart): full-width digits, prefixes dropped or added, 栋/座, floors and rooms,
road aliases, some with coordinates, about 5 % unplaceable. Timed: :func:`spatial.placement.place_enterprises`
— coordinates, cpca on the distinct addresses, exact site/name matches (dicts, Aho-Corasick), fuzzy
matching of the rest (rapidfuzz, in blocks). Prints seconds, rows/s and how many landed in their true
carrier; exits 1 when a full-size run misses the budget.

Run: python benchmarks/bench_placement.py [--enterprises N] [--quick] [--carriers N]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

from geodata.ingest.bundled import read_bundled  # noqa: E402
from geodata.synthetic_economy import synthetic_carriers, synthetic_economy  # noqa: E402
from layers.catalogue import CARRIER_LAYERS  # noqa: E402
from spatial.carriers import combine_carriers  # noqa: E402
from spatial.placement import place_enterprises  # noqa: E402

BUDGET_S = 60.0
FULL = 200_000
QUICK = 20_000
TODAY = date(2026, 6, 30)


def bench(label: str, carriers: gpd.GeoDataFrame, n: int) -> float:
    """Place ``n`` synthetic enterprises in ``carriers``; print the figures; return the seconds."""
    t0 = time.perf_counter()
    enterprises, _, truth = synthetic_economy(carriers, n_enterprises=n, seed=11, today=TODAY)
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    placed = place_enterprises(enterprises, carriers)
    seconds = time.perf_counter() - t0
    joined = placed.merge(truth, on="enterprise_id", suffixes=("", "_true"))
    placeable = joined["carrier_id_true"].notna()
    right = (joined["carrier_id"] == joined["carrier_id_true"]) & joined["status"].isin(["placed", "review"])
    wrong = (joined["status"] == "placed") & (joined["carrier_id"] != joined["carrier_id_true"])
    counts = joined["status"].value_counts()
    verdict = (" — met" if seconds <= BUDGET_S else " — MISSED") if n >= FULL else f" (budget is for {FULL:,})"
    print(f"{label}: {n:,} enterprises placed in {seconds:.1f} s, {n / seconds:,.0f} rows/s "
          f"(generated in {generated:.1f} s); budget {BUDGET_S:.0f} s{verdict}", flush=True)
    print(f"  {right[placeable].mean():.1%} of the placeable in their true carrier; "
          + ", ".join(f"{counts.get(s, 0):,} {s}" for s in ("placed", "review", "unplaced"))
          + f"; {int(wrong.sum()):,} placed in another carrier", flush=True)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=FULL)
    parser.add_argument("--quick", action="store_true", help=f"a smaller run for CI: {QUICK:,} enterprises")
    parser.add_argument("--carriers", type=int, default=5_000, help="synthetic carriers added to the bundled ones")
    args = parser.parse_args()
    n = QUICK if args.quick else args.enterprises
    frames, _ = read_bundled()
    bundled = combine_carriers(frames, CARRIER_LAYERS)
    extra = synthetic_carriers(args.carriers, seed=3)
    both = gpd.GeoDataFrame(pd.concat([bundled, extra], ignore_index=True), geometry="geometry", crs=bundled.crs)
    print(f"== placing {n:,} enterprises by address" + ("" if n >= FULL else f" (a smaller run: the budget is "
                                                                             f"for {FULL:,})"))
    seconds = [bench(f"{len(bundled):,} bundled carriers", bundled, n),
               bench(f"{len(both):,} carriers ({len(bundled)} bundled + {len(extra):,} synthetic)", both, n)]
    return 1 if n >= FULL and max(seconds) > BUDGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
