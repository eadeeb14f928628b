"""The load tool's client (benchmarks/bench_load.py) against a real bare Streamlit server: a page that ran is
counted with its header seen; a script that raises, a missing page element are errors, never successes."""
from __future__ import annotations

import asyncio

import pytest

from benchmarks.bench_load import burst, visit
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
