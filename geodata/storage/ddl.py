"""The PostGIS schema: table DDL generated from the layer catalogue
(:func:`geodata.storage.migrations.columns`), the store's own tables, and the tally's unit cache.

Identifiers are composed with :mod:`psycopg.sql`, never quoted by hand.
"""
from __future__ import annotations

from psycopg import sql

from geodata.storage.logins import DDL as LOGINS_DDL
from geodata.storage.migrations import LATEST, META_TABLE, MIGRATIONS_TABLE, ROW_VERSION, columns, missing_columns
from layers.catalogue import CARRIER_LAYERS, get_layer

SQL_TYPES = {"str": "text", "code": "text", "codes": "text", "date": "text", "float": "double precision",
             "int": "bigint", "bool": "boolean"}
CELL_M = 250.0
"""Side of the grid cells (EPSG:4547 metres) the tally keys carriers and unit parts by."""

CACHE_DDL = (
    "CREATE UNLOGGED TABLE IF NOT EXISTS spacemap_unit_sets (key text PRIMARY KEY, kind text NOT NULL, "
    "units text[] NOT NULL, built_at text NOT NULL)",
    "CREATE UNLOGGED TABLE IF NOT EXISTS spacemap_unit_grid (key text NOT NULL, ix int NOT NULL, iy int NOT NULL, "
    "ord int NOT NULL, whole boolean NOT NULL, g geometry(Geometry, 4547))",
    "CREATE INDEX IF NOT EXISTS ix_spacemap_unit_grid_cell ON spacemap_unit_grid (key, ix, iy)",
    "CREATE INDEX IF NOT EXISTS ix_spacemap_unit_grid_g ON spacemap_unit_grid USING gist (g)",
    "CREATE UNLOGGED TABLE IF NOT EXISTS spacemap_unit_pieces (key text NOT NULL, ord int NOT NULL, "
    "g geometry(Geometry, 4547))",
    "CREATE INDEX IF NOT EXISTS ix_spacemap_unit_pieces ON spacemap_unit_pieces USING gist (g)",
    "CREATE UNLOGGED TABLE IF NOT EXISTS spacemap_unit_bounds (key text NOT NULL, ord int NOT NULL, "
    "g geometry(Geometry, 4547))",
    "CREATE INDEX IF NOT EXISTS ix_spacemap_unit_bounds ON spacemap_unit_bounds USING gist (g)",
    "CREATE UNLOGGED TABLE IF NOT EXISTS spacemap_unit_borders (key text NOT NULL, ix int NOT NULL, iy int NOT NULL, "
    "g geometry(Geometry, 4547))",
    "CREATE INDEX IF NOT EXISTS ix_spacemap_unit_borders ON spacemap_unit_borders USING gist (g)",
)
"""The unit cache (schema migration 3 on PostGIS): derived data, rebuilt on demand, never exported."""
CACHE_TABLES = ("spacemap_unit_sets", "spacemap_unit_grid", "spacemap_unit_pieces", "spacemap_unit_bounds",
                "spacemap_unit_borders")
"""The cache tables; ``spacemap_unit_grid`` holds, per cell, a row per unit holding the whole cell
(``whole``, no geometry) or the unit's part of a boundary cell (``g``)."""


def cell_columns(geometry: str | None) -> list[sql.Composable]:
    """Column definitions of a feature's stored grid cell (``cx``, ``cy``) from its anchor in
    EPSG:4547: the point itself, or a point on a polygon's surface (migration 3)."""
    anchor = "ST_Transform(geom, 4547)" if geometry == "Point" else "ST_PointOnSurface(ST_Transform(geom, 4547))"
    return [sql.SQL("{} int GENERATED ALWAYS AS (floor(ST_{}({}) / {})::int) STORED").format(
        sql.Identifier(axis), sql.SQL(axis[1].upper()), sql.SQL(anchor), sql.Literal(CELL_M)) for axis in ("cx", "cy")]


