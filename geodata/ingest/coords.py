"""Coordinates of an import: from a geometry (GIS formats) or lon/lat columns in the declared CRS,
to WGS-84.

``wgs84``, ``gcj02`` (AMap/Tencent), ``bd09`` (Baidu), ``cgcs2000`` (EPSG:4490) or ``epsg:4547``
(metres; zone-prefixed 8-digit eastings are stripped, with a note). What is wrong with a row's
coordinates is decided by :func:`geodata.ingest.rowchecks.check_locations`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.ingest.readers import GEOMETRY_PROBLEMS
from geodata.ingest.schema import is_blank
from spatial.crs import (METRIC_CRS, WGS84, bd09_to_wgs84, gcj02_to_wgs84, get_transformer, is_zone_prefixed_easting,
                         strip_zone_prefix)
from spatial.errors import SpaceMapError

CRS_CHOICES = ("wgs84", "gcj02", "bd09", "cgcs2000", "epsg:4547")
AMAP_HINT = re.compile(r"高德|amap|gaode|autonavi|gcj", re.IGNORECASE)
NOT_FINITE = "coordinates are not finite numbers"


@dataclass
class Coordinates:
    """Each row's location: WGS-84 ``x``/``y`` (NaN: none), the numbers as given (``x_in``/``y_in``)
    and, for lon/lat columns, the raw cells (None for GIS formats). ``unusable`` names the rows whose
    geometry cannot be used at all: position → (field, value, reason)."""

    x: np.ndarray
    y: np.ndarray
    x_in: np.ndarray
    y_in: np.ndarray
    raw_lon: pd.Series | None
    raw_lat: pd.Series | None
    unusable: dict[int, tuple[str, object, str]] = field(default_factory=dict)

    @property
    def located(self) -> np.ndarray:
        """Rows with a WGS-84 position."""
        return ~np.isnan(self.x) & ~np.isnan(self.y)

    def points(self) -> gpd.GeoSeries:
        """The rows' points in WGS-84 (None where there is no position)."""
        pts = np.where(self.located, shapely.points(np.nan_to_num(self.x), np.nan_to_num(self.y)), None)
        return gpd.GeoSeries(pts, crs=WGS84)

    def raw(self, i: int) -> tuple[object, object]:
        """Row ``i``'s lon/lat cells as written (None, None for GIS formats)."""
        return (None if self.raw_lon is None else self.raw_lon.iloc[i],
                None if self.raw_lat is None else self.raw_lat.iloc[i])

    def given(self, i: int) -> bool:
        """Whether row ``i`` states a location at all."""
        if self.raw_lon is None and self.raw_lat is None:
            return not np.isnan(self.x_in[i])
        lon, lat = self.raw(i)
        return not (is_blank(lon) and is_blank(lat))


def numbers(series: pd.Series | None, n: int) -> np.ndarray:
    """Floats from text cells (thousands separators removed); NaN where not a number or no column."""
    if series is None:
        return np.full(n, np.nan)
    return pd.to_numeric(series.map(lambda v: str(v).strip().replace(",", "") if v is not None else v),
                         errors="coerce").to_numpy(dtype=float)


def to_wgs84(x: np.ndarray, y: np.ndarray, crs: str, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``x``/``y`` in the declared ``crs`` (one of :data:`CRS_CHOICES`) to WGS-84 lon/lat."""
    if crs == "gcj02":
        return gcj02_to_wgs84(x, y)
    if crs == "bd09":
        return bd09_to_wgs84(x, y)
    if crs == "cgcs2000":
        return get_transformer("EPSG:4490", WGS84).transform(x, y)
    if crs == "epsg:4547":
        if is_zone_prefixed_easting(x):
            x = strip_zone_prefix(x)
            notes.append("eastings carried the zone prefix 38 (EPSG:4526 style); it was removed")
        return get_transformer(METRIC_CRS, WGS84).transform(x, y)
    return x, y


def read_coordinates(frame: pd.DataFrame, crs: str, notes: list[str]) -> Coordinates:
    """The rows' coordinates, from the geometry of a GIS file or from its lon/lat columns."""
    n = len(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        unusable = {i: ("geometry", value, reason)
                     for i, (value, reason) in frame.attrs.get(GEOMETRY_PROBLEMS, {}).items()}
        x, y = _from_geometry(frame.geometry, crs, notes, unusable)
        return Coordinates(x, y, x.copy(), y.copy(), None, None, unusable)
    lon_raw, lat_raw = frame.get("lon"), frame.get("lat")
    if lon_raw is None or lat_raw is None:
        notes.append("no lon/lat columns: new rows are imported without a location; existing ids keep their stored location")
    x_in, y_in = numbers(lon_raw, n), numbers(lat_raw, n)
    x, y = to_wgs84(x_in.copy(), y_in.copy(), crs, notes)
    return Coordinates(np.asarray(x, float), np.asarray(y, float), x_in, y_in,
                       None if lon_raw is None else lon_raw.reset_index(drop=True),
                       None if lat_raw is None else lat_raw.reset_index(drop=True))


def _from_geometry(geoms: gpd.GeoSeries, crs: str, notes: list[str],
                   unusable: dict) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 x/y of each geometry (a point on the surface of a non-point); a geometry with a NaN or
    infinite coordinate has none and is added to ``unusable``."""
    if geoms.crs is None:
        raise SpaceMapError("the file's geometry has no coordinate system (.prj / CRS missing)")
    pts = geoms.to_numpy()
    located = ~shapely.is_missing(pts) & ~shapely.is_empty(pts)
    coords, index = shapely.get_coordinates(pts, return_index=True)
    for i in sorted(set(index[~np.isfinite(coords).all(axis=1)].tolist())):
        unusable[i] = ("geometry", shapely.to_wkt(pts[i]), NOT_FINITE)
        located[i] = False
    pts = np.where(located, pts, None)
    if (located & (shapely.get_type_id(pts) != 0)).any():
        notes.append("non-point geometries were placed at a point on their surface")
        pts = np.where(located & (shapely.get_type_id(pts) != 0),
                       shapely.point_on_surface(np.where(located, pts, None)), pts)
    wgs = gpd.GeoSeries(pts, crs=geoms.crs).to_crs(WGS84)
    x = np.where(located, wgs.x.to_numpy(), np.nan)
    y = np.where(located, wgs.y.to_numpy(), np.nan)
    if crs in ("gcj02", "bd09"):  # a GIS file in EPSG:4326 whose numbers are really GCJ-02 / BD-09
        x, y = to_wgs84(x, y, crs, notes)
    return x, y


def amap_hint(path: Path, frame: pd.DataFrame) -> str | None:
    """Where the file says its coordinates come from AMap (GCJ-02): its name or a source column."""
    if AMAP_HINT.search(path.name):
        return f"file name {path.name!r}"
    for col in frame.columns:
        if str(col) in ("source", "crs", "坐标系", "coord_sys", "datum") or AMAP_HINT.search(str(col)):
            values = frame[col].dropna().astype(str)
            hit = values[values.str.contains(AMAP_HINT)]
            if len(hit):
                return f"column {col!r}: {hit.iloc[0][:40]!r}"
    return None
