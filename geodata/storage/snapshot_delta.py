"""A reader's copy of the store, kept current by reading only what changed.

An app process keeps one copy of the inventory (every layer :meth:`Store.read_all` reads). When the
store's revision changes (a write by this or another process) the copy is brought up to date:

1. the store's metadata and each layer's *stamp* (a fingerprint a write always changes, see
   :mod:`geodata.storage.stamps`) are read; a layer whose stamp is unchanged is kept as it is (the
   same frame object);
2. a changed versioned layer (the carriers, units, enquiries, enterprises) has its row stamps read
   (``id``, ``row_version``, ``fid``: three small columns) and compared with the copy's; only the
   rows added or changed are read (``read_layer(key, ids=...)``), the deleted ones dropped, and the
   rest kept, in the store's order (a changed row is written anew, at the end of its table);
3. a changed layer without versions (small tables: the ledger, the audit log, accounts) is read whole;
4. a change of the store's metadata (a migration, a rebuild, newer bundled files) reads everything.

Stamps are read before the rows: a write landing between the two is seen by the next refresh, never
lost. A backend that cannot stamp (:class:`NotSupported`) is read whole each time. Rows are edited
through row changes (``write_rows``, ``change_rows``), which give each row written a new version and a
new ``fid``; a whole versioned layer replaced (``replace_layers``: builders, benchmarks) with other
contents under the same ids, versions and ``fid`` values would not be seen: such a layer is rebuilt, not edited.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geodata.storage.base import NotSupported, Store
from layers.catalogue import CARRIER_LAYERS, LAYERS, get_layer
from layers.market_catalogue import LAZY_LAYERS, VERSIONED_TABLES

COPIED = tuple(k for k in LAYERS if k not in LAZY_LAYERS)
"""The layers a copy holds (what :meth:`Store.read_all` reads)."""
VERSIONED = (*CARRIER_LAYERS, *VERSIONED_TABLES)
"""Layers whose rows carry a ``row_version``: refreshed row by row."""
PER_WRITE_META = ("revision",)
"""Metadata keys every write changes (not a change of the store's shape)."""


@dataclass(frozen=True)
class StoreCopy:
    """A reader's copy: ``frames`` (read-only, shared), the ``meta`` and the stamps they were read at."""

    frames: dict[str, pd.DataFrame]
    meta: dict[str, str]
    stamps: dict[str, tuple | None] | None
    rows: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Changes:
    """What a refresh read: per changed layer ``(added or changed ids, deleted ids)``, or None when
    the layer was read whole; ``full`` when everything was read again; ``rows_read`` in all."""

    full: bool
    layers: dict[str, tuple[list[str], list[str]] | None]
    rows_read: int


def _meta(store: Store) -> dict[str, str]:
    return {k: v for k, v in store.read_meta().items() if k not in PER_WRITE_META}


def load(store: Store) -> StoreCopy:
    """A new copy of every layer, with the stamps read first."""
    meta = _meta(store)
    try:
        stamps = store.layer_stamps(COPIED)
        rows = {k: store.row_stamps(k) for k in VERSIONED if stamps.get(k) is not None}
    except NotSupported:
        stamps, rows = None, {}
    return StoreCopy(store.read_all(), meta, stamps, rows)


def refresh(store: Store, copy: StoreCopy) -> tuple[StoreCopy, Changes]:
    """``copy`` brought up to date with ``store``, reading only what changed; and what was read."""
    meta = _meta(store)
    stamps = None
    if copy.stamps is not None and meta == copy.meta:
        try:
            stamps = store.layer_stamps(COPIED)
        except NotSupported:
            pass
    if stamps is None:
        fresh = load(store)
        return fresh, Changes(True, {k: None for k in COPIED}, sum(len(f) for f in fresh.frames.values()))
    frames, rows, changes, read = dict(copy.frames), dict(copy.rows), {}, 0
    for key in COPIED:
        if stamps.get(key) == copy.stamps.get(key) and key in frames:
            continue
        if key in rows and stamps.get(key) is not None:
            rows[key] = store.row_stamps(key)
            patched = _patch(store, key, frames[key], copy.rows[key], rows[key])
            if patched is not None:
                frames[key], what, n = patched
                if what != ([], []):  # a layer written with the same rows (rewritten as it was) is no change
                    changes[key] = what
                read += n
                continue
        frames[key] = store.read_layer(key)
        changes[key] = None
        read += len(frames[key])
    return StoreCopy(frames, meta, stamps, rows), Changes(False, changes, read)


def _patch(store: Store, key: str, frame: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame):
    """``(frame with the changed rows read again and the deleted ones dropped, (changed, deleted), rows
    read)``; None when the layer is better read whole (ids not unique, most rows changed)."""
    held, was, now = _ids(frame["id"]), _ids(old["id"]), _ids(new["id"])
    if not (held.is_unique and was.is_unique and now.is_unique):
        return None
    stamp = [c for c in new.columns if c != "id"]
    differs = (old[stamp].set_axis(was).reindex(now).to_numpy() != new[stamp].to_numpy()).any(axis=1)
    changed = sorted(now[differs | ~now.isin(held)])
    deleted = sorted(was.union(held).difference(now))
    if len(changed) > max(2_000, len(new) // 2):
        return None
    if not changed and not deleted:
        return frame, ([], []), 0
    keep = frame.loc[~held.isin([*changed, *deleted])]
    fresh = store.read_layer(key, ids=changed) if changed else keep.iloc[:0]
    if not len(keep):
        out = fresh.reset_index(drop=True)
    elif not len(fresh):
        out = keep.reset_index(drop=True)
    else:
        out = pd.concat([keep, fresh], ignore_index=True)
    if get_layer(key).geometry is not None:
        out = gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs)
    return out, (changed, deleted), len(fresh)


def _ids(values: pd.Series) -> pd.Index:
    """Ids as an index of Python strings (object dtype: fast to look up, unlike Arrow strings)."""
    if values.dtype == object and all(isinstance(v, str) for v in values.iloc[:100]):
        return pd.Index(values.to_numpy(), dtype=object)
    return pd.Index([str(i) for i in values], dtype=object)
