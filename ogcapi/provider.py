"""The pygeoapi feature provider of the public collections.

pygeoapi makes one provider per request (``load_plugin``): this one is cheap to make and answers from
the published public view (:mod:`ogcapi.published`), prepared once per store revision. It supports
what OGC API – Features Part 1 and 3 ask of a provider: ``bbox`` (exact: a feature's geometry
intersects the box), equality filters on any property, CQL2 (``filter``, text or JSON, through
pygeofilter's GeoPandas evaluator), free text ``q``, ``sortby``, ``properties``, ``skipGeometry``,
``offset``/``limit`` paging and ``resulttype=hits``; ``crs`` transformation is pygeoapi's own.
Nothing is written: create, update and delete are refused.
"""
from __future__ import annotations

import logging
from contextvars import ContextVar

import numpy as np
import pandas as pd
import shapely
from pygeoapi.provider.base import (BaseProvider, ProviderConnectionError, ProviderInvalidQueryError,
                                    ProviderItemNotFoundError)
from pygeoapi.util import crs_transform

from ogcapi.collections import Collection, indicator_collections, layer_collections
from ogcapi.published import Table, current_view

__all__ = ["PublicProvider", "registry", "set_registry", "COMPACT"]

LOG = logging.getLogger(__name__)
_REGISTRY: dict[str, Collection] = {}
COMPACT: ContextVar[bool] = ContextVar("spacemap_ogcapi_compact", default=False)
"""True while answering a request for GeoJSON (set by :class:`ogcapi.server.Guard`): features after the
first of a page leave out their unknown (null) properties — about half the bytes to send and parse.
The first feature of every page carries every property, null or not, so clients that learn the fields
from the features (GDAL, QGIS) see them all. HTML, CSV and JSON-LD pages get every property."""


def set_registry(collections: dict[str, Collection]) -> None:
    """Make ``collections`` the ones providers serve (the server does this once, before pygeoapi starts)."""
    _REGISTRY.clear()
    _REGISTRY.update(collections)


def registry() -> dict[str, Collection]:
    """The collections providers serve (by default every public layer and the indicator levels)."""
    if not _REGISTRY:
        import settings

        minimum, share = settings.disclosure_rule()
        set_registry({c.key: c for c in (*layer_collections(),
                                         *indicator_collections(min_enterprises=minimum, dominance=share))})
    return _REGISTRY


class PublicProvider(BaseProvider):
    """Serve one public collection (``data``: its key) from the published view of the configured store."""

    def __init__(self, provider_def):
        super().__init__(provider_def)
        try:
            self.collection = registry()[str(self.data)]
        except KeyError:
            raise ProviderConnectionError("unknown collection") from None
        self.id_field = "id"
        names = self.collection.field_names
        self.title_field = "name_zh" if "name_zh" in names else None
        self._fields = {f.name: f.schema() for f in self.collection.fields}

    def get_fields(self) -> dict:
        """The collection's public properties with their JSON Schema type, title and description."""
        return self._fields

    def _table(self) -> Table:
        try:
            return current_view(registry()).table(self.collection.key)
        except Exception as exc:  # noqa: BLE001 - the store's trouble stays in the server log
            LOG.error("cannot read the public view of %s: %s", self.collection.key, exc)
            raise ProviderConnectionError("the data are not available right now") from None

    @crs_transform
    def query(self, offset=0, limit=10, resulttype="results", bbox=None, datetime_=None, properties=None,
              sortby=None, select_properties=None, skip_geometry=False, q=None, filterq=None, **kwargs) -> dict:
        """A page of the features matching every condition given (all of them, ANDed)."""
        table = self._table()
        rows = _matching(table, bbox=bbox or [], properties=properties or [], q=q, filterq=filterq)
        rows = _sorted(table, rows, sortby or [])
        offset, limit = max(0, int(offset or 0)), max(0, int(limit if limit is not None else 10))
        page = rows[offset:offset + limit] if resulttype != "hits" else rows[:0]
        keep = list(select_properties or [])
        compact = COMPACT.get()
        features = [_feature(table, int(i), keep, bool(skip_geometry), compact and n > 0) for n, i in enumerate(page)]
        return {"type": "FeatureCollection", "features": features, "numberMatched": int(len(rows)),
                "numberReturned": len(features)}

    @crs_transform
    def get(self, identifier, **kwargs) -> dict:
        """The feature whose id is ``identifier``."""
        table = self._table()
        try:
            i = table.ids.index(str(identifier))
        except ValueError:
            raise ProviderItemNotFoundError("identifier not found") from None
        return _feature(table, i, [], False)

    def create(self, item):
        raise ProviderInvalidQueryError("read-only service")

    def update(self, identifier, item):
        raise ProviderInvalidQueryError("read-only service")

    def delete(self, identifier):
        raise ProviderInvalidQueryError("read-only service")

    def __repr__(self):
        return f"<PublicProvider> {self.collection.key}"


