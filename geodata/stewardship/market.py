"""Enquiries from enterprises: submitted (by an anonymous enterprise on the portal, with explicit
consent, or by staff) with an unguessable reference, read and listed by staff, their personal data
erased on request. The steps through the pipeline are :mod:`geodata.stewardship.enquiry_steps`
(re-exported here: :func:`advance`, :func:`undo_step`).
"""
from __future__ import annotations

import json
import secrets
from datetime import date, datetime

import pandas as pd

from geodata.ingest.schema import is_blank
from geodata.stewardship.audit import check_who
from geodata.stewardship.enquiry_input import MAX_MESSAGE, MAX_NAME, check_contact, check_ids, check_need, text
from geodata.stewardship.enquiry_steps import advance, undo_step
from geodata.stewardship.enquiry_store import (check_picks, event_row, events_of, iso, now_utc, plain, read_enquiry,
                                               write_enquiry_change)
from geodata.stewardship.screening_rules import screen_enquiry
from geodata.storage import open_store
from spatial.credit_code import credit_code_problem, normalise_credit_code
from spatial.errors import SpaceMapError
from spatial.need import Need
from spatial.pipeline import Lease, TransitionError, due_at

__all__ = ["PORTAL", "new_ref", "submit_enquiry", "enquiry", "advance", "undo_step", "list_enquiries",
           "erase_personal_data", "lease_of"]

PORTAL = "portal"
"""Who a portal submission is recorded as (the visitor is anonymous)."""
_REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_ref(at: datetime) -> str:
    """A reference like ``FT-20261130-K7Q2MZ9P``: the date and 8 random characters (40 bits), so
    one enterprise's reference says nothing about another's."""
    return f"FT-{at:%Y%m%d}-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


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
    who = check_who(who)
    name = text(enterprise_name, "enterprise name", MAX_NAME, required=True, name=True)
    contact = check_contact(contact_name, contact_phone, contact_email)
    code = normalise_credit_code(credit_code) if not is_blank(credit_code) else None
    if code and (problem := credit_code_problem(code)):
        raise SpaceMapError(f"unified social credit code {code}: {problem}")
    message = text(message, "message", MAX_MESSAGE)
    need_json = check_need(need)
    picked = check_ids(picked, "picked units or carriers")
    consent_version = text(consent_version, "consent version", 40, required=True, name=True)
    consent_text = text(consent_text, "consent text", 2000, required=True)
    at = now or now_utc()
    store = open_store(location)
    picked_ids, layers = check_picks(store, picked)
    result = screen_enquiry(store, {"credit_code": code, "need_json": need_json}, layers, today=at.date())
    ref = new_ref(at)
    row = {"id": ref, "submitted_at": iso(at), "channel": channel, "enterprise_name": name, "credit_code": code,
           "need_json": need_json, "picked": ";".join(picked_ids) or None,
           "message": message, "contact_name": contact[0], "contact_phone": contact[1], "contact_email": contact[2],
           "consent_version": consent_version, "consent_text": consent_text, "consent_at": iso(at),
           "stage": "received", "stage_at": iso(at), "due_at": iso(due_at("received", at)),
           "eligible": result.eligible, "screening": json.dumps(result.reasons, ensure_ascii=False),
           "synthetic": False}
    event = event_row(ref, 1, at, who, None, "received", None, {})
    write_enquiry_change(store, who=who, action="enquiry-submit", ref=ref, enquiries=pd.DataFrame([row]),
                         events=[event])
    return {"ref": ref, "due_at": row["due_at"], "eligible": result.eligible, "screening": result.reasons}


def enquiry(ref: str, location=None) -> dict:
    """One enquiry with its history (staff only: it holds personal data); :class:`SpaceMapError` when unknown."""
    store = open_store(location)
    out, version = read_enquiry(store, check_ids(ref, "reference", limit=1)[0] if str(ref or "").strip() else "")
    leases = store.read_layer("leases")
    out["row_version"] = version
    out["history"] = [{k: v for k, v in e.items() if k != "details"} for e in plain(events_of(store, out["id"]))]
    out["leases"] = plain(leases.loc[leases["enquiry_id"].astype(str) == out["id"]])
    return out


def list_enquiries(location=None, *, stage: str | None = None, assigned_to: str | None = None,
                   now: datetime | None = None) -> pd.DataFrame:
    """The enquiries (staff only), newest first, with ``overdue`` (the next step's due time has passed)."""
    table = open_store(location).read_layer("enquiries")
    if stage:
        table = table.loc[table["stage"] == stage]
    if assigned_to:
        table = table.loc[table["assigned_to"] == assigned_to]
    at = iso(now or now_utc())
    table = table.assign(overdue=table["due_at"].map(lambda d: not is_blank(d) and str(d) < at))
    return table.sort_values("submitted_at", ascending=False).reset_index(drop=True)


def erase_personal_data(ref: str, *, by: str, location=None, now: datetime | None = None) -> dict:
    """Remove an enquiry's personal data on request (contact name, phone, email; the message), audited
    without the data. Not undoable: the data is gone, which is what the request asks."""
    by = check_who(by)
    store = open_store(location)
    with store.lock():
        current, version = read_enquiry(store, check_ids(ref, "reference", limit=1)[0] if str(ref or "").strip() else "")
        erased = {**current, "contact_name": None, "contact_phone": None, "contact_email": None, "message": None,
                  "erased_at": iso(now or now_utc())}
        write_enquiry_change(store, who=by, action="enquiry-erase", ref=current["id"], enquiries=pd.DataFrame([erased]),
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
    if carrier and carriers and carrier != carriers[0]:
        raise TransitionError(f"the units belong to carrier {carriers[0]}, not {carrier}")
    if ids and rows is not None and len(rows) < len(ids):
        raise TransitionError(f"no unit {', '.join(sorted(set(ids) - set(rows['id'].astype(str))))}")
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
