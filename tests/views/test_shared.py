"""views.shared: a view built once per key and handed to every session (issue 20)."""
from __future__ import annotations

import threading
import time

import pytest

from views import shared as sh


@pytest.fixture(autouse=True)
def _clean():
    sh.forget("t")
    yield
    sh.forget("t")


def test_shared__builds_once_per_key_and_hands_out_the_same_object():
    calls = []

    def build(v):
        calls.append(v)
        return {"v": v}

    a = sh.shared("t", ("rev1", "zh"), lambda: build(1))
    b = sh.shared("t", ("rev1", "zh"), lambda: build(2))
    c = sh.shared("t", ("rev1", "en"), lambda: build(3))
    assert a is b and a == {"v": 1} and c == {"v": 3}
    assert calls == [1, 3]


def test_shared__keeps_the_most_recently_used_views_only():
    for i in range(5):
        sh.shared("t", (i,), lambda i=i: i, held=3)
    sh.shared("t", (2,), lambda: "again")  # a hit: 2 becomes the most recent
    sh.shared("t", (5,), lambda: 5, held=3)
    assert sh.held("t") == 3
    assert sh.shared("t", (2,), lambda: "rebuilt") == 2
    assert sh.shared("t", (3,), lambda: "rebuilt") == "rebuilt"  # dropped: the least recently used


def test_shared__many_sessions_asking_at_once_wait_for_one_build():
    builds = []
    gate = threading.Event()

    def slow():
        builds.append(1)
        gate.wait(5)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(sh.shared("t", ("cold",), slow))) for _ in range(8)]
    for th in threads:
        th.start()
    time.sleep(0.2)
    gate.set()
    for th in threads:
        th.join(5)
    assert len(builds) == 1 and len(got) == 8 and all(g is got[0] for g in got)


def test_shared__a_failed_build_is_not_kept_and_the_next_request_builds_again():
    def broken():
        raise ValueError("no")

    with pytest.raises(ValueError):
        sh.shared("t", ("k",), broken)
    assert sh.held("t") == 0
    assert sh.shared("t", ("k",), lambda: "ok") == "ok"
