"""Cached access to the store for the pages (the only place pages get data from)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from geodata.overview import layer_overview
from geodata.inventory import store_snapshot
from geodata.store import ensure_store
from geodata.validate import validate_frames


def _store_version() -> tuple[str, int]:
    path = ensure_store()
    return str(path), Path(path).stat().st_mtime_ns


@st.cache_data(show_spinner=False)
def _frames(path: str, mtime: int):
    return store_snapshot(path, mtime)[0]


def frames():
    """Every layer from the store, cached until the store file changes."""
    return _frames(*_store_version())


@st.cache_data(show_spinner=False)
def _overview(path: str, mtime: int):
    data = _frames(path, mtime)
    return layer_overview(data), [p.as_dict() for p in validate_frames(data)]


def overview() -> tuple[list[dict], list[dict]]:
    """The per-layer overview rows and the validation problems (as dicts)."""
    return _overview(*_store_version())


def store_location() -> str:
    """The store path, for display."""
    return _store_version()[0]


@st.cache_data(show_spinner=False)
def _carriers(path: str, mtime: int):
    return store_snapshot(path, mtime)[1]


def carriers():
    """All carriers in one frame with subdistrict / cluster / Hetao membership, cached."""
    return _carriers(*_store_version())


@st.cache_resource(show_spinner=False)
def _candidates(path: str, mtime: int):
    from spatial.match import candidate_arrays

    return candidate_arrays(_carriers(path, mtime))


def candidates():
    """The carriers as matching arrays (one shared, read-only object per store version)."""
    return _candidates(*_store_version())
