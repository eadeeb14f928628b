"""Where a feature is: inside Futian, inside Shenzhen, and the scope switch built on them.

This module holds the one definition of each, used by the importer's row check, the
validator and the scope filter (and, through :data:`EDGE_TOLERANCE_M`, by the PostGIS
push-down in ``geodata.storage``):

* **inside Futian**: within :data:`FUTIAN_TOLERANCE_M` of the Futian district layer;
* **inside Shenzhen**: within :data:`SHENZHEN_TOLERANCE_M` of the Shenzhen district layers
  (Futian included).

Distances are measured in EPSG:4547. A point is inside when it lies within the tolerance (the
distance PostGIS's ``ST_DWithin`` measures); an area (a zone polygon) when at least
:data:`MIN_SHARE_INSIDE` of it does. A feature without a location is not inside anything:
each caller says what an unlocated feature means to it.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from spatial.crs import to_metric

SCOPES = ("futian", "shenzhen")
DEFAULT_SCOPE = "futian"

FUTIAN_TOLERANCE_M = 50.0
"""A feature this close to Futian's boundary counts as inside Futian. The boundary is AMap's
generalised district outline (vertices about 60 m apart) and carrier points are geocoded
addresses, often placed at a gate or a street tens of metres from the building."""

SHENZHEN_TOLERANCE_M = 100.0
"""A feature this close to the city's boundary counts as inside Shenzhen. At least Futian's
tolerance, so whatever is inside Futian is inside Shenzhen (Futian's southern boundary is the
city's, along the Shenzhen River); twice it, for points geocoded onto the river or the bay shore.
Far less than the 500 m the importer once allowed, which took in most of Hong Kong's Lok Ma Chau
Loop across the river (0–1.2 km beyond the boundary; about 7 % of it lies within 100 m)."""

EDGE_TOLERANCE_M = FUTIAN_TOLERANCE_M
"""The name the PostGIS push-down (``geodata.storage.tally_sql`` / ``match_sql``) uses for Futian's tolerance."""

MIN_SHARE_INSIDE = 0.95
"""An area counts as inside when at least this share of it lies within the tolerance."""


@dataclass(frozen=True)
class Boundary:
    """A boundary (the union of district layers, in EPSG:4547) with the tolerance that goes with it."""

    geometry: shapely.Geometry
    tolerance_m: float

    def near(self, features) -> pd.Series:
        """Whether any part of each feature lies within the tolerance (``ST_DWithin``); False when unlocated."""
        geoms, located = _metric(features)
        return pd.Series(self._near(geoms, located), index=features.index, name="near")

    def share(self, features) -> pd.Series:
        """The share of each feature within the tolerance: 1 or 0 for a point, the share of the
        area for a polygon; NaN when unlocated."""
        geoms, located = _metric(features)
        near = self._near(geoms, located)
        out = np.where(located, near.astype(float), np.nan)
        areal = near & (shapely.area(geoms) > 0)
        if areal.any():
            area = shapely.buffer(self.geometry, self.tolerance_m)
            out[areal] = shapely.area(shapely.intersection(area, geoms[areal])) / shapely.area(geoms[areal])
        return pd.Series(out, index=features.index, name="share")

    def inside(self, features) -> pd.Series:
        """Whether each feature is inside: a point within the tolerance, an area with at least
        :data:`MIN_SHARE_INSIDE` of it within; False when unlocated."""
        return (self.share(features).fillna(0.0) >= MIN_SHARE_INSIDE).rename("inside")

    def _near(self, geoms: np.ndarray, located: np.ndarray) -> np.ndarray:
        out = np.zeros(len(geoms), dtype=bool)
        out[located] = shapely.dwithin(self.geometry, geoms[located], self.tolerance_m)
        return out


def _metric(features) -> tuple[np.ndarray, np.ndarray]:
    """The geometries in EPSG:4547 and which are located (present, not empty, finite once projected)."""
    geoms = to_metric(_geoseries(features)).to_numpy()
    return geoms, np.isfinite(shapely.bounds(geoms)).all(axis=1)


def _geoseries(features) -> gpd.GeoSeries:
    return features.geometry if isinstance(features, gpd.GeoDataFrame) else features


def _union(*layers) -> shapely.Geometry:
    parts = [g for layer in layers if layer is not None for g in to_metric(_geoseries(layer)).to_numpy()]
    geometry = shapely.union_all([g for g in parts if g is not None and not g.is_empty])
    shapely.prepare(geometry)
    return geometry


def futian(district) -> Boundary:
    """Futian: the ``district`` layer (GeoDataFrame or GeoSeries, any CRS) with :data:`FUTIAN_TOLERANCE_M`."""
    return Boundary(_union(district), FUTIAN_TOLERANCE_M)


def shenzhen(*districts) -> Boundary:
    """Shenzhen: the union of the district layers given (e.g. ``district`` and ``shenzhen_districts``;
    None is skipped) with :data:`SHENZHEN_TOLERANCE_M`."""
    return Boundary(_union(*districts), SHENZHEN_TOLERANCE_M)


def inside_futian(features, district) -> pd.Series:
    """Which ``features`` (GeoSeries or GeoDataFrame) lie inside Futian, aligned to their index.

    Parameters
    ----------
    features : GeoSeries or GeoDataFrame
        Points or polygons with a CRS.
    district : GeoDataFrame or GeoSeries
        The Futian district layer.
    """
    return futian(district).inside(features).rename("inside_futian")


def inside_shenzhen(features, *districts) -> pd.Series:
    """Which ``features`` lie inside Shenzhen, aligned to their index.

    Parameters
    ----------
    features : GeoSeries or GeoDataFrame
        Points or polygons with a CRS.
    *districts : GeoDataFrame or GeoSeries
        The layers whose union is the city (``district`` and ``shenzhen_districts``).
    """
    return shenzhen(*districts).inside(features).rename("inside_shenzhen")


def check_scope(scope: str) -> str:
    """Return ``scope`` or raise ValueError naming the valid ones."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: use one of {', '.join(SCOPES)}")
    return scope


def in_scope(carriers: gpd.GeoDataFrame, district: gpd.GeoDataFrame, scope: str) -> np.ndarray:
    """Which carriers belong to ``scope``: every carrier for ``shenzhen``; for ``futian``, those
    inside Futian (:func:`inside_futian`: a point within :data:`FUTIAN_TOLERANCE_M`), those without
    a location (the bureau's own carriers, place not yet known) and any other feature with a part
    within the tolerance (a parcel crossing the boundary), as the PostGIS push-down counts them."""
    check_scope(scope)
    n = len(carriers)
    if scope == "shenzhen" or not n:
        return np.ones(n, dtype=bool)
    geoms = _geoseries(carriers).to_numpy()
    unlocated = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    return futian(district).near(carriers).to_numpy() | unlocated
