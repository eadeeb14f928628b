"""Unit-level matching on PostGIS: the hard filters run in the database, the scoring stays in
numpy (:mod:`spatial.unit_match`), so the ranking is exactly the embedded one (the tests check it).

The database returns (1) the carriers of the scope that pass "not closed" and the distance limit
(``ST_DWithin`` on ``geom_m``, GiST) and either list units or pass the carrier-row filters
(minimum available area, known total area, maximum rent: unknown passes, as in
:func:`spatial.match.constraints`), with their parents (facilities are inherited); (2) the
*available* units of those carriers within the area range whose asking rent is unknown or at
most the maximum — through the index on ``units (status, area_m2)`` that
:func:`ensure_unit_indexes` makes. Zones, industries and facilities are decided in numpy on the
carriers returned.

The rows each database-side constraint excludes are counted in the database over the whole
scope (per carrier, its available units grouped in one scan); the other constraints among the
rows returned (``excluded_among``); the count runs on a second connection meanwhile, in the same
snapshot (``pg_export_snapshot``). Near misses of database-side constraints (only when fewer results
than asked for pass) come from one relaxed query of carriers; units are then counted, not read.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from geodata.storage import pg
from geodata.storage.ddl import UNIT_INDEXES
from geodata.storage.match_sql import _candidates, _conditions, _passing_sql, _scope_sql
from geodata.storage.pg import ident, literal, transaction
from geodata.storage.tally_sql import futian_pieces
from layers.catalogue import CARRIER_LAYERS
from spatial.errors import StoreBusyError
from spatial.match import _distance_m, constraints
from spatial.need import DEFAULT_WEIGHTS, Need
from spatial.scope import check_scope
from spatial.unit_match import UNIT_DETAILS, carrier_need, match_units, unit_candidate_arrays, unit_constraints

INDEX_LOCK_S = 1.0
"""How long a query waits for the write lock to create a missing index (then it goes on without)."""
CARRIER_LEVEL = ("closed", "distance", "location")
CARRIER_ROW = ("area", "capacity", "rent")
_UNIT_COLUMNS = ("id", "carrier_id", "status", "area_m2", "rent_asked_cny_m2_month")
"""What ranking reads of a unit; the :data:`spatial.unit_match.UNIT_DETAILS` are read for the results only."""


def ensure_unit_indexes(url: str) -> None:
    """Create the :data:`UNIT_INDEXES` that are missing (once per store, under its write lock; a busy
    store is left for the next query: the filters are right without them, only slower)."""
    with pg.query(url) as con:
        missing = [n for n in UNIT_INDEXES if con.execute("SELECT to_regclass(%s)", (n,)).fetchone()[0] is None]
    if not missing:
        return
    try:
        with pg.lock(url, timeout=INDEX_LOCK_S), transaction(url) as con:
            for name in missing:
                con.execute(UNIT_INDEXES[name])
    except StoreBusyError:
        return


def _unit_conditions(need: Need) -> dict[str, tuple[str, tuple]]:
    """Unit constraint key → (SQL true when the unit FAILS it, params), alias ``u``."""
    out = {}
    if need.area_min is not None:
        out["unit_area"] = ("u.area_m2 < %s", (float(need.area_min),))
    if need.area_max is not None:
        out["unit_area_max"] = ("u.area_m2 > %s", (float(need.area_max),))
    if need.max_rent is not None:
        out["rent"] = ("u.rent_asked_cny_m2_month > %s", (float(need.max_rent),))
    return out


def _unit_passing(need: Need, skip: str | None = None) -> list[tuple[str, tuple]]:
    """SQL alternatives (to be added up) true for available units passing every unit condition but
    ``skip``: with an area range, the units inside it and, apart, those of unknown area (each one
    an index-only range scan of ``ix_units_status_area``)."""
    common, params = ["u.status = 'available'"], ()
    if need.max_rent is not None and skip != "rent":
        common.append("NOT coalesce(u.rent_asked_cny_m2_month > %s, false)")
        params += (float(need.max_rent),)
    bounds = [(sql, float(v)) for sql, v, key in (("u.area_m2 >= %s", need.area_min, "unit_area"),
                                                   ("u.area_m2 <= %s", need.area_max, "unit_area_max"))
              if v is not None and skip != key]
    if not bounds:
        return [(" AND ".join(common), params)]
    inside = " AND ".join([*common, *(b[0] for b in bounds)])
    return [(inside, params + tuple(b[1] for b in bounds)), (" AND ".join([*common, "u.area_m2 IS NULL"]), params)]


def _split(need: Need) -> tuple[dict, dict]:
    """The carrier conditions of :func:`geodata.storage.match_sql._conditions`: those of every row
    (closed, distance, location), those of carrier rows only (area, capacity, rent)."""
    conds = _conditions(need)
    return ({k: v for k, v in conds.items() if k in CARRIER_LEVEL}, {k: v for k, v in conds.items() if k in CARRIER_ROW})


_HAS = "EXISTS (SELECT 1 FROM units x WHERE x.carrier_id = t.id)"


def _has_units(con, ids) -> np.ndarray:
    """Per id, whether the carrier lists any unit (index lookups)."""
    ids = [str(i) for i in ids]
    found = {r[0] for r in con.execute("SELECT c FROM unnest(%s::text[]) c WHERE EXISTS "
                                       "(SELECT 1 FROM units x WHERE x.carrier_id = c)", (ids,)).fetchall()}
    return np.array([i in found for i in ids], dtype=bool)


def _carriers(con, where: str, params: tuple, scope: str, frames):
    """Candidates of the carriers of ``scope`` matching ``where`` (alias ``t``), and whether each lists units."""
    cands = _candidates(con, where, params, scope, frames)
    return cands, _has_units(con, cands.frame["id"])


def _units(con, carrier_ids, branches: list[tuple[str, tuple]]) -> pd.DataFrame:
    """The units of ``carrier_ids`` matching one of ``branches`` (alias ``u``), by id."""
    cols = ", ".join(f"u.{ident(c)}" for c in _UNIT_COLUMNS)
    ids = [str(i) for i in carrier_ids]
    union = " UNION ALL ".join(f"SELECT {cols} FROM units u WHERE u.carrier_id = ANY(%s) AND {w}" for w, _ in branches)
    params = tuple(x for _, p in branches for x in (ids, *p))
    rows = con.execute(f"SELECT * FROM ({union}) u ORDER BY u.id", params).fetchall()
    frame = pd.DataFrame.from_records(rows, columns=list(_UNIT_COLUMNS))
    for c in ("area_m2", "rent_asked_cny_m2_month"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    return frame


def _details(con, uc, order) -> None:
    """Fill in the :data:`spatial.unit_match.UNIT_DETAILS` of the units at the rows ``order`` of ``uc``."""
    rows = [int(k) for k in uc.unit_row[np.asarray(order, dtype=np.int64)] if k >= 0]
    for c in UNIT_DETAILS:
        if c not in uc.units.columns:
            uc.units[c] = pd.Series([None] * len(uc.units), dtype=object)
    if not rows:
        return
    ids = [str(i) for i in uc.units["id"].iloc[rows]]
    cols = ", ".join(f"u.{ident(c)}" for c in UNIT_DETAILS)
    found = {r[0]: r[1:] for r in con.execute(f"SELECT u.id, {cols} FROM units u WHERE u.id = ANY(%s)", (ids,))}
    for k, i in zip(rows, ids):
        for c, v in zip(UNIT_DETAILS, found[i]):
            uc.units.iat[k, uc.units.columns.get_loc(c)] = v


def _rows(con, need: Need, scope: str, frames):
    """The rows passing every database-side filter: (carrier candidates, has units, unit frame)."""
    every, carrier_rows = _split(need)
    where, params = _passing_sql(every)
    rows_where, rows_params = _passing_sql(carrier_rows)
    cands, has = _carriers(con, f"{where} AND ({_HAS} OR ({rows_where}))", params + rows_params, scope, frames)
    return cands, has, _units(con, cands.frame["id"][has], _unit_passing(need))


def match_units_in_database(url: str, need: Need, frames: dict[str, pd.DataFrame], *, scope: str = "futian",
                            weights: dict[str, float] | None = None, top: int = 10, explain: bool = True) -> dict:
    """Unit-level matching of ``need`` against the units and unit-less carriers of ``scope``.

    Returns
    -------
    dict
        ``candidates`` (the pre-filtered :class:`spatial.unit_match.UnitCandidates`), ``result``
        (the :class:`spatial.match.MatchResult` on them), ``scope_size`` (rows in scope: available
        units and carriers without units), ``excluded`` (constraint key → rows it excludes:
        database-side keys over the scope, the others among the pre-filtered) and
        ``excluded_among`` (the keys counted among the pre-filtered).
    """
    check_scope(scope)
    problems = need.validate()
    if problems:
        raise ValueError("; ".join(problems))
    ensure_unit_indexes(url)
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    with transaction(url) as con, ThreadPoolExecutor(1) as pool:
        con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        snapshot = con.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counting = pool.submit(_counts_apart, url, snapshot, need, scope)  # the scan over the scope, meanwhile
        if scope != "shenzhen":
            futian_pieces(con)
        cands, has, units = _rows(con, need, scope, frames)
        uc = unit_candidate_arrays(cands, units, has_units=has)
        result = match_units(uc, need, weights=weights, top=top, explain=explain)
        _details(con, uc, result.order)
        if explain and len(result.order) < top:
            result.near_misses = _near_misses(con, need, scope, frames, result)
        counts = counting.result()
    sql_keys = set(counts["fails"])
    excluded = {c.key: int(c.fails.sum()) for c in result.constraints if c.key not in sql_keys}
    excluded.update(counts["fails"])
    return {"candidates": uc, "result": result, "scope_size": counts["total"], "excluded": excluded,
            "excluded_among": sorted(k for k in excluded if k not in sql_keys)}


def _counts_apart(url: str, snapshot: str, need: Need, scope: str) -> dict:
    """:func:`_sql_counts` on a connection of its own that sees the same snapshot as the match."""
    with transaction(url) as con:
        con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        con.execute(f"SET TRANSACTION SNAPSHOT {literal(snapshot)}")
        if scope != "shenzhen":
            futian_pieces(con)
        return _sql_counts(con, need, scope)


def _sql_counts(con, need: Need, scope: str) -> dict:
    """Rows in scope (available units of its carriers, carriers without units) and how many each
    database-side constraint excludes, in one query: the available units counted per carrier."""
    every, carrier_rows = _split(need)
    unit = _unit_conditions(need)
    union = " UNION ALL ".join(f"SELECT id, status, available_area_m2, floor_area_m2, usable_area_m2, space_area_m2, "
                               f"rent_cny_m2_month, geom_m FROM {ident(k)}" for k in CARRIER_LAYERS)
    per_unit = "".join(f", count(*) FILTER (WHERE coalesce({sql}, false)) AS {ident('f_' + k)}"
                       for k, (sql, _) in unit.items())
    mult = "(CASE WHEN t.has THEN coalesce(t.n_available, 0) ELSE 1 END)"
    sums, params = [], []
    for key, (sql, p) in every.items():
        sums.append(f"sum(CASE WHEN coalesce({sql}, false) THEN {mult} ELSE 0 END)")
        params += p
    for key in sorted(set(carrier_rows) | set(unit)):
        in_units = f"WHEN t.has THEN coalesce(t.{ident('f_' + key)}, 0)" if key in unit else "WHEN t.has THEN 0"
        sql, p = carrier_rows.get(key, ("false", ()))
        sums.append(f"sum(CASE {in_units} WHEN coalesce({sql}, false) THEN 1 ELSE 0 END)")
        params += p
    keys = [*every, *sorted(set(carrier_rows) | set(unit))]
    unit_params = tuple(p for _, ps in unit.values() for p in ps)
    con.execute("SET LOCAL max_parallel_workers_per_gather = 2")
    con.execute("SET LOCAL enable_seqscan = off")  # count from ix_units_status_carrier, never reading the table
    row = con.execute(f"""
        WITH a AS (SELECT u.carrier_id, count(*) AS n_available{per_unit} FROM units u
                   WHERE u.status = 'available' GROUP BY u.carrier_id),
             c AS MATERIALIZED (SELECT t.*, {_HAS} AS has FROM ({union}) t WHERE {_scope_sql(scope)})
        SELECT sum({mult}), {', '.join(sums)} FROM (SELECT c.*, a.* FROM c LEFT JOIN a ON a.carrier_id = c.id) t
        """, (*unit_params, *params)).fetchone()
    con.execute("SET LOCAL enable_seqscan = on")
    return {"total": int(row[0] or 0), "fails": {k: int(v or 0) for k, v in zip(keys, row[1:])}}


def _fail_counts(cons, keys) -> dict[str, np.ndarray]:
    """Per key of ``keys``: rows failing it and passing every other constraint of ``cons``."""
    failing = {c.key: c.fails for c in cons}
    total = np.sum([f.astype(np.int8) for f in failing.values()], axis=0) if failing else np.zeros(0)
    return {k: failing[k] & (total == 1) if k in failing else np.zeros_like(total, dtype=bool) for k in keys}


def _count_units(con, ids: list[str], branches: list[tuple[str, tuple]], also: tuple[str, tuple] = ("true", ())
                 ) -> int:
    """Units of carriers ``ids`` matching one of ``branches`` and ``also``."""
    if not ids:
        return 0
    return sum(int(con.execute(f"SELECT count(*) FROM units u WHERE u.carrier_id = ANY(%s) AND {w} AND {also[0]}",
                               (ids, *p, *also[1])).fetchone()[0]) for w, p in branches)


def _near_misses(con, need, scope, frames, result) -> list[dict]:
    """The embedded near misses of the numpy-side constraints (every row passing the database filters
    was scored), plus those of each database-side one, from one relaxed query: the carriers of the
    scope, not closed, failing at most one carrier-side condition. A unit-less carrier counts as a row;
    a carrier with units adds its units passing the unit conditions (for a carrier-side key) or failing
    only the unit-side key, counted in the database."""
    every, carrier_rows = _split(need)
    unit = _unit_conditions(need)
    db_keys = sorted((set(every) | set(carrier_rows) | set(unit)) - {"closed"})
    out = [m for m in result.near_misses if m["relax"] not in db_keys]
    fails = [(f"coalesce({sql}, false)::int", p) for k, (sql, p) in every.items() if k != "closed"]
    fails += [(f"(NOT {_HAS} AND coalesce({sql}, false))::int", p) for sql, p in carrier_rows.values()]
    closed, _ = every["closed"]
    where = f"NOT coalesce({closed}, false) AND ({' + '.join(f for f, _ in fails) or '0'}) <= 1"
    cands, has = _carriers(con, where, tuple(x for _, p in fails for x in p), scope, frames)
    bare = unit_candidate_arrays(cands, pd.DataFrame(columns=list(_UNIT_COLUMNS)), has_units=has)
    gained = {k: int(v.sum()) for k, v in _fail_counts(unit_constraints(bare, need, _distance_m(bare.cands, need)),
                                                       db_keys).items()}
    ids = cands.frame["id"].astype(str).to_numpy()
    by_carrier = constraints(cands, carrier_need(need), _distance_m(cands, need))
    only = _fail_counts(by_carrier, list(every))
    ok = has & ~np.any([c.fails for c in by_carrier], axis=0) if by_carrier else has
    for key in db_keys:
        if key in every:
            gained[key] += _count_units(con, list(ids[has & only[key]]), _unit_passing(need))
        if key in unit:
            sql, p = unit[key]
            gained[key] += _count_units(con, list(ids[ok]), _unit_passing(need, skip=key), (f"coalesce({sql}, false)", p))
    texts = {c.key: c for c in result.constraints}
    out += [{"relax": k, "reason": texts[k].reason, "reason_zh": texts[k].text("zh"), "adds": n}
            for k, n in gained.items() if n > 0]
    return sorted(out, key=lambda d: (-d["adds"], d["relax"]))
