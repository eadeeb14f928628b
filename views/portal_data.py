"""What anonymous visitors may do with the store (the public portal's page-data module): send an
enquiry about the spaces a match shortlisted — with explicit consent, limited per session and per
network address — and learn whether the store is a demo (the banner). Nothing here reads an
enquiry back: a visitor never sees what another sent, and sees their own only as the reference
this session was given. It also reads the public side of the units (their public fields, what each
carrier offers from them, their attachments' list) for the Match, Map and Tally pages. Reads of the
inventory stay in :mod:`views.data`; staff's market pages use :mod:`views.market_data`.
"""
from __future__ import annotations

import math
import re
import time

import pandas as pd
import streamlit as st

from geodata.stewardship.enquiry_input import MAX_MESSAGE, MAX_NAME, MAX_PICKED
from messages import Pair, pair, t
from messages.market import CONSENT_VERSION
from spatial.credit_code import credit_code_check
from spatial.errors import SpaceMapError, StoreBusyError

SESSION_LIMIT = 3
"""Enquiries one browser session may send within :data:`SESSION_WINDOW_S`."""
SESSION_WINDOW_S = 3600.0
ADDRESS_FREE = 5
"""Enquiries one network address may send before it is slowed to one per :data:`ADDRESS_EVERY_S`
(counted in the store beside the failed logins, so across app processes and restarts; the count is
forgotten after a day without an enquiry, see :data:`geodata.storage.logins.FORGET_AFTER_S`)."""
ADDRESS_EVERY_S = 3600.0
ADDRESS_KEY = "Enquiry:{}"
"""The counter key of an address. The capital E keeps it apart from every failed-login key: those
are typed names case-folded, so nobody can run up (and block) an address's count from the login box."""
SESSION_KEY = "portal_enquiries_at"
"""Session state: the times (epoch seconds) of this session's enquiries."""
SENT_KEY = "portal_enquiry_sent"
"""Session state: this session's last reference and its due time (the visitor's own, nothing else)."""
LIMITS = {"enterprise": MAX_NAME, "credit_code": 40, "contact": 60, "phone": 30, "email": 254,
          "message": MAX_MESSAGE, "picked": MAX_PICKED}
"""The most characters (picks) each field of the form takes: the domain's limits
(``geodata.stewardship.enquiry_input``: its contact limits are written in ``check_contact``); a credit code
is 18 characters, with room for the spaces and hyphens people type (the domain removes them)."""
FIELD_LABELS = {"enterprise": "pt_enq_enterprise", "credit_code": "pt_enq_credit", "contact": "pt_enq_contact",
                "phone": "pt_enq_phone", "email": "pt_enq_email", "message": "pt_enq_message",
                "picked": "pt_enq_pick"}
_DOMAIN_FIELDS = {"enterprise name": "enterprise", "contact name": "contact", "contact phone": "phone",
                  "contact email": "email", "message": "message", "picked units or carriers": "picked"}
"""The English field names of the domain's reasons → the form's fields."""
_REASONS = (  # the domain's English reasons (geodata.stewardship.market) → catalogue messages
    (re.compile(r"needs your consent"), "pt_err_consent"),
    (re.compile(r"^(?P<field>[a-z ]+) is missing$"), "pt_err_required"),
    (re.compile(r"^(?P<field>[a-z ]+) has at most (?P<limit>\d+) characters"), "pt_err_too_long"),
    (re.compile(r"^(?P<field>[a-z ]+?) contains "), "pt_err_control"),
    (re.compile(r"^give a phone number or an email address"), "pt_err_no_contact"),
    (re.compile(r"^not a phone number"), "pt_err_phone"),
    (re.compile(r"^not an email address"), "pt_err_email"),
    (re.compile(r"^unified social credit code"), "pt_err_credit"),
    (re.compile(r"^picked units or carriers: at most (?P<limit>\d+)"), "pt_err_picks"),
    (re.compile(r"^no unit or carrier"), "pt_err_unknown_pick"),
)
_FIELD_OF_KEY = {"pt_err_no_contact": "phone", "pt_err_phone": "phone", "pt_err_email": "email",
                 "pt_err_credit": "credit_code", "pt_err_picks": "picked", "pt_err_unknown_pick": "picked"}


