import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geodata.ingest.schema import coerce_frame
from geodata.ingest.validate import raise_if_problems, validate_frames, validate_layer
from layers.catalogue import get_layer
from spatial.crs import WGS84
from spatial.errors import Problem, ValidationError

DISTRICT = Polygon([(114.0, 22.5), (114.1, 22.5), (114.1, 22.6), (114.0, 22.6)])


def _carrier(**over):
    row = {
        "id": "c1", "layer": "incubators", "name_zh": "测试", "name_en": "Test", "location_basis": "area",
        "accuracy_m": 100.0, "status": "operating", "source": "test", "hk_link": False,
        "geometry": Point(114.05, 22.55),
    }
    row.update(over)
    return row


def _frame(rows):
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=WGS84)
    typed, problems = coerce_frame(frame, get_layer("incubators"))
    return typed, problems


def _messages(problems):
    return {(p.feature_id, p.field, p.message.split(";")[0]) for p in problems}


def test_validate_layer__valid_row_has_no_problems():
    typed, problems = _frame([_carrier()])
    assert problems == []
    assert validate_layer(typed, get_layer("incubators"), district=DISTRICT) == []


def test_validate_layer__collects_every_problem_at_once():
    rows = [
        _carrier(id="a", name_zh=None),                                  # missing required
        _carrier(id="b", floor_area_m2=-5.0, floor_area_source="x"),      # negative
        _carrier(id="c", industries="biomed;warp_drive"),                 # unknown code
        _carrier(id="d", land_area_m2=1000.0),                            # figure without source
        _carrier(id="e", geometry=Point(120.0, 30.0)),                    # outside the district
        _carrier(id="e", status="exploded"),                              # duplicate id + unknown status
        _carrier(id="g", geometry=None),                                  # missing geometry
    ]
    typed, _ = _frame(rows)
    found = _messages(validate_layer(typed, get_layer("incubators"), district=DISTRICT))
    assert ("a", "name_zh", "required value is missing") in found
    assert ("b", "floor_area_m2", "must not be negative") in found
    assert ("c", "industries", "unknown industries code") in found
    assert ("d", "land_area_source", "land_area_m2 = 1000.0 is stated without a source") in found
    assert ("e", "geometry", "outside Shenzhen (no context flag)") in found
    assert ("e", "id", "duplicate id") in found
    assert ("e", "status", "unknown status code") in found
    assert ("g", "geometry", "geometry is missing or empty") in found


def test_coerce_frame__wrong_types_reported_with_field_and_value():
    typed, problems = _frame([_carrier(floor_area_m2="lots", hk_link="maybe", opened="April")])
    got = {(p.field, p.value) for p in problems}
    assert got == {("floor_area_m2", "lots"), ("hk_link", "maybe"), ("opened", "April")}
    assert pd.isna(typed["floor_area_m2"].iloc[0])


def test_validate_layer__invalid_polygon_reported():
    bowtie = Polygon([(114.01, 22.51), (114.05, 22.55), (114.05, 22.51), (114.01, 22.55)])
    frame = gpd.GeoDataFrame({"id": ["z"], "name_zh": ["z"], "name_en": ["z"], "kind": ["cluster"],
                              "approximate": [True], "accuracy_m": [10.0], "source": ["t"]},
                             geometry=[bowtie], crs=WGS84)
    problems = validate_layer(frame, get_layer("clusters"), district=DISTRICT)
    assert [p.message for p in problems] == ["invalid geometry"]


def test_validate_layer__layer_without_crs_refused():
    frame = gpd.GeoDataFrame(pd.DataFrame([_carrier()]), geometry="geometry")
    problems = validate_layer(frame, get_layer("incubators"))
    assert any("no CRS" in p.message for p in problems)


def test_validate_frames__dangling_parent_reported():
    typed, _ = _frame([_carrier(id="kid", parent_id="ghost")])
    problems = validate_frames({"incubators": typed})
    assert [(p.feature_id, p.field, p.value) for p in problems] == [("kid", "parent_id", "ghost")]


def test_raise_if_problems__raises_once_with_all():
    problems = [Problem("l", str(i), "f", i, "bad") for i in range(7)]
    with pytest.raises(ValidationError) as info:
        raise_if_problems(problems)
    assert len(info.value.problems) == 7
    assert "7 validation problem(s)" in str(info.value)
    raise_if_problems([])  # nothing to raise


def test_validate_layer__text_with_a_nul_character_reported():
    typed, _ = _frame([_carrier(name_zh="测\x00试")])
    found = validate_layer(typed, get_layer("incubators"), district=DISTRICT)
    assert [(p.feature_id, p.field, p.value, p.message) for p in found] == [
        ("c1", "name_zh", "测\\x00试", "contains a NUL character (0x00), which the store cannot hold")]


def _metres_east_of_district(metres: float) -> Point:
    """A point ``metres`` east of DISTRICT's east edge (x = 114.1°), mid-edge."""
    edge = gpd.GeoSeries([Point(114.1, 22.55)], crs=WGS84).to_crs("EPSG:4547").iloc[0]
    return gpd.GeoSeries([Point(edge.x + metres, edge.y)], crs="EPSG:4547").to_crs(WGS84).iloc[0]


def test_validate_layer__carriers_inside_shenzhen_within_100_m():
    typed, _ = _frame([_carrier(id="in", geometry=_metres_east_of_district(99.0)),
                       _carrier(id="out", geometry=_metres_east_of_district(101.0))])
    found = validate_layer(typed, get_layer("incubators"), district=DISTRICT)
    assert [(p.feature_id, p.message) for p in found] == [("out", "outside Shenzhen (no context flag)")]


def test_validate_layer__zones_inside_futian_within_50_m():
    def square(west_m: float) -> Polygon:  # 100 m × 100 m, its west side ``west_m`` east of DISTRICT
        a, b = _metres_east_of_district(west_m), _metres_east_of_district(west_m + 100.0)
        return Polygon([(a.x, 22.55), (b.x, 22.55), (b.x, 22.5509), (a.x, 22.5509)])

    frame = gpd.GeoDataFrame({"id": ["near", "far"], "name_zh": ["z", "z"], "name_en": ["z", "z"],
                              "kind": ["cluster"] * 2, "approximate": [True] * 2, "accuracy_m": [10.0] * 2,
                              "source": ["t"] * 2}, geometry=[square(-60.0), square(-40.0)], crs=WGS84)
    found = validate_layer(frame, get_layer("clusters"), district=DISTRICT)
    assert [(p.feature_id, p.value, p.message) for p in found] == [
        ("far", "90.0% inside", "less than 95% inside the district (no context flag)")]
