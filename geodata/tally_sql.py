"""Area tallies computed inside PostGIS (the same numbers as :func:`spatial.tally.tally_by`).

On the database the placement of a million carriers in units is pushed down, in EPSG:4547
(the stored ``geom_m`` column), so that only one row per unit comes back:

* **Anchors** (the point itself, or a point on a polygon's surface) are placed with a cell
  grid over the units: a cell lying wholly inside a unit (``ST_ContainsProperly``) gives its
  unit by arithmetic and a hash join; an anchor in a cell on a unit boundary is tested with
  ``ST_Intersects`` against the unit's part of that cell (a few vertices). A point on a shared
  border goes to the first unit, as in the embedded tally.
* **Polygons** that cross no unit boundary (``ST_Intersects`` with the boundary lines, cut
  into short pieces with a GiST index) lie wholly in their anchor's units; the few that do
  cross are apportioned by ``ST_Area(ST_Intersection(…))`` with the unit pieces
  (``ST_Subdivide``).
* The **double-count rule** (a figure inside a parent that states it does not count) follows
  ``parent_id`` chains with a recursive query over the carriers that have a parent.
* The **Futian scope** keeps carriers within 50 m of the district (``ST_DWithin`` from the
  district's pieces, using each table's GiST index) and those without a location.

Every rule mirrors :mod:`spatial.tally`; ``tests/geodata/test_tally_sql.py`` checks that both
give the same rows on the bundled data and on a synthetic city.
"""
from __future__ import annotations

import pandas as pd

from layers.catalogue import CARRIER_LAYERS, get_layer
from spatial.scope import EDGE_TOLERANCE_M, check_scope
from spatial.tally import HETAO_INSIDE, HETAO_OUTSIDE, METHODS, OUTSIDE, STATED_FIELDS, UNLOCATED, stated_column

UNIT_TABLES = {"district": ("shenzhen_districts", True), "subdistrict": ("subdistricts", True),
               "cluster": ("clusters", False), "hetao": ("hetao", True)}
PIECE_VERTICES = 64
CELL_M = 250.0
SHARE_EPS = 1e-9
REST_EPS = 1e-7
WHOLE_EPS = 1e-9
MAX_DEPTH = 256
N = len(STATED_FIELDS)


def _anchor_column(table: str) -> str:
    """Point tables are their own anchors; polygon tables carry ``anchor_m`` (a stored point on the surface)."""
    if table in CARRIER_LAYERS and get_layer(table).geometry == "Point":
        return "geom_m"
    return "anchor_m"


def _features(tables, *, extra: str = "") -> str:
    cols = ", ".join(STATED_FIELDS)
    return " UNION ALL ".join(f'SELECT id, parent_id, geom_m, {_anchor_column(t)} AS anchor, {cols}{extra} FROM "{t}"'
                              for t in tables)


