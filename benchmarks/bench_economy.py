"""Benchmark: indicators by cluster over 1,000,000 enterprise-years, through the report the pages and the
CLI use (issue 11: ≤ 1 s on PostGIS, ≤ 3 s in memory).

A synthetic city (fixed seeds): the bundled carriers plus 5,000 synthetic ones in Futian, 200,000
enterprises (a fifth high-tech), each placed in a carrier (a twentieth not placed), five years of
figures each. Loaded into a throw-away PostGIS cluster on loopback with COPY (fsync off: only the
queries are timed). Timed, median of ``--runs`` after a first call that reads the tables once per
store revision (as a page process does; its time is printed too):

* **PostGIS**: :func:`geodata.reports.economy.indicator_report` with the sums per enterprise in SQL;
* **in memory**: the same report with ``pushdown=False`` (the million rows read once, summed in pandas).

The two results are compared (they must be identical). The size comes from ``--rows``, else
``$SPACEMAP_BENCH_ENTERPRISE_YEARS`` (a smaller CI run), else 1,000,000.

Run: python benchmarks/bench_economy.py [--rows N] [--runs N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from geodata.reports.economy import indicator_report, indicators_json  # noqa: E402
from geodata.storage import create_store, open_store, pg, read_all  # noqa: E402
from geodata.storage.base import with_system_columns  # noqa: E402
from geodata.synthetic import synthetic_carriers  # noqa: E402
from layers.catalogue import CARRIER_LAYERS, get_layer  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402

FULL = 1_000_000
YEARS = (2020, 2021, 2022, 2023, 2024)
BUDGETS = {"postgis": 1.0, "memory": 3.0}


def _city(url: str, n_carriers: int, rows: int) -> None:
    """Write the synthetic city into the store at ``url`` (no validation: benchmark data)."""
    t0 = time.perf_counter()
    create_store(url)
    frames = read_all(url)
    extra = synthetic_carriers(n_carriers, frames["district"].geometry.iloc[0], seed=11, prefix="be")
    merged = {k: gpd.GeoDataFrame(pd.concat([frames[k], extra.loc[extra["layer"] == k].drop(columns="layer")],
                                            ignore_index=True), geometry="geometry", crs=frames[k].crs)
              for k in CARRIER_LAYERS}
    carrier_ids = np.concatenate([m["id"].astype(str).to_numpy() for m in merged.values()])
    rng = np.random.default_rng(3)
    n = rows // len(YEARS)
    ids = np.array([f"be-ent-{i:06d}" for i in range(n)], dtype=object)
    quals = np.where(rng.random(n) < 0.2, '[{"code": "high_tech", "evidence": "synthetic", "expires": null}]', None)
    enterprises = pd.DataFrame({"id": ids, "name": [f"基准企业{i} (synthetic)" for i in range(n)], "qualifications": quals,
                                "created_at": "2026-01-01T00:00:00+00:00", "source": "benchmark", "synthetic": True})
    placed = rng.random(n) >= 0.05
    placements = pd.DataFrame({"id": ids, "enterprise_id": ids,
                               "carrier_id": np.where(placed, carrier_ids[rng.integers(0, len(carrier_ids), n)], None),
                               "method": np.where(placed, "address", "none"), "confidence": 0.95,
                               "status": np.where(placed, "placed", "unplaced"), "placed_at": "2026-01-01T00:00:00+00:00",
                               "synthetic": True})
    size = rng.lognormal(8, 1.6, n)
    years = pd.DataFrame({"id": [f"{e}-{y}" for y in YEARS for e in ids], "enterprise_id": np.tile(ids, len(YEARS)),
                          "year": np.repeat(YEARS, n),
                          "revenue_cny": np.tile(size, len(YEARS)) * rng.lognormal(4, 0.3, n * len(YEARS)),
                          "tax_cny": np.tile(size, len(YEARS)) * rng.lognormal(1.5, 0.4, n * len(YEARS)),
                          "rd_cny": np.tile(size, len(YEARS)) * rng.lognormal(1, 0.5, n * len(YEARS)),
                          "employees": rng.integers(1, 500, n * len(YEARS)), "patents": rng.integers(0, 30, n * len(YEARS)),
                          "source": "benchmark", "synthetic": True})
    tables = {k: v.reindex(columns=get_layer(k).field_names) for k, v in
              (("enterprises", enterprises), ("placements", placements), ("enterprise_years", years))}
    generated = time.perf_counter() - t0
    t0 = time.perf_counter()
    store = open_store(url)
    store.write_layers(with_system_columns({**merged, **tables}))
    store.analyze()
    print(f"city: {len(carrier_ids):,} carriers, {n:,} enterprises, {len(years):,} enterprise-years; generated in "
          f"{generated:.1f} s, loaded (COPY) and analysed in {time.perf_counter() - t0:.1f} s", flush=True)


def _timed(url: str, runs: int, *, pushdown: bool) -> tuple[float, float, dict]:
    t0 = time.perf_counter()
    indicator_report("cluster", location=url, pushdown=pushdown)
    first = time.perf_counter() - t0
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = indicator_report("cluster", location=url, pushdown=pushdown, public=True)
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times), indicators_json(result)


def _close(a, b) -> bool:
    """Equal, floats to 1e-9 (the database adds in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)
    return a == b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("SPACEMAP_BENCH_ENTERPRISE_YEARS") or FULL))
    parser.add_argument("--carriers", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"== indicators by cluster, {args.rows:,} enterprise-years"
          + ("" if args.rows == FULL else f" (a smaller run: the budgets are for {FULL:,})"), flush=True)
    cluster = Cluster().start()
    figures, results = {}, {}
    try:
        url = cluster.create_database("economy_bench")
        _city(url, args.carriers, args.rows)
        for name, pushdown in (("postgis", True), ("memory", False)):
            first, median, results[name] = _timed(url, args.runs, pushdown=pushdown)
            figures[name] = median
            verdict = f"{median / BUDGETS[name]:.2f} × the {BUDGETS[name]:.0f} s budget"
            print(f"  {name}: first call (tables read once per revision) {first:.2f} s; report median "
                  f"{median * 1000:,.0f} ms — {verdict}" + ("" if args.rows != FULL else
                                                          " — met" if median <= BUDGETS[name] else " — MISSED"),
                  flush=True)
    finally:
        pg.close_connections()
        cluster.stop()
    same = _close(results["postgis"], results["memory"])
    print("PostGIS and in-memory indicators " + ("identical" if same else "DIFFER"), flush=True)
    missed = args.rows == FULL and any(figures[k] > BUDGETS[k] for k in figures)
    return 1 if missed or not same else 0


if __name__ == "__main__":
    sys.exit(main())
