"""Benchmark: the city map at 100,000 and 1,000,000 carriers against a bare Streamlit page (issue 12, goal 3).

Goal: with 100,000 carriers in view (all Shenzhen, synthetic city) the map is first drawn within 3× a
bare one-line Streamlit page measured in the same run; with 1,000,000 it shows counts per 500 m cell
(never a blank or frozen tab).

For each size a GeoPackage store (the bundled data plus ``synthetic_city(n)``) is built once and kept in
``--cache`` (building 1,000,000 takes about a minute). The app is started on loopback and the Map page
opened in headless Chromium (WebGL on Mesa's llvmpipe, see tests/e2e/deck.py) with the network cut to
loopback, timing navigation → the deck's canvas painted (coloured pixels in a screenshot). New visitors
(a fresh browser context) and returning visitors (a warm HTTP cache, see tests.e2e.server.visitor_tab)
are both reported; the first visit after start-up apart. Then one hover and one click: click → the
detail panel (or the cell's caption) shown, with the bytes the click's rerun brought (Streamlit's
message cache sends an unchanged deck as a reference). Payload = bytes received over the websocket;
data files = the rows deck.gl fetched over HTTP (``app/static/citymap``, see views/map_city.py).
The bare page is timed the same way (navigation → its text shown). Prints ratios; exits 1 when the
100,000 map misses 3× the floor for returning visitors.

Run: python benchmarks/bench_city_map.py [--runs N] [--sizes 100000,1000000] [--cache DIR]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.deck import (WEBGL_ARGS, click_point, hover_tooltip, point_spots, renderer,  # noqa: E402
                            wait_painted, watch_sent, zoom_in)
from benchmarks.bench_pages import BARE_APP, serve_bare  # noqa: E402
from tests.e2e.server import CHROMIUM, start_app, stop_app, visitor_tab  # noqa: E402

GOAL_RATIO = 3.0


def build_store(n: int, cache: Path) -> Path:
    """The bundled store plus ``n`` synthetic carriers across Shenzhen, built once into ``cache``."""
    from geodata.synthetic import CITY_SEED

    path = cache / f"city-{n}-seed{CITY_SEED}.gpkg"
    if path.exists():
        return path
    import geopandas as gpd
    import pandas as pd

    from geodata.storage import create_store, read_all, replace_layers
    from geodata.synthetic import synthetic_city
    from layers.catalogue import CARRIER_LAYERS

    started = time.perf_counter()
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial.gpkg")
    create_store(partial)
    frames = read_all(partial)
    layers, _ = synthetic_city(n, 0, frames["shenzhen_districts"])
    replace_layers({k: gpd.GeoDataFrame(pd.concat([frames[k], layers[k]], ignore_index=True), geometry="geometry",
                                        crs=frames[k].crs) for k in CARRIER_LAYERS}, partial)
    partial.rename(path)
    print(f"built the {n:,}-carrier store in {time.perf_counter() - started:.0f} s ({path})", flush=True)
    return path


def _received(page) -> list[int]:
    received = [0]
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.__setitem__(0, received[0] + len(p))))
    return received


def visit_map(browser, url: str, *, context=None) -> tuple[float, int, int]:
    """Seconds from navigation to the city map painted, websocket bytes received and the bytes of the
    data files deck.gl fetched (``app/static/citymap``; 0 from the browser's cache)."""
    with visitor_tab(browser, context) as (page, _):
        received, files = _received(page), []
        page.on("requestfinished", lambda r: files.append(r) if "/app/static/citymap/" in r.url else None)
        started = time.perf_counter()
        page.goto(f"{url}/?scope=shenzhen")
        _, shown_at = wait_painted(page, timeout_s=120)
        file_bytes = sum(max(r.sizes()["responseBodySize"], 0) for r in files)  # -1: from the HTTP cache
    return shown_at - started, received[0], file_bytes


def visit_bare(browser, url: str, *, context=None) -> tuple[float, int, int]:
    """Seconds from navigation to the bare page's text shown."""
    with visitor_tab(browser, context) as (page, _):
        started = time.perf_counter()
        page.goto(url)
        page.get_by_text("bare page").first.wait_for(timeout=60_000)
        return time.perf_counter() - started, 0, 0


def measure(browser, visit, url: str, runs: int) -> dict:
    """First visit, new visitors and returning visitors of one page."""
    cold, cold_bytes, cold_files = visit(browser, url)
    fresh = [visit(browser, url) for _ in range(runs)]
    returning = browser.new_context(viewport={"width": 1500, "height": 1000})
    visit(browser, url, context=returning)  # fills the cache
    cached = [visit(browser, url, context=returning) for _ in range(runs)]
    returning.close()
    return {"cold_s": cold, "new_s": [t for t, _, _ in fresh], "returning_s": [t for t, _, _ in cached],
            "payload": max([cold_bytes] + [b for _, b, _ in fresh]),
            "files": max([cold_files] + [f for *_, f in fresh]),
            "files_returning": statistics.median([f for *_, f in cached])}


def interact(browser, url: str, kind: str) -> str:
    """Hover, then click a point (or cell): what the tooltip said, the click → panel time and bytes."""
    with visitor_tab(browser) as (page, _):
        received, sent = _received(page), watch_sent(page)
        page.goto(f"{url}/?scope=shenzhen")
        wait_painted(page, timeout_s=120)
        if kind == "points":
            zoom_in(page, 4)  # in the browser (no rerun), until points stand apart
        page.wait_for_timeout(1_000)
        hit = hover_tooltip(page, point_spots(page))
        if hit is None:
            return "hover: no tooltip found"
        (x, y), text = hit
        name, before = text.splitlines()[0], received[0]
        tries, started = click_point(page, x, y, sent)
        target = page.locator(".carrier-detail") if kind == "points" else page.get_by_text("所选网格")
        target.first.wait_for(timeout=60_000)
        elapsed = time.perf_counter() - started
        shown = "detail panel" if kind == "points" else "cell caption"
        same = "" if kind != "points" else (" (the hovered carrier)" if name in target.first.inner_text()
                                            else " (another carrier under the pointer)")
        return (f"hover shows {name!r}; click → {shown}{same} {elapsed:.2f} s from the click that got through "
                f"({tries} click(s) needed); the rerun brought {(received[0] - before) / 1e3:,.0f} kB")


def bare_floor(browser, folder: Path, runs: int) -> dict:
    """A one-line Streamlit page served with the app's configuration: the floor."""
    script = folder / "bare.py"
    script.write_text(BARE_APP)
    proc, url = serve_bare(script)
    try:
        return measure(browser, visit_bare, url, runs)
    finally:
        stop_app(proc)


def report(name: str, result: dict, floor: dict, ready: float) -> bool:
    new, back = statistics.median(result["new_s"]), statistics.median(result["returning_s"])
    r_new = new / statistics.median(floor["new_s"])
    r_back = back / statistics.median(floor["returning_s"])
    print(f"{name}: server ready in {ready:.1f} s; first visit {result['cold_s']:.2f} s; new visitors median "
          f"{new:.2f} s (min {min(result['new_s']):.2f}, max {max(result['new_s']):.2f}) = {r_new:.1f}× the floor; "
          f"returning visitors median {back:.2f} s = {r_back:.1f}× the floor; websocket payload "
          f"{result['payload'] / 1e6:.2f} MB, data files {result['files'] / 1e6:.2f} MB as sent (returning "
          f"visitors: {result['files_returning'] / 1e6:.2f} MB)", flush=True)
    met = r_back <= GOAL_RATIO
    print(f"  ≤ {GOAL_RATIO:.0f}× goal: returning visitors {'met' if met else 'over'}; new visitors "
          f"{'met' if r_new <= GOAL_RATIO else 'over'}", flush=True)
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "spacemap-bench-city-map",
                        help="where the synthetic stores are kept between runs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sizes = [int(s) for s in args.sizes.split(",")]
    stores = {n: build_store(n, args.cache) for n in sizes}
    ok = True
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=WEBGL_ARGS)
        probe = browser.new_page()
        print(f"WebGL: {renderer(probe)}", flush=True)
        probe.close()
        floor = bare_floor(browser, Path(tmp), args.runs)
        print(f"bare one-line Streamlit page (the floor): first visit {floor['cold_s']:.2f} s; new visitors median "
              f"{statistics.median(floor['new_s']):.2f} s; returning visitors median "
              f"{statistics.median(floor['returning_s']):.2f} s", flush=True)
        for n in sizes:
            from views.map_city import map_kind

            kind = map_kind(n + 55) or "folium"
            proc, url, ready = start_app(stores[n], timeout=300)
            try:
                result = measure(browser, visit_map, url, args.runs)
                met = report(f"city map, {n:,} carriers ({kind})", result, floor, ready)
                ok &= met or n > 100_000
                print(f"  {interact(browser, url, kind)}", flush=True)
            finally:
                stop_app(proc)
        browser.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
