"""Benchmark: scale out behind nginx (issue 20, goal 2: "2 processes ≥ 1.7× one on 2 cores").

The documented deployment, for real: a throw-away PostgreSQL + PostGIS cluster (:mod:`tests.pgcluster`)
with the bundled data; ``cli.py serve --address 127.0.0.1`` processes on it started as
``scripts/serve_many.sh`` starts them (``SPACEMAP_BEHIND_PROXY=1``, the database in ``SPACEMAP_DB_URL``);
for each N of ``--processes`` (default 1 and 2) an nginx in front of the first N, configured by
``deploy/render_nginx.py`` from ``deploy/nginx.conf.template`` in a temporary prefix. Every page is first
visited once on every process directly (its port: warm caches everywhere); then, measured through nginx
the same way as ``benchmarks/bench_load.py``: ``--sessions`` (50) sessions arriving at once per page, each
asking for its page over Streamlit's websocket and waiting for its end (bench_load's ``burst``/``visit``),
``--rounds`` rounds, the N deployments in turns for each page (so other work on a shared machine weighs on
them alike); pages/s = successful runs / wall time of the bursts. The sessions carry no cookie: nginx
takes each for a new visitor and routes it by a random id, as it spreads real browsers by theirs.

Printed: page | pages/s per N | ratio to the first N (goal: 0.85 per process that has a core, i.e. ≥ 1.7
for 2 on 2 cores; else "BELOW") | p95 (connect to ``script_finished``) | errors | each burst's sessions
per process (nginx's access log: the websocket requests' ``upstream=``) and the best ratio that spread
allows. Then per N where the CPU went during its bursts (seconds = cores: seconds / elapsed time): the load
generator itself (``time.process_time``; it shares the cores, ``os.sched_getaffinity``, with the
servers), each app process, nginx and PostgreSQL (``/proc/<pid>/stat`` with their children), the rest of
the machine (``/proc/stat``: other work), the milliseconds per page run; and how many sessions PostgreSQL
opened (``pg_stat_database.sessions``). Exit 1 when a session or a warm-up visit failed; a ratio below the
goal is printed, not failed (timing on a shared 2-core machine is noisy).

Run (CI, ~1 min): python benchmarks/bench_scale.py
Longer:          python benchmarks/bench_scale.py --rounds 10 --pages map,match,tally,progress,overview
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_load import stop  # noqa: E402
from benchmarks.load_protocol import (PAGES, SUBMIT, burst, errors_text, marker_text, path_of, pct,  # noqa: E402
                                      visit)

GOAL_PER_CORE = 0.85
"""Throughput per added process (with a core of its own) that the goal asks for: 2 processes ≥ 1.7× one."""
DEFAULT_PAGES = "map,match,tally,progress"
ENTRY = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) \d+ upstream=(?P<up>.+?) '
                   r'route=(?P<route>\S*)')
"""An access-log line of the template's ``spacemap`` format: the request, its status, the process, the route."""


# ---- the figures (pure: tests/test_bench_scale.py) ----------------------------------------------------------

def log_entries(lines) -> list[dict[str, str]]:
    """The requests in nginx access-log ``lines`` (the template's ``spacemap`` format): method, path, status,
    ``up`` (the process that answered: of a retried request nginx lists every process tried, the last
    answered) and route (the visitor's ``spacemap_route``)."""
    out = []
    for line in lines:
        m = ENTRY.search(line)
        if m:
            entry = m.groupdict()
            entry["up"] = re.split(r"\s*,\s*|\s+:\s+", entry["up"].strip())[-1]
            out.append(entry)
    return out


def stream_upstreams(lines) -> list[str]:
    """The process (``host:port``) that served each websocket session (``/_stcore/stream``) in ``lines``."""
    return [e["up"] for e in log_entries(lines) if e["path"].split("?")[0] == "/_stcore/stream"]


def split(upstreams: list[str], backends: list[str]) -> list[int]:
    """Sessions per process, in the order of ``backends`` (sessions nginx could not place are left out)."""
    counts = Counter(upstreams)
    return [counts.get(b, 0) for b in backends]


def ceiling(splits: list[list[int]]) -> float:
    """The best ratio to one process these bursts' spreads allow: their sessions over the sum of each
    burst's busiest process (each process serving its share at one process's speed, all at once)."""
    busiest = sum(max(s, default=0) for s in splits)
    return sum(map(sum, splits)) / busiest if busiest else float("nan")


def goal(n: int, base: int, cores: int) -> float:
    """The ratio N processes should reach over ``base`` processes: 0.85 per process up to the cores."""
    return GOAL_PER_CORE * min(n, cores) / min(base, cores) if n > base else 1.0


