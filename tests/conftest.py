"""Shared fixtures: the store, on both backends.

``store`` and ``store_copy`` are parametrised over the GeoPackage file and a real PostGIS
database (a throw-away cluster on loopback, started once per test session: see
:mod:`tests.pgcluster`), so every test that touches the store runs against both. A test
about the file format itself (bytes, backups beside the file, SQLite) is marked
``gpkg_only`` and runs on the file only; a test about the database itself, ``postgis_only``.
The browser tests (``tests/e2e``) run on the file: the pages do not know the backend, their
data path runs on both under AppTest, and ``tests/e2e/test_deploy.py`` drives the browser
through nginx to two app processes sharing one PostGIS database. ``SPACEMAP_BACKENDS=gpkg`` runs the file only.
"""
from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest

from geodata.storage import create_store

REPO = Path(__file__).resolve().parents[1]
BACKENDS = tuple(os.environ.get("SPACEMAP_BACKENDS", "gpkg,postgis").split(","))
TEMPLATE_DB = "spacemap_template"
_copies = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line("markers", "gpkg_only: about the GeoPackage file itself; not run on PostGIS")
    config.addinivalue_line("markers", "postgis_only: about the database itself; not run on the GeoPackage")
    config.addinivalue_line("markers", "visitor_errors: pages run as visitors see them (SPACEMAP_DEBUG unset)")


def pytest_collection_modifyitems(config, items):
    keep, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        browser_on_db = params.get("backend") == "postgis" and "/e2e/" in str(item.fspath)
        if (params.get("backend") == "postgis" and item.get_closest_marker("gpkg_only")) or (
                params.get("backend") == "gpkg" and item.get_closest_marker("postgis_only")) or browser_on_db:
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def location_env(location) -> dict[str, str]:
    """Environment variables that point the app or the CLI at ``location`` (file or database)."""
    if isinstance(location, str) and location.startswith("postgresql://"):
        return {"SPACEMAP_DB_URL": location, "SPACEMAP_STORE": ""}
    return {"SPACEMAP_STORE": str(location), "SPACEMAP_DB_URL": ""}


def use_location(location, monkeypatch=None) -> None:
    """Point this process at ``location`` (via monkeypatch when given)."""
    for key, value in location_env(location).items():
        if monkeypatch is not None:
            if value:
                monkeypatch.setenv(key, value)
            else:
                monkeypatch.delenv(key, raising=False)
        elif value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL + PostGIS server for this test session, with a template store database."""
    from geodata.storage import pg
    from tests.pgcluster import Cluster

    cluster = Cluster().start()
    url = cluster.create_database(TEMPLATE_DB)
    create_store(url)
    pg.close_connections(url)
    yield cluster
    pg.close_connections()
    cluster.stop()


def new_database(cluster) -> str:
    """A fresh store database copied from the template (bundled data, latest schema)."""
    return cluster.create_database(f"store_{os.getpid()}_{next(_copies)}", template=TEMPLATE_DB)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    """Which store backend the test runs on."""
    return request.param


@pytest.fixture(scope="session")
def session_store(backend, tmp_path_factory, request):
    if backend == "postgis":
        return new_database(request.getfixturevalue("pg_cluster"))
    path = tmp_path_factory.mktemp("store") / "spacemap.gpkg"
    create_store(path)
    return path


@pytest.fixture
def store(session_store, monkeypatch):
    """The session's store (read-only by convention), also exported as the configured store."""
    use_location(session_store, monkeypatch)
    return session_store


@pytest.fixture(scope="session")
def frames(session_store):
    """Every layer read back from the session store."""
    from geodata.storage import read_all

    return read_all(session_store)


@pytest.fixture
def store_copy(backend, session_store, tmp_path, request, monkeypatch):
    """A private store to write to: a copy of the session file (in its own folder, for backups
    and lock files), or a new database from the template — dropped after the test, which also ends
    the connections any thread of the test left open (the server allows 200 in all)."""
    if backend == "postgis":
        cluster = request.getfixturevalue("pg_cluster")
        location = new_database(cluster)
    else:
        location = tmp_path / "store" / "spacemap.gpkg"
        location.parent.mkdir()
        shutil.copy(session_store, location)
    use_location(location, monkeypatch)
    yield location
    if backend == "postgis":
        from urllib.parse import urlparse

        from geodata.storage import pg

        pg.close_connections(location)
        cluster.drop_database(urlparse(location).path.lstrip("/"))


@pytest.fixture(scope="session")
def browser():
    """Debian Chromium through Playwright, one per test process (Playwright's sync API allows one at a
    time in a thread: every browser test, under tests/e2e or elsewhere, shares this one)."""
    from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the README's test command (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
