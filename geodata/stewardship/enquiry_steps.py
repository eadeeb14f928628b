"""Staff move an enquiry through the pipeline one step at a time, and undo the last step.

Every step writes the enquiry's pipeline fields, one history event and one audit entry in one
transaction and names the enquiry's ``row_version`` (or stage) the staffer saw: two staff
advancing the same enquiry, the second gets a :class:`ConflictError`, never a silent overwrite.
Units change status only as the step says — an offer reserves available units, signing lets
units that are available or reserved for this enquiry, closing releases the units this
enquiry reserved — and a unit let, withdrawn or reserved for another enquiry is refused. The
event keeps what the step changed (the pipeline fields before, each unit's status before and
after, the lease), never the contact, so an undo puts back exactly that and nothing else.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

import pandas as pd

from geodata.ingest.schema import is_blank
from geodata.stewardship.audit import check_who
from geodata.stewardship.enquiry_input import MAX_MESSAGE, check_ids, text
from geodata.stewardship.enquiry_store import (PIPELINE_FIELDS, check_picks, event_row, events_of, iso, now_utc, plain,
                                               read_enquiry, write_enquiry_change)
from geodata.stewardship.screening_rules import screen_enquiry
from geodata.storage import open_store
from spatial.errors import ConflictError, SpaceMapError
from spatial.pipeline import CLOSED, Lease, TransitionError, check_move, due_at


def advance(ref: str, to: str, *, by: str, expected_version: int | None = None, expected_stage: str | None = None,
            note=None, units=(), lease: Lease | None = None, reason: str | None = None, location=None,
            now: datetime | None = None) -> dict:
    """Move enquiry ``ref`` to stage ``to`` (see :func:`spatial.pipeline.check_move`), recording who,
    when and a note. ``expected_version`` (the row version the staffer saw) or ``expected_stage``
    (the stage they saw): when the enquiry changed meanwhile, :class:`ConflictError` and nothing is
    written. ``units`` for a shortlist or an offer (an offer reserves them); ``lease`` for signed
    (its units become let); ``reason`` a close-reason code (units the enquiry reserved are released).

    Raises
    ------
    TransitionError
        A move the pipeline does not allow, one without what it must record, or units that are
        not there or not free for this enquiry.
    ConflictError
        Somebody changed the enquiry since the staffer read it.
    """
    by = check_who(by)
    ref = check_ids(ref, "reference", limit=1)[0] if str(ref or "").strip() else ""
    note = text(note, "note", MAX_MESSAGE)
    units = check_ids(units, "units", limit=200)
    if lease is not None and not units:
        units = check_ids(list(lease.unit_ids), "units", limit=200)
    at = now or now_utc()
    store = open_store(location)
    with store.lock():
        current, version = read_enquiry(store, ref)
        if expected_stage is not None and expected_stage != current["stage"]:
            raise ConflictError(f"conflict: enquiry {ref} is now in {current['stage']}, not {expected_stage}: "
                                f"somebody moved it meanwhile; reload", [{"id": ref}])
        if expected_version is not None and int(expected_version) != version:
            raise ConflictError(f"conflict: enquiry {ref} changed since you read it (you had version "
                                f"{expected_version}, it is {version}); reload", [{"id": ref}])
        check_move(current["stage"], to, reason=reason, units=units, lease=lease)
        if to == "shortlisted":
            try:
                check_picks(store, units)
            except SpaceMapError as exc:
                raise TransitionError(str(exc)) from None
        return _apply(store, current, version, to, by=by, at=at, note=note, units=units, lease=lease, reason=reason)


def _held_by(store, ref: str) -> set[str]:
    """Units this enquiry's live offers reserved."""
    events = events_of(store, ref)
    live = events.loc[(events["to_stage"] == "offer") & events["undone_by"].map(is_blank)]
    held: set[str] = set()
    for raw in live["details"]:
        details = json.loads(raw or "{}")
        held |= set(details.get("reserved", details.get("units", [])))
    return held


def _unit_moves(store, ref: str, to: str, units: list[str]) -> dict[str, tuple[str, str]]:
    """``{unit id: (status before, status after)}`` for the step, or :class:`TransitionError` for a
    unit that is missing or not free for this enquiry."""
    if to == CLOSED:
        held = sorted(_held_by(store, ref))
        rows = store.read_layer("units", ids=held) if held else None
        return {} if rows is None else {str(i): ("reserved", "available")
                                        for i, s in zip(rows["id"], rows["status"]) if s == "reserved"}
    if to not in ("offer", "signed") or not units:
        return {}
    rows = store.read_layer("units", ids=units)
    missing = sorted(set(units) - set(rows["id"].astype(str)))
    if missing:
        raise TransitionError(f"no unit {', '.join(missing)}")
    held = _held_by(store, ref)
    moves = {}
    for uid, status in zip(rows["id"].astype(str), rows["status"]):
        if status == "available" or status == "reserved" and uid in held:
            moves[uid] = (status, "reserved" if to == "offer" else "let")
        else:
            what = "reserved for another enquiry" if status == "reserved" else status
            raise TransitionError(f"unit {uid} is {what}: it cannot be {'offered' if to == 'offer' else 'let'}")
    return {u: m for u, m in moves.items() if m[0] != m[1]}


