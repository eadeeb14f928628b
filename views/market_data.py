"""The market's page-data module: cached reads for the staff pages — enquiries and the pipeline, the
funnel, units and attachments — by store revision (big tables once per revision, shared read-only,
filtered with pandas: never copied per run), and the writes, each with the acting account as ``who``,
that drop the cached reads (:func:`views.data.forget`)."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import streamlit as st

from geodata.storage import as_location, store_version
from spatial.pipeline import ENDS
from views import data

LOCAL_TZ = "Asia/Shanghai"
"""Shenzhen's time zone: "due today" is a day there; the pages show times in it."""
FIT_ENQUIRIES = 2_000
"""At most this many open enquiries (the most recently moved) are checked for new units that fit."""


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("string").str.strip() == "")


def _version() -> tuple[str, int]:
    return store_version()


def _snapshot():
    from geodata.reports.inventory import store_snapshot

    return store_snapshot(*_version())


def local_day(at: datetime | None = None) -> str:
    """The date in Shenzhen at ``at`` (default now), ISO."""
    return pd.Timestamp(at or datetime.now(timezone.utc)).tz_convert(LOCAL_TZ).strftime("%Y-%m-%d")


# ---- enquiries ---------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=3)
def _enquiries(path: str, revision: int) -> pd.DataFrame:
    from geodata.stewardship.market import list_enquiries

    table = list_enquiries(as_location(path))
    due = pd.to_datetime(table["due_at"], utc=True, errors="coerce", format="ISO8601")
    return table.assign(due_day=due.dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m-%d").astype(object),
                        is_open=~table["stage"].isin(ENDS))


def enquiries() -> pd.DataFrame:
    """Every enquiry, newest first (read-only: shared by the sessions), with ``due_day`` (the due
    date in Shenzhen) and ``is_open`` (not moved in or closed)."""
    return _enquiries(*_version())


def _plain(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else
                 (v.item() if hasattr(v, "item") else v)) for k, v in r.items()} for r in frame.to_dict("records")]


@st.cache_data(show_spinner=False, max_entries=64)
def _enquiry(path: str, revision: int, ref: str) -> dict:
    """As :func:`geodata.stewardship.market.enquiry` (history in time order), from this revision's tables."""
    from spatial.errors import SpaceMapError

    table, frames = _enquiries(path, revision), _snapshot()[0]
    row = table.loc[table["id"] == ref].drop(columns=["overdue", "due_day", "is_open"])
    if not len(row):
        raise SpaceMapError(f"no enquiry {ref}")
    events, leases = frames["enquiry_events"], frames["leases"]
    out = _plain(row)[0]
    out["history"] = _plain(events.loc[events["enquiry_id"] == ref].sort_values(["at", "id"]).drop(columns=["details"]))
    out["leases"] = _plain(leases.loc[leases["enquiry_id"] == ref])
    return out


def enquiry(ref: str) -> dict:
    """One enquiry with its ``history`` and ``leases`` (staff only: it holds personal data)."""
    return _enquiry(*_version(), str(ref))


def names() -> dict[str, tuple[str, str]]:
    """``{carrier id: (Chinese name, English name)}`` of every carrier (all of Shenzhen)."""
    carriers = _snapshot()[1]
    return dict(zip(carriers["id"].astype(str), zip(carriers["name_zh"], carriers["name_en"])))


def units() -> pd.DataFrame:
    """Every unit (read-only)."""
    return _snapshot()[0]["units"]


def unit_labels(ids, lang: str) -> dict[str, str]:
    """``{id: label}`` for units (carrier · building floor unit · area) or carriers among ``ids``."""
    ids = [str(i) for i in ids]
    table = units()
    rows = table.loc[table["id"].astype(str).isin(ids)]
    carrier = names()
    pick = 0 if lang == "zh" else 1
    out = {}
    for r in rows.itertuples(index=False):
        where = " ".join(str(v) for v in (r.building, r.floor, r.unit_label) if isinstance(v, str) and v)
        owner = carrier.get(str(r.carrier_id), (r.carrier_id, r.carrier_id))[pick]
        out[str(r.id)] = f"{owner} · {where} · {r.area_m2:,.0f} m²"
    for i in ids:
        if i not in out and i in carrier:
            out[i] = carrier[i][pick]
    return {i: out.get(i, i) for i in ids}


