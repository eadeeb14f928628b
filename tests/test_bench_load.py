"""The load tool's client (benchmarks/bench_load.py) against a real bare Streamlit server: a page that ran is
counted with its header seen; a script that raises, a missing page element are errors, never successes."""
from __future__ import annotations

import asyncio

import pytest

from benchmarks.load_protocol import burst, visit
from benchmarks.bench_pages import serve_bare
from tests.e2e.server import stop_app

SCRIPT = ("import streamlit as st\n"
          "if st.query_params.get('boom'):\n"
          "    raise RuntimeError('boom')\n"
          "st.header('bare page')\n")


@pytest.fixture(scope="module")
def bare_url(tmp_path_factory):
    script = tmp_path_factory.mktemp("bare") / "bare.py"
    script.write_text(SCRIPT)
    proc, url = serve_bare(script)
    yield url
    stop_app(proc)


def test_burst__counts_every_finished_run_with_its_header(bare_url):
    runs, wall = asyncio.run(burst(bare_url, "", "bare page", 3, timeout=30))
    assert [r.error for r in runs] == [None, None, None]
    assert all(r.deltas >= 1 and r.nbytes > 0 for r in runs)
    assert wall > 0


def test_visit__a_script_that_raises_is_an_error(bare_url):
    run = asyncio.run(visit(bare_url, "?boom=1", "bare page", timeout=30))
    assert run.error == "exception"


def test_visit__a_page_without_its_marker_is_an_error(bare_url):
    run = asyncio.run(visit(bare_url, "", "not on the page", timeout=30))
    assert run.error == "no_marker"


def test_capacity__of_pages_in_turn_is_the_harmonic_mean_of_their_rates():
    from benchmarks.bench_load import capacity
    from benchmarks.load_protocol import Run

    def runs(n, failed=0):
        return [Run(0.1, 1.0)] * n + [Run(0.1, 1.0, error="timeout")] * failed

    results = {"a": {"runs": runs(100), "wall": 1.0}, "b": {"runs": runs(50, failed=5), "wall": 1.0}}
    assert capacity(results, ["a", "b"]) == pytest.approx(2 / (1 / 100 + 1 / 50))  # failed runs do not count
    assert capacity(results, ["a"]) == pytest.approx(100)
    assert capacity({"a": {"runs": runs(0, failed=3), "wall": 1.0}}, ["a"]) == 0.0  # a page that never ran
