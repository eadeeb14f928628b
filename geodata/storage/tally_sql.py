"""Area tallies computed inside PostGIS (the same numbers as :func:`spatial.tally.tally_by`).

On the database the placement of a million carriers in units is pushed down, in EPSG:4547
(the stored ``geom_m`` column), and only a handful of rows per unit come back:

* **Unit cache.** Each set of units (the nine districts, the ten subdistricts, …) is cut once
  into a 250 m cell grid: cells lying wholly inside a unit (``ST_ContainsProperly``), and for
  the cells on a boundary the unit's part of the cell (``ST_Intersection``); plus the units
  cut into pieces (``ST_Subdivide``) and their boundary lines. It is kept in the
  ``spacemap_unit_*`` tables under a digest of the unit geometries, so it is rebuilt only when
  a unit changes (migration 3).
* **Anchors** (the point itself, or a stored point on a polygon's surface) in whole cells get
  their unit by arithmetic and a hash join in one parallel scan; anchors in boundary cells are
  found from the cell parts through the carriers' GiST index (``ST_Intersects``). A point on a
  shared border goes to the first unit, as in the embedded tally.
* **Polygons** that cross no unit boundary (``ST_Intersects`` with the boundary pieces) lie
  wholly in their anchor's units; those that cross are apportioned by
  ``ST_Area(ST_Intersection(…))`` with the unit pieces.
* The **double-count rule** (a figure inside a parent that states it does not count) follows
  ``parent_id`` chains with a recursive query by index lookups; the few carriers it affects,
  and the crossing polygons, are placed one by one and their figures moved.
* The **Futian scope** keeps carriers within 50 m of the district (``ST_DWithin`` from the
  district's pieces) and those without a location.

Every rule mirrors :mod:`spatial.tally`; ``tests/geodata/test_tally_sql.py`` checks that both
give the same rows on the bundled data and on a synthetic city. (Not mirrored: a polygon that
contains a whole unit without crossing its boundary, which carriers smaller than a unit cannot do.)
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone


from geodata.storage.ddl import CACHE_TABLES, CELL_M
from geodata.storage.pg import ident, literal, transaction
from geodata.storage.tally_rows import N, OUT, UNLOC, TallyRows, row_order
from layers.catalogue import CARRIER_LAYERS, get_layer
from spatial.scope import EDGE_TOLERANCE_M, check_scope
from spatial.tally import HETAO_INSIDE, METHODS, STATED_FIELDS

UNIT_TABLES = {"district": ("shenzhen_districts", True), "subdistrict": ("subdistricts", True),
               "cluster": ("clusters", False), "hetao": ("hetao", True)}
PIECE_VERTICES = 32
BOUND_VERTICES = 8
SHARE_EPS = 1e-9
REST_EPS = 1e-7
WHOLE_EPS = 1e-9
MAX_DEPTH = 256

def _anchor_column(table: str) -> str:
    """Point tables are their own anchors; polygon tables carry ``anchor_m`` (a stored point on the surface)."""
    return "geom_m" if _is_point_table(table) else "anchor_m"


def _is_point_table(table: str) -> bool:
    return table in CARRIER_LAYERS and get_layer(table).geometry == "Point"


def _features(tables, *, area: bool = True) -> str:
    """The features of ``tables`` as one relation: id, parent_id, geom_m, anchor, area, the stated figures."""
    cols = ", ".join(STATED_FIELDS)
    parts = []
    for t in tables:
        a = "0::float8" if _is_point_table(t) or not area else "coalesce(ST_Area(geom_m), 0)"
        poly = "false" if _is_point_table(t) else "true"
        parts.append(f'SELECT id, parent_id, geom_m, {_anchor_column(t)} AS anchor, cx AS ix, cy AS iy, {a} AS area, '
                     f'{poly} AS poly, {cols} FROM {ident(t)}')
    return " UNION ALL ".join(parts)


# ---- the unit cache ----------------------------------------------------------------------

def _unit_source(kind: str) -> str:
    table, _ = UNIT_TABLES[kind]
    if kind == "hetao":
        return (f"SELECT 0 AS ord, {literal(HETAO_INSIDE)}::text AS uid, ST_Union(geom_m) AS g FROM {ident(table)} "
                "WHERE NOT coalesce(context, false)")
    return f'SELECT (row_number() OVER (ORDER BY fid) - 1)::int AS ord, id AS uid, geom_m AS g FROM {ident(table)}'


def unit_set(con, kind: str) -> tuple[str, list[str]]:
    """The cache key of ``kind``'s units (built now if missing) and the unit ids in order."""
    digest, units = con.execute(f"""
        SELECT md5(%s || string_agg(uid || ':' || md5(ST_AsBinary(g)), ',' ORDER BY ord)),
               array_agg(uid ORDER BY ord) FROM ({_unit_source(kind)}) u""",
        (f"{kind}:{CELL_M}:{PIECE_VERTICES}:{BOUND_VERTICES}:",)).fetchone()
    if con.execute("SELECT 1 FROM spacemap_unit_sets WHERE key = %s", (digest,)).fetchone() is None:
        con.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (digest,))
        if con.execute("SELECT 1 FROM spacemap_unit_sets WHERE key = %s", (digest,)).fetchone() is None:
            _build(con, kind, digest, units)
    return digest, list(units)


