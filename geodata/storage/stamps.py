"""Cheap reads that tell a reader what changed in the store since it last read it, for both
backends (the store methods ``layer_stamps`` and ``row_stamps`` delegate here; the reader is
:mod:`geodata.storage.snapshot_delta`).

* A layer's *stamp* is its row count and the largest and summed internal row id (``fid``), and on a
  GeoPackage also ``gpkg_contents.last_change``. Every write gives the rows it writes new ``fid`` values
  (a GeoPackage table is ``AUTOINCREMENT``; a PostGIS ``bigserial``) or deletes rows, and a whole
  layer rewritten on a GeoPackage gets a new ``last_change``: a layer whose stamp is unchanged has
  not been written.
* A row's stamp, in a versioned layer, is its ``id``, ``row_version`` and ``fid`` (a row change deletes
  the row and appends it anew, on either backend: a new ``fid``). Three small columns, never the rows.
"""
from __future__ import annotations

import contextlib
import sqlite3

import pandas as pd

from geodata.storage.migrations import ROW_VERSION
from spatial.errors import StoreError


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def _file(path):
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            yield con
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the store {path}: {exc}") from exc


def file_layer_stamps(path, keys) -> dict[str, tuple | None]:
    """``{layer: stamp}`` of a GeoPackage's ``keys`` (None for a layer it lacks)."""
    with _file(path) as con:
        changed = dict(con.execute("SELECT table_name, last_change FROM gpkg_contents").fetchall())
        return {key: (*con.execute(f"SELECT count(*), max(fid), total(fid) FROM {_quote(key)}").fetchone(),
                      changed[key]) if key in changed else None for key in keys}


def file_row_stamps(path, key: str) -> pd.DataFrame:
    """``id``, ``row_version`` and ``fid`` of every row of a GeoPackage layer (read as Arrow columns)."""
    import pyogrio

    try:
        _, table = pyogrio.read_arrow(path, layer=key, columns=["id", ROW_VERSION], read_geometry=False,
                                      return_fids=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise StoreError(f"cannot read the store {path}: {exc}") from exc
    return _frame({name: table.column(name).to_numpy(zero_copy_only=False) for name in ("id", ROW_VERSION, "fid")})


def db_layer_stamps(url: str, keys) -> dict[str, tuple | None]:
    """``{layer: stamp}`` of a PostGIS store's ``keys`` (None for a table it lacks): one query."""
    from psycopg import sql

    from geodata.storage import pg

    keys = list(keys)
    with pg.query(url) as con:
        present = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_name = ANY(%s)", (keys,)).fetchall()}
        wanted = [k for k in keys if k in present]
        rows = con.execute(sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {}::text, count(*), max(fid), sum(fid)::text FROM {}").format(
                sql.Literal(k), sql.Identifier(k)) for k in wanted)).fetchall() if wanted else []
    found = {r[0]: tuple(r[1:]) for r in rows}
    return {k: found.get(k) for k in keys}


def db_row_stamps(url: str, key: str) -> pd.DataFrame:
    """``id``, ``row_version`` and ``fid`` of every row of a PostGIS table."""
    from psycopg import sql

    from geodata.storage import pg

    with pg.query(url) as con:
        rows = con.execute(sql.SQL("SELECT id, {}, fid FROM {}").format(
            sql.Identifier(ROW_VERSION), sql.Identifier(key))).fetchall()
    return _frame(rows)


def _frame(columns) -> pd.DataFrame:
    """The stamps as a frame: ids as text (object), the numbers as int64."""
    if not isinstance(columns, dict):
        rows = list(columns)
        columns = {name: [r[i] for r in rows] for i, name in enumerate(("id", ROW_VERSION, "fid"))}
    frame = pd.DataFrame({"id": pd.Series([str(i) for i in columns["id"]], dtype=object)})
    for name in (ROW_VERSION, "fid"):
        frame[name] = pd.to_numeric(pd.Series(columns[name])).fillna(1).astype("int64").to_numpy()
    return frame