class Refused(Exception):
    """An enquiry not sent: ``key`` is the catalogue message saying why, ``field`` the form field
    at fault (None: none in particular), ``values`` the message's other values."""

    def __init__(self, key: str, field: str | None = None, **values):
        super().__init__(key)
        self.key, self.field, self.values = key, field, values

    def text(self, lang: str) -> str:
        """Why, in ``lang`` (plain text: the page escapes it)."""
        values = dict(self.values)
        if self.field in FIELD_LABELS:
            values["field"] = t(FIELD_LABELS[self.field], lang)
        return t(self.key, lang, **values)


def refusal(reason: str) -> Refused:
    """The form's refusal for one of the domain's English reasons (unknown ones: a generic message;
    the English reason is never shown, it may quote what was typed)."""
    for pattern, key in _REASONS:
        m = pattern.search(reason)
        if m is None:
            continue
        found = m.groupdict()
        field = _DOMAIN_FIELDS.get(found.get("field") or "", _FIELD_OF_KEY.get(key))
        if "field" in found and field is None:  # the consent text or version: not the visitor's doing
            return Refused("pt_err_generic")
        values = {"limit": int(found["limit"])} if found.get("limit") else {}
        if key == "pt_err_credit":
            values["reason"] = pair("pt_err_credit_other")
        return Refused(key, field, **values)
    return Refused("pt_err_generic")


def consent_text(lang: str) -> str:
    """The consent the form shows in ``lang``; the very text stored with the enquiry."""
    return t("enq_consent_text", lang)


def consent_version() -> str:
    """The version of the consent text (stored with the enquiry)."""
    return CONSENT_VERSION


def client_address() -> str | None:
    """The visitor's network address, or None when unknown: with ``SPACEMAP_BEHIND_PROXY`` (our nginx
    in front, which sets ``X-Real-IP`` to the peer it saw, overwriting whatever a client sent) that
    header; otherwise the websocket's peer as Streamlit sees it (None for loopback). Never the
    ``X-Forwarded-For`` header's first hop, which a visitor writes."""
    import settings

    try:
        if settings.behind_proxy():
            real = st.context.headers.get("X-Real-IP")
            return real.strip()[:64] if real and real.strip() else None
        return st.context.ip_address
    except Exception:  # noqa: BLE001 - no script run context (a test calling this directly)
        return None


def _location():
    from geodata.storage import store_path

    return store_path()


def session_wait(now: float) -> float:
    """Seconds this session must wait before its next enquiry (0: it may send one now)."""
    recent = sorted(at for at in st.session_state.get(SESSION_KEY, []) if now - at < SESSION_WINDOW_S)
    if len(recent) < SESSION_LIMIT:
        return 0.0
    return max(0.0, recent[len(recent) - SESSION_LIMIT] + SESSION_WINDOW_S - now)


def address_wait(count: int, last: float, at: float) -> float:
    """The store's wait rule for an address (``count`` enquiries, the last at ``last``): none for the
    first :data:`ADDRESS_FREE`, then one per :data:`ADDRESS_EVERY_S` after the last."""
    if count < ADDRESS_FREE:
        return 0.0
    return max(0.0, last + ADDRESS_EVERY_S - at)


