"""Coordinate reference systems: the metric CRS, Chinese web-map shifts and CRS checks.

Rules (see DESIGN.md): store WGS-84 (EPSG:4326); compute every area, distance and buffer
in EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E); shift to GCJ-02 or BD-09 only
for display over Chinese base maps. A layer without a CRS is an error.

The GCJ-02 forward transform is the widely published "eviltransform" formula; BD-09 is
Baidu's published rotation of GCJ-02. Inverses are iterated until the round trip closes
to far below a centimetre.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

from spatial.errors import CRSError

WGS84 = "EPSG:4326"
METRIC_CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
ZONED_CRS = "EPSG:4526"  # the same projection with the zone number (38) in the easting
ZONE_PREFIX_EASTING = 38_000_000.0

# GCJ-02 constants (Krasovsky 1940 ellipsoid as used by the published formula).
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

# Inverse iteration tolerance in degrees: 1e-10 degree is about 0.01 mm.
_INVERSE_TOL_DEG = 1e-10
_INVERSE_MAX_ITER = 30


@lru_cache(maxsize=32)
def get_transformer(src: str, dst: str) -> Transformer:
    """Return a cached, always-xy :class:`pyproj.Transformer` from ``src`` to ``dst``."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def outside_china(lon, lat) -> np.ndarray:
    """Return a boolean array: True where GCJ-02 does not apply.

    Uses the usual rectangle rule of the published transforms: longitude outside
    72.004–137.8347 E or latitude outside 0.8293–55.8271 N.

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes in degrees.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon += common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _as_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon = np.array(lon, dtype="float64", copy=True)
    lat = np.array(lat, dtype="float64", copy=True)
    if lon.shape != lat.shape:
        raise CRSError(f"lon and lat differ in shape: {lon.shape} vs {lat.shape}")
    return lon, lat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS-84 coordinates to GCJ-02 (AMap, Tencent, Google China).

    Parameters
    ----------
    lon, lat : array_like
        WGS-84 degrees; scalars or arrays of one shape.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        GCJ-02 longitudes and latitudes; unchanged outside mainland China.
    """
    lon, lat = _as_arrays(lon, lat)
    dlon, dlat = _delta_gcj(lon, lat)
    out = outside_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def _iterate_inverse(forward, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(x) == (lon, lat)`` for x by fixed-point iteration."""
    x, y = lon.copy(), lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        x -= ex
        y -= ey
        if ex.size == 0 or max(np.nanmax(np.abs(ex)), np.nanmax(np.abs(ey))) < _INVERSE_TOL_DEG:
            break
    return x, y


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift GCJ-02 coordinates back to WGS-84 with an iterated inverse.

    The round trip ``wgs84_to_gcj02(gcj02_to_wgs84(p))`` closes to better than 0.01 m.
    """
    lon, lat = _as_arrays(lon, lat)
    return _iterate_inverse(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift GCJ-02 coordinates to Baidu's BD-09."""
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift BD-09 coordinates to GCJ-02 with an iterated inverse."""
    lon, lat = _as_arrays(lon, lat)
    return _iterate_inverse(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS-84 coordinates to BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift BD-09 coordinates to WGS-84 (via GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_SHIFTS = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}
DATUMS = ("wgs84", "gcj02", "bd09")


def shift_coords(lon, lat, *, src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
    """Shift coordinates between ``wgs84``, ``gcj02`` and ``bd09``.

    Raises
    ------
    CRSError
        If ``src`` or ``dst`` is not one of :data:`DATUMS`.
    """
    if src not in DATUMS or dst not in DATUMS:
        raise CRSError(f"unknown datum {src!r} or {dst!r}; expected one of {', '.join(DATUMS)}")
    if src == dst:
        return _as_arrays(lon, lat)
    return _SHIFTS[(src, dst)](lon, lat)


def shift_geoseries(geoms, *, src: str, dst: str):
    """Return a copy of a WGS-84-like GeoSeries/GeoDataFrame with every vertex shifted.

    ``geoms`` must carry EPSG:4326 (GCJ-02 and BD-09 coordinates are stored in
    EPSG:4326-labelled frames by every web map library).
    """
    import shapely

    require_crs(geoms, expected=WGS84)

    def _shift(coords: np.ndarray) -> np.ndarray:
        x, y = shift_coords(coords[:, 0], coords[:, 1], src=src, dst=dst)
        return np.column_stack([x, y])

    out = geoms.copy()
    if hasattr(out, "geometry") and hasattr(out, "set_geometry"):
        out[out.geometry.name] = shapely.transform(out.geometry.values, _shift)
    else:
        out = out.__class__(shapely.transform(out.values, _shift), index=out.index, crs=out.crs)
    return out


def require_crs(frame, *, expected: str | None = None) -> CRS:
    """Return the CRS of a GeoSeries/GeoDataFrame, refusing a missing or unexpected one.

    Raises
    ------
    CRSError
        If the frame has no CRS ("assume EPSG:4326" is never done), or if ``expected`` is
        given and differs.
    """
    crs = getattr(frame, "crs", None)
    if crs is None:
        raise CRSError("layer has no CRS; set it explicitly (refusing to assume EPSG:4326)")
    if expected is not None and not CRS.from_user_input(crs).equals(CRS.from_user_input(expected)):
        raise CRSError(f"layer CRS is {CRS.from_user_input(crs).to_string()}, expected {expected}")
    return CRS.from_user_input(crs)


def to_metric(frame):
    """Return a copy of ``frame`` projected to EPSG:4547 (refuses a frame without CRS)."""
    require_crs(frame)
    return frame.to_crs(METRIC_CRS)


def is_zone_prefixed_easting(x) -> bool:
    """Tell whether eastings carry the zone prefix 38 (EPSG:4526 instead of EPSG:4547).

    Eight-digit eastings between 38,000,000 and 39,000,000 are the zone-prefixed form
    of the CM 114E Gauss-Kruger projection used in Shenzhen.
    """
    x = np.asarray(x, dtype="float64")
    x = x[np.isfinite(x)]
    if x.size == 0:
        return False
    return bool(np.all((x >= 38_000_000.0) & (x < 39_000_000.0)))


def strip_zone_prefix(x) -> np.ndarray:
    """Convert EPSG:4526 eastings to EPSG:4547 eastings by removing the zone prefix.

    Raises
    ------
    CRSError
        If the values are not zone-prefixed eastings of zone 38.
    """
    if not is_zone_prefixed_easting(x):
        raise CRSError("eastings are not 8-digit zone-38 values (EPSG:4526)")
    return np.asarray(x, dtype="float64") - ZONE_PREFIX_EASTING


def looks_swapped_lonlat(lon, lat, *, region=(73.0, 136.0, 3.0, 54.0)) -> bool:
    """Tell whether (lon, lat) pairs look like (lat, lon) swapped.

    True when every "longitude" is a valid latitude, and either some "latitude" is beyond
    ±90° or the swapped pairs fall inside ``region`` (lon_min, lon_max, lat_min, lat_max;
    mainland China by default) while the pairs as given do not.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    lon, lat = lon[ok], lat[ok]
    if lon.size == 0 or np.any(np.abs(lon) > 90.0):
        return False
    if np.any(np.abs(lat) > 90.0):
        return True
    x0, x1, y0, y1 = region

    def inside(x, y):
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)

    return bool(np.all(inside(lat, lon)) and not np.any(inside(lon, lat)))
