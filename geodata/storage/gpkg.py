"""The embedded GeoPackage backend of the store (the contract: :mod:`geodata.storage.base`).

The store is one GeoPackage file. Every write is atomic: the layers are written into a copy
in the same folder which is then renamed over the store, so a crash leaves the store as it
was. One exclusive lock file beside the store (``<store>.lock``) serialises writers across
processes.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geodata.ingest.validate import market_links, raise_if_problems, validate_frames
from geodata.storage.base import KEEP_BACKUPS, LOCK_TIMEOUT_S, Store
from geodata.storage import logins
from geodata.storage.locking import held, wait_until
from geodata.storage.migrations import (LATEST, META_TABLE, MIGRATIONS_TABLE, ROW_VERSION, SQLITE_TYPES, columns,
                                         missing_columns, now_iso, pending)
from layers.catalogue import CARRIER_LAYERS, LAYERS, get_layer
from spatial.crs import WGS84
from spatial.errors import StoreError

WRITE_ERRORS = (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError, sqlite3.Error)

def lock(path: Path, *, timeout: float):
    """Hold the store's exclusive write lock (a lock file beside it, see
    :func:`geodata.storage.locking.held`); :class:`StoreBusyError` after ``timeout`` s. Temporary
    files left by a writer that died are removed once the lock is held (every writer takes it)."""
    key = str(Path(f"{path}.lock").resolve())
    return held(key, lambda seconds: _lock_file(Path(path), key, seconds), timeout=timeout)


@contextlib.contextmanager
def _lock_file(path: Path, key: str, seconds: float):
    import fcntl

    def try_once() -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    _make_folder(path)
    with open(key, "a+") as handle:
        wait_until(try_once, seconds)
        try:
            for stale in [*path.parent.glob(f".{path.name}.*.tmp.gpkg"),
                          *(path.parent / "backups").glob(f".{path.stem}.*.gpkg.part")]:
                stale.unlink(missing_ok=True)  # left by a writer or a backup that died
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store's folder {path.parent}: {exc}") from exc


def _typed_for_file(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for name, dtype in columns(key):
        if name not in frame.columns:
            frame[name] = 1 if name == ROW_VERSION else None
        if dtype == "bool":
            # GeoPackage booleans cannot be null: unknown is kept as text.
            col = frame[name]
            frame[name] = col.astype("boolean") if not col.isna().any() else col.astype("string")
        elif dtype == "int" and name == ROW_VERSION:
            frame[name] = pd.to_numeric(frame[name]).fillna(1).astype("int64")
    return frame


def _write_layer(path: Path, key: str, frame: pd.DataFrame) -> None:
    spec = get_layer(key)
    frame = _typed_for_file(key, frame)
    if spec.geometry is None:
        pyogrio.write_dataframe(frame, path, layer=key, driver="GPKG", use_arrow=True)
    else:
        pyogrio.write_dataframe(gpd.GeoDataFrame(frame, geometry="geometry", crs=frame.crs), path, layer=key,
                                driver="GPKG", geometry_type=spec.geometry, promote_to_multi=spec.geometry
                                == "MultiPolygon", spatial_index=True, use_arrow=True)


def _append(path: Path, key: str, upsert: pd.DataFrame, declared: dict[str, str]) -> None:
    """Append ``upsert`` to layer ``key`` of the file, each column typed as the table declares it (a
    boolean column takes booleans and nulls; one kept as text takes the words), in the table's order."""
    spec, kinds, n = get_layer(key), dict(columns(key)), len(upsert)
    data = {}
    for name, declared_as in declared.items():
        if name not in kinds:  # the geometry column
            continue
        values = upsert[name].to_numpy(dtype=object) if name in upsert.columns else np.full(n, None, dtype=object)
        data[name] = _as_declared(values, kinds[name], declared_as.upper(), name)
    frame = pd.DataFrame(data)
    if spec.geometry is None:
        pyogrio.write_dataframe(frame, path, layer=key, driver="GPKG", append=True, use_arrow=True)
        return
    shapes = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(upsert["geometry"].to_numpy(), crs=WGS84))
    pyogrio.write_dataframe(shapes, path, layer=key, driver="GPKG", append=True, geometry_type=spec.geometry,
                            promote_to_multi=spec.geometry == "MultiPolygon", use_arrow=True)


