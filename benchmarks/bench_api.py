"""Benchmark: 10,000 carriers through the OGC API (budget ≤ 3× GDAL reading the same layer from the GeoPackage).

A store with 10,000 synthetic incubators (plus the bundled ones) is served by the real server
(``python cli.py api``: pygeoapi behind waitress) on a loopback port; GDAL reads the whole layer through
its OGC API – Features client (``OAPIF:``, via pyogrio) and straight from the store's GeoPackage file
(pyogrio again: the same client code, the same table out), in turn, in the same run. Prints the first
read through the API (pages not yet kept), the medians, and the ratio against the budget; exits 1 if
the median ratio is over it.
Run: python benchmarks/bench_api.py [--runs N] [--carriers N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BUDGET_RATIO = 3.0
LAYER = "incubators"


def _store(folder: Path, n: int) -> Path:
    import geopandas as gpd
    import pandas as pd

    from geodata.storage import create_store, read_layer, replace_layers
    from geodata.synthetic import synthetic_carriers

    path = folder / "bench.gpkg"
    create_store(path)
    boundary = read_layer("district", path).geometry.iloc[0]
    new = synthetic_carriers(n, boundary, layer=LAYER)
    current = read_layer(LAYER, path)
    replace_layers({LAYER: gpd.GeoDataFrame(pd.concat([current, new], ignore_index=True), geometry="geometry",
                                            crs=current.crs)}, path)
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(path: Path) -> tuple[subprocess.Popen, str, float]:
    port = _free_port()
    env = {**os.environ, "SPACEMAP_STORE": str(path), "SPACEMAP_DB_URL": ""}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "api", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - started < 120:
        try:
            with urllib.request.urlopen(url + "/?f=json", timeout=2):
                return proc, url, time.perf_counter() - started
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the API did not start: {proc.stderr.read().decode(errors='replace')[-1000:]}")


def _timed(read) -> tuple[float, object]:
    t0 = time.perf_counter()
    frame = read()
    return time.perf_counter() - t0, frame


def main() -> int:
    import pyogrio

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--carriers", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = _store(Path(tmp), args.carriers)
        proc, url, ready = _start(path)
        try:
            def direct():
                return pyogrio.read_dataframe(path, layer=LAYER)

            def through_api():
                return pyogrio.read_dataframe(f"OAPIF:{url}", layer=LAYER)

            first, api_frame = _timed(through_api)
            direct_s, api_s = [], []
            for _ in range(args.runs):
                direct_s.append(_timed(direct)[0])
                seconds, api_frame = _timed(through_api)
                api_s.append(seconds)
            file_frame = direct()
            pages = Path(tmp) / "pages.geojson"  # the same features as one GeoJSON document, read from a file:
            with urllib.request.urlopen(f"{url}/collections/{LAYER}/items?f=json&limit=10000", timeout=60) as resp:
                pages.write_bytes(resp.read())  # what GDAL's GeoJSON reader alone costs, without HTTP or paging
            client_s = statistics.median(_timed(lambda: pyogrio.read_dataframe(pages))[0] for _ in range(3))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    if len(api_frame) != len(file_frame):
        print(f"FAILED: the API gave {len(api_frame)} features, the file {len(file_frame)}")
        return 1
    api_med, file_med = statistics.median(api_s), statistics.median(direct_s)
    ratio = api_med / file_med
    print(f"api: {len(api_frame):,} features of {LAYER} ({api_frame.shape[1] - 1} fields through the API, "
          f"{file_frame.shape[1] - 1} in the file); server ready in {ready:.1f} s")
    print(f"GDAL (pyogrio) reading the GeoPackage file: median {file_med * 1000:.0f} ms over {args.runs} runs")
    print(f"GDAL (pyogrio, OAPIF driver) through the API: first read {first * 1000:.0f} ms, "
          f"median {api_med * 1000:.0f} ms (min {min(api_s) * 1000:.0f}, max {max(api_s) * 1000:.0f})")
    print(f"  of which GDAL's GeoJSON reader alone (the same features from a file): {client_s * 1000:.0f} ms")
    print(f"ratio API / file: {ratio:.2f}× (budget ≤ {BUDGET_RATIO:.0f}×); first read {first / file_med:.2f}×")
    if ratio > BUDGET_RATIO:
        print("OVER BUDGET")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
