"""The per-row checks of an import: whatever the store would refuse about a row is found here, for
that row, before anything is written, so an import never fails whole because of one row.

Coordinates first (not numbers, swapped, out of range, AMap data declared as WGS-84, outside
Shenzhen as :mod:`spatial.scope` defines it), then the typed rows: types, duplicate ids, ids of
another layer, a carrier named as its own parent, every rule of
:func:`geodata.ingest.validate.validate_layer` (what the commit validates), and last the parent
links, against the store and the rows still accepted (the child of a rejected row goes too).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np

from geodata.ingest.coords import NOT_FINITE, Coordinates
from geodata.ingest.schema import blank_mask, coerce_frame, is_blank, parses_as_number
from geodata.ingest.validate import validate_layer
from layers.catalogue import CARRIER_LAYERS, LayerSpec
from spatial.crs import WGS84
from spatial.errors import Problem, SpaceMapError

OUTSIDE_SHENZHEN = "outside Shenzhen (check the coordinates and the CRS)"
OWN_PARENT = "a carrier cannot be its own parent"
PARENT_MISSING = "parent carrier does not exist"
PARENT_REJECTED = "parent carrier is on a rejected row of this file"


@dataclass
class Rejected:
    """One rejected row: its number in the file, the field, the value and why."""

    row: int
    field: str | None
    value: object
    reason: str

    def as_dict(self) -> dict:
        value = self.value if isinstance(self.value, (str, int, float, bool, type(None))) else str(self.value)
        if isinstance(value, float) and value != value:
            value = None
        return {"row": self.row, "field": self.field, "value": value, "reason": self.reason}


@dataclass
class Verdicts:
    """The rejections so far; rows are positions in the file, reported by their row numbers."""

    row_numbers: list[int]
    rejected: list[Rejected] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)

    def reject(self, i: int, field_name: str | None, value, reason: str) -> None:
        """Reject the row at position ``i``."""
        self.rejected.append(Rejected(self.row_numbers[i], field_name, value, reason))
        self.bad.add(i)

    @property
    def kept(self) -> list[int]:
        """Positions of the rows not rejected so far, in file order."""
        return [i for i in range(len(self.row_numbers)) if i not in self.bad]


def check_locations(verdicts: Verdicts, coords: Coordinates, crs: str, *, in_city: np.ndarray,
                    hint: str | None) -> None:
    """Reject rows whose coordinates cannot be used; ``in_city`` says which points are inside Shenzhen."""
    for i in _maybe_unusable(coords, crs, in_city, hint):
        problem = _location_problem(coords, int(i), crs, bool(in_city[i]), hint)
        if problem:
            verdicts.reject(i, *problem)


def _maybe_unusable(coords: Coordinates, crs: str, in_city: np.ndarray, hint: str | None) -> np.ndarray:
    """Positions of the rows :func:`_location_problem` must look at (a superset of the rows with a
    problem, found column-wise): every other row has no location, or a usable one."""
    x_in, y_in = np.asarray(coords.x_in, dtype=float), np.asarray(coords.y_in, dtype=float)
    if coords.raw_lon is None and coords.raw_lat is None:
        given = ~np.isnan(x_in)
    else:
        lon_blank = blank_mask(coords.raw_lon) if coords.raw_lon is not None else np.ones(len(x_in), dtype=bool)
        lat_blank = blank_mask(coords.raw_lat) if coords.raw_lat is not None else np.ones(len(x_in), dtype=bool)
        given = ~(lon_blank & lat_blank)
    with np.errstate(invalid="ignore"):
        odd = ~(np.isfinite(x_in) & np.isfinite(y_in)) | ~np.asarray(in_city, dtype=bool) | bool(hint and crs == "wgs84")
        if crs in ("wgs84", "gcj02", "bd09", "cgcs2000"):
            odd |= ((3.0 <= x_in) & (x_in <= 54.0) & (73.0 <= y_in) & (y_in <= 136.0)) | \
                ~((-180 <= x_in) & (x_in <= 180) & (-90 <= y_in) & (y_in <= 90))
    flagged = given & odd
    flagged[[i for i in coords.unusable if 0 <= i < len(flagged)]] = True
    return np.flatnonzero(flagged)


def _location_problem(coords: Coordinates, i: int, crs: str, in_city: bool, hint: str | None):
    """Why row ``i``'s coordinates cannot be used (None if they can, or if there are none)."""
    if i in coords.unusable:
        return coords.unusable[i]
    if not coords.given(i):
        return None
    x_in, y_in = coords.x_in[i], coords.y_in[i]
    if not (np.isfinite(x_in) and np.isfinite(y_in)):
        raw_lon, raw_lat = coords.raw(i)
        numeric = parses_as_number(raw_lon) and parses_as_number(raw_lat)
        return "lon/lat", f"{raw_lon},{raw_lat}", NOT_FINITE if numeric else "coordinates are not numbers"
    if crs in ("wgs84", "gcj02", "bd09", "cgcs2000"):
        if 3.0 <= x_in <= 54.0 and 73.0 <= y_in <= 136.0:
            return "lon/lat", f"{x_in},{y_in}", "longitude and latitude look swapped: swap the two columns"
        if not (-180 <= x_in <= 180 and -90 <= y_in <= 90):
            return "lon/lat", f"{x_in},{y_in}", ("not degrees: use --crs epsg:4547 for metres" if x_in > 1000
                                                 else "coordinates out of range")
    if hint and crs == "wgs84":
        return "lon/lat", f"{x_in},{y_in}", (f"the file says its coordinates come from AMap ({hint}), which "
                                             "uses GCJ-02, but the CRS given is WGS-84: import with --crs gcj02")
    if not in_city:
        return "lon/lat", f"{x_in},{y_in}", OUTSIDE_SHENZHEN
    return None


