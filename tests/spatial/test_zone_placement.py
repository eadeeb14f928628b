"""Carriers placed by zone: counted in the unit their zone lies in, never given a pin."""
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from spatial.tally import UNLOCATED, tally
from spatial.zone_placement import PLACED_ACROSS, place_by_zone, zone_placed

# two subdistricts side by side near Futian (WGS-84 degrees), a cluster inside the western one
WEST, EAST = box(114.00, 22.50, 114.05, 22.55), box(114.05, 22.50, 114.10, 22.55)
CLUSTER, SPANNING = box(114.01, 22.51, 114.03, 22.53), box(114.04, 22.51, 114.06, 22.53)


def _carriers(zone_ids, floors):
    n = len(zone_ids)
    return gpd.GeoDataFrame({"id": [f"c{i}" for i in range(n)], "parent_id": [None] * n,
                             "location_basis": ["zone"] * n, "zone_id": zone_ids,
                             "floor_area_m2": floors}, geometry=[None] * n, crs=4326)


def _zones():
    from spatial.crs import to_metric

    frame = gpd.GeoDataFrame({"id": ["sub-w", "sub-e", "cl-1", "cl-span"]},
                             geometry=[WEST, EAST, CLUSTER, SPANNING], crs=4326)
    return dict(zip(frame["id"], to_metric(frame.geometry)))


def test_zone_placed__needs_the_basis_a_zone_and_no_point():
    carriers = _carriers(["cl-1", "", "cl-1"], [1.0, 2.0, 3.0])
    carriers.loc[2, "location_basis"] = "area"
    assert zone_placed(carriers).tolist() == [True, False, False]


def test_place_by_zone__counted_in_the_unit_holding_the_zone_with_its_figure():
    units = gpd.GeoDataFrame({"id": ["sub-w", "sub-e"]}, geometry=[WEST, EAST], crs=4326)
    carriers = _carriers(["cl-1", "cl-span"], [1000.0, np.nan])
    result = place_by_zone(tally(carriers, units=units), carriers, _zones(), units)
    rows = result["rows"].set_index("unit")
    assert rows.loc["sub-w", "count"] == 1 and rows.loc["sub-w", "zone_placed"] == 1
    assert rows.loc["sub-w", "floor_area_m2"] == 1000.0
    assert rows.loc[PLACED_ACROSS, "count"] == 1  # spread over both: its own row, not a guess
    assert UNLOCATED not in rows.index and rows.loc["sub-e", "count"] == 0
    assert result["total"]["count"] == 2 and result["total"]["zone_placed"] == 2
    assert rows["count"].sum() == result["total"]["count"]  # a partition still adds up


def test_place_by_zone__overlapping_units_count_it_in_each_that_holds_it():
    clusters = gpd.GeoDataFrame({"id": ["cl-1", "cl-big"]}, geometry=[CLUSTER, WEST], crs=4326)
    carriers = _carriers(["cl-1"], [500.0])
    result = place_by_zone(tally(carriers, units=clusters, partition=False), carriers, _zones(), clusters,
                           partition=False)
    rows = result["rows"].set_index("unit")
    assert rows.loc["cl-1", "count"] == rows.loc["cl-big", "count"] == 1
    assert rows.loc["cl-1", "floor_area_m2"] == rows.loc["cl-big", "floor_area_m2"] == 500.0
    assert pd.isna(rows.get("floor_area_m2", {}).get(UNLOCATED, np.nan))
