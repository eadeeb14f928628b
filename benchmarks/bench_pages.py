"""Benchmark: the pages as ratios to a bare Streamlit page measured in the same run (issue 12), the
progress page's budget (issue 4), and a reader's reload after another process wrote one row.

1. The floor: a bare one-line Streamlit page (`st.header`) served with the app's configuration, opened
   by its address (new and returning visitors); for scale also the page of a bare two-page app opened by
   its own address (``/b``: the frontend first looks for the server under that path) and reached by its
   navigation link.
2. The app on the bundled data (`cli.py serve`, loopback, Debian Chromium with the network cut to
   loopback): the Map, Match, Tally and Progress pages opened by their address, and the staff
   workspace reached as staff reach it (log in in the sidebar, click the page's link: a page load
   would be a new session, logged out). New visitors: fresh browser contexts (empty HTTP cache);
   returning visitors: new tabs of one context (cached scripts). Timed from navigation (or the click)
   to the page drawn: Map — every vector layer (zones, their labels, the markers); Match — its form;
   Tally — the table's note and the chart with a size; Progress — the headline and the chart;
   workspace — the demand pool and the reverse matching. Goal: ≤ 1.5× the floor for returning
   visitors, ≤ 2× for new ones (the workspace against the floor of the same kind of visitor; its
   ratio to a bare link click is printed too). The floor and the pages are measured in turns (one
   visit of each, round after round), so a machine shared with other work loads them alike.
3. The reload (``--carriers``, default 100,000 synthetic carriers in a GeoPackage store): a reader's
   copy (:func:`geodata.storage.read_copy`) brought up to date after another process changed one
   row, against reading every layer again; and the zoned snapshot the pages share.

Prints its figures; exits 1 when the progress budget is missed.

Run: python benchmarks/bench_pages.py [--runs N] [--carriers N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.stewardship.accounts import add_account  # noqa: E402
from geodata.storage import create_store  # noqa: E402
from messages import t  # noqa: E402
from tests.e2e.server import (CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME, REPO, free_port, nav_link, start_app,  # noqa: E402
                              stop_app, visitor_tab, wait_ready)

PAGES = ("map", "match", "tally", "progress")
GOALS = {"returning": 1.5, "new": 2.0}
PROGRESS_BUDGET_S = 2.0
STAFF, PASSWORD = "bench-staff", "a long enough benchmark secret"
CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
BARE_APP = "import streamlit as st\nst.header('bare page')\n"
BARE_TWO = ("import streamlit as st\n"
            "def a():\n    st.header('bare a')\n"
            "def b():\n    st.header('bare b')\n"
            "st.navigation([st.Page(a, title='Page A', url_path='a', default=True), "
            "st.Page(b, title='Page B', url_path='b')], position='top').run()\n")
IDLE = ("() => document.querySelector(\"[data-testid='stApp']\")"
        "?.getAttribute('data-test-script-state') === 'notRunning'")
MIN_ZONE_LABELS = 17  # 10 subdistricts + 7 clusters


# ---- the browser ------------------------------------------------------------------------------------------

def idle(page) -> None:
    """Wait until the page's script run is over."""
    page.wait_for_timeout(150)
    page.wait_for_function(IDLE, timeout=120_000)


def _sized(page, selector: str) -> None:
    chart = page.locator(selector).first
    chart.wait_for(timeout=60_000)
    while not (chart.bounding_box() or {}).get("height"):
        page.wait_for_timeout(10)


def drawn(page, name: str) -> None:
    """Wait until page ``name`` is drawn (its last elements)."""
    if name == "map":
        frame = page.frame_locator(MAP_IFRAME)
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
        frame.locator(".zone-label").nth(MIN_ZONE_LABELS - 1).wait_for(state="attached", timeout=60_000)
        frame.locator(".marker-cluster, .leaflet-marker-pane > *").first.wait_for(state="attached", timeout=60_000)
    elif name == "match":
        page.get_by_role("button", name=t("m_submit", "zh"), exact=True).wait_for(timeout=60_000)
    elif name == "tally":
        page.get_by_text("各行之和等于合计").first.wait_for(timeout=60_000)
        _sized(page, "img.sm-chart")
    elif name == "progress":
        page.get_by_text("最新报告数").first.wait_for(timeout=60_000)
        _sized(page, "img.sm-chart")
    elif name == "workspace":
        page.get_by_role("heading", name=t("page_workspace", "zh")).first.wait_for(timeout=60_000)
        page.get_by_text(t("w_reverse_note", "zh")).first.wait_for(timeout=60_000)
    else:
        page.get_by_text(name).first.wait_for(timeout=60_000)


def open_page(browser, url: str, name: str, *, context=None, path: str | None = None) -> float:
    """Seconds from navigation to page ``name`` drawn (``context``: a returning visitor's)."""
    with visitor_tab(browser, context) as (page, blocked):
        started = time.perf_counter()
        page.goto(f"{url}/{name if path is None else path}")
        drawn(page, name)
        elapsed = time.perf_counter() - started
    if blocked and context is None and name != "map":  # the map's base-map tiles are cut off, as expected
        raise RuntimeError(f"the page asked for something off loopback: {blocked[:3]}")
    return elapsed