def _build(con, kind: str, key: str, units: list[str]) -> None:
    old = [r[0] for r in con.execute("SELECT key FROM spacemap_unit_sets WHERE kind = %s", (kind,)).fetchall()]
    for table in CACHE_TABLES:
        con.execute(f"DELETE FROM {ident(table)} WHERE key = ANY(%s)", (old,))
    s = CELL_M
    src = _unit_source(kind)
    con.execute(f"INSERT INTO spacemap_unit_pieces SELECT %s, ord, ST_Subdivide(g, {PIECE_VERTICES}) FROM ({src}) u",
                (key,))
    con.execute(f"INSERT INTO spacemap_unit_bounds SELECT %s, ord, ST_Subdivide(ST_Boundary(g), {BOUND_VERTICES}) "
                f"FROM ({src}) u", (key,))
    con.execute(f"""
        CREATE TEMP TABLE _cells ON COMMIT DROP AS
        WITH b AS (SELECT ord, g, floor(ST_XMin(g) / {s})::int xa, floor(ST_XMax(g) / {s})::int xb,
                          floor(ST_YMin(g) / {s})::int ya, floor(ST_YMax(g) / {s})::int yb FROM ({src}) u),
        cells AS (SELECT b.ord, b.g, ix, iy,
                         ST_MakeEnvelope(ix * {s}, iy * {s}, (ix + 1) * {s}, (iy + 1) * {s}, 4547) AS cell
                  FROM b, generate_series(b.xa, b.xb) ix, generate_series(b.ya, b.yb) iy)
        SELECT ord, ix, iy, ST_ContainsProperly(g, cell) AS whole, cell FROM cells WHERE ST_Intersects(g, cell)""")
    con.execute("INSERT INTO spacemap_unit_grid SELECT %s, ix, iy, ord, true, NULL FROM _cells WHERE whole", (key,))
    con.execute("""
        INSERT INTO spacemap_unit_grid
        SELECT %s, c.ix, c.iy, c.ord, false, ST_Union(ST_Intersection(p.g, c.cell))
        FROM _cells c JOIN spacemap_unit_pieces p ON p.key = %s AND p.ord = c.ord AND ST_Intersects(p.g, c.cell)
        WHERE NOT c.whole GROUP BY c.ix, c.iy, c.ord""", (key, key))
    con.execute("ANALYZE spacemap_unit_grid")
    con.execute("""
        INSERT INTO spacemap_unit_borders
        SELECT %s, a.ix, a.iy, ST_Intersection(a.g, b.g)
        FROM spacemap_unit_grid a JOIN spacemap_unit_grid b ON a.key = b.key AND a.ix = b.ix AND a.iy = b.iy
        AND a.ord < b.ord AND NOT a.whole AND NOT b.whole AND ST_Intersects(a.g, b.g) WHERE a.key = %s""", (key, key))
    con.execute("INSERT INTO spacemap_unit_sets VALUES (%s, %s, %s, %s)",
                (key, kind, units, datetime.now(timezone.utc).isoformat(timespec="seconds")))
    for table in CACHE_TABLES[1:]:
        con.execute(f"ANALYZE {ident(table)}")


