"""Enquiries (staff): the lists — mine, due today, overdue, every open one, those with new units
that fit, all — and one enquiry's detail (the need in words, the units picked, the contact, the
consent, the screening with its reasons, the history, the lease) with the pipeline's actions: move
to an allowed stage with a note, shortlist or offer units, sign, close with a reason, undo the last
step, and (admins) erase the personal data on request. Every step names the row version the
staffer saw: a change by somebody else meanwhile is refused with a message, never overwritten."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import streamlit as st

from layers.vocab import CLOSE_REASONS, ENQUIRY_CHANNELS, ENQUIRY_STAGES
from messages import problem_text, t
from spatial.errors import ConflictError, SpaceMapError
from spatial.need import need_from_dict
from spatial.pipeline import CLOSED, allowed_moves
from views import market_data, session
from views.chrome import current_lang, flash, show_flash
from views.tables import html_table, md, md_escape

PAGE_ROWS = 50
"""Rows of a list shown at a time (the rest a page further: the list may hold 100,000)."""
FORM = "w_enq_f_"
"""Prefix of the action form's widget keys (cleared after a step)."""
SEEN = "w_enq_seen"
FLASH = "w_enq_flash"
CURRENT = "w_enq_ref"
LISTS = ("mine", "due_today", "overdue", "open", "fits", "all")
"""The lists: assigned to me, due today, overdue, every open one, those with new units that fit, all."""


