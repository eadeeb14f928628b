"""Placing enterprises in carriers: every path (confirmed, lease, coordinates, address), in input order."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from spatial.crs import METRIC_CRS, WGS84, get_transformer
from spatial.placement import METHODS, PLACEMENT_COLUMNS, STATUSES, place_enterprises

PARK_XY = (500_000.0, 2_490_000.0)  # EPSG:4547 metres, in Futian
TOWER_XY = (501_500.0, 2_491_000.0)


def _wgs(x: float, y: float) -> tuple[float, float]:
    lon, lat = get_transformer(METRIC_CRS, WGS84).transform(x, y)
    return float(lon), float(lat)


def _carriers() -> gpd.GeoDataFrame:
    """A park polygon (200 m square) with an incubator point at its centre, a tower point, and carriers
    known by name only (one alias in parentheses; two sharing their main name; two alike)."""
    x, y = PARK_XY
    to_wgs = get_transformer(METRIC_CRS, WGS84)
    park = shapely.transform(shapely.box(x - 100, y - 100, x + 100, y + 100),
                             lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))
    rows = [
        ("sp-park", "演示科技园（演示创新基地）", "槟榔道3号", None, park),
        ("inc-child", "演示孵化器", None, "sp-park", shapely.Point(_wgs(x, y))),
        ("tb-tower", "演示大厦", "深南大道6009号A栋", None, shapely.Point(_wgs(*TOWER_XY))),
        ("sp-biomed", "国际生物医药产业园（国际生物医药基地）", None, None, None),
        ("lc-gov-a", "政府产业用房（梅彩片区）", None, None, None),
        ("lc-gov-b", "政府产业用房（车公庙片区）", None, None, None),
        ("tb-bay-1", "湾区创新科技中心一期", None, None, None),
        ("tb-bay-2", "湾区创新科技中心二期", None, None, None),
    ]
    frame = pd.DataFrame(rows, columns=["id", "name_zh", "address_zh", "parent_id", "geometry"])
    return gpd.GeoDataFrame(frame.assign(layer="science_parks"), geometry="geometry", crs=WGS84)


ENTERPRISES = [  # id, address, metres east and north of the park's centre (None: no coordinates)
    ("e-confirmed", "深南大道6009号A栋", (0, 0)),
    ("e-lease", None, (60, 0)),
    ("e-polygon", None, (80, 80)),
    ("e-child", None, (20, 0)),
    ("e-near", None, (TOWER_XY[0] - PARK_XY[0] + 60, TOWER_XY[1] - PARK_XY[1])),
    ("e-address", "深南路６００９号Ａ座１２楼１２０１室", None),
    ("e-site", "深圳福田深南路６００９号绿景广场Ａ座", None),
    ("e-name", "广东省深圳市福田区国际生物医药基地3楼", None),
    ("e-fuzzy", "国际生物医约产业园5层", None),
    ("e-tie-exact", "政府产业用房5楼", None),
    ("e-tie-fuzzy", "湾区创新科技中心三期", None),
    ("e-nanshan", "深圳市南山区国际生物医药产业园", None),
    ("e-nothing", None, None),
    ("e-far", "槟榔道3号B座", (-3000, -3000)),
]


def _enterprises(rows=ENTERPRISES) -> pd.DataFrame:
    lonlat = [_wgs(PARK_XY[0] + d[0], PARK_XY[1] + d[1]) if d else (np.nan, np.nan) for _, _, d in rows]
    return pd.DataFrame({"id": [r[0] for r in rows], "name": [f"演示企业{i}" for i in range(len(rows))],
                         "address": [r[1] for r in rows], "lon": [p[0] for p in lonlat],
                         "lat": [p[1] for p in lonlat]})


@pytest.fixture(scope="module")
def placed() -> pd.DataFrame:
    leases = pd.DataFrame({"enterprise_id": ["e-lease", "e-lease"], "carrier_id": ["sp-park", "tb-tower"],
                           "unit_id": ["u-old", "u-7"]})
    confirmed = pd.DataFrame({"enterprise_id": ["e-confirmed"], "carrier_id": ["lc-gov-a"], "unit_id": [None]})
    out = place_enterprises(_enterprises(), _carriers(), leases=leases, confirmed=confirmed)
    return out.set_index("enterprise_id", drop=False)


def _row(placed, eid) -> dict:
    return placed.loc[eid].to_dict()


def test_place_enterprises__one_row_per_enterprise__input_order_and_columns(placed):
    assert tuple(placed.columns) == PLACEMENT_COLUMNS
    assert placed["enterprise_id"].tolist() == [r[0] for r in ENTERPRISES]
    assert set(placed["method"]) <= set(METHODS) and set(placed["status"]) <= set(STATUSES)


def test_place_enterprises__confirmed__kept_unchanged(placed):
    r = _row(placed, "e-confirmed")  # its address and coordinates say otherwise
    assert (r["carrier_id"], r["unit_id"], r["method"], r["status"], r["confidence"]) == \
        ("lc-gov-a", None, "confirmed", "confirmed", 1.0)


def test_place_enterprises__lease__wins_over_coordinates_last_lease_counts(placed):
    r = _row(placed, "e-lease")
    assert (r["carrier_id"], r["unit_id"], r["method"], r["status"], r["confidence"]) == \
        ("tb-tower", "u-7", "lease", "placed", 1.0)


def test_place_enterprises__inside_polygon__the_park(placed):
    r = _row(placed, "e-polygon")  # 113 m from the incubator's point
    assert (r["carrier_id"], r["method"], r["status"], r["confidence"]) == ("sp-park", "coords", "placed", 0.95)
    assert r["matched"] == "inside the carrier's polygon"


def test_place_enterprises__near_child_point_inside_park__the_child(placed):
    r = _row(placed, "e-child")
    assert (r["carrier_id"], r["method"], r["status"], r["confidence"]) == ("inc-child", "coords", "placed", 0.9)
    assert r["matched"] == "20 m from the carrier's point"
    assert [c["carrier_id"] for c in json.loads(r["candidates"])] == ["inc-child", "sp-park"]


def test_place_enterprises__60_m_from_point__review(placed):
    r = _row(placed, "e-near")
    assert (r["carrier_id"], r["method"], r["status"]) == ("tb-tower", "coords", "review")
    assert r["matched"] == "60 m from the carrier's point"
    assert 0.5 <= r["confidence"] < 0.9


def test_place_enterprises__full_width_座_alias_no_prefix__the_address(placed):
    r = _row(placed, "e-address")
    assert (r["carrier_id"], r["method"], r["status"], r["confidence"]) == ("tb-tower", "address", "placed", 1.0)
    assert r["matched"] == "address 深南大道6009号A栋"
    assert json.loads(r["candidates"]) == [{"carrier_id": "tb-tower", "score": 100.0}]


def test_place_enterprises__same_site_another_building_name__site_match(placed):
    r = _row(placed, "e-site")
    assert (r["carrier_id"], r["method"], r["status"], r["confidence"]) == ("tb-tower", "address", "placed", 1.0)
    assert r["matched"] == "site 深南大道|6009|A"
    assert json.loads(r["candidates"]) == [{"carrier_id": "tb-tower", "score": 100.0}]


def test_place_enterprises__alias_in_address__placed_by_name(placed):
    r = _row(placed, "e-name")
    assert (r["carrier_id"], r["status"], r["confidence"], r["matched"]) == \
        ("sp-biomed", "placed", 0.9, "name 国际生物医药基地")


def test_place_enterprises__one_character_wrong__fuzzy_review(placed):
    r = _row(placed, "e-fuzzy")
    assert (r["carrier_id"], r["method"], r["status"]) == ("sp-biomed", "address", "review")
    assert r["confidence"] == pytest.approx(0.889)  # ratio of 国际生物医约产业园 to 国际生物医药产业园: 16/18
    assert r["matched"] == "name ≈ 国际生物医药产业园 (88.9)"


def test_place_enterprises__name_shared_by_two__review_with_both(placed):
    r = _row(placed, "e-tie-exact")
    assert r["status"] == "review"
    assert {c["carrier_id"] for c in json.loads(r["candidates"])} == {"lc-gov-a", "lc-gov-b"}


def test_place_enterprises__fuzzy_tie_within_3_points__review(placed):
    r = _row(placed, "e-tie-fuzzy")
    scores = json.loads(r["candidates"])
    assert r["status"] == "review" and r["matched"].endswith("— tie")
    assert [c["carrier_id"] for c in scores[:2]] == ["tb-bay-1", "tb-bay-2"]
    assert scores[0]["score"] == scores[1]["score"] == 90.0  # each ≥ accept: only the tie holds it back


def test_place_enterprises__stated_nanshan__unplaced_says_why(placed):
    r = _row(placed, "e-nanshan")  # the name of a carrier, in another district
    assert (r["carrier_id"], r["method"], r["status"], r["confidence"]) == (None, "none", "unplaced", 0.0)
    assert r["matched"] == "stated district 南山区"
    assert r["candidates"] == "[]"


def test_place_enterprises__no_address_no_coordinates__unplaced(placed):
    r = _row(placed, "e-nothing")
    assert (r["carrier_id"], r["method"], r["status"], r["matched"]) == \
        (None, "none", "unplaced", "no address or coordinates")


def test_place_enterprises__coordinates_far__address_decides(placed):
    r = _row(placed, "e-far")  # 4 km away; the park's address states no building: B is in it
    assert (r["carrier_id"], r["method"], r["status"], r["confidence"]) == ("sp-park", "address", "placed", 1.0)


def test_place_enterprises__point_in_park_and_child__address_says_the_park():
    rows = [("e-both", "福田区演示科技园8楼", (5, 0)), ("e-plain", None, (5, 0))]
    out = place_enterprises(_enterprises(rows), _carriers())
    assert out["carrier_id"].tolist() == ["sp-park", "inc-child"]
    assert out["method"].tolist() == ["address", "coords"]
    assert out["matched"][0] == "name 演示科技园; the coordinates agree"


def test_place_enterprises__district_none__not_checked():
    out = place_enterprises(_enterprises([("e", "深圳市南山区国际生物医药基地", None)]), _carriers(), district=None)
    assert (out["carrier_id"][0], out["status"][0]) == ("sp-biomed", "placed")


def test_place_enterprises__no_carriers_no_enterprises__empty_but_shaped():
    none = place_enterprises(_enterprises([]), _carriers())
    assert tuple(none.columns) == PLACEMENT_COLUMNS and len(none) == 0
    empty = gpd.GeoDataFrame({"id": [], "name_zh": [], "address_zh": [], "parent_id": []}, geometry=[], crs=WGS84)
    out = place_enterprises(_enterprises(ENTERPRISES[5:7]), empty)
    assert out["enterprise_id"].tolist() == ["e-address", "e-site"]
    assert out["status"].tolist() == ["unplaced", "unplaced"]


def test_place_enterprises__two_unrelated_points_as_near__review_unless_the_address_says():
    twin = gpd.GeoDataFrame({"id": ["tb-twin"], "name_zh": ["演示双子楼"], "address_zh": [None], "parent_id": [None],
                             "layer": ["tech_buildings"]},
                            geometry=[shapely.Point(_wgs(TOWER_XY[0] + 10, TOWER_XY[1]))], crs=WGS84)
    carriers = gpd.GeoDataFrame(pd.concat([_carriers(), twin], ignore_index=True), geometry="geometry", crs=WGS84)
    east = (TOWER_XY[0] + 5 - PARK_XY[0], TOWER_XY[1] - PARK_XY[1])
    out = place_enterprises(_enterprises([("e-between", None, east), ("e-said", "深南大道6009号A座", east)]), carriers)
    assert out["status"].tolist() == ["review", "placed"]
    assert out["confidence"][0] == 0.5
    assert out["matched"][0] == "5 m from the carrier's point (2 carriers unrelated and as near)"
    assert {c["carrier_id"] for c in json.loads(out["candidates"][0])} == {"tb-tower", "tb-twin"}
    assert (out["carrier_id"][1], out["method"][1]) == ("tb-tower", "address")
