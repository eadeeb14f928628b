"""The store: one interface, two backends.

* **GeoPackage** (default, embedded): one file at ``$SPACEMAP_STORE`` (default
  ``data/spacemap.gpkg``, git-ignored) — :mod:`geodata.store_gpkg`.
* **PostgreSQL/PostGIS**, when ``$SPACEMAP_DB_URL`` is a ``postgresql://`` URL — for an
  inventory shared by many staff and app processes — :mod:`geodata.store_postgis`.

A *location* is the file path or the database URL; every function takes one (default: the
configured store). The store is created from the bundled files under ``geodata/data`` on
first use; once it exists it is the inventory of record and is never silently rebuilt.
Both backends have the same schema (:mod:`geodata.migrations`), the same validation, the same
all-or-nothing writes under one exclusive write lock, and carrier row versions.
"""
from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Union

import pandas as pd

from geodata import store_gpkg
from geodata.bundled import DATA_DIR, bundled_hash, read_bundled
from geodata.migrations import LATEST, MIGRATIONS, ROW_VERSION, columns
from geodata.validate import raise_if_problems, validate_frames
from layers.catalogue import CARRIER_LAYERS, LAYERS, get_layer
from spatial.errors import ConflictError, Problem, StoreBusyError, StoreError

log = logging.getLogger(__name__)

Location = Union[Path, str]
SCHEMA_VERSION = LATEST
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORE = REPO_ROOT / "data" / "spacemap.gpkg"
LOCK_TIMEOUT_S = 10.0
DB_SCHEMES = ("postgresql://", "postgres://")

__all__ = ["StoreBusyError", "ConflictError", "store_path", "is_database", "store_lock", "create_store",
           "ensure_store", "read_layer", "read_all", "replace_layers", "write_rows", "store_version",
           "describe_store", "read_meta", "list_store_layers", "upgrade_store"]


def store_path() -> Location:
    """The configured store: ``$SPACEMAP_DB_URL`` (PostGIS) if set, else ``$SPACEMAP_STORE`` or the default file."""
    url = os.environ.get("SPACEMAP_DB_URL", "").strip()
    if url:
        if not url.startswith(DB_SCHEMES):
            raise StoreError("SPACEMAP_DB_URL must be a postgresql:// URL")
        return url
    env = os.environ.get("SPACEMAP_STORE")
    return Path(env).expanduser() if env else DEFAULT_STORE


def is_database(location) -> bool:
    """True for a PostGIS URL, False for a GeoPackage path."""
    return isinstance(location, str) and location.startswith(DB_SCHEMES)


def as_location(text) -> Location:
    """A location from its text form (a database URL stays text, anything else is a path)."""
    return text if is_database(text) else Path(text)


def _loc(location: Location | None) -> Location:
    location = location if location is not None else store_path()
    return location if is_database(location) else Path(location)


def backend(location: Location):
    """The backend module serving ``location``."""
    if is_database(location):
        from geodata import store_postgis

        return store_postgis
    return store_gpkg


def store_lock(location: Location | None = None, *, timeout: float = LOCK_TIMEOUT_S):
    """Hold the store's exclusive write lock (re-entrant in a process); :class:`StoreBusyError`
    after ``timeout`` s. Every writer takes it: imports, edits, undo, goals, pool saves."""
    location = _loc(location)
    return backend(location).lock(location, timeout=timeout)


def describe_store(location: Location | None = None) -> str:
    """The store's location for display (a database URL without its password)."""
    location = _loc(location)
    return backend(location).describe(location)