# ---- scope, parents, crossing polygons ----------------------------------------------------

class _Sql:
    """The per-query parameters and the SQL fragments built from them (alias ``t`` for a feature)."""

    def __init__(self, tables, key: str, *, anchored: bool, params: "_Sql | None" = None):
        self.tables, self.key = list(tables), key
        self.sums = _sums(anchored)
        self.params: dict = {"key": key, "inscope": [], "crossers": [], **{f"cov{i}": [] for i in range(N)}}
        self.scope = "true"
        if params is not None:  # the scope and double-count exclusions of another query
            self.params = {**params.params, "crossers": []}
            self.scope = params.scope

    def features(self, *, area: bool = True) -> str:
        return _features(self.tables, area=area)

    def values(self) -> str:
        """Per stated field, the value that counts: NULL when unknown or inside a parent stating it."""
        return ", ".join(f"CASE WHEN t.parent_id IS NOT NULL AND t.id = ANY(%(cov{i})s) THEN NULL ELSE t.{ident(f)} END AS v{i}"
                         for i, f in enumerate(STATED_FIELDS))  # only a carrier with a parent can be covered

    def counted(self) -> str:
        """The features of the scope with their counted values and whether they are crossing polygons."""
        return (f"SELECT t.id, t.anchor, t.area, t.poly AND t.id = ANY(%(crossers)s) AS crosser, {self.values()}, "
                f"t.ix, t.iy "
                f"FROM ({self.features()}) t WHERE {self.scope}")


def futian_pieces(con) -> None:
    """Temporary table ``_s``: Futian cut into small indexed pieces, for "within 50 m of the district"."""
    con.execute(f"CREATE TEMP TABLE _s ON COMMIT DROP AS SELECT ST_Subdivide(geom_m, {PIECE_VERTICES}) AS g "
                f"FROM {ident('district')}")
    con.execute("CREATE INDEX ON _s USING gist (g)")


def _scope(con, q: _Sql, scope: str) -> None:
    """Limit ``q`` to ``scope``: Futian keeps carriers within 50 m of the district and those without a location."""
    if scope == "shenzhen":
        return
    futian_pieces(con)
    near = " UNION ".join(f'SELECT t.id FROM _s JOIN {ident(t)} t ON ST_DWithin(_s.g, t.geom_m, {EDGE_TOLERANCE_M})'
                          for t in q.tables)
    q.params["inscope"] = [r[0] for r in con.execute(near).fetchall()]
    q.scope = "(t.geom_m IS NULL OR ST_IsEmpty(t.geom_m) OR t.id = ANY(%(inscope)s))"


def _covered(con, q: _Sql) -> None:
    """Carriers of the scope with an ancestor in the scope stating a figure, per field (``cov0``…).
    The chain stops at an ancestor outside the scope, as in :mod:`spatial.stated`."""
    with_parent = " UNION ALL ".join(f'SELECT id, parent_id, geom_m FROM {ident(t)} WHERE parent_id IS NOT NULL'
                                     for t in q.tables)
    every = q.features(area=False)
    flags = ", ".join(f"bool_or(t.{ident(f)} IS NOT NULL)" for f in STATED_FIELDS)
    rows = con.execute(f"""
        WITH RECURSIVE anc(id, aid, depth) AS (
            SELECT t.id, t.parent_id, 1 FROM ({with_parent}) t WHERE {q.scope}
            UNION ALL
            SELECT anc.id, t.parent_id, anc.depth + 1
            FROM anc CROSS JOIN LATERAL (SELECT * FROM ({every}) u WHERE u.id = anc.aid) t
            WHERE t.parent_id IS NOT NULL AND anc.depth < {MAX_DEPTH} AND {q.scope}
        )
        SELECT anc.id, {flags}
        FROM anc CROSS JOIN LATERAL (SELECT * FROM ({every}) u WHERE u.id = anc.aid) t
        WHERE {q.scope} GROUP BY anc.id""", q.params).fetchall()
    for i in range(N):
        q.params[f"cov{i}"] = [r[0] for r in rows if r[1 + i]]