# ---- new units that fit open enquiries -------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=2)
def _unit_rows(path: str, revision: int):
    """The available units as unit-matching rows (:mod:`spatial.unit_match`), sorted by verified_on."""
    from geodata.reports.inventory import store_snapshot
    from spatial.match import candidate_arrays
    from spatial.unit_match import unit_candidate_arrays

    frames, carriers = store_snapshot(path, revision)
    uc = unit_candidate_arrays(candidate_arrays(carriers.reset_index(drop=True)), frames["units"])
    rows = np.flatnonzero(uc.is_unit)
    verified = uc.units["verified_on"].astype(str).to_numpy(dtype=object)[uc.unit_row[rows]].astype(str)
    order = np.argsort(verified, kind="stable")
    return uc, rows[order], verified[order]


def _fitting(need_json, since: str | None = None, top: int = 100) -> list[str]:
    """Available units that fit the need (single units, :func:`spatial.unit_match.match_units`),
    verified on or after ``since`` (ISO date) when given, best first."""
    from spatial.match import take_candidates
    from spatial.need import need_from_dict
    from spatial.unit_match import UnitCandidates, match_units

    try:
        need = need_from_dict(json.loads(need_json or "{}"))
    except (ValueError, TypeError):
        return []
    if need.validate():
        return []
    uc, rows, verified = _unit_rows(*_version())
    if since:
        rows = rows[np.searchsorted(verified, since):]
    area, rent = uc.cands.available[rows], uc.cands.rent[rows]  # a quick cut before scoring
    keep = np.ones(len(rows), dtype=bool)
    if need.area_min is not None:
        keep &= area >= need.area_min
    if need.area_max is not None:
        keep &= area <= need.area_max
    if need.max_rent is not None:
        keep &= np.isnan(rent) | (rent <= need.max_rent)
    rows = rows[keep]
    if not len(rows):
        return []
    sub = UnitCandidates(take_candidates(uc.cands, rows), uc.key[rows], uc.unit_row[rows], uc.units)
    result = match_units(sub, need, top=top, explain=False)
    return [str(sub.key[i]) for i in result.order if result.passing[i]]


@st.cache_data(show_spinner=False, max_entries=4)
def _fits(path: str, revision: int, day: str) -> pd.DataFrame:
    table = _enquiries(path, revision)
    checked = table.loc[table["is_open"].to_numpy(dtype=bool)].sort_values("stage_at", ascending=False)
    rows = []
    for ref, stage_at, need_json in checked.head(FIT_ENQUIRIES)[["id", "stage_at", "need_json"]].itertuples(
            index=False):
        found = _fitting(need_json, since=str(stage_at)[:10])
        if found:
            rows.append({"id": ref, "units": found, "count": len(found)})
    return pd.DataFrame(rows, columns=["id", "units", "count"])


def held_units(ref: str) -> list[str]:
    """The units of the enquiry's latest live shortlist, offer or lease (the defaults of the next step)."""
    events = _snapshot()[0]["enquiry_events"]
    mine = events.loc[(events["enquiry_id"].astype(str) == str(ref)) & _blank(events["undone_by"])
                      & events["to_stage"].isin(["shortlisted", "offer", "signed"])].sort_values(["at", "id"])
    for details in mine["details"].iloc[::-1]:
        try:
            found = json.loads(details or "{}").get("units") or []
        except ValueError:
            continue
        if found:
            return [str(u) for u in found]
    return []


def unit_choices(ref: str, need_json: str | None, picked: str | None, limit: int = 200) -> list[str]:
    """Units to offer a staffer for an enquiry's next step: those it holds or picked, the available
    units of the carriers it picked, and the available units that fit its need (best first)."""
    table = units()
    chosen = [p for p in str(picked or "").split(";") if p]
    first = held_units(ref) + [p for p in chosen if p in set(table["id"].astype(str))]
    owners = set(chosen) | set(table.loc[table["id"].astype(str).isin(first), "carrier_id"].astype(str))
    free = table.loc[table["status"] == "available"]
    nearby = free.loc[free["carrier_id"].astype(str).isin(owners), "id"].astype(str).tolist()
    return list(dict.fromkeys(first + nearby[:limit] + _fitting(need_json)))[:max(limit, len(first))]


