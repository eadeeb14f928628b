"""Benchmark: a Shenzhen-wide inventory on both backends, from 10k to 1M spaces (issue 6).

For each size N the synthetic city (fixed seed: N spaces across the nine districts, N/10
parcels crossing borders, some spaces inside others) is loaded into a PostGIS database (a
throw-away cluster on loopback, fsync on) and into a GeoPackage store. Timed:

* **tally by district** (all Shenzhen, land apportioned): PostGIS in the database
  (:mod:`geodata.storage.tally_sql`), budget ≤ 2 s at 1M; GeoPackage in memory
  (:func:`spatial.tally.tally_by`), with the time to read the store printed apart;
* **a matching query** (biomed start-up near Nanshan's science park, 3 km, ≥ 500 m²): PostGIS
  pre-filters in the database and scores in numpy (:mod:`geodata.storage.match_sql`), budget ≤ 1 s;
  GeoPackage scores the candidate arrays already in memory (their build time printed apart);
* **import of 100,000 rows** (a CSV of new spaces: read, check, commit with audit): budget ≤ 60 s
  on PostGIS.

Prints every figure; exits 1 when a PostGIS budget is missed at the largest size.
Run: python benchmarks/bench_city.py [--sizes 10000,100000,1000000] [--backends postgis,gpkg]
     [--gpkg-max N] [--runs N] [--import-rows N]
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

from geodata.ingest.importer import plan_import  # noqa: E402
from geodata.storage.match_sql import match_in_database  # noqa: E402
from geodata.stewardship.commits import commit_import  # noqa: E402
from geodata.storage import create_store, open_store, frames_for_import, read_all  # noqa: E402
from geodata.synthetic import synthetic_carriers, synthetic_city  # noqa: E402
from geodata.storage.tally_sql import tally_in_database  # noqa: E402
from layers.catalogue import CARRIER_LAYERS  # noqa: E402
from spatial.carriers import combine_carriers  # noqa: E402
from spatial.match import Need, candidate_arrays, match  # noqa: E402
from spatial.tally import tally_by  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402

BUDGETS = {"tally": 2.0, "match": 1.0, "import": 60.0}
NEED = Need(industry="biomed", area_min=500, near=(113.9470, 22.5400), within_km=3.0, stage="startup")


def _median(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _with_city(frames: dict, layers: dict) -> dict:
    return {k: gpd.GeoDataFrame(pd.concat([frames[k], layers[k]], ignore_index=True), geometry="geometry",
                                crs=frames[k].crs) for k in CARRIER_LAYERS}


def _import_csv(folder: Path, rows: int, districts) -> Path:
    """``rows`` new spaces across the city as a CSV (the format staff import)."""
    boundary = districts.geometry.union_all()
    new = synthetic_carriers(rows, boundary, seed=99, prefix="imp", layer="lowcost_spaces")
    table = pd.DataFrame({"编号": new["id"], "名称": new["name_zh"], "英文名称": new["name_en"],
                          "建筑面积": new["floor_area_m2"], "建筑面积来源": new["floor_area_source"],
                          "经度": new.geometry.x.round(7), "纬度": new.geometry.y.round(7), "状态": "operating",
                          "来源": new["source"]})
    path = folder / f"import-{rows}.csv"
    table.to_csv(path, index=False, encoding="utf-8")
    return path


def _timed_import(location, csv: Path) -> tuple[float, dict]:
    t0 = time.perf_counter()
    plan = plan_import(csv, "lowcost_spaces", frames_for_import(location))
    result = commit_import(plan, who="benchmark", path=location)
    return time.perf_counter() - t0, {"accepted": len(plan.accepted), "rejected": len(plan.rejected), **result}


def bench_postgis(cluster: Cluster, n: int, layers, parcels, csv: Path, runs: int) -> dict:
    url = cluster.create_database(f"city_{n}")
    create_store(url)
    frames = read_all(url)
    t0 = time.perf_counter()
    store = open_store(url)
    store.write_layers(_with_city(frames, layers))
    store.load_parcels("city_parcels", parcels)
    store.analyze(["city_parcels"])
    load = time.perf_counter() - t0
    tables = [*CARRIER_LAYERS, "city_parcels"]
    tally_in_database(url, "district", scope="shenzhen", tables=tables)  # warm the cache once
    tally_s, result = _median(lambda: tally_in_database(url, "district", scope="shenzhen", tables=tables), runs)
    zones = {k: frames[k] for k in ("subdistricts", "clusters", "hetao", "district")}
    match_s, found = _median(lambda: match_in_database(url, NEED, zones, scope="shenzhen", top=10), runs)
    import_s, imported = _timed_import(url, csv)
    return {"load_s": load, "tally_s": tally_s, "tally_count": result["total"]["count"], "match_s": match_s,
            "match_prefiltered": len(found["candidates"]), "match_results": len(found["result"].order),
            "import_s": import_s, "imported": imported["accepted"]}


def bench_gpkg(folder: Path, n: int, layers, parcels, csv: Path, runs: int) -> dict:
    path = folder / f"city_{n}.gpkg"
    create_store(path)
    frames = read_all(path)
    t0 = time.perf_counter()
    open_store(path).write_layers(_with_city(frames, layers))
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    frames = read_all(path)
    carriers = combine_carriers(frames, CARRIER_LAYERS)
    read_s = time.perf_counter() - t0
    feats = gpd.GeoDataFrame(pd.concat([carriers, parcels], ignore_index=True), geometry="geometry",
                             crs=carriers.crs)
    tally_s, result = _median(lambda: tally_by("district", feats, frames), runs)
    from geodata.reports.inventory import zoned

    t0 = time.perf_counter()
    cands = candidate_arrays(zoned(carriers, frames))
    arrays_s = time.perf_counter() - t0
    match_s, res = _median(lambda: match(cands, NEED, top=10), runs)
    import_s, imported = _timed_import(path, csv)
    return {"load_s": load, "read_s": read_s, "tally_s": tally_s, "tally_count": result["total"]["count"],
            "arrays_s": arrays_s, "match_s": match_s, "match_results": len(res.order), "import_s": import_s,
            "imported": imported["accepted"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="postgis,gpkg")
    parser.add_argument("--gpkg-max", type=int, default=1_000_000, help="largest size run on the GeoPackage")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    wanted = args.backends.split(",")
    cluster = Cluster(durable=True).start() if "postgis" in wanted else None
    figures: dict[tuple[str, int], dict] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            base = folder / "base.gpkg"
            create_store(base)
            districts = read_all(base)["shenzhen_districts"]
            csv = _import_csv(folder, args.import_rows, districts)
            for n in sizes:
                t0 = time.perf_counter()
                layers, parcels = synthetic_city(n, n // 10, districts)
                print(f"\n== {n:,} spaces + {n // 10:,} parcels (generated in {time.perf_counter() - t0:.1f} s)")
                if cluster is not None:
                    f = figures[("postgis", n)] = bench_postgis(cluster, n, layers, parcels, csv, args.runs)
                    print(f"postgis: load {f['load_s']:.1f} s; tally by district {f['tally_s'] * 1000:,.0f} ms "
                          f"({f['tally_count']:,} features); match {f['match_s'] * 1000:,.0f} ms "
                          f"({f['match_prefiltered']:,} pre-filtered in SQL, {f['match_results']} results); "
                          f"import {args.import_rows:,} rows {f['import_s']:.1f} s ({f['imported']:,} accepted)",
                          flush=True)
                if "gpkg" in wanted and n <= args.gpkg_max:
                    f = figures[("gpkg", n)] = bench_gpkg(folder, n, layers, parcels, csv, args.runs)
                    print(f"gpkg:    load {f['load_s']:.1f} s; read store {f['read_s']:.1f} s; tally by district "
                          f"{f['tally_s'] * 1000:,.0f} ms (in memory); candidate arrays {f['arrays_s']:.1f} s, "
                          f"match {f['match_s'] * 1000:,.0f} ms (in memory, {f['match_results']} results); "
                          f"import {args.import_rows:,} rows {f['import_s']:.1f} s ({f['imported']:,} accepted)",
                          flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    if cluster is None:
        return 0
    top = figures[("postgis", max(sizes))]
    print(f"\nPostGIS at {max(sizes):,}: tally {top['tally_s']:.2f} s (budget {BUDGETS['tally']:.0f} s), "
          f"match {top['match_s']:.2f} s (budget {BUDGETS['match']:.0f} s), import {top['import_s']:.1f} s "
          f"(budget {BUDGETS['import']:.0f} s)")
    missed = [k for k in BUDGETS if top[f"{k}_s"] > BUDGETS[k]]
    print("PostGIS budgets: " + ("met" if not missed else f"MISSED: {', '.join(missed)}"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