def rate(res: dict) -> float:
    """Pages/s of one page at one N: successful runs / wall time of its bursts."""
    return sum(r.error is None for r in res["runs"]) / res["wall"] if res["wall"] else 0.0


def rows(results: dict[int, dict[str, dict]], cores: int) -> list[dict]:
    """One row per page: pages/s, p95 and errors per N; ratio and goal per N after the first; spreads."""
    ns = sorted(results)
    out = []
    for page in results[ns[0]]:
        row = {"page": page, "rate": {}, "p95": {}, "errors": {}, "ratio": {}, "goal": {}, "met": {}, "splits": {}}
        for n in ns:
            res = results[n][page]
            row["rate"][n] = rate(res)
            row["p95"][n] = pct([r.latency for r in res["runs"] if r.error is None], 0.95)
            row["errors"][n] = errors_text(res["runs"])
            row["splits"][n] = res["splits"]
        for n in ns[1:]:
            base = row["rate"][ns[0]]
            row["ratio"][n] = row["rate"][n] / base if base else float("nan")
            row["goal"][n] = goal(n, ns[0], cores)
            row["met"][n] = row["ratio"][n] >= row["goal"][n] and all(
                results[m][page]["runs"] and not any(r.error for r in results[m][page]["runs"]) for m in (ns[0], n))
        out.append(row)
    return out


def spread_text(splits: list[list[int]]) -> str:
    """``27/23 · 22/28 (best 1.82×)``: each burst's sessions per process, and the ratio they allow."""
    if not splits or len(splits[0]) < 2:
        return "—"
    return " · ".join("/".join(map(str, s)) for s in splits) + f" (best {ceiling(splits):.2f}×)"


def table(table_rows: list[dict], ns: list[int]) -> str:
    """The markdown table of :func:`rows`."""
    later = ns[1:]
    head = (["page"] + [f"{n} process{'es' if n > 1 else ''} pages/s" for n in ns]
            + [f"ratio {n}/{ns[0]} (goal ≥ {table_rows[0]['goal'][n]:.2f})" if table_rows else f"ratio {n}/{ns[0]}"
               for n in later]
            + ["p95 " + " · ".join(map(str, ns)), "errors " + " · ".join(map(str, ns))]
            + [f"sessions per process ({n})" for n in ns if n > 1])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table_rows:
        cells = ([r["page"]] + [f"{r['rate'][n]:.1f}" for n in ns]
                 + [f"{r['ratio'][n]:.2f} {'met' if r['met'][n] else 'BELOW'}" for n in later]
                 + [" · ".join(f"{r['p95'][n]:.2f} s" for n in ns), " · ".join(r["errors"][n] for n in ns)]
                 + [spread_text(r["splits"][n]) for n in ns if n > 1])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---- the deployment -----------------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def tree_cpu(pid: int) -> float:
    """CPU seconds of process ``pid``, its reaped children and its live descendants (``/proc``): an app
    process, nginx (master and workers), PostgreSQL (the postmaster and its backends); 0 when gone."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        one = todo.pop()
        fields = _stat(one)
        if fields:
            total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
            todo += parents.get(one, [])
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs so far (``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def pg_sessions(db_url: str) -> int:
    """Sessions PostgreSQL opened on the database so far, this one's included (PostgreSQL ≥ 14); -1: unknown."""
    import psycopg

    try:
        with psycopg.connect(db_url, autocommit=True) as con:
            row = con.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()
    except psycopg.Error:
        return -1
    return int(row[0]) if row and row[0] is not None else -1


def start_database():
    """A throw-away PostGIS cluster with one store database of the bundled data: (cluster, URL)."""
    from geodata.storage import create_store, pg
    from tests.pgcluster import Cluster

    cluster = Cluster().start()  # its own temporary folder (the server may run as the postgres user)
    try:
        url = cluster.create_database("spacemap_bench_scale")
        create_store(url)  # what `cli.py store` does before serve_many.sh starts the processes
        pg.close_connections(url)
    except BaseException:
        cluster.stop()
        raise
    return cluster, url


