"""Shared fixtures: one store per test session, created from the bundled files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from geodata.store import create_store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def store(tmp_path_factory) -> Path:
    """A fresh GeoPackage store built from geodata/, also exported as $SPACEMAP_STORE."""
    path = tmp_path_factory.mktemp("store") / "spacemap.gpkg"
    create_store(path)
    os.environ["SPACEMAP_STORE"] = str(path)
    return path


@pytest.fixture(scope="session")
def frames(store):
    """Every layer read back from the session store."""
    from geodata.store import read_all

    return read_all(store)


@pytest.fixture
def store_copy(store, tmp_path):
    """A private copy of the session store (in its own folder, for backups and lock files)."""
    import shutil

    path = tmp_path / "store" / "spacemap.gpkg"
    path.parent.mkdir()
    shutil.copy(store, path)
    return path
