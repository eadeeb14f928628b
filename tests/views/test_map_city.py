"""The Map page switches to the deck.gl city map above a threshold of carriers in view (AppTest; the WebGL
drawing, hover and clicks are in tests/e2e/test_city_map.py). The thresholds are lowered here so that a
small synthetic city stands in for a large one."""
import json

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import use_location
from tests.views.test_map_page import APP
from views import map_city

N_CITY = 3_000


@pytest.fixture(scope="module")
def city_store(tmp_path_factory):
    """The bundled store plus ``N_CITY`` synthetic carriers across Shenzhen."""
    from geodata.storage import create_store, read_all, replace_layers
    from geodata.synthetic import synthetic_city
    from layers.catalogue import CARRIER_LAYERS

    path = tmp_path_factory.mktemp("city") / "city.gpkg"
    create_store(path)
    frames = read_all(path)
    layers, _ = synthetic_city(N_CITY, 0, frames["shenzhen_districts"])
    replace_layers({k: gpd.GeoDataFrame(pd.concat([frames[k], layers[k]], ignore_index=True), geometry="geometry",
                                        crs=frames[k].crs) for k in CARRIER_LAYERS}, path)
    return path


@pytest.fixture
def city(city_store, monkeypatch):
    use_location(city_store, monkeypatch)
    monkeypatch.setattr(map_city, "CITY_MAP_FROM", 1_000)
    return city_store


def _run(lang="zh"):
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["scope"] = "shenzhen"
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _decks(at) -> list:
    return at.get("deck_gl_json_chart")


def _html(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_map_kind__folium_then_points_then_grid():
    assert map_city.map_kind(55) is None
    assert map_city.map_kind(map_city.CITY_MAP_FROM) is None
    assert map_city.map_kind(map_city.CITY_MAP_FROM + 1) == "points"
    assert map_city.map_kind(100_000) == "points"
    assert map_city.map_kind(1_000_000) == "grid"


def test_map_page__many_carriers_drawn_as_points_with_deck_gl(city):
    at = _run()
    (deck,) = _decks(at)
    spec = json.loads(deck.proto.json)
    points = [layer for layer in spec["layers"] if layer["@@type"] == "ScatterplotLayer"]
    assert sum(len(layer["data"]) for layer in points) == N_CITY + 10  # and the 10 bundled ones with a point
    assert json.loads(deck.proto.tooltip)["text"] == "{2}\n建筑面积 {3} ㎡"
    assert list(deck.proto.selection_mode)  # a click selects (on_select="rerun")
    assert any(c.value.startswith(f"城市级地图：{N_CITY + 55:,} 个载体以 WebGL 绘制") for c in at.caption)
    assert any(c.value.startswith(f"符合条件的载体：{N_CITY + 55:,} / {N_CITY + 55:,}") for c in at.caption)  # grouped digits
    assert "city-legend" in _html(at)
    assert not at.get("streamlit_folium.st_folium")  # no folium map beside it


def test_map_page__above_the_points_limit_counts_per_cell(city, monkeypatch):
    monkeypatch.setattr(map_city, "POINTS_UP_TO", 2_000)
    at = _run("en")
    spec = json.loads(_decks(at)[0].proto.json)
    assert [layer["@@type"] for layer in spec["layers"]] == ["SolidPolygonLayer", "PathLayer"]
    assert any(c.value == f"{N_CITY + 55:,} carriers: showing counts per 500 m cell; filter to at most 2,000 to see "
                          "single carriers." for c in at.caption)
    assert "Carriers per cell" in _html(at)


def test_map_page__filtered_below_the_threshold_back_to_the_folium_map(city):
    at = _run()
    at.sidebar.multiselect(key="map_layers").set_value(["science_parks"]).run()
    assert not at.exception
    assert not _decks(at)
    assert not any(c.value.startswith("城市级地图") for c in at.caption)


class _BigMap:
    """What map_city._published reads of a CityMap: its rows per layer and their file names."""

    def __init__(self, sizes: dict[str, int]):
        self.data = {k: "[" + "0," * (n // 2) + "0]" for k, n in sizes.items()}
        self.file_names = {k: f"{k}-{n}.json" for k, n in sizes.items()}


def test_published__big_rows_become_files_the_app_serves(tmp_path, monkeypatch):
    monkeypatch.setattr(map_city, "APP_STATIC", tmp_path)
    city = _BigMap({"carriers-a": 300_000, "carriers-b": 1_000})
    urls = map_city._published(city)
    assert urls == {"carriers-a": "app/static/citymap/carriers-a-300000.json"}  # the small one stays inline
    folder = tmp_path / "citymap"
    assert (folder / "carriers-a-300000.json").read_text() == city.data["carriers-a"]
    assert (folder / ".gitignore").read_text().endswith("*\n")  # generated: never committed
    assert not list(folder.glob(".*.part"))


def test_published__keeps_only_the_newest_files(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(map_city, "APP_STATIC", tmp_path)
    monkeypatch.setattr(map_city, "KEEP_FILES", 2)
    for i in range(3):
        map_city._published(_BigMap({f"layer{i}": 300_000}))
        path = tmp_path / "citymap" / f"layer{i}-300000.json"
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    map_city._published(_BigMap({"layer3": 300_000}))
    assert sorted(p.name for p in (tmp_path / "citymap").glob("*.json")) == ["layer2-300000.json",
                                                                            "layer3-300000.json"]


def test_published__a_read_only_folder_sends_the_rows_inline(tmp_path, monkeypatch):
    blocked = tmp_path / "static"
    blocked.write_text("not a folder")  # mkdir beneath it fails, as on a read-only deployment
    monkeypatch.setattr(map_city, "APP_STATIC", blocked)
    assert map_city._published(_BigMap({"carriers-a": 300_000})) == {}
