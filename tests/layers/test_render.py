import re

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from layers.assets import inline_assets
from layers.basemaps import BASEMAPS, available_basemaps
from layers.catalogue import CARRIER_LAYERS, get_layer
from layers.popups import popup_html, tooltip_html
from layers.render import (
    CHOROPLETH_COLORS,
    Choropleth,
    base_map,
    carrier_rows,
    data_groups,
    legend_items,
    standalone_map,
    to_display,
)
from spatial.carriers import annotate_carriers, combine_carriers
from spatial.crs import get_transformer, wgs84_to_gcj02

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def carriers(frames):
    return annotate_carriers(combine_carriers(frames, CARRIER_LAYERS), subdistricts=frames["subdistricts"],
                             clusters=frames["clusters"], hetao=frames["hetao"])


def _metres(lon_a, lat_a, lon_b, lat_b):
    tr = get_transformer("EPSG:4326", "EPSG:4547")
    xa, ya = tr.transform(lon_a, lat_a)
    xb, yb = tr.transform(lon_b, lat_b)
    return float(np.hypot(xa - xb, ya - yb))


def test_carrier_rows__shifted_by_gcj02_offset_over_amap_and_not_over_osm(carriers):
    parks = carriers.loc[carriers["layer"] == "science_parks"]
    biomed = parks.loc[parks["id"] == "sp-biomed"]
    lon, lat = 114.0445, 22.5095  # its stored WGS-84 position
    osm = carrier_rows(biomed, "science_parks", lang="zh", datum=BASEMAPS["osm"].datum)[0]
    amap = carrier_rows(biomed, "science_parks", lang="zh", datum=BASEMAPS["amap"].datum)[0]
    assert (osm[0], osm[1]) == (lat, lon)  # zero shift over OpenStreetMap
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    assert amap[0] == pytest.approx(float(g_lat), abs=1e-6) and amap[1] == pytest.approx(float(g_lon), abs=1e-6)
    assert 400 < _metres(amap[1], amap[0], lon, lat) < 700  # the GCJ-02 offset in Futian


def test_to_display__polygons_shifted_on_a_copy(frames):
    district = frames["district"]
    before = district.geometry.iloc[0].wkt
    shifted = to_display(district, "gcj02")
    assert district.geometry.iloc[0].wkt == before
    moved = _metres(shifted.geometry.iloc[0].centroid.x, shifted.geometry.iloc[0].centroid.y,
                    district.geometry.iloc[0].centroid.x, district.geometry.iloc[0].centroid.y)
    assert 400 < moved < 700
    assert to_display(district, "wgs84").geometry.iloc[0].equals(district.geometry.iloc[0])


def _xss_carrier():
    return gpd.GeoDataFrame({
        "id": ["evil`${x}"], "layer": ["incubators"], "name_zh": [XSS], "name_en": ["</script><script>alert(2)</script>"],
        "address_zh": [XSS], "location_basis": ["area"], "accuracy_m": [50.0], "status": ["operating"],
        "source": [XSS], "industries": ["ai"], "floor_area_m2": [100.0], "floor_area_source": [XSS],
    }, geometry=[Point(114.05, 22.55)], crs="EPSG:4326")


