"""Which zones (subdistricts, clusters, Hetao parts) contain each point, in EPSG:4547."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

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
    result = pd.Series([[] for _ in range(len(points))], index=points.index, name="zones", dtype=object)
    located = points.geometry.notna() & ~points.geometry.is_empty
    if not located.any() or zones.empty:
        return result
    pts = to_metric(points.loc[located, [points.geometry.name]])
    zs = to_metric(zones[[zone_id, zones.geometry.name]])
    joined = gpd.sjoin(pts, zs, how="inner", predicate="intersects")
    grouped = joined.groupby(level=0)[zone_id].apply(lambda s: sorted(set(s)))
    for idx, ids in grouped.items():
        result.at[idx] = ids
    return result


def first_zone(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, zone_id: str = "id") -> pd.Series:
    """The first containing zone id per point (None outside every zone)."""
    lists = zones_containing(points, zones, zone_id=zone_id)
    return lists.map(lambda ids: ids[0] if ids else None).rename("zone")