def when(stamp) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM`` in Shenzhen time ('' when blank)."""
    if stamp is None or stamp != stamp or not str(stamp).strip():
        return ""
    try:
        at = pd.Timestamp(str(stamp))
    except ValueError:
        return str(stamp)
    at = at.tz_localize("UTC") if at.tzinfo is None else at
    return at.tz_convert(market_data.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def stage_label(code, lang: str) -> str:
    return ENQUIRY_STAGES[code].label(lang) if code in ENQUIRY_STAGES else ("" if code is None else str(code))


def _flash(kind: str, text: str) -> None:
    flash(FLASH, kind, text)


def _show_flash() -> None:
    show_flash(FLASH)


# ---- the lists ------------------------------------------------------------------------------------

def list_masks(table: pd.DataFrame, *, who: str, at: datetime | None = None) -> dict[str, np.ndarray]:
    """One row mask per list of :data:`LISTS` but ``fits`` (mine: open and assigned to ``who``; due
    today: open, due later today; overdue: open and past its due time; open; all)."""
    at = at or datetime.now(timezone.utc)
    stamp = at.astimezone(timezone.utc).isoformat(timespec="seconds")
    due = table["due_at"].astype("string")
    is_open = table["is_open"].to_numpy(dtype=bool)
    overdue = (due.notna() & (due < stamp)).to_numpy(dtype=bool) & is_open
    return {"mine": is_open & (table["assigned_to"] == who).to_numpy(dtype=bool),
            "due_today": is_open & ~overdue & (table["due_day"] == market_data.local_day(at)).to_numpy(dtype=bool),
            "overdue": overdue, "open": is_open, "all": np.ones(len(table), dtype=bool)}


def filter_enquiries(table: pd.DataFrame, mask: np.ndarray, *, stage: str | None = None,
                     search: str = "") -> pd.DataFrame:
    """The rows of ``mask`` in ``stage`` whose reference or enterprise name holds ``search``."""
    keep = np.array(mask, dtype=bool)
    if stage:
        keep &= (table["stage"] == stage).to_numpy(dtype=bool)
    text = (search or "").strip()
    if text:
        keep &= (table["id"].astype(str).str.contains(text, case=False, regex=False)
                 | table["enterprise_name"].astype(str).str.contains(text, case=False, regex=False)).to_numpy()
    return table.loc[keep]



def list_rows(rows: pd.DataFrame, lang: str, fits: pd.DataFrame | None = None) -> tuple[list[str], list[list]]:
    """Headers and rows of an enquiry list in ``lang`` (with the new units that fit, for that list)."""
    headers = [t("e_col_ref", lang), t("e_col_submitted", lang), t("e_col_enterprise", lang),
               t("e_col_stage", lang), t("e_col_assigned", lang), t("e_col_due", lang)]
    body = [[r.id, when(r.submitted_at), r.enterprise_name, stage_label(r.stage, lang), r.assigned_to or "",
             (when(r.due_at) + (" ⚠ " + t("e_overdue", lang) if r.overdue else "")) if r.is_open else ""]
            for r in rows.itertuples(index=False)]
    if fits is not None:
        found = dict(zip(fits["id"], fits["units"]))
        labels = market_data.unit_labels({u for r in rows["id"] for u in found.get(r, [])[:2]}, lang)
        headers.append(t("e_col_fits", lang))
        for line, ref in zip(body, rows["id"]):
            units = found.get(ref, [])
            line.append(f"{len(units)}: " + t("e_sep", lang).join(labels.get(u, u) for u in units[:2]))
    return headers, body


def _paged(rows: pd.DataFrame, lang: str, key: str) -> pd.DataFrame:
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = pages
    c1, c2 = st.columns([1, 4], vertical_alignment="bottom") if pages > 1 else (None, st)
    page = int(c1.number_input(t("e_page", lang, pages=pages), 1, pages, key=key)) if pages > 1 else 1
    first = (page - 1) * PAGE_ROWS
    c2.caption(t("e_showing", lang, first=min(first + 1, len(rows)), last=min(first + PAGE_ROWS, len(rows)),
                 n=f"{len(rows):,}"))
    return rows.iloc[first:first + PAGE_ROWS]


def _lists(lang: str, who: str) -> str | None:
    table = market_data.enquiries()
    masks = list_masks(table, who=who)
    counts = {k: int(m.sum()) for k, m in masks.items()}
    if st.session_state.get("w_enq_list") not in LISTS:  # first the list with work in it
        st.session_state["w_enq_list"] = next((k for k in ("mine", "overdue", "due_today") if counts[k]), "open")
    kind = st.radio(t("e_list", lang), LISTS, horizontal=True, key="w_enq_list",
                    format_func=lambda k: t(f"e_list_{k}", lang) + (f" ({counts[k]:,})" if k in counts else ""))
    c1, c2 = st.columns(2)
    stage = c1.selectbox(t("e_col_stage", lang), [None, *ENQUIRY_STAGES], key="w_enq_stage",
                         format_func=lambda s: t("e_any_stage", lang) if s is None else stage_label(s, lang))
    search = c2.text_input(t("e_search", lang), key="w_enq_search", max_chars=80)
    fits = None
    if kind == "fits":
        fits = market_data.new_fits()
        mask = table["id"].isin(set(fits["id"])).to_numpy()
        st.caption(t("e_fits_note", lang, n=f"{min(counts['open'], market_data.FIT_ENQUIRIES):,}"))
    else:
        mask = masks[kind]
    rows = filter_enquiries(table, mask, stage=stage, search=search)
    rows = rows.assign(overdue=masks["overdue"][table.index.get_indexer(rows.index)])
    if kind in ("due_today", "overdue"):  # the most pressing first
        rows = rows.sort_values("due_at", kind="stable")
    if not len(rows):
        st.caption(t("e_none", lang))
        return st.session_state.get(CURRENT)
    shown = _paged(rows, lang, "w_enq_page")
    st.html(html_table(*list_rows(shown, lang, fits), max_height=420))
    names = dict(zip(shown["id"], shown["enterprise_name"]))
    current = st.session_state.get(CURRENT)
    options = list(dict.fromkeys(([current] if current else []) + list(shown["id"])))
    if current is not None and current not in names:
        names[current] = next(iter(table.loc[table["id"] == current, "enterprise_name"]), "")
    if st.session_state.get("w_enq_pick") not in options:
        st.session_state["w_enq_pick"] = options[0]
    picked = st.selectbox(t("e_pick", lang), options, key="w_enq_pick", format_func=lambda r: f"{r} · {names.get(r, '')}")
    st.session_state[CURRENT] = picked
    return picked


# ---- one enquiry --------------------------------------------------------------------------------

def need_text(need_json, lang: str) -> list[str]:
    """The need in words, one line per criterion it sets."""
    from layers.report import need_lines

    try:
        need = need_from_dict(json.loads(need_json or "{}"))
    except (ValueError, TypeError):
        return [t("e_need_unreadable", lang)]
    return need_lines(need, lang, {}) or [t("e_need_none", lang)]


def screening_text(e: dict, lang: str) -> str:
    """Eligible / not / undecided, and each rule's reason in ``lang``."""
    verdict = {True: "e_eligible", False: "e_ineligible"}.get(e.get("eligible"), "e_undecided")
    try:
        reasons = json.loads(e.get("screening") or "[]")
    except ValueError:
        reasons = []
    marks = {True: "✓", False: "✗", None: "?"}
    lines = [f"{marks.get(r.get('ok'), '?')} {r.get(lang) or r.get('en') or ''}" for r in reasons]
    return t("e_sep", lang).join([t(verdict, lang), *lines]) if e.get("screening") is not None else t("e_not_screened", lang)


