"""Enquiries from enterprises and their way through the pipeline to a signed lease.

An enquiry is submitted (by an anonymous enterprise on the portal, with explicit consent, or by
staff) and gets an unguessable reference. Staff move it one stage at a time
(:mod:`spatial.pipeline`); every step writes the enquiry, one history event and one audit entry
in one transaction, names the enquiry's ``row_version`` the staffer saw (two staff advancing the
same enquiry: the second gets a :class:`ConflictError`, never a silent overwrite) and keeps what
it changed, so :func:`undo_step` can reverse it. An offer reserves its units; signing records
the lease and lets them; closing releases units the enquiry held.
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict
from datetime import date, datetime, timezone

import pandas as pd

from geodata.ingest.schema import is_blank
from geodata.stewardship.audit import audit_row, check_who
from geodata.stewardship.screening_rules import screen_enquiry
from geodata.storage import open_store
from layers.catalogue import CARRIER_LAYERS, get_layer
from spatial.credit_code import credit_code_problem, normalise_credit_code
from spatial.errors import ConflictError, SpaceMapError
from spatial.need import Need, need_to_dict
from spatial.pipeline import CLOSED, Lease, TransitionError, check_move, due_at

PORTAL = "portal"
"""Who a portal submission is recorded as (the visitor is anonymous)."""
MAX_NAME = 100
MAX_MESSAGE = 1000
MAX_PICKED = 20
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,22}[0-9]$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[A-Za-z]{2,24}$")
_REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def new_ref(at: datetime) -> str:
    """A reference like ``FT-20261130-K7Q2MZ9P``: the date and 8 random characters (40 bits), so
    one enterprise's reference says nothing about another's."""
    return f"FT-{at:%Y%m%d}-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


def _text(value, field: str, limit: int, *, required: bool = False) -> str | None:
    text = None if is_blank(value) else str(value).strip()
    if not text:
        if required:
            raise SpaceMapError(f"{field} is missing")
        return None
    if len(text) > limit:
        raise SpaceMapError(f"{field} has at most {limit} characters, got {len(text)}")
    if any(ord(c) < 32 and c not in "\n\t" or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text):
        raise SpaceMapError(f"{field} contains a control or bidi character")
    return text


def check_contact(name, phone, email) -> tuple[str, str | None, str | None]:
    """The contact (name, phone, email) trimmed: a name and a phone or an email, well formed."""
    name = _text(name, "contact name", 60, required=True)
    phone = _text(phone, "contact phone", 30)
    email = _text(email, "contact email", 254)
    if not phone and not email:
        raise SpaceMapError("give a phone number or an email address to be contacted")
    if phone and not PHONE_RE.match(phone):
        raise SpaceMapError(f"not a phone number: {phone!r}")
    if email and not EMAIL_RE.match(email):
        raise SpaceMapError(f"not an email address: {email!r}")
    return name, phone, email


def _picked(ids, store) -> tuple[list[str], list[str]]:
    """The picked units and carriers, checked; returns (ids, carrier layers they belong to)."""
    ids = [str(i).strip() for i in ids or () if str(i).strip()]
    if len(ids) > MAX_PICKED:
        raise SpaceMapError(f"pick at most {MAX_PICKED} units or carriers, got {len(ids)}")
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


def _layers_of(store, picked) -> list[str]:
    """The carrier layers of an enquiry's picks (those still in the store)."""
    try:
        return _picked(str(picked or "").split(";"), store)[1]
    except SpaceMapError:  # a pick removed since (an import undone): screen by the others
        ids = [i for i in str(picked or "").split(";") if i]
        units = store.read_layer("units", ids=ids)
        wanted = set(ids) | set(units["carrier_id"].astype(str))
        return [k for k in CARRIER_LAYERS if len(store.read_layer(k, ids=sorted(wanted)))]


