"""Area tallies computed inside PostGIS (the same numbers as :func:`spatial.tally.tally_by`).

On the database the placement of a million carriers in units is pushed down: the units are
cut into small pieces (``ST_Subdivide``) with a GiST index, anchors are placed with
``ST_Intersects``, polygons are apportioned by ``ST_Area(ST_Intersection(…))`` in EPSG:4547
(the stored ``geom_m`` column), and the sums are ``GROUP BY`` aggregates — only one row per
unit comes back. The double-count rule (a figure inside a parent that states it does not
count) follows ``parent_id`` chains with a recursive query over the carriers that have a
parent. Every rule mirrors :mod:`spatial.tally`; ``tests/geodata/test_tally_sql.py`` checks
that both give the same rows on the bundled data and on synthetic city data.
"""
from __future__ import annotations

import pandas as pd

from layers.catalogue import CARRIER_LAYERS
from spatial.scope import EDGE_TOLERANCE_M, check_scope
from spatial.tally import (HETAO_INSIDE, HETAO_OUTSIDE, METHODS, OUTSIDE, STATED_FIELDS, UNLOCATED,
                           stated_column)

UNIT_TABLES = {"district": ("shenzhen_districts", True), "subdistrict": ("subdistricts", True),
               "cluster": ("clusters", False), "hetao": ("hetao", True)}
PIECE_VERTICES = 64
SHARE_EPS = 1e-9
REST_EPS = 1e-7
MAX_DEPTH = 256


def _features(tables) -> str:
    cols = ", ".join(STATED_FIELDS)
    return " UNION ALL ".join(f'SELECT id, parent_id, geom_m, {cols} FROM "{t}"' for t in tables)


def _prepare(con, kind: str, scope: str) -> None:
    table, _ = UNIT_TABLES[kind]
    con.execute("CREATE TEMP TABLE _u (ord int, uid text, g geometry) ON COMMIT DROP")
    if kind == "hetao":
        con.execute(f"INSERT INTO _u SELECT 0, %s, ST_Union(geom_m) FROM \"{table}\" "
                    "WHERE NOT coalesce(context, false)", (HETAO_INSIDE,))
    else:
        con.execute(f'INSERT INTO _u SELECT row_number() OVER (ORDER BY fid) - 1, id, geom_m FROM "{table}"')
    con.execute("CREATE INDEX ON _u USING gist (g)")
    con.execute(f"CREATE TEMP TABLE _p ON COMMIT DROP AS SELECT ord, ST_Subdivide(g, {PIECE_VERTICES}) AS g FROM _u")
    con.execute("CREATE INDEX ON _p USING gist (g)")
    con.execute(f"CREATE TEMP TABLE _s ON COMMIT DROP AS SELECT ST_Subdivide(geom_m, {PIECE_VERTICES}) AS g "
                "FROM district")
    con.execute("CREATE INDEX ON _s USING gist (g)")
    con.execute("ANALYZE _u; ANALYZE _p; ANALYZE _s")


def _scope_sql(scope: str, alias: str) -> str:
    if scope == "shenzhen":
        return "true"
    return (f"({alias}.geom_m IS NULL OR ST_IsEmpty({alias}.geom_m) OR EXISTS (SELECT 1 FROM _s "
            f"WHERE ST_DWithin(_s.g, {alias}.geom_m, {EDGE_TOLERANCE_M})))")


def _covered(con, tables, scope: str) -> None:
    """Temp table ``_cov``: per in-scope carrier with an in-scope ancestor, which stated figures an
    ancestor states (the chain stops at an ancestor outside the scope, as in :mod:`spatial.stated`)."""
    feats = _features(tables)
    flags = ", ".join(f"bool_or(p.{f} IS NOT NULL) AS c{i}" for i, f in enumerate(STATED_FIELDS))
    con.execute(f"""
        CREATE TEMP TABLE _cov ON COMMIT DROP AS
        WITH RECURSIVE allc AS ({feats}),
        anc(id, aid, depth) AS (
            SELECT c.id, c.parent_id, 1 FROM allc c WHERE c.parent_id IS NOT NULL AND {_scope_sql(scope, 'c')}
            UNION ALL
            SELECT anc.id, p.parent_id, anc.depth + 1 FROM anc JOIN allc p ON p.id = anc.aid
            WHERE p.parent_id IS NOT NULL AND anc.depth < {MAX_DEPTH} AND {_scope_sql(scope, 'p')}
        )
        SELECT anc.id, {flags} FROM anc JOIN allc p ON p.id = anc.aid WHERE {_scope_sql(scope, 'p')}
        GROUP BY anc.id""")
    con.execute("CREATE INDEX ON _cov (id)")
    con.execute("ANALYZE _cov")