def new_fits() -> pd.DataFrame:
    """Open enquiries with units that fit them and were verified (or added) since the enquiry's last
    step: ``id``, ``units`` (best first), ``count``; of the :data:`FIT_ENQUIRIES` most recently moved."""
    return _fits(*_version(), local_day())


# ---- pipeline writes ---------------------------------------------------------------------------------

def _changed(result):
    data.forget()
    return result


def advance(ref: str, to: str, *, who: str, expected_version: int | None, note=None, units=(), lease=None,
            reason: str | None = None) -> dict:
    """Move an enquiry to ``to``; a change since ``expected_version`` (the row version the staffer saw)
    is a :class:`spatial.errors.ConflictError`, nothing written."""
    from geodata.stewardship.market import advance as move

    return _changed(move(ref, to, by=who, expected_version=expected_version, note=note, units=units, lease=lease,
                         reason=reason, location=data.store()))


def lease(unit_ids, *, area: float | None, rent: float | None, start: date | None, end: date | None):
    """A lease of ``unit_ids`` (one carrier; the area defaults to the units' sum)."""
    from geodata.stewardship.market import lease_of

    return lease_of(";".join(unit_ids), carrier=None, area=area, rent=rent, start=start and start.isoformat(),
                    end=end and end.isoformat(), location=data.store())


def undo_step(ref: str, *, who: str) -> dict:
    """Reverse the enquiry's latest step (audited)."""
    from geodata.stewardship.market import undo_step as undo

    return _changed(undo(ref, by=who, location=data.store()))


def erase_personal_data(ref: str, *, who: str) -> dict:
    """Remove the enquiry's contact and message on request (audited, not undoable)."""
    from geodata.stewardship.market import erase_personal_data as erase

    return _changed(erase(ref, by=who, location=data.store()))


# ---- the funnel ---------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=32)
def _funnel(path: str, revision: int, start: date | None, end: date | None, by: str | None) -> dict:
    from geodata.reports.market import funnel_report

    frames, carriers = _snapshot()
    return funnel_report(frames, carriers, start=start, end=end, by=by)


def funnel(start: date | None, end: date | None, by: str | None) -> dict:
    """:func:`geodata.reports.market.funnel_report` of the enquiries submitted ``start`` … ``end``, cached."""
    return _funnel(*_version(), start, end, by)


def group_names(by: str | None, lang: str) -> dict[str, str]:
    """Readable names of the funnel's groups (clusters, industries, carriers) in ``lang``."""
    from layers.vocab import INDUSTRIES

    pick = 0 if lang == "zh" else 1
    if by == "industry":
        return {k: v.label(lang) for k, v in INDUSTRIES.items()}
    if by == "carrier":
        return {k: v[pick] for k, v in names().items()}
    if by == "cluster":
        clusters = _snapshot()[0]["clusters"]
        return dict(zip(clusters["id"].astype(str), clusters["name_zh" if lang == "zh" else "name_en"]))
    return {}


# ---- units and attachments -----------------------------------------------------------------------------

def account(name: str) -> dict | None:
    """The enabled account ``name`` with its role and the carriers it runs (operators), or None."""
    for a in data.accounts():
        if a["name"] == name and not a["disabled"]:
            return {"name": a["name"], "role": a["role"], "carriers": list(a.get("carriers") or [])}
    return None


def units_of(acting: dict | None, *, today: date | None = None) -> pd.DataFrame:
    """The units ``acting`` may see (an operator: its carriers'; staff and up: every one), with
    ``stale`` (not verified for more than :data:`layers.market_catalogue.UNIT_STALE_DAYS` days)."""
    from geodata.stewardship.accounts import allows
    from layers.market_catalogue import UNIT_STALE_DAYS

    table = units()
    if not acting:
        return table.iloc[0:0].assign(stale=pd.Series(dtype=bool))
    if not allows(acting["role"], "staff"):  # an operator: its own carriers' units only
        table = table.loc[table["carrier_id"].astype(str).isin(set(acting.get("carriers") or ()))]
    limit = ((today or data.today()) - timedelta(days=UNIT_STALE_DAYS)).isoformat()
    verified = table["verified_on"].astype("string")
    return table.assign(stale=(verified.isna() | (verified < limit)).to_numpy(dtype=bool))


