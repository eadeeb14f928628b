"""The market's space units in the hands of the people who keep them: imports of units and
enterprises by an account (an operator only for its own carriers, editors and admins for any;
staff never), corrections of one unit, and its photos and floor plans.

Every write is one :meth:`~geodata.storage.base.Store.change_rows` call with its audit entry;
corrections and attachment changes are undone by :func:`geodata.stewardship.commits.undo_last`
(an attachment change alone by :func:`undo_attachment_change`). Attachments are checked by their
content, not their name: PNG and JPEG photos and PDF floor plans, nothing that a browser could
run as a page (HTML, SVG, XML); the bytes are kept apart from the list and read one at a time.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

import settings
from geodata.ingest.importer import ImportPlan
from geodata.ingest.schema import coerce_frame, is_blank
from geodata.ingest.table_import import TABLE_IMPORT_LAYERS, normalised, plan_table_import, table_row_problems
from geodata.ingest.validate import validate_layer
from geodata.stewardship.accounts import OPERATOR, account as find_account, allows, may_edit_units_of
from geodata.stewardship.audit import audit_row, check_who
from geodata.stewardship.commits import table_rows, undo_last
from geodata.storage import open_store
from layers.catalogue import CARRIER_LAYERS, get_layer
from layers.market_catalogue import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from spatial.errors import SpaceMapError

__all__ = ["IMPORT_ROLES", "MIME_TYPES", "MAX_FILE_NAME_CHARS", "acting_account", "plan_market_import", "edit_unit",
           "set_unit_status", "clean_file_name", "sniff", "add_attachment", "remove_attachment",
           "undo_attachment_change", "attachments_of", "read_attachment"]

IMPORT_ROLES = {"units": OPERATOR, "enterprises": "editor"}
"""The least role that may import each table (an operator: the units of its own carriers)."""
MIME_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".pdf": "application/pdf"}
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "application/pdf": b"%PDF-"}
KIND = {"image/png": "PNG image", "image/jpeg": "JPEG image", "application/pdf": "PDF document"}
MAX_FILE_NAME_CHARS = 120
EDITABLE = tuple(f for f in get_layer("units").field_names if f not in ("id", "synthetic"))
PUBLIC_ATTACHMENT_FIELDS = ("id", "unit_id", "file_name", "mime", "size_bytes")


def acting_account(name, *, needed: str = OPERATOR, what: str = "change units", location=None) -> dict:
    """The enabled account called ``name`` when its role may do what ``needed`` may; else
    :class:`SpaceMapError` saying why (no such account, disabled, or a role that may not)."""
    if is_blank(name):
        raise SpaceMapError(f"say which account does this (--by NAME): to {what}, an account of the store is needed")
    found = find_account(str(name).strip(), location)
    if found is None:
        raise SpaceMapError(f"no enabled account {str(name).strip()!r} in the store: to {what}, an account of the "
                            "store is needed (python cli.py user add)")
    if not allows(found["role"], needed):
        who = "an operator (its own carriers), an editor or an admin" if needed == OPERATOR else "an editor or an admin"
        raise SpaceMapError(f"account {found['name']} is {found['role']}: it may not {what}; that takes {who}")
    return found


def _carrier_check(account: dict):
    """Why ``account`` may not write a unit of carrier ``new`` that was of carrier ``old`` (None: it may)."""
    def check(old: str | None, new: str) -> str | None:
        for carrier in dict.fromkeys(c for c in (old, new) if c is not None):
            if not may_edit_units_of(account, carrier):
                return f"account {account['name']} ({account['role']}) may not change the units of carrier {carrier}"
        if account["role"] == OPERATOR and old is not None and old != new:
            return f"an operator may not move a unit to another carrier (it is of {old})"
        return None
    return check


def _carrier_frames(store, ids=None) -> dict[str, pd.DataFrame]:
    return {k: store.read_layer(k, ids=ids) if ids is not None else store.read_layer(k) for k in CARRIER_LAYERS}


def plan_market_import(path: Path, layer: str, *, by: str, location=None, mapping_file: Path | None = None,
                       blank_clears: bool = False) -> ImportPlan:
    """Plan an import of ``units`` or ``enterprises`` made by the account called ``by`` (see
    :func:`geodata.ingest.table_import.plan_table_import`): staff may not import; an operator only
    units, and each row of a carrier it does not run is rejected with the reason."""
    if layer not in TABLE_IMPORT_LAYERS:
        raise SpaceMapError(f"plan_market_import takes {', '.join(TABLE_IMPORT_LAYERS)} (got {layer!r})")
    account = acting_account(by, needed=IMPORT_ROLES[layer], what=f"import {layer}", location=location)
    store = open_store(location)
    frames = {layer: store.read_layer(layer), **(_carrier_frames(store) if layer == "units" else {})}
    return plan_table_import(path, layer, frames, today=settings.today(), mapping_file=mapping_file,
                             blank_clears=blank_clears, carrier_check=_carrier_check(account))


def _unit(store, unit_id: str) -> pd.DataFrame:
    rows = store.read_layer("units", ids=[str(unit_id)])
    if not len(rows):
        raise SpaceMapError(f"no unit {unit_id!r}")
    return rows.reset_index(drop=True)


def _require(account: dict | None, carrier_id: str) -> None:
    if account is not None and not may_edit_units_of(account, carrier_id):
        raise SpaceMapError(f"account {account.get('name')} ({account.get('role')}) may not change the units of "
                            f"carrier {carrier_id}")


def _checked_values(unit_id: str, values: dict, account: dict | None, old_carrier: str) -> dict:
    """``values`` when every field may be set by ``account``; :class:`SpaceMapError` otherwise."""
    if not values:
        raise SpaceMapError("nothing to change")
    for field in values:
        if field == "id":
            raise SpaceMapError(f"a unit's id cannot be changed ({unit_id})")
        if field not in EDITABLE:
            raise SpaceMapError(f"unknown field {field!r}: use one of {', '.join(EDITABLE)}")
    _require(account, old_carrier)
    new_carrier = values.get("carrier_id")
    if new_carrier is not None and str(new_carrier) != old_carrier:
        if account is not None and account.get("role") == OPERATOR:
            raise SpaceMapError(f"an operator may not move a unit to another carrier ({unit_id} is of {old_carrier})")
        _require(account, str(new_carrier))
    return values


def edit_unit(unit_id: str, values: dict, *, reason: str, who: str, account: dict | None = None,
              expected_version: int | None = None, location=None) -> dict:
    """Correct fields of one unit with a reason; audited (``edit`` of ``units``) and undoable.
    ``account``: who is acting (an operator only on its own carriers' units and never moving one;
    None: not checked). ``expected_version``: the ``row_version`` the editor read.

    Raises
    ------
    ConflictError
        Somebody changed the unit since the editor read it; nothing is written.
    SpaceMapError
        No such unit, an unknown field, the id, a carrier the account may not change, a wrong value.
    """
    if not str(reason or "").strip():
        raise SpaceMapError("give a reason for the correction")
    who = check_who(who)
    store = open_store(location)
    with store.lock():
        current = _unit(store, unit_id)
        _checked_values(unit_id, values, account, str(current["carrier_id"].iloc[0]))
        before = table_rows(current, [unit_id])
        edited = current.drop(columns=["row_version"], errors="ignore").astype(object)
        for field, value in values.items():
            edited.loc[0, field] = None if is_blank(value) else value
        typed = _typed_unit(store, normalised(edited[list(get_layer("units").field_names)], "units"))
        diff = [{"field": f, "old": before[unit_id].get(f), "new": table_rows(typed, [unit_id])[unit_id].get(f)}
                for f in values]
        diff = [d for d in diff if d["old"] != d["new"]]
        changes = {"layer": "units", "ids": [unit_id], "before": before, "diff": diff}
        audit = audit_row(store.read_layer("audit_log"), who=who, action="edit", layer="units", reason=reason.strip(),
                          accepted=1, rejected=0, added=0, updated=1,
                          changes=json.dumps(changes, ensure_ascii=False, default=str))
        store.backup()
        expected = None if expected_version is None else {"units": {unit_id: int(expected_version)}}
        versions = store.change_rows({"units": (typed, [])}, tables={"audit_log": audit}, expected_versions=expected)
    return {"id": unit_id, "audit_id": str(audit["id"].iloc[-1]), "changes": diff,
            "row_version": versions["units"][unit_id]}


def _typed_unit(store, edited: pd.DataFrame) -> pd.DataFrame:
    """The edited unit typed; :class:`SpaceMapError` with the first rule it breaks."""
    spec = get_layer("units")
    typed, problems = coerce_frame(edited, spec)
    problems += validate_layer(typed, spec)
    carrier = str(typed["carrier_id"].iloc[0])
    known = {str(i) for frame in _carrier_frames(store, [carrier]).values() for i in frame["id"]}
    extra = table_row_problems(typed, "units", today=settings.today(), carrier_ids=known)
    found = [(p.field, p.message, p.value) for p in problems] + [(f, why, v) for _, f, v, why in extra]
    if found:
        field, message, value = found[0]
        raise SpaceMapError(f"{field}: {message} (value: {value!r})")
    return typed


def set_unit_status(unit_id: str, status: str, *, who: str, reason: str = "status changed",
                    account: dict | None = None, expected_version: int | None = None,
                    verified_on: str | None = None, location=None) -> dict:
    """Set a unit's status (available, reserved, let, withdrawn; labels accepted), with the date it
    was verified when given: :func:`edit_unit` with those fields."""
    values = {"status": status, **({"verified_on": verified_on} if verified_on else {})}
    return edit_unit(unit_id, values, reason=reason, who=who, account=account, expected_version=expected_version,
                     location=location)


def clean_file_name(name) -> str:
    """The file name as kept: its last path part, without control, bidi or other format characters,
    characters no file system takes (``<>:"|?*``) replaced by ``_``, at most 120 characters (the
    extension kept). :class:`SpaceMapError` when nothing usable is left."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = re.sub(r'[<>:"|?*]', "_", base).strip()
    if base.strip(".") == "":
        raise SpaceMapError(f"not a usable file name: {str(name)[:60]!r}")
    if len(base) > MAX_FILE_NAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 10 else ""
        base = (stem if ext else base)[:MAX_FILE_NAME_CHARS - len(ext)] + ext
    return base