def test_popup_html__escapes_every_value():
    row = _xss_carrier().drop(columns="geometry").iloc[0].to_dict()
    html = popup_html(row, "zh") + tooltip_html(row, "en")
    assert "<img" not in html and "<script" not in html and "</script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "`" not in html and "${" not in html


def test_standalone_map__payload_never_appears_raw(frames, carriers):
    evil = combine_carriers({"incubators": _xss_carrier()}, ["incubators"])
    both = gpd.GeoDataFrame(__import__("pandas").concat([carriers, evil], ignore_index=True), crs="EPSG:4326")
    fmap = standalone_map(frames, both, lang="zh", basemap=BASEMAPS["none"])
    html = fmap.get_root().render()
    assert XSS not in html
    assert "</script><script>alert(2)" not in html


def test_inline_assets__exported_map_needs_no_network(frames, carriers):
    html = inline_assets(standalone_map(frames, carriers, lang="en", basemap=BASEMAPS["none"]).get_root().render())
    assert not re.findall(r"<script[^>]+src=", html)
    assert not re.findall(r"<link[^>]+stylesheet", html)
    assert "L.markerClusterGroup" in html and "leaflet" in html.lower()
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html


def test_base_map__loads_only_local_core_assets():
    fmap = base_map(BASEMAPS["osm"])
    links = [u for _, u in fmap.default_js + fmap.default_css]
    assert links and all(u.startswith("../../app/static/vendor/") for u in links)
    assert any(u.endswith("leaflet.js") for u in links)


def test_base_map__no_tiles_for_no_basemap():
    assert "tileLayer" not in base_map(BASEMAPS["none"]).get_root().render()


@pytest.mark.parametrize("key", sorted(BASEMAPS))
def test_base_map__the_map_itself_has_a_maximum_zoom(key):
    """Without it and without tiles, Leaflet.markercluster throws and no carrier is drawn (issue 14)."""
    script = base_map(BASEMAPS[key], tile_key="test-key").get_root().render()
    assert f'"maxZoom": {BASEMAPS[key].max_zoom},' in script[script.index("L.map("):]


def test_available_basemaps__tianditu_only_with_key():
    assert "tianditu" not in [b.key for b in available_basemaps(tianditu_key=None)]
    assert "tianditu" in [b.key for b in available_basemaps(tianditu_key="k")]
    assert all("tk=k" in u for u in BASEMAPS["tianditu"].tile_urls(key="k"))
    with pytest.raises(ValueError):
        BASEMAPS["tianditu"].tile_urls()


def test_data_groups__one_group_per_layer_plus_selection(frames, carriers):
    groups = data_groups(frames, carriers, lang="zh", basemap=BASEMAPS["osm"], selected=(22.55, 114.05))
    names = [g.layer_name for g in groups]
    assert names[:5] == ["深圳市各区", "福田区界", "街道（近似）", "创新集群与街区", "河套深港科技创新合作区"]
    assert names[5] == "按片区定位的载体"  # zones holding carriers without a point, drawn dotted
    assert names[6:12] == ["科技园区", "科技楼宇", "低成本产业空间", "孵化器与众创空间", "科研与中试平台", "其他专业楼宇"]
    assert names[-1] == "selection" and len(names) == 13
    english = data_groups(frames, carriers, lang="en", basemap=BASEMAPS["osm"])
    assert english[5].layer_name == "Carriers placed by zone"


@pytest.mark.parametrize("top,bins", [
    (631_087.0, [200_000.0, 400_000.0, 600_000.0, 800_000.0]),  # was 0–105,181, 105,181–210,362 … (issue 14)
    (45_000.0, [10_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0]),
    (1.0, [0.2, 0.4, 0.6, 0.8, 1.0]),
])
def test_choropleth__round_class_breaks(top, bins):
    ch = Choropleth("subdistricts", "floor_area_m2", {"a": top, "b": top / 3})
    assert ch.bins() == pytest.approx(bins) and ch.bins()[-1] >= top and len(ch.bins()) <= len(CHOROPLETH_COLORS)
    colors = ch.colors()
    assert colors[-1] == CHOROPLETH_COLORS[-1] and len(set(colors)) == len(colors)  # the largest darkest, all apart
    assert ch.color("a") == colors[-1]


def test_choropleth__colours_are_no_layer_colour_and_not_near_white():
    layer_colours = {get_layer(k).style.color.lower() for k in CARRIER_LAYERS}
    assert not layer_colours & {c.lower() for c in CHOROPLETH_COLORS}
    assert all(sum(int(c[i:i + 2], 16) for i in (1, 3, 5)) < 3 * 235 for c in CHOROPLETH_COLORS)


def test_choropleth__classes_and_unknown():
    ch = Choropleth("subdistricts", "floor_area_m2", {"a": 600.0, "b": 100.0, "c": None})
    assert ch.bins() == [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
    assert ch.color("a") == "#7a0177" and ch.color("b") == "#fcc5c0"
    assert ch.color("c") == "#d9d9d9" and ch.color("zzz") == "#d9d9d9"
    labels = [text for _, text in legend_items("en", ch)]
    assert labels[-1] == "unknown" and "0–100 m²" in labels
