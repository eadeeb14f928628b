"""The store: one contract (:class:`geodata.storage.base.Store`), two backends.

* **GeoPackage** (default, embedded): one file at ``$SPACEMAP_STORE`` (default
  ``data/spacemap.gpkg``, git-ignored) — :mod:`geodata.storage.gpkg`.
* **PostgreSQL/PostGIS**, when ``$SPACEMAP_DB_URL`` is a ``postgresql://`` URL — for an
  inventory shared by many staff and app processes — :mod:`geodata.storage.postgis`.

:func:`open_store` is the one way in: it picks the backend for a *location* (the file path or
the database URL; default: the configured store), creates the store from the bundled files
under ``geodata/data`` on first use, applies pending migrations under the write lock, and
returns the :class:`~geodata.storage.base.Store`. The functions below are shorthands for
``open_store(location).method(...)``. Nothing outside this package asks which backend it has.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Union

import pandas as pd

import settings
from geodata.ingest.bundled import DATA_DIR, bundled_hash, read_bundled
from geodata.ingest.validate import raise_if_problems, validate_frames
from geodata.storage.base import KEEP_BACKUPS, NotSupported, Store, with_system_columns
from geodata.storage.migrations import LATEST, MIGRATIONS
from layers.catalogue import CARRIER_LAYERS, LAYERS
from spatial.errors import ConflictError, StoreBusyError, StoreError

log = logging.getLogger(__name__)

Location = Union[Path, str]

__all__ = ["Store", "NotSupported", "KEEP_BACKUPS", "StoreBusyError", "ConflictError", "Location", "open_store", "store_path",
           "as_location", "ensure_store", "create_store", "rebuild_store", "kept_work", "store_lock", "describe_store",
           "store_version", "read_meta", "list_store_layers", "read_layer", "read_rows", "read_all",
           "replace_layers", "append_rows", "write_rows", "frames_for_import", "read_copy", "refresh_copy"]


def store_path() -> Location:
    """The configured store: ``$SPACEMAP_DB_URL`` (PostGIS) if set, else ``$SPACEMAP_STORE`` or the default file."""
    try:
        url = settings.db_url()
    except ValueError as exc:
        raise StoreError(str(exc)) from exc
    return url if url else settings.store_file()


def as_location(text) -> Location:
    """A location from its text form (a database URL stays text, anything else is a path)."""
    return text if isinstance(text, str) and text.startswith(settings.DB_SCHEMES) else Path(text)


def _backend(location: Location | None) -> Store:
    """The backend object for ``location`` (nothing is created or checked)."""
    location = as_location(location if location is not None else store_path())
    if isinstance(location, str):
        from geodata.storage.postgis import PostGISStore

        return PostGISStore(location)
    from geodata.storage.gpkg import GeoPackageStore

    return GeoPackageStore(location)


_checked: set[str] = set()


def open_store(location: Location | None = None) -> Store:
    """The store at ``location`` (default: the configured one), ready to use.

    Created from the bundled files if it is missing (another process may win that race:
    then its store is used); pending migrations and catalogue layers added since it was
    created are applied once per process and revision, under the write lock.

    Raises
    ------
    StoreError
        If the store cannot be opened, created or migrated (one line, no traceback).
    """
    store = _backend(location)
    if not store.exists():
        try:
            _create(store)
        except StoreError:
            if not store.exists():
                raise
    key = f"{store.location}:{store.revision()}"
    if key not in _checked:
        try:
            _upgrade(store)
        except Exception as exc:  # noqa: BLE001 - any backend failure becomes one clear line
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open the store {store.describe()}: {exc}") from exc
        _checked.add(f"{store.location}:{store.revision()}")
    return store


def _create(store: Store, *, data_dir: Path = DATA_DIR, replace: bool = False) -> None:
    """Create ``store`` from the bundled files, all or nothing (rebuilding under the write lock)."""
    with store.creation_lock():
        if store.exists() and not replace:
            raise StoreError(f"store already exists at {store.describe()}; pass replace=True to rebuild it")
        started = time.perf_counter()
        frames, problems = read_bundled(data_dir=data_dir)
        raise_if_problems(problems + validate_frames(frames))
        ids = json.dumps(sorted(str(i) for k in CARRIER_LAYERS for i in frames[k]["id"]))
        meta = {"schema_version": str(LATEST), "bundled_hash": bundled_hash(data_dir), "bundled_ids": ids,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "created_from": "bundled"}
        store.create(with_system_columns(frames), meta, MIGRATIONS)
    log.info("created store %s from bundled data in %.2f s", store.describe(), time.perf_counter() - started)


def _upgrade(store: Store, *, data_dir: Path = DATA_DIR) -> list[str]:
    """Apply pending schema migrations and add catalogue layers the store lacks (from the
    bundled files), under the write lock, all or nothing. Returns what was done."""
    with store.lock():
        present = set(store.list_layers())
        missing = [key for key in LAYERS if key not in present]
        frames = {}
        if missing:
            bundled, problems = read_bundled(data_dir=data_dir)
            raise_if_problems(problems)
            frames = with_system_columns({key: bundled[key] for key in missing})
        done = store.migrate(frames)
        if store.read_meta().get("bundled_hash") != bundled_hash(data_dir):
            done += _sync_bundled(store, data_dir)
    if done:
        log.info("upgraded store %s: %s", store.describe(), "; ".join(done))
    return done


def _sync_bundled(store: Store, data_dir: Path) -> list[str]:
    """Apply newer bundled files to an existing store, keeping people's work (see
    :mod:`geodata.storage.bundled_sync`), with a backup first; what was done."""
    from geodata.storage.bundled_sync import bundled_ids, sync_frames

    bundled, problems = read_bundled(data_dir=data_dir)
    raise_if_problems(problems)
    frames, report = sync_frames(store.read_all(), bundled, previous=bundled_ids(store.read_meta()))
    store.backup()
    store.replace_layers(frames)
    ids = sorted(str(i) for k in CARRIER_LAYERS for i in bundled[k]["id"])
    store.write_meta({"bundled_hash": bundled_hash(data_dir), "bundled_ids": json.dumps(ids)})
    return [f"bundled files applied: {len(report['replaced'])} carriers updated, {len(report['added'])} added, "
            f"{len(report['removed'])} removed, {len(report['kept'])} kept as people changed them"]


def create_store(location: Location | None = None, *, data_dir: Path = DATA_DIR, replace: bool = False) -> Location:
    """Create the store from the bundled files, all or nothing; returns its location.

    Raises
    ------
    ValidationError
        If the bundled data has problems; nothing is written.
    StoreError
        If the store exists and ``replace`` is false, or it cannot be written.
    """
    store = _backend(location)
    _create(store, data_dir=data_dir, replace=replace)
    return store.location


KEPT_WORK = {"audit_log": "audit entries", "progress_goals": "goals", "demand_pool": "demand-pool needs",
             "accounts": "accounts"}
"""The tables only people's work fills (the bundled files hold none of it): what a rebuild loses."""


