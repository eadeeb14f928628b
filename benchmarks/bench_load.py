"""Benchmark: many visitors at once (issue 20, "15 · Many visitors at once"), at Streamlit's protocol level.

No browser: each simulated session does what the frontend does on a page load. It opens the websocket
``/_stcore/stream`` (subprotocol ``streamlit``, the page's ``Origin``), sends one ``BackMsg.rerun_script``
``ClientState`` — ``page_script_hash`` empty, ``page_name`` the page's url path relative to the app's base
(``""`` for the default page: the Map; ``"match"``…; st.navigation picks the page whose ``url_path`` equals
it), ``query_string`` without ``?``, ``context_info`` (time zone, locale, url) — and reads ForwardMsgs
(``new_session``, ``navigation``, ``delta``…) until ``script_finished``. A run counts as a page only when
``script_finished == FINISHED_SUCCESSFULLY``, no delta was an ``exception`` element or an error alert (the
app's "page failed, error id …"), no ``page_not_found`` or ``script_compilation_exception`` came, and the
page's marker (its header text, the map component's name…) was in one of its deltas; anything else is an
error, counted by kind. ``FINISHED_EARLY_FOR_RERUN`` (an ``st.rerun`` inside the run) waits for the next one.
XSRF: Streamlit 1.67 checks the ``_streamlit_xsrf`` cookie against the token of the subprotocol only to
read a login cookie (``st.login``, unused here); without them the session runs as an anonymous visitor.

The scenario: ``--sessions`` (50) sessions arriving at once per page, each asking for one page and waiting
for its end, round after round (``--rounds``); every round also serves a bare one-line Streamlit page
(``st.header('bare page')``, :data:`benchmarks.bench_pages.BARE_APP`) the same way, with the app's
configuration: the floor. Printed: page | pages/s (finished runs / wall time of the bursts) | share of the
bare page's pages/s (goal ≥ 0.5) | p50 | p95 (from connecting to ``script_finished``) | errors; before the
rounds, one session alone per page (after one warm-up visit). The floor is served with the app's
``.streamlit/config.toml`` (``runner.postScriptGC = false``): 270-420 pages/s on the 2-core machine (its
burst lasts ~0.15 s, so it is noisy: take ``--rounds 3`` for a figure to keep); with Streamlit's default
full collection after every run it is ~19 pages/s, the floor issue 20 quotes. Then ``--abandon`` sessions per page ask for
it and close at once, and one more visit must still succeed. The app is started by the tool (``cli.py
serve`` on a copy of the bundled GeoPackage store, its RSS from ``/proc/<pid>/status``) unless ``--url``
names a running one (e.g. nginx in front of ``scripts/serve_many.sh``; ``--pid`` for its RSS).
Exit 1 when a page is below the goal or had errors.

Soak (``--duration S``): sessions arrive steadily at ``--rate`` per second over the pages in turn for S
seconds; every ``--window`` seconds the window's runs, errors, p50/p95 and the server's RSS are printed,
then the first and last 5 minutes' p95 (goal: last ≤ 1.5× first) and the RSS growth (goal < 10 %).

Run (CI, ~2 min): python benchmarks/bench_load.py --sessions 50 --rounds 1
Longer: python benchmarks/bench_load.py --sessions 50 --rounds 3
        python benchmarks/bench_load.py --url http://127.0.0.1:8080 --sessions 50 --rounds 3   # through nginx
        python benchmarks/bench_load.py --duration 1200 --rate 1.0   # soak: 20 min at about half the capacity
Profile (py-spy on PyPI): start the app (``cli.py serve``), then
        py-spy record --pid <server pid> --gil --nonblocking -r 100 -f raw -o map.raw &
        python benchmarks/bench_load.py --url http://127.0.0.1:<port> --pid <server pid> --pages map --abandon 0
(``--gil``: the thread holding the GIL, i.e. the server's Python time; blocking sampling of the 50 script
threads slows the server ~5×.)
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from streamlit.proto.Alert_pb2 import Alert  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import InvalidStatus, WebSocketException  # noqa: E402

GOAL = 0.5
PAGES = {"map": "", "match": "match", "match_result": "match", "tally": "tally", "progress": "progress",
         "overview": "overview"}
"""The public pages: name -> what the client asks for (url path, optionally ``?query``). ``match_result``: the
Match page, then its form sent as it is (the default match: every criterion "any"), as one visit."""
SUBMIT = {"match_result"}
"""Pages whose visit also presses the page's form submit button (a second run of the same session)."""
MARKERS = {"bare": "bare page", "map": "streamlit_folium.st_folium"}
"""What must be in a delta of the page's run: the bare header, the map component's name; or a message of
:mod:`messages` in Chinese (the default language), its first characters (the rest may be formatted):"""
MESSAGE_MARKERS = {"match": "m_submit", "match_result": "m_summary", "tally": "tl_conserved", "progress": "p_reported",
                   "overview": "overview_intro"}
