"""Computed areas and lengths, always in EPSG:4547."""
from __future__ import annotations

import pandas as pd

from spatial.crs import to_metric


def area_m2(frame) -> pd.Series:
    """Return the planar area of each geometry in m², computed in EPSG:4547.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame or geopandas.GeoSeries
        Any CRS; a frame without CRS is refused.

    Returns
    -------
    pandas.Series
        Named ``area_m2``, aligned to the input index; points and lines give 0.
    """
    metric = to_metric(frame)
    geoms = metric.geometry if hasattr(metric, "geometry") else metric
    return pd.Series(geoms.area.to_numpy(), index=frame.index, name="area_m2")


def share_inside(frame, container) -> pd.Series:
    """Return the share (0–1) of each geometry's area that lies inside ``container``.

    ``container`` is a shapely geometry in the CRS of ``frame``. Computed in EPSG:4547.
    """
    import geopandas as gpd

    metric = to_metric(frame)
    cont = gpd.GeoSeries([container], crs=frame.crs).to_crs(metric.crs).iloc[0]
    total = metric.geometry.area.to_numpy()
    inside = metric.geometry.intersection(cont).area.to_numpy()
    share = pd.Series(inside, index=frame.index, name="share_inside")
    return share.where(total == 0, share / pd.Series(total, index=frame.index).where(total > 0))


def simplify_m(frame, tolerance_m: float, *, grid_deg: float = 1e-6):
    """A copy simplified by ``tolerance_m`` metres (in EPSG:4547) for display, CRS kept.

    Topology inside each geometry is preserved; vertices are snapped to ``grid_deg``
    degrees (1e-6° ≈ 0.1 m) to keep the drawing payload small. Never use the result for
    measurement.
    """
    import shapely

    metric = to_metric(frame)
    simplified = metric.geometry.simplify(tolerance_m, preserve_topology=True)
    out = frame.copy()
    back = simplified.to_crs(frame.crs)
    out[frame.geometry.name] = shapely.set_precision(back.to_numpy(), grid_deg)
    return out
