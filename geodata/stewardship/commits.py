"""Write to the store safely: one writer at a time, a backup before each commit, an audit
entry with a reversible change set for every import and edit, and undo of the last one.

All writes go through :meth:`geodata.storage.base.Store.write_rows` for carrier layers and
:meth:`~geodata.storage.base.Store.change_rows` for table layers (the market's units and
enterprises) — validated, all or nothing: a file rewrite renamed into place, or one database
transaction — inside the store's lock (one writer at a time across processes: the second waits,
then fails with "store busy, try again"). Rows carry versions: an import or correction prepared
from rows somebody else has changed since gets :class:`ConflictError` instead of overwriting their work.

A change set is ``{"layer", "ids", "before": {id: row as it was}}`` (the ids not in ``before`` were
added), with ``"also": {layer: {"ids", "before"}}`` for the other table layers one change wrote
(an attachment's list entry and its bytes); undo restores every ``before`` row and removes the others.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.ingest.importer import ImportPlan
from geodata.ingest.schema import coerce_frame, is_blank
from geodata.stewardship.audit import audit_row, check_who
from geodata.storage import KEEP_BACKUPS, ConflictError, Store, StoreBusyError, open_store, store_lock
from layers.catalogue import AREA_FIELDS, as_of_field, get_layer, qualifier_field
from spatial.crs import WGS84
from spatial.errors import SpaceMapError

__all__ = ["StoreBusyError", "ConflictError", "store_lock", "backup_store", "commit_import", "edit_fields", "undo_last",
           "audit_entries", "list_backups", "table_rows", "UNDOABLE"]

ROW_VERSION = "row_version"
UNDOABLE = ("import", "edit", "attach", "detach", "place")
"""Audit actions :func:`undo_last` reverses (goals and the demand pool: :mod:`geodata.stewardship.audit`)."""


def backup_store(path, *, keep: int = KEEP_BACKUPS) -> Path | None:
    """Copy the store aside before a commit (a GeoPackage to ``backups/`` beside it, the last
    ``keep`` kept); None where the store keeps its own backups (a database: pg_dump, PITR)."""
    return open_store(path).backup(keep=keep)


def list_backups(path) -> list[Path]:
    """The backups :func:`backup_store` made, oldest first."""
    return open_store(path).list_backups()


def _rows(frame: gpd.GeoDataFrame, ids) -> dict[str, dict]:
    wanted = set(ids)
    out = {}
    for rec, geom in zip(frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry):
        if str(rec["id"]) in wanted:
            clean = {k: (None if is_blank(v) else (v.item() if hasattr(v, "item") else v)) for k, v in rec.items()}
            clean["geometry"] = None if geom is None else shapely.to_wkt(geom, rounding_precision=9)
            out[str(rec["id"])] = clean
    return out


def table_rows(frame: pd.DataFrame, ids) -> dict[str, dict]:
    """Rows of a table layer (no geometry) whose id is in ``ids``, as JSON-ready dicts by id (no row version)."""
    wanted = set(map(str, ids))
    return {str(rec["id"]): {k: (None if is_blank(v) else (v.item() if hasattr(v, "item") else v))
                             for k, v in rec.items() if k != ROW_VERSION}
            for rec in frame.to_dict("records") if str(rec["id"]) in wanted}


def _table_frame(rows: list[dict], layer: str) -> pd.DataFrame:
    """A table layer's rows from a change set, typed (every catalogue column, even with no rows)."""
    typed, _ = coerce_frame(pd.DataFrame([{k: v for k, v in r.items() if k != ROW_VERSION} for r in rows]),
                            get_layer(layer))
    return typed


def _find_carrier(carrier_id: str, store: Store) -> tuple[str, gpd.GeoDataFrame]:
    from layers.catalogue import CARRIER_LAYERS

    for key in CARRIER_LAYERS:
        rows = store.read_layer(key, ids=[carrier_id])
        if (rows["id"].astype(str) == carrier_id).any():
            return key, rows
    raise SpaceMapError(f"no carrier with id {carrier_id!r}")