def submit_enquiry(need: Need, *, enterprise_name, contact_name, contact_phone=None, contact_email=None,
                   credit_code=None, picked=(), message=None, consent: bool = False, consent_version: str,
                   consent_text: str, channel: str = PORTAL, who: str = PORTAL, location=None,
                   now: datetime | None = None) -> dict:
    """Record an enquiry (stage ``received``), screened by the rules in force; returns ``{"ref",
    "due_at", "eligible", "screening"}``. Needs explicit ``consent`` to the processing of the
    contact's personal data: the consent text, its version and the time are stored with it.

    Raises
    ------
    SpaceMapError
        No consent, a missing or malformed contact, a wrong credit code, too long a text, more than
        20 picks, a picked id that is no unit or carrier.
    """
    if consent is not True:
        raise SpaceMapError("the enquiry needs your consent to the processing of the contact's personal data")
    name = _text(enterprise_name, "enterprise name", MAX_NAME, required=True)
    contact = check_contact(contact_name, contact_phone, contact_email)
    code = normalise_credit_code(credit_code) if not is_blank(credit_code) else None
    if code and (problem := credit_code_problem(code)):
        raise SpaceMapError(f"unified social credit code {code}: {problem}")
    message = _text(message, "message", MAX_MESSAGE)
    at = now or _now()
    store = open_store(location)
    picked_ids, layers = _picked(picked, store)
    need_json = json.dumps(need_to_dict(need), ensure_ascii=False)
    result = screen_enquiry(store, {"credit_code": code, "need_json": need_json}, layers, today=at.date())
    ref = new_ref(at)
    row = {"id": ref, "submitted_at": _iso(at), "channel": channel, "enterprise_name": name, "credit_code": code,
           "need_json": need_json, "picked": ";".join(picked_ids) or None,
           "message": message, "contact_name": contact[0], "contact_phone": contact[1], "contact_email": contact[2],
           "consent_version": _text(consent_version, "consent version", 40, required=True),
           "consent_text": _text(consent_text, "consent text", 2000, required=True), "consent_at": _iso(at),
           "stage": "received", "stage_at": _iso(at), "due_at": _iso(due_at("received", at)),
           "eligible": result.eligible, "screening": json.dumps(result.reasons, ensure_ascii=False),
           "synthetic": False}
    event = _event(ref, 1, at, who, None, "received", None, {})
    _write(store, who=who, action="enquiry-submit", ref=ref, enquiries=pd.DataFrame([row]), events=[event])
    return {"ref": ref, "due_at": row["due_at"], "eligible": result.eligible, "screening": result.reasons}


def _event(ref: str, n: int, at: datetime, who: str, from_stage, to_stage: str, note, details: dict) -> dict:
    return {"id": f"evt-{ref}-{n:03d}", "enquiry_id": ref, "at": _iso(at), "who": who, "from_stage": from_stage,
            "to_stage": to_stage, "note": note, "details": json.dumps(details, ensure_ascii=False, default=str),
            "undone_by": None, "synthetic": False}


def _write(store, *, who: str, action: str, ref: str, enquiries: pd.DataFrame | None = None, events=(),
           units: pd.DataFrame | None = None, leases: pd.DataFrame | None = None, delete_leases=(),
           expected: int | None = None, reason: str | None = None) -> dict:
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
    audit = audit_row(store.read_layer("audit_log"), who=who, action=action, layer="enquiries", reason=reason,
                      changes=json.dumps({"enquiry": ref, "events": [e["id"] for e in events]}, ensure_ascii=False))
    versions = {"enquiries": {ref: expected}} if expected is not None else None
    return store.change_rows(changes, tables={"audit_log": audit}, expected_versions=versions)


def _plain(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if is_blank(v) else (v.item() if hasattr(v, "item") else v)) for k, v in r.items()}
            for r in frame.to_dict("records")]


def enquiry(ref: str, location=None) -> dict:
    """One enquiry with its history (staff only: it holds personal data); :class:`SpaceMapError` when unknown."""
    store = open_store(location)
    rows = store.read_layer("enquiries", ids=[str(ref)])
    if not len(rows):
        raise SpaceMapError(f"no enquiry {ref}")
    events = store.read_layer("enquiry_events")
    events = events.loc[events["enquiry_id"].astype(str) == str(ref)].sort_values("id")
    leases = store.read_layer("leases")
    out = _plain(rows)[0]
    out["history"] = [{k: v for k, v in e.items() if k != "details"} for e in _plain(events)]
    out["leases"] = _plain(leases.loc[leases["enquiry_id"].astype(str) == str(ref)])
    return out


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
        A move the pipeline does not allow, or one without what it must record.
    ConflictError
        Somebody changed the enquiry since the staffer read it.
    """
    by = check_who(by)
    note = _text(note, "note", MAX_MESSAGE)
    at = now or _now()
    store = open_store(location)
    with store.lock():
        row = store.read_layer("enquiries", ids=[str(ref)])
        if not len(row):
            raise SpaceMapError(f"no enquiry {ref}")
        current = _plain(row)[0]
        version = int(current.pop("row_version", 1) or 1)
        if expected_stage is not None and expected_stage != current["stage"]:
            raise ConflictError(f"conflict: enquiry {ref} is now in {current['stage']}, not {expected_stage}: "
                                f"somebody moved it meanwhile; reload", [{"id": ref}])
        if expected_version is not None and int(expected_version) != version:
            raise ConflictError(f"conflict: enquiry {ref} changed since you read it (you had version "
                                f"{expected_version}, it is {version}); reload", [{"id": ref}])
        units = [str(u) for u in units or () if str(u).strip()]
        if lease is not None and not units:
            units = list(lease.unit_ids)
        check_move(current["stage"], to, reason=reason, units=units, lease=lease)
        unit_rows = store.read_layer("units", ids=units) if units else None
        if units and len(unit_rows) < len(set(units)) and to in ("offer", "signed"):
            missing = sorted(set(units) - set(unit_rows["id"].astype(str)))
            raise TransitionError(f"no unit {', '.join(missing)}")
        return _apply(store, current, version, to, by=by, at=at, note=note, units=units, unit_rows=unit_rows,
                      lease=lease, reason=reason)


def _unit_status(rows: pd.DataFrame | None, status: str) -> pd.DataFrame | None:
    if rows is None or not len(rows):
        return None
    rows = rows.drop(columns=["row_version"], errors="ignore").copy()
    rows["status"] = status
    return rows


def _reserved_by(store, ref: str) -> pd.DataFrame | None:
    """Units the enquiry's offer reserved that are still reserved."""
    events = store.read_layer("enquiry_events")
    offers = events.loc[(events["enquiry_id"].astype(str) == ref) & (events["to_stage"] == "offer")
                        & events["undone_by"].map(is_blank)]
    ids = [u for d in offers["details"] for u in json.loads(d or "{}").get("units", [])]
    rows = store.read_layer("units", ids=ids) if ids else None
    return None if rows is None else rows.loc[rows["status"] == "reserved"]


