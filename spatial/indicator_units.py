"""Carriers into the units of an indicator table, and the units' occupancy: the carrier side of
:mod:`spatial.indicators` (which re-exports :func:`membership` and :func:`occupancy`). Pure.

A carrier is placed by its anchor point (:func:`spatial.tally.place_features`, EPSG:4547); a
carrier placed by zone (:mod:`spatial.zone_placement`) in the unit its zone lies in, as in a tally.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from spatial.crs import to_metric
from spatial.supply import BASES
from spatial.tally import HETAO_OUTSIDE, OUTSIDE, UNLOCATED, hetao_units, place_features
from spatial.zone_placement import PLACED_ACROSS, ZONE_LAYERS, units_of, zone_placed, zone_shape

LEVELS = ("carrier", "cluster", "subdistrict", "hetao", "district")
TOTAL = "(total)"
"""The ``unit`` of an indicator total and of the all-units row of :func:`occupancy`."""
DISTRICT = "福田区"
"""The one unit of the district level when ``zones`` has no ``district`` layer."""


def as_ids(values) -> np.ndarray:
    """Identifiers as an object array of text (None where missing), so that 7 and "7" are one id."""
    out = np.array(values, dtype=object)
    missing = pd.isna(out)
    if pd.api.types.infer_dtype(out[~missing], skipna=False) not in ("string", "empty"):
        out = np.array([str(v) for v in out], dtype=object)
    out[missing] = None
    return out


def positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position in ``keys`` of each of ``wanted`` (of duplicate keys the first; -1 when absent or None).
    One hash table for both (``pd.factorize``), then integer work."""
    keys, wanted = np.asarray(keys, dtype=object), np.asarray(wanted, dtype=object)
    if not len(keys) or not len(wanted):
        return np.full(len(wanted), -1, dtype=np.int64)
    codes, uniques = pd.factorize(np.concatenate([keys, wanted]), use_na_sentinel=True)
    k, w = codes[:len(keys)], codes[len(keys):]
    valid = np.flatnonzero(k >= 0)
    present, first = np.unique(k[valid], return_index=True)
    at = np.full(len(uniques), -1, dtype=np.int64)
    at[present] = valid[first]
    return np.where(w >= 0, at[np.maximum(w, 0)], -1).astype(np.int64)


def take(values: np.ndarray, at: np.ndarray, fill) -> np.ndarray:
    """``values[at]`` where ``at`` ≥ 0, ``fill`` elsewhere (safe when ``values`` is empty)."""
    values, at = np.asarray(values), np.asarray(at)
    if not len(values):
        return np.full(len(at), fill, dtype=object if fill is None else np.asarray(fill).dtype)
    return np.where(at >= 0, values[np.maximum(at, 0)], fill)


