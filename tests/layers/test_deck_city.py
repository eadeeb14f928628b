"""The city map's deck (deck.gl JSON for st.pydeck_chart): positions, escaping, size, base maps, clicks."""
import json
import re

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from layers.basemaps import BASEMAPS
from layers.catalogue import CARRIER_LAYERS
from layers.catalogue import get_layer
from layers.deck_city import (STEPS_PER_DEGREE, SpecDeck, base_style, city_legend_html, deck_text, fit_view,
                              grid_map, layer_colors, picked_row, points_map, spec_json)
from spatial.carriers import annotate_carriers, combine_carriers
from spatial.crs import METRIC_CRS, WGS84, get_transformer, wgs84_to_gcj02

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def carriers(frames):
    return annotate_carriers(combine_carriers(frames, CARRIER_LAYERS), subdistricts=frames["subdistricts"],
                             clusters=frames["clusters"], hetao=frames["hetao"])


@pytest.fixture(scope="module")
def districts():
    """Two district outlines (one with a hole): enough for the outline layer, no store needed."""
    outer = Polygon([(113.8, 22.45), (114.2, 22.45), (114.2, 22.85), (113.8, 22.85)],
                    [[(113.9, 22.5), (114.0, 22.5), (114.0, 22.6)]])
    return gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[outer, box(114.2, 22.45, 114.6, 22.85)], crs=WGS84)


def _layer(spec: dict, layer_id: str) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def _position(spec: dict, layer_id: str, row: list) -> tuple[float, float]:
    """Where deck.gl draws a row: its getPosition expression evaluated here (origin + steps / 1e5)."""
    expr = _layer(spec, layer_id)["getPosition"]
    origin_lon = float(expr.split("[")[1].split(" + ")[0])
    origin_lat = float(expr.split(", ")[1].split(" + ")[0])
    return origin_lon + row[0] / STEPS_PER_DEGREE, origin_lat + row[1] / STEPS_PER_DEGREE


def _metres(lon_a, lat_a, lon_b, lat_b):
    tr = get_transformer(WGS84, METRIC_CRS)
    xa, ya = tr.transform(lon_a, lat_a)
    xb, yb = tr.transform(lon_b, lat_b)
    return float(np.hypot(xa - xb, ya - yb))


def _carrier_row(city, spec, carrier_id):
    for layer_id, ids in city.ids.items():
        hits = np.flatnonzero(ids == carrier_id)
        if len(hits):
            return layer_id, _layer(spec, layer_id)["data"][hits[0]]
    raise AssertionError(f"{carrier_id} not drawn")


def test_points_map__positions_in_gcj02_over_amap_and_wgs84_over_osm(frames, carriers, districts):
    lon, lat = 114.0445, 22.5095  # sp-biomed's stored WGS-84 position
    over = {}
    for key in ("amap", "osm"):
        city = points_map(carriers, districts, lang="zh", basemap=BASEMAPS[key])
        spec = json.loads(city.spec)
        layer_id, row = _carrier_row(city, spec, "sp-biomed")
        over[key] = _position(spec, layer_id, row)
    assert over["osm"] == pytest.approx((lon, lat), abs=1.5e-5)  # no shift over OpenStreetMap (1e-5° steps)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    assert over["amap"] == pytest.approx((float(g_lon), float(g_lat)), abs=1.5e-5)
    assert 400 < _metres(*over["amap"], lon, lat) < 700  # the GCJ-02 offset in Futian
    paths = _layer(json.loads(points_map(carriers, frames["shenzhen_districts"], lang="zh",
                                         basemap=BASEMAPS["amap"]).spec), "districts")["data"]
    assert len(paths) >= 9 and all(len(p["path"]) > 3 for p in paths)  # every district outlined, shifted too


def _evil(n=1):
    return gpd.GeoDataFrame({
        "id": [f"evil-{i}" for i in range(n)], "layer": ["incubators"] * n, "name_zh": [XSS] * n,
        "name_en": ["@@=constructor"] * n, "floor_area_m2": [1234.4] * n,
    }, geometry=[Point(114.05 + i * 1e-4, 22.55) for i in range(n)], crs=WGS84)


def test_points_map__data_strings_escaped_and_never_markup(districts):
    city = points_map(_evil(), districts, lang="zh", basemap=BASEMAPS["osm"])
    assert "<img" not in city.spec and "\\u003cimg src=x onerror=alert(1)\\u003e" in city.spec
    spec = json.loads(city.spec)
    row = _layer(spec, "carriers")["data"][0]
    assert row[2:] == [XSS, 1234, CARRIER_LAYERS.index("incubators")]  # shown as text by the plain-text tooltip
    assert set(city.tooltip) == {"text", "style"} and "html" not in city.tooltip
    assert city.tooltip["text"] == "{2}\n建筑面积 {3} ㎡"
    english = json.loads(points_map(_evil(), districts, lang="en", basemap=BASEMAPS["osm"]).spec)
    name = _layer(english, "carriers")["data"][0][2]
    assert name == "\u200b@@=constructor"  # deck.gl's JSON converter would run a string starting "@@="