def sniff(data: bytes) -> str | None:
    """The type the bytes are, by their first bytes: ``image/png``, ``image/jpeg``, ``application/pdf`` or None."""
    return next((mime for mime, magic in MAGIC.items() if data.startswith(magic)), None)


def _content_problem(file_name: str, data: bytes) -> tuple[str | None, str | None]:
    """``(mime, None)`` when the name's extension and the content agree on an accepted type, else ``(None, why)``."""
    ext = Path(file_name).suffix.lower()
    if ext not in MIME_TYPES:
        return None, (f"only photos (.png, .jpg, .jpeg) and floor plans (.pdf) are accepted; "
                      f"{file_name} is {ext or 'without an extension'}")
    if not data:
        return None, f"{file_name} is empty"
    if len(data) > MAX_ATTACHMENT_BYTES:
        return None, (f"{file_name} is {len(data):,} bytes; the limit is {MAX_ATTACHMENT_BYTES:,} bytes "
                      f"({MAX_ATTACHMENT_BYTES // 2**20} MB)")
    found = sniff(data)
    if found is None:
        markup = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        return None, (f"{file_name} is markup (HTML, SVG or XML), which is never accepted" if markup else
                      f"the content of {file_name} is not a PNG, JPEG or PDF file")
    if found != MIME_TYPES[ext]:
        return None, f"the content of {file_name} is a {KIND[found]} but its name says {KIND[MIME_TYPES[ext]]} ({ext})"
    return found, None


