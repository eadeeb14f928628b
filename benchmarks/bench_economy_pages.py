"""Benchmark: the economy on the Map page (indicator mode) and the Tally page's economy tab in headless
Chromium, as ratios to a bare one-line Streamlit page measured in the same run (issue 11: the map's
indicator mode ≤ 2× a bare Streamlit page).

The store: the demo store of ``python cli.py demo`` (bundled data, synthetic market rows and the
synthetic economy: enterprises, their figures by year and their placements), built here with the same
calls (:func:`geodata.demo_market.build_demo_store`, :func:`geodata.demo_economy.add_demo_economy`).

Measured as :mod:`benchmarks.bench_pages` and :mod:`benchmarks.bench_market_pages` do (their helpers are
imported): ``streamlit run`` on loopback, Debian Chromium with the network cut to loopback, new visitors in
fresh browser contexts (empty HTTP cache), returning visitors in new tabs of one context (cached scripts);
the first visit after start-up is reported apart (nothing cached in the server). Each visit is a new session.

* Map (the default page, at ``/``): opening it (navigation → the map drawn in its iframe), then, once the
  run is over, choosing 纳税额 in the sidebar's "按经济指标显示" (``map_indicator``): timed from the option's
  click to the indicator's legend (``.indicator-legend``) and its circles (magenta paths in the map's
  iframe) drawn. Also the two together (opening + choosing, without the wait between them).
* Tally (``/tally``): navigation → click on the "经济指标" tab as soon as it is there → the indicator table
  (``.sm-indicators``) shown with its 纳税额(万元) header and a withheld cell (保密).

The floor: the bare page opened by its address (new and returning visitors), and, for scale, a bare page
reached by a navigation link in a two-page app (the least a click can cost); see
:func:`benchmarks.bench_market_pages.floors`. Ratios are to the floor of the same kind of visitor.
Prints its figures; exits 1 when the map's indicator mode (choosing → drawn, returning visitors) is over
2× the floor (as bench_pages, the new visitors' verdict is printed, not gated).

Run: python benchmarks/bench_economy_pages.py [--runs N]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_market_pages import _idle, _line, floors  # noqa: E402
from geodata.demo_economy import add_demo_economy  # noqa: E402
from geodata.reports.economy import INDICATOR_COLUMNS  # noqa: E402
from geodata.demo_market import DEFAULT_SEED, build_demo_store  # noqa: E402
from layers.basemaps import BASEMAPS, DEFAULT_BASEMAP  # noqa: E402
from layers.indicator_layer import FILL  # noqa: E402
from messages import t  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, start_app, stop_app, visitor_tab  # noqa: E402

GOAL = 2.0
FIELD = "tax_cny"
MODE = t("ec_map_mode", "zh")  # 按经济指标显示
OPTION = INDICATOR_COLUMNS[FIELD].get("zh")  # 纳税额(万元)
ECONOMY_TAB = t("ec_tab_economy", "zh")  # 经济指标
WITHHELD = t("ind_suppressed_cell", "zh")  # 保密
CIRCLE = f"path[fill='{FILL}']"  # an indicator circle (folium CircleMarker) in the map's iframe
LEGEND = ".indicator-legend"
TABLE = ".sm-indicators"
TILES = tuple(re.compile(re.escape(u.split("{z}")[0]).replace(re.escape("{s}"), "[^./]+"))
              for u in BASEMAPS[DEFAULT_BASEMAP].tiles)  # base-map tiles: asked for, cut off, harmless


# ---- the store --------------------------------------------------------------------------------------------

def build_store(path: Path) -> Path:
    """The demo store of ``python cli.py demo`` at ``path`` (its default sizes and seed)."""
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    result = build_demo_store(path, seed=DEFAULT_SEED, now=now)
    result["counts"].update(add_demo_economy(path, seed=DEFAULT_SEED + 3, today=now.date()))
    print(f"store: the demo ({result['demo']}): {', '.join(f'{n:,} {k}' for k, n in result['counts'].items())}; "
          f"built in {time.perf_counter() - started:.1f} s", flush=True)
    return path


# ---- the browser ----------------------------------------------------------------------------------------

def _check(blocked: list[str]) -> None:
    off = [u for u in blocked if not any(p.match(u) for p in TILES)]
    if off:
        raise RuntimeError(f"the page asked for something off loopback: {off[:3]}")


def map_visit(browser, url: str, *, context=None) -> dict[str, float]:
    """Open the map, wait for the run to end, choose 纳税额 as the indicator.
    ``{"open"}``: navigation → the map drawn; ``{"choose"}``: the option's click → legend and circles drawn."""
    with visitor_tab(browser, context) as (page, blocked):
        started = time.perf_counter()
        page.goto(url)
        frame = page.frame_locator(MAP_IFRAME)
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=120_000)
        opened = time.perf_counter() - started
        _idle(page)
        if frame.locator(CIRCLE).count() or page.locator(LEGEND).count():
            raise RuntimeError("indicator circles on the map before an indicator was chosen")
        box = page.get_by_role("combobox", name=MODE, exact=True)
        box.click()
        box.press("ArrowDown")  # a click alone focuses the box without always opening its list
        option = page.get_by_role("option", name=OPTION, exact=True)
        option.wait_for(timeout=30_000)
        started = time.perf_counter()
        option.click()
        page.locator(LEGEND).get_by_text(OPTION, exact=False).first.wait_for(timeout=120_000)
        frame.locator(CIRCLE).first.wait_for(timeout=120_000)
        chosen = time.perf_counter() - started
        _idle(page)
    _check(blocked)
    return {"open": opened, "choose": chosen, "both": opened + chosen}


