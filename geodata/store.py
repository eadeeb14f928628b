"""The embedded GeoPackage store.

The store is one GeoPackage file at ``$SPACEMAP_STORE`` (default
``data/spacemap.gpkg`` under the repository, git-ignored). It is created from the
bundled files under ``geodata/data`` on first use; once it exists it is the inventory of
record and is never silently rebuilt. Creation is atomic: the layers are written to a
temporary file in the same folder which is then renamed into place, so a crash leaves
either no store or a complete one.
"""
from __future__ import annotations

import contextlib
import logging
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

from geodata.bundled import DATA_DIR, bundled_hash, read_bundled
from geodata.validate import raise_if_problems, validate_frames
from layers.catalogue import LAYERS, get_layer
from spatial.errors import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
META_TABLE = "spacemap_meta"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORE = REPO_ROOT / "data" / "spacemap.gpkg"


LOCK_TIMEOUT_S = 10.0


class StoreBusyError(StoreError):
    """Another process is writing to the store."""


_held: dict[str, int] = {}  # lock files this process holds, with nesting depth


@contextlib.contextmanager
def store_lock(path: Path, *, timeout: float = LOCK_TIMEOUT_S):
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


def store_path() -> Path:
    """The store location: ``$SPACEMAP_STORE`` or the default under ``data/``."""
    env = os.environ.get("SPACEMAP_STORE")
    return Path(env).expanduser() if env else DEFAULT_STORE


def _write_layer(path: Path, key: str, frame: pd.DataFrame) -> None:
    spec = get_layer(key)
    frame = frame.copy()
    for field in spec.fields:
        if field.dtype == "bool" and field.name in frame.columns:
            # GeoPackage booleans cannot be null: unknown is kept as text.
            col = frame[field.name]
            frame[field.name] = col.astype("boolean") if not col.isna().any() else col.astype("string")
    if spec.geometry is None:
        pyogrio.write_dataframe(frame, path, layer=key, driver="GPKG")
    else:
        pyogrio.write_dataframe(gpd.GeoDataFrame(frame, geometry="geometry", crs=frame.crs), path, layer=key,
                                driver="GPKG", geometry_type=spec.geometry, promote_to_multi=spec.geometry
                                == "MultiPolygon", spatial_index=True)


