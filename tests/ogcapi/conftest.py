"""Fixtures of the OGC API tests: a store full of private data (enquiries with contacts, enterprises and
their figures, accounts, the audit log, a goal's private reason, an XSS carrier) on each backend, and the
real server (``python cli.py api``) started on it once per test module, on a free loopback port."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import location_env

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)
SECRET_ACCOUNT = "ogc-admin-hidden"
SECRET_PASSWORD = "a long enough secret for the test"
GOAL_SETTER = "goalkeeper-hidden"
GOAL_REASON = "HIDDEN-GOAL-REASON-7731"
_numbers = itertools.count(1)


def fill_private(location) -> None:
    """A demo store (units, enterprises, enquiries with contacts, events, leases, rules), the economy
    (enterprise figures and placements), an account, a goal with its private reason, an XSS carrier."""
    from geodata.demo_economy import add_demo_economy
    from geodata.stewardship.accounts import add_account
    from geodata.stewardship.goals import set_goal
    from geodata.demo_market import build_demo_store
    from tests.helpers import add_xss_carrier

    build_demo_store(location, seed=5, enquiries=60, units_per_carrier=2, now=NOW)
    add_demo_economy(location, seed=8, today=NOW.date())
    add_account(SECRET_ACCOUNT, SECRET_PASSWORD, "admin", by="test-setup", location=location)
    set_goal(2_000_000, 2030, set_by=GOAL_SETTER, reason=GOAL_REASON, path=location, now=NOW)
    add_xss_carrier(location)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """A running API server: its base URL, the store it serves and the environment pointing at it."""

    def __init__(self, url: str, location, env: dict):
        self.url, self.location, self.env = url, location, env

    def get(self, path: str, headers: dict | None = None, method: str = "GET"):
        """(status, headers, body text) of a request to the server."""
        req = urllib.request.Request(self.url + path, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, dict(resp.headers), resp.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode("utf-8", "replace")

    def json(self, path: str):
        import json

        status, _, body = self.get(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)


def start_api(location, *, timeout: float = 90.0):
    """Start ``python cli.py api`` on ``location``; return (process, Api)."""
    port = free_port()
    env = {**os.environ, **location_env(location)}
    env.pop("SPACEMAP_DEBUG", None)
    proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "api", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(url + "/?f=json", timeout=2) as resp:
                if resp.status == 200:
                    return proc, Api(url, location, env)
        except OSError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError(f"the API did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def api(backend, tmp_path_factory, request):
    """The API serving a store full of private data, on each backend (one server per module)."""
    if backend == "postgis":
        cluster = request.getfixturevalue("pg_cluster")
        location = cluster.create_database(f"ogc_{os.getpid()}_{next(_numbers)}")
    else:
        location = tmp_path_factory.mktemp("ogcapi") / "store.gpkg"
    fill_private(location)
    proc, server = start_api(location)
    yield server
    stop(proc)
    if backend == "postgis":
        from geodata.storage import pg

        pg.close_connections(location)
        cluster.drop_database(urlparse(location).path.lstrip("/"))
