"""Benchmark: past capacity (issue 20, "15 · Many visitors at once", goal 4: overload is polite).

At Streamlit's protocol level, as :mod:`benchmarks.bench_load`: a staff member logs in first (the
sidebar's login form, sent as a browser sends it) and keeps the session open; the capacity for the
heaviest public pages in turn is measured (bursts of 50, as bench_load); then anonymous visitors arrive
steadily at ``--over`` (2) times that capacity for ``--seconds`` (15), so a line forms and grows, and
halfway through the staff member opens the workspace.

Printed, for the app as configured (``SPACEMAP_PAGE_SLOTS``, :mod:`views.admission`) and for the same
app with no line (every run at once, as Streamlit does by itself):

- **blank**: from a visitor's request to the first thing drawn on their page (a visitor in line gets the
  "busy, you are n-th in line" notice; one admitted at once gets the page) — p50, p95, max;
- how many saw the notice, and how long until their whole page had arrived (p50, p95);
- the staff member's page: seconds from asking to its end, and that as a share of the visitors' p50.

Goals: no visitor faces a blank page for long (p95 of blank ≤ 1 s with the line), and the staff member's
page is not starved (it ends before the visitors' median). Exit 1 when a goal is missed or a run failed.

Run (CI, ~1 min): python benchmarks/bench_overload.py
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_load as bl  # noqa: E402
from benchmarks.load_protocol import BackMsg, rerun_request  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

STAFF, PASSWORD = "bench-staff", "a long enough bench secret"
CROWD_PAGES = ("progress", "tally", "match_result")
STAFF_PAGE = "workspace"
BLANK_GOAL_S = 1.0


class Staff:
    """One browser tab of a logged-in staff member: a websocket kept open, pages asked for by name."""

    def __init__(self, url: str):
        self.url, self.page_hash = url, ""
        parts = urlsplit(url)
        self.ws_url = f"ws://{parts.netloc}/_stcore/stream"
        self.origin = f"{parts.scheme}://{parts.netloc}"

    async def __aenter__(self):
        self.ws = await connect(self.ws_url, origin=self.origin, subprotocols=["streamlit"], max_size=None,
                                ping_interval=None)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def run(self, request: bytes) -> tuple[float, list]:
        """Send ``request``; read until the run's end (a rerun inside it included): seconds, elements seen."""
        started, elements = time.perf_counter(), []
        await self.ws.send(request)
        async for raw in self.ws:
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":  # a run starts (again, after an st.rerun inside the run)
                elements = []
            elif kind == "navigation":
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                elements.append((msg.metadata.delta_path[:1], msg.delta.new_element))
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"staff run ended {ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)}")
                return time.perf_counter() - started, elements
        raise RuntimeError("staff session closed")

    async def login(self) -> None:
        """Open the app and send the sidebar's login form filled in; fails unless logged in."""
        _, elements = await self.run(rerun_request(self.url, ""))
        inputs = [e.text_input.id for where, e in elements if where == [1] and e.WhichOneof("type") == "text_input"
                  and e.text_input.form_id == "login"]
        button = next(e.button.id for _, e in elements if e.WhichOneof("type") == "button"
                      and e.button.is_form_submitter and e.button.form_id == "login")
        msg = BackMsg.FromString(rerun_request(self.url, "", page_hash=self.page_hash, trigger=button))
        for widget_id, value in zip(inputs, (STAFF, PASSWORD)):
            msg.rerun_script.widget_states.widgets.add(id=widget_id, string_value=value)
        _, elements = await self.run(msg.SerializeToString())
        if any(e.WhichOneof("type") == "text_input" and e.text_input.form_id == "login" for _, e in elements):
            raise RuntimeError("the staff login failed (the login form is still shown)")

    async def open(self, page: str) -> float:
        seconds, elements = await self.run(rerun_request(self.url, page))
        if not elements:
            raise RuntimeError(f"the staff page {page!r} drew nothing")
        return seconds


async def crowd_visit(url: str, name: str, notice: bytes) -> dict:
    """One anonymous visitor: bench_load's visit, plus when the first element arrived and whether it was
    the busy notice."""
    parts = urlsplit(url)
    started, first, noticed = time.perf_counter(), None, False
    async with connect(f"ws://{parts.netloc}/_stcore/stream", origin=f"{parts.scheme}://{parts.netloc}",
                       subprotocols=["streamlit"], max_size=None, ping_interval=None, open_timeout=300) as ws:
        await ws.send(rerun_request(url, bl.path_of(name)))
        async for raw in ws:
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                first = first or time.perf_counter() - started
                noticed = noticed or notice in raw
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                ok = msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                return {"blank": first, "done": time.perf_counter() - started, "noticed": noticed, "ok": ok}
    return {"blank": first, "done": time.perf_counter() - started, "noticed": noticed, "ok": False}


