"""Tallies per unit: placement, apportioning, the double-count rule and conservation."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geodata.synthetic import synthetic_carriers, synthetic_parcels
from spatial.crs import METRIC_CRS
from spatial.tally import (HETAO_INSIDE, HETAO_OUTSIDE, OUTSIDE, UNLOCATED, place_features, tally,
                           tally_by)

X0, Y0 = 500_000.0, 2_490_000.0  # EPSG:4547, Futian's neighbourhood


def _units():
    """Two 1 km × 1 km units side by side: west [X0, X0+1000), east [X0+1000, X0+2000)."""
    return gpd.GeoDataFrame({"id": ["west", "east"]},
                            geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
                            crs=METRIC_CRS)


def _features(geoms, **columns):
    n = len(geoms)
    data = {"id": [f"f{i}" for i in range(n)], "parent_id": [None] * n, **columns}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=METRIC_CRS)


def _row(result, unit):
    rows = result["rows"].set_index("unit")
    return rows.loc[unit]


def test_tally__polygon_split_30_70_apportioned():
    # 100 m × 100 m parcel: 30 m in the west unit, 70 m in the east one.
    parcel = box(X0 + 970, Y0 + 100, X0 + 1070, Y0 + 200)
    feats = _features([parcel], floor_area_m2=[1000.0])
    result = tally(feats, units=_units(), land="apportion", stated="apportion")
    assert _row(result, "west")["land_area_m2"] == pytest.approx(3000.0, abs=1e-6)
    assert _row(result, "east")["land_area_m2"] == pytest.approx(7000.0, abs=1e-6)
    assert _row(result, "west")["floor_area_m2"] == pytest.approx(300.0)
    assert _row(result, "east")["floor_area_m2"] == pytest.approx(700.0)
    # the feature is counted once, where its anchor point lies (the larger part here)
    assert _row(result, "east")["count"] + _row(result, "west")["count"] == 1
    assert result["total"]["land_area_m2"] == pytest.approx(10_000.0)


def test_tally__polygon_split_30_70_by_centroid():
    parcel = box(X0 + 970, Y0 + 100, X0 + 1070, Y0 + 200)
    feats = _features([parcel], floor_area_m2=[1000.0])
    result = tally(feats, units=_units(), land="centroid", stated="centroid")
    assert _row(result, "east")["land_area_m2"] == pytest.approx(10_000.0)
    assert _row(result, "west")["land_area_m2"] == 0.0
    assert _row(result, "east")["floor_area_m2"] == 1000.0
    assert np.isnan(_row(result, "west")["floor_area_m2"])  # nothing stated there: unknown, not 0


def test_tally__part_outside_every_unit_goes_to_outside():
    parcel = box(X0 + 1950, Y0 + 100, X0 + 2050, Y0 + 200)  # half beyond the east unit
    result = tally(_features([parcel]), units=_units())
    assert _row(result, "east")["land_area_m2"] == pytest.approx(5000.0)
    assert _row(result, OUTSIDE)["land_area_m2"] == pytest.approx(5000.0)


def test_tally__points_by_containment_and_unlocated():
    feats = _features([Point(X0 + 10, Y0 + 10), Point(X0 + 1500, Y0 + 10), Point(X0 + 1600, Y0 + 20),
                       Point(X0 + 5000, Y0), None], floor_area_m2=[100.0, 200.0, None, 50.0, 7.0])
    result = tally(feats, units=_units())
    assert _row(result, "west")["count"] == 1
    assert _row(result, "east")["count"] == 2
    assert _row(result, "east")["floor_area_m2"] == 200.0
    assert _row(result, "east")["floor_area_m2_known"] == 1
    assert _row(result, OUTSIDE)["count"] == 1
    assert _row(result, UNLOCATED)["floor_area_m2"] == 7.0
    assert result["total"]["floor_area_m2"] == 357.0
    assert result["total"]["land_area_m2"] == 0.0


def test_tally__point_on_shared_border_counted_once():
    feats = _features([Point(X0 + 1000, Y0 + 500)], floor_area_m2=[10.0])
    result = tally(feats, units=_units())
    assert result["rows"]["count"].sum() == 1
    assert result["rows"]["floor_area_m2"].sum() == 10.0


def test_tally__child_inside_counted_parent_not_counted_twice():
    feats = _features([Point(X0 + 10, Y0 + 10), Point(X0 + 1500, Y0 + 10)],
                      floor_area_m2=[40_000.0, 13_000.0])
    feats["parent_id"] = [None, "f0"]
    result = tally(feats, units=_units())
    assert _row(result, "west")["floor_area_m2"] == 40_000.0
    assert np.isnan(_row(result, "east")["floor_area_m2"])
    assert _row(result, "east")["count"] == 1  # still counted as a carrier
    assert result["total"]["floor_area_m2"] == 40_000.0


def test_tally__overlapping_units_count_in_each():
    units = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[box(X0, Y0, X0 + 600, Y0 + 600),
                                                           box(X0 + 400, Y0, X0 + 1000, Y0 + 600)], crs=METRIC_CRS)
    feats = _features([Point(X0 + 500, Y0 + 100), Point(X0 + 900, Y0 + 900)], floor_area_m2=[5.0, 1.0])
    result = tally(feats, units=units, partition=False)
    assert _row(result, "a")["count"] == 1 and _row(result, "b")["count"] == 1
    assert _row(result, OUTSIDE)["count"] == 1
    assert result["overlapping"] is True


def test_tally__by_codes_counts_each_code():
    feats = _features([Point(X0, Y0)] * 3, industries=["ict;ai", "ai", None], floor_area_m2=[1.0, 2.0, 4.0])
    result = tally(feats, attribute="industries", multi=True)
    assert _row(result, "ai")["floor_area_m2"] == 3.0
    assert _row(result, "ict")["count"] == 1
    assert _row(result, "(none stated)")["floor_area_m2"] == 4.0
    assert result["total"]["floor_area_m2"] == 7.0


def test_place_features__unknown_method_refused():
    with pytest.raises(ValueError, match="unknown method"):
        place_features(_features([Point(X0, Y0)]), _units(), method="nearest")


def test_tally__feature_without_crs_refused():
    feats = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(X0, Y0)])
    with pytest.raises(Exception, match="CRS"):
        tally(feats, units=_units())


COLUMNS = ("count", "land_area_m2", "stated_land_area_m2", "floor_area_m2", "usable_area_m2", "space_area_m2",
           "incubation_area_m2", "available_area_m2")


def _assert_conserved(result, columns=COLUMNS):
    rows, total = result["rows"], result["total"]
    for col in columns:
        assert rows[col].fillna(0).sum() == pytest.approx(total[col] or 0, rel=1e-9, abs=1e-6), col


@pytest.mark.parametrize("land,stated", [("apportion", "centroid"), ("apportion", "apportion"),
                                         ("centroid", "centroid")])
def test_tally_by__subdistricts_conserve_synthetic_totals(frames, land, stated):
    district = frames["district"].geometry.union_all()
    # parcels straddle subdistrict borders and the district edge; children point at parents
    parcels = synthetic_parcels(400, district, seed=7)
    points = synthetic_carriers(1000, district, seed=8)
    points.loc[points.index[:100], "parent_id"] = parcels["id"].iloc[:100].to_numpy()
    feats = gpd.GeoDataFrame(pd.concat([parcels, points], ignore_index=True), geometry="geometry", crs=parcels.crs)
    result = tally_by("subdistrict", feats, frames, land=land, stated=stated)
    _assert_conserved(result)
    # the district is the sum of its subdistricts: a parcel's share outside them is outside Futian
    assert result["total"]["count"] == 1400
    crossing = result["rows"].set_index("unit")["land_area_m2"]
    assert crossing.drop(OUTSIDE, errors="ignore").sum() > 0


def test_tally_by__subdistricts_conserve_bundled_totals(frames, store):
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import tally_report

    carriers = snapshot(store)[1]
    for kind in ("subdistrict", "hetao"):
        result = tally_by(kind, carriers, frames)
        _assert_conserved(result)
        assert result["total"]["count"] == len(carriers) == 55
        placed = tally_report(kind, carriers, frames)  # carriers placed by zone moved to their zone's unit
        _assert_conserved(placed, (*COLUMNS, "zone_placed"))
        assert placed["total"]["count"] == 55 and placed["total"]["zone_placed"] == 31
    sub = tally_by("subdistrict", carriers, frames)["rows"].set_index("unit")
    # no pin is invented: the 华强北 rows have no point, so the 华强北 subdistrict holds nothing by point
    assert sub.loc["subdistrict-huaqiangbei", "count"] == 0
    assert sub.loc[UNLOCATED, "count"] == carriers.geometry.isna().sum() == 45
    # 福保 holds the six pinned Hetao carriers: 230,000 + 31,086.6 + 200,000 [ext] + 100,000 [ext] gross floor
    assert sub.loc["subdistrict-fubao", "floor_area_m2"] == pytest.approx(561_086.6)
    assert sub.loc["subdistrict-fubao", "usable_area_m2"] == 33_000.0  # 量子研究院: usable, not floor


def test_tally_report__zone_placed_carriers_counted_in_their_zone(frames, store):
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import tally_report
    from spatial.zone_placement import PLACED_ACROSS

    rows = tally_report("subdistrict", snapshot(store)[1], frames)["rows"].set_index("unit")
    # 华强北 low-cost space (≥ 40,000, space provided) and 华强北国际创客中心 (5,000 [ext]): their zone
    # (华强北–上步) spans several subdistricts, so they are not assigned to one; the two centres inside
    # the low-cost space (13,000 and 15,000) are not counted again
    across = rows.loc[PLACED_ACROSS]
    assert (across["count"], across["zone_placed"]) == (29, 29)
    assert across["space_area_m2"] == 45_000.0 and across["floor_area_m2"] == 37_000.0  # 福鹏 [ext]
    # the Hetao carriers without a stated part are never put in 福保
    assert (rows.loc["subdistrict-fubao", "count"], rows.loc["subdistrict-fubao", "zone_placed"]) == (6, 0)
    # 车公庙–天安 lies wholly in 沙头: 天安数码城 and the 车公庙 government space
    assert (rows.loc["subdistrict-shatou", "count"], rows.loc["subdistrict-shatou", "zone_placed"]) == (2, 2)
    assert rows.loc["subdistrict-meilin", "space_area_m2"] == 30_000.0  # 国际金融科技城, near 30,000


def test_tally_by__hetao_inside_outside(frames, store):
    from geodata.reports.inventory import snapshot
    from geodata.reports.planning import tally_report
    from spatial.zone_placement import zone_placed

    carriers = snapshot(store)[1]
    pinned = carriers.geometry.notna()
    rows = tally_by("hetao", carriers, frames)["rows"].set_index("unit")  # by point only
    assert rows.loc[HETAO_INSIDE, "count"] == int((carriers["in_hetao"] & pinned).sum()) == 6
    assert rows.loc[HETAO_OUTSIDE, "count"] == int((~carriers["in_hetao"] & pinned).sum()) == 4
    placed = tally_report("hetao", carriers, frames)["rows"].set_index("unit")  # and by zone
    located = pinned | zone_placed(carriers)
    assert placed.loc[HETAO_INSIDE, "count"] == int(carriers["in_hetao"].sum()) == 20
    assert placed.loc[HETAO_INSIDE, "zone_placed"] == 14  # the Hetao carriers whose part no source states
    assert placed.loc[HETAO_OUTSIDE, "count"] == int((~carriers["in_hetao"] & located).sum())


def test_tally_by__unknown_kind_refused(frames):
    with pytest.raises(ValueError, match="unknown unit kind"):
        tally_by("street", _features([]), frames)