def _prepare_units(con, kind: str) -> None:
    """``_u`` (units in order), ``_p`` (their pieces), ``_b`` (their boundary pieces), ``_c`` (the cell grid)."""
    table, _ = UNIT_TABLES[kind]
    con.execute("CREATE TEMP TABLE _u (ord int, uid text, g geometry) ON COMMIT DROP")
    if kind == "hetao":
        con.execute(f'INSERT INTO _u SELECT 0, %s, ST_Union(geom_m) FROM "{table}" WHERE NOT coalesce(context, false)',
                    (HETAO_INSIDE,))
    else:
        con.execute(f'INSERT INTO _u SELECT row_number() OVER (ORDER BY fid) - 1, id, geom_m FROM "{table}"')
    con.execute(f"CREATE TEMP TABLE _p ON COMMIT DROP AS SELECT ord, ST_Subdivide(g, {PIECE_VERTICES}) AS g FROM _u")
    con.execute(f"CREATE TEMP TABLE _b ON COMMIT DROP AS SELECT ord, ST_Subdivide(ST_Boundary(g), {PIECE_VERTICES}) "
                "AS g FROM _u")
    con.execute("CREATE INDEX ON _p USING gist (g); CREATE INDEX ON _b USING gist (g)")
    s = CELL_M
    con.execute(f"""
        CREATE TEMP TABLE _c ON COMMIT DROP AS
        WITH b AS (SELECT ord, g, floor(ST_XMin(g) / {s})::int xa, floor(ST_XMax(g) / {s})::int xb,
                          floor(ST_YMin(g) / {s})::int ya, floor(ST_YMax(g) / {s})::int yb FROM _u),
        cells AS (SELECT b.ord, b.g, ix, iy,
                         ST_MakeEnvelope(ix * {s}, iy * {s}, (ix + 1) * {s}, (iy + 1) * {s}, 4547) AS cell
                  FROM b, generate_series(b.xa, b.xb) ix, generate_series(b.ya, b.yb) iy)
        SELECT ord, ix, iy, ST_ContainsProperly(g, cell) AS whole, cell FROM cells WHERE ST_Intersects(g, cell)""")
    con.execute("""
        CREATE TEMP TABLE _cp ON COMMIT DROP AS
        SELECT c.ord, c.ix, c.iy, ST_Intersection(p.g, c.cell) AS clip
        FROM _c c JOIN _p p ON p.ord = c.ord AND ST_Intersects(p.g, c.cell) WHERE NOT c.whole""")
    con.execute("DELETE FROM _c WHERE NOT whole")
    con.execute("CREATE INDEX ON _c (ix, iy); CREATE INDEX ON _cp (ix, iy)")
    con.execute("ANALYZE _u; ANALYZE _p; ANALYZE _b; ANALYZE _c; ANALYZE _cp")


def _prepare_scope(con, tables, scope: str) -> str:
    """SQL filter (on alias ``t``) keeping the features of ``scope``."""
    if scope == "shenzhen":
        return "true"
    con.execute(f"CREATE TEMP TABLE _s ON COMMIT DROP AS SELECT ST_Subdivide(geom_m, {PIECE_VERTICES}) AS g "
                "FROM district")
    con.execute("CREATE INDEX ON _s USING gist (g)")
    near = " UNION ".join(f'SELECT t.id FROM _s JOIN "{t}" t ON ST_DWithin(_s.g, t.geom_m, {EDGE_TOLERANCE_M})'
                          for t in tables)
    con.execute(f"CREATE TEMP TABLE _in ON COMMIT DROP AS {near}")
    con.execute("CREATE INDEX ON _in (id); ANALYZE _in")
    return "(t.geom_m IS NULL OR ST_IsEmpty(t.geom_m) OR t.id IN (SELECT id FROM _in))"


def _covered(con, tables, in_scope: str) -> None:
    """``_cov``: per in-scope carrier with an in-scope ancestor, which stated figures an ancestor
    states (the chain stops at an ancestor outside the scope, as in :mod:`spatial.stated`)."""
    feats = _features(tables)
    flags = ", ".join(f"bool_or(t.{f} IS NOT NULL) AS c{i}" for i, f in enumerate(STATED_FIELDS))
    con.execute(f"""
        CREATE TEMP TABLE _cov ON COMMIT DROP AS
        WITH RECURSIVE allc AS ({feats}),
        anc(id, aid, depth) AS (
            SELECT t.id, t.parent_id, 1 FROM allc t WHERE t.parent_id IS NOT NULL AND {in_scope}
            UNION ALL
            SELECT anc.id, t.parent_id, anc.depth + 1 FROM anc JOIN allc t ON t.id = anc.aid
            WHERE t.parent_id IS NOT NULL AND anc.depth < {MAX_DEPTH} AND {in_scope}
        )
        SELECT anc.id, {flags} FROM anc JOIN allc t ON t.id = anc.aid WHERE {in_scope} GROUP BY anc.id""")
    con.execute("CREATE INDEX ON _cov (id); ANALYZE _cov")