def _crossers(con, q: _Sql) -> None:
    """``_x``: polygons of the scope that cross a unit boundary (or have several parts), with
    their area and counted figures; their ids go to ``crossers``."""
    polys = [t for t in q.tables if not _is_point_table(t)]
    con.execute("CREATE TEMP TABLE _x (id text PRIMARY KEY, area float8, g geometry, "
                + ", ".join(f"v{i} float8" for i in range(N)) + ") ON COMMIT DROP")
    for p in polys:
        con.execute(f"""
            INSERT INTO _x SELECT t.id, ST_Area(t.geom_m), t.geom_m, {q.values()}
            FROM {ident(p)} t
            WHERE ST_Area(t.geom_m) > 0 AND {q.scope} AND (ST_NumGeometries(t.geom_m) > 1 OR t.id IN (
                SELECT t.id FROM spacemap_unit_bounds b JOIN {ident(p)} t ON ST_Intersects(b.g, t.geom_m)
                WHERE b.key = %(key)s))""", q.params)
    q.params["crossers"] = [r[0] for r in con.execute("SELECT id FROM _x").fetchall()]


# ---- the passes ---------------------------------------------------------------------------

def _cell(alias: str, cells: str = "c") -> str:
    """Join condition: the feature's precomputed cell (``ix``, ``iy`` of :meth:`_Sql.counted`) is the cell's."""
    return f"{alias}.ix = {cells}.ix AND {alias}.iy = {cells}.iy"


def _sums(anchored: bool) -> str:
    """Per group: count, polygons, polygon area, area of polygons that cross no unit boundary, then
    sum and count of each counted figure, and (``anchored``: else zeros, for speed) the same for
    points and non-crossing polygons only."""
    out = ("count(*), count(*) FILTER (WHERE area > 0), coalesce(sum(area), 0), "
           "coalesce(sum(CASE WHEN crosser THEN 0 ELSE area END), 0), "
           + ", ".join(f"coalesce(sum(v{i}), 0), count(v{i})" for i in range(N)))
    if not anchored:
        return out + ", " + ", ".join("0, 0" for _ in range(N))
    return out + ", " + ", ".join(f"coalesce(sum(v{i}) FILTER (WHERE NOT crosser), 0), "
                                  f"count(v{i}) FILTER (WHERE NOT crosser)" for i in range(N))


class _parallel_hash:
    """Within the block, scans of the carriers run in parallel workers with the cell tables hashed
    (never an index probe or a sort per row)."""

    def __init__(self, con):
        self.con = con

    def __enter__(self):
        self.con.execute("SET LOCAL max_parallel_workers_per_gather = 2; SET LOCAL enable_mergejoin = off; "
                         "SET LOCAL enable_nestloop = off; SET LOCAL enable_sort = off")

    def __exit__(self, *exc):
        self.con.execute("RESET enable_mergejoin; RESET enable_nestloop; RESET enable_sort")