def kept_work(location: Location | None = None) -> dict[str, int]:
    """How many rows of people's work a rebuild would lose: ``{"audit entries": n, "goals": n,
    "demand-pool needs": n}`` (imports, edits and undos are audit entries)."""
    store = open_store(location)
    present = set(store.list_layers())
    return {what: len(store.read_layer(key)) if key in present else 0 for key, what in KEPT_WORK.items()}


def rebuild_store(location: Location | None = None, *, data_dir: Path = DATA_DIR) -> Path | None:
    """Back the store up, then rebuild it from the bundled files, under the write lock (no writer
    slips in between). Returns the backup, or None where the store keeps its own backups (a
    database: pg_dump, PITR).

    Raises
    ------
    ValidationError
        If the bundled data has problems; nothing is written (the backup stays).
    StoreError
        If the store cannot be backed up or written.
    """
    store = _backend(location)
    if not store.exists():
        _create(store, data_dir=data_dir)
        return None
    with store.lock():
        saved = store.backup()
        _create(store, data_dir=data_dir, replace=True)
    return saved


def ensure_store(location: Location | None = None) -> Location:
    """The store's location, after :func:`open_store` made sure it exists and is migrated."""
    return open_store(location).location


def store_lock(location: Location | None = None, *, timeout: float | None = None):
    """The store's exclusive write lock (re-entrant in a process); every writer takes it."""
    store = _backend(location)
    return store.lock() if timeout is None else store.lock(timeout=timeout)


def describe_store(location: Location | None = None) -> str:
    """The store's location for display (a database URL without its password)."""
    return _backend(location).describe()


def read_meta(location: Location | None = None) -> dict[str, str]:
    """The store's metadata (schema version, source data hash, creation time)."""
    return _backend(location).read_meta()


def list_store_layers(location: Location | None = None) -> list[str]:
    """The layer names in the store."""
    return _backend(location).list_layers()


def store_version(location: Location | None = None) -> tuple[str, int]:
    """``(location, revision)``: the revision changes with every write (cache key for the app)."""
    return open_store(location).version()


def read_layer(key: str, location: Location | None = None) -> pd.DataFrame:
    """Read one layer (a GeoDataFrame for spatial layers, else a DataFrame)."""
    return open_store(location).read_layer(key)


def read_rows(key: str, ids, location: Location | None = None, *, names: bool = False) -> pd.DataFrame:
    """The rows of layer ``key`` whose id (or, with ``names``, Chinese or English name) is in ``ids``."""
    return open_store(location).read_layer(key, ids=ids, names=names)


def read_all(location: Location | None = None) -> dict[str, pd.DataFrame]:
    """Every catalogue layer."""
    return open_store(location).read_all()


def replace_layers(frames: dict[str, pd.DataFrame], location: Location | None = None) -> Location:
    """Replace whole layers, validated with the rest of the store, all or nothing."""
    store = open_store(location)
    store.replace_layers(frames)
    return store.location


def append_rows(key: str, rows: pd.DataFrame, location: Location | None = None) -> Location:
    """Add rows to a table layer under the write lock (two writers never lose each other's rows)."""
    store = open_store(location)
    store.append_rows(key, rows)
    return store.location


def write_rows(layer: str, upsert: pd.DataFrame, delete_ids=(), *, tables: dict[str, pd.DataFrame] | None = None,
               expected_versions: dict[str, int | None] | None = None, location: Location | None = None) -> dict:
    """Change rows of a carrier layer by id, all or nothing (see :meth:`Store.write_rows`)."""
    return open_store(location).write_rows(layer, upsert, delete_ids, tables=tables,
                                           expected_versions=expected_versions)


def frames_for_import(location: Location | None = None):
    """What :func:`geodata.ingest.importer.plan_import` needs from the store (see :meth:`Store.import_frames`)."""
    return open_store(location).import_frames()


def read_copy(location: Location | None = None):
    """A reader's copy of every layer that :func:`refresh_copy` keeps current (see
    :mod:`geodata.storage.snapshot_delta`): ``copy.frames`` as :func:`read_all` returns them."""
    from geodata.storage.snapshot_delta import load

    return load(open_store(location))


def refresh_copy(copy, location: Location | None = None):
    """``(copy brought up to date, what was read)``: only the rows written since ``copy`` was read
    (:class:`geodata.storage.snapshot_delta.Changes`)."""
    from geodata.storage.snapshot_delta import refresh

    return refresh(open_store(location), copy)