def _with_system_columns(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = {}
    for key, frame in frames.items():
        if key in CARRIER_LAYERS and ROW_VERSION not in frame.columns:
            frame = frame.copy()
            frame[ROW_VERSION] = 1
        out[key] = frame
    return out


def create_store(location: Location | None = None, *, data_dir: Path = DATA_DIR, replace: bool = False) -> Location:
    """Create the store from the bundled files, all or nothing.

    Raises
    ------
    ValidationError
        If the bundled data has problems; nothing is written.
    StoreError
        If the store exists and ``replace`` is false, or it cannot be written.
    """
    location = _loc(location)
    impl = backend(location)
    with contextlib.ExitStack() as stack:
        if is_database(location):
            stack.enter_context(store_lock(location))
        if impl.exists(location) and not replace:
            raise StoreError(f"store already exists at {impl.describe(location)}; pass replace=True to rebuild it")
        started = time.perf_counter()
        frames, problems = read_bundled(data_dir=data_dir)
        raise_if_problems(problems + validate_frames(frames))
        meta = {"schema_version": str(LATEST), "bundled_hash": bundled_hash(data_dir),
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "created_from": "bundled"}
        impl.create(location, _with_system_columns(frames), meta, MIGRATIONS)
    log.info("created store %s from bundled data in %.2f s", impl.describe(location), time.perf_counter() - started)
    return location


def upgrade_store(location: Location, *, data_dir: Path = DATA_DIR) -> list[str]:
    """Apply pending schema migrations and add catalogue layers the store lacks (from the
    bundled files), under the write lock, all or nothing. Returns what was done."""
    location = _loc(location)
    impl = backend(location)
    with store_lock(location):
        present = set(impl.list_layers(location))
        missing = [key for key in LAYERS if key not in present]
        frames = {}
        if missing:
            bundled, problems = read_bundled(data_dir=data_dir)
            raise_if_problems(problems)
            frames = _with_system_columns({key: bundled[key] for key in missing})
        done = impl.migrate(location, frames)
    if done:
        log.info("upgraded store %s: %s", impl.describe(location), "; ".join(done))
    return done


_checked: set[str] = set()


def ensure_store(location: Location | None = None) -> Location:
    """Return the store location, creating the store from the bundled files if it is missing.

    Idempotent: an existing store keeps its data; pending migrations and layers added to the
    catalogue since it was created are applied once per process and store version.
    """
    location = _loc(location)
    impl = backend(location)
    if not impl.exists(location):
        try:
            create_store(location)
        except StoreError:
            if not impl.exists(location):  # another process may have won the race
                raise
    key = f"{location}:{impl.revision(location)}"
    if key not in _checked:
        try:
            upgrade_store(location)
        except Exception as exc:  # noqa: BLE001 - any backend failure becomes one clear line
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open the store {impl.describe(location)}: {exc}") from exc
        _checked.add(f"{location}:{impl.revision(location)}")
    return location


def store_version(location: Location | None = None) -> tuple[str, int]:
    """``(location, revision)``: the revision changes with every write (cache key for the app)."""
    location = ensure_store(location)
    return str(location), backend(location).revision(location)


def read_meta(location: Location | None = None) -> dict[str, str]:
    """The store's metadata (schema version, source data hash, creation time)."""
    location = _loc(location)
    return backend(location).read_meta(location)


def list_store_layers(location: Location | None = None) -> list[str]:
    """The layer names in the store."""
    location = _loc(location)
    return backend(location).list_layers(location)


def _restore_types(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    spec = get_layer(key)
    for name, dtype in columns(key):
        if name not in frame.columns:
            frame[name] = 1 if name == ROW_VERSION else None
        elif dtype == "bool" and frame[name].dtype != "bool":
            frame[name] = frame[name].map(
                lambda v: None if v is None or v != v else str(v).lower() in ("true", "1")).astype("boolean")
        elif dtype in ("str", "code", "codes", "date"):
            frame[name] = frame[name].astype("object").where(frame[name].notna(), None)
        elif name == ROW_VERSION:
            frame[name] = pd.to_numeric(frame[name]).fillna(1).astype("int64")
    if spec.geometry is not None:
        empty = frame.geometry.is_empty | frame.geometry.isna()
        if empty.any():
            frame.loc[empty, frame.geometry.name] = None
    return frame


def read_layer(key: str, location: Location | None = None) -> pd.DataFrame:
    """Read one layer from the store (a GeoDataFrame for spatial layers, else a DataFrame)."""
    get_layer(key)
    location = ensure_store(location)
    return _restore_types(backend(location).read_layer(location, key), key)


def read_all(location: Location | None = None) -> dict[str, pd.DataFrame]:
    """Read every catalogue layer from the store."""
    location = ensure_store(location)
    return {key: read_layer(key, location) for key in LAYERS}


def read_rows(key: str, ids, location: Location | None = None, *, names: bool = False) -> pd.DataFrame:
    """The rows of layer ``key`` whose id (or, with ``names``, Chinese or English name) is in
    ``ids``: index lookups on a database, a filter of the layer on a file."""
    location = ensure_store(location)
    wanted = sorted({str(i) for i in ids})
    if is_database(location):
        where = "WHERE t.id = ANY(%(w)s)" + (" OR t.name_zh = ANY(%(w)s) OR t.name_en = ANY(%(w)s)" if names else "")
        return _restore_types(backend(location).read_layer(location, key, where=where, params={"w": wanted}), key)
    frame = read_layer(key, location)
    mask = frame["id"].astype(str).isin(wanted)
    if names:
        mask |= frame["name_zh"].isin(wanted) | frame["name_en"].isin(wanted)
    return frame.loc[mask].reset_index(drop=True)


def frames_for_import(location: Location | None = None):
    """What :func:`geodata.importer.plan_import` needs from the store: a callable for a
    database (zone layers + the carriers the file names, by index lookups), every layer for a file."""
    location = ensure_store(location)
    if not is_database(location):
        return read_all(location)

    def load(ids: list[str], parents: list[str]) -> dict[str, pd.DataFrame]:
        out = {k: read_layer(k, location) for k in LAYERS if k not in CARRIER_LAYERS}
        return {**out, **{k: read_rows(k, [*ids, *parents], location) for k in CARRIER_LAYERS}}

    return load


LINKED = {*CARRIER_LAYERS, "incubation_ledger", "district", "shenzhen_districts", "subdistricts", "clusters",
          "hetao"}
"""Layers whose rows the validator checks against other layers (ids, parents, ledger links, boundaries)."""


def replace_layers(frames: dict[str, pd.DataFrame], location: Location | None = None) -> Location:
    """Replace whole layers, validated with the rest of the store, all or nothing.

    Raises
    ------
    ValidationError
        If the new layers (with the rest of the store) have problems; nothing changes.
    """
    location = ensure_store(location)
    for key in frames:
        get_layer(key)
    with store_lock(location):
        if set(frames) & LINKED:
            raise_if_problems(validate_frames({**read_all(location), **frames}))
        else:  # plain tables (goals, demand pool, audit log) link to nothing: no need to read the inventory
            raise_if_problems(validate_frames(dict(frames)))
        backend(location).write_layers(location, _with_system_columns(frames))
    return location


def append_rows(key: str, rows: pd.DataFrame, location: Location | None = None) -> Location:
    """Add rows to a table layer: read and write as one step under the write lock (two writers
    never lose each other's rows)."""
    location = ensure_store(location)
    with store_lock(location):
        current = read_layer(key, location)
        merged = pd.concat([current, rows], ignore_index=True) if len(current) else rows.reset_index(drop=True)
        return replace_layers({key: merged}, location)


def _current_versions(location: Location, layer: str, ids: list[str]) -> dict[str, int]:
    impl = backend(location)
    if hasattr(impl, "row_versions"):
        return impl.row_versions(location, layer, ids)
    current = read_layer(layer, location)
    wanted = set(ids)
    return {str(i): int(v) for i, v in zip(current["id"], current[ROW_VERSION]) if str(i) in wanted}


def _check_versions(expected: dict[str, int | None], current: dict[str, int]) -> None:
    conflicts = [{"id": i, "expected": e, "current": current.get(i)} for i, e in expected.items()
                 if current.get(i) != e]
    if conflicts:
        first = conflicts[0]
        what = "deleted" if first["current"] is None else f"now at version {first['current']}"
        if first["expected"] is None:
            what = f"created meanwhile (version {first['current']})"
        raise ConflictError(
            f"conflict: {len(conflicts)} row(s) changed since you read them (first: {first['id']}, you had version "
            f"{first['expected']}, it is {what}); reload, then apply your change again", conflicts)


def write_rows(layer: str, upsert: pd.DataFrame, delete_ids=(), *, tables: dict[str, pd.DataFrame] | None = None,
               expected_versions: dict[str, int | None] | None = None, location: Location | None = None) -> dict:
    """Change rows of a carrier layer by id, all or nothing, under the write lock.

    ``upsert`` rows replace the rows with the same ids (or are added); ``delete_ids`` are
    removed; ``tables`` (small non-carrier tables such as the audit log) are replaced in the
    same transaction. ``expected_versions`` maps ids to the ``row_version`` the writer read
    (None: the writer believed the id did not exist): when any differs, :class:`ConflictError`
    and nothing is written. Returns ``{id: new row_version}``.
    """
    location = ensure_store(location)
    impl = backend(location)
    tables = dict(tables or {})
    ids = [str(i) for i in upsert["id"]] if len(upsert) else []
    delete_ids = [str(i) for i in delete_ids]
    with store_lock(location):
        current = _current_versions(location, layer, ids + delete_ids)
        if expected_versions:
            _check_versions({str(k): v for k, v in expected_versions.items()}, current)
        upsert = upsert.copy()
        upsert[ROW_VERSION] = [current.get(i, 0) + 1 for i in ids]
        if is_database(location):
            _validate_rows(location, layer, upsert, delete_ids, tables)
            impl.write_rows(location, layer, upsert, delete_ids, tables)
        else:
            existing = read_layer(layer, location)
            keep = existing.loc[~existing["id"].astype(str).isin(set(ids) | set(delete_ids))]
            merged = pd.concat([keep, upsert], ignore_index=True) if len(upsert) else keep
            import geopandas as gpd

            merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=existing.crs)
            raise_if_problems(validate_frames({**read_all(location), layer: merged, **tables}))
            impl.write_rows(location, layer, merged, tables)
    return {i: current.get(i, 0) + 1 for i in ids}


def _validate_rows(location: str, layer: str, upsert: pd.DataFrame, delete_ids: list[str],
                   tables: dict[str, pd.DataFrame]) -> None:
    """Validate a row change on the database without reading every carrier: the rows themselves,
    then their links (parents, ids of other layers, ledger entries) by index lookups."""
    impl = backend(location)
    zones = {k: read_layer(k, location) for k in ("district", "shenzhen_districts")}
    found = [p for p in validate_frames({**zones, layer: upsert, **tables})
             if p.message != "parent carrier does not exist" and p.message != "carrier does not exist"]
    ids = set(map(str, upsert["id"])) if len(upsert) else set()
    parents = {str(p) for p in upsert.get("parent_id", pd.Series(dtype=object)).dropna() if str(p) not in ids}
    present = impl.existing_ids(location, sorted(parents)) if parents else set()
    for fid, parent in zip(upsert["id"], upsert.get("parent_id", pd.Series([None] * len(upsert)))):
        if parent is not None and parent == parent and str(parent) not in ids | present - set(delete_ids):
            found.append(Problem(layer, fid, "parent_id", parent, "parent carrier does not exist"))
    others = [k for k in CARRIER_LAYERS if k != layer]
    for fid in sorted(impl.existing_ids(location, sorted(ids), others)) if ids else []:
        found.append(Problem("carriers", fid, "id", fid, "duplicate id across layers"))
    if delete_ids:
        ledger = tables.get("incubation_ledger", read_layer("incubation_ledger", location))
        for eid, cid in zip(ledger["id"], ledger["carrier_id"]):
            if cid is not None and str(cid) in set(delete_ids):
                found.append(Problem("incubation_ledger", eid, "carrier_id", cid, "carrier does not exist"))
        children = impl.children_of(location, delete_ids)
        for fid, parent in children:
            if fid not in set(delete_ids):
                found.append(Problem(layer, fid, "parent_id", parent, "parent carrier does not exist"))
    raise_if_problems(found)


def backup(location: Location, folder: Path, stamp: str):
    """A copy of the store in ``folder`` (GeoPackage); None for a database (use its own backups)."""
    return backend(location).backup(location, folder, stamp)