def _single_pass(con, q: _Sql) -> tuple[list[tuple], list[str]]:
    """Units that tile (partition): one parallel scan places every anchor with a hash join on its
    cell — a unit holding the whole cell, or the unit part of a boundary cell that holds the
    anchor (-1: outside every unit, -2: no location). An anchor exactly on a border between two
    units' parts matches both: when the rows outnumber the features (rarely), those anchors'
    ids are fetched, to be kept in the first unit only, as in the embedded tally."""
    with _parallel_hash(con):
        rows = con.execute(f"""
            SELECT CASE WHEN t.ix IS NULL THEN {UNLOC} ELSE coalesce(u.ord, {OUT}) END, {q.sums}
            FROM ({q.counted()}) t LEFT JOIN spacemap_unit_grid u ON u.key = %(key)s AND {_cell('t', 'u')}
                 AND (u.whole OR ST_Intersects(u.g, t.anchor))
            GROUP BY 1""", q.params).fetchall()
    features = con.execute(f"SELECT count(*) FROM ({q.features(area=False)}) t WHERE {q.scope}", q.params).fetchone()[0]
    borders = []
    if sum(int(r[1]) for r in rows) > features:
        borders = [r[0] for r in con.execute(f"""
            SELECT DISTINCT t.id FROM ({q.counted()}) t JOIN spacemap_unit_borders b
            ON b.key = %(key)s AND {_cell('t', 'b')} AND ST_Intersects(b.g, t.anchor)""", q.params).fetchall()]
    return rows, borders


def _overlapping_passes(con, q: _Sql) -> tuple[list[tuple], list[float], list[float]]:
    """Units that may overlap (clusters): an anchor counts in every unit holding it. Returns the
    sums per unit (whole cells, then boundary cells; a feature may be in several), of every
    feature by location (-1 located, -2 not) and over the anchors placed in some unit, each once."""
    with _parallel_hash(con):
        whole = con.execute(f"""
            SELECT c.ord, {q.sums} FROM ({q.counted()}) t JOIN spacemap_unit_grid c ON c.key = %(key)s AND c.whole
            AND {_cell('t')} GROUP BY 1""", q.params).fetchall()
    edge = con.execute(f"""
        SELECT ord, {q.sums} FROM (
            SELECT DISTINCT ON (t.id, c.ord) c.ord, t.* FROM ({q.counted()}) t
            JOIN spacemap_unit_grid c ON c.key = %(key)s AND NOT c.whole AND {_cell('t')} AND ST_Intersects(c.g, t.anchor)
            ORDER BY t.id, c.ord) m
        GROUP BY ord""", q.params).fetchall()
    every = con.execute(f"""
        SELECT CASE WHEN t.ix IS NULL THEN {UNLOC} ELSE {OUT} END, {q.sums}
        FROM ({q.counted()}) t GROUP BY 1""", q.params).fetchall()
    anywhere = con.execute(f"""
        SELECT {q.sums} FROM ({q.counted()}) t
        WHERE EXISTS (SELECT 1 FROM spacemap_unit_grid c WHERE c.key = %(key)s AND {_cell('t')}
                      AND (c.whole OR ST_Intersects(c.g, t.anchor)))""", q.params).fetchone()
    return whole + edge, every, anywhere


def _border_extras(con, q: _Sql, ids: list[str]) -> list[tuple]:
    """Anchors on a border were counted in every unit part holding them: their sums in all but the first unit."""
    if not ids:
        return []
    return con.execute(f"""
        SELECT ord, {q.sums} FROM (
            SELECT c.ord, t.*, row_number() OVER (PARTITION BY t.id ORDER BY c.ord) AS nth FROM ({q.counted()}) t
            JOIN spacemap_unit_grid c ON c.key = %(key)s AND NOT c.whole AND {_cell('t')}
            AND ST_Intersects(c.g, t.anchor) WHERE t.id = ANY(%(border)s)) m
        WHERE nth > 1 GROUP BY ord""", {**q.params, "border": ids}).fetchall()


