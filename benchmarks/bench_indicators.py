"""Benchmark: economic indicators by cluster, 1,000,000 enterprise-years (budget ≤ 3 s, in memory).

The frames are synthetic and built here with numpy (fixed seed): 200,000 enterprises with five
years of figures each (2020–2024, about 10 % of each figure unknown), a placement per enterprise
(confirmed / placed / review / unplaced), 5,000 carriers at random points in a box around Futian
(2 % without a location, 15 % of floor areas unknown), 50,000 lettable units, 10 rectangular
clusters that overlap and 10 rectangular subdistricts that tile the box. Timed, median of
``--runs``: the pipeline of a page by cluster — the sums of the latest year and of the year
before (for the year on year), the qualification flags, the membership of the carriers, the
occupancy, the indicators and the disclosure control. Each step's median is printed; the sums over
every year (all the rows) and the other levels are run once each. Prints its figures; exits 1 over budget at the full size.

Run: python benchmarks/bench_indicators.py [--enterprises N] [--years N] [--carriers N] [--runs N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from spatial.disclosure import suppress  # noqa: E402
from spatial.indicators import (LEVELS, enterprise_sums, indicators, membership, occupancy,  # noqa: E402
                                qualification_flags, year_span)

BUDGET_S = 3.0
FULL = (200_000, 5, 5_000)
BOX = (114.00, 22.50, 114.10, 22.58)  # lon/lat, roughly Futian
INDUSTRIES = ("ict", "ai", "biomed", "finance", "design", "fashion", "logistics", "energy", "materials", "media")
TODAY = date(2024, 12, 31)


def _boxes(rng, n: int, *, tile: bool) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = BOX
    if tile:  # a 5 × 2 grid covering the box: a partition
        xs, ys = np.linspace(x0, x1, 6), np.linspace(y0, y1, 3)
        geoms = [shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(2) for i in range(5)][:n]
        return gpd.GeoDataFrame({"id": [f"sub{k}" for k in range(n)]}, geometry=geoms, crs="EPSG:4326")
    w, h = rng.uniform(0.015, 0.04, n), rng.uniform(0.015, 0.03, n)
    left, bottom = rng.uniform(x0, x1 - w), rng.uniform(y0, y1 - h)
    return gpd.GeoDataFrame({"id": [f"cl{k}" for k in range(n)]},
                            geometry=shapely.box(left, bottom, left + w, bottom + h), crs="EPSG:4326")


def _zones(rng) -> dict:
    district = gpd.GeoDataFrame({"id": ["district-440304"]}, geometry=[shapely.box(*BOX)], crs="EPSG:4326")
    hetao = gpd.GeoDataFrame({"id": ["hetao-sz"], "context": [False]},
                             geometry=[shapely.box(114.04, 22.50, 114.07, 22.52)], crs="EPSG:4326")
    return {"district": district, "subdistricts": _boxes(rng, 10, tile=True),
            "clusters": _boxes(rng, 10, tile=False), "hetao": hetao}


def _carriers(rng, n: int) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = BOX
    pts = shapely.points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)).astype(object)
    pts[rng.random(n) < 0.02] = None
    floor = np.where(rng.random(n) < 0.15, np.nan, rng.lognormal(9.5, 1.0, n).round())
    return gpd.GeoDataFrame({"id": [f"bc{i:05d}" for i in range(n)], "floor_area_m2": floor},
                            geometry=pts, crs="EPSG:4326")


def _figures(rng, size: int, mean: float, *, unknown: float = 0.1) -> np.ndarray:
    return np.where(rng.random(size) < unknown, np.nan, rng.lognormal(np.log(mean), 1.2, size).round())


def _enterprise_frames(rng, n: int, years: int, carrier_ids: np.ndarray) -> dict:
    ids = np.array([f"ent{i:06d}" for i in range(n)], dtype=object)
    size = n * years
    enterprise_years = pd.DataFrame({
        "enterprise_id": np.tile(ids, years), "year": np.repeat(np.arange(2025 - years, 2025), n),
        "revenue_cny": _figures(rng, size, 2e7), "tax_cny": _figures(rng, size, 1e6), "rd_cny": _figures(rng, size, 1e6),
        "employees": _figures(rng, size, 40), "patents": _figures(rng, size, 2, unknown=0.5)})
    status = rng.choice(np.array(["confirmed", "placed", "review", "unplaced"], dtype=object), n, p=[.5, .35, .1, .05])
    carrier = carrier_ids[rng.integers(0, len(carrier_ids), n)].astype(object)
    carrier[status == "unplaced"] = None
    placements = pd.DataFrame({"enterprise_id": ids, "carrier_id": carrier, "unit_id": None, "status": status})
    codes = np.array(["high_tech", "specialised", "little_giant"], dtype=object)
    quals = [None if r > 0.25 else json.dumps([{"code": codes[k % 3], "evidence": "bench",
                                                  "expires": "2023-12-31" if k % 5 == 0 else "2027-06-30"}])
             for k, r in enumerate(rng.random(n))]
    pick = rng.integers(0, len(INDUSTRIES), (n, 2))
    industries = [f"{INDUSTRIES[a]};{INDUSTRIES[b]}" if a != b else INDUSTRIES[a] for a, b in pick]
    enterprises = pd.DataFrame({"id": ids, "industries": industries, "qualifications": quals})
    return {"enterprise_years": enterprise_years, "placements": placements, "enterprises": enterprises}


def _units(rng, carrier_ids: np.ndarray, n: int) -> pd.DataFrame:
    return pd.DataFrame({"carrier_id": carrier_ids[rng.integers(0, len(carrier_ids), n)],
                         "area_m2": rng.uniform(50, 3000, n).round(),
                         "area_basis": rng.choice(np.array(["gross", "usable"], dtype=object), n, p=[.7, .3]),
                         "status": rng.choice(np.array(["available", "reserved", "let", "withdrawn"], dtype=object), n,
                                              p=[.3, .1, .5, .1])})


def pipeline(level: str, data: dict, times: dict) -> dict:
    """One page's work at ``level``, each step's time added to ``times``."""
    def step(name, fn):
        t0 = time.perf_counter()
        out = fn()
        times.setdefault(name, []).append(time.perf_counter() - t0)
        return out

    first, last = year_span(data["enterprise_years"]["year"])
    sums = step("sums (latest year)", lambda: enterprise_sums(data["enterprise_years"], first=first, last=last))
    prev = step("sums (year before)", lambda: enterprise_sums(data["enterprise_years"], first=first - 1, last=last - 1))
    flags = step("qualification flags", lambda: qualification_flags(data["enterprises"], on=TODAY))
    member = step("membership", lambda: membership(level, data["carriers"], data["zones"]))
    occ = step("occupancy", lambda: occupancy(data["units"], member))
    result = step("indicators", lambda: indicators(sums, data["placements"], member, flags=flags, floor=data["floor"],
                                                   prev_sums=prev, occupancy_rows=occ))
    step("disclosure", lambda: suppress(result["rows"], result["total"]))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=FULL[0])
    parser.add_argument("--years", type=int, default=FULL[1])
    parser.add_argument("--carriers", type=int, default=FULL[2])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(20240601)
    t0 = time.perf_counter()
    carriers = _carriers(rng, args.carriers)
    ids = carriers["id"].to_numpy(dtype=object)
    data = {**_enterprise_frames(rng, args.enterprises, args.years, ids), "carriers": carriers, "zones": _zones(rng),
            "units": _units(rng, ids, 50_000),
            "floor": carriers[["id", "floor_area_m2"]].rename(columns={"id": "carrier_id"})}
    size = len(data["enterprise_years"])
    print(f"== indicators: {size:,} enterprise-years, {args.enterprises:,} enterprises, {args.carriers:,} carriers, "
          f"50,000 units; generated in {time.perf_counter() - t0:.1f} s", flush=True)
    pipeline("cluster", data, {})  # warm-up
    times: dict[str, list] = {}
    totals = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = pipeline("cluster", data, times)
        totals.append(time.perf_counter() - t0)
    for name, values in times.items():
        print(f"  {name}: median {statistics.median(values) * 1000:,.0f} ms")
    median = statistics.median(totals)
    print(f"by cluster: {len(result['rows'])} rows, {result['total']['enterprises']:,} enterprises in the total; "
          f"median {median * 1000:,.0f} ms, min {min(totals) * 1000:,.0f} ms, max {max(totals) * 1000:,.0f} ms "
          f"over {args.runs} runs", flush=True)
    ey = data["enterprise_years"]
    t0 = time.perf_counter()
    every_year = enterprise_sums(ey, first=int(ey["year"].min()), last=int(ey["year"].max()))
    print(f"sums over every year ({size:,} rows → {len(every_year):,} enterprises): "
          f"{(time.perf_counter() - t0) * 1000:,.0f} ms (one run)", flush=True)
    for level in LEVELS:
        if level != "cluster":
            t0 = time.perf_counter()
            rows = pipeline(level, data, {})["rows"]
            print(f"by {level}: {len(rows):,} rows, {(time.perf_counter() - t0) * 1000:,.0f} ms (one run)", flush=True)
    full = (args.enterprises, args.years, args.carriers) == FULL
    ok = median <= BUDGET_S
    print(f"budget {BUDGET_S:.0f} s by cluster: " + ("met" if ok else "MISSED") + ("" if full else
                                                                              " (the budget is for the full size)"))
    return 0 if ok or not full else 1


if __name__ == "__main__":
    sys.exit(main())