MAX_SIGN = 8


@dataclass
class Run:
    """One session's visit: ``error`` None when the page ran; seconds from connecting to its end."""
    latency: float
    end: float
    error: str | None = None
    deltas: int = 0
    nbytes: int = 0


def marker_text(name: str) -> str:
    """The text that shows page ``name`` ran (a message key is looked up in Chinese)."""
    if name in MESSAGE_MARKERS:
        from messages import t
        text = t(MESSAGE_MARKERS[name], "zh")  # unformatted: its longest fixed part, its first characters
        return max(re.split(r"\{[^}]*\}", text), key=len)[:MAX_SIGN]
    return MARKERS.get(name, "")


def rerun_request(url: str, path: str, *, page_hash: str = "", trigger: str | None = None) -> bytes:
    """The BackMsg a browser sends on opening ``url``/``path`` (path: url path relative to the app, ``?query``);
    with ``page_hash`` and ``trigger`` (a button's widget id), the one it sends when that button is pressed."""
    page_name, _, query = path.lstrip("/").partition("?")
    msg = BackMsg()
    state = msg.rerun_script
    state.page_script_hash = page_hash
    state.page_name = page_name
    if trigger is not None:
        state.widget_states.widgets.add(id=trigger, trigger_value=True)
    state.query_string = query
    info = state.context_info
    info.timezone, info.timezone_offset, info.locale = "Asia/Shanghai", -480, "zh-CN"
    info.url, info.is_embedded, info.color_scheme = f"{url.rstrip('/')}/{path.lstrip('/')}", False, "light"
    return msg.SerializeToString()


def _delta_problem(delta) -> str | None:
    if delta.WhichOneof("type") != "new_element":
        return None
    kind = delta.new_element.WhichOneof("type")
    if kind == "exception":
        return "exception"
    if kind == "alert" and delta.new_element.alert.format == Alert.ERROR:
        return "error_alert"
    return None


async def visit(url: str, path: str, marker: str, *, timeout: float = 180.0, close_early: bool = False,
                submit: bool = False) -> Run:
    """One visitor: open the websocket, ask for ``path``, read until ``script_finished``; what it saw. With
    ``submit``, it then presses the page's form submit button and reads until that run's end as well (the
    marker must be in the second run)."""
    parts = urlsplit(url)
    ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
    sign, started = marker.encode(), time.perf_counter()
    seen, error, deltas, nbytes = False, None, 0, 0
    page_hash, button = "", None

    def done(problem: str | None) -> Run:
        now = time.perf_counter()
        return Run(now - started, now, problem, deltas, nbytes)

    try:
        async with asyncio.timeout(timeout):
            async with connect(ws_url, origin=f"{parts.scheme}://{parts.netloc}", subprotocols=["streamlit"],
                               max_size=None, ping_interval=None, open_timeout=timeout, compression=None if os.environ.get("NOCOMP") else "deflate") as ws:
                await ws.send(rerun_request(url, path))
                if close_early:
                    return done(None)
                async for raw in ws:
                    nbytes += len(raw)
                    msg = ForwardMsg.FromString(raw)
                    kind = msg.WhichOneof("type")
                    if kind == "delta":
                        deltas += 1
                        seen = seen or sign in raw
                        error = error or _delta_problem(msg.delta)
                        element = msg.delta.new_element
                        if (submit and element.WhichOneof("type") == "button" and element.button.is_form_submitter
                                and msg.metadata.delta_path[:1] == [0]):  # in the page, not the sidebar's login
                            button = button or element.button.id
                    elif kind == "navigation":
                        page_hash = msg.navigation.page_script_hash
                    elif kind == "page_not_found":
                        error = error or "page_not_found"
                    elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
                        error = error or "compile_error"
                    elif kind == "script_finished":
                        status = msg.script_finished
                        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue
                        if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                            error = error or ForwardMsg.ScriptFinishedStatus.Name(status).lower()
                        if submit and not error:  # the form, as the visitor would send it
                            if button is None:
                                return done("no_form")
                            await ws.send(rerun_request(url, path, page_hash=page_hash, trigger=button))
                            submit, seen = False, False
                            continue
                        return done(error or (None if seen else "no_marker"))
                return done("closed_before_finished")
    except TimeoutError:
        return done("timeout")
    except InvalidStatus as exc:
        return done(f"http_{exc.response.status_code}")
    except (OSError, WebSocketException) as exc:
        return done(f"connection:{type(exc).__name__}")


