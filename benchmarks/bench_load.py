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

Run (CI, ~4 min): python benchmarks/bench_load.py --sessions 50 --rounds 1 --soak 120
Longer: python benchmarks/bench_load.py --sessions 50 --rounds 3
        python benchmarks/bench_load.py --url http://127.0.0.1:8080 --sessions 50 --rounds 3   # through nginx
        python benchmarks/bench_load.py --rounds 3 --soak 1200   # then 20 min at half the capacity it measured
        python benchmarks/bench_load.py --duration 1200 --rate 30   # soak alone, at a rate of your choice
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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# The client (a browser tab over the websocket protocol) and its figures; the other load benchmarks take
# them from here too.
from benchmarks.load_protocol import (GOAL, PAGES, SUBMIT, Run, burst, errors_text, marker_text,  # noqa: E402
                                      path_of, pct, rss_mb, visit)

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
    print(f"soak: {len(runs)} visits at {args.rate:.1f}/s for {args.duration:.0f} s, errors {errors_text(runs)}; p95 of the "
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
    if args.soak:  # then a steady mix of the pages at half the capacity just measured
        args.duration, args.rate = args.soak, capacity(results, names) / 2
        args.window = min(args.window, args.soak / 6)
        print(f"capacity for the pages in turn {2 * args.rate:.1f} pages/s: soak at {args.rate:.1f} sessions/s "
              f"for {args.soak:.0f} s", flush=True)
        ok &= await soak(url, names, args, pid)
    return ok


def capacity(results: dict[str, dict], names: list[str]) -> float:
    """Pages per second of a mix of ``names`` in equal shares, from each page's rate under the bursts."""
    rates = [sum(r.error is None for r in results[n]["runs"]) / results[n]["wall"] for n in names]
    return len(rates) / sum(1 / r for r in rates) if all(rates) else 0.0


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
    parser.add_argument("--soak", type=float, default=0, help="after the bursts, seconds of steady arrivals at half "
                        "the capacity they measured (a short soak for CI)")
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