def table_ddl(key: str, version: int = LATEST, *, table: str | None = None,
              geometry: str | None = None) -> list[sql.Composable]:
    """DDL of layer ``key`` at schema ``version`` (or of a table ``table`` with the columns of
    layer ``key`` and geometry type ``geometry``: a polygon feature table for the tally)."""
    spec = get_layer(key)
    geometry = geometry or spec.geometry
    name = table or key
    cols: list[sql.Composable] = [sql.SQL("fid bigserial PRIMARY KEY")]
    for column, dtype in columns(key, version):
        extra = " NOT NULL DEFAULT 1" if column == ROW_VERSION else ""
        cols.append(sql.SQL("{} " + SQL_TYPES[dtype] + extra).format(sql.Identifier(column)))
    if geometry is not None:
        cols += [sql.SQL("geom geometry({}, 4326)").format(sql.SQL(geometry)),
                 sql.SQL("geom_m geometry(Geometry, 4547) GENERATED ALWAYS AS (ST_Transform(geom, 4547)) STORED")]
    anchored = table is not None and geometry == "MultiPolygon"  # a polygon feature table (tally anchors)
    if anchored:
        cols.append(sql.SQL("anchor_m geometry(Point, 4547) GENERATED ALWAYS AS "
                            "(ST_PointOnSurface(ST_Transform(geom, 4547))) STORED"))
    if key in CARRIER_LAYERS and version >= 3:
        cols += cell_columns(geometry)
    t = sql.Identifier(name)
    out = [sql.SQL("CREATE TABLE {} ({})").format(t, sql.SQL(", ").join(cols))]
    index = "CREATE INDEX {} ON {} USING gist ({})"
    if anchored:
        out.append(sql.SQL(index).format(sql.Identifier(f"ix_{name}_anchor_m"), t, sql.Identifier("anchor_m")))
    if geometry is not None:
        for column in ("geom_m", "geom"):
            out.append(sql.SQL(index).format(sql.Identifier(f"ix_{name}_{column}"), t, sql.Identifier(column)))
    if "id" in spec.field_names:
        unique = "UNIQUE " if key in CARRIER_LAYERS else ""
        out.append(sql.SQL("CREATE " + unique + "INDEX {} ON {} (id)").format(sql.Identifier(f"ix_{name}_id"), t))
    if key in CARRIER_LAYERS:
        out.append(sql.SQL("CREATE INDEX {} ON {} (parent_id) WHERE parent_id IS NOT NULL").format(
            sql.Identifier(f"ix_{name}_parent"), t))
    if table is None and key in MARKET_INDEXES:
        out += [sql.SQL(stmt) for stmt in MARKET_INDEXES[key]]
    return out


UNIT_INDEXES = {
    "ix_units_status_area": "CREATE INDEX IF NOT EXISTS ix_units_status_area ON units (status, area_m2) "
                            "INCLUDE (carrier_id, rent_asked_cny_m2_month, id)",
    "ix_units_status_carrier": "CREATE INDEX IF NOT EXISTS ix_units_status_carrier ON units (status, carrier_id) "
                               "INCLUDE (area_m2, rent_asked_cny_m2_month, id)",
    "ix_units_carrier": "CREATE INDEX IF NOT EXISTS ix_units_carrier ON units (carrier_id)",
}
MARKET_INDEXES = {
    "units": tuple(UNIT_INDEXES.values()),
    "enquiries": ("CREATE INDEX IF NOT EXISTS ix_enquiries_stage ON enquiries (stage, due_at)",),
    "enquiry_events": ("CREATE INDEX IF NOT EXISTS ix_enquiry_events_enquiry ON enquiry_events (enquiry_id)",),
    "leases": ("CREATE INDEX IF NOT EXISTS ix_leases_enquiry ON leases (enquiry_id)",),
    "enterprise_years": ("CREATE INDEX IF NOT EXISTS ix_enterprise_years_year ON enterprise_years (year) "
                         "INCLUDE (enterprise_id, revenue_cny, tax_cny, rd_cny, employees, patents)",
                         "CREATE UNIQUE INDEX IF NOT EXISTS ix_enterprise_years_enterprise ON enterprise_years (enterprise_id, year)"),
    "placements": ("CREATE INDEX IF NOT EXISTS ix_placements_carrier ON placements (carrier_id)",),
}
"""The market tables' lookups: available units by area and carrier (unit matching), an enquiry's
history and lease, enquiries by stage and due date."""


def bootstrap(con) -> None:
    """PostGIS and the store's own tables (metadata, applied migrations)."""
    con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    con.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)").format(
        sql.Identifier(META_TABLE)))
    con.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (version integer PRIMARY KEY, description text NOT NULL, "
                        "applied_at text NOT NULL)").format(sql.Identifier(MIGRATIONS_TABLE)))
    con.execute(LOGINS_DDL)


def cache_tables(con) -> None:
    """The tally's unit cache (migration 3): derived data, rebuilt on demand."""
    for stmt in CACHE_DDL:
        con.execute(stmt)


def add_cell_columns(con, key: str) -> None:
    """Migration 3 on an existing carrier table: its stored grid cell columns."""
    for column in cell_columns(get_layer(key).geometry):
        con.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {}").format(sql.Identifier(key), column))


def add_missing_columns(con, key: str) -> None:
    """Migration 5 on an existing table: the catalogue columns it lacks, added empty."""
    present = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                         "current_schema() AND table_name = %s", (key,))}
    for column, dtype in missing_columns(key, present):
        con.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} " + SQL_TYPES[dtype]).format(
            sql.Identifier(key), sql.Identifier(column)))