def _as_declared(values: np.ndarray, kind: str, declared_as: str, name: str) -> pd.Series:
    """One column's values as the file's table declares the column (the Arrow writer takes no other type)."""
    missing = pd.isna(values)
    if kind == "bool":
        flags = pd.array([None if m else bool(v) for v, m in zip(values, missing)], dtype="boolean")
        return pd.Series(flags) if declared_as == "BOOLEAN" else \
            pd.Series([None if m else str(bool(v)) for v, m in zip(values, missing)], dtype=object)
    if declared_as in ("REAL", "FLOAT", "DOUBLE"):
        return pd.Series(pd.to_numeric(pd.Series(values), errors="coerce").astype("float64"))
    if declared_as in ("INTEGER", "MEDIUMINT", "SMALLINT", "TINYINT", "BIGINT"):
        numbers = pd.to_numeric(pd.Series(values), errors="coerce")
        return (numbers.fillna(1) if name == ROW_VERSION else numbers).astype("Int64")
    if declared_as.startswith("TEXT") and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = np.array([None if m else str(v) for v, m in zip(values, missing)], dtype=object)
    out = values.copy()
    out[missing] = None
    return pd.Series(out, dtype=object)


def _write_meta(path: Path, meta: dict[str, str], migrations=()) -> None:
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.executemany(f"INSERT OR REPLACE INTO {META_TABLE} (key, value) VALUES (?, ?)", list(meta.items()))
        con.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at TEXT NOT NULL)")
        con.executemany(f"INSERT OR REPLACE INTO {MIGRATIONS_TABLE} VALUES (?, ?, ?)",
                        [(m.version, m.description, now_iso()) for m in migrations])