def _crossers(con, tables, in_scope: str) -> None:
    """``_x``: in-scope polygons that cross a unit boundary (or have several parts), with their values."""
    polys = [t for t in tables if _anchor_column(t) != "geom_m"]
    con.execute("CREATE TEMP TABLE _x (id text PRIMARY KEY, g geometry, area float8, "
                + ", ".join(f"v{i} float8" for i in range(N)) + ") ON COMMIT DROP")
    for t in polys:
        con.execute(f"""
            INSERT INTO _x SELECT t.id, t.geom_m, ST_Area(t.geom_m), {_values('t')}
            FROM "{t}" t LEFT JOIN _cov cv ON cv.id = t.id
            WHERE t.geom_m IS NOT NULL AND NOT ST_IsEmpty(t.geom_m) AND ST_Area(t.geom_m) > 0 AND {in_scope}
              AND (ST_NumGeometries(t.geom_m) > 1 OR EXISTS (SELECT 1 FROM _b WHERE ST_Intersects(_b.g, t.geom_m)))
            ON CONFLICT DO NOTHING""")
    con.execute("ANALYZE _x")


def _values(alias: str, *, named: bool = False) -> str:
    """Per stated field, the value that counts (NULL when unknown or inside a parent stating it)."""
    return ", ".join(f"CASE WHEN NOT coalesce(cv.c{i}, false) THEN {alias}.{f} END" + (f" AS v{i}" if named else "")
                     for i, f in enumerate(STATED_FIELDS))


def _sums(weight: str = "", where: str = "") -> str:
    """``sum(value × weight), count(value)`` per stated field (optionally only rows matching ``where``)."""
    w = f" * {weight}" if weight else ""
    f = f" FILTER (WHERE {where})" if where else ""
    return ", ".join(f"sum(v{i}{w}){f}, count(v{i}){f}" for i in range(N))


_MEASURES = (f"count(*), count(*) FILTER (WHERE area > 0), coalesce(sum(area) FILTER (WHERE area > 0), 0), "
             f"coalesce(sum(area) FILTER (WHERE area > 0 AND NOT crosser), 0), {_sums()}, "
             f"{_sums(where='area = 0 OR NOT crosser')}")
"""Per group: count, polygons, polygon area, non-crossing polygon area, stated sums (all), stated
sums (points and non-crossing polygons)."""
_WIDTH = 4 + 4 * N


def _placed(con, tables, in_scope: str, partition: bool) -> tuple[list, list, list]:
    """Anchor sums per located/unlocated group, per unit (whole cells, then boundary cells) and,
    for overlapping units, over the features placed anywhere."""
    cell = f"floor(ST_X(v.anchor) / {CELL_M})::int = c.ix AND floor(ST_Y(v.anchor) / {CELL_M})::int = c.iy"
    base = f"""
        WITH v AS (SELECT t.id, t.anchor, {_values('t', named=True)}, (x.id IS NOT NULL) AS crosser,
                          coalesce(ST_Area(t.geom_m), 0) AS area
                   FROM ({_features(tables)}) t LEFT JOIN _cov cv ON cv.id = t.id LEFT JOIN _x x ON x.id = t.id
                   WHERE {in_scope})"""
    cols = "v.id, v.anchor, v.crosser, v.area, " + ", ".join(f"v.v{i}" for i in range(N))
    groups = con.execute(f"""{base}
        SELECT (anchor IS NULL OR ST_IsEmpty(anchor)) AS unlocated, {_MEASURES} FROM v GROUP BY 1""").fetchall()
    whole = con.execute(f"""{base}
        SELECT c.ord, {_MEASURES} FROM v JOIN _c c ON {cell} GROUP BY c.ord""").fetchall()
    pick = "DISTINCT ON (v.id) c.ord" if partition else "DISTINCT ON (v.id, c.ord) c.ord"
    edge = con.execute(f"""{base},
        m AS (SELECT {pick}, {cols} FROM v JOIN _cp c ON {cell} AND ST_Intersects(c.clip, v.anchor)
              ORDER BY v.id, c.ord)
        SELECT ord, {_MEASURES} FROM m GROUP BY ord""").fetchall()
    anywhere = []
    if not partition:
        anywhere = con.execute(f"""{base},
            m AS (SELECT {cols} FROM v WHERE EXISTS (SELECT 1 FROM _c c WHERE {cell})
                  OR EXISTS (SELECT 1 FROM _cp c WHERE {cell} AND ST_Intersects(c.clip, v.anchor)))
            SELECT {_MEASURES} FROM m""").fetchall()
    return groups, whole + edge, anywhere


