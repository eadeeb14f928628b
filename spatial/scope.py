"""The scope switch: Futian only, or all of Shenzhen, decided by the district layers."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from spatial.crs import to_metric

SCOPES = ("futian", "shenzhen")
DEFAULT_SCOPE = "futian"
SCOPE_TITLES = {"futian": ("福田区", "Futian"), "shenzhen": ("全深圳", "All Shenzhen")}
EDGE_TOLERANCE_M = 50.0
"""A carrier this close to Futian's boundary counts as inside (the boundary is approximate)."""


def check_scope(scope: str) -> str:
    """Return ``scope`` or raise ValueError naming the valid ones."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: use one of {', '.join(SCOPES)}")
    return scope


def in_scope(carriers: gpd.GeoDataFrame, district: gpd.GeoDataFrame, scope: str) -> np.ndarray:
    """Which carriers belong to ``scope``: every carrier for ``shenzhen``; for ``futian``, those
    whose location lies in the Futian district layer (within :data:`EDGE_TOLERANCE_M`) and
    those without a location (the bureau's own carriers, place not yet known)."""
    check_scope(scope)
    n = len(carriers)
    if scope == "shenzhen" or not n:
        return np.ones(n, dtype=bool)
    geoms = to_metric(carriers.geometry).to_numpy()
    located = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    area = shapely.buffer(shapely.union_all(to_metric(district.geometry).to_numpy()), EDGE_TOLERANCE_M)
    shapely.prepare(area)
    inside = np.zeros(n, dtype=bool)
    inside[located] = shapely.intersects(area, geoms[located])
    return inside | ~located