def start_apps(n: int, db_url: str, tmp: Path) -> list[tuple[subprocess.Popen, str]]:
    """N `cli.py serve` processes as scripts/serve_many.sh starts them, each logging to ``tmp``."""
    from tests.conftest import location_env
    from tests.e2e.server import free_port, wait_ready

    env = {**os.environ, **location_env(db_url), "SPACEMAP_BEHIND_PROXY": "1",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    ports: list[int] = []
    while len(ports) < n:
        port = free_port()
        ports += [] if port in ports else [port]
    apps = []
    for i, port in enumerate(ports):
        with open(tmp / f"app{n}-{i}.log", "wb") as log:
            apps.append((subprocess.Popen([sys.executable, str(REPO / "cli.py"), "serve", "--port", str(port),
                                           "--address", "127.0.0.1"], cwd=REPO, env=env, stdout=log,
                                          stderr=subprocess.STDOUT), f"http://127.0.0.1:{port}"))
    for i, (proc, url) in enumerate(apps):
        try:
            wait_ready(proc, url, timeout=120)
        except RuntimeError as exc:
            for other, _ in apps:
                stop(other)
            log = (tmp / f"app{n}-{i}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{exc}; its log: {log}") from None
    return apps


def start_nginx(backends: list[str], prefix: Path) -> tuple[subprocess.Popen, str]:
    """nginx on a free loopback port with the rendered template in ``prefix``: (process, URL)."""
    from tests.e2e.server import free_port, wait_ready

    sys.path.insert(0, str(REPO / "deploy"))
    from render_nginx import render

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    conf = render(f"127.0.0.1:{port}", [b.removeprefix("http://") for b in backends], prefix)
    with open(prefix / "nginx.out", "wb") as out:
        proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_ready(proc, url, timeout=30)
    return proc, url


async def new_log_lines(log: Path, offset: int, expected: int, timeout: float = 10.0) -> tuple[list[str], int]:
    """The access-log lines written after ``offset``, waiting until ``expected`` websocket sessions are in
    (nginx writes a websocket's line when it closes); the lines and the new offset."""
    deadline = time.perf_counter() + timeout
    while True:
        with open(log, "rb") as f:
            f.seek(offset)
            data = f.read()
        lines = data.decode(errors="replace").splitlines()
        if len(stream_upstreams(lines)) >= expected or time.perf_counter() > deadline:
            return lines, offset + len(data)
        await asyncio.sleep(0.1)


def snapshot(pids: dict[str, int]) -> dict:
    """The CPU counters a burst's figures are the difference of."""
    return {"generator": time.process_time(), "trees": {k: tree_cpu(pid) for k, pid in pids.items()},
            "ticks": machine_ticks(), "clock": time.perf_counter()}


def add_cpu(total: dict, before: dict, after: dict) -> None:
    """Add one burst's CPU seconds (generator, each server, the rest of the machine) to ``total``."""
    seconds = total.setdefault("seconds", {})
    burst_cpu = {"load generator": after["generator"] - before["generator"],
                 **{k: after["trees"][k] - v for k, v in before["trees"].items()}}
    busy = (after["ticks"][0] - before["ticks"][0]) / os.sysconf("SC_CLK_TCK")
    burst_cpu["the rest of the machine"] = max(0.0, busy - sum(burst_cpu.values()))
    for k, v in burst_cpu.items():
        seconds[k] = seconds.get(k, 0.0) + v
    total["elapsed"] = total.get("elapsed", 0.0) + after["clock"] - before["clock"]
    total["busy_ticks"] = total.get("busy_ticks", 0) + after["ticks"][0] - before["ticks"][0]
    total["all_ticks"] = total.get("all_ticks", 0) + after["ticks"][1] - before["ticks"][1]


async def measure(ns: list[int], names: list[str], apps, fronts: dict[int, tuple[str, Path]],
                  servers: dict[str, int], db_url: str, args) -> tuple[dict, dict, list[str], int]:
    """Warm every process directly; then the rounds, each page's burst through each deployment in turn. Per N
    and page the runs, wall time and spreads; per N the CPU of its bursts; the warm-up's failures; the
    sessions PostgreSQL opened during the bursts (-1: unknown)."""
    warm_errors = []
    for name in names:
        for _, url in apps:
            run = await visit(url, path_of(name), marker_text(name), timeout=args.timeout, submit=name in SUBMIT)
            if run.error:
                warm_errors.append(f"{name} on {url}: {run.error}")
    out = {n: {name: {"runs": [], "wall": 0.0, "splits": []} for name in names} for n in ns}
    cpu: dict[int, dict] = {n: {"runs": 0} for n in ns}
    offsets = {n: log.stat().st_size for n, (_, log) in fronts.items()}
    sessions0 = pg_sessions(db_url)
    for _ in range(args.rounds):
        for name in names:
            for n in ns:
                front, log = fronts[n]
                pids = {**{f"app {i + 1}": p.pid for i, (p, _) in enumerate(apps[:n])}, **servers[n]}
                before = snapshot(pids)
                runs, wall = await burst(front, path_of(name), marker_text(name), args.sessions, args.timeout,
                                         submit=name in SUBMIT)
                add_cpu(cpu[n], before, snapshot(pids))
                lines, offsets[n] = await new_log_lines(log, offsets[n], args.sessions)
                out[n][name]["runs"] += runs
                out[n][name]["wall"] += wall
                out[n][name]["splits"].append(split(stream_upstreams(lines), [u.removeprefix("http://")
                                                                                 for _, u in apps[:n]]))
                cpu[n]["runs"] += len(runs)
    await asyncio.sleep(1.5)  # PostgreSQL publishes its counters about once a second
    sessions1 = pg_sessions(db_url)
    return out, cpu, warm_errors, sessions1 - sessions0 - 1 if min(sessions0, sessions1) >= 0 else -1


def cpu_text(n: int, cpu: dict, cores: int) -> str:
    """Where the CPU went during the bursts of N processes: seconds, cores (seconds / elapsed time), per page run."""
    wall, runs = cpu["elapsed"] or float("nan"), cpu["runs"] or float("nan")
    parts = ", ".join(f"{k} {v:.1f} s = {v / wall:.2f}" for k, v in cpu["seconds"].items())
    ours = sum(v for k, v in cpu["seconds"].items() if k != "the rest of the machine")
    return (f"{n} process{'es' if n > 1 else ''}: {cpu['elapsed']:.1f} s of bursts, the machine "
            f"{cpu['busy_ticks'] / max(1, cpu['all_ticks']):.0%} busy over its {cores} cores; CPU (seconds = cores): "
            f"{parts}; per page run {1000 * ours / runs:.1f} ms in all, PostgreSQL "
            f"{1000 * cpu['seconds']['PostgreSQL'] / runs:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts, measured in turns")
    parser.add_argument("--sessions", type=int, default=50, help="sessions arriving at once per page and round")
    parser.add_argument("--rounds", type=int, default=4, help="bursts per page (each ~0.5-1 s: take a few)")
    parser.add_argument("--pages", default=DEFAULT_PAGES, help="comma-separated, of: " + ",".join(PAGES))
    parser.add_argument("--timeout", type=float, default=180, help="seconds a session waits for its page")
    args = parser.parse_args(argv)
    ns = sorted({int(n) for n in args.processes.split(",") if n.strip()})
    names = [n for n in args.pages.split(",") if n]
    unknown = [n for n in names if n not in PAGES]
    if unknown or not ns or min(ns) < 1:
        parser.error(f"unknown pages {unknown} (of {', '.join(PAGES)})" if unknown else "--processes: counts ≥ 1")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"machine: {cores} cores (os.cpu_count {os.cpu_count()}); processes {ns}; {args.sessions} sessions "
          f"at once per page, {args.rounds} round(s); pages {', '.join(names)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        cluster, db_url = start_database()
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        procs: list[subprocess.Popen] = []
        try:
            started = time.perf_counter()
            apps = start_apps(max(ns), db_url, tmp)
            procs += [p for p, _ in apps]
            fronts, servers = {}, {}
            for n in ns:  # one nginx per N, in front of the first N processes
                nginx, front = start_nginx([u for _, u in apps[:n]], tmp / f"nginx{n}")
                procs.append(nginx)
                fronts[n], servers[n] = (front, tmp / f"nginx{n}" / "access.log"), {"nginx": nginx.pid,
                                                                                     "PostgreSQL": postmaster}
                print(f"nginx {front} -> {n} process{'es' if n > 1 else ''}", flush=True)
            print(f"ready in {time.perf_counter() - started:.1f} s", flush=True)
            results, cpus, warm_errors, db_sessions = asyncio.run(measure(ns, names, apps, fronts, servers, db_url,
                                                                          args))
        finally:
            for proc in reversed(procs):
                stop(proc)
            cluster.stop()
    table_rows = rows(results, cores)
    print(f"\n{args.sessions} sessions arriving at once per page through nginx, {args.rounds} round(s), the "
          f"deployments in turns; p95: connect to script_finished")
    print(table(table_rows, ns))
    for n in ns:
        print(cpu_text(n, cpus[n], cores))
    if db_sessions >= 0:
        print(f"PostgreSQL sessions opened during the bursts: {db_sessions} for "
              f"{sum(c['runs'] for c in cpus.values())} page runs")
    for problem in warm_errors:
        print(f"warm-up FAILED: {problem}")
    later = ns[1:]
    if later:
        ok = all(r["met"][n] for r in table_rows for n in later)
        print(f"goal: {', '.join(f'{n} processes ≥ {goal(n, ns[0], cores):.2f}× {ns[0]}' for n in later)} "
              f"on every page, with 0 errors: {'met' if ok else 'BELOW'}")
    failed = warm_errors or any(r.error for res in results.values() for v in res.values() for r in v["runs"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