def tally_visit(browser, url: str, *, context=None) -> dict[str, float]:
    """``{"economy"}``: navigation → the economy tab clicked as soon as it is there → its indicator table shown."""
    with visitor_tab(browser, context) as (page, blocked):
        started = time.perf_counter()
        page.goto(f"{url}/tally")
        tab = page.get_by_role("tab", name=ECONOMY_TAB, exact=True)
        tab.wait_for(timeout=120_000)
        tab.click()
        table = page.locator(TABLE)
        table.get_by_text(OPTION, exact=True).first.wait_for(timeout=120_000)
        table.get_by_text(WITHHELD, exact=True).first.wait_for(timeout=120_000)
        elapsed = time.perf_counter() - started
        _idle(page)
    _check(blocked)
    return {"economy": elapsed}


def measure(browser, url: str, visit, runs: int) -> tuple[dict, list[dict], list[dict]]:
    """The first visit after start-up, ``runs`` new visitors, ``runs`` returning visitors (after one that fills
    the cache)."""
    first = visit(browser, url)
    fresh = [visit(browser, url) for _ in range(runs)]
    returning = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        visit(browser, url, context=returning)  # fills the browser cache
        cached = [visit(browser, url, context=returning) for _ in range(runs)]
    finally:
        returning.close()
    return first, fresh, cached


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        store = build_store(Path(tmp) / "demo.gpkg")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        floor = floors(browser, Path(tmp), args.runs)
        proc, url, ready = start_app(store, timeout=120)
        try:
            the_map = measure(browser, url, map_visit, args.runs)
            tally = measure(browser, url, tally_visit, args.runs)
        finally:
            stop_app(proc)
        browser.close()
    print(f"app on the demo store: server ready in {ready:.1f} s (ratios to the floor of the same kind of visitor)")
    kinds = (("new visitors (empty browser cache)", 1, floor["new"]),
             ("returning visitors (cached scripts)", 2, floor["returning"]))
    first = the_map[0]
    print(f"map, indicator {OPTION}: first visit after start-up: opening {first['open']:.2f} s, "
          f"choosing → drawn {first['choose']:.2f} s")
    for kind, at, base in kinds:
        runs_ = the_map[at]
        print(_line(f"{kind}, opening the map (navigation → map drawn)", [r["open"] for r in runs_], base,
                    floor["link"]))
        print(_line(f"{kind}, choosing the indicator (click → legend and circles drawn)",
                    [r["choose"] for r in runs_], base, floor["link"]))
        print(_line(f"{kind}, opening + choosing", [r["both"] for r in runs_], base, floor["link"]))
    ratios = {at: statistics.median(r["choose"] for r in the_map[at]) / base for _, at, base in kinds}
    ok = ratios[2] <= GOAL
    print(f"  goal ≤ {GOAL:.0f}× the floor (the indicator mode: choosing → drawn): returning visitors "
          f"{ratios[2]:.1f}× {'met' if ok else 'MISSED: over budget'}; new visitors {ratios[1]:.1f}× "
          f"{'met' if ratios[1] <= GOAL else 'missed'}")
    print(f"tally page, economy tab: first visit after start-up {tally[0]['economy']:.2f} s")
    for kind, at, base in kinds:
        print(_line(f"{kind}, navigation → tab clicked → indicator table drawn", [r["economy"] for r in tally[at]],
                    base, floor["link"]))
    print(f"whole benchmark {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
