"""Benchmark: tally 100,000 points and 10,000 polygons over the 10 subdistricts (budget ≤ 1 s, issue 4).

The inventory is synthetic (fixed seed); polygons are squares of 20–400 m, many crossing
subdistrict borders. Timed: the whole tally — projection to EPSG:4547, spatial index,
point containment, polygon overlay (land area apportioned), stated sums with the
double-count rule and the totals row. Prints its figures; exits 1 over budget.
Run: python benchmarks/bench_tally.py [--runs N] [--points N] [--polygons N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

from geodata.storage import create_store, read_all  # noqa: E402
from geodata.synthetic import synthetic_carriers, synthetic_parcels  # noqa: E402
from spatial.tally import tally_by  # noqa: E402

BUDGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--polygons", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.gpkg"
        create_store(path)
        frames = read_all(path)
    district = frames["district"].geometry.union_all()
    feats = gpd.GeoDataFrame(pd.concat([synthetic_carriers(args.points, district),
                                        synthetic_parcels(args.polygons, district)], ignore_index=True),
                             geometry="geometry", crs="EPSG:4326")
    figures = {}
    for land in ("apportion", "centroid"):
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = tally_by("subdistrict", feats, frames, land=land)
            times.append(time.perf_counter() - t0)
        figures[land] = times
        rows = result["rows"]
        print(f"tally by subdistrict, land={land}: {args.points:,} points + {args.polygons:,} polygons, "
              f"{len(rows)} rows; median {statistics.median(times) * 1000:,.0f} ms, "
              f"min {min(times) * 1000:,.0f} ms, max {max(times) * 1000:,.0f} ms over {args.runs} runs")
    for kind in ("cluster", "hetao", "layer", "industry"):
        t0 = time.perf_counter()
        tally_by(kind, feats, frames)
        print(f"tally by {kind}: {(time.perf_counter() - t0) * 1000:,.0f} ms (one run)")
    median = statistics.median(figures["apportion"])
    ok = median <= BUDGET_S
    print(f"budget {BUDGET_S:.1f} s (apportioned, the default): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