def _feature(table: Table, i: int, keep: list[str], skip_geometry: bool, compact: bool = False) -> dict:
    """Row ``i`` as a GeoJSON feature: a new dict each time (pygeoapi may change it), the shared
    properties (without the unknown ones when ``compact``) unless only some are asked for."""
    if keep:
        props = {k: table.props[i].get(k) for k in keep}
    else:
        props = table.compact[i] if compact else table.props[i]
    return {"type": "Feature", "id": table.ids[i], "geometry": None if skip_geometry else table.geojson[i],
            "properties": props}


def _matching(table: Table, *, bbox: list, properties: list, q: str | None, filterq) -> np.ndarray:
    """The row numbers matching the bbox, the property equalities, the text and the CQL2 filter."""
    mask = np.ones(len(table), dtype=bool)
    if bbox:
        mask &= _in_bbox(table, bbox)
    for name, value in properties:
        mask &= _equals(table.frame, name, value)
    if q:
        mask &= _has_text(table.frame, str(q))
    if filterq is not None:
        mask &= _cql(table, filterq)
    return np.flatnonzero(mask)


def _in_bbox(table: Table, bbox: list) -> np.ndarray:
    """Rows whose geometry intersects the box (first the bounds, then the exact test)."""
    minx, miny, maxx, maxy = (float(v) for v in list(bbox)[:4]) if len(bbox) == 4 else \
        (float(bbox[0]), float(bbox[1]), float(bbox[3]), float(bbox[4]))
    b = table.bounds
    with np.errstate(invalid="ignore"):
        near = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
    if table.geoms is None or not near.any():
        return near
    hit = np.zeros(len(table), dtype=bool)
    cand = np.flatnonzero(near)
    hit[cand] = shapely.intersects(table.geoms[cand], shapely.box(minx, miny, maxx, maxy))
    return hit


def _equals(frame: pd.DataFrame, name: str, value: str) -> np.ndarray:
    """Rows whose property ``name`` equals ``value`` (numbers and booleans compared as such)."""
    if name not in frame.columns:
        raise ProviderInvalidQueryError(f"unknown property {name!r}")
    column = frame[name]
    if pd.api.types.is_bool_dtype(column):
        wanted = str(value).strip().lower() in ("true", "1", "yes")
        return (column == wanted).to_numpy()
    if pd.api.types.is_numeric_dtype(column):
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        return np.zeros(len(frame), dtype=bool) if pd.isna(number) else (column == number).fillna(False).to_numpy()
    return (column.astype(object).map(lambda v: v is not None and str(v) == str(value))).to_numpy(dtype=bool)


def _has_text(frame: pd.DataFrame, text: str) -> np.ndarray:
    """Rows with ``text`` (any case) in one of their text properties."""
    hit = np.zeros(len(frame), dtype=bool)
    needle = text.casefold()
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            hit |= column.map(lambda v: isinstance(v, str) and needle in v.casefold()).to_numpy(dtype=bool)
    return hit


def _cql(table: Table, filterq) -> np.ndarray:
    """Rows matching a parsed CQL2 expression (pygeofilter's GeoPandas evaluator)."""
    import geopandas as gpd
    from pygeofilter.backends.geopandas.evaluate import to_filter

    frame = table.frame
    if table.geoms is not None:
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(table.geoms, crs="EPSG:4326"))
    mapping = {c: c for c in frame.columns}
    try:
        result = to_filter(frame, filterq, mapping, {})
    except (KeyError, TypeError, ValueError, AttributeError, NotImplementedError) as exc:
        raise ProviderInvalidQueryError(f"filter not supported here: {type(exc).__name__}") from None
    if isinstance(result, (bool, np.bool_)):
        return np.full(len(frame), bool(result))
    return pd.Series(result, index=frame.index).fillna(False).to_numpy(dtype=bool)


def _sorted(table: Table, rows: np.ndarray, sortby: list) -> np.ndarray:
    """``rows`` in the order ``sortby`` asks (``[{"property", "order": "+"|"-"}]``; unknown last)."""
    if not sortby or not len(rows):
        return rows
    frame = table.frame.iloc[rows]
    names, ascending = [], []
    for item in sortby:
        name = item.get("property")
        if name not in frame.columns:
            raise ProviderInvalidQueryError(f"unknown property {name!r}")
        names.append(name)
        ascending.append(item.get("order", "+") != "-")
    return frame.sort_values(names, ascending=ascending, kind="stable", na_position="last").index.to_numpy()