def detail_rows(e: dict, lang: str) -> list[list[str]]:
    """(label, value) rows of one enquiry (staff: with the contact)."""
    picked = [p for p in str(e.get("picked") or "").split(";") if p]
    labels = market_data.unit_labels(picked, lang)
    if e.get("erased_at"):
        contact = t("e_erased", lang, at=when(e["erased_at"]))
    else:
        contact = " · ".join(str(v) for v in (e.get("contact_name"), e.get("contact_phone"), e.get("contact_email")) if v)
    channel = ENQUIRY_CHANNELS[e["channel"]].label(lang) if e.get("channel") in ENQUIRY_CHANNELS else e.get("channel")
    stage = stage_label(e["stage"], lang) + (f" · {CLOSE_REASONS[e['close_reason']].label(lang)}"
                                             if e.get("close_reason") in CLOSE_REASONS else "")
    sep = t("e_sep", lang)
    rows = [("e_col_stage", stage + t("e_since", lang, at=when(e.get("stage_at")))),
            ("e_col_assigned", e.get("assigned_to") or ""), ("e_col_due", when(e.get("due_at"))),
            ("e_col_enterprise", " · ".join(str(v) for v in (e.get("enterprise_name"), e.get("credit_code")) if v)),
            ("e_channel", f"{channel} · {when(e.get('submitted_at'))}"),
            ("e_need", sep.join(need_text(e.get("need_json"), lang))),
            ("e_picked", sep.join(labels[p] for p in picked)), ("e_message", e.get("message") or ""),
            ("e_contact", contact),
            ("e_consent", t("e_consent_value", lang, version=e.get("consent_version") or "",
                            at=when(e.get("consent_at")))),
            ("e_screening", screening_text(e, lang))]
    return [[t(k, lang), v] for k, v in rows]


def history_rows(e: dict, lang: str) -> list[list[str]]:
    """When, who, from → to, note (an undone step marked) for each step of the enquiry."""
    return [[when(h["at"]), h["who"], f"{stage_label(h.get('from_stage'), lang) or '—'} → {stage_label(h['to_stage'], lang)}",
             (h.get("note") or "") + (f" ({t('e_undone_mark', lang)})" if h.get("undone_by") else "")]
            for h in e["history"]]


def _show(e: dict, lang: str) -> None:
    st.subheader(md_escape(f"{e['id']} · {e['enterprise_name']}"))
    st.html(html_table([t("e_field", lang), t("e_value", lang)], detail_rows(e, lang), css_class="carrier-detail"))
    st.markdown(f"**{t('e_history', lang)}**")
    st.html(html_table([t("e_col_when", lang), t("e_col_who", lang), t("e_col_move", lang), t("e_note", lang)],
                       history_rows(e, lang)))
    for lease in e["leases"]:
        units = [u for u in str(lease.get("unit_ids") or "").split(";") if u]
        st.markdown(f"**{t('e_lease', lang)}**")
        st.html(html_table([t("e_field", lang), t("e_value", lang)], [
            [t("e_lease_units", lang), t("e_sep", lang).join(market_data.unit_labels(units, lang).values())],
            [t("e_lease_area", lang), f"{float(lease['area_m2']):,.1f}"],
            [t("e_lease_rent", lang), "" if lease.get("rent_cny_m2_month") is None else f"{lease['rent_cny_m2_month']:,.1f}"],
            [t("e_lease_term", lang), f"{lease.get('start') or ''} – {lease.get('end') or ''}"],
            [t("e_lease_signed", lang), f"{when(lease.get('signed_at'))} · {lease.get('signed_by') or ''}"],
            [t("e_lease_moved_in", lang), when(lease.get("moved_in_at"))]], css_class="carrier-detail"))


# ---- the actions ---------------------------------------------------------------------------------

def _write(lang: str, ref: str, action, done: str) -> None:
    """Run a write; on success or conflict show the page again with the message."""
    seen = st.session_state.setdefault(SEEN, {})
    try:
        action()
    except ConflictError:
        seen.pop(ref, None)  # show what is there now; the staffer decides again
        _flash("error", t("e_conflict", lang, ref=ref))
    except SpaceMapError as exc:
        st.error(md("e_refused", lang, why=problem_text(str(exc), lang)))
        return
    else:
        seen.pop(ref, None)
        for key in [k for k in st.session_state if str(k).startswith(FORM)]:
            del st.session_state[key]
        _flash("success", done)
    st.rerun()