def tally_in_database(url: str, kind: str, *, land: str = "apportion", stated: str = "centroid",
                      scope: str = "futian", tables=CARRIER_LAYERS) -> dict:
    """Tally the carriers (``tables``: carrier layers, or any tables with the carrier columns) of
    ``scope`` by spatial unit ``kind`` inside the database.

    Returns
    -------
    dict
        ``rows`` (DataFrame: ``unit``, ``count``, ``polygon_count``, ``land_area_m2``, stated
        columns and ``*_known`` counts), ``total``, ``overlapping``, ``land``, ``stated`` — as
        :func:`spatial.tally.tally_by`, without the per-carrier ``anchor``/``counted`` detail.
    """
    from geodata.store_postgis import _transaction

    if kind not in UNIT_TABLES:
        raise ValueError(f"unit kind {kind!r} is not spatial: use one of {', '.join(UNIT_TABLES)}")
    for method in (land, stated):
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    check_scope(scope)
    partition = UNIT_TABLES[kind][1]
    share_method = stated
    if land == "centroid":
        stated = "centroid"  # stated figures follow the area shares, which sit whole at the anchor here
    with _transaction(url) as con:
        _prepare(con, kind, scope)
        _covered(con, tables, scope)
        units = con.execute("SELECT ord, uid FROM _u ORDER BY ord").fetchall()
        anchor, unlocated, total = _anchor_sums(con, tables, scope, partition)
        area = _area_sums(con, tables, scope) if land == "apportion" or stated == "apportion" else None
    result = _assemble(kind, units, anchor, unlocated, total, area, land=land, stated=stated, partition=partition)
    result["stated"] = share_method
    return result


def _values_sql(alias: str = "f") -> str:
    """Per stated field, the value that counts (NULL when unknown or inside a parent stating it)."""
    return ", ".join(f"CASE WHEN NOT coalesce(cv.c{i}, false) THEN {alias}.{f} END AS v{i}"
                     for i, f in enumerate(STATED_FIELDS))


def _sums_sql(weight: str = "", where: str = "") -> str:
    """``sum(value × weight), count(value)`` per stated field (optionally only rows matching ``where``)."""
    w = f" * {weight}" if weight else ""
    f = f" FILTER (WHERE {where})" if where else ""
    return ", ".join(f"sum(v{i}{w}){f}, count(v{i}){f}" for i in range(len(STATED_FIELDS)))


def _anchor_sums(con, tables, scope: str, partition: bool):
    feats = _features(tables)
    pick = ("(SELECT min(p.ord) AS ord FROM _p p WHERE ST_Intersects(p.g, a.anchor)) u ON true" if partition else
            "(SELECT DISTINCT p.ord FROM _p p WHERE ST_Intersects(p.g, a.anchor)) u ON true")
    base = f"""
        WITH f AS (SELECT * FROM ({feats}) x WHERE {_scope_sql(scope, 'x')}),
        v AS (SELECT f.id, f.geom_m, {_values_sql()} FROM f LEFT JOIN _cov cv ON cv.id = f.id)"""
    anchor = con.execute(f"""{base},
        a AS (SELECT v.*, ST_Area(geom_m) AS area,
                     CASE WHEN ST_GeometryType(geom_m) = 'ST_Point' THEN geom_m ELSE ST_PointOnSurface(geom_m) END
                     AS anchor
              FROM v WHERE geom_m IS NOT NULL AND NOT ST_IsEmpty(geom_m))
        SELECT u.ord, count(*), count(*) FILTER (WHERE area > 0), coalesce(sum(area) FILTER (WHERE area > 0), 0),
               {_sums_sql()}, {_sums_sql(where="area = 0")}
        FROM a LEFT JOIN LATERAL {pick} GROUP BY u.ord""").fetchall()
    unlocated = con.execute(f"""{base}
        SELECT count(*), 0, 0.0, {_sums_sql()} FROM v WHERE geom_m IS NULL OR ST_IsEmpty(geom_m)""").fetchone()
    total = con.execute(f"""{base}
        SELECT count(*), count(*) FILTER (WHERE ST_Area(geom_m) > 0), coalesce(sum(ST_Area(geom_m)), 0),
               {_sums_sql()} FROM v""").fetchone()
    return anchor, unlocated, total