def _apply(store, current: dict, version: int, to: str, *, by, at, note, units, unit_rows, lease, reason) -> dict:
    ref = current["id"]
    events = store.read_layer("enquiry_events")
    n = int((events["enquiry_id"].astype(str) == ref).sum()) + 1
    details: dict = {"enquiry_before": current, "units": units}
    changed_units, new_lease = None, None
    if to == "offer":
        changed_units = _unit_status(unit_rows.loc[unit_rows["status"] == "available"] if unit_rows is not None
                                     else None, "reserved")
    elif to == "signed":
        changed_units = _unit_status(unit_rows, "let")
        lease_id = f"lease-{ref}"
        new_lease = pd.DataFrame([{**{k: v for k, v in asdict(lease).items() if k != "unit_ids"}, "id": lease_id,
                                   "enquiry_id": ref, "unit_ids": ";".join(lease.unit_ids or units) or None,
                                   "rent_source": "signed lease" if lease.rent_cny_m2_month is not None else None,
                                   "start": lease.start.isoformat(), "end": lease.end.isoformat() if lease.end
                                   else None, "signed_at": _iso(at), "signed_by": by, "synthetic": False}])
        details["lease_id"] = lease_id
    elif to == "moved_in":
        leases = store.read_layer("leases")
        mine = leases.loc[leases["enquiry_id"].astype(str) == ref].copy()
        details["lease_before"] = _plain(mine)
        mine["moved_in_at"] = _iso(at)
        new_lease = mine
    elif to == CLOSED:
        changed_units = _unit_status(_reserved_by(store, ref), "available")
    if changed_units is not None:
        details["units_before"] = _plain(unit_rows if to != CLOSED else _reserved_by(store, ref))
    if to == "screened":  # the rules in force, with the registry's facts of the enterprise
        result = screen_enquiry(store, current, _layers_of(store, current.get("picked")), today=at.date())
        current = {**current, "eligible": result.eligible, "screening": json.dumps(result.reasons, ensure_ascii=False)}
        details["screening"] = result.reasons
    row = {**current, "stage": to, "stage_at": _iso(at), "assigned_to": current.get("assigned_to") or by,
           "due_at": (d := due_at(to, at)) and _iso(d), "close_reason": reason if to == CLOSED else None}
    event = _event(ref, n, at, by, current["stage"], to, note, details)
    versions = _write(store, who=by, action=f"enquiry-{to}", ref=ref, enquiries=pd.DataFrame([row]),
                      events=[event], units=changed_units, leases=new_lease, expected=version, reason=note)
    return {"ref": ref, "from": current["stage"], "to": to, "event": event["id"],
            "row_version": versions["enquiries"][ref], "lease": details.get("lease_id")}


