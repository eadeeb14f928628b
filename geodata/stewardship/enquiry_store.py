"""How an enquiry's change reaches the store: the enquiry row, its history events, the units and
the lease a step changes, and one audit entry, written in one transaction under the write lock
(so a submission never loses another writer's audit entry)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd

from geodata.ingest.schema import is_blank
from geodata.stewardship.audit import audit_row
from layers.catalogue import get_layer

PIPELINE_FIELDS = ("stage", "stage_at", "assigned_to", "due_at", "close_reason", "eligible", "screening")
"""What a step changes on the enquiry, and all an undo puts back: never the contact or the message,
so an erased enquiry stays erased and its history holds no personal data."""


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def plain(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts (blank → None, numpy scalars → Python)."""
    return [{k: (None if is_blank(v) else (v.item() if hasattr(v, "item") else v)) for k, v in r.items()}
            for r in frame.to_dict("records")]


def event_row(ref: str, n: int, at: datetime, who: str, from_stage, to_stage: str, note, details: dict) -> dict:
    """History event ``n`` of enquiry ``ref`` (ids sort in order up to 99,999 steps)."""
    return {"id": f"evt-{ref}-{n:05d}", "enquiry_id": ref, "at": iso(at), "who": who, "from_stage": from_stage,
            "to_stage": to_stage, "note": note, "details": json.dumps(details, ensure_ascii=False, default=str),
            "undone_by": None, "synthetic": False}


def write_enquiry_change(store, *, who: str, action: str, ref: str, enquiries: pd.DataFrame | None = None, events=(),
                         units: pd.DataFrame | None = None, leases: pd.DataFrame | None = None, delete_leases=(),
                         expected: int | None = None, reason: str | None = None) -> dict:
    """One transaction: the enquiry (its version must still be ``expected`` when given), its events,
    units, lease rows and an audit entry naming the enquiry and the events (never personal data)."""
    changes = {}
    if enquiries is not None:
        changes["enquiries"] = (enquiries, [])
    if events:
        changes["enquiry_events"] = (pd.DataFrame(list(events)), [])
    if units is not None and len(units):
        changes["units"] = (units, [])
    if leases is not None or delete_leases:
        empty = pd.DataFrame(columns=list(get_layer("leases").field_names))
        changes["leases"] = (leases if leases is not None else empty, list(delete_leases))
    with store.lock():
        audit = audit_row(store.read_layer("audit_log"), who=who, action=action, layer="enquiries", reason=reason,
                          changes=json.dumps({"enquiry": ref, "events": [e["id"] for e in events]}, ensure_ascii=False))
        versions = {"enquiries": {ref: expected}} if expected is not None else None
        return store.change_rows(changes, tables={"audit_log": audit}, expected_versions=versions)


def read_enquiry(store, ref: str) -> tuple[dict, int]:
    """The enquiry ``ref`` as a dict and its row version; :class:`SpaceMapError` when there is none."""
    from spatial.errors import SpaceMapError

    rows = store.read_layer("enquiries", ids=[str(ref)])
    if not len(rows):
        raise SpaceMapError(f"no enquiry {ref}")
    current = plain(rows)[0]
    return current, int(current.pop("row_version", 1) or 1)


def events_of(store, ref: str) -> pd.DataFrame:
    """The history of enquiry ``ref``, in order of time (then id: steps within one second in the order
    they were written; imported or demo events have ids of their own)."""
    events = store.read_layer("enquiry_events")
    return events.loc[events["enquiry_id"].astype(str) == str(ref)].sort_values(["at", "id"], kind="stable")


def check_picks(store, ids) -> tuple[list[str], list[str]]:
    """The picked units and carriers (ids checked by :func:`enquiry_input.check_ids`), each in the
    store; returns (ids, the carrier layers they belong to). :class:`SpaceMapError` for one that is not."""
    from geodata.stewardship.enquiry_input import check_ids
    from layers.catalogue import CARRIER_LAYERS
    from spatial.errors import SpaceMapError

    ids = check_ids(ids, "picked units or carriers")
    if not ids:
        return [], []
    units = store.read_layer("units", ids=ids)
    carrier_ids = set(ids) - set(units["id"].astype(str)) | set(units["carrier_id"].astype(str))
    layers, found = [], set(units["id"].astype(str))
    for key in CARRIER_LAYERS:
        rows = store.read_layer(key, ids=sorted(carrier_ids))
        if len(rows):
            layers.append(key)
            found |= set(rows["id"].astype(str))
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise SpaceMapError(f"no unit or carrier {', '.join(unknown[:5])}")
    return ids, layers
