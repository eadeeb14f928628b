"""Inside Futian, inside Shenzhen, the scope switch: one definition each, tolerances measured in EPSG:4547."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from spatial.crs import METRIC_CRS, WGS84
from spatial.errors import CRSError
from spatial.scope import (EDGE_TOLERANCE_M, FUTIAN_TOLERANCE_M, SHENZHEN_TOLERANCE_M, futian, in_scope,
                           inside_futian, inside_shenzhen, shenzhen)

X0, Y0 = 500_000.0, 2_490_000.0  # EPSG:4547, Futian's neighbourhood
# "Futian": 1 km × 1 km; "the city": Futian and a 1 km × 1 km district east of it. Their shared
# west edge is x = X0, the city's south edge y = Y0 (like Futian's border with Hong Kong).
DISTRICT = gpd.GeoDataFrame({"id": ["futian"]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
                            crs=METRIC_CRS).to_crs(WGS84)
OTHERS = gpd.GeoDataFrame({"id": ["east"]}, geometry=[box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
                          crs=METRIC_CRS).to_crs(WGS84)


def _west_of(*distances):
    """Points ``distances`` metres west of Futian's west edge (negative: inside), mid-edge, in WGS-84."""
    return gpd.GeoSeries([Point(X0 - d, Y0 + 500) for d in distances], crs=METRIC_CRS).to_crs(WGS84)


def test_tolerances__futian_within_shenzhen_and_the_sql_name_kept():
    assert (FUTIAN_TOLERANCE_M, SHENZHEN_TOLERANCE_M, EDGE_TOLERANCE_M) == (50.0, 100.0, 50.0)


def test_inside_futian__points_just_either_side_of_50_m():
    got = inside_futian(_west_of(-200.0, -1.0, 0.0, 1.0, 49.0, 51.0, 200.0), DISTRICT)
    assert got.tolist() == [True, True, True, True, True, False, False]
    assert got.name == "inside_futian"


def test_inside_shenzhen__points_just_either_side_of_100_m():
    got = inside_shenzhen(_west_of(-1.0, 49.0, 51.0, 99.0, 101.0, 300.0), DISTRICT, OTHERS)
    assert got.tolist() == [True, True, True, True, False, False]


def test_inside_shenzhen__south_edge_and_the_other_district():
    south = gpd.GeoSeries([Point(X0 + 1500, Y0 - d) for d in (-10.0, 99.0, 101.0)] + [Point(X0 + 2099, Y0 + 500)],
                          crs=METRIC_CRS)
    assert inside_shenzhen(south, DISTRICT, OTHERS).tolist() == [True, True, False, True]
    assert inside_futian(south, DISTRICT).tolist() == [False, False, False, False]


def test_inside_shenzhen__everything_inside_futian_is_inside_shenzhen():
    points = _west_of(*np.arange(-100.25, 150.0, 2.5))
    in_futian = inside_futian(points, DISTRICT)
    in_city = inside_shenzhen(points, DISTRICT)  # Futian alone as the city: the worst case
    assert in_futian.sum() == 61  # -100.25 m … +49.75 m in 2.5 m steps
    assert (in_city[in_futian]).all() and in_city.sum() == 81  # … +99.75 m


def test_inside_futian__aligned_to_the_input_index_and_unlocated_are_not_inside():
    frame = gpd.GeoDataFrame({"id": ["a", "b", "c"]}, index=[10, 20, 30],
                             geometry=[Point(X0 + 10, Y0 + 10), None, Point()], crs=METRIC_CRS)
    got = inside_futian(frame, DISTRICT)
    assert got.index.tolist() == [10, 20, 30] and got.tolist() == [True, False, False]


def test_inside_futian__polygon_needs_95_percent_within_the_tolerance():
    # 150 m wide squares whose west side lies 4 m resp. 10 m beyond the 50 m tolerance line x = X0 - 50.
    squares = gpd.GeoSeries([box(X0 - 54, Y0 + 100, X0 + 96, Y0 + 200),   # 146 / 150 within: 97.3 %
                             box(X0 - 60, Y0 + 300, X0 + 90, Y0 + 400),    # 140 / 150 within: 93.3 %
                             box(X0 + 100, Y0 + 600, X0 + 200, Y0 + 700)],  # inside
                            crs=METRIC_CRS)
    assert futian(DISTRICT).share(squares).round(3).tolist() == [0.973, 0.933, 1.0]
    assert inside_futian(squares, DISTRICT).tolist() == [True, False, True]


def test_boundary_share__points_one_or_zero_unlocated_nan():
    points = gpd.GeoSeries([Point(X0 - 99, Y0 + 500), Point(X0 - 101, Y0 + 500), None], crs=METRIC_CRS)
    share = shenzhen(DISTRICT, OTHERS).share(points)
    assert share.iloc[:2].tolist() == [1.0, 0.0] and np.isnan(share.iloc[2])


def test_inside_futian__layer_without_crs_refused():
    with pytest.raises(CRSError, match="no CRS"):
        inside_futian(gpd.GeoSeries([Point(114.05, 22.55)]), DISTRICT)


def test_in_scope__points_as_inside_futian_unlocated_kept_parcels_crossing_kept():
    carriers = gpd.GeoDataFrame(
        {"id": list("abcde")},
        geometry=[Point(X0 - 49, Y0 + 500), Point(X0 - 51, Y0 + 500), None,
                  box(X0 - 300, Y0 + 100, X0 - 20, Y0 + 200),   # a parcel reaching to 20 m of the edge
                  box(X0 - 300, Y0 + 100, X0 - 60, Y0 + 200)],  # one stopping 60 m short
        crs=METRIC_CRS).to_crs(WGS84)
    assert in_scope(carriers, DISTRICT, "futian").tolist() == [True, False, True, True, False]
    assert in_scope(carriers, DISTRICT, "shenzhen").tolist() == [True] * 5
    points = carriers.iloc[:2]
    assert in_scope(points, DISTRICT, "futian").tolist() == inside_futian(points, DISTRICT).tolist()


def test_inside_futian__empty_input():
    got = inside_futian(gpd.GeoSeries([], crs=WGS84), DISTRICT)
    assert isinstance(got, pd.Series) and got.empty