def undo_step(ref: str, *, by: str, location=None, now: datetime | None = None) -> dict:
    """Reverse the latest step of enquiry ``ref`` not yet undone (its stage, the units it reserved or
    let, the lease it recorded), audited. The submission itself is not a step: it cannot be undone."""
    by = check_who(by)
    at = now or _now()
    store = open_store(location)
    with store.lock():
        events = store.read_layer("enquiry_events")
        mine = events.loc[(events["enquiry_id"].astype(str) == str(ref)) & events["undone_by"].map(is_blank)
                          & events["from_stage"].map(lambda v: not is_blank(v))
                          & ~events["details"].fillna("").str.contains('"undoes"', regex=False)].sort_values("id")
        if not len(mine):
            raise SpaceMapError(f"enquiry {ref}: no step to undo")
        last = _plain(mine.tail(1))[0]
        details = json.loads(last["details"] or "{}")
        if "enquiry_before" not in details:
            raise SpaceMapError(f"enquiry {ref}: step {last['id']} was recorded without what it changed (imported or "
                                "demo history): it cannot be undone")
        before = details["enquiry_before"]
        units = pd.DataFrame(details["units_before"]) if details.get("units_before") else None
        if units is not None:
            units = units.drop(columns=["row_version"], errors="ignore")
        lease_rows = pd.DataFrame(details["lease_before"]) if details.get("lease_before") else None
        drop = [details["lease_id"]] if details.get("lease_id") else []
        n = int((events["enquiry_id"].astype(str) == str(ref)).sum()) + 1
        undo = _event(str(ref), n, at, by, last["to_stage"], before["stage"], f"undo of {last['id']}",
                      {"undoes": last["id"]})
        last["undone_by"] = undo["id"]
        versions = _write(store, who=by, action="enquiry-undo", ref=str(ref), enquiries=pd.DataFrame([before]),
                          events=[last, undo], units=units, leases=lease_rows, delete_leases=drop,
                          reason=f"undo of {last['id']}")
    return {"ref": str(ref), "undone": last["id"], "stage": before["stage"],
            "row_version": versions["enquiries"][str(ref)]}


def list_enquiries(location=None, *, stage: str | None = None, assigned_to: str | None = None,
                   now: datetime | None = None) -> pd.DataFrame:
    """The enquiries (staff only), newest first, with ``overdue`` (the next step's due time has passed)."""
    table = open_store(location).read_layer("enquiries")
    if stage:
        table = table.loc[table["stage"] == stage]
    if assigned_to:
        table = table.loc[table["assigned_to"] == assigned_to]
    at = _iso(now or _now())
    table = table.assign(overdue=table["due_at"].map(lambda d: not is_blank(d) and str(d) < at))
    return table.sort_values("submitted_at", ascending=False).reset_index(drop=True)


def erase_personal_data(ref: str, *, by: str, location=None, now: datetime | None = None) -> dict:
    """Remove an enquiry's personal data on request (contact name, phone, email; the message), audited
    without the data. Not undoable: the data is gone, which is what the request asks."""
    by = check_who(by)
    store = open_store(location)
    with store.lock():
        row = store.read_layer("enquiries", ids=[str(ref)])
        if not len(row):
            raise SpaceMapError(f"no enquiry {ref}")
        current = _plain(row)[0]
        version = int(current.pop("row_version", 1) or 1)
        erased = {**current, "contact_name": None, "contact_phone": None, "contact_email": None, "message": None,
                  "erased_at": _iso(now or _now())}
        _write(store, who=by, action="enquiry-erase", ref=str(ref), enquiries=pd.DataFrame([erased]),
               expected=version, reason="personal data removed on request")
    return {"ref": str(ref), "erased_at": erased["erased_at"]}


def lease_of(args_units: str | None, *, carrier: str | None, area: float | None, rent: float | None,
             start: str | None, end: str | None, location=None) -> Lease:
    """A :class:`Lease` from command-line or form values; the carrier and area default from the units."""
    ids = tuple(u.strip() for u in (args_units or "").replace(",", ";").split(";") if u.strip())
    rows = open_store(location).read_layer("units", ids=list(ids)) if ids else None
    carriers = sorted(set(rows["carrier_id"].astype(str))) if rows is not None else []
    if len(carriers) > 1:
        raise TransitionError(f"the units belong to several carriers ({', '.join(carriers)}): one lease per carrier")
    if area is None and rows is not None and len(rows):
        area = float(rows["area_m2"].sum())
    try:
        start_d = date.fromisoformat(start) if start else None
        end_d = date.fromisoformat(end) if end else None
    except ValueError as exc:
        raise TransitionError(f"a lease date is YYYY-MM-DD: {exc}") from None
    if start_d is None:
        raise TransitionError("a signed lease needs its start date (--start YYYY-MM-DD)")
    return Lease(carrier_id=carrier or (carriers[0] if carriers else ""), unit_ids=ids, area_m2=float(area or 0),
                 start=start_d, end=end_d, rent_cny_m2_month=rent)