def reserve_address(address: str, at: float) -> float:
    """Count an enquiry from ``address`` at ``at`` in the store in one step: the seconds to wait
    (nothing counted), or 0 with the enquiry counted."""
    from geodata.storage import open_store

    return open_store(_location()).reserve_login(ADDRESS_KEY.format(address), at, address_wait)


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _precheck(enterprise_name, credit_code, contact_name, phone, email, message, picked) -> None:
    """The domain's own checks of what a visitor typed, before the address is counted (a typo costs
    no quota); the credit code with its reason in both languages."""
    from geodata.stewardship import enquiry_input as check

    try:
        check.text(enterprise_name, "enterprise name", MAX_NAME, required=True, name=True)
        if str(credit_code or "").strip() and (problem := credit_code_check(credit_code)):
            raise Refused("pt_err_credit", "credit_code", reason=Pair(problem["zh"], problem["en"]))
        check.check_contact(contact_name, phone, email)
        check.text(message, "message", MAX_MESSAGE)
        check.check_ids(picked, "picked units or carriers")
    except SpaceMapError as exc:
        raise refusal(str(exc)) from None


def submit(need, *, enterprise_name, credit_code, contact_name, contact_phone, contact_email, message, picked,
           consent: bool, lang: str, now: float | None = None) -> dict:
    """Send an anonymous visitor's enquiry (channel and who "portal"), with the consent text shown in
    ``lang`` and its version; ``{"ref", "due_at"}``. Checks consent, this session's limit, the
    fields, then counts the address (:func:`client_address`; unknown: not counted) and writes.

    Raises
    ------
    Refused
        No consent, a limit reached (with the minutes to wait), a field the domain refuses.
    """
    from geodata.stewardship import market

    now = time.time() if now is None else now
    if consent is not True:
        raise Refused("pt_err_consent")
    if wait := session_wait(now):
        raise Refused("pt_err_session_limit", n=SESSION_LIMIT, minutes=_minutes(wait))
    picked = list(picked or ())
    _precheck(enterprise_name, credit_code, contact_name, contact_phone, contact_email, message, picked)
    address = client_address()
    if address is not None and (wait := reserve_address(address, now)):
        raise Refused("pt_err_address_limit", minutes=_minutes(wait))
    try:
        result = market.submit_enquiry(
            need, enterprise_name=enterprise_name, contact_name=contact_name, contact_phone=contact_phone or None,
            contact_email=contact_email or None, credit_code=credit_code or None, picked=picked,
            message=message or None, consent=True, consent_version=consent_version(),
            consent_text=consent_text(lang), location=_location())
    except StoreBusyError:
        raise Refused("pt_err_busy") from None
    except SpaceMapError as exc:
        raise refusal(str(exc)) from None
    st.session_state[SESSION_KEY] = [*st.session_state.get(SESSION_KEY, []), now]
    return {"ref": result["ref"], "due_at": result["due_at"]}


@st.cache_data(show_spinner=False)
def _demo(path: str, revision: int) -> str | None:
    from geodata.storage import as_location, read_meta
    from geodata.demo_market import demo_label

    return demo_label(read_meta(as_location(path)))


def demo() -> str | None:
    """What the store's ``demo`` metadata says (a demo store of synthetic data), or None for a real
    store; cached per store revision."""
    from geodata.storage import store_version

    return _demo(*store_version())


# ---- public units: the Match page by unit, the Map's popups and detail panel, the Tally's caption --------
# Public fields only (the catalogue's ``public_fields``: never who added an attachment); read from the
# store snapshot the other pages share, cached per store revision (and scope where it matters); the
# frames and arrays are shared by every session: read-only. The scope's carriers come from
# :mod:`views.data` through the page (this module does not import it: views.data → views.chrome →
# this module would make a cycle).

def _version() -> tuple[str, int]:
    from geodata.storage import store_version

    return store_version()


def _public(frames: dict, key: str):
    from layers.catalogue import get_layer

    frame = frames[key]
    return frame[[f for f in get_layer(key).public_fields if f in frame.columns]]


@st.cache_resource(show_spinner=False, max_entries=4)
def _units(path: str, revision: int):
    from geodata.reports.inventory import store_snapshot

    return _public(store_snapshot(path, revision)[0], "units")


