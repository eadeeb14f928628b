"""Counting points per 500 m cell in EPSG:4547 (the city map's view of a million carriers)."""
import numpy as np
import pytest

from spatial.crs import METRIC_CRS, WGS84, get_transformer
from spatial.grid import cell_corners, count_classes, grid_cells


def _lonlat(xy):
    """EPSG:4547 metres → WGS-84 lon, lat arrays."""
    xy = np.asarray(xy, dtype="float64")
    lon, lat = get_transformer(METRIC_CRS, WGS84).transform(xy[:, 0], xy[:, 1])
    return np.asarray(lon), np.asarray(lat)


# Cell (ix, iy) covers [ix·500, (ix+1)·500) × [iy·500, (iy+1)·500) metres. Near Futian, x ≈ 500,000 m
# (the central meridian 114°E has a false easting of 500 km) and y ≈ 2,493,000 m.
POINTS_M = [
    (500_010.0, 2_493_010.0),  # cell (1000, 4986)
    (500_490.0, 2_493_490.0),  # cell (1000, 4986)
    (500_510.0, 2_493_010.0),  # cell (1001, 4986)
    (500_250.0, 2_493_600.0),  # cell (1000, 4987)
    (500_499.0, 2_493_499.0),  # cell (1000, 4986)
]
AREAS = [100.0, np.nan, 50.0, 7.0, 1_000.0]


def test_grid_cells__counts_and_sums_per_500_m_cell_by_hand():
    lon, lat = _lonlat(POINTS_M)
    cells = grid_cells(lon, lat, floor_area=AREAS)
    rows = {(r.ix, r.iy): (r.count, r.floor_area_m2, r.stated) for r in cells.itertuples()}
    assert rows == {(1000, 4986): (3, 1_100.0, 2), (1001, 4986): (1, 50.0, 1), (1000, 4987): (1, 7.0, 1)}
    assert cells["count"].sum() == 5
    assert list(zip(cells["iy"], cells["ix"])) == sorted(zip(cells["iy"], cells["ix"]))  # row order: iy, then ix


def test_grid_cells__centre_is_the_middle_of_the_square_in_wgs84():
    lon, lat = _lonlat(POINTS_M[:1])
    cell = grid_cells(lon, lat).iloc[0]
    x, y = get_transformer(WGS84, METRIC_CRS).transform(cell["lon"], cell["lat"])
    assert x == pytest.approx(500_250.0, abs=1e-4) and y == pytest.approx(2_493_250.0, abs=1e-4)


def test_grid_cells__a_cell_where_nothing_is_stated_sums_to_nan_not_zero():
    lon, lat = _lonlat([(500_010.0, 2_493_010.0), (500_020.0, 2_493_020.0)])
    cell = grid_cells(lon, lat, floor_area=[np.nan, np.nan]).iloc[0]
    assert cell["count"] == 2 and cell["stated"] == 0 and np.isnan(cell["floor_area_m2"])


def test_grid_cells__other_cell_size_and_unlocated_points_left_out():
    lon, lat = _lonlat(POINTS_M)
    lon = np.append(lon, np.nan)
    lat = np.append(lat, 22.5)
    cells = grid_cells(lon, lat, cell_m=1_000.0)
    assert dict(zip(zip(cells["ix"], cells["iy"]), cells["count"])) == {(500, 2493): 5}


def test_grid_cells__no_points_no_cells():
    cells = grid_cells([], [])
    assert cells.empty and list(cells.columns) == ["ix", "iy", "count", "floor_area_m2", "stated", "lon", "lat"]


def test_grid_cells__bad_input_is_refused():
    with pytest.raises(ValueError, match="cell_m must be positive"):
        grid_cells([114.0], [22.5], cell_m=0)
    with pytest.raises(ValueError, match="same length"):
        grid_cells([114.0, 114.1], [22.5], floor_area=[1.0, 2.0])


def test_count_classes__geometric_bounds_up_to_the_largest_count():
    classes, bounds = count_classes([1, 5, 100], 6)
    assert bounds == [3, 5, 10, 22, 47, 100]  # ceil of 100^(k/6), k = 1…6
    assert classes.tolist() == [0, 1, 5]


def test_count_classes__few_distinct_counts_give_fewer_classes():
    assert count_classes([1, 1, 1], 6)[1] == [1]
    classes, bounds = count_classes([1, 2, 3], 6)
    assert bounds == [2, 3] and classes.tolist() == [0, 0, 1]
    assert count_classes([], 6)[1] == []


def test_cell_corners__by_hand_and_shared_exactly_with_the_neighbours():
    lon, lat = cell_corners([1000, 1001], [4986, 4986])
    x, y = get_transformer(WGS84, METRIC_CRS).transform(lon[0], lat[0])
    assert np.allclose(x, [500_000, 500_500, 500_500, 500_000], atol=1e-4)
    assert np.allclose(y, [2_493_000, 2_493_000, 2_493_500, 2_493_500], atol=1e-4)
    # the east side of cell 1000 is the west side of cell 1001, to the last bit
    assert (lon[0, 1], lat[0, 1]) == (lon[1, 0], lat[1, 0]) and (lon[0, 2], lat[0, 2]) == (lon[1, 3], lat[1, 3])