def _frame_from_rows(rows: list[dict], layer: str) -> gpd.GeoDataFrame:
    geoms = [None if r.get("geometry") is None else shapely.from_wkt(r["geometry"]) for r in rows]
    attrs = pd.DataFrame([{k: v for k, v in r.items() if k != "geometry"} for r in rows])
    typed, _ = coerce_frame(gpd.GeoDataFrame(attrs, geometry=geoms, crs=WGS84), get_layer(layer))
    return gpd.GeoDataFrame(typed, geometry="geometry", crs=WGS84)


def commit_import(plan: ImportPlan, *, who: str, path: Path | None = None) -> dict:
    """Write the plan's accepted rows (new ids added, existing ids replaced) in one transaction,
    with a backup first and an audit entry holding the rows as they were (for undo) and the
    field changes the plan showed.

    An accepted row of an existing id is already the stored row with the file's fields applied
    (see :func:`geodata.ingest.importer.plan_import`): fields the file did not carry are written
    back as they were when the plan was made, and the row versions make sure nobody changed the
    row since.

    Raises
    ------
    StoreBusyError
        Another writer holds the store.
    ConflictError
        Somebody changed (or added) one of the plan's rows since the plan was made; nothing is written.
    ValidationError
        The rows no longer fit the store (it changed since the plan); nothing is written.
    """
    who = check_who(who)
    store = open_store(path)
    table = get_layer(plan.layer).geometry is None
    with store.lock():
        ids = [str(i) for i in plan.accepted["id"]]
        current = store.read_layer(plan.layer, ids=ids)
        before = table_rows(current, ids) if table else _rows(current, ids)
        changes = {"layer": plan.layer, "ids": ids, "before": before, "diff": plan.updated}
        if plan.also:
            changes["also"] = {key: {"ids": list(map(str, rows["id"])),
                                     "before": table_rows(store.read_layer(key, ids=list(map(str, rows["id"]))),
                                                          list(map(str, rows["id"])))}
                               for key, rows in plan.also.items()}
        audit = audit_row(store.read_layer("audit_log"), who=who, action="import", layer=plan.layer,
                           file_name=plan.file_name, sha256=plan.sha256, accepted=len(ids),
                           rejected=len({r.row for r in plan.rejected}), added=len(ids) - len(before),
                           updated=len(before), changes=json.dumps(changes, ensure_ascii=False, default=str))
        saved = store.backup()
        if table:
            expected = ({plan.layer: plan.base_versions} if plan.base_versions else {}) | plan.also_base
            store.change_rows({**{key: (rows, []) for key, rows in plan.also.items()}, plan.layer: (plan.accepted, [])},
                              tables={"audit_log": audit}, expected_versions=expected or None)
        else:
            store.write_rows(plan.layer, plan.accepted, tables={"audit_log": audit},  # rows checked by the plan
                             expected_versions=plan.base_versions or None, checked=True)
    return {"committed": True, "audit_id": audit["id"].iloc[-1], "backup": None if saved is None else str(saved),
            "added": len(ids) - len(before), "updated": len(before)}


