"""Benchmark: an import costs at most 3× the raw I/O of the same file (issue 12, goal 1).

For each format (a UTF-8 CSV and an XLSX workbook of N new spaces across Shenzhen, as staff
import them) and each backend (a copy of the bundled GeoPackage store; a PostGIS database on a
throw-away cluster on loopback), two figures measured in the same run:

* **the floor**: the raw I/O of the same rows: the file read with pandas (``read_csv`` /
  ``read_excel``, text cells, as the importer reads it) and its rows written with their points to
  the same kind of store (a fresh GeoPackage table with pyogrio; a fresh PostGIS table with COPY),
  nothing checked;
* **the import**: ``plan_import`` (read, map headers, every per-row check, compare with the store)
  and ``commit_import`` (validated write, row versions, audit entry) into the store.

Prints rows/s and the ratio to the floor; goal ≤ 3×. Exits 1 when a ratio is over the goal.
Run: python benchmarks/bench_import.py [--rows 100000] [--xlsx-rows 50000] [--backends gpkg,postgis] [--runs 2]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402

from geodata.ingest.importer import plan_import  # noqa: E402
from geodata.stewardship.commits import commit_import  # noqa: E402
from geodata.storage import create_store, frames_for_import, read_all  # noqa: E402
from geodata.synthetic import synthetic_carriers  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402

GOAL = 3.0


def _table(rows: int, districts) -> pd.DataFrame:
    """``rows`` new spaces across the city, with the headers staff use."""
    new = synthetic_carriers(rows, districts.geometry.union_all(), seed=99, prefix="imp", layer="lowcost_spaces")
    return pd.DataFrame({"编号": new["id"], "名称": new["name_zh"], "英文名称": new["name_en"],
                         "建筑面积": new["floor_area_m2"], "建筑面积来源": new["floor_area_source"],
                         "经度": new.geometry.x.round(7), "纬度": new.geometry.y.round(7), "状态": "operating",
                         "来源": new["source"]})


def _write_files(folder: Path, table: pd.DataFrame, xlsx_rows: int) -> dict[str, Path]:
    csv = folder / "import.csv"
    table.to_csv(csv, index=False, encoding="utf-8")
    xlsx = folder / "import.xlsx"
    table.head(xlsx_rows).to_excel(xlsx, index=False, engine="openpyxl")
    return {"CSV": csv, "XLSX": xlsx}


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.read_excel(path, dtype=str, engine="openpyxl")


def _points(raw: pd.DataFrame) -> gpd.GeoDataFrame:
    x, y = pd.to_numeric(raw["经度"]).to_numpy(), pd.to_numeric(raw["纬度"]).to_numpy()
    return gpd.GeoDataFrame(raw, geometry=shapely.points(x, y), crs=4326)


def floor_gpkg(path: Path, folder: Path, *, arrow: bool = True) -> float:
    """Read the file, write its rows and points to a fresh GeoPackage table (``arrow``: with pyogrio's
    Arrow writer, the fastest; else its default writer, the floor as the issue measured it)."""
    out = folder / "floor.gpkg"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    pyogrio.write_dataframe(_points(_read(path)), out, layer="raw", driver="GPKG", use_arrow=arrow)
    return time.perf_counter() - t0


def floor_postgis(path: Path, url: str) -> float:
    """Read the file, COPY its rows and points into a fresh PostGIS table (CSV written by Arrow)."""
    import io

    import psycopg
    import pyarrow as pa
    import pyarrow.csv as pacsv

    t0 = time.perf_counter()
    frame = _points(_read(path))
    names = [c for c in frame.columns if c != "geometry"]
    table = pa.table({**{n: pa.array(frame[n].to_numpy(dtype=object), type=pa.string()) for n in names},
                      "geom": pa.array(shapely.to_wkb(shapely.set_srid(frame.geometry.to_numpy(), 4326), hex=True,
                                                      include_srid=True), type=pa.string())})
    data = io.BytesIO()
    pacsv.write_csv(table, data, write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    with psycopg.connect(url) as con:
        con.execute("DROP TABLE IF EXISTS bench_floor")
        con.execute("CREATE TABLE bench_floor (" + ", ".join(f'"{n}" text' for n in names)
                    + ", geom geometry(Point, 4326))")
        with con.cursor() as cur, cur.copy("COPY bench_floor (" + ", ".join(f'"{n}"' for n in names)
                                           + ", geom) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(data.getvalue())
    return time.perf_counter() - t0


def timed_import(location, path: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    plan = plan_import(path, "lowcost_spaces", frames_for_import(location))
    commit_import(plan, who="benchmark", path=location)
    return time.perf_counter() - t0, len(plan.accepted)


def _fresh_gpkg(base: Path, folder: Path) -> Path:
    target = folder / "store" / "spacemap.gpkg"
    shutil.rmtree(target.parent, ignore_errors=True)
    target.parent.mkdir(parents=True)
    shutil.copy2(base, target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx-rows", type=int, default=50_000)
    parser.add_argument("--backends", default="gpkg,postgis")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    wanted = args.backends.split(",")
    cluster = Cluster().start() if "postgis" in wanted else None
    over, started = [], time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            base = folder / "base.gpkg"
            create_store(base)
            t0 = time.perf_counter()
            files = _write_files(folder, _table(args.rows, read_all(base)["shenzhen_districts"]), args.xlsx_rows)
            print(f"== import of new spaces: {args.rows:,} rows (CSV), {args.xlsx_rows:,} rows (XLSX); "
                  f"files written in {time.perf_counter() - t0:.1f} s")
            for backend in wanted:
                for fmt, path in files.items():
                    rows = args.rows if fmt == "CSV" else args.xlsx_rows
                    floors, imports, plain = [], [], []
                    for run in range(args.runs):
                        if backend == "gpkg":
                            floors.append(floor_gpkg(path, folder))
                            plain.append(floor_gpkg(path, folder, arrow=False))
                            seconds, accepted = timed_import(_fresh_gpkg(base, folder), path)
                        else:
                            url = cluster.create_database(f"imp_{fmt.lower()}_{run}")
                            create_store(url)
                            floors.append(floor_postgis(path, url))
                            seconds, accepted = timed_import(url, path)
                        if accepted != rows:
                            print(f"  {backend} {fmt}: only {accepted:,} of {rows:,} rows accepted")
                            over.append((backend, fmt))
                        imports.append(seconds)
                    floor, took = statistics.median(floors), statistics.median(imports)
                    ratio = took / floor
                    verdict = "met" if ratio <= GOAL else "over"
                    if ratio > GOAL:
                        over.append((backend, fmt))
                    print(f"{backend:7} {fmt:4}: import {took:5.1f} s ({rows / took:,.0f} rows/s); floor (read + write "
                          f"of the same rows) {floor:4.1f} s ({rows / floor:,.0f} rows/s); {ratio:.1f}× the floor — "
                          f"goal ≤ {GOAL:.0f}× {verdict}")
                    if plain:
                        other = statistics.median(plain)
                        print(f"{'':13}(pyogrio's default writer, the floor as the issue measured it: {other:4.1f} s; "
                              f"{took / other:.1f}× that floor)")
    finally:
        if cluster:
            cluster.stop()
    print(f"whole benchmark {time.perf_counter() - started:.0f} s")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
