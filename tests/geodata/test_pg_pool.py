"""PostGIS read connections are pooled per process, not opened per thread: the app runs every page in a
new thread, and a new database session per page run cost a third of its CPU (issue 20)."""
from __future__ import annotations

import itertools
import os
import threading
import time

import pytest

from geodata.storage import pg
from spatial.errors import StoreError

pytestmark = pytest.mark.skipif("postgis" not in os.environ.get("SPACEMAP_BACKENDS", "gpkg,postgis"),
                                reason="PostGIS backend not selected")


_dbs = itertools.count()


@pytest.fixture
def url(pg_cluster):
    location = pg_cluster.create_database(f"pool_{os.getpid()}_{next(_dbs)}")
    yield location
    pg.close_connections(location)


def _backend_pid(url: str) -> int:
    with pg.query(url) as con:
        return con.execute("SELECT pg_backend_pid()").fetchone()[0]


def test_query__threads_one_after_another_share_one_database_session(url):
    pids = []
    for _ in range(20):  # as page runs do: each in a thread of its own
        thread = threading.Thread(target=lambda: pids.append(_backend_pid(url)))
        thread.start()
        thread.join()
    assert len(pids) == 20 and len(set(pids)) == 1


def test_query__threads_at_once_get_their_own_and_the_pool_keeps_a_few(url):
    barrier, pids = threading.Barrier(8), []

    def reader():
        with pg.query(url) as con:
            barrier.wait(10)  # all eight hold a connection at the same time
            pids.append(con.execute("SELECT pg_backend_pid()").fetchone()[0])

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(20)
    assert len(set(pids)) == 8
    deadline = time.monotonic() + 10  # a closed session leaves pg_stat_activity when its backend has exited
    while True:  # only IDLE_HELD stayed open: the others were closed, not leaked
        with pg.query(url) as con:
            open_now = con.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                   ).fetchone()[0]
        if open_now <= pg.IDLE_HELD or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert open_now <= pg.IDLE_HELD


def test_query__a_connection_that_failed_or_was_left_mid_way_is_never_handed_out_again(url):
    first = _backend_pid(url)
    with pytest.raises(StoreError), pg.query(url) as con:
        con.execute("SELECT no_such_column FROM no_such_table")
    after_error = _backend_pid(url)
    assert after_error != first  # the failed one was closed
    with pytest.raises(KeyError), pg.query(url) as con:
        con.execute("SELECT 1")
        raise KeyError("left mid-way")
    assert _backend_pid(url) not in (first, after_error)


def test_close_connections__closes_the_idle_ones(url):
    pid = _backend_pid(url)
    pg.close_connections(url)
    assert _backend_pid(url) != pid