def check_rows(verdicts: Verdicts, rows: gpd.GeoDataFrame, spec: LayerSpec, frames: dict, *,
               city) -> gpd.GeoDataFrame:
    """Type ``rows`` (every one has an id by now) and reject each row the store would refuse.

    Parameters
    ----------
    verdicts : Verdicts
        Rejections so far (coordinates); the rows rejected here are added.
    rows : GeoDataFrame
        The file's rows as catalogue fields, in WGS-84.
    spec : LayerSpec
        The carrier layer imported into.
    frames : dict
        The store's layers (this layer and the carriers the file names, at least).
    city : shapely geometry
        Shenzhen in WGS-84, the boundary the validator checks carriers against.

    Returns
    -------
    GeoDataFrame
        Every row typed, in file order (rejected ones included).
    """
    ids = [str(v).strip() for v in rows["id"]]
    keys = _unique_keys(ids)
    typed, problems = coerce_frame(rows.assign(id=keys), spec)
    typed = gpd.GeoDataFrame(typed, geometry="geometry", crs=WGS84)
    _check_ids(verdicts, ids, typed["parent_id"].tolist(), spec.key, frames)
    checked = typed.iloc[verdicts.kept]
    _reject_problems(verdicts, problems + validate_layer(checked, spec, district=city), keys)
    typed["id"] = ids
    _check_parents(verdicts, ids, typed["parent_id"].tolist(), _store_ids(frames))
    return typed


def _unique_keys(ids: list[str]) -> list[str]:
    """The ids, later duplicates made unique, so each problem found while checking names one row."""
    seen: set[str] = set()
    keys = []
    for i, fid in enumerate(ids):
        keys.append(fid if fid not in seen else f"{fid}\u0000row{i}")
        seen.add(fid)
    return keys


def _check_ids(verdicts: Verdicts, ids: list[str], parents: list, layer: str, frames: dict) -> None:
    """Duplicate ids in the file, ids of another carrier layer, carriers named as their own parent."""
    other_layers = {str(v) for k in CARRIER_LAYERS if k != layer and k in frames for v in frames[k]["id"]}
    first_row: dict[str, int] = {}
    for i, (fid, parent) in enumerate(zip(ids, parents)):
        if fid in first_row:
            verdicts.reject(i, "id", fid, f"duplicate id (also on row {first_row[fid]})")
        first_row.setdefault(fid, verdicts.row_numbers[i])
        if fid in other_layers:
            verdicts.reject(i, "id", fid, "this id belongs to a carrier of another layer")
        if not is_blank(parent) and str(parent) == fid:
            verdicts.reject(i, "parent_id", parent, OWN_PARENT)


def _reject_problems(verdicts: Verdicts, problems: list[Problem], keys: list[str]) -> None:
    """Reject the row each problem names; a problem that names no row is the file's."""
    position = {key: i for i, key in enumerate(keys)}
    for p in problems:
        i = position.get(str(p.feature_id)) if p.feature_id is not None else None
        if i is None:
            raise SpaceMapError(str(p))
        verdicts.reject(i, p.field, p.value, p.message)


def _store_ids(frames: dict) -> set[str]:
    """Carrier ids in the store (every carrier layer the frames hold)."""
    return {str(v) for k in CARRIER_LAYERS if k in frames for v in frames[k]["id"]}


def _check_parents(verdicts: Verdicts, ids: list[str], parents: list, store_ids: set[str]) -> None:
    """A parent must be in the store or on an accepted row; repeated, since rejecting a parent
    rejects its children, then theirs."""
    in_file = set(ids)
    while True:
        known = store_ids | {ids[i] for i in verdicts.kept}
        orphans = [i for i in verdicts.kept if not is_blank(parents[i]) and str(parents[i]) not in known]
        if not orphans:
            return
        for i in orphans:
            parent = parents[i]
            verdicts.reject(i, "parent_id", parent, PARENT_REJECTED if str(parent) in in_file else PARENT_MISSING)
