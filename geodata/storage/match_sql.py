"""Matching on PostGIS: the hard constraints that are plain filters run in the database, the
scoring stays in numpy (:mod:`spatial.match`).

The database returns only the spaces that pass the distance limit (``ST_DWithin`` on the
EPSG:4547 ``geom_m`` column, with its GiST index), the minimum area, the maximum rent and
"not closed" — unknown values pass, as in :func:`spatial.match.constraints` — within the
scope; the parents of those spaces come along so facilities are inherited as in the embedded
path. A space the database leaves out fails a hard constraint, so the ranking (order, scores,
breakdowns, flags) is exactly the embedded one; the test suite checks that. The number of
spaces each database-side constraint excludes is counted in the database over the whole
scope; the other constraints are counted among the spaces that pass the database filter
(``excluded_among`` says so), and near misses of the database-side constraints are found
with one relaxed query each, only when fewer results than asked for pass.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.storage.pg import ident, literal, transaction
from geodata.storage.tally_sql import futian_pieces
from layers.catalogue import CARRIER_LAYERS
from spatial.carriers import annotate_carriers
from spatial.crs import METRIC_CRS, WGS84, get_transformer
from spatial.match import candidate_arrays, match, take_candidates
from spatial.need import DEFAULT_WEIGHTS, Need
from spatial.scope import EDGE_TOLERANCE_M, check_scope


def _conditions(need: Need) -> dict[str, tuple[str, tuple]]:
    """Constraint key → (SQL that is true when the row FAILS it, params); only those ``need`` sets."""
    out = {"closed": ("t.status = 'closed'", ())}
    if need.area_min is not None:
        out["area"] = ("t.available_area_m2 < %s", (float(need.area_min),))
        out["capacity"] = ("(t.available_area_m2 IS NULL AND coalesce(t.floor_area_m2, t.usable_area_m2, "
                           "t.space_area_m2) < %s)", (float(need.area_min),))
    if need.max_rent is not None:
        out["rent"] = ("t.rent_cny_m2_month > %s", (float(need.max_rent),))
    if need.within_km is not None and need.near is not None:
        x, y = get_transformer(WGS84, METRIC_CRS).transform(*need.near)
        out["distance"] = ("(t.geom_m IS NOT NULL AND NOT ST_DWithin(t.geom_m, "
                           "ST_SetSRID(ST_MakePoint(%s, %s), 4547), %s))",
                           (float(x), float(y), float(need.within_km) * 1000.0))
        out["location"] = ("t.geom_m IS NULL", ())
    return out


def _passing_sql(conds: dict, skip: str | None = None) -> tuple[str, tuple]:
    """SQL true for rows passing every condition but ``skip``. Passing both the distance limit and
    "has a location" is written as a plain ``ST_DWithin`` so the GiST index on ``geom_m`` is used."""
    parts, params = [], ()
    near = "distance" in conds and skip not in ("distance", "location")
    if near:
        x, y, r = conds["distance"][1]
        parts.append("ST_DWithin(t.geom_m, ST_SetSRID(ST_MakePoint(%s, %s), 4547), %s)")
        params += (x, y, r)
    for key, (sql, p) in conds.items():
        if key == skip or (near and key in ("distance", "location")):
            continue
        parts.append(f"NOT coalesce({sql}, false)")
        params += p
    return " AND ".join(parts) or "true", params


def _scope_sql(scope: str) -> str:
    if scope == "shenzhen":
        return "true"
    return (f"(t.geom_m IS NULL OR EXISTS (SELECT 1 FROM _s WHERE ST_DWithin(_s.g, t.geom_m, {EDGE_TOLERANCE_M})))")


MATCH_COLUMNS = ("id", "name_zh", "name_en", "industries", "facilities", "policies", "available_area_m2",
                 "floor_area_m2", "usable_area_m2", "space_area_m2", "rent_cny_m2_month", "hk_link", "status",
                 "parent_id", "location_basis", "zone_id")
"""What matching reads of a carrier (the arrays of :func:`spatial.match.candidate_arrays` and the result rows)."""


def _fetch(con, where: str, params) -> gpd.GeoDataFrame:
    """The carriers matching ``where`` (alias ``t``), only the columns matching uses, in one query."""
    cols = ", ".join(f"t.{ident(c)}" for c in MATCH_COLUMNS)
    union = " UNION ALL ".join(f"SELECT {cols}, {literal(k)} AS layer, ST_AsBinary(t.geom) FROM {ident(k)} t WHERE {where}"
                               for k in CARRIER_LAYERS)
    with con.cursor(binary=True) as cur:
        rows = cur.execute(union, tuple(params) * len(CARRIER_LAYERS) if isinstance(params, tuple) else params
                           ).fetchall()
    names = [*MATCH_COLUMNS, "layer"]
    frame = pd.DataFrame.from_records([r[:-1] for r in rows], columns=names)
    for c in ("available_area_m2", "floor_area_m2", "usable_area_m2", "space_area_m2", "rent_cny_m2_month"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    geoms = shapely.from_wkb(np.array([None if r[-1] is None else bytes(r[-1]) for r in rows], dtype=object))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)


def _with_parents(con, spaces: pd.DataFrame, scope: str) -> tuple[pd.DataFrame, int]:
    """``spaces`` followed by their in-scope parents that are not among them (facilities are inherited)."""
    missing = sorted({str(p) for p in spaces["parent_id"].dropna()} - set(spaces["id"].astype(str)))
    if not missing:
        return spaces, len(spaces)
    parents = _fetch(con, f"t.id = ANY(%s) AND {_scope_sql(scope)}", (missing,))
    both_ = pd.concat([spaces, parents], ignore_index=True)
    return gpd.GeoDataFrame(both_, geometry="geometry", crs=spaces.crs), len(spaces)


def _candidates(con, where, params, scope, frames):
    spaces = _fetch(con, f"{where} AND {_scope_sql(scope)}", params)
    spaces, n = _with_parents(con, spaces, scope)
    zoned = annotate_carriers(spaces, subdistricts=frames["subdistricts"], clusters=frames["clusters"],
                              hetao=frames["hetao"])
    return take_candidates(candidate_arrays(zoned), np.arange(n))


def match_in_database(url: str, need: Need, frames: dict[str, pd.DataFrame], *, scope: str = "futian",
                      weights: dict[str, float] | None = None, top: int = 10, explain: bool = True) -> dict:
    """Match ``need`` against the carriers of ``scope`` in the database.

    Returns
    -------
    dict
        ``candidates`` (the pre-filtered :class:`spatial.match.Candidates`), ``result`` (the
        :class:`spatial.match.MatchResult` on them), ``scope_size`` (carriers in scope),
        ``excluded`` (constraint key → carriers it excludes: database-side keys over the scope,
        the others among the pre-filtered) and ``excluded_among`` (the keys counted among the pre-filtered).
    """
    check_scope(scope)
    problems = need.validate()
    if problems:
        raise ValueError("; ".join(problems))
    conds = _conditions(need)
    with transaction(url) as con:
        if scope != "shenzhen":
            futian_pieces(con)
        where, params = _passing_sql(conds)
        cands = _candidates(con, where, params, scope, frames)
        counts = _sql_counts(con, conds, scope)
        result = match(cands, need, weights={**DEFAULT_WEIGHTS, **(weights or {})}, top=top, explain=explain)
        if explain and len(result.order) < top:
            result.near_misses = _near_misses(con, need, conds, scope, frames, result)
    excluded = {c.key: int(c.fails.sum()) for c in result.constraints if c.key not in conds}
    excluded.update({k: v for k, v in counts["fails"].items()})
    return {"candidates": cands, "result": result, "scope_size": counts["total"], "excluded": excluded,
            "excluded_among": sorted(k for k in excluded if k not in conds)}


def _sql_counts(con, conds: dict, scope: str) -> dict:
    """Carriers in scope, and how many each database-side constraint excludes, over the whole scope.

    One parallel scan counts the plain filters; the distance limit is counted from the
    GiST index (located carriers minus those within reach)."""
    plain = {k: v for k, v in conds.items() if k != "distance"}
    cols = ", ".join(f"count(*) FILTER (WHERE coalesce({sql}, false))" for sql, _ in plain.values())
    params = tuple(p for _, ps in plain.values() for p in ps)
    union = " UNION ALL ".join(f'SELECT status, available_area_m2, floor_area_m2, usable_area_m2, space_area_m2, '
                               f'rent_cny_m2_month, geom_m FROM {ident(k)}'
                               for k in CARRIER_LAYERS)
    con.execute("SET LOCAL max_parallel_workers_per_gather = 2")
    row = con.execute(f"SELECT count(*), count(geom_m), {cols} FROM ({union}) t WHERE {_scope_sql(scope)}",
                      params).fetchone()
    fails = {k: int(v) for k, v in zip(plain, row[2:])}
    if "distance" in conds:
        x, y, r = conds["distance"][1]
        within = con.execute(f"SELECT count(*) FROM ({union}) t WHERE ST_DWithin(t.geom_m, ST_SetSRID("
                             f"ST_MakePoint(%s, %s), 4547), %s) AND {_scope_sql(scope)}", (x, y, r)).fetchone()[0]
        fails["distance"] = int(row[1]) - int(within)
    return {"total": int(row[0]), "fails": {k: fails[k] for k in conds}}


def _near_misses(con, need, conds, scope, frames, result) -> list[dict]:
    """Near misses: the embedded ones for the numpy-side constraints (all such spaces passed the
    database filter), plus one relaxed query per database-side constraint."""
    out = [m for m in result.near_misses if m["relax"] not in conds]
    for key in conds:
        if key == "closed":
            continue
        others, params = _passing_sql(conds, skip=key)
        sql, p = conds[key]
        relaxed = _candidates(con, f"{others} AND coalesce({sql}, false)", params + p, scope, frames)
        if not len(relaxed):
            continue
        partial = match(relaxed, need, weights=result.weights, top=1, explain=False)
        gained = int(np.all([~c.fails for c in partial.constraints if c.key != key], axis=0).sum())
        if gained > 0:
            con_ = next(c for c in partial.constraints if c.key == key)
            out.append({"relax": key, "reason": con_.reason, "reason_zh": con_.text("zh"), "adds": gained})
    return sorted(out, key=lambda d: (-d["adds"], d["relax"]))