def has_units() -> bool:
    """Whether the store lists any unit (the bundled store lists none: the pages then stay as they were)."""
    return bool(len(_units(*_version())))


@st.cache_resource(show_spinner=False, max_entries=8)
def _unit_candidates(path: str, revision: int, scope: str, _carrier_cands):
    from spatial.unit_match import unit_candidate_arrays

    return unit_candidate_arrays(_carrier_cands, _units(path, revision))


def unit_candidates(carrier_cands, scope: str):
    """The matching rows of unit-level matching for ``scope`` (its available units, then its carriers
    listing no unit): one shared, read-only object per store revision and scope. ``carrier_cands``:
    the scope's carrier arrays (``views.data.candidates()``)."""
    return _unit_candidates(*_version(), scope, carrier_cands)


@st.cache_data(show_spinner=False, max_entries=16)
def _supply(path: str, revision: int, scope: str, today_iso: str, _carriers):
    from datetime import date

    import numpy as np

    from spatial.supply import unit_supply

    units = _units(path, revision)
    out = unit_supply(_carriers, units, today=date.fromisoformat(today_iso))
    let = units.loc[units["status"] == "let", "carrier_id"].astype(str).value_counts()
    out["units_let"] = np.asarray([int(let.get(i, 0)) for i in out["id"]], dtype="int64")
    return out


def supply(carriers, scope: str, today) -> pd.DataFrame:
    """Per carrier of ``carriers`` (the scope's, ``views.data.carriers()``) what its units offer
    (:func:`spatial.supply.unit_supply`: available now from units or as stated, and which) and
    ``units_let``, the number of its let units; cached per store revision, scope and day."""
    return _supply(*_version(), scope, today.isoformat(), carriers)


def supply_counts(carriers, scope: str, today) -> dict[str, int]:
    """How many carriers of the scope have their available area from units, as stated, or unknown."""
    basis = supply(carriers, scope, today)["available_basis"]
    return {"units": int((basis == "units").sum()), "stated": int((basis == "stated").sum()),
            "unknown": int(basis.isna().sum())}


def carrier_units(carrier_id: str, today) -> list[dict]:
    """The available units of one carrier, public fields and ``stale`` (not verified for over
    :data:`layers.market_catalogue.UNIT_STALE_DAYS` days), by building, floor and unit."""
    from spatial.supply import unit_is_stale

    units = _units(*_version())
    mine = units.loc[(units["carrier_id"].astype(str) == str(carrier_id)) & (units["status"] == "available")]
    mine = mine.sort_values(["building", "floor", "unit_label", "id"], na_position="last")
    rows = _records(mine)
    for row, stale in zip(rows, unit_is_stale(mine["verified_on"].to_numpy(dtype=object), today)):
        row["stale"] = bool(stale)
    return rows


def _records(frame) -> list[dict]:
    def plain(v):
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        return v.item() if hasattr(v, "item") else v
    return [{k: plain(v) for k, v in r.items()} for r in frame.to_dict("records")]


@st.cache_resource(show_spinner=False, max_entries=4)
def _attachments(path: str, revision: int):
    from geodata.reports.inventory import store_snapshot
    from geodata.stewardship.units import PUBLIC_ATTACHMENT_FIELDS

    listed = _public(store_snapshot(path, revision)[0], "unit_attachments")
    live = listed.loc[~listed["removed"].fillna(False).astype(bool)]
    return live[list(PUBLIC_ATTACHMENT_FIELDS)].sort_values(["unit_id", "id"])


def attachments(unit_ids) -> list[dict]:
    """The live attachments of the units ``unit_ids``, their public list only (id, unit_id, file
    name, type, size: never their bytes, nor who added them)."""
    listed = _attachments(*_version())
    return _records(listed.loc[listed["unit_id"].astype(str).isin({str(i) for i in unit_ids})])