def _write_meta(path: Path, meta: dict[str, str]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.executemany(f"INSERT OR REPLACE INTO {META_TABLE} (key, value) VALUES (?, ?)", list(meta.items()))


def read_meta(path: Path | None = None) -> dict[str, str]:
    """Return the store's metadata (schema version, source data hash, creation time)."""
    path = path or store_path()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            rows = con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read store metadata from {path}: {exc}") from exc
    return dict(rows)


def create_store(path: Path | None = None, *, data_dir: Path = DATA_DIR, replace: bool = False) -> Path:
    """Create the store from the bundled files, atomically.

    Parameters
    ----------
    path : Path, optional
        Target file; default :func:`store_path`.
    data_dir : Path, keyword-only
        Folder of the bundled files.
    replace : bool, keyword-only
        Overwrite an existing store (default: refuse).

    Raises
    ------
    ValidationError
        If the bundled data has problems; nothing is written.
    StoreError
        If the target exists and ``replace`` is false, or the file cannot be written.
    """
    path = Path(path or store_path())
    if path.exists() and not replace:
        raise StoreError(f"store already exists at {path}; pass replace=True to rebuild it")
    started = time.perf_counter()
    frames, problems = read_bundled(data_dir=data_dir)
    raise_if_problems(problems + validate_frames(frames))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        for key, frame in frames.items():
            _write_layer(tmp, key, frame)
        _write_meta(tmp, {
            "schema_version": str(SCHEMA_VERSION),
            "bundled_hash": bundled_hash(data_dir),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "created_from": "bundled",
        })
        os.replace(tmp, path)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError, sqlite3.Error) as exc:
        raise StoreError(f"cannot write store {path}: {exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    log.info("created store %s from bundled data in %.2f s", path, time.perf_counter() - started)
    return path


def replace_layers(frames: dict[str, pd.DataFrame], path: Path | None = None) -> Path:
    """Replace whole layers in the store, validated, all or nothing.

    The store is copied, the layers are written into the copy, the copy is validated
    together with the untouched layers, and only then renamed over the store: a failure
    at any point leaves the store exactly as it was.

    Raises
    ------
    ValidationError
        If the new layers (with the rest of the store) have problems; nothing changes.
    """

    from layers.catalogue import get_layer as _get_layer

    path = ensure_store(path)
    for key in frames:
        _get_layer(key)
    with store_lock(path):
        merged = {**read_all(path), **frames}
        raise_if_problems(validate_frames(merged))
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.gpkg", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            shutil.copy2(path, tmp)
            for key, frame in frames.items():
                _write_layer(tmp, key, frame)
            os.replace(tmp, path)
        except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError) as exc:
            raise StoreError(f"cannot write store {path}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
    return path


def upgrade_store(path: Path, *, data_dir: Path = DATA_DIR) -> list[str]:
    """Add catalogue layers the store does not have yet, from the bundled files.

    A store created by an older version keeps every layer it has (it is the inventory of
    record); only missing layers are added, atomically (copy, write, rename). Returns the
    keys added.
    """

    missing = [key for key in LAYERS if key not in set(list_store_layers(path))]
    if not missing:
        return []
    with store_lock(path):
        return _add_layers(path, [key for key in LAYERS if key not in set(list_store_layers(path))], data_dir)


def _add_layers(path: Path, missing: list[str], data_dir: Path) -> list[str]:
    if not missing:
        return []
    bundled, problems = read_bundled(data_dir=data_dir)
    raise_if_problems(problems)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copy2(path, tmp)
        for key in missing:
            _write_layer(tmp, key, bundled[key])
        os.replace(tmp, path)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError) as exc:
        raise StoreError(f"cannot upgrade store {path}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    log.info("added layers %s to store %s", missing, path)
    return missing


_checked: set[str] = set()


def ensure_store(path: Path | None = None) -> Path:
    """Return the store path, creating the store from the bundled files if it is missing.

    Idempotent: an existing store keeps its data; layers added to the catalogue since it was
    created are added once per process (:func:`upgrade_store`).
    """
    path = Path(path or store_path())
    if not path.exists():
        try:
            create_store(path)
        except StoreError:
            if not path.exists():  # another process may have won the race
                raise
    key = f"{path.resolve()}:{path.stat().st_mtime_ns}"
    if key not in _checked:
        try:
            upgrade_store(path)
        except pyogrio.errors.DataSourceError as exc:
            raise StoreError(f"cannot open the store {path}: {exc}") from exc
        _checked.add(f"{path.resolve()}:{path.stat().st_mtime_ns}")
    return path


def list_store_layers(path: Path | None = None) -> list[str]:
    """The layer names in the store."""
    return [str(name) for name, _ in pyogrio.list_layers(Path(path or store_path()))]


def read_layer(key: str, path: Path | None = None) -> pd.DataFrame:
    """Read one layer from the store (a GeoDataFrame for spatial layers, else a DataFrame)."""
    spec = get_layer(key)
    path = ensure_store(path)
    try:
        frame = pyogrio.read_dataframe(path, layer=key, use_arrow=True, fid_as_index=False,
                                       read_geometry=spec.geometry is not None)
    except pyogrio.errors.DataLayerError as exc:
        raise StoreError(f"layer {key!r} is missing from the store {path}: {exc}") from exc
    except pyogrio.errors.DataSourceError as exc:
        raise StoreError(f"cannot open the store {path}: {exc}") from exc
    return _restore_types(frame, key)


def _restore_types(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    spec = get_layer(key)
    for field in spec.fields:
        if field.name not in frame.columns:
            frame[field.name] = None
        elif field.dtype == "bool" and frame[field.name].dtype != "bool":
            frame[field.name] = frame[field.name].map(
                lambda v: None if v is None or v != v else str(v).lower() in ("true", "1")).astype("boolean")
        elif field.dtype in ("str", "code", "codes", "date"):
            frame[field.name] = frame[field.name].astype("object").where(frame[field.name].notna(), None)
    if spec.geometry is not None:
        empty = frame.geometry.is_empty
        if empty.any():
            frame.loc[empty, frame.geometry.name] = None
    return frame


def read_all(path: Path | None = None) -> dict[str, pd.DataFrame]:
    """Read every catalogue layer from the store."""
    path = ensure_store(path)
    return {key: read_layer(key, path) for key in LAYERS}
