"""The published public view of the store: what the OGC API serves, and nothing else.

Built from the store snapshot the rest of the app shares (:func:`geodata.reports.inventory.snapshot`,
kept up to date by store revision on both backends), keeping only the public layers' public fields
(``LayerSpec.public_fields``); the indicators come from
:func:`geodata.reports.economy.indicator_report` with ``public=True`` (the disclosure rule applied,
suppressed cells empty). Geometry is WGS-84 (EPSG:4326, longitude first: CRS84), as stored; a layer
without a CRS is an error.

Each collection is prepared once per store revision — its rows as GeoJSON-ready dicts, the bounds of
its geometries — so a request only selects rows. The objects are shared by every request: read-only.
"""
from __future__ import annotations

import json
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.reports.inventory import snapshot
from layers.catalogue import CARRIER_LAYERS
from ogcapi.collections import Collection, INDICATOR_FIELDS
from spatial.crs import WGS84, require_crs

__all__ = ["Table", "PublicView", "current_view", "has_indicators"]

_ZONE_LAYER = {"cluster": "clusters", "subdistrict": "subdistricts", "district": "district"}


class Table:
    """One collection's public rows, ready to answer queries.

    Attributes
    ----------
    frame : pandas.DataFrame
        The public properties (no geometry), index 0..n-1: filtered and sorted by requests.
    geoms : numpy.ndarray or None
        Shapely geometries (None where a row has none); None for a table without geometry.
    bounds : numpy.ndarray
        ``(n, 4)`` bounds of the geometries (NaN where none).
    ids, props, geojson : list
        Each row's id, properties (plain Python values, None for unknown) and GeoJSON geometry.
    compact : list
        Each row's properties without the unknown ones (GeoJSON pages for programs: about half the
        bytes to send and parse; the collection's schema still lists every property).
    """

    def __init__(self, frame: pd.DataFrame, geoms: np.ndarray | None):
        self.frame = frame.reset_index(drop=True)
        self.geoms = geoms
        n = len(self.frame)
        self.bounds = shapely.bounds(geoms) if geoms is not None else np.full((n, 4), np.nan)
        self.ids = [str(i) for i in self.frame["id"]] if "id" in self.frame.columns else [str(i) for i in range(n)]
        columns = [_plain(self.frame[c]) for c in self.frame.columns]
        names = list(self.frame.columns)
        self.props = [dict(zip(names, row)) for row in zip(*columns)] if names else [{} for _ in range(n)]
        self.compact = [{k: v for k, v in p.items() if v is not None} for p in self.props]
        if geoms is None:
            self.geojson = [None] * n
        else:
            self.geojson = [None if g is None else json.loads(g) for g in shapely.to_geojson(geoms)]

    def __len__(self) -> int:
        return len(self.frame)


def _plain(column: pd.Series) -> list:
    """A column as plain Python values (float, int, bool, str), None where unknown."""
    values = column.astype(object)
    return values.where(column.notna(), None).tolist()


def _wgs84(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries of ``frame`` in WGS-84 (converted when stored otherwise; no CRS is an error)."""
    require_crs(frame)
    if not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    return np.where(pd.isna(geoms), None, geoms)


def _public_frame(frame: pd.DataFrame, collection: Collection) -> pd.DataFrame:
    """Only the collection's (public) fields, in its order; a field the store lacks is empty."""
    data = {name: frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index,
                                                                       dtype=object)
            for name in collection.field_names}
    return pd.DataFrame(data, index=frame.index)