def edit_fields(carrier_id: str, values: dict, *, reason: str, who: str, path: Path | None = None,
                expected_version: int | None = None) -> dict:
    """Correct fields of one carrier (a figure together with its source), with a reason;
    audited and undoable like an import. ``expected_version``: the carrier's ``row_version``
    when the editor opened it (the form passes it); a different current version is a conflict.

    Raises
    ------
    ConflictError
        Somebody changed the carrier since the editor opened it; nothing is written.
    SpaceMapError
        Unknown carrier or field, blank reason, or a value of the wrong type.
    ValidationError
        The corrected carrier would break a rule (e.g. a figure without a source).
    """
    from layers.catalogue import CARRIER_FIELDS

    if not str(reason or "").strip():
        raise SpaceMapError("give a reason for the correction")
    who = check_who(who)
    names = {f.name for f in CARRIER_FIELDS} - {"id", "layer"}
    if not values:
        raise SpaceMapError("nothing to correct")
    for field in values:
        if field not in names:
            raise SpaceMapError(f"unknown field {field!r}: use one of {', '.join(sorted(names))}")
    for field in [f for f in AREA_FIELDS if f in values]:  # a corrected figure is as the editor states it
        values = {**values, **{k: None for k in (qualifier_field(field), as_of_field(field)) if k not in values}}
    store = open_store(path)
    with store.lock():
        layer, current = _find_carrier(carrier_id, store)
        current = current.loc[current["id"].astype(str) == carrier_id].reset_index(drop=True)
        before = _rows(current, [carrier_id])
        edited = current.copy()
        mask = edited["id"].astype(str) == carrier_id
        for field, value in values.items():
            edited[field] = edited[field].astype(object)
            edited.loc[mask, field] = None if is_blank(value) else value
        typed, problems = coerce_frame(edited, get_layer(layer))
        if problems:
            p = problems[0]
            raise SpaceMapError(f"{p.field}: {p.message} (value: {p.value!r})")
        diff = [{"field": f, "old": before[carrier_id].get(f), "new": None if is_blank(v) else v}
                for f, v in values.items()]
        diff = [d for d in diff if not (d["old"] is None and d["new"] is None)]  # no "unknown → unknown" lines
        changes = {"layer": layer, "ids": [carrier_id], "before": before, "diff": diff}
        audit = audit_row(store.read_layer("audit_log"), who=who, action="edit", layer=layer,
                           reason=reason.strip(), accepted=1, rejected=0, added=0, updated=1,
                           changes=json.dumps(changes, ensure_ascii=False, default=str))
        store.backup()
        expected = None if expected_version is None else {carrier_id: int(expected_version)}
        versions = store.write_rows(layer, gpd.GeoDataFrame(typed, geometry="geometry", crs=WGS84),
                                    tables={"audit_log": audit}, expected_versions=expected)
    return {"audit_id": audit["id"].iloc[-1], "layer": layer, "changes": diff, "row_version": versions[carrier_id]}


def undo_last(*, who: str, path: Path | None = None, layers=None) -> dict:
    """Reverse the most recent import, edit or attachment change not yet undone (only of ``layers``
    when given), from its change set: rows it changed restored, rows it added removed."""
    who = check_who(who)
    store = open_store(path)
    with store.lock():
        audit = store.read_layer("audit_log")
        open_entries = audit.loc[audit["action"].isin(UNDOABLE) & audit["undone_by"].map(is_blank)]
        if layers is not None:
            open_entries = open_entries.loc[open_entries["layer"].isin(list(layers))]
        if not len(open_entries):
            raise SpaceMapError("nothing to undo")
        entry = open_entries.iloc[-1]
        changes = json.loads(entry["changes"])
        layer = changes["layer"]
        parts = {layer: changes, **changes.get("also", {})}
        undo_changes = {"undoes": entry["id"]}
        audit = audit_row(audit, who=who, action="undo", layer=layer,
                           file_name=entry.get("file_name"), sha256=entry.get("sha256"),
                           reason=f"undo of {entry['id']}", changes=json.dumps(undo_changes))
        audit.loc[audit["id"] == entry["id"], "undone_by"] = audit["id"].iloc[-1]
        store.backup()
        restored_rows = list(changes["before"].values())
        if get_layer(layer).geometry is None:
            store.change_rows({key: (_table_frame(list(part["before"].values()), key),
                                     [i for i in part["ids"] if i not in part["before"]]) for key, part in parts.items()},
                              tables={"audit_log": audit})
        else:
            removed = [i for i in changes["ids"] if i not in changes["before"]]
            store.write_rows(layer, _frame_from_rows(restored_rows, layer), removed, tables={"audit_log": audit})
    return {"undone": entry["id"], "action": entry["action"], "layer": layer, "removed": len(changes["ids"]) -
            len(restored_rows), "restored": len(restored_rows)}


def audit_entries(path: Path | None = None) -> list[dict]:
    """The audit log, newest last (change sets left out: see the store for them)."""
    audit = open_store(path).read_layer("audit_log")
    cols = [c for c in audit.columns if c != "changes"]
    counts = ("accepted", "rejected", "added", "updated")
    return [{k: (None if is_blank(v) else int(v) if k in counts else (v.item() if hasattr(v, "item") else v))
             for k, v in r.items()} for r in audit[cols].to_dict("records")]