def test_deck_text__defuses_converter_prefixes_and_blanks():
    assert deck_text("@@#GL.ONE") == "\u200b@@#GL.ONE"
    assert deck_text("a@@b") == "a@@b"
    assert deck_text(None) == "" and deck_text(float("nan")) == ""


def test_spec_json__compact_and_markup_escaped():
    text = spec_json({"a": ["</script>", "x&y", "\u2028"], "b": 1.5})
    assert text == '{"a":["\\u003c/script\\u003e","x\\u0026y","\\u2028"],"b":1.5}'
    assert json.loads(text) == {"a": ["</script>", "x&y", "\u2028"], "b": 1.5}
    with pytest.raises(ValueError):
        spec_json({"a": float("nan")})  # never NaN in the JSON (the browser's parser refuses it)


def test_points_map__100000_carriers_in_a_few_megabytes(districts):
    rng = np.random.default_rng(1)
    n = 100_000
    frame = gpd.GeoDataFrame({
        "id": [f"c{i}" for i in range(n)], "layer": rng.choice(list(CARRIER_LAYERS), n),
        "name_zh": [f"合成载体{i}" for i in range(n)], "name_en": [f"Synthetic carrier {i}" for i in range(n)],
        "floor_area_m2": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(100, 50_000, n))},
        geometry=gpd.points_from_xy(rng.uniform(113.8, 114.6, n), rng.uniform(22.45, 22.85, n)), crs=WGS84)
    city = points_map(frame, districts, lang="zh", basemap=BASEMAPS["positron"])
    spec = json.loads(city.spec)
    assert sum(len(ids) for ids in city.ids.values()) == n
    assert len(_layer(spec, "carriers")["data"]) == n
    assert city.payload_bytes < 5_000_000
    assert "c0" not in city.spec  # ids stay on the server: a click's (layer, row) finds them


def test_grid_map__a_million_carriers_never_sent_as_points(districts):
    rng = np.random.default_rng(2)
    n = 1_000_000
    frame = gpd.GeoDataFrame({"floor_area_m2": rng.uniform(100, 5_000, n)},
                             geometry=gpd.points_from_xy(rng.uniform(113.8, 114.6, n), rng.uniform(22.45, 22.85, n)),
                             crs=WGS84)
    city = grid_map(frame, districts, lang="en", basemap=BASEMAPS["amap"])
    spec = json.loads(city.spec)
    cells = _layer(spec, "cells")["data"]
    assert city.mode == "grid" and len(cells) == len(city.cells) < 20_000  # 500 m cells over about 80 × 45 km
    assert city.cells["count"].sum() == n
    assert city.payload_bytes < 2_500_000  # 14,800 cells (Shenzhen's land: about 9,000); sent as a file
    assert not any(layer["@@type"] == "ScatterplotLayer" for layer in spec["layers"])
    assert city.tooltip["text"] == "{n} carriers\nstated floor area in total: {a} m²"
    assert cells[0]["n"] == f"{int(city.cells['count'].iloc[0]):,}" and len(cells[0]["p"]) == 4
    g_lon, g_lat = wgs84_to_gcj02(city.cells["lon"].iloc[0], city.cells["lat"].iloc[0])  # AMap: shifted
    centre = np.mean(cells[0]["p"], axis=0)
    assert _metres(centre[0], centre[1], float(g_lon), float(g_lat)) < 2


def test_picked_row__a_cell_is_named_by_its_first_corner(districts):
    city = grid_map(_evil(3), districts, lang="zh", basemap=BASEMAPS["none"])
    cell = _layer(json.loads(city.spec), "cells")["data"][0]
    assert picked_row(city, {"cells": [0]}, {"cells": [cell]}) == ("cells", 0)
    moved = {**cell, "p": [[c[0] + 0.01, c[1]] for c in cell["p"]]}
    assert picked_row(city, {"cells": [0]}, {"cells": [moved]}) is None
    assert picked_row(city, {"cells": [0]}, {"cells": [["not", "a cell"]]}) is None


def test_base_style__the_folium_tiles_or_nothing_from_outside():
    none = base_style(BASEMAPS["none"])
    assert none["sources"] == {} and [layer["type"] for layer in none["layers"]] == ["background"]
    amap = base_style(BASEMAPS["amap"])["sources"]["tiles0"]["tiles"]
    assert amap[0].startswith("https://webrd01.is.autonavi.com/appmaptile") and len(amap) == 4  # {s} spelled out
    carto = base_style(BASEMAPS["positron"])["sources"]["tiles0"]["tiles"]
    assert carto[0] == "https://a.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png"
    tianditu = base_style(BASEMAPS["tianditu"], tile_key="KEY")["sources"]
    assert len(tianditu) == 2 and "tk=KEY" in tianditu["tiles1"]["tiles"][0]


