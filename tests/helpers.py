"""Test helpers that put unusual data into a real store."""
from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geodata.store import read_layer, replace_layers

XSS_NAME = "<img src=x onerror=alert(1)>"


def store_with_xss_carrier(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` and add an incubator whose texts are an XSS payload."""
    shutil.copy(source, target)
    incubators = read_layer("incubators", target)
    evil = gpd.GeoDataFrame({
        "id": ["inc-xss-test"], "layer": ["incubators"], "name_zh": [XSS_NAME], "name_en": [XSS_NAME],
        "address_zh": ["<script>alert(3)</script>"], "accuracy_m": [100.0], "location_basis": ["area"],
        "status": ["operating"], "source": ["test payload"], "hk_link": [False], "industries": ["ai"],
    }, geometry=[Point(114.0520, 22.5400)], crs="EPSG:4326")
    merged = gpd.GeoDataFrame(pd.concat([incubators, evil], ignore_index=True), geometry="geometry", crs="EPSG:4326")
    replace_layers({"incubators": merged}, target)
    return target


APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str | None = None):
    """Run the real app under AppTest (on ``page`` if given, e.g. "views/tally_page.py"),
    asserting no exception; the store is whatever $SPACEMAP_STORE names."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_html(at) -> str:
    """Every st.html body of an AppTest run, joined."""
    return "\n".join(h.proto.body for h in at.get("html"))