def _area_sums(con, tables, scope: str):
    """Per unit (NULL: outside): apportioned land area, and stated figures weighted by the shares."""
    feats = _features(tables)
    return con.execute(f"""
        WITH f AS (SELECT * FROM ({feats}) x WHERE {_scope_sql(scope, 'x')}),
        pl AS (SELECT f.id, f.geom_m, ST_Area(f.geom_m) AS area, {_values_sql()}
               FROM f LEFT JOIN _cov cv ON cv.id = f.id
               WHERE f.geom_m IS NOT NULL AND NOT ST_IsEmpty(f.geom_m) AND ST_Area(f.geom_m) > 0),
        whole AS (SELECT pl.id, u.ord, 1.0::float8 AS share FROM pl JOIN _u u ON ST_Within(pl.geom_m, u.g)),
        cut AS (SELECT pl.id, p.ord, sum(ST_Area(ST_Intersection(pl.geom_m, p.g))) / min(pl.area) AS share
                FROM pl JOIN _p p ON ST_Intersects(pl.geom_m, p.g)
                WHERE NOT EXISTS (SELECT 1 FROM whole w WHERE w.id = pl.id)
                GROUP BY pl.id, p.ord),
        links AS (SELECT * FROM whole UNION ALL SELECT * FROM cut WHERE share > {SHARE_EPS}),
        held AS (SELECT id, sum(share) AS s FROM links GROUP BY id),
        rest AS (SELECT pl.id, NULL::int AS ord, 1.0 - coalesce(h.s, 0) AS share FROM pl LEFT JOIN held h
                 ON h.id = pl.id WHERE 1.0 - coalesce(h.s, 0) >= {REST_EPS}),
        every AS (SELECT * FROM links UNION ALL SELECT * FROM rest)
        SELECT e.ord, sum(pl.area * e.share), {_sums_sql('e.share')}
        FROM every e JOIN pl ON pl.id = e.id GROUP BY e.ord""").fetchall()


def _stats(rec, offset: int) -> dict:
    out = {}
    for i, field in enumerate(STATED_FIELDS):
        s, k = rec[offset + 2 * i], rec[offset + 2 * i + 1]
        out[field] = (None if not k else float(s), int(k))
    return out


def _empty_row(unit: str) -> dict:
    row = {"unit": unit, "count": 0, "polygon_count": 0, "land_area_m2": 0.0}
    for field in STATED_FIELDS:
        row[stated_column(field)] = None
        row[f"{stated_column(field)}_known"] = 0
    return row


def _add(row: dict, stats: dict) -> None:
    for field, (value, known) in stats.items():
        col = stated_column(field)
        if value is not None:
            row[col] = value + (row[col] or 0.0)
        row[f"{col}_known"] += known


def _assemble(kind, units, anchor, unlocated, total, area, *, land, stated, partition) -> dict:
    """One row per unit in unit order, then the extra rows in the order :mod:`spatial.tally` gives them."""
    uid_of = {o: uid for o, uid in units}
    order = [uid for _, uid in units] + ([OUTSIDE] if kind == "hetao" else [])
    rows = {u: _empty_row(u) for u in order}

    def row(unit: str) -> dict:
        if unit not in rows:
            order.append(unit)
            rows[unit] = _empty_row(unit)
        return rows[unit]

    n = len(STATED_FIELDS)
    for rec in sorted(anchor, key=lambda r: (r[0] is None, r[0] or 0)):
        r = row(uid_of[rec[0]] if rec[0] is not None else OUTSIDE)
        r["count"], r["polygon_count"] = int(rec[1]), int(rec[2])
        if land == "centroid":
            r["land_area_m2"] = float(rec[3])
        _add(r, _stats(rec, 4) if stated == "centroid" else _stats(rec, 4 + 2 * n))  # apportion: points here
    if unlocated[0]:
        r = row(UNLOCATED)
        r["count"] = int(unlocated[0])
        _add(r, _stats(unlocated, 3))
    for rec in area or ():
        r = row(uid_of[rec[0]] if rec[0] is not None else OUTSIDE)
        if land == "apportion":
            r["land_area_m2"] = float(rec[1] or 0.0)
        if stated == "apportion":
            _add(r, _stats(rec, 2))  # polygons by their share
    frame = pd.DataFrame([rows[u] for u in order])
    tot = {"unit": "total", "count": int(total[0]), "polygon_count": int(total[1]), "land_area_m2": float(total[2])}
    for field, (value, known) in _stats(total, 3).items():
        tot[stated_column(field)], tot[f"{stated_column(field)}_known"] = value, known
    if kind == "hetao":
        frame["unit"] = frame["unit"].replace({OUTSIDE: HETAO_OUTSIDE})
    return {"rows": frame, "total": tot, "overlapping": not partition, "land": land, "stated": stated}