def may_edit(acting: dict | None, carrier_id) -> bool:
    """Whether ``acting`` may change the units of carrier ``carrier_id`` (editors, admins; its operator)."""
    from geodata.stewardship.accounts import may_edit_units_of

    return may_edit_units_of(acting, carrier_id)


def edit_unit(unit_id: str, values: dict, *, reason: str, who: str, acting: dict,
              expected_version: int | None) -> dict:
    """Correct fields of a unit with a reason (audited, undoable; conflicts and others' carriers refused)."""
    from geodata.stewardship.units import edit_unit as edit

    return _changed(edit(unit_id, values, reason=reason, who=who, account=acting, expected_version=expected_version,
                         location=data.store()))


def undo_unit_change(*, who: str, acting: dict) -> dict:
    """Reverse the latest unit edit or attachment change. An operator only its own, of a carrier it
    runs (never another account's work: :class:`PermissionError` naming who made it); editors and
    admins any."""
    from geodata.ingest.schema import is_blank
    from geodata.stewardship.accounts import allows, may_edit_units_of
    from geodata.stewardship.commits import UNDOABLE, undo_last
    from geodata.storage import open_store
    from spatial.errors import SpaceMapError

    layers = ("units", "unit_attachments")
    if not allows(acting.get("role"), "editor"):
        store = open_store(data.store())
        audit = store.read_layer("audit_log")
        live = audit.loc[audit["action"].isin(UNDOABLE) & audit["undone_by"].map(is_blank) & audit["layer"].isin(layers)]
        if not len(live):
            raise SpaceMapError("nothing to undo")
        last = live.iloc[-1]
        ids = [str(i) for i in json.loads(last["changes"] or "{}").get("ids", [])]
        if last["layer"] == "unit_attachments":
            listed = store.read_layer("unit_attachments", ids=ids)
            ids = [str(u) for u in listed["unit_id"]]
        owners = set(store.read_layer("units", ids=ids)["carrier_id"].astype(str)) if ids else set()
        if str(last["who"]) != who or not owners or any(not may_edit_units_of(acting, c) for c in owners):
            raise PermissionError(str(last["who"]))
    return _changed(undo_last(who=who, path=data.store(), layers=layers))


@st.cache_data(show_spinner=False, max_entries=16)
def _attachments(path: str, revision: int, unit_ids: tuple[str, ...]) -> list[dict]:
    from geodata.stewardship.units import attachments_of

    return attachments_of(list(unit_ids), as_location(path), staff=True)


def attachments(unit_ids) -> list[dict]:
    """The live attachments of the units (with sha256, added_at and added_by: staff pages)."""
    return _attachments(*_version(), tuple(sorted(str(i) for i in unit_ids)))


@st.cache_data(show_spinner=False, max_entries=8)
def _attachment(path: str, revision: int, attachment_id: str) -> tuple[dict, bytes]:
    from geodata.stewardship.units import read_attachment

    return read_attachment(attachment_id, as_location(path))


def attachment(attachment_id: str) -> tuple[dict, bytes]:
    """``(meta, bytes)`` of one attachment, its bytes checked against its stored type."""
    return _attachment(*_version(), str(attachment_id))


def add_attachment(unit_id: str, file_name: str, content: bytes, *, who: str, acting: dict) -> dict:
    """Attach a photo (PNG, JPEG) or floor plan (PDF) to a unit, checked by its content (audited)."""
    from geodata.stewardship.units import add_attachment as add

    return _changed(add(unit_id, file_name, content, who=who, account=acting, location=data.store()))


def remove_attachment(attachment_id: str, *, who: str, acting: dict) -> dict:
    """Remove an attachment (audited; undoable)."""
    from geodata.stewardship.units import remove_attachment as remove

    return _changed(remove(attachment_id, who=who, account=acting, location=data.store()))