def log_in(page, url: str, name: str, password: str, *, landing: str = "match") -> None:
    """Log in as staff in the sidebar of page ``landing``, once the page is drawn and idle (a click on the
    login box while the first run still draws the sidebar can leave it closed: it is opened until its
    fields show)."""
    page.goto(f"{url}/{landing}")
    page.get_by_role("link", name=t("page_overview", "zh")).wait_for(timeout=120_000)  # the navigation
    idle(page)
    field = page.get_by_label(t("login_name", "zh"))
    for _ in range(10):
        if field.is_visible():
            break
        page.get_by_text(t("login_title", "zh"), exact=True).first.click()
        page.wait_for_timeout(300)
    field.fill(name)
    page.get_by_label(t("login_password", "zh"), exact=True).fill(password)
    page.get_by_role("button", name=t("login_button", "zh"), exact=True).click()
    page.get_by_text(f"已登录：{name}").wait_for(timeout=120_000)
    idle(page)


def staff_clicks(browser, url: str, name: str, *, context=None, shows: int = 2) -> list[float]:
    """One staff session: log in, then reach page ``name`` by its link ``shows`` times (the Map between)."""
    out = []
    with visitor_tab(browser, context) as (page, _):
        log_in(page, url, STAFF, PASSWORD)
        for _ in range(shows):
            started = time.perf_counter()
            nav_link(page, t(f"page_{name}", "zh")).click()
            drawn(page, name)
            out.append(time.perf_counter() - started)
            idle(page)
            page.get_by_role("link", name=t("page_match", "zh"), exact=True).click()
            drawn(page, "match")
            idle(page)
    return out


# ---- the floor and the pages, measured in turns -----------------------------------------------------------

def serve_bare(script: Path):
    """Serve ``script`` with Streamlit on a free loopback port (the floor's pages): ``(process, url)``."""
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--server.fileWatcherType", "none"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_ready(proc, url)
    return proc, url


def _click_bare(browser, url: str, context=None) -> list[float]:
    """A bare two-page app: open page A, then reach page B by its link (timed), twice."""
    out = []
    with visitor_tab(browser, context) as (page, _):
        page.goto(url)
        page.get_by_text("bare a").first.wait_for(timeout=60_000)
        idle(page)
        for _ in range(2):
            started = time.perf_counter()
            page.get_by_role("link", name="Page B", exact=True).click()
            page.get_by_text("bare b").first.wait_for(timeout=60_000)
            out.append(time.perf_counter() - started)
            idle(page)
            page.get_by_role("link", name="Page A", exact=True).click()
            page.get_by_text("bare a").first.wait_for(timeout=60_000)
            idle(page)
    return out


def in_turns(browser, visits: dict, runs: int) -> dict[str, dict[str, list[float]]]:
    """``{name: {"new": [...], "returning": [...]}}``: every ``visits[name](context)`` (a list of seconds)
    taken in turns, a new visitor (context None) then a returning one (a warm context per name), so
    every page and the floor see the same load on a shared machine. The first turn is not counted (the
    first visit after start-up; the one filling the browser cache)."""
    contexts = {name: browser.new_context(viewport={"width": 1500, "height": 1000}) for name in visits}
    out = {name: {"new": [], "returning": []} for name in visits}
    try:
        for turn in range(runs + 1):
            for name, visit in visits.items():
                fresh, cached = visit(None), visit(contexts[name])
                if turn:
                    out[name]["new"] += fresh
                    out[name]["returning"] += cached
    finally:
        for context in contexts.values():
            context.close()
    return out


def _ratio_line(name: str, times: dict[str, list[float]], floor: dict[str, list[float]], extra=None) -> bool:
    ok = True
    parts = []
    for kind in ("returning", "new"):
        median, base = statistics.median(times[kind]), statistics.median(floor[kind])
        ratio = median / base
        met = ratio <= GOALS[kind]
        ok &= met
        parts.append(f"{kind} visitors median {median:.2f} s (min {min(times[kind]):.2f}, max {max(times[kind]):.2f})"
                     f" = {ratio:.2f}× the floor (goal ≤ {GOALS[kind]}×: {'met' if met else 'OVER'})"
                     + ("" if extra is None else f", {median / statistics.median(extra[kind]):.2f}× {extra['what']}"))
    print(f"{name}: " + "; ".join(parts), flush=True)
    return ok


