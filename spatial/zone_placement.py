"""Carriers placed by zone: a source names the zone a carrier is in but not its site, so it has
no point of its own (no invented pin). A tally counts it in the unit its zone lies in, marked as
"placed by zone"; when the zone spreads over several units of a partition it gets a row of its
own rather than a guess. Pure: geometries in, rows out.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from spatial.crs import to_metric
from spatial.tally import OUTSIDE, STATED_FIELDS, UNLOCATED, stated_column, stated_values

PLACED_ACROSS = "(placed by zone, across units)"
WITHIN_SHARE = 0.95
"""A zone counts as lying in a unit when this share of its area is inside the unit."""
ZONE_BASIS = "zone"
ZONE_LAYERS = ("district", "subdistricts", "clusters", "hetao")
"""The layers whose ids a carrier's ``zone_id`` may name."""


def zone_placed(carriers: pd.DataFrame) -> np.ndarray:
    """Which carriers are placed by zone (``location_basis`` = zone, a ``zone_id``, no point)."""
    if "location_basis" not in carriers.columns or "zone_id" not in carriers.columns or not len(carriers):
        return np.zeros(len(carriers), dtype=bool)
    geoms = carriers.geometry.to_numpy() if hasattr(carriers, "geometry") else np.full(len(carriers), None)
    unlocated = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    named = carriers["zone_id"].map(lambda z: isinstance(z, str) and z.strip() != "").to_numpy()
    return (carriers["location_basis"].to_numpy() == ZONE_BASIS) & named & unlocated


def zone_shape(zone_id: str, zones: dict[str, object]):
    """The union of the zones a ``;``-separated ``zone_id`` names (metric geometries), or None."""
    shapes = [zones[z] for z in (p.strip() for p in zone_id.split(";")) if z in zones]
    return shapely.union_all(shapes) if shapes else None


def units_of(shape, units: gpd.GeoDataFrame, unit_id: str, *, partition: bool) -> list[str]:
    """The units a zone lies in: for a partition the one unit holding 95 % of it (else
    :data:`PLACED_ACROSS`); for overlapping units every unit holding 95 % of it, else
    :data:`PLACED_ACROSS` when units hold more than 5 % of it (it may or may not be in one), else
    :data:`OUTSIDE`."""
    if shape is None or shape.is_empty:
        return [UNLOCATED]
    metric = to_metric(units.geometry).to_numpy()
    share = shapely.area(shapely.intersection(metric, shape)) / shape.area
    inside = [str(u) for u, s in zip(units[unit_id], share) if s >= WITHIN_SHARE]
    if partition:
        return inside[:1] or [PLACED_ACROSS]
    return inside or ([PLACED_ACROSS] if share.sum() > 1 - WITHIN_SHARE else [OUTSIDE])


def place_by_zone(result: dict, carriers: gpd.GeoDataFrame, zones: dict[str, object], units: gpd.GeoDataFrame, *,
                  unit_id: str = "id", partition: bool = True, rename: dict | None = None) -> dict:
    """Move the carriers placed by zone from the "(no location)" row of a tally ``result`` (see
    :func:`spatial.tally.tally`) to the units their zones lie in; rows gain ``zone_placed`` (how
    many of a row's carriers are placed by zone). ``rename`` maps unit ids (Hetao's outside row)."""
    placed = np.flatnonzero(zone_placed(carriers))
    rows = result["rows"].copy()
    rows["zone_placed"] = 0
    if not len(placed):
        return {**result, "rows": rows}
    values = stated_values(carriers, STATED_FIELDS)
    moves = []
    for pos in placed:
        for unit in units_of(zone_shape(str(carriers["zone_id"].iloc[pos]), zones), units, unit_id,
                             partition=partition):
            moves.append((pos, (rename or {}).get(unit, unit)))
    rows = _move(rows, moves, values, len(placed))
    anchor = result.get("anchor")
    if anchor is not None:
        keep = ~(anchor["pos"].isin(placed) & (anchor["unit"] == UNLOCATED))
        new = pd.DataFrame({"pos": [p for p, _ in moves], "unit": [u for _, u in moves], "share": 1.0})
        anchor = pd.concat([anchor.loc[keep], new], ignore_index=True)
    total = {**result["total"], "zone_placed": int(len(placed))}
    return {**result, "rows": rows, "anchor": anchor, "total": total} if anchor is not None else \
        {**result, "rows": rows, "total": total}


def _num(value) -> float:
    return 0.0 if value is None or value != value else float(value)


def _move(rows: pd.DataFrame, moves: list[tuple[int, str]], values: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    """Subtract the placed carriers from the unlocated row and add each to its unit's row."""
    index = {u: i for i, u in enumerate(rows["unit"])}
    records = rows.to_dict("records")

    def row_of(unit):
        if unit not in index:
            blank = {c: (0 if c.endswith("_known") or c in ("count", "polygon_count", "zone_placed") else None)
                     for c in rows.columns}
            records.append({**blank, "unit": unit, "land_area_m2": 0.0})
            index[unit] = len(records) - 1
        return records[index[unit]]

    gone = row_of(UNLOCATED)
    gone["count"] -= n
    for field in STATED_FIELDS:
        col = stated_column(field)
        taken = [values[field][p] for p in {p for p, _ in moves} if not np.isnan(values[field][p])]
        if taken:
            gone[col] = _num(gone[col]) - float(sum(taken))
            gone[f"{col}_known"] -= len(taken)
            if gone[f"{col}_known"] == 0:
                gone[col] = None
    for pos, unit in moves:
        row = row_of(unit)
        row["count"] += 1
        row["zone_placed"] += 1
        for field in STATED_FIELDS:
            value = values[field][pos]
            if not np.isnan(value):
                col = stated_column(field)
                row[col] = _num(row[col]) + float(value)
                row[f"{col}_known"] += 1
    out = pd.DataFrame(records)
    return out.loc[~((out["unit"] == UNLOCATED) & (out["count"] <= 0))].reset_index(drop=True)
