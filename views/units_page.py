"""Units: an operator's "My units" (the units of the carriers its account runs), every unit for
editors and admins, and — read only — for staff, who answer enterprises about them. Status, area,
rent, verified on and a stale flag; a correction with a reason (audited, undoable); photos and floor
plans: upload (PNG, JPEG, PDF, checked by their content), view, remove. No enquiry data here."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from layers.market_catalogue import MAX_ATTACHMENT_BYTES, UNIT_STALE_DAYS
from layers.vocab import UNIT_STATUSES, UNIT_USES
from messages import problem_text, t
from spatial.errors import ConflictError, SpaceMapError
from views import market_data, session
from views.chrome import current_lang
from views.tables import html_table, md

PAGE_ROWS = 50
UPLOAD_TYPES = ["png", "jpg", "jpeg", "pdf"]
SEEN = "w_unit_seen"
FLASH = "w_unit_flash"
FORM = "w_unit_f_"


def _iso(value) -> str:
    return "" if value is None or value != value else str(value)[:10]


def _day(value) -> date | None:
    text = _iso(value)
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def unit_rows(rows: pd.DataFrame, lang: str) -> tuple[list[str], list[list]]:
    """Headers and rows of the unit list in ``lang``."""
    names = market_data.names()
    pick = 0 if lang == "zh" else 1
    headers = [t("u_col_id", lang), t("u_col_carrier", lang), t("u_col_unit", lang), t("u_col_area", lang),
               t("u_col_use", lang), t("u_col_status", lang), t("u_col_rent", lang), t("u_col_available", lang),
               t("u_col_verified", lang)]
    body = []
    for r in rows.itertuples(index=False):
        where = " ".join(str(v) for v in (r.building, r.floor, r.unit_label) if isinstance(v, str) and v)
        rent = r.rent_asked_cny_m2_month
        body.append([r.id, names.get(str(r.carrier_id), (r.carrier_id,) * 2)[pick], where, f"{r.area_m2:,.1f}",
                     UNIT_USES[r.use].label(lang) if r.use in UNIT_USES else r.use or "",
                     UNIT_STATUSES[r.status].label(lang) if r.status in UNIT_STATUSES else r.status,
                     "" if rent != rent or rent is None else f"{rent:,.0f}", _iso(r.available_from),
                     _iso(r.verified_on) + (f" ⚠ {t('u_stale', lang)}" if r.stale else "")])
    return headers, body


def _filters(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    names = market_data.names()
    carriers = sorted(set(table["carrier_id"].astype(str)), key=lambda c: names.get(c, (c, c))[0])
    c1, c2, c3, c4 = st.columns([2, 2, 1.4, 2], vertical_alignment="bottom")
    carrier = c1.selectbox(t("u_col_carrier", lang), [None, *carriers], key="w_unit_carrier",
                           format_func=lambda c: t("u_all_carriers", lang) if c is None else
                           names.get(c, (c, c))[0 if lang == "zh" else 1])
    status = c2.multiselect(t("u_col_status", lang), list(UNIT_STATUSES), key="w_unit_status",
                            format_func=lambda s: UNIT_STATUSES[s].label(lang), placeholder=t("u_any_status", lang))
    stale = c3.checkbox(t("u_stale_only", lang), key="w_unit_stale", help=t("u_stale_help", lang, days=UNIT_STALE_DAYS))
    search = c4.text_input(t("u_search", lang), key="w_unit_search", max_chars=60)
    keep = pd.Series(True, index=table.index)
    if carrier:
        keep &= table["carrier_id"].astype(str) == carrier
    if status:
        keep &= table["status"].isin(status)
    if stale:
        keep &= table["stale"]
    if search.strip():
        text = (table["id"].astype(str) + " " + table["building"].fillna("") + " " + table["floor"].fillna("") + " "
                + table["unit_label"].fillna(""))
        keep &= text.str.contains(search.strip(), case=False, regex=False)
    return table.loc[keep]


def _list(table: pd.DataFrame, lang: str) -> str | None:
    rows = _filters(table, lang)
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    if st.session_state.get("w_unit_page", 1) > pages:
        st.session_state["w_unit_page"] = pages
    c1, c2 = st.columns([1, 4], vertical_alignment="bottom") if pages > 1 else (None, st)
    page = int(c1.number_input(t("e_page", lang, pages=pages), 1, pages, key="w_unit_page")) if pages > 1 else 1
    c2.caption(t("u_count", lang, n=f"{len(rows):,}", stale=f"{int(rows['stale'].sum()):,}", days=UNIT_STALE_DAYS))
    if not len(rows):
        return None
    shown = rows.iloc[(page - 1) * PAGE_ROWS:page * PAGE_ROWS]
    st.html(html_table(*unit_rows(shown, lang), numeric={3, 6}, max_height=420))
    labels = market_data.unit_labels(shown["id"], lang)
    return st.selectbox(t("u_pick", lang), list(shown["id"]), key="w_unit_pick", format_func=lambda u: f"{u} · {labels[u]}")


def _result(lang: str, action, done: str, unit_id: str | None = None) -> None:
    """Run a write; show the page again with what happened (a conflict or refusal: why)."""
    try:
        action()
    except ConflictError:
        st.session_state.get(SEEN, {}).pop(unit_id, None)
        st.session_state[FLASH] = ("error", t("u_conflict", lang, unit=unit_id))
    except PermissionError as exc:
        st.error(md("u_undo_not_yours", lang, who=str(exc)))
        return
    except SpaceMapError as exc:
        st.error(md("e_refused", lang, why=problem_text(str(exc), lang)))
        return
    else:
        st.session_state.get(SEEN, {}).pop(unit_id, None)
        for key in [k for k in st.session_state if str(k).startswith(FORM)]:
            del st.session_state[key]
        st.session_state[FLASH] = ("success", done)
    st.rerun()


def changed_values(row: dict, status: str, rent, available: date | None, verified: date | None, notes: str) -> dict:
    """The fields the form changes (ISO dates; blank rent or notes clear them)."""
    new = {"status": status, "rent_asked_cny_m2_month": rent, "available_from": available and available.isoformat(),
           "verified_on": verified and verified.isoformat(), "notes": notes.strip() or None}
    old = {"status": row["status"], "rent_asked_cny_m2_month": None if row["rent_asked_cny_m2_month"] != row[
        "rent_asked_cny_m2_month"] else row["rent_asked_cny_m2_month"], "available_from": _iso(row["available_from"]) or None,
        "verified_on": _iso(row["verified_on"]) or None, "notes": row.get("notes") or None}
    return {k: v for k, v in new.items() if v != old[k]}


def _edit(lang: str, row: dict, who: str, acting: dict) -> None:
    uid = row["id"]
    seen = st.session_state.setdefault(SEEN, {}).setdefault(uid, int(row.get("row_version") or 1))
    with st.form(f"{FORM}form_{uid}"):
        st.markdown(f"**{t('u_edit', lang)}**")
        st.caption(t("e_version", lang, version=seen))
        c1, c2, c3, c4 = st.columns(4)
        status = c1.selectbox(t("u_col_status", lang), list(UNIT_STATUSES), index=list(UNIT_STATUSES).index(row["status"])
                              if row["status"] in UNIT_STATUSES else 0, format_func=lambda s: UNIT_STATUSES[s].label(lang),
                              key=f"{FORM}status_{uid}")
        rent = row["rent_asked_cny_m2_month"]
        rent = c2.number_input(t("u_col_rent", lang), min_value=0.0, value=None if rent != rent else float(rent),
                               key=f"{FORM}rent_{uid}")
        available = c3.date_input(t("u_col_available", lang), value=_day(row["available_from"]), key=f"{FORM}avail_{uid}")
        verified = c4.date_input(t("u_col_verified", lang), value=_day(row["verified_on"]), key=f"{FORM}verified_{uid}")
        notes = st.text_input(t("u_notes", lang), value=row.get("notes") or "", key=f"{FORM}notes_{uid}", max_chars=500)
        reason = st.text_input(t("d_reason", lang), key=f"{FORM}reason_{uid}", max_chars=200)
        if st.form_submit_button(t("u_save", lang)):
            values = changed_values(row, status, rent, available, verified, notes)
            if not values:
                st.error(t("u_nothing", lang))
            elif not reason.strip():
                st.error(t("u_need_reason", lang))
            else:
                _result(lang, lambda: market_data.edit_unit(uid, values, reason=reason, who=who, acting=acting,
                                                            expected_version=seen), t("u_saved", lang, unit=uid), uid)


def _attachments(lang: str, uid: str, who: str, acting: dict, can_edit: bool) -> None:
    st.markdown(f"**{t('u_attachments', lang)}**")
    listed = market_data.attachments([uid])
    if listed:
        st.html(html_table([t("u_file", lang), t("u_type", lang), t("u_size", lang), t("u_added", lang)],
                           [[a["file_name"], a["mime"], f"{a['size_bytes']:,}", f"{_iso(a.get('added_at'))} · "
                             f"{a.get('added_by') or ''}"] for a in listed], numeric={2}))
        names = {a["id"]: a["file_name"] for a in listed}
        chosen = st.selectbox(t("u_view", lang), list(names), format_func=names.get, key=f"w_unit_att_{uid}")
        try:
            meta, content = market_data.attachment(chosen)
        except SpaceMapError as exc:
            meta = None
            st.error(md("e_refused", lang, why=problem_text(str(exc), lang)))
        if meta and meta["mime"].startswith("image/"):  # a photo is shown; a PDF only downloaded, never inlined
            st.image(content, caption=None, width=480)
        c1, c2 = st.columns([1, 4])
        if meta:
            c1.download_button(t("u_download", lang), content, meta["file_name"], meta["mime"],
                               key=f"w_unit_dl_{chosen}", on_click="ignore")
        if can_edit and c2.button(t("u_remove", lang), key="w_unit_remove"):
            _result(lang, lambda: market_data.remove_attachment(chosen, who=who, acting=acting),
                    t("u_removed", lang, file=names[chosen]), uid)
    else:
        st.caption(t("u_no_attachments", lang))
    if not can_edit:
        return
    upload = st.file_uploader(t("u_upload", lang), type=UPLOAD_TYPES, key=f"{FORM}upload_{uid}",
                              help=t("u_upload_help", lang), max_upload_size=MAX_ATTACHMENT_BYTES // 2**20)
    if upload is not None and st.button(t("u_attach", lang), key="w_unit_attach"):
        _result(lang, lambda: market_data.add_attachment(uid, upload.name, upload.getvalue(), who=who, acting=acting),
                t("u_attached", lang, file=upload.name), uid)


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    operator = session.role() == "operator"
    st.header(t("page_my_units" if operator else "page_units", lang))
    if not (session.allowed("staff") or session.allowed("operator")):
        st.info(t("u_only", lang))
        return
    who = session.who()
    acting = market_data.account(who) or {"name": who, "role": session.role(), "carriers": []}
    st.caption(t("u_intro_operator" if operator else "u_intro_editor" if session.allowed("editor") else "u_intro_staff",
                 lang))
    kind, text = st.session_state.pop(FLASH, (None, None))
    if kind:
        getattr(st, kind)(text)
    table = market_data.units_of(acting)
    if not len(table):
        st.info(t("u_none_operator" if operator else "u_none", lang))
        return
    uid = _list(table, lang)
    if uid is None:
        return
    row = table.loc[table["id"] == uid].iloc[0].to_dict()
    can_edit = market_data.may_edit(acting, row["carrier_id"])
    if can_edit:
        _edit(lang, row, who, acting)
        if st.button(t("u_undo", lang), key="w_unit_undo", help=t("u_undo_help", lang)):
            _result(lang, lambda: market_data.undo_unit_change(who=who, acting=acting), t("u_undone", lang))
    else:
        st.caption(t("u_read_only", lang))
    _attachments(lang, uid, who, acting, can_edit)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
