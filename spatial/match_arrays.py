"""A candidate inventory as matching arrays (:class:`Candidates`), built column by column.

:func:`candidate_arrays` never loops over rows in Python where a city has few distinct values: a
code list (``industries``, ``facilities``, ``policies``), a layer, a status or a zone set is
factorized and each distinct value parsed once; a facility inherited from a parent carrier is an
index lookup; points are projected to EPSG:4547 as coordinate arrays. The result is the same, value
for value, as parsing each row (``tests/spatial/test_match_arrays.py`` checks it against a row-wise
reference).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layers.catalogue import CARRIER_LAYERS
from layers.vocab import FACILITIES, INDUSTRIES, split_codes
from spatial.crs import METRIC_CRS, WGS84, get_transformer

TOTAL_MEASURES = ("floor_area_m2", "usable_area_m2", "space_area_m2")  # bound what a carrier can offer (first known)
INDUSTRY_CODES = tuple(INDUSTRIES)
FACILITY_CODES = tuple(FACILITIES)
_MAX_CHAIN_PASSES = 32  # parent chains deeper than this are resolved row by row (never in practice)


@dataclass
class Candidates:
    """A candidate inventory as arrays (built once, scored many times)."""

    frame: pd.DataFrame  # id, name_zh, name_en, layer (+ anything else), aligned with the arrays
    layer: np.ndarray  # int index into CARRIER_LAYERS
    industries: np.ndarray  # bool (n, len(INDUSTRY_CODES))
    has_industry: np.ndarray  # bool
    facilities: np.ndarray  # bool (n, len(FACILITY_CODES))
    has_facilities: np.ndarray  # bool: any facility recorded
    available: np.ndarray  # float, NaN unknown
    floor: np.ndarray
    total: np.ndarray  # float: the known total area bounding what the carrier can offer, NaN unknown
    total_kind: np.ndarray  # int index into TOTAL_MEASURES (which measure ``total`` is)
    rent: np.ndarray
    x: np.ndarray  # EPSG:4547, NaN when unlocated
    y: np.ndarray
    policies: np.ndarray  # bool: any applicable policy recorded
    hk: np.ndarray  # bool: Hong Kong link or inside Hetao
    operating: np.ndarray  # bool
    closed: np.ndarray  # bool
    status_unknown: np.ndarray  # bool: no source says whether it operates
    zones: np.ndarray  # object: frozenset of zone ids per candidate (shared between equal sets)

    def __len__(self) -> int:
        return len(self.layer)


# ---- each distinct value once ------------------------------------------------------------

def _distinct(values: pd.Series) -> tuple[np.ndarray, list]:
    """A code per row and one value per code (``reps[code]`` stands for the row's value).

    Missing values are told apart by their type (None, NaN, ``pd.NA``, ``NaT`` read differently
    as text); unhashable values (lists) are each their own value.
    """
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:
        reps = values.tolist()
        return np.arange(len(reps)), reps
    reps = list(uniques)
    missing = np.flatnonzero(codes < 0)
    if missing.size:
        kinds, gone = _missing_kinds(values.iloc[missing])
        codes = codes.copy()
        codes[missing] = len(reps) + kinds
        reps += gone
    return codes, reps


def _missing_kinds(gone: pd.Series) -> tuple[np.ndarray, list]:
    """Missing values grouped by type: a code per value and one value per type."""
    values = gone.tolist()
    if len(set(map(type, values))) == 1:  # the usual case: one kind of missing value
        return np.zeros(len(values), dtype=np.intp), values[:1]
    kinds, _ = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
    first = np.flatnonzero(~pd.Series(kinds).duplicated().to_numpy())  # kind k first appears at first[k]
    return kinds, [values[i] for i in first]


def _per_row(values: pd.Series, fn, dtype) -> np.ndarray:
    """``fn`` of every row's value as an array, ``fn`` called once per distinct value."""
    codes, reps = _distinct(values)
    return np.array([fn(v) for v in reps], dtype=dtype)[codes]


def _multi_hot(values: pd.Series | None, codes: tuple[str, ...], n: int) -> np.ndarray:
    """bool (n, len(codes)): which known codes each ``;``-separated list names."""
    if values is None:
        return np.zeros((n, len(codes)), dtype=bool)
    index = {c: i for i, c in enumerate(codes)}

    def hot(value) -> np.ndarray:
        row = np.zeros(len(codes), dtype=bool)
        row[[index[c] for c in split_codes(value) if c in index]] = True
        return row

    return _per_row(values, hot, bool).reshape(n, len(codes))


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy("float64") if column in frame else np.full(len(frame), np.nan)


# ---- parents, places, zones ----------------------------------------------------------------

def _inherit_facilities(frame: pd.DataFrame, facilities: np.ndarray) -> None:
    """A carrier inside another shares its parent's facilities (in place).

    As a pass over the rows in order would: a parent earlier in the frame has already taken its own
    parent's facilities, a later one has not.
    """
    parent = frame["parent_id"]
    named = np.flatnonzero(parent.notna().to_numpy())
    names = parent.iloc[named].tolist()
    is_str = np.fromiter((isinstance(p, str) for p in names), dtype=bool, count=len(names))
    rows, names = named[is_str], [p for p, s in zip(names, is_str) if s]
    if not rows.size:
        return
    keys = pd.Index([str(i) for i in frame["id"]], dtype=object)
    last = ~keys.duplicated(keep="last")  # an id given twice names its last row
    hit = keys[last].get_indexer(pd.Index(names, dtype=object))
    rows, parents = rows[hit >= 0], np.flatnonzero(last)[hit[hit >= 0]]
    base = facilities.copy()
    facilities[rows] |= base[parents]
    down = parents < rows  # the parent came first: it passes on what it inherited
    rows, parents = rows[down], parents[down]
    for _ in range(_MAX_CHAIN_PASSES):
        new = base[rows] | facilities[parents]
        if np.array_equal(new, facilities[rows]):
            return
        facilities[rows] = new
    facilities[rows] = base[rows]
    for k, p in zip(rows.tolist(), parents.tolist()):
        facilities[k] |= facilities[p]


def _metric_xy(frame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """x, y in EPSG:4547 of a GeoDataFrame's points (NaN where missing or empty)."""
    geoms = np.asarray(frame.geometry.array)
    located = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    if not located.any():
        return x, y
    pts = geoms[located]
    if (shapely.get_type_id(pts) != 0).any() or shapely.has_z(pts).any():  # not plain 2-D points: as GeoPandas does
        moved = frame.geometry[located].to_crs(METRIC_CRS)
        x[located], y[located] = moved.x.to_numpy(), moved.y.to_numpy()
        return x, y
    xy = shapely.get_coordinates(pts)
    if frame.crs.is_exact_same(CRS.from_user_input(METRIC_CRS)):
        x[located], y[located] = xy[:, 0], xy[:, 1]
    else:
        x[located], y[located] = get_transformer(frame.crs, METRIC_CRS).transform(xy[:, 0], xy[:, 1])
    return x, y


def _zones(frame: pd.DataFrame, n: int) -> np.ndarray:
    """The frozenset of zone ids (subdistrict and clusters) per row, one object per distinct set."""
    if "subdistrict" in frame.columns:
        sub_codes, sub_reps = _distinct(frame["subdistrict"])
    else:
        sub_codes, sub_reps = np.zeros(n, dtype=np.int64), [None]
    if "clusters" in frame.columns:
        clusters = frame["clusters"].tolist()
        keys = pd.Series([tuple(c) if isinstance(c, (list, tuple)) else () for c in clusters], dtype=object)
        clus_codes, clus_reps = _distinct(keys)
    else:
        clus_codes, clus_reps = np.zeros(n, dtype=np.int64), [()]
    combos, _ = pd.factorize(sub_codes.astype(np.int64) * (len(clus_reps) + 1) + clus_codes)
    first = np.flatnonzero(~pd.Series(combos).duplicated().to_numpy())
    shared: dict[frozenset, frozenset] = {}  # one object per distinct zone set (memory at 1M rows)
    sets = np.empty(len(first), dtype=object)
    for j, row in enumerate(first.tolist()):
        s, c = sub_reps[sub_codes[row]], clus_reps[clus_codes[row]]
        key = frozenset(([s] if isinstance(s, str) else []) + list(c))
        sets[j] = shared.setdefault(key, key)
    return sets[combos]


# ---- the arrays ------------------------------------------------------------------------------

def _status(frame: pd.DataFrame, n: int) -> list[np.ndarray]:
    """Three bool arrays: operating, closed, unknown (a missing status is unknown)."""
    if "status" not in frame.columns:
        return [np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.ones(n, dtype=bool)]
    codes, reps = _distinct(frame["status"].fillna("unknown"))
    return [np.array([bool(v == word) for v in reps], dtype=bool)[codes] for word in ("operating", "closed", "unknown")]


def candidate_arrays(frame: pd.DataFrame) -> Candidates:
    """Build :class:`Candidates` from a carrier frame (GeoDataFrame in any CRS or lon/lat).

    Expected columns: ``id``, ``name_zh``, ``name_en``, ``layer``, the stated areas, ``rent_cny_m2_month``,
    ``industries``, ``facilities``, ``policies``, ``hk_link``, ``status``; optional ``in_hetao``,
    ``subdistrict``, ``clusters`` (zone ids for the preferred-zone constraint), ``parent_id``.
    """
    n = len(frame)
    where = {k: i for i, k in enumerate(CARRIER_LAYERS)}
    layer = _per_row(frame["layer"], lambda v: where.get(v, 0), np.int64)
    industries = _multi_hot(frame.get("industries"), INDUSTRY_CODES, n)
    facilities = _multi_hot(frame.get("facilities"), FACILITY_CODES, n)
    if "parent_id" in frame.columns and frame["parent_id"].notna().any():
        _inherit_facilities(frame, facilities)
    if hasattr(frame, "geometry") and getattr(frame, "crs", None) is not None:
        x, y = _metric_xy(frame, n)
    else:
        tr = get_transformer(WGS84, METRIC_CRS)
        x, y = tr.transform(_numbers(frame, "lon"), _numbers(frame, "lat"))
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    hk = frame["hk_link"].fillna(False).astype(bool).to_numpy() if "hk_link" in frame.columns else np.zeros(n, bool)
    if "in_hetao" in frame.columns:
        hk = hk | frame["in_hetao"].fillna(False).astype(bool).to_numpy()
    status = _status(frame, n)
    policies = (_per_row(frame["policies"], lambda v: bool(split_codes(v)), bool) if "policies" in frame.columns
                else np.zeros(n, dtype=bool))
    totals = np.column_stack([_numbers(frame, m) for m in TOTAL_MEASURES]).reshape(n, len(TOTAL_MEASURES))
    total_kind = (~np.isnan(totals)).argmax(axis=1)  # the first known measure (0 when none is known: NaN)
    return Candidates(
        frame=frame[[c for c in ("id", "name_zh", "name_en", "layer") if c in frame.columns]].reset_index(drop=True),
        layer=layer, industries=industries, has_industry=industries.any(axis=1), facilities=facilities,
        has_facilities=facilities.any(axis=1), available=_numbers(frame, "available_area_m2"),
        floor=_numbers(frame, "floor_area_m2"), total=totals[np.arange(n), total_kind], total_kind=total_kind,
        rent=_numbers(frame, "rent_cny_m2_month"), x=x, y=y, policies=policies, hk=hk,
        operating=status[0], closed=status[1], status_unknown=status[2], zones=_zones(frame, n),
    )


def take_candidates(cands: Candidates, idx) -> Candidates:
    """The candidate arrays restricted to rows ``idx`` (positions, in that order)."""
    idx = np.asarray(idx, dtype=np.int64)
    fields = {f: getattr(cands, f)[idx] for f in cands.__dataclass_fields__ if f != "frame"}
    return Candidates(frame=cands.frame.iloc[idx].reset_index(drop=True), **fields)


def concat_candidates(parts: list[Candidates]) -> Candidates:
    """Join candidate arrays built separately (e.g. chunk by chunk from a large file)."""
    fields = [f for f in parts[0].__dataclass_fields__ if f != "frame"]
    joined = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
    return Candidates(frame=pd.concat([p.frame for p in parts], ignore_index=True), **joined)
