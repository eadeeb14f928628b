"""The import's checks read column-wise (issue 12): every vectorised path gives what the value-by-value
rules give, and a carrier change is written as deleted ids plus appended rows, checked by id lookups
(parents, ids of other layers, rows still naming a deleted carrier), on both backends."""
from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.ingest.schema import _COERCERS, blank_mask, coerce_frame, is_blank, object_text
from geodata.ingest.text_rules import text_problem, text_suspects
from geodata.stewardship.audit import audit_row
from geodata.storage import open_store
from layers.catalogue import get_layer
from layers.spec import FieldSpec
from spatial.crs import WGS84
from spatial.errors import ValidationError

MESSY = [None, float("nan"), pd.NA, pd.NaT, "", " ", "\u3000", "\t\n", "\x1c", "a", " a ", "0", 0, 0.0, -1.5,
         True, False, np.nan, np.float64(2.5), np.int64(3), "1,234.5", "1e999", "nan", "inf", "12.0", "x"]


def test_blank_mask__equals_is_blank_value_by_value():
    for values in (MESSY, [v for v in MESSY if isinstance(v, str)], [None, None], []):
        expected = [is_blank(v) for v in values]
        assert blank_mask(pd.Series(values, dtype=object)).tolist() == expected
        assert blank_mask(values).tolist() == expected
    text = pd.Series(["a", None, " ", "b"], dtype="string[pyarrow]")
    assert blank_mask(text).tolist() == [False, True, True, False]


@pytest.mark.parametrize("dtype", ["float", "int", "str", "code", "codes", "date", "bool"])
def test_coerced__fast_paths_give_what_each_value_gives(dtype):
    """A column coerced at once equals each value coerced alone: the same values, the same refusals."""
    columns = [MESSY, [" 12 ", "1,000", "3.5", "-2"], ["1", "2", "3"], [1.0, 2.0, None], [2 ** 60, 1.0],
               ["2026-01-02", " 2025 ", "x"], ["a;b", " a ; ; c"], [True, False, None]]
    spec = _spec_with(get_layer("lowcost_spaces"), FieldSpec("value", dtype))
    for values in columns:
        frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(values))], "value": pd.Series(values, dtype=object)})
        typed, problems = coerce_frame(frame, spec)
        wrong = {p.feature_id for p in problems}
        for i, value in enumerate(values):
            got = typed["value"].iloc[i]
            if is_blank(value):
                assert pd.isna(got) and f"r{i}" not in wrong
                continue
            try:
                want = _COERCERS[dtype](value)
            except (TypeError, ValueError, OverflowError):
                assert f"r{i}" in wrong and pd.isna(got), (dtype, value)
                continue
            assert f"r{i}" not in wrong, (dtype, value)
            assert got == want or (isinstance(want, float) and math.isclose(got, want, rel_tol=0, abs_tol=0)), \
                (dtype, value, got, want)


def _spec_with(spec, field):
    from dataclasses import replace

    return replace(spec, fields=(field,))


def test_text_suspects__every_value_text_problem_refuses_is_found():
    values = ["plain", "名\u2066称\u2069", "a\x00b", "tab\tok", "x" * 2001, None, 5, "line\u2028break", "ok"]
    column = pd.Series(values, dtype=object)
    for name, limited in (("notes", True), ("name_zh", True), ("notes", False)):
        found = text_suspects(column, name, limited=limited)
        refused = {i for i, v in enumerate(values) if isinstance(v, str) and text_problem(name, v, limited=limited)}
        assert refused <= found, (name, refused - found)
    assert text_suspects(pd.Series(["a", "b", None], dtype=object), "notes", limited=True) == set()


def test_object_text__arrow_strings_become_python_objects_nulls_none():
    frame = pd.DataFrame({"a": pd.Series(["x", None], dtype="string[pyarrow]"), "b": [1.0, 2.0]})
    out = object_text(frame)
    assert out["a"].dtype == object and out["a"].tolist() == ["x", None] and out["b"].dtype == "float64"