def _apportioned(con) -> list:
    """Per unit (None: outside) for the crossing polygons: land area and stated figures weighted by share."""
    return con.execute(f"""
        WITH cut AS (SELECT x.id, p.ord, sum(ST_Area(ST_Intersection(x.g, p.g))) / min(x.area) AS share
                     FROM _x x JOIN _p p ON ST_Intersects(p.g, x.g) GROUP BY x.id, p.ord),
        whole AS (SELECT id FROM cut GROUP BY id HAVING max(share) >= 1 - {WHOLE_EPS}),
        links AS (SELECT id, ord, 1.0::float8 AS share FROM cut WHERE share >= 1 - {WHOLE_EPS}
                  UNION ALL
                  SELECT id, ord, share FROM cut WHERE share > {SHARE_EPS} AND id NOT IN (SELECT id FROM whole)),
        held AS (SELECT id, sum(share) AS s FROM links GROUP BY id),
        rest AS (SELECT x.id, NULL::int AS ord, 1.0 - coalesce(h.s, 0) AS share FROM _x x LEFT JOIN held h
                 ON h.id = x.id WHERE 1.0 - coalesce(h.s, 0) >= {REST_EPS}),
        every AS (SELECT * FROM links UNION ALL SELECT * FROM rest)
        SELECT e.ord, sum(x.area * e.share), {_sums('e.share')}
        FROM every e JOIN _x x ON x.id = e.id GROUP BY e.ord""").fetchall()