def numbers(frame: pd.DataFrame, field: str) -> np.ndarray:
    """``frame[field]`` as floats (NaN where unknown, or everywhere when the column is missing)."""
    if field not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[field], errors="coerce").to_numpy(dtype=float)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where both are known and ``den`` is not 0, else NaN."""
    ok = ~np.isnan(num) & ~np.isnan(den) & (den != 0)
    return np.divide(num, den, out=np.full(len(num), np.nan), where=ok)


def unit_pairs(member: pd.DataFrame) -> pd.DataFrame:
    """The distinct (``carrier_id`` as text, ``unit``) pairs of a :func:`membership` frame."""
    return member[["carrier_id", "unit"]].assign(carrier_id=as_ids(member["carrier_id"])).drop_duplicates()


def _district_unit(zones: dict) -> str:
    district = zones.get("district")
    return str(district["id"].iloc[0]) if district is not None and len(district) and "id" in district else DISTRICT


def _zone_units(level: str, zones: dict) -> tuple[gpd.GeoDataFrame, bool, dict]:
    if level == "cluster":
        return zones["clusters"], False, {}
    if level == "subdistrict":
        return zones["subdistricts"], True, {}
    return hetao_units(zones["hetao"]), True, {OUTSIDE: HETAO_OUTSIDE}


def _by_zone(carriers: gpd.GeoDataFrame, zones: dict, units: gpd.GeoDataFrame, unlocated: np.ndarray, *,
             partition: bool) -> tuple[list, list]:
    """Carriers placed by zone (no point, a ``zone_id``; :mod:`spatial.zone_placement`) among ``unlocated``."""
    placed = np.flatnonzero(zone_placed(carriers) & unlocated)
    if not len(placed):
        return [], []
    shapes = {str(i): g for key in ZONE_LAYERS if key in zones
              for i, g in zip(zones[key]["id"], to_metric(zones[key].geometry))}
    pos, out = [], []
    for p in placed:
        for unit in units_of(zone_shape(str(carriers["zone_id"].iloc[p]), shapes), units, "id", partition=partition):
            pos.append(p)
            out.append(unit)
    return pos, out


def membership(level: str, carriers: gpd.GeoDataFrame, zones: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Which unit(s) of ``level`` each carrier is in.

    ``carrier``: the carrier itself. ``cluster``: every cluster holding the carrier's anchor point
    (clusters may overlap), else :data:`~spatial.tally.OUTSIDE`. ``subdistrict``: the one subdistrict
    (``zones["subdistricts"]``) holding it, else OUTSIDE. ``hetao``: "inside" / "outside" the Shenzhen
    Park. ``district``: the one unit ``zones["district"]["id"]`` (:data:`DISTRICT` without that layer)
    for every carrier, located or not. Placement is :func:`spatial.tally.place_features` by anchor
    point in EPSG:4547; a carrier without a location is :data:`~spatial.tally.UNLOCATED`, unless it is
    placed by zone (then the unit its zone lies in, as in a tally).

    Returns
    -------
    DataFrame
        ``carrier_id``, ``unit``: one row per (carrier, unit), zones in their order, pseudo-units last.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    ids = as_ids(carriers["id"])
    if level in ("carrier", "district"):
        units = ids if level == "carrier" else np.full(len(ids), _district_unit(zones), dtype=object)
        return pd.DataFrame({"carrier_id": ids, "unit": units.astype(object)})
    units, partition, rename = _zone_units(level, zones)
    anchor = place_features(carriers, units, unit_id="id", method="centroid", partition=partition).anchor
    unlocated = np.ones(len(carriers), dtype=bool)
    unlocated[anchor["pos"].to_numpy()] = False
    zpos, zunit = _by_zone(carriers, zones, units, unlocated, partition=partition)
    unlocated[zpos] = False
    missing = np.flatnonzero(unlocated)
    pos = np.r_[anchor["pos"].to_numpy(), np.asarray(zpos, dtype=np.int64), missing].astype(np.int64)
    unit = pd.Series(np.r_[anchor["unit"].to_numpy(dtype=object), np.asarray(zunit, dtype=object),
                           np.full(len(missing), UNLOCATED, dtype=object)], dtype=object).replace(rename)
    rank = {u: k for k, u in enumerate([*units["id"], rename.get(OUTSIDE, OUTSIDE), PLACED_ACROSS, UNLOCATED])}
    order = np.lexsort((pos, unit.map(rank).fillna(len(rank)).to_numpy()))
    return pd.DataFrame({"carrier_id": ids[pos[order]], "unit": unit.to_numpy(dtype=object)[order]})


def _basis_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Occupancy per ``unit`` on the basis with the larger area (gross on a tie)."""
    sums = frame.groupby(["unit", "basis"], sort=False)[["area", "let"]].sum()
    area = sums["area"].unstack("basis").reindex(columns=list(BASES)).fillna(0.0)
    let = sums["let"].unstack("basis").reindex(columns=list(BASES)).fillna(0.0)
    gross = (area["gross"] >= area["usable"]).to_numpy()
    basis_area = np.where(gross, area["gross"], area["usable"])
    basis_let = np.where(gross, let["gross"], let["usable"])
    return pd.DataFrame({"unit": area.index.to_numpy(dtype=object),
                         "occupancy": ratio(basis_let, basis_area),
                         "occupancy_basis": np.where(gross, BASES[0], BASES[1]).astype(object),
                         "occupancy_area_m2": basis_area})


def occupancy(units: pd.DataFrame, member: pd.DataFrame) -> pd.DataFrame:
    """Occupancy per unit: let area ÷ area of the units not withdrawn, on one area basis.

    Gross and usable areas are never added: in each group the basis with the larger
    non-withdrawn area is used (gross on a tie) and named in ``occupancy_basis``. Units of unknown
    area or basis are left out of both sides; withdrawn units are off the market.

    Returns
    -------
    DataFrame
        ``unit``, ``occupancy``, ``occupancy_basis``, ``occupancy_area_m2`` (the area on that basis):
        one row per unit of ``member`` holding units, and a :data:`TOTAL` row over every unit once.
    """
    status = units["status"].to_numpy(dtype=object)
    area = numbers(units, "area_m2")
    basis = units["area_basis"].to_numpy(dtype=object)
    keep = (status != "withdrawn") & ~np.isnan(area) & np.isin(basis, BASES)
    frame = pd.DataFrame({"carrier_id": as_ids(units["carrier_id"])[keep], "area": area[keep],
                          "let": np.where(status[keep] == "let", area[keep], 0.0), "basis": basis[keep]})
    pairs = unit_pairs(member)
    rows = _basis_table(pairs.merge(frame, on="carrier_id", how="inner"))
    every = frame.loc[frame["carrier_id"].isin(pairs["carrier_id"])].assign(unit=TOTAL)
    return pd.concat([rows, _basis_table(every)], ignore_index=True)
