"""The store contract: one base class that every backend subclasses with the same methods.

A backend implements the *primitives* (exists, describe, revision, metadata, lock, create,
migrate, read a table, write layers, write a row change, row versions, backups). The base
class builds everything else on them once: typed reads, validated whole-layer writes,
appends under the lock, row changes with version checks. Work a backend can push down
(the tally, the matching pre-filter) is an optional method that raises :class:`NotSupported`
on backends that cannot; callers ask the store and fall back, they never test its kind.
(The shape follows pygeoapi's provider base class.)
"""
from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from geodata.ingest.validate import LINK_TARGETS, raise_if_problems, validate_frames
from geodata.storage.migrations import ROW_VERSION, columns
from layers.catalogue import CARRIER_LAYERS, LAYERS, get_layer
from layers.market_catalogue import LAZY_LAYERS, VERSIONED_TABLES
from spatial.errors import ConflictError

LOCK_TIMEOUT_S = 10.0
KEEP_BACKUPS = 10
LINKED = {*CARRIER_LAYERS, "incubation_ledger", "units", "leases", "unit_attachments", "attachment_blobs",
          "enquiry_events", "enterprise_years", "placements", "district", "shenzhen_districts", "subdistricts",
          "clusters", "hetao"}
"""Layers whose rows the validator checks against other layers (ids, parents, ledger links, boundaries)."""


class NotSupported(NotImplementedError):
    """This backend cannot do that work itself: the caller computes it from the layers."""