def _units_with(store, moves: dict[str, tuple[str, str]], side: int) -> pd.DataFrame | None:
    """The units of ``moves`` as they are now, with their status set to side 0 (before) or 1 (after);
    on undo (side 0) :class:`ConflictError` when a unit's status is no longer what the step set."""
    if not moves:
        return None
    rows = store.read_layer("units", ids=sorted(moves)).drop(columns=["row_version"], errors="ignore")
    if side == 0:
        changed = [u for u, s in zip(rows["id"].astype(str), rows["status"]) if s != moves[u][1]]
        if changed or len(rows) < len(moves):
            raise ConflictError(f"conflict: unit {', '.join(changed) or 'removed'} changed since this step; "
                                "undo it by hand", [{"id": u} for u in changed])
    rows["status"] = [moves[str(u)][side] for u in rows["id"]]
    return rows


def _lease_rows(ref: str, lease: Lease, units: list[str], by: str, at: datetime) -> pd.DataFrame:
    return pd.DataFrame([{**{k: v for k, v in asdict(lease).items() if k != "unit_ids"}, "id": f"lease-{ref}",
                          "enquiry_id": ref, "unit_ids": ";".join(units) or None,
                          "rent_source": "signed lease" if lease.rent_cny_m2_month is not None else None,
                          "start": lease.start.isoformat(), "end": lease.end.isoformat() if lease.end else None,
                          "signed_at": iso(at), "signed_by": by, "moved_in_at": None, "synthetic": False}])


def _apply(store, current: dict, version: int, to: str, *, by, at, note, units, lease, reason) -> dict:
    ref = current["id"]
    moves = _unit_moves(store, ref, to, units)
    details: dict = {"before": {k: current.get(k) for k in PIPELINE_FIELDS}, "units": units,
                     "unit_status": {u: list(m) for u, m in moves.items()}}
    new_lease = None
    if to == "offer":
        details["reserved"] = [u for u, m in moves.items() if m[1] == "reserved"]
    elif to == "signed":
        new_lease = _lease_rows(ref, lease, units, by, at)
        details["lease_id"] = f"lease-{ref}"
    elif to == "moved_in":
        leases = store.read_layer("leases")
        new_lease = leases.loc[leases["enquiry_id"].astype(str) == ref].copy()
        details["lease_before"] = plain(new_lease)
        new_lease["moved_in_at"] = iso(at)
    row = {**current, "stage": to, "stage_at": iso(at), "assigned_to": current.get("assigned_to") or by,
           "due_at": (d := due_at(to, at)) and iso(d), "close_reason": reason if to == CLOSED else None}
    if to == "screened":  # the rules in force, with the registry's facts of the enterprise
        result = screen_enquiry(store, current, _layers_of(store, current.get("picked")), today=at.date())
        row.update(eligible=result.eligible, screening=json.dumps(result.reasons, ensure_ascii=False))
    n = len(events_of(store, ref)) + 1
    event = event_row(ref, n, at, by, current["stage"], to, note, details)
    versions = write_enquiry_change(store, who=by, action=f"enquiry-{to}", ref=ref, enquiries=pd.DataFrame([row]),
                                    events=[event], units=_units_with(store, moves, 1), leases=new_lease,
                                    expected=version, reason=note)
    return {"ref": ref, "from": current["stage"], "to": to, "event": event["id"],
            "row_version": versions["enquiries"][ref], "lease": details.get("lease_id")}


def _layers_of(store, picked) -> list[str]:
    """The carrier layers of an enquiry's picks (those still in the store)."""
    ids = [i for i in str(picked or "").split(";") if i]
    try:
        return check_picks(store, ids)[1]
    except SpaceMapError:  # a pick removed since (an import undone): screen by the others
        from layers.catalogue import CARRIER_LAYERS

        units = store.read_layer("units", ids=ids)
        wanted = set(ids) | set(units["carrier_id"].astype(str))
        return [k for k in CARRIER_LAYERS if len(store.read_layer(k, ids=sorted(wanted)))]


def undo_step(ref: str, *, by: str, location=None, now: datetime | None = None) -> dict:
    """Reverse the latest step of enquiry ``ref`` not yet undone: its pipeline fields, the status of
    the units it changed (:class:`ConflictError` when one changed since), the lease it recorded;
    audited. The submission itself is not a step: it cannot be undone."""
    by = check_who(by)
    ref = check_ids(ref, "reference", limit=1)[0] if str(ref or "").strip() else ""
    at = now or now_utc()
    store = open_store(location)
    with store.lock():
        current, version = read_enquiry(store, ref)
        events = events_of(store, ref)
        steps = events.loc[events["undone_by"].map(is_blank) & events["from_stage"].map(lambda v: not is_blank(v))
                           & ~events["details"].fillna("").str.contains('"undoes"', regex=False)]
        if not len(steps):
            raise SpaceMapError(f"enquiry {ref}: no step to undo")
        last = plain(steps.tail(1))[0]
        details = json.loads(last["details"] or "{}")
        if "before" not in details:
            raise SpaceMapError(f"enquiry {ref}: step {last['id']} was recorded without what it changed (imported or "
                                "demo history): it cannot be undone")
        moves = {u: tuple(m) for u, m in details.get("unit_status", {}).items()}
        lease_rows = pd.DataFrame(details["lease_before"]) if details.get("lease_before") else None
        undo = event_row(ref, len(events) + 1, at, by, last["to_stage"], details["before"]["stage"],
                         f"undo of {last['id']}", {"undoes": last["id"]})
        last["undone_by"] = undo["id"]
        versions = write_enquiry_change(
            store, who=by, action="enquiry-undo", ref=ref, enquiries=pd.DataFrame([{**current, **details["before"]}]),
            events=[last, undo], units=_units_with(store, moves, 0), leases=lease_rows,
            delete_leases=[details["lease_id"]] if details.get("lease_id") else [], expected=version,
            reason=f"undo of {last['id']}")
    return {"ref": ref, "undone": last["id"], "stage": details["before"]["stage"],
            "row_version": versions["enquiries"][ref]}