def pages(browser, tmp: Path, runs: int) -> bool:
    """Time the floor and every page on the bundled store in turns; print the ratios; whether the progress
    budget is met."""
    (tmp / "bare.py").write_text(BARE_APP)
    (tmp / "bare_two.py").write_text(BARE_TWO)
    store = create_store(tmp / "bundled.gpkg")
    add_account(STAFF, PASSWORD, "staff", by="benchmark", location=store)
    servers = [serve_bare(tmp / "bare.py"), serve_bare(tmp / "bare_two.py")]
    (_, bare), (_, two) = servers
    proc, url, ready = start_app(store)
    try:
        visits = {"floor": lambda ctx: [open_page(browser, bare, "bare page", context=ctx, path="")],
                  "floor_sub": lambda ctx: [open_page(browser, two, "bare b", context=ctx, path="b")],
                  **{name: (lambda ctx, n=name: [open_page(browser, url, n, context=ctx,
                                                           path="" if n == "map" else None)]) for name in PAGES}}
        times = in_turns(browser, visits, runs)
        clicks = in_turns(browser, {"floor_link": lambda ctx: _click_bare(browser, two, ctx),
                                    "workspace": lambda ctx: staff_clicks(browser, url, "workspace", context=ctx)},
                          max(2, runs // 2))
    finally:
        stop_app(proc)
        for server, _ in servers:
            stop_app(server)
    floor = times["floor"]
    print(f"floor: a bare one-line Streamlit page by its address: new visitors median "
          f"{statistics.median(floor['new']):.2f} s, returning visitors median {statistics.median(floor['returning']):.2f}"
          f" s; the page of a bare two-page app by its own address (/b) {statistics.median(times['floor_sub']['new']):.2f}"
          f" s and {statistics.median(times['floor_sub']['returning']):.2f} s; reached by its navigation link "
          f"{statistics.median(clicks['floor_link']['new']):.2f} s and "
          f"{statistics.median(clicks['floor_link']['returning']):.2f} s")
    print(f"app on the bundled data (server ready in {ready:.1f} s): ratios to the floor of the same kind of visitor, "
          "measured in turns with it (the Map by the app's own address /, the others by theirs, e.g. /tally)")
    sub = {**times["floor_sub"], "what": "a bare page by a sub-address"}
    met = sum(_ratio_line(f"{name} page", times[name], floor, None if name == "map" else sub) for name in PAGES)
    link = {**clicks["floor_link"], "what": "a bare page reached by its link"}
    met += _ratio_line("staff workspace (reached by its link after the login)", clicks["workspace"], floor, link)
    print(f"pages within the goal: {met} of {len(PAGES) + 1}")
    progress = statistics.median(times["progress"]["returning"])
    print(f"progress page budget ≤ {PROGRESS_BUDGET_S:.0f} s (returning visitors): "
          f"{'met' if progress <= PROGRESS_BUDGET_S else 'MISSED'}")
    return progress <= PROGRESS_BUDGET_S


# ---- the reload after another process's write ----------------------------------------------------------

WRITER = """
import sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from geodata.storage import read_rows, write_rows
location = Path({store!r})
row = read_rows("incubators", [{fid!r}], location)
row["name_en"] = "Renamed by another process"
write_rows("incubators", row, location=location)
"""


def reload_cost(tmp: Path, carriers: int, runs: int) -> None:
    """A reader's copy brought up to date after another process changed one row, against a full read."""
    import geopandas as gpd
    import pandas as pd

    from geodata.ingest.schema import coerce_frame
    from geodata.reports.inventory import store_snapshot
    from geodata.storage import open_store, read_all, read_copy, read_layer, refresh_copy, store_version
    from geodata.synthetic import synthetic_carriers
    from layers.catalogue import get_layer

    store = create_store(tmp / "reload.gpkg")
    started = time.perf_counter()
    district = read_layer("district", store).geometry.iloc[0]
    synthetic, _ = coerce_frame(synthetic_carriers(carriers, district, layer="incubators"), get_layer("incubators"))
    existing = read_layer("incubators", store)
    merged = pd.concat([existing, synthetic.assign(row_version=1)], ignore_index=True)
    open_store(store).write_layers({"incubators": gpd.GeoDataFrame(merged, geometry="geometry", crs=existing.crs)})
    print(f"reload: a store of {carriers:,} synthetic carriers written in {time.perf_counter() - started:.0f} s",
          flush=True)
    fulls, deltas, snaps = [], [], []
    store_snapshot(*store_version(store))
    for i in range(runs):
        copy = read_copy(store)
        fid = str(synthetic["id"].iloc[i * 997 % len(synthetic)])
        subprocess.run([sys.executable, "-c", WRITER.format(repo=str(REPO), store=str(store), fid=fid)], check=True)
        t0 = time.perf_counter()
        _, changes = refresh_copy(copy, store)
        deltas.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        store_snapshot(*store_version(store))  # the pages' shared copy: layers and zoned carriers patched
        snaps.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_all(store)
        fulls.append(time.perf_counter() - t0)
    full, delta, snap = (statistics.median(x) for x in (fulls, deltas, snaps))
    print(f"reload after a one-row write by another process ({carriers:,} carriers, GeoPackage): delta "
          f"{delta * 1000:.0f} ms ({changes.rows_read} row read: {changes.layers}) vs full read_all "
          f"{full * 1000:.0f} ms = {full / delta:.0f}× less; the pages' snapshot (layers and zoned carriers "
          f"patched) {snap * 1000:.0f} ms", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--carriers", type=int, default=100_000, help="carriers of the reload store (0: skip)")
    parser.add_argument("--skip-pages", action="store_true", help="only the reload")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_pages:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                ok = pages(browser, Path(tmp), args.runs)
                browser.close()
        if args.carriers:
            reload_cost(Path(tmp), args.carriers, args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