@contextlib.contextmanager
def _rewrite(path: Path, *, fresh: bool = False):
    """A copy of the store (``fresh``: an empty file) to write into, renamed over the store when
    the block succeeds: readers see the old store or the new one, never none."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if path.exists() and not fresh:
            shutil.copy2(path, tmp)
        else:
            tmp.unlink()
        yield tmp
        os.chmod(tmp, 0o600)  # the store holds password hashes, the demand pool and the audit log: owner only
        os.replace(tmp, path)
    except WRITE_ERRORS as exc:
        raise StoreError(f"cannot write store {path}: {exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


class GeoPackageStore(Store):
    """The store as one GeoPackage file: every write is a copy renamed over the store, under a lock file."""

    kind = "gpkg"
    keeps_backups = True

    def __init__(self, location):
        super().__init__(Path(location))

    def exists(self) -> bool:
        return self.location.exists()

    def describe(self) -> str:
        return str(self.location)

    def revision(self) -> int:
        """The file's modification time: the file is replaced on every write."""
        return self.location.stat().st_mtime_ns

    def read_meta(self) -> dict[str, str]:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.location}?mode=ro", uri=True)) as con:
                rows = con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read store metadata from {self.location}: {exc}") from exc
        return dict(rows)

    def list_layers(self) -> list[str]:
        return [str(name) for name, _ in pyogrio.list_layers(self.location)]

    def write_meta(self, values: dict[str, str]) -> None:
        with self.lock():
            _write_meta(self.location, values)

    def login_failures(self, key: str) -> tuple[int, float]:
        return logins.file_failures(self.location, key)

    def reserve_login(self, key: str, at: float, wait_for) -> float:
        return logins.file_reserve(self.location, key, at, wait_for)

    def clear_login(self, key: str) -> None:
        logins.file_clear(self.location, key)

    def lock(self, *, timeout: float = LOCK_TIMEOUT_S):
        return lock(self.location, timeout=timeout)

    def creation_lock(self):
        """Rebuilding waits for writers; a new file needs no lock (nothing to overwrite, nothing
        left behind if it fails): it is written beside and renamed into place."""
        return self.lock() if self.exists() else contextlib.nullcontext()

    def create(self, frames: dict[str, pd.DataFrame], meta: dict[str, str], migrations) -> None:
        _make_folder(self.location)
        with _rewrite(self.location, fresh=True) as tmp:
            for key, frame in frames.items():
                _write_layer(tmp, key, frame)
            _write_meta(tmp, meta, migrations)

    def migrate(self, missing_frames: dict[str, pd.DataFrame]) -> list[str]:
        todo = pending(int(self.read_meta().get("schema_version", "1")))
        if not todo and not missing_frames:
            return []
        done = [f"add layer {k}" for k in missing_frames]
        with _rewrite(self.location) as tmp:
            for key, frame in missing_frames.items():
                _write_layer(tmp, key, frame)
            with contextlib.closing(sqlite3.connect(tmp)) as con, con:
                for m in todo:
                    if m.version == 2:
                        _add_row_versions(con)
                    if m.version in (5, 6, 7):
                        _add_missing_columns(con)
                    done.append(f"migration {m.version}: {m.description}")
            _write_meta(tmp, {"schema_version": str(LATEST)}, todo)
        return done

    def read_table(self, key: str, *, ids=None, names: bool = False) -> pd.DataFrame:
        spec = get_layer(key)
        try:
            frame = pyogrio.read_dataframe(self.location, layer=key, use_arrow=True, fid_as_index=False,
                                           read_geometry=spec.geometry is not None, where=_id_filter(ids, names))
        except pyogrio.errors.DataLayerError as exc:
            raise StoreError(f"layer {key!r} is missing from the store {self.location}: {exc}") from exc
        except pyogrio.errors.DataSourceError as exc:
            raise StoreError(f"cannot open the store {self.location}: {exc}") from exc
        if ids is None:
            return frame
        mask = frame["id"].astype(str).astype(object).isin(set(ids))
        if names:
            mask |= frame["name_zh"].isin(ids) | frame["name_en"].isin(ids)
        return frame.loc[mask].reset_index(drop=True)

    def write_layers(self, frames: dict[str, pd.DataFrame]) -> None:
        with _rewrite(self.location) as tmp:
            for key, frame in frames.items():
                _write_layer(tmp, key, frame)

    def row_versions(self, layer: str, ids: list[str]) -> dict[str, int]:
        rows = self._select(f"SELECT id, {ROW_VERSION} FROM {_quote(layer)} WHERE id IN (SELECT value FROM json_each(?))",
                            ids)
        return {str(i): int(v if v is not None else 1) for i, v in rows}

    def _existing_ids(self, ids: list[str], layers=CARRIER_LAYERS) -> set[str]:
        return {str(r[0]) for k in layers for r in
                self._select(f"SELECT id FROM {_quote(k)} WHERE id IN (SELECT value FROM json_each(?))", ids)}

    def _children_of(self, ids: list[str]) -> list[tuple[str, str]]:
        return [(str(a), str(b)) for k in CARRIER_LAYERS for a, b in self._select(
            f"SELECT id, parent_id FROM {_quote(k)} WHERE parent_id IN (SELECT value FROM json_each(?))", ids)]

    def _select(self, query: str, ids) -> list[tuple]:
        """Rows of ``query`` whose one parameter is ``ids`` as a JSON array (read-only)."""
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.location}?mode=ro", uri=True)) as con:
                return con.execute(query, (json.dumps([str(i) for i in ids]),)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the store {self.location}: {exc}") from exc

    def write_change(self, layer: str, upsert: pd.DataFrame, delete_ids: list[str],
                     tables: dict[str, pd.DataFrame], *, checked: bool = False) -> None:
        """A row change on a file: validated by id lookups (never reading every carrier), then written
        as :meth:`write_row_changes` writes (the changed ids deleted and the new rows appended in a copy)."""
        self.validate_change(layer, upsert, delete_ids, tables, checked=checked)
        self._replace_rows({layer: (upsert, delete_ids)}, tables)

    def write_row_changes(self, changes: dict[str, tuple[pd.DataFrame, list[str]]],
                          tables: dict[str, pd.DataFrame]) -> None:
        """Row changes on a file: in a copy of the store, the changed ids deleted and the new rows
        appended (never a rewrite of a whole table: a step of one enquiry among 100,000 writes that
        enquiry), then the copy renamed over the store. The changed rows are validated, with their links."""
        rows = {k: u for k, (u, _) in changes.items() if len(u)}  # only the changed rows, and what they link to
        raise_if_problems(validate_frames({**rows, **tables}, links=False) + market_links(rows, self.known_links(changes))
                          + self.dangling(changes))
        self._replace_rows(changes, tables)

    def _replace_rows(self, changes: dict[str, tuple[pd.DataFrame, list[str]]], tables: dict[str, pd.DataFrame]) -> None:
        rows = {k: u for k, (u, _) in changes.items() if len(u)}
        with _rewrite(self.location) as tmp:
            declared = {}
            with contextlib.closing(sqlite3.connect(tmp)) as con, con:
                for layer, (upsert, delete_ids) in changes.items():
                    ids = sorted(set(map(str, upsert["id"])) | set(map(str, delete_ids)))
                    con.execute(f"DELETE FROM {_quote(layer)} WHERE id IN (SELECT value FROM json_each(?))",
                                (json.dumps(ids),))
                    declared[layer] = {r[0]: r[1] for r in con.execute("SELECT name, type FROM pragma_table_info(?)",
                                                                       (layer,)) if r[0] != "fid"}
            for layer, upsert in rows.items():  # the table's own column order: an append matches by position
                _append(tmp, layer, upsert, declared[layer])
            for key, frame in tables.items():
                _write_layer(tmp, key, frame)

    def backup(self, *, keep: int = KEEP_BACKUPS) -> Path:
        """A copy in ``backups/`` beside the store (UTC timestamp in the name); the last ``keep`` are kept.

        The copy is written under a hidden temporary name and renamed when complete: a copy cut
        short (an error, a kill) never carries a backup's name, so it is never listed or counted."""
        folder = self.location.parent / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{self.location.stem}.{stamp}.gpkg"
        partial = folder / f".{target.name}.part"
        try:
            shutil.copy2(self.location, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        for old in self.list_backups()[:-keep]:
            old.unlink(missing_ok=True)
        return target

    def list_backups(self) -> list[Path]:
        """The complete backups, oldest first (a hidden ``.*.part`` copy cut short is not one)."""
        return sorted(p for p in (self.location.parent / "backups").glob(f"{self.location.stem}.*.gpkg")
                      if not p.name.startswith("."))

    def export_gpkg(self, out: Path) -> None:
        """The store is a GeoPackage: a copy is an exact export."""
        shutil.copy2(self.location, out)

    # ---- what changed, for a reader that keeps a copy (geodata.storage.snapshot_delta) ------------

    def layer_stamps(self, keys) -> dict[str, tuple | None]:
        from geodata.storage.stamps import file_layer_stamps

        return file_layer_stamps(self.location, keys)

    def row_stamps(self, key: str) -> pd.DataFrame:
        from geodata.storage.stamps import file_row_stamps

        return file_row_stamps(self.location, key)


def _add_row_versions(con) -> None:
    """Migration 2: a row version on every carrier layer."""
    for key in CARRIER_LAYERS:
        cols = {r[0] for r in con.execute("SELECT name FROM pragma_table_info(?)", (key,))}
        if ROW_VERSION not in cols:
            con.execute(f"ALTER TABLE {_quote(key)} ADD COLUMN {ROW_VERSION} INTEGER NOT NULL DEFAULT 1")


def _add_missing_columns(con) -> None:
    """Migration 5: the catalogue columns a layer of the file lacks, added empty."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    for key in LAYERS:
        if key not in tables:
            continue
        present = {r[0] for r in con.execute("SELECT name FROM pragma_table_info(?)", (key,))}
        for name, dtype in missing_columns(key, present):
            con.execute(f"ALTER TABLE {_quote(key)} ADD COLUMN {_quote(name)} {SQLITE_TYPES[dtype]}")


def _id_filter(ids, names: bool) -> str | None:
    """An SQL filter on the rows whose id (or name) is one of ``ids``: a few rows are read by SQLite,
    not the whole layer (None for many ids, or ids no SQL literal holds: then the rows are filtered
    after reading, as they are anyway)."""
    if ids is None or len(ids) > 2_000 or any("\x00" in str(i) for i in ids):
        return None
    if not ids:
        return "0 = 1"
    values = ", ".join("'" + str(i).replace("'", "''") + "'" for i in ids)
    return " OR ".join(f"{c} IN ({values})" for c in (("id", "name_zh", "name_en") if names else ("id",)))


def _quote(name: str) -> str:
    """An SQLite identifier (catalogue keys only)."""
    return '"' + name.replace('"', '""') + '"'
