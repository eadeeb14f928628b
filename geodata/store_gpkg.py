"""The embedded GeoPackage backend of the store (see :mod:`geodata.store` for the interface).

The store is one GeoPackage file. Every write is atomic: the layers are written into a copy
in the same folder which is then renamed over the store, so a crash leaves the store as it
was. One exclusive lock file beside the store (``<store>.lock``) serialises writers across
processes.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.migrations import LATEST, MIGRATIONS_TABLE, ROW_VERSION, columns, pending
from layers.catalogue import CARRIER_LAYERS, get_layer
from spatial.errors import StoreBusyError, StoreError

META_TABLE = "spacemap_meta"
WRITE_ERRORS = (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError, sqlite3.Error)

_held: dict[str, int] = {}  # lock files this process holds, with nesting depth


@contextlib.contextmanager
def lock(path: Path, *, timeout: float):
    """Hold the store's exclusive write lock (a lock file beside it); waits up to ``timeout`` s,
    then raises :class:`StoreBusyError`. Re-entrant within a process. Temporary files left by a
    writer that died are removed once the lock is held (every writer takes this lock)."""
    import fcntl

    key = str(Path(f"{path}.lock").resolve())
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    with open(key, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusyError("store busy, try again (another import or edit is being written)") from None
                time.sleep(0.05)
        _held[key] = 1
        try:
            for stale in Path(path).parent.glob(f".{Path(path).name}.*.tmp.gpkg"):
                stale.unlink(missing_ok=True)
            yield
        finally:
            _held.pop(key, None)
            fcntl.flock(handle, fcntl.LOCK_UN)


def exists(path: Path) -> bool:
    return Path(path).exists()


def describe(path: Path) -> str:
    return str(path)


def revision(path: Path) -> int:
    """Changes whenever the store is written (the file is replaced on every write)."""
    return Path(path).stat().st_mtime_ns


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
        pyogrio.write_dataframe(frame, path, layer=key, driver="GPKG")
    else:
        pyogrio.write_dataframe(gpd.GeoDataFrame(frame, geometry="geometry", crs=frame.crs), path, layer=key,
                                driver="GPKG", geometry_type=spec.geometry, promote_to_multi=spec.geometry
                                == "MultiPolygon", spatial_index=True)


def _write_meta(path: Path, meta: dict[str, str], migrations=()) -> None:
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.executemany(f"INSERT OR REPLACE INTO {META_TABLE} (key, value) VALUES (?, ?)", list(meta.items()))
        con.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at TEXT NOT NULL)")
        con.executemany(f"INSERT OR REPLACE INTO {MIGRATIONS_TABLE} VALUES (?, ?, ?)",
                        [(m.version, m.description, _now()) for m in migrations])


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_meta(path: Path) -> dict[str, str]:
    """The store's metadata (schema version, source data hash, creation time)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            rows = con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read store metadata from {path}: {exc}") from exc
    return dict(rows)


@contextlib.contextmanager
def _rewrite(path: Path):
    """A copy of the store to write into, renamed over the store when the block succeeds."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if path.exists():
            shutil.copy2(path, tmp)
        else:
            tmp.unlink()
        yield tmp
        os.replace(tmp, path)
    except WRITE_ERRORS as exc:
        raise StoreError(f"cannot write store {path}: {exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


def create(path: Path, frames: dict[str, pd.DataFrame], meta: dict[str, str], migrations) -> None:
    """Write a new store from ``frames`` atomically (the target must not exist or is replaced)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if Path(path).exists():
        Path(path).unlink()
    with _rewrite(path) as tmp:
        for key, frame in frames.items():
            _write_layer(tmp, key, frame)
        _write_meta(tmp, meta, migrations)


def list_layers(path: Path) -> list[str]:
    return [str(name) for name, _ in pyogrio.list_layers(Path(path))]


def applied_version(path: Path) -> int:
    return int(read_meta(path).get("schema_version", "1"))


def migrate(path: Path, missing_frames: dict[str, pd.DataFrame]) -> list[str]:
    """Add missing layers and apply pending schema migrations, atomically. Returns what was done."""
    todo = pending(applied_version(path))
    if not todo and not missing_frames:
        return []
    done = [f"add layer {k}" for k in missing_frames]
    with _rewrite(path) as tmp:
        for key, frame in missing_frames.items():
            _write_layer(tmp, key, frame)
        with contextlib.closing(sqlite3.connect(tmp)) as con, con:
            for m in todo:
                if m.version == 2:
                    for key in CARRIER_LAYERS:
                        cols = {r[1] for r in con.execute(f'PRAGMA table_info("{key}")')}
                        if ROW_VERSION not in cols:
                            con.execute(f'ALTER TABLE "{key}" ADD COLUMN {ROW_VERSION} INTEGER NOT NULL DEFAULT 1')
                done.append(f"migration {m.version}: {m.description}")
        _write_meta(tmp, {"schema_version": str(LATEST)}, todo)
    return done


def read_layer(path: Path, key: str) -> pd.DataFrame:
    spec = get_layer(key)
    try:
        return pyogrio.read_dataframe(path, layer=key, use_arrow=True, fid_as_index=False,
                                      read_geometry=spec.geometry is not None)
    except pyogrio.errors.DataLayerError as exc:
        raise StoreError(f"layer {key!r} is missing from the store {path}: {exc}") from exc
    except pyogrio.errors.DataSourceError as exc:
        raise StoreError(f"cannot open the store {path}: {exc}") from exc


def write_layers(path: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Replace whole layers (already validated), all or nothing."""
    with _rewrite(path) as tmp:
        for key, frame in frames.items():
            _write_layer(tmp, key, frame)


def write_rows(path: Path, layer: str, merged: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    """Row changes on a file store are a rewrite of the layer (``merged``: the layer after the change)."""
    write_layers(path, {layer: merged, **tables})


def backup(path: Path, folder: Path, stamp: str) -> Path:
    target = folder / f"{Path(path).stem}.{stamp}.gpkg"
    shutil.copy2(path, target)
    return target