async def scenario(url: str, over: float, seconds: float) -> dict:
    from messages import t

    notice = t("busy_wait", "zh").split("{")[0].encode()
    async with Staff(url) as staff:
        await staff.login()
        await staff.open(STAFF_PAGE)  # warm: the staff page's caches filled
        rates = []
        for name in CROWD_PAGES:  # the capacity for these pages in turn (as bench_load's soak measures it)
            await bl.visit(url, bl.path_of(name), bl.marker_text(name), submit=name in bl.SUBMIT)
            runs, wall = await bl.burst(url, bl.path_of(name), bl.marker_text(name), 50, 180, submit=name in bl.SUBMIT)
            rates.append(sum(r.error is None for r in runs) / wall)
        capacity = len(rates) / sum(1 / r for r in rates)
        rate, visitors, started = over * capacity, [], time.perf_counter()
        staff_at, staff_s = seconds / 2, None
        while (now := time.perf_counter() - started) < seconds:
            if staff_s is None and now >= staff_at:  # halfway through: the staff member opens their page
                staff_task = asyncio.create_task(staff.open(STAFF_PAGE))
                staff_s = 0.0
            name = CROWD_PAGES[len(visitors) % len(CROWD_PAGES)]
            visitors.append(asyncio.create_task(crowd_visit(url, name, notice)))
            await asyncio.sleep(max(0.0, (len(visitors) / rate) - (time.perf_counter() - started)))
        runs = await asyncio.gather(*visitors)
        staff_s = await staff_task
    return {"runs": runs, "staff": staff_s, "capacity": capacity, "rate": rate}


def report(label: str, result: dict) -> bool:
    runs = result["runs"]
    blank = [r["blank"] for r in runs if r["blank"] is not None]
    done = [r["done"] for r in runs if r["ok"]]
    failed = sum(not r["ok"] for r in runs)
    median = bl.pct(done, 0.5)
    print(f"| {label} | {result['capacity']:.0f} → {result['rate']:.0f}/s | {bl.pct(blank, 0.5):.2f} s | {bl.pct(blank, 0.95):.2f} s | {max(blank, default=float('nan')):.2f} s"
          f" | {sum(r['noticed'] for r in runs)}/{len(runs)} | {median:.2f} s | {bl.pct(done, 0.95):.2f} s | "
          f"{result['staff']:.2f} s ({result['staff'] / median:.2f} of the median) | {failed} |")
    return not failed and bl.pct(blank, 0.95) <= BLANK_GOAL_S and result["staff"] <= median


def start(tmp: Path, slots: str):
    from geodata.stewardship.accounts import add_account
    from geodata.storage import create_store
    from tests.conftest import location_env
    from tests.e2e.server import free_port, wait_ready

    store = tmp / f"overload-{slots}.gpkg"
    if not store.exists():
        create_store(store)
        add_account(STAFF, PASSWORD, "staff", by="bench", location=store)
    port = free_port()
    env = {**os.environ, **location_env(store), "SPACEMAP_PAGE_SLOTS": slots,
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with open(tmp / f"app-{slots}.log", "wb") as log:  # the child keeps its own copy of the file
        proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "serve", "--port", str(port), "--address",
                                 "127.0.0.1"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_ready(proc, f"http://127.0.0.1:{port}", timeout=120)
    return proc, f"http://127.0.0.1:{port}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--over", type=float, default=2.0, help="visitors arrive at this multiple of the capacity")
    parser.add_argument("--seconds", type=float, default=15.0, help="for this long")
    parser.add_argument("--slots", default=None, help="the line's slots (default: the app's, SPACEMAP_PAGE_SLOTS)")
    args = parser.parse_args(argv)
    from settings import page_slots

    slots = args.slots or str(page_slots())
    print(f"anonymous visitors arriving steadily at {args.over:g}× the capacity ({', '.join(CROWD_PAGES)} in turn) for "
          f"{args.seconds:g} s, a logged-in staff member opening the {STAFF_PAGE} halfway; blank = request to the "
          f"first thing drawn (the page, or the notice of a place in line)")
    print("| app | capacity → arrivals | blank p50 | blank p95 | blank max | saw the busy notice | page p50 | page p95 | "
          "staff page | failed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-overload-") as folder:
        for label, value in ((f"with the line ({slots} slots)", slots), ("no line (every run at once)", "100000")):
            proc, url = start(Path(folder), value)
            try:
                met = report(label, asyncio.run(scenario(url, args.over, args.seconds)))
            finally:
                bl.stop(proc)
            ok &= met or value != slots  # the goals are the app's, as configured
    print(f"goals (with the line): blank p95 ≤ {BLANK_GOAL_S:.0f} s, the staff page before the visitors' median, "
          f"no failure: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
