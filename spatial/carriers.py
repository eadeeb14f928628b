"""The carrier inventory as one frame: zone membership and filters (totals: spatial.tally)."""
from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd

from spatial.zones import first_zone, zones_containing


def combine_carriers(frames: dict[str, pd.DataFrame], layer_keys: Iterable[str]) -> gpd.GeoDataFrame:
    """Concatenate the carrier layers into one GeoDataFrame (``layer`` says which)."""
    parts = [frames[k].assign(layer=k) for k in layer_keys if k in frames and len(frames[k])]
    if not parts:
        return gpd.GeoDataFrame({"id": [], "layer": []}, geometry=[], crs="EPSG:4326")
    crs = parts[0].crs
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)


def annotate_carriers(carriers: gpd.GeoDataFrame, *, subdistricts: gpd.GeoDataFrame,
                      clusters: gpd.GeoDataFrame, hetao: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with ``subdistrict`` (id), ``clusters`` (list of ids) and ``in_hetao``.

    Carriers without a location get None / [] / False.
    """
    out = carriers.copy()
    out["subdistrict"] = first_zone(carriers, subdistricts).to_numpy()
    out["clusters"] = zones_containing(carriers, clusters).to_numpy()
    shenzhen_park = hetao.loc[~hetao["context"].astype(bool)] if "context" in hetao.columns else hetao
    out["in_hetao"] = zones_containing(carriers, shenzhen_park).map(bool).to_numpy()
    return out


def _has_any_code(values: pd.Series, wanted: set[str]) -> pd.Series:
    return values.map(lambda v: bool(wanted & set(str(v).split(";"))) if isinstance(v, str) else False)


def filter_carriers(carriers: pd.DataFrame, *, layers: Iterable[str] | None = None,
                    industries: Iterable[str] | None = None, subdistricts: Iterable[str] | None = None,
                    clusters: Iterable[str] | None = None, min_available_m2: float | None = None) -> pd.Series:
    """Boolean mask of carriers passing every given filter (None or empty = no filter).

    ``min_available_m2`` keeps only carriers whose stated available area is at least
    that; a carrier whose available area is unknown does not pass a positive minimum.
    """
    mask = pd.Series(True, index=carriers.index)
    if layers:
        mask &= carriers["layer"].isin(list(layers))
    if industries:
        mask &= _has_any_code(carriers["industries"], set(industries))
    if subdistricts:
        mask &= carriers["subdistrict"].isin(list(subdistricts))
    if clusters:
        wanted = set(clusters)
        mask &= carriers["clusters"].map(lambda ids: bool(wanted & set(ids or [])))
    if min_available_m2 is not None and min_available_m2 > 0:
        mask &= pd.to_numeric(carriers["available_area_m2"], errors="coerce").fillna(-1) >= min_available_m2
    return mask