def tally_in_database(url: str, kind: str, *, land: str = "apportion", stated: str = "centroid",
                      scope: str = "futian", tables=CARRIER_LAYERS) -> dict:
    """Tally the carriers (``tables``: carrier layers, plus any polygon tables with the carrier
    columns and an ``anchor_m`` point) of ``scope`` by spatial unit ``kind`` inside the database.

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
    asked = stated
    if land == "centroid":
        stated = "centroid"  # stated figures follow the area shares, which sit whole at the anchor here
    with _transaction(url) as con:
        con.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        _prepare_units(con, kind)
        in_scope = _prepare_scope(con, tables, scope)
        _covered(con, tables, in_scope)
        _crossers(con, tables, in_scope)
        units = con.execute("SELECT ord, uid FROM _u ORDER BY ord").fetchall()
        groups, placed, anywhere = _placed(con, tables, in_scope, partition)
        cut = _apportioned(con) if land == "apportion" else []
    result = _assemble(kind, units, groups, placed, anywhere, cut, land=land, stated=stated, partition=partition)
    result["stated"] = asked
    return result


def _empty_row(unit: str) -> dict:
    row = {"unit": unit, "count": 0, "polygon_count": 0, "land_area_m2": 0.0}
    for field in STATED_FIELDS:
        row[stated_column(field)] = None
        row[f"{stated_column(field)}_known"] = 0
    return row


def _measures(rec) -> dict:
    """A ``_MEASURES`` row (without its group key) as numbers (sums as floats, None as 0)."""
    vals = [0 if v is None else v for v in rec]
    out = {"count": int(vals[0]), "polys": int(vals[1]), "area": float(vals[2]), "area_whole": float(vals[3])}
    out["all"] = [(float(vals[4 + 2 * i]), int(vals[5 + 2 * i])) for i in range(N)]
    out["anchored"] = [(float(vals[4 + 2 * N + 2 * i]), int(vals[5 + 2 * N + 2 * i])) for i in range(N)]
    return out


def _minus(a: dict, b: dict) -> dict:
    return {"count": a["count"] - b["count"], "polys": a["polys"] - b["polys"], "area": a["area"] - b["area"],
            "area_whole": a["area_whole"] - b["area_whole"],
            "all": [(x[0] - y[0], x[1] - y[1]) for x, y in zip(a["all"], b["all"])],
            "anchored": [(x[0] - y[0], x[1] - y[1]) for x, y in zip(a["anchored"], b["anchored"])]}


def _add_stats(row: dict, stats) -> None:
    for field, (value, known) in zip(STATED_FIELDS, stats):
        col = stated_column(field)
        if known:
            row[col] = value + (row[col] or 0.0)
        row[f"{col}_known"] += known


def _fill(row: dict, m: dict, *, land: str, stated: str) -> None:
    row["count"] += m["count"]
    row["polygon_count"] += m["polys"]
    row["land_area_m2"] += m["area"] if land == "centroid" else m["area_whole"]
    _add_stats(row, m["all"] if stated == "centroid" else m["anchored"])


def _assemble(kind, units, groups, placed, anywhere, cut, *, land, stated, partition) -> dict:
    """One row per unit in unit order, then the extra rows in the order :mod:`spatial.tally` gives them."""
    uid_of = {o: uid for o, uid in units}
    order = [uid for _, uid in units] + ([OUTSIDE] if kind == "hetao" else [])
    rows = {u: _empty_row(u) for u in order}

    def row(unit: str) -> dict:
        if unit not in rows:
            order.append(unit)
            rows[unit] = _empty_row(unit)
        return rows[unit]

    by_group = {bool(r[0]): _measures(r[1:]) for r in groups}
    zero = _measures([0] * _WIDTH)
    located, unlocated = by_group.get(False, zero), by_group.get(True, zero)
    matched = zero
    for rec in placed:
        m = _measures(rec[1:])
        _fill(row(uid_of[rec[0]]), m, land=land, stated=stated)
        matched = _sum_measures(matched, m)
    outside = _minus(located, _measures(anywhere[0]) if anywhere else matched)
    if outside["count"] > 0:
        _fill(row(OUTSIDE), outside, land=land, stated=stated)
    if unlocated["count"] > 0:
        r = row(UNLOCATED)
        r["count"] = unlocated["count"]
        _add_stats(r, unlocated["all"])
    for rec in cut:
        r = row(uid_of[rec[0]] if rec[0] is not None else OUTSIDE)
        r["land_area_m2"] += float(rec[1] or 0.0)
        if stated == "apportion":
            _add_stats(r, [(float(rec[2 + 2 * i] or 0.0), int(rec[3 + 2 * i])) for i in range(N)])
    frame = pd.DataFrame([rows[u] for u in order])
    every = _sum_measures(located, unlocated)
    tot = {"unit": "total", "count": every["count"], "polygon_count": every["polys"], "land_area_m2": every["area"]}
    for field, (value, known) in zip(STATED_FIELDS, every["all"]):
        tot[stated_column(field)] = value if known else None
        tot[f"{stated_column(field)}_known"] = known
    if kind == "hetao":
        frame["unit"] = frame["unit"].replace({OUTSIDE: HETAO_OUTSIDE})
    return {"rows": frame, "total": tot, "overlapping": not partition, "land": land, "stated": stated}


def _sum_measures(a: dict, b: dict) -> dict:
    return {"count": a["count"] + b["count"], "polys": a["polys"] + b["polys"], "area": a["area"] + b["area"],
            "area_whole": a["area_whole"] + b["area_whole"],
            "all": [(x[0] + y[0], x[1] + y[1]) for x, y in zip(a["all"], b["all"])],
            "anchored": [(x[0] + y[0], x[1] + y[1]) for x, y in zip(a["anchored"], b["anchored"])]}
