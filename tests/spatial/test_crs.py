import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Polygon

from spatial.areas import area_m2
from spatial.crs import (
    METRIC_CRS,
    WGS84,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    get_transformer,
    is_zone_prefixed_easting,
    looks_swapped_lonlat,
    require_crs,
    shift_coords,
    shift_geoseries,
    strip_zone_prefix,
    to_metric,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from spatial.errors import CRSError

# Reference values published with the widely used coordtransform formulas (as asserted
# in hutool's CoordinateUtilTest): Beijing, Tiananmen.
BEIJING = (116.404, 39.915)
BEIJING_GCJ = (116.41024449916938, 39.91640428150164)
BEIJING_BD_FROM_GCJ = (116.41036949371029, 39.92133699351022)
BEIJING_BD_FROM_WGS = (116.41662724378733, 39.922699552216216)
BEIJING_GCJ_FROM_BD = (116.39762729119315, 39.90865673957631)


def _metres_between(lon_a, lat_a, lon_b, lat_b):
    tr = get_transformer(WGS84, METRIC_CRS)
    xa, ya = tr.transform(lon_a, lat_a)
    xb, yb = tr.transform(lon_b, lat_b)
    return np.hypot(np.asarray(xa) - xb, np.asarray(ya) - yb)


def test_wgs84_to_gcj02__known_point():
    lon, lat = wgs84_to_gcj02(*BEIJING)
    assert lon == pytest.approx(BEIJING_GCJ[0], abs=1e-9)
    assert lat == pytest.approx(BEIJING_GCJ[1], abs=1e-9)


def test_gcj02_to_bd09__known_point():
    lon, lat = gcj02_to_bd09(*BEIJING)
    assert lon == pytest.approx(BEIJING_BD_FROM_GCJ[0], abs=1e-9)
    assert lat == pytest.approx(BEIJING_BD_FROM_GCJ[1], abs=1e-9)


def test_wgs84_to_bd09__known_point():
    lon, lat = wgs84_to_bd09(*BEIJING)
    assert lon == pytest.approx(BEIJING_BD_FROM_WGS[0], abs=1e-9)
    assert lat == pytest.approx(BEIJING_BD_FROM_WGS[1], abs=1e-9)


def test_bd09_to_gcj02__close_to_published_one_step_inverse():
    # The published one-step inverse is approximate; ours is iterated, so agree to ~1 m.
    lon, lat = bd09_to_gcj02(*BEIJING)
    assert _metres_between(lon, lat, *BEIJING_GCJ_FROM_BD) < 1.0


def test_gcj02_to_wgs84__round_trip_below_1cm():
    rng = np.random.default_rng(42)
    lon = rng.uniform(113.75, 114.63, 2000)
    lat = rng.uniform(22.39, 22.87, 2000)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert _metres_between(back_lon, back_lat, lon, lat).max() < 0.01


def test_bd09_to_wgs84__round_trip_below_1cm():
    lon = np.array([114.05, 114.08, 113.93])
    lat = np.array([22.53, 22.55, 22.52])
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert _metres_between(*back, lon, lat).max() < 0.01


def test_wgs84_to_gcj02__offset_in_futian_is_a_few_hundred_metres():
    lon, lat = 114.0542, 22.5436
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    offset = float(_metres_between(g_lon, g_lat, lon, lat))
    assert 400 < offset < 700
    assert g_lon > lon and g_lat < lat  # east and south in Shenzhen


def test_wgs84_to_gcj02__identity_outside_china():
    lon = np.array([151.2093, 2.3522, -74.006])
    lat = np.array([-33.8688, 48.8566, 40.7128])
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    np.testing.assert_array_equal(g_lon, lon)
    np.testing.assert_array_equal(g_lat, lat)
    np.testing.assert_array_equal(gcj02_to_wgs84(lon, lat)[0], lon)


def test_wgs84_to_gcj02__vectorised_equals_scalar():
    lon = np.array([114.01, 114.05, 114.09])
    lat = np.array([22.52, 22.55, 22.57])
    vec = wgs84_to_gcj02(lon, lat)
    for i in range(3):
        one = wgs84_to_gcj02(lon[i], lat[i])
        assert vec[0][i] == one[0] and vec[1][i] == one[1]


def test_wgs84_to_gcj02__does_not_modify_input():
    lon = np.array([114.05])
    lat = np.array([22.55])
    wgs84_to_gcj02(lon, lat)
    gcj02_to_wgs84(lon, lat)
    assert lon[0] == 114.05 and lat[0] == 22.55


def test_shift_coords__same_datum_is_identity_and_unknown_refused():
    lon, lat = shift_coords(114.0, 22.5, src="wgs84", dst="wgs84")
    assert (float(lon), float(lat)) == (114.0, 22.5)
    with pytest.raises(CRSError, match="unknown datum"):
        shift_coords(114.0, 22.5, src="wgs84", dst="utm")


def test_shift_geoseries__returns_shifted_copy():
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=gpd.points_from_xy([114.05], [22.55]), crs=WGS84)
    shifted = shift_geoseries(frame, src="wgs84", dst="gcj02")
    assert frame.geometry.iloc[0].x == 114.05  # caller's frame untouched
    expected = wgs84_to_gcj02(114.05, 22.55)
    assert shifted.geometry.iloc[0].x == pytest.approx(float(expected[0]))
    assert shifted.geometry.iloc[0].y == pytest.approx(float(expected[1]))


def test_require_crs__missing_crs():
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([114.0], [22.5]))
    with pytest.raises(CRSError, match="no CRS"):
        require_crs(frame)
    with pytest.raises(CRSError):
        area_m2(frame)
    with pytest.raises(CRSError):
        to_metric(frame)


def test_require_crs__unexpected_crs():
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([500000.0], [2490000.0]), crs=METRIC_CRS)
    with pytest.raises(CRSError, match="expected EPSG:4326"):
        require_crs(frame, expected=WGS84)


def test_area_m2__100m_square_is_10000():
    x0, y0 = 505_000.0, 2_493_000.0
    square = Polygon([(x0, y0), (x0 + 100, y0), (x0 + 100, y0 + 100), (x0, y0 + 100)])
    frame = gpd.GeoDataFrame({"id": ["sq"]}, geometry=[square], crs=METRIC_CRS)
    assert area_m2(frame).iloc[0] == pytest.approx(10_000.0, abs=1e-9)
    # The same square stored in WGS-84 still measures 10,000 m² (computed in EPSG:4547).
    as_wgs = frame.to_crs(WGS84)
    assert area_m2(as_wgs).iloc[0] == pytest.approx(10_000.0, abs=1e-3)
    assert area_m2(as_wgs).name == "area_m2"


def test_is_zone_prefixed_easting__detects_8_digit_eastings():
    assert is_zone_prefixed_easting([38_505_000.0, 38_512_345.6])
    assert not is_zone_prefixed_easting([505_000.0, 512_345.6])
    assert not is_zone_prefixed_easting([39_505_000.0])
    np.testing.assert_allclose(strip_zone_prefix([38_505_000.0]), [505_000.0])
    with pytest.raises(CRSError):
        strip_zone_prefix([505_000.0])


def test_looks_swapped_lonlat__detects_swapped_shenzhen_points():
    assert looks_swapped_lonlat([22.54, 22.52], [114.05, 114.08])
    assert not looks_swapped_lonlat([114.05, 114.08], [22.54, 22.52])
    assert looks_swapped_lonlat([45.0], [120.0])  # latitude beyond ±90 must be swapped
    assert not looks_swapped_lonlat([], [])
