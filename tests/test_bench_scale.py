"""The scale-out benchmark's figures (benchmarks/bench_scale.py), without servers: reading nginx's access log,
the spread of the sessions over the processes, the ratio against its goal, the table."""
from __future__ import annotations

import math

from benchmarks.bench_load import Run
from benchmarks.bench_scale import ceiling, goal, log_entries, rate, rows, split, spread_text, stream_upstreams, table

A, B = "127.0.0.1:8501", "127.0.0.1:8502"
ROUTE = "0123456789abcdef0123456789abcdef"
LOG = [
    f'127.0.0.1 [01/Dec/2026:03:09:45 +0000] "GET /?probe=1 HTTP/1.1" 200 1437 upstream={A} route={ROUTE} rt=0.004',
    f'127.0.0.1 [01/Dec/2026:03:09:46 +0000] "GET /_stcore/stream HTTP/1.1" 101 52101 upstream={B} route={ROUTE} '
    'rt=1.204',
    f'127.0.0.1 [01/Dec/2026:03:09:46 +0000] "GET /_stcore/stream HTTP/1.1" 101 52101 upstream={A}, {B} '
    f'route={ROUTE} rt=1.2',  # A refused, B answered
    '127.0.0.1 [01/Dec/2026:03:09:47 +0000] "GET /_stcore/metrics HTTP/1.1" 404 153 upstream=- route=x rt=0.000',
    "nginx: [notice] signal process started",
    f'127.0.0.1 [01/Dec/2026:03:09:48 +0000] "GET /media/ab12.csv HTTP/1.1" 200 9000 upstream={A} route={ROUTE} rt=0.01',
]


def _runs(ok: int, failed: int = 0, latency: float = 1.0) -> list[Run]:
    return [Run(latency, 0.0) for _ in range(ok)] + [Run(latency, 0.0, "timeout") for _ in range(failed)]


def _result(ok: int, wall: float, failed: int = 0, splits=None) -> dict:
    return {"runs": _runs(ok, failed), "wall": wall, "splits": splits or []}


def test_log_entries__request_status_process_and_route_of_each_line():
    entries = log_entries(LOG)
    assert [(e["path"], e["status"], e["up"]) for e in entries] == [
        ("/?probe=1", "200", A), ("/_stcore/stream", "101", B), ("/_stcore/stream", "101", B),
        ("/_stcore/metrics", "404", "-"), ("/media/ab12.csv", "200", A)]
    assert entries[0]["route"] == ROUTE and entries[3]["route"] == "x"


def test_stream_upstreams__only_the_websocket_sessions_and_the_process_that_answered():
    assert stream_upstreams(LOG) == [B, B]
    assert split(stream_upstreams(LOG) + [A, "127.0.0.1:9999"], [A, B]) == [1, 2]


def test_ceiling__the_busiest_process_of_each_burst_bounds_the_ratio():
    assert ceiling([[25, 25]]) == 2.0
    assert math.isclose(ceiling([[30, 20], [20, 30]]), 100 / 60)
    assert ceiling([[50, 0]]) == 1.0
    assert math.isnan(ceiling([]))
    assert spread_text([[27, 23], [22, 28]]) == "27/23 · 22/28 (best 1.82×)"
    assert spread_text([[50]]) == "—"


def test_goal__085_per_process_up_to_the_cores():
    assert math.isclose(goal(2, 1, cores=2), 1.7)
    assert math.isclose(goal(4, 1, cores=2), 1.7)  # no core for the third and fourth
    assert math.isclose(goal(4, 1, cores=8), 3.4)
    assert goal(1, 1, cores=2) == 1.0


def test_rows__ratio_against_the_goal_and_errors_fail_it():
    results = {1: {"map": _result(100, 2.0), "tally": _result(100, 1.0), "match": _result(100, 2.0)},
               2: {"map": _result(100, 1.0, splits=[[25, 25]]), "tally": _result(100, 0.625, splits=[[26, 24]]),
                   "match": _result(99, 1.0, failed=1, splits=[[25, 25]])}}
    by_page = {r["page"]: r for r in rows(results, cores=2)}
    assert by_page["map"]["rate"] == {1: 50.0, 2: 100.0}
    assert by_page["map"]["ratio"][2] == 2.0 and by_page["map"]["met"][2]
    assert math.isclose(by_page["tally"]["ratio"][2], 1.6) and not by_page["tally"]["met"][2]  # below 1.7
    match = by_page["match"]
    assert match["ratio"][2] == 99 / 50 and not match["met"][2]  # fast enough, but a session failed
    assert match["errors"][2] == "1 (timeout×1)"
    assert rate({"runs": [], "wall": 0.0}) == 0.0


def test_table__one_row_per_page_with_met_or_below_and_the_spread():
    results = {1: {"map": _result(100, 2.0)}, 2: {"map": _result(100, 1.25, splits=[[27, 23], [22, 28]])}}
    text = table(rows(results, cores=2), [1, 2])
    head, rule, row = text.splitlines()
    assert head.startswith("| page | 1 process pages/s | 2 processes pages/s | ratio 2/1 (goal ≥ 1.70) |")
    assert rule.count("---|") == head.count("|") - 1
    assert row == "| map | 50.0 | 80.0 | 1.60 BELOW | 1.00 s · 1.00 s | 0 · 0 | 27/23 · 22/28 (best 1.82×) |"