def _apportioned(con, key: str) -> list[tuple]:
    """Per unit (None: outside) for the crossing polygons in ``_x``: land area and figures × share
    (the area cut by each unit piece; a polygon (almost) wholly inside units counts whole there,
    as in :mod:`spatial.tally`)."""
    return con.execute(f"""
        WITH cut AS (SELECT x.id, p.ord, sum(ST_Area(ST_Intersection(x.g, p.g))) / min(x.area) AS share
                     FROM _x x JOIN spacemap_unit_pieces p ON p.key = %s AND ST_Intersects(p.g, x.g)
                     GROUP BY x.id, p.ord),
        whole AS (SELECT id FROM cut GROUP BY id HAVING max(share) >= 1 - {WHOLE_EPS}),
        links AS (SELECT id, ord, 1.0::float8 AS share FROM cut WHERE share >= 1 - {WHOLE_EPS}
                  UNION ALL
                  SELECT id, ord, share FROM cut WHERE share > {SHARE_EPS} AND id NOT IN (SELECT id FROM whole)),
        held AS (SELECT id, sum(share) AS s FROM links GROUP BY id),
        rest AS (SELECT x.id, NULL::int AS ord, 1.0 - coalesce(h.s, 0) AS share FROM _x x LEFT JOIN held h
                 ON h.id = x.id WHERE 1.0 - coalesce(h.s, 0) >= {REST_EPS}),
        every AS (SELECT * FROM links UNION ALL SELECT * FROM rest)
        SELECT e.ord, sum(x.area * e.share), {", ".join(f"sum(x.v{i} * e.share), count(x.v{i})" for i in range(N))}
        FROM every e JOIN _x x ON x.id = e.id GROUP BY e.ord""", (key,)).fetchall()


# ---- the tally ----------------------------------------------------------------------------

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
    if kind not in UNIT_TABLES:
        raise ValueError(f"unit kind {kind!r} is not spatial: use one of {', '.join(UNIT_TABLES)}")
    for method in (land, stated):
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    check_scope(scope)
    partition = UNIT_TABLES[kind][1]
    anchored = land == "apportion" and stated == "apportion"
    with transaction(url) as con:
        key, units = unit_set(con, kind)
        q = _Sql(tables, key, anchored=anchored)
        _scope(con, q, scope)
        _covered(con, q)
        if not partition:
            if land == "apportion":
                _crossers(con, q)
            placed, every, anywhere = _overlapping_passes(con, q)
            cut = _apportioned(con, key) if land == "apportion" else []
    if partition:  # points and polygons on two connections at once (the polygons have more to do)
        parts = [_Sql([t for t in tables if _is_point_table(t) == points], key, anchored=anchored, params=q)
                 for points in (True, False)]
        parts = [p for p in parts if p.tables]
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            done = list(pool.map(lambda part: _partition_part(url, part, land, key), parts))
        placed = [r for d in done for r in d[0]]
        extras = [r for d in done for r in d[1]]
        cut = [r for d in done for r in d[2]]
    rows = TallyRows(units, kind, land=land, stated=stated if land == "apportion" else "centroid")
    if partition:
        for rec in sorted(placed, key=row_order):
            rows.add(rec)
        for rec in extras:
            rows.add(rec, sign=-1)
    else:
        for rec in placed:
            rows.add(rec, in_total=False)
        for rec in sorted(every, key=row_order):  # located (OUT) and unlocated features, each once
            rows.count_in_total(rec[1:])
            if rec[0] == UNLOC:
                rows.add(rec, in_total=False)
            else:  # located in no unit: the located ones not placed anywhere
                rows.add((OUT, *[float(a) - float(b) for a, b in zip(rec[1:], anywhere)]), in_total=False)
    for rec in cut:
        rows.add_cut(rec)
    return {"rows": rows.frame(), "total": rows.total(), "overlapping": not partition, "land": land, "stated": stated}


def _partition_part(url: str, q: _Sql, land: str, key: str) -> tuple[list, list, list]:
    """One part of a partition tally on its own connection: crossing polygons, the single pass,
    anchors on borders, the apportioned polygons."""
    with transaction(url) as con:
        polygons = any(not _is_point_table(t) for t in q.tables)
        if land == "apportion" and polygons:
            _crossers(con, q)
        placed, borders = _single_pass(con, q)
        extras = _border_extras(con, q, borders)
        cut = _apportioned(con, key) if land == "apportion" and polygons else []
    return placed, extras, cut