async def burst(url: str, path: str, marker: str, sessions: int, timeout: float, *,
                submit: bool = False) -> tuple[list[Run], float]:
    """``sessions`` visitors arriving at once; their runs and the wall time until the last one ended."""
    started = time.perf_counter()
    runs = await asyncio.gather(*(visit(url, path, marker, timeout=timeout, submit=submit) for _ in range(sessions)))
    return runs, max(r.end for r in runs) - started


def rss_mb(pid: int | None) -> float | None:
    """The resident memory of process ``pid`` in MB (``VmRSS`` of /proc), None when unknown."""
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank); nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def errors_text(runs: list[Run]) -> str:
    kinds = Counter(r.error for r in runs if r.error)
    return str(sum(kinds.values())) + (" (" + ", ".join(f"{k}×{n}" for k, n in kinds.most_common()) + ")" if kinds else "")


# ---- servers ----------------------------------------------------------------------------------------------

def start_app(tmp: Path) -> tuple[subprocess.Popen, str]:
    """``cli.py serve`` on a copy of the bundled store, its log in ``tmp`` (a pipe could fill and block it)."""
    from geodata.storage import create_store
    from tests.conftest import location_env
    from tests.e2e.server import free_port, wait_ready

    store = create_store(tmp / "bundled.gpkg")
    port = free_port()
    env = {**os.environ, **location_env(store), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with open(tmp / "app.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "serve", "--port", str(port), "--address",
                                 "127.0.0.1"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, url, timeout=120)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}; its log: {(tmp / 'app.log').read_text(errors='replace')[-2000:]}") from None
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# ---- the scenarios ----------------------------------------------------------------------------------------

async def bursts(urls: dict[str, str], names: list[str], args) -> dict[str, dict]:
    """Warm-up and one visitor alone per page, then the rounds of bursts, all pages in turn."""
    out = {name: {"runs": [], "wall": 0.0, "alone": None} for name in names}
    for name in names:
        for _ in range(2):  # the first visit after start-up fills the caches; the second is a visitor alone
            run = await visit(urls[name], path_of(name), marker_text(name), timeout=args.timeout,
                              submit=name in SUBMIT)
        out[name]["alone"] = run
    for _ in range(args.rounds):
        for name in names:
            runs, wall = await burst(urls[name], path_of(name), marker_text(name), args.sessions, args.timeout,
                                     submit=name in SUBMIT)
            out[name]["runs"] += runs
            out[name]["wall"] += wall
    return out


async def abandon(url: str, names: list[str], count: int, timeout: float) -> None:
    """``count`` sessions per page ask for it and close at once; then one visitor must still get the page."""
    for name in names:
        started = time.perf_counter()
        await asyncio.gather(*(visit(url, path_of(name), "", timeout=timeout, close_early=True) for _ in range(count)))
        probe = await visit(url, path_of(name), marker_text(name), timeout=timeout, submit=name in SUBMIT)
        print(f"closing early: {count} sessions asked for {name} and closed; a visitor after them "
              f"{'got the page' if probe.error is None else 'FAILED: ' + probe.error} in {probe.latency:.2f} s "
              f"({time.perf_counter() - started:.2f} s in all)", flush=True)


def path_of(name: str) -> str:
    return "" if name == "bare" else PAGES.get(name, name)