def _step_inputs(lang: str, e: dict, to: str) -> dict:
    """The inputs the move to ``to`` needs: units, a lease, a close reason."""
    ref, values = e["id"], {}
    if to in ("shortlisted", "offer", "signed"):
        choices = market_data.unit_choices(ref, e.get("need_json"), e.get("picked"))
        if to == "shortlisted":  # a carrier the enterprise picked may be shortlisted as a whole
            choices = [p for p in str(e.get("picked") or "").split(";") if p and p in market_data.names()] + choices
        held = market_data.held_units(ref)
        labels = market_data.unit_labels(choices, lang)
        values["units"] = st.multiselect(t("e_units", lang), choices, default=[u for u in held if u in choices],
                                         format_func=labels.get, key=f"{FORM}units_{ref}_{to}",
                                         placeholder=t("e_units_placeholder", lang), help=t("e_units_help", lang))
    if to == "signed":
        table = market_data.units()
        total = float(table.loc[table["id"].isin(values["units"]), "area_m2"].sum())
        c1, c2, c3, c4 = st.columns(4)
        values["area"] = c1.number_input(t("e_lease_area", lang), min_value=0.0, value=None, step=10.0,
                                         key=f"{FORM}area_{ref}", placeholder=t("e_area_sum", lang, area=f"{total:,.1f}"))
        values["rent"] = c2.number_input(t("e_lease_rent", lang), min_value=0.0, value=None, key=f"{FORM}rent_{ref}")
        values["start"] = c3.date_input(t("e_lease_start", lang), value=None, key=f"{FORM}start_{ref}")  # a contract date: typed, never today by default
        values["end"] = c4.date_input(t("e_lease_end", lang), value=None, key=f"{FORM}end_{ref}")
    if to == CLOSED:
        values["reason"] = st.selectbox(t("e_close_reason", lang), list(CLOSE_REASONS), key=f"{FORM}reason_{ref}",
                                        format_func=lambda c: CLOSE_REASONS[c].label(lang))
    return values


def _move(lang: str, e: dict, who: str, seen: int) -> None:
    ref = e["id"]
    moves = allowed_moves(e["stage"])
    if not moves:
        st.caption(t("e_ended", lang))
        return
    c1, c2 = st.columns([1, 2])
    to = c1.selectbox(t("e_move_to", lang), moves, key=f"{FORM}to_{ref}", format_func=lambda s: stage_label(s, lang))
    note = c2.text_input(t("e_note", lang), key=f"{FORM}note_{ref}", max_chars=1000)
    values = _step_inputs(lang, e, to)
    if st.button(t("e_move_button", lang, stage=stage_label(to, lang)), key="w_enq_move", type="primary"):
        def act():
            lease = None
            if to == "signed":
                lease = market_data.lease(values["units"], area=values["area"], rent=values["rent"],
                                          start=values["start"], end=values["end"])
            return market_data.advance(ref, to, who=who, expected_version=seen, note=note or None,
                                       units=values.get("units", ()), lease=lease, reason=values.get("reason"))
        _write(lang, ref, act, t("e_moved", lang, ref=ref, stage=stage_label(to, lang)))


def _actions(lang: str, e: dict, who: str) -> None:
    ref = e["id"]
    seen = st.session_state.setdefault(SEEN, {}).setdefault(ref, int(e.get("row_version") or 1))
    st.markdown(f"**{t('e_actions', lang)}**")
    st.caption(t("e_version", lang, version=seen))
    _show_flash()
    _move(lang, e, who, seen)
    c1, c2 = st.columns(2)
    if c1.button(t("e_undo", lang), key="w_enq_undo", help=t("e_undo_help", lang)):
        _write(lang, ref, lambda: market_data.undo_step(ref, who=who), t("e_undone", lang, ref=ref))
    if session.allowed("admin") and not e.get("erased_at"):
        with c2.expander(t("e_erase", lang)):
            sure = st.checkbox(t("e_erase_confirm", lang), key=f"{FORM}erase_ok_{ref}")
            if st.button(t("e_erase_button", lang), key="w_enq_erase", disabled=not sure):
                _write(lang, ref, lambda: market_data.erase_personal_data(ref, who=who), t("e_erased_done", lang))


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_enquiries", lang))
    if not session.allowed("staff"):
        st.info(t("staff_only", lang))
        return
    st.caption(t("e_intro", lang))
    who = session.who()
    ref = _lists(lang, who)
    if ref is None:
        _show_flash()
        return
    try:
        e = market_data.enquiry(ref)
    except SpaceMapError:
        st.session_state.pop(CURRENT, None)
        st.info(t("e_gone", lang, ref=ref))
        return
    _show(e, lang)
    _actions(lang, e, who)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