# ---- the carrier write path, both backends --------------------------------------------------------------

def _space(fid: str, lon: float = 114.055, lat: float = 22.54, **extra) -> dict:
    return {"id": fid, "layer": "lowcost_spaces", "name_zh": f"测试{fid}", "name_en": f"Test {fid}",
            "location_basis": "address", "status": "operating", "source": "test", "hk_link": extra.pop("hk_link", False),
            "geometry": shapely.Point(lon, lat), **extra}


def _write(location, rows: list[dict], delete=()):
    store = open_store(location)
    upsert = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=WGS84) if rows else \
        gpd.GeoDataFrame({"id": []}, geometry=[], crs=WGS84)
    typed, problems = coerce_frame(upsert, get_layer("lowcost_spaces"))
    assert not problems
    audit = audit_row(store.read_layer("audit_log"), who="t", action="edit", layer="lowcost_spaces",
                      changes=json.dumps({"ids": [r["id"] for r in rows]}))
    return store.write_rows("lowcost_spaces", gpd.GeoDataFrame(typed, geometry="geometry", crs=WGS84), list(delete),
                            tables={"audit_log": audit})


def test_write_rows__appended_rows_read_back_replaced_once_and_found_by_bbox(store_copy):
    store = open_store(store_copy)
    before = len(store.read_layer("lowcost_spaces"))
    _write(store_copy, [_space("t-1", floor_area_m2=1200.0, floor_area_source="test"), _space("t-2", lon=114.06)])
    versions = _write(store_copy, [_space("t-1", floor_area_m2=1300.0, floor_area_source="test")])
    assert versions == {"t-1": 2}
    layer = store.read_layer("lowcost_spaces")
    assert len(layer) == before + 2
    row = layer.loc[layer["id"] == "t-1"].iloc[0]
    assert row["floor_area_m2"] == 1300.0 and row["row_version"] == 2 and not bool(row["hk_link"])
    assert row["name_zh"] == "测试t-1" and row.geometry.equals(shapely.Point(114.055, 22.54))
    if str(store_copy).endswith(".gpkg"):
        import pyogrio

        inside = pyogrio.read_dataframe(store_copy, layer="lowcost_spaces", bbox=(114.0595, 22.5395, 114.0605, 22.5405))
        assert "t-2" in set(inside["id"])


def test_write_rows__links_checked_by_lookups_nothing_written_when_refused(store_copy):
    store = open_store(store_copy)
    parks = store.read_layer("science_parks")
    park_id = str(parks["id"].iloc[0])
    before = {k: len(store.read_layer(k)) for k in ("lowcost_spaces", "science_parks")}
    with pytest.raises(ValidationError, match="parent carrier does not exist"):
        _write(store_copy, [_space("t-3", parent_id="no-such-carrier")])
    with pytest.raises(ValidationError, match="duplicate id across layers"):
        _write(store_copy, [_space(park_id)])
    with pytest.raises(ValidationError, match="zone does not exist"):
        _write(store_copy, [_space("t-4", zone_id="no-such-zone")])
    _write(store_copy, [_space("t-5")])
    units = store.read_layer("units")
    row = {"id": "u-t5", "carrier_id": "t-5", "building": "A", "floor": "1", "unit_label": "101", "area_m2": 80.0,
           "area_basis": "gross", "use": "office", "fit_out": "basic", "status": "available", "source": "test",
           "verified_on": "2026-02-01", "synthetic": False}
    audit = audit_row(store.read_layer("audit_log"), who="t", action="units-add", layer="units", changes="{}")
    store.change_rows({"units": (pd.DataFrame([row]), [])}, tables={"audit_log": audit})
    with pytest.raises(ValidationError, match="still named"):
        _write(store_copy, [], delete=["t-5"])
    assert len(store.read_layer("units")) == len(units) + 1
    assert len(store.read_layer("lowcost_spaces")) == before["lowcost_spaces"] + 1
    assert len(store.read_layer("science_parks")) == before["science_parks"]