def _next_attachment_id(listed: pd.DataFrame) -> str:
    numbers = [int(m.group(1)) for i in listed["id"] if (m := re.fullmatch(r"att-(\d+)", str(i)))]
    return f"att-{max(numbers, default=0) + 1:06d}"


def add_attachment(unit_id: str, file_name: str, data: bytes, *, who: str, account: dict | None = None,
                   location=None) -> dict:
    """Attach a photo (PNG, JPEG) or floor plan (PDF) to a unit: checked by its content (the name's
    extension must agree), at most :data:`MAX_ATTACHMENT_BYTES`, at most :data:`MAX_ATTACHMENTS` live
    ones per unit, the name cleaned (:func:`clean_file_name`), the SHA-256 recorded; the list entry and
    the bytes written with an audit entry (``attach``) in one change, undoable.

    Returns ``{"id", "unit_id", "file_name", "mime", "size_bytes", "sha256", "audit_id"}``;
    :class:`SpaceMapError` for a refused file (with the reason), an unknown unit, or an account that
    may not change the unit's carrier."""
    who, name = check_who(who), clean_file_name(file_name)
    data = bytes(data)
    mime, why = _content_problem(name, data)
    if why:
        raise SpaceMapError(why)
    store = open_store(location)
    with store.lock():
        unit = _unit(store, unit_id)
        _require(account, str(unit["carrier_id"].iloc[0]))
        listed = store.read_layer("unit_attachments")
        live = listed.loc[(listed["unit_id"].astype(str) == unit_id) & ~listed["removed"].fillna(False).astype(bool)]
        if len(live) >= MAX_ATTACHMENTS:
            raise SpaceMapError(f"unit {unit_id} has {len(live)} attachments, the most it may have; remove one first")
        digest = hashlib.sha256(data).hexdigest()
        if digest in set(live["sha256"]):
            same = live.loc[live["sha256"] == digest, "id"].iloc[0]
            raise SpaceMapError(f"unit {unit_id} already has this file (attachment {same})")
        aid = _next_attachment_id(listed)
        row = {"id": aid, "unit_id": unit_id, "file_name": name, "mime": mime, "size_bytes": len(data),
               "sha256": digest, "added_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "added_by": who, "removed": False}
        blob = pd.DataFrame([{"id": aid, "content_b64": base64.b64encode(data).decode("ascii")}])
        changes = {"layer": "unit_attachments", "ids": [aid], "before": {},
                   "also": {"attachment_blobs": {"ids": [aid], "before": {}}}}
        audit = audit_row(store.read_layer("audit_log"), who=who, action="attach", layer="unit_attachments",
                          file_name=name, sha256=digest, added=1, reason=f"attach to {unit_id}",
                          changes=json.dumps(changes, ensure_ascii=False))
        store.change_rows({"unit_attachments": (_typed_attachment(row), []), "attachment_blobs": (blob, [])},
                          tables={"audit_log": audit})
    keep = ("id", "unit_id", "file_name", "mime", "size_bytes", "sha256")
    return {**{k: row[k] for k in keep}, "audit_id": str(audit["id"].iloc[-1])}


def _typed_attachment(row: dict) -> pd.DataFrame:
    typed, _ = coerce_frame(pd.DataFrame([row]), get_layer("unit_attachments"))
    return typed


def remove_attachment(attachment_id: str, *, who: str, account: dict | None = None, reason: str | None = None,
                      location=None) -> dict:
    """Mark an attachment removed (its bytes are kept, so :func:`undo_attachment_change` or
    :func:`geodata.stewardship.commits.undo_last` brings it back); audited as ``detach``."""
    who = check_who(who)
    store = open_store(location)
    with store.lock():
        found = store.read_layer("unit_attachments", ids=[attachment_id]).reset_index(drop=True)
        if not len(found) or bool(found["removed"].fillna(False).iloc[0]):
            raise SpaceMapError(f"no attachment {attachment_id!r}" if not len(found) else
                                f"attachment {attachment_id} is already removed")
        unit_id = str(found["unit_id"].iloc[0])
        _require(account, str(_unit(store, unit_id)["carrier_id"].iloc[0]))
        before = table_rows(found, [attachment_id])
        changes = {"layer": "unit_attachments", "ids": [attachment_id], "before": before}
        audit = audit_row(store.read_layer("audit_log"), who=who, action="detach", layer="unit_attachments",
                          file_name=before[attachment_id]["file_name"], updated=1,
                          reason=(reason or "").strip() or f"remove from {unit_id}",
                          changes=json.dumps(changes, ensure_ascii=False, default=str))
        store.change_rows({"unit_attachments": (_typed_attachment({**before[attachment_id], "removed": True}), [])},
                          tables={"audit_log": audit})
    return {"id": attachment_id, "unit_id": unit_id, "removed": True, "audit_id": str(audit["id"].iloc[-1])}


def undo_attachment_change(*, who: str, location=None) -> dict:
    """Reverse the latest attachment change (added or removed) not yet undone."""
    return undo_last(who=who, path=location, layers=("unit_attachments",))


def attachments_of(unit_ids, location=None, *, staff: bool = False) -> list[dict]:
    """The live attachments of the units ``unit_ids``: id, unit_id, file_name, mime, size_bytes (with
    ``staff`` also sha256, added_at and added_by — never for the public pages)."""
    wanted = {str(i) for i in ([unit_ids] if isinstance(unit_ids, str) else unit_ids)}
    listed = open_store(location).read_layer("unit_attachments")
    live = listed.loc[listed["unit_id"].astype(str).isin(wanted) & ~listed["removed"].fillna(False).astype(bool)]
    fields = PUBLIC_ATTACHMENT_FIELDS + (("sha256", "added_at", "added_by") if staff else ())
    return [{k: (None if is_blank(r[k]) else int(r[k]) if k == "size_bytes" else str(r[k])) for k in fields}
            for r in live.sort_values(["unit_id", "id"]).to_dict("records")]


def read_attachment(attachment_id: str, location=None) -> tuple[dict, bytes]:
    """``(meta, bytes)`` of a live attachment, the bytes checked again (size, SHA-256 and that they
    are of the stored type) so the page serves them with the right type (``meta["mime"]``: photos
    shown as images, floor plans offered as downloads, never inlined as a page).
    :class:`SpaceMapError` for an unknown or removed attachment, or bytes that fail the check."""
    store = open_store(location)
    found = store.read_layer("unit_attachments", ids=[attachment_id])
    if not len(found) or bool(found["removed"].fillna(False).iloc[0]):
        raise SpaceMapError(f"no attachment {attachment_id!r}")
    row = found.iloc[0]
    meta = {k: (int(row[k]) if k == "size_bytes" else str(row[k])) for k in (*PUBLIC_ATTACHMENT_FIELDS, "sha256")}
    blobs = store.read_layer("attachment_blobs", ids=[attachment_id])
    try:
        data = base64.b64decode(str(blobs["content_b64"].iloc[0]), validate=True) if len(blobs) else b""
    except (binascii.Error, ValueError):
        data = b""
    if (len(data) != meta["size_bytes"] or hashlib.sha256(data).hexdigest() != meta["sha256"]
            or sniff(data) != meta["mime"] or meta["mime"] not in MAGIC):
        raise SpaceMapError(f"attachment {attachment_id} failed its check (size, SHA-256 or type): not served")
    return meta, data
