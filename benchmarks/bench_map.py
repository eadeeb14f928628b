"""Benchmark: the Map page in headless Chromium (issue 2 budgets).

- bundled data: all layers shown ≤ 3 s after the server is ready;
- a synthetic 10,000-point carrier layer: ≤ 8 s, map payload ≤ 5 MB.

For each store it starts `streamlit run` on loopback, waits for /_stcore/health, then
opens the page in fresh browser contexts with the network cut to loopback and times
navigation → every vector layer drawn (zone polygons, their labels and the carrier
markers). The first visit after start-up is reported separately (it pays for Python's
imports in the server). New visitors (empty browser cache) and returning visitors (a tab in
a context whose cache is warm, see tests.e2e.server.visitor_tab) are both reported; the time
budget is checked on returning visitors. Payload = bytes the browser received over
Streamlit's websocket.
Prints its figures; exits 1 when a budget is missed.

Run: python benchmarks/bench_map.py [--runs N] [--points N]
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

from geodata.ingest.schema import coerce_frame  # noqa: E402
from geodata.storage import create_store, read_layer, replace_layers  # noqa: E402
from geodata.synthetic import synthetic_carriers  # noqa: E402
from layers.catalogue import get_layer  # noqa: E402
from tests.e2e.server import (CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, start_app, stop_app,  # noqa: E402
                              visitor_tab)

MIN_ZONE_LABELS = 17  # 10 subdistricts + 7 clusters


def visit(browser, url: str, *, context=None) -> tuple[float, int]:
    """Seconds from navigation to all layers drawn, and websocket bytes received.

    Without ``context`` a new visitor (empty cache), with one a returning visitor
    (see :func:`tests.e2e.server.visitor_tab`).
    """
    with visitor_tab(browser, context) as (page, _):
        received = [0]
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload))))
        started = time.perf_counter()
        page.goto(url)
        frame = page.frame_locator(MAP_IFRAME)
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
        frame.locator(".zone-label").nth(MIN_ZONE_LABELS - 1).wait_for(state="attached", timeout=60_000)
        frame.locator(".marker-cluster, .leaflet-marker-pane > *").first.wait_for(state="attached", timeout=60_000)
        elapsed = time.perf_counter() - started
        page.wait_for_timeout(300)
    return elapsed, received[0]


def measure(browser, store: Path, runs: int) -> dict:
    proc, url, ready = start_app(store)
    try:
        cold, cold_bytes = visit(browser, url)
        warm = [visit(browser, url) for _ in range(runs)]
        returning = browser.new_context(viewport={"width": 1500, "height": 1000})
        visit(browser, url, context=returning)  # fills the cache
        cached = [visit(browser, url, context=returning)[0] for _ in range(runs)]
        returning.close()
    finally:
        stop_app(proc)
    return {"server_ready_s": ready, "cold_s": cold, "payload_bytes": max([cold_bytes] + [b for _, b in warm]),
            "warm_s": [w for w, _ in warm], "cached_s": cached}


def report(name: str, result: dict, budget_s: float, budget_mb: float | None) -> bool:
    median = statistics.median(result["warm_s"])
    cached = statistics.median(result["cached_s"])
    mb = result["payload_bytes"] / 1e6
    print(f"{name}: server ready in {result['server_ready_s']:.1f} s; first visit {result['cold_s']:.2f} s; "
          f"new visitors (empty browser cache) median {median:.2f} s (min {min(result['warm_s']):.2f}, "
          f"max {max(result['warm_s']):.2f}); returning visitors (cached scripts) median {cached:.2f} s; "
          f"websocket payload {mb:.2f} MB")
    payload_ok = budget_mb is None or mb <= budget_mb
    ok = cached <= budget_s and payload_ok
    print(f"  budget ≤ {budget_s:.0f} s" + (f", ≤ {budget_mb:.0f} MB" if budget_mb else "") +
          f": returning visitors {'met' if ok else 'MISSED'}; new visitors "
          f"{'met' if median <= budget_s and payload_ok else 'missed'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--points", type=int, default=10_000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        bundled = create_store(Path(tmp) / "bundled.gpkg")
        big = Path(tmp) / "synthetic.gpkg"
        create_store(big)
        district = read_layer("district", big).geometry.iloc[0]
        synthetic, _ = coerce_frame(synthetic_carriers(args.points, district, layer="incubators"),
                                    get_layer("incubators"))
        existing = read_layer("incubators", big)  # kept: the ledger refers to some of them
        replace_layers({"incubators": gpd.GeoDataFrame(pd.concat([existing, synthetic], ignore_index=True),
                                                       geometry="geometry", crs=existing.crs)}, big)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ok = report("bundled data", measure(browser, bundled, args.runs), 3.0, None)
        ok &= report(f"{args.points:,} synthetic points", measure(browser, big, args.runs), 8.0, 5.0)
        browser.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