class Store(abc.ABC):
    """One store at ``location`` (a GeoPackage path or a PostGIS URL).

    Obtain one with :func:`geodata.storage.open_store`, which creates and migrates it first.
    """

    kind: str = ""
    """``gpkg`` or ``postgis``: for display only, never to branch on."""
    keeps_backups: bool = False
    """True when every commit first copies the store to ``backups/`` beside it."""

    def __init__(self, location):
        self.location = location

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r})"

    # ---- primitives: every backend implements these -------------------------------------

    @abc.abstractmethod
    def exists(self) -> bool:
        """True when a created store is there."""

    @abc.abstractmethod
    def describe(self) -> str:
        """The location for display (a database URL without its password)."""

    @abc.abstractmethod
    def revision(self) -> int:
        """Changes with every write (the app's caches key on it)."""

    @abc.abstractmethod
    def read_meta(self) -> dict[str, str]:
        """The store's metadata (schema version, source data hash, creation time)."""

    @abc.abstractmethod
    def list_layers(self) -> list[str]:
        """The catalogue layers present in the store."""

    @abc.abstractmethod
    def lock(self, *, timeout: float = LOCK_TIMEOUT_S) -> contextlib.AbstractContextManager:
        """The exclusive write lock (re-entrant in a process); :class:`StoreBusyError` after ``timeout`` s."""

    @abc.abstractmethod
    def write_meta(self, values: dict[str, str]) -> None:
        """Set metadata keys (e.g. the hash of the bundled files the store now reflects)."""

    @abc.abstractmethod
    def login_failures(self, key: str) -> tuple[int, float]:
        """``(failed logins in a row, their last time in epoch seconds)`` for a name key (see
        :mod:`geodata.storage.logins`: kept outside the revision)."""

    @abc.abstractmethod
    def reserve_login(self, key: str, at: float, wait_for) -> float:
        """Reserve a login try for ``key`` at ``at`` (epoch seconds): in one step, the seconds still to
        wait by ``wait_for(failures, last, at)`` (then nothing is counted), or 0 with the try counted
        as a failure until :meth:`clear_login` (parallel guesses cannot pass the slow-down)."""

    @abc.abstractmethod
    def clear_login(self, key: str) -> None:
        """A successful login: ``key``'s failures are forgotten."""

    def creation_lock(self) -> contextlib.AbstractContextManager:
        """The lock :func:`geodata.storage.open_store` holds while it creates or rebuilds the store."""
        return self.lock()

    @abc.abstractmethod
    def create(self, frames: dict[str, pd.DataFrame], meta: dict[str, str], migrations) -> None:
        """Write a new store from ``frames`` (validated), replacing any, all or nothing."""

    @abc.abstractmethod
    def migrate(self, missing_frames: dict[str, pd.DataFrame]) -> list[str]:
        """Apply pending migrations and add ``missing_frames`` as layers, all or nothing; what was done."""

    @abc.abstractmethod
    def read_table(self, key: str, *, ids=None, names: bool = False) -> pd.DataFrame:
        """Layer ``key`` as stored (untyped; only the rows whose id, or with ``names`` Chinese or
        English name, is in ``ids`` when given)."""

    @abc.abstractmethod
    def write_layers(self, frames: dict[str, pd.DataFrame]) -> None:
        """Replace whole layers (already validated), all or nothing."""

    @abc.abstractmethod
    def write_change(self, layer: str, upsert: pd.DataFrame, delete_ids: list[str],
                     tables: dict[str, pd.DataFrame], *, checked: bool = False) -> None:
        """Validate (``checked``: the links only) and write one change set of a carrier layer (under the lock, versions set)."""

    @abc.abstractmethod
    def write_row_changes(self, changes: dict[str, tuple[pd.DataFrame, list[str]]],
                          tables: dict[str, pd.DataFrame]) -> None:
        """Validate and write row changes of table layers (``{layer: (upsert, delete_ids)}``, versions
        set) and whole ``tables`` (the audit log) in one transaction, under the lock."""

    @abc.abstractmethod
    def row_versions(self, layer: str, ids: list[str]) -> dict[str, int]:
        """``{id: row_version}`` of those ``ids`` that exist in ``layer``."""

    @abc.abstractmethod
    def export_gpkg(self, out: Path) -> None:
        """Write the whole store as a new GeoPackage at ``out`` (one that re-imports to an identical store)."""

    def backup(self, *, keep: int = KEEP_BACKUPS) -> Path | None:
        """Copy the store aside before a commit; None where the backend keeps its own backups."""
        return None

    def list_backups(self) -> list[Path]:
        """The backups :meth:`backup` made, oldest first."""
        return []

    # ---- optional push-down --------------------------------------------------------------

    def tally(self, kind: str, *, land: str, stated: str, scope: str) -> dict:
        """The area tally by a spatial unit ``kind`` computed by the backend (see
        :func:`spatial.tally.tally_by` for the result); :class:`NotSupported` when it cannot."""
        raise NotSupported(f"{self.kind} store does not tally by itself")

    def match(self, need, frames: dict[str, pd.DataFrame], *, scope: str, weights=None, top: int = 10,
              explain: bool = True) -> dict:
        """Matching with the hard filters run by the backend (see
        :func:`geodata.storage.match_sql.match_in_database`); :class:`NotSupported` when it cannot."""
        raise NotSupported(f"{self.kind} store does not pre-filter matches by itself")

    def match_units(self, need, frames: dict[str, pd.DataFrame], *, scope: str, weights=None, top: int = 10,
                    explain: bool = True) -> dict:
        """Unit-level matching with the hard filters run by the backend (see
        :func:`geodata.storage.unit_match_sql.match_units_in_database`); :class:`NotSupported` when it cannot."""
        raise NotSupported(f"{self.kind} store does not pre-filter unit matches by itself")

    def enterprise_sums(self, *, first: int, last: int, prev: tuple[int, int] | None = None) -> tuple:
        """Enterprise-years of ``[first, last]`` (and of the span ``prev``) summed per enterprise by the
        backend (see :mod:`geodata.storage.economy_sql`); :class:`NotSupported` when it cannot."""
        raise NotSupported(f"{self.kind} store does not sum enterprise figures by itself")

    def economy_years(self) -> list[int]:
        """The years the enterprise figures cover, read by the backend; :class:`NotSupported` when it cannot."""
        raise NotSupported(f"{self.kind} store does not list the figures' years by itself")

    # ---- built on the primitives, the same for every backend -----------------------------

    def version(self) -> tuple[str, int]:
        """``(location, revision)``: a cache key that changes with every write."""
        return str(self.location), self.revision()

    def read_layer(self, key: str, *, ids=None, names: bool = False) -> pd.DataFrame:
        """One layer, typed as the catalogue says (a GeoDataFrame for spatial layers)."""
        get_layer(key)
        wanted = None if ids is None else sorted({str(i) for i in ids})
        return restore_types(self.read_table(key, ids=wanted, names=names), key)

    def read_all(self) -> dict[str, pd.DataFrame]:
        """Every catalogue layer but the lazy ones (attachment bytes: read by id)."""
        return {key: self.read_layer(key) for key in LAYERS if key not in LAZY_LAYERS}

    def import_frames(self) -> Callable[[list[str], list[str]], dict[str, pd.DataFrame]]:
        """What :func:`geodata.ingest.importer.plan_import` needs from the store: a loader of the
        layers for the ids (and parent ids) a file names — here the boundaries, the zones and every
        carrier; a backend that looks rows up by index loads only those carriers."""
        return lambda ids, parents: {k: self.read_layer(k) for k in (*IMPORT_CONTEXT, *CARRIER_LAYERS)}

    def replace_layers(self, frames: dict[str, pd.DataFrame]) -> None:
        """Replace whole layers, validated with the rest of the store, all or nothing."""
        for key in frames:
            get_layer(key)
        with self.lock():
            if set(frames) & LINKED:
                raise_if_problems(validate_frames({**self.read_all(), **frames}))
            else:  # plain tables (goals, demand pool, audit log) link to nothing: no need to read the inventory
                raise_if_problems(validate_frames(dict(frames)))
            self.write_layers(with_system_columns(frames))

    def append_rows(self, key: str, rows: pd.DataFrame) -> None:
        """Add rows to a table layer: read and write as one step under the write lock."""
        with self.lock():
            current = self.read_layer(key)
            merged = pd.concat([current, rows], ignore_index=True) if len(current) else rows.reset_index(drop=True)
            self.replace_layers({key: merged})

    def write_rows(self, layer: str, upsert: pd.DataFrame, delete_ids=(), *,
                   tables: dict[str, pd.DataFrame] | None = None,
                   expected_versions: dict[str, int | None] | None = None, checked: bool = False) -> dict[str, int]:
        """Change rows of a carrier layer by id, all or nothing, under the write lock.

        ``upsert`` rows replace the rows with the same ids (or are added); ``delete_ids`` are
        removed; ``tables`` (small tables such as the audit log) are replaced in the same
        transaction. ``expected_versions`` maps ids to the ``row_version`` the writer read (None:
        the writer believed the id did not exist): when any differs, :class:`ConflictError`
        and nothing is written. ``checked``: the rows were checked by the validator's row rules
        (an import plan's accepted rows); their links are still checked here. Returns ``{id: new row_version}``.
        """
        ids = [str(i) for i in upsert["id"]] if len(upsert) else []
        delete_ids = [str(i) for i in delete_ids]
        with self.lock():
            current = self.row_versions(layer, ids + delete_ids)
            if expected_versions:
                check_versions({str(k): v for k, v in expected_versions.items()}, current)
            upsert = upsert.copy()
            upsert[ROW_VERSION] = [current.get(i, 0) + 1 for i in ids]
            self.write_change(layer, upsert, delete_ids, dict(tables or {}), checked=checked)
        return {i: current.get(i, 0) + 1 for i in ids}

    def change_rows(self, changes: dict[str, tuple[pd.DataFrame, list]], *,
                    tables: dict[str, pd.DataFrame] | None = None,
                    expected_versions: dict[str, dict[str, int | None]] | None = None) -> dict[str, dict[str, int]]:
        """Change rows of several table layers by id (the market's tables), all or nothing, under the
        lock: ``changes`` maps a layer to ``(upsert, delete_ids)``; ``expected_versions`` maps a
        versioned layer to ``{id: version the writer read}`` (:class:`ConflictError` when any
        differs, nothing written). Returns ``{layer: {id: new row_version}}`` for versioned layers."""
        out: dict[str, dict[str, int]] = {}
        prepared: dict[str, tuple[pd.DataFrame, list[str]]] = {}
        with self.lock():
            for layer, (upsert, delete_ids) in changes.items():
                if get_layer(layer).geometry is not None:  # carriers go through write_rows (parents, ids across layers)
                    raise ValueError(f"change_rows changes table layers, not {layer!r}")
                ids = [str(i) for i in upsert["id"]] if len(upsert) else []
                delete_ids = [str(i) for i in delete_ids]
                upsert = upsert.copy()
                if layer in VERSIONED_TABLES:
                    current = self.row_versions(layer, ids + delete_ids)
                    if expected_versions and layer in expected_versions:
                        check_versions({str(k): v for k, v in expected_versions[layer].items()}, current)
                    upsert[ROW_VERSION] = [current.get(i, 0) + 1 for i in ids]
                    out[layer] = {i: current.get(i, 0) + 1 for i in ids}
                prepared[layer] = (upsert, delete_ids)
            self.write_row_changes(prepared, dict(tables or {}))
        return out


    def validate_change(self, layer: str, upsert: pd.DataFrame, delete_ids: list[str],
                        tables: dict[str, pd.DataFrame], *, checked: bool = False) -> None:
        """A change to carrier ``layer`` checked without reading every carrier: the rows themselves
        (with the zone layers, so zone ids are checked), then their links by id lookups (parents,
        ids of other layers; for deletions, children, ledger entries and rows of the market that
        still name a deleted carrier)."""
        from spatial.errors import Problem
        from spatial.zone_placement import ZONE_LAYERS

        zones = {k: self.read_layer(k) for k in ("district", "shenzhen_districts", *ZONE_LAYERS)}
        found = [p for p in validate_frames({**zones, layer: upsert, **tables}, checked=(layer,) if checked else ())
                 if p.message not in ("parent carrier does not exist", "carrier does not exist")]
        ids = set(map(str, upsert["id"])) if len(upsert) else set()
        parent_ids = upsert.get("parent_id", pd.Series([None] * len(upsert), dtype=object))
        parents = {str(p) for p in parent_ids.dropna() if str(p) not in ids}
        present = self._existing_ids(sorted(parents)) if parents else set()
        for fid, parent in zip(upsert["id"], parent_ids):
            if parent is not None and parent == parent and str(parent) not in ids | present - set(delete_ids):
                found.append(Problem(layer, fid, "parent_id", parent, "parent carrier does not exist"))
        others = [k for k in CARRIER_LAYERS if k != layer]
        for fid in sorted(self._existing_ids(sorted(ids), others)) if ids else []:
            found.append(Problem("carriers", fid, "id", fid, "duplicate id across layers"))
        if delete_ids:
            gone = set(delete_ids)
            ledger = tables.get("incubation_ledger", self.read_layer("incubation_ledger"))
            found += [Problem("incubation_ledger", eid, "carrier_id", cid, "carrier does not exist")
                      for eid, cid in zip(ledger["id"], ledger["carrier_id"]) if cid is not None and str(cid) in gone]
            found += [Problem(layer, fid, "parent_id", parent, "parent carrier does not exist")
                      for fid, parent in self._children_of(delete_ids) if fid not in gone]
            found += self.dangling({layer: (upsert.iloc[:0], delete_ids)})
        raise_if_problems(found)

    def _existing_ids(self, ids: list[str], layers=CARRIER_LAYERS) -> set[str]:
        """Which of ``ids`` name a carrier in ``layers`` (a backend answers by index lookups)."""
        return {str(i) for k in layers for i in self.read_layer(k, ids=ids)["id"]}

    def _children_of(self, ids: list[str]) -> list[tuple[str, str]]:
        """(id, parent_id) of carriers whose parent is one of ``ids``."""
        wanted, out = set(map(str, ids)), []
        for layer in (self.read_layer(key) for key in CARRIER_LAYERS):
            out += [(str(i), str(p)) for i, p in zip(layer["id"], layer["parent_id"]) if p is not None and str(p) in wanted]
        return out

    def dangling(self, changes: dict[str, tuple[pd.DataFrame, list]]) -> list:
        """Problems for rows left naming a row the change deletes (an attachment of a deleted unit, an
        event of a deleted enquiry), unless the change deletes them too."""
        from spatial.errors import Problem

        problems = []
        for layer, (_, delete_ids) in changes.items():
            if not delete_ids:
                continue
            for referrer, links in LINK_TARGETS.items():
                for column, target in links:
                    if target != layer and not (target == "carriers" and layer in CARRIER_LAYERS):
                        continue
                    rows = self.read_layer(referrer)
                    also = set(changes.get(referrer, (None, []))[1])
                    hit = rows.loc[rows[column].astype(str).isin(set(delete_ids)) & ~rows["id"].astype(str).isin(also)]
                    problems += [Problem(referrer, fid, column, value, f"{layer} {value} is still named here")
                                 for fid, value in zip(hit["id"], hit[column])]
        return problems

    def known_links(self, changes: dict[str, tuple[pd.DataFrame, list]]) -> dict[str, set[str]]:
        """The ids the changed rows link to that exist (carriers of units and leases, units of
        attachments, enquiries of events), looked up by id, with the ids the change itself adds."""
        wanted: dict[str, set[str]] = {}
        for layer, (upsert, _) in changes.items():
            for column, target in LINK_TARGETS.get(layer, ()):
                if column in upsert.columns and len(upsert):
                    wanted.setdefault(target, set()).update(str(v) for v in upsert[column].dropna())
        known: dict[str, set[str]] = {}
        for target, ids in wanted.items():
            layers = CARRIER_LAYERS if target == "carriers" else (target,)
            known[target] = {str(i) for key in layers for i in self.read_layer(key, ids=sorted(ids))["id"]}
            if target in changes and len(changes[target][0]):
                known[target] |= set(map(str, changes[target][0]["id"]))
        return known

    def layer_stamps(self, keys) -> dict[str, tuple | None]:
        """``{layer: fingerprint}``, changed by any write of a layer's rows (:mod:`geodata.storage.stamps`)."""
        raise NotSupported(f"{self.kind} store cannot tell which layers changed")

    def row_stamps(self, key: str) -> pd.DataFrame:
        """``id``, ``row_version`` and ``fid`` of every row of versioned layer ``key``, without the rows."""
        raise NotSupported(f"{self.kind} store cannot tell which rows changed")


IMPORT_CONTEXT = ("district", "shenzhen_districts", "subdistricts", "clusters", "hetao")
"""The layers an import of carriers checks its rows against besides the carriers: the boundaries and the zones."""


def with_system_columns(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``frames`` with the store's system columns (a carrier row starts at version 1)."""
    out = {}
    for key, frame in frames.items():
        if (key in CARRIER_LAYERS or key in VERSIONED_TABLES) and ROW_VERSION not in frame.columns:
            frame = frame.copy()
            frame[ROW_VERSION] = 1
        out[key] = frame
    return out


def restore_types(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """A layer read from either backend typed as the catalogue says (booleans, text, versions, empty geometries)."""
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


def check_versions(expected: dict[str, int | None], current: dict[str, int]) -> None:
    """:class:`ConflictError` when a row's current version is not the one the writer read."""
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