def table(results: dict[str, dict], sessions: int) -> bool:
    """Print the figures; whether every page met the goal with 0 errors."""
    rate = {n: sum(r.error is None for r in v["runs"]) / v["wall"] if v["wall"] else 0.0 for n, v in results.items()}
    floor = rate.get("bare") or float("nan")
    print(f"\n{sessions} sessions arriving at once per page (p50/p95: connect to script_finished; "
          f"alone: one session by itself)")
    print(f"| page | pages/s | share of the bare page's {floor:.1f} pages/s | p50 | p95 | alone | KB/run | errors |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for name, res in results.items():
        runs = res["runs"]
        good = [r.latency for r in runs if r.error is None]
        share = rate[name] / floor
        errors = sum(r.error is not None for r in runs)
        met = name == "bare" or (share >= GOAL and not errors)
        ok &= met and not errors
        alone = res["alone"]
        kb = statistics.mean(r.nbytes for r in runs) / 1024 if runs else 0
        print(f"| {name} | {rate[name]:.1f} | {share:.2f}{'' if name == 'bare' else (' met' if met else ' BELOW')} | "
              f"{pct(good, 0.5):.2f} s | {pct(good, 0.95):.2f} s | "
              f"{alone.latency:.2f} s{'' if alone.error is None else ' ' + alone.error} | {kb:.0f} | {errors_text(runs)} |")
    print(f"goal: every page ≥ {GOAL} of the bare page's pages/s with 0 errors: {'met' if ok else 'NOT met'}")
    return ok


async def soak(url: str, names: list[str], args, pid: int | None) -> bool:
    """Steady arrivals at ``args.rate``/s for ``args.duration`` s; per window p95 and RSS; the soak goals."""
    runs: list[Run] = []
    tasks: set[asyncio.Task] = set()
    started, rss0 = time.perf_counter(), rss_mb(pid)
    windows: list[float] = []

    async def one(name: str) -> None:
        runs.append(await visit(url, path_of(name), marker_text(name), timeout=args.timeout, submit=name in SUBMIT))

    async def report() -> None:
        for w in range(1, int(args.duration // args.window) + 1):
            await asyncio.sleep(started + w * args.window - time.perf_counter())
            lo = started + (w - 1) * args.window
            inside = [r for r in runs if lo <= r.end < lo + args.window]
            good = [r.latency for r in inside if r.error is None]
            windows.append(pct(good, 0.95))
            rss = rss_mb(pid)
            print(f"soak {w * args.window:.0f} s: {len(good)} pages, errors {errors_text(inside)}, p50 "
                  f"{pct(good, 0.5):.2f} s, p95 {windows[-1]:.2f} s, {len(tasks)} in flight"
                  + ("" if rss is None else f", server RSS {rss:.0f} MB"), flush=True)

    reporter = asyncio.create_task(report())
    i = 0
    while time.perf_counter() - started < args.duration:
        task = asyncio.create_task(one(names[i % len(names)]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        i += 1
        await asyncio.sleep(max(0.0, started + i / args.rate - time.perf_counter()))
    await asyncio.gather(*tasks)
    await reporter
    await asyncio.sleep(5)  # the closed sessions' memory freed
    errors = sum(r.error is not None for r in runs)
    k = max(1, min(5 * 60 // int(args.window), len(windows) // 2))
    first, last = max(windows[:k], default=float("nan")), max(windows[-k:], default=float("nan"))
    rss1 = rss_mb(pid)
    growth = (rss1 - rss0) / rss0 if rss0 and rss1 else None
    print(f"soak: {len(runs)} visits at {args.rate}/s for {args.duration:.0f} s, errors {errors_text(runs)}; p95 of the "
          f"first {k} window(s) {first:.2f} s, of the last {last:.2f} s = {last / first:.2f}× (goal ≤ 1.5×)"
          + ("" if growth is None else f"; server RSS {rss0:.0f} → {rss1:.0f} MB = {growth:+.1%} (goal < 10 %)"))
    return not errors and last <= 1.5 * first and (growth is None or growth < 0.10)


async def measure(args, url: str, bare_url: str | None, pid: int | None) -> bool:
    names = [n for n in args.pages.split(",") if n]
    if args.duration:
        for name in names:  # warm-up
            await visit(url, path_of(name), marker_text(name), timeout=args.timeout, submit=name in SUBMIT)
        return await soak(url, names, args, pid)
    rss0 = rss_mb(pid)
    urls = {name: url for name in names} | {"bare": bare_url}
    results = await bursts(urls, ["bare", *names], args)
    ok = table(results, args.sessions)
    if args.abandon:
        await abandon(url, names, args.abandon, args.timeout)
    rss1 = rss_mb(pid)
    if rss0 and rss1:
        print(f"server RSS {rss0:.0f} MB before the bursts, {rss1:.0f} MB after ({(rss1 - rss0) / rss0:+.1%})")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="sessions arriving at once per page and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated, of: " + ",".join(PAGES))
    parser.add_argument("--url", help="a running app (default: start one on a copy of the bundled store)")
    parser.add_argument("--bare-url", help="a running bare page (default: start one)")
    parser.add_argument("--pid", type=int, help="the server process of --url, for its RSS")
    parser.add_argument("--abandon", type=int, default=3, help="sessions per page that ask and close at once")
    parser.add_argument("--duration", type=float, default=0, help="soak: seconds of steady arrivals")
    parser.add_argument("--rate", type=float, default=1.0, help="soak: sessions arriving per second")
    parser.add_argument("--window", type=float, default=60, help="soak: seconds per printed window")
    parser.add_argument("--timeout", type=float, default=180, help="seconds a session waits for its page")
    args = parser.parse_args(argv)
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            url, pid, bare_url = args.url, args.pid, args.bare_url
            if not url:
                proc, url = start_app(Path(tmp))
                procs.append(proc)
                pid = proc.pid
            if not bare_url and not args.duration:
                from benchmarks.bench_pages import BARE_APP, serve_bare
                (Path(tmp) / "bare.py").write_text(BARE_APP)
                proc, bare_url = serve_bare(Path(tmp) / "bare.py")
                procs.append(proc)
            print(f"app {url}" + ("" if args.duration else f", bare page {bare_url}"), flush=True)
            ok = asyncio.run(measure(args, url, bare_url, pid))
        finally:
            for proc in procs:
                stop(proc)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
