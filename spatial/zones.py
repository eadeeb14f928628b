"""Which zones (subdistricts, clusters, Hetao parts) contain each point, in EPSG:4547."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from spatial.crs import to_metric


def zones_containing(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, zone_id: str = "id") -> pd.Series:
    """Return, for each point, the sorted list of ids of the zones that contain it.

    Points on a shared border belong to every zone they touch; null or empty geometries
    get an empty list. Containment is tested in EPSG:4547 (where the zone edges were
    built straight).

    Returns
    -------
    pandas.Series
        Lists of zone ids, aligned to ``points.index``, named ``zones``.
    """
    n = len(points)
    result = np.empty(n, dtype=object)
    result[:] = [[] for _ in range(n)]
    geoms = points.geometry
    located = (geoms.notna() & ~geoms.is_empty).to_numpy()
    if located.any() and not zones.empty:
        pts = to_metric(geoms[located]).to_numpy()
        zone_geoms = to_metric(zones.geometry).to_numpy()
        ids = zones[zone_id].astype(str).to_numpy(dtype=object)
        rank = np.empty(len(ids), dtype=np.int64)  # zone position → rank of its id (for sorted lists)
        rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
        p, z = shapely.STRtree(zone_geoms).query(pts, predicate="intersects")
        r = rank[z]
        order = np.lexsort((r, p))
        p, r = p[order], r[order]
        keep = np.r_[True, (p[1:] != p[:-1]) | (r[1:] != r[:-1])] if len(p) else np.zeros(0, bool)
        p, r = p[keep], r[keep]
        by_rank = np.sort(ids)
        starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]]) if len(p) else np.zeros(0, np.int64)
        positions = np.flatnonzero(located)
        for start, end in zip(starts, np.r_[starts[1:], len(p)]):
            result[positions[p[start]]] = list(by_rank[r[start:end]])
    return pd.Series(result, index=points.index, name="zones", dtype=object)


def first_zone(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, zone_id: str = "id") -> pd.Series:
    """The first containing zone id per point (None outside every zone)."""
    lists = zones_containing(points, zones, zone_id=zone_id)
    return lists.map(lambda ids: ids[0] if ids else None).rename("zone")
