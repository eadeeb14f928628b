"""The store's schema, defined once for both backends, and its versioned migrations.

Every layer's columns come from the catalogue (:mod:`layers.catalogue`) plus the system
columns below; the GeoPackage writer types its columns from :func:`columns` and the PostGIS
backend generates its DDL from the same function. A store records the migrations applied to
it in a ``spacemap_migrations`` table (version, description, applied_at); opening a store
applies the missing ones in order, inside the store's write lock, all or nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from layers.catalogue import CARRIER_LAYERS, LAYERS, get_layer
from layers.market_catalogue import VERSIONED_TABLES

MIGRATIONS_TABLE = "spacemap_migrations"
META_TABLE = "spacemap_meta"
"""The store's metadata table (schema version, source data hash, creation time, revision)."""
ROW_VERSION = "row_version"
"""Carrier rows carry a version bumped by every write; an editor's write names the version it
started from and gets a conflict when somebody else changed the row in between."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str


MIGRATIONS = (
    Migration(1, "every catalogue layer, typed from layers/catalogue.py"),
    Migration(2, "row_version on carrier layers (two editors never silently overwrite each other)"),
    Migration(3, "PostGIS: unit cell cache for tallies in the database (nothing to do on a GeoPackage)"),
    Migration(4, "accounts (a catalogue table) and failed-login counts outside the revision (PostGIS: a table; "
                 "GeoPackage: a file beside the store)"),
    Migration(5, "one measure per field: usable and space-provided areas, a qualifier and an as-of date per area, "
                 "citations of coded lists, tenants, planned facilities (columns the catalogue has and the store "
                 "lacks are added); the sources registry"),
    Migration(6, "the market: space units, unit attachments, enterprises, enquiries, their history, signed leases "
                 "and screening rules (empty tables; row_version on units and enquiries); accounts gain the "
                 "carriers an operator runs"),
    Migration(7, "the economy: enterprise figures by year and where each enterprise is (empty tables, read only "
                 "when asked); enterprises gain WGS-84 coordinates"),
)
LATEST = MIGRATIONS[-1].version


def system_columns(key: str, version: int = LATEST) -> list[tuple[str, str]]:
    """Columns the store adds to a catalogue layer at schema ``version``."""
    if key in CARRIER_LAYERS and version >= 2 or key in VERSIONED_TABLES and version >= 6:
        return [(ROW_VERSION, "int")]
    return []


def columns(key: str, version: int = LATEST) -> list[tuple[str, str]]:
    """(name, dtype) of every attribute column of layer ``key``: catalogue fields, then system columns.

    dtype is the catalogue's (``str``, ``float``, ``int``, ``bool``, ``date``, ``code``, ``codes``).
    """
    return [(f.name, f.dtype) for f in get_layer(key).fields] + system_columns(key, version)


SQLITE_TYPES = {"str": "TEXT", "code": "TEXT", "codes": "TEXT", "date": "TEXT", "float": "REAL", "int": "INTEGER",
                "bool": "BOOLEAN"}
"""SQLite column types of the catalogue's dtypes (for columns a GeoPackage migration adds)."""


def missing_columns(key: str, present: set[str]) -> list[tuple[str, str]]:
    """(name, dtype) of the catalogue columns of layer ``key`` not in ``present`` (migration 5 adds them)."""
    return [(name, dtype) for name, dtype in columns(key) if name not in present]


def pending(applied: int) -> list[Migration]:
    """The migrations after version ``applied``, in order."""
    return [m for m in MIGRATIONS if m.version > applied]


def layer_keys() -> list[str]:
    """Every layer of the schema, in catalogue order."""
    return list(LAYERS)


def now_iso() -> str:
    """The current UTC time, to the second, as recorded with an applied migration."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
