import io
import json

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geodata.reports.export import carriers_csv, carriers_geojson, guard_formula


def _frame():
    return gpd.GeoDataFrame({"id": ["a", "b"], "name_zh": ["=HYPERLINK(\"http://x\")", "正常"],
                             "floor_area_m2": [-5.0, 10.0], "clusters": [["c1", "c2"], []],
                             "note": ["+1", "@SUM(A1)"]},
                            geometry=[Point(114.05, 22.55), None], crs="EPSG:4326")


def test_guard_formula__neutralises_formula_prefixes():
    for text in ("=1+1", "+1", "-1", "@A1", "\t=1", "\n=1"):
        assert guard_formula(text) == "'" + text
    assert guard_formula("福田") == "福田" and guard_formula(-5.0) == -5.0 and guard_formula(None) is None


def test_carriers_csv__guarded_with_bom_and_coordinates():
    raw = carriers_csv(_frame())
    assert raw.startswith("\ufeff".encode())
    table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert table.loc[0, "name_zh"].startswith("'=HYPERLINK")
    assert table.loc[0, "note"] == "'+1" and table.loc[1, "note"] == "'@SUM(A1)"
    assert table.loc[0, "floor_area_m2"] == -5.0  # numbers are not text: left alone
    assert (table.loc[0, "lon"], table.loc[0, "lat"]) == (114.05, 22.55) and pd.isna(table.loc[1, "lon"])
    assert table.loc[0, "clusters"] == "c1;c2"


def test_carriers_geojson__wgs84_features():
    doc = json.loads(carriers_geojson(_frame()))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 2
    assert doc["features"][0]["geometry"]["coordinates"] == [114.05, 22.55]
    assert doc["features"][1]["geometry"] is None
    assert doc["features"][0]["properties"]["clusters"] == "c1;c2"
