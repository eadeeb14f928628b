"""The carrier inventory as one frame: zone membership and filters (totals: spatial.tally)."""
from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from spatial.crs import to_metric
from spatial.tally import hetao_units
from spatial.zone_placement import units_of, zone_placed, zone_shape
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

    A carrier placed by zone (no point; see :mod:`spatial.zone_placement`) is in the units its zone
    lies in, by the tally's rule; other carriers without a location get None / [] / False.
    """
    out = carriers.copy()
    out["subdistrict"] = first_zone(carriers, subdistricts).to_numpy()
    out["clusters"] = zones_containing(carriers, clusters).to_numpy()
    shenzhen_park = hetao.loc[~hetao["context"].astype(bool)] if "context" in hetao.columns else hetao
    out["in_hetao"] = zones_containing(carriers, shenzhen_park).map(bool).to_numpy()
    placed = np.flatnonzero(zone_placed(carriers))
    if len(placed):
        zones = {str(i): g for layer in (subdistricts, clusters, hetao)
                 for i, g in zip(layer["id"], to_metric(layer.geometry))}
        park = hetao_units(hetao)
        for pos in placed:
            shape = zone_shape(str(carriers["zone_id"].iloc[pos]), zones)
            sub = units_of(shape, subdistricts, "id", partition=True)[0]
            out.iat[pos, out.columns.get_loc("subdistrict")] = sub if sub in set(subdistricts["id"]) else None
            out.iat[pos, out.columns.get_loc("clusters")] = [c for c in units_of(shape, clusters, "id", partition=False)
                                                            if c in set(clusters["id"])]
            out.iat[pos, out.columns.get_loc("in_hetao")] = units_of(shape, park, "id", partition=False) == [
                park["id"].iloc[0]]
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