def test_spec__no_base_map_loads_nothing_and_the_view_fits_the_data(districts):
    spec = json.loads(points_map(_evil(3), districts, lang="zh", basemap=BASEMAPS["none"]).spec)
    assert "http" not in json.dumps(spec["mapStyle"])
    paths = _layer(spec, "districts")["data"]
    assert len(paths) == 3 and [113.8, 22.45] in paths[0]["path"]  # two outlines and the hole, WGS-84 kept
    view = spec["initialViewState"]
    assert view["longitude"] == pytest.approx(114.0501, abs=1e-3) and view["latitude"] == pytest.approx(22.55, abs=1e-3)
    assert view["zoom"] == 16  # three points 20 m apart: zoomed in as far as the city map goes


def test_fit_view__shenzhen_in_a_600_pixel_map():
    view = fit_view(np.array([[113.75, 22.45], [114.62, 22.86]]))
    assert 8.6 < view["zoom"] < 9.0  # 0.87° of longitude in 600 px: 2^8.9 × 512 px per 360°, less a margin
    assert view["longitude"] == pytest.approx(114.185) and 22.6 < view["latitude"] < 22.7


def test_picked_row__a_selection_counts_only_where_it_still_names_the_drawn_row(districts):
    city = points_map(_evil(3), districts, lang="zh", basemap=BASEMAPS["osm"])
    row = _layer(json.loads(city.spec), "carriers")["data"][1]
    assert picked_row(city, {"carriers": [1]}, {"carriers": [row]}) == ("carriers", 1)
    moved = [row[0] + 7, *row[1:]]
    assert picked_row(city, {"carriers": [1]}, {"carriers": [moved]}) is None  # drawn from other rows
    assert picked_row(city, {"carriers": [9]}, {"carriers": [row]}) is None
    assert picked_row(city, {"districts": [0]}, {"districts": [row]}) is None
    assert picked_row(city, {}, {}) is None
    lon, _ = _position(json.loads(city.spec), "carriers", row)
    assert str(city.ids["carriers"][1]) == f"evil-{round((lon - 114.05) / 1e-4)}"  # the id of the row clicked


def test_spec_deck__st_pydeck_chart_gets_the_ready_json_and_tooltip(districts):
    city = points_map(_evil(), districts, lang="zh", basemap=BASEMAPS["none"])
    deck = SpecDeck(city)
    assert deck.to_json() == city.spec
    assert deck._tooltip == city.tooltip  # what st.pydeck_chart reads


def test_city_legend_html__layers_or_count_classes_escaped(districts):
    points = city_legend_html("en", points_map(_evil(), districts, lang="en", basemap=BASEMAPS["none"]))
    assert "Incubators" in points or "incubators" in points.lower()
    grid = grid_map(_evil(3), districts, lang="zh", basemap=BASEMAPS["none"])  # three carriers in one cell
    html = city_legend_html("zh", grid)
    assert grid.cells["count"].tolist() == [3] and grid.bounds == (2, 3)
    assert "每个网格内的载体数" in html and "<span>1–2</span>" in html and "<span>3</span>" in html


def test_linked_spec__big_rows_by_url_the_rest_inline(districts):
    city = points_map(_evil(3), districts, lang="zh", basemap=BASEMAPS["none"])
    inline = json.loads(city.spec)
    assert _layer(inline, "carriers")["data"] == json.loads(city.data["carriers"])
    linked = json.loads(city.linked_spec({"carriers": "app/static/citymap/x.json"}))
    assert _layer(linked, "carriers")["data"] == "app/static/citymap/x.json"
    assert _layer(linked, "districts")["data"] == _layer(inline, "districts")["data"]  # small: always inline
    assert "\\u0000" not in city.spec and XSS not in city.skeleton  # no placeholder left; no data in the skeleton
    names = city.file_names
    assert set(names) == set(city.data) and all(re.fullmatch(r"[0-9a-f]{32}\.json", n) for n in names.values())
    other = points_map(_evil(2), districts, lang="zh", basemap=BASEMAPS["none"]).file_names
    assert other["carriers"] != names["carriers"]  # other rows, another file


def test_points_map__one_layer_coloured_by_carrier_layer(districts):
    expr = points_map(_evil(), districts, lang="zh", basemap=BASEMAPS["none"])
    fill = _layer(json.loads(expr.spec), "carriers")["getFillColor"]
    assert fill == layer_colors() and fill.startswith("@@=(this[4]==0?")
    for k, key in enumerate(CARRIER_LAYERS):  # row[4] == k gives that layer's colour (the legend's)
        color = get_layer(key).style.color
        assert f"(this[4]=={k}?[{int(color[1:3], 16)},{int(color[3:5], 16)},{int(color[5:7], 16)},215]" in fill