class PublicView:
    """The public collections of the store at one revision, each prepared on first use."""

    def __init__(self, frames: dict, collections: dict[str, Collection], location=None, *,
                 previous: PublicView | None = None):
        self.frames = frames
        self.collections = collections
        self.location = location
        self._tables: dict[str, Table] = {} if previous is None else _unchanged(previous, frames, collections)
        self._lock = threading.Lock()

    def table(self, key: str) -> Table:
        """The prepared rows of collection ``key``."""
        with self._lock:
            found = self._tables.get(key)
            if found is None:
                found = self._tables[key] = self._build(self.collections[key])
            return found

    def _build(self, collection: Collection) -> Table:
        if collection.level is not None:
            return self._indicators(collection)
        frame = self.frames[collection.layer]
        public = _public_frame(frame, collection)
        if collection.layer == "units":
            return Table(public, self._carrier_points(public["carrier_id"]))
        if collection.geometry is None:
            return Table(public, None)
        return Table(public, _wgs84(frame))

    def _carrier_points(self, carrier_ids: pd.Series) -> np.ndarray:
        """The position of each carrier in ``carrier_ids`` (None when unknown or unlocated)."""
        where: dict[str, object] = {}
        for key in CARRIER_LAYERS:
            frame = self.frames[key]
            where.update(zip(frame["id"].astype(str), _wgs84(frame)))
        return np.array([where.get(str(i)) for i in carrier_ids], dtype=object)

    def _indicators(self, collection: Collection) -> Table:
        """The public indicators of the collection's level, one row per unit and year."""
        from geodata.reports.economy import indicator_report

        level = collection.level
        first = indicator_report(level, location=self.location, public=True)
        parts = []
        for year in first["available_years"]:
            result = first if first["years"] == (year, year) else \
                indicator_report(level, location=self.location, year=year, public=True)
            parts.append(_indicator_rows(result, year))
        rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=collection.field_names)
        rows = _public_frame(rows, collection)
        if level == "carrier":
            return Table(rows, self._carrier_points(rows["unit"]))
        zones = self.frames[_ZONE_LAYER[level]]
        where = dict(zip(zones["id"].astype(str), _wgs84(zones)))
        return Table(rows, np.array([where.get(str(u)) for u in rows["unit"]], dtype=object))


def _unchanged(previous: PublicView, frames: dict, collections: dict) -> dict[str, Table]:
    """The tables of ``previous`` whose layer is the very same frame in ``frames`` (the snapshot shares
    the frames of layers a revision did not touch): kept, not prepared again. Units (placed by the
    carriers) and indicators (from other tables) are always prepared again."""
    if previous.collections is not collections:
        return {}
    with previous._lock:
        return {key: table for key, table in previous._tables.items()
                if (layer := collections[key].layer) not in (None, "units")
                and previous.frames.get(layer) is frames.get(layer)}


def _indicator_rows(result: dict, year: int) -> pd.DataFrame:
    """One year's public rows: every withheld cell empty (whatever the report left in it), the withheld
    fields listed in ``suppressed``."""
    rows = result["rows"].copy()
    withheld = [set(s or ()) for s in rows["suppressed"]]
    for field in (*INDICATOR_FIELDS, "industries", "occupancy_basis"):
        if field not in rows.columns:
            rows[field] = None
        hide = np.array([field in s for s in withheld], dtype=bool)
        rows[field] = rows[field].astype(object).where(~hide, None)
    rows["industries"] = [None if v is None else (";".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
                          for v in rows["industries"]]
    rows["suppressed"] = [";".join(sorted(s)) or None for s in withheld]
    rows["year"] = int(year)
    rows["id"] = [f"{u}@{year}" for u in rows["unit"].astype(str)]
    return rows


_views: dict[str, PublicView] = {}
_views_lock = threading.Lock()


def current_view(collections: dict[str, Collection], location=None) -> PublicView:
    """The public view of the store at ``location`` (default: the configured one) at its current
    revision: the same object until the store changes, then a new one."""
    frames, _ = snapshot(location)
    key = str(location)
    with _views_lock:
        view = _views.get(key)
        if view is None or view.frames is not frames or view.collections is not collections:
            view = _views[key] = PublicView(frames, collections, location, previous=view)
        return view


def has_indicators(location=None) -> bool:
    """Whether the store holds enterprise figures (then the indicator collections are served)."""
    from geodata.reports.economy import indicator_report

    return not indicator_report("district", location=location, public=True)["empty"]
