"""Match page: an enterprise describes its need and gets a ranked, explained shortlist."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import streamlit as st

from geodata.reports.export import table_csv, table_xlsx
from layers.catalogue import get_layer
from layers.escape import escape_html
from layers.match_map import result_map
from layers.popups import RESULT_HEADS, result_cells, unit_place
from layers.pdf import to_pdf
from layers.popups import provenance
from layers.report import match_report_html
from layers.vocab import FACILITIES, INDUSTRIES
from messages import name_column, pick, problem_text, t
from spatial.errors import SpaceMapError
from spatial.match import match
from spatial.need import CRITERIA, DEFAULT_WEIGHTS, STAGES, Need, with_need
from spatial.match_explain import exclusion_reasons_for, exclusion_summary, results_table
from spatial.pipeline import REPLY_DAYS
from spatial.unit_match import match_units, unit_results_table
from views import data, map_render, portal_data, session
from views.chrome import current_lang
from views.shared import shared
from views.tables import caption_html, html_table, md, md_escape

SHORTLIST_CSS = ("<style>.sm-shortlist th{white-space:nowrap}.sm-shortlist td:first-child{white-space:nowrap}"
                 ".sm-shortlist td:nth-child(2){min-width:10em}</style>")
"""The shortlist's headings and ranks on one line (排名 wrapped into two), names given room."""
EXCLUDED_LIMIT = 200  # excluded candidates listed with their reasons
MAX_AREA_M2 = 1e8  # 100 km², more than the district: the form's bound (Streamlit says so when exceeded)
MAX_RENT = 1e5  # CNY per m² per month
MAX_WITHIN_KM = 500.0


def _zone_names(frames, lang: str) -> dict[str, str]:
    """Subdistrict and cluster id → name in ``lang``."""
    return {i: n for key in ("subdistricts", "clusters")
            for i, n in zip(frames[key]["id"], frames[key][name_column(lang)])}


def _choices(lang: str, frames, carriers) -> tuple[dict[str, str], dict[str, str]]:
    """The form's zones and places (id → name), the same for every session of a store revision, scope and
    language: built once (:func:`views.shared.shared`)."""
    def build():
        name_col = name_column(lang)
        located = carriers.loc[carriers.geometry.notna()]
        return _zone_names(frames, lang), {
            **{f"lm:{i}": n for i, n in zip(frames["landmarks"]["id"], frames["landmarks"][name_col])},
            **{f"c:{i}": n for i, n in zip(located["id"], located[name_col])}}

    return shared("match_choices", (*data.revision(), data.scope(), lang), build)


def _form(lang: str, frames, carriers) -> Need | None:
    zones, places = _choices(lang, frames, carriers)
    name_col = name_column(lang)
    with st.form("need_form"):
        c1, c2, c3 = st.columns(3)
        industry = c1.selectbox(t("m_industry", lang), [None, *INDUSTRIES], key="m_industry",
                                placeholder=t("m_any", lang), format_func=lambda c: "—" if c is None else INDUSTRIES[c].label(lang))
        stage = c2.selectbox(t("m_stage", lang), [None, *STAGES], key="m_stage", placeholder=t("m_any", lang),
                             format_func=lambda s: "—" if s is None else t(f"stage_{s}", lang))
        top = c3.slider(t("m_top", lang), 1, 20, 5, key="m_top")
        a1, a2, a3 = st.columns(3)
        area_min = a1.number_input(t("m_area_min", lang), min_value=0.0, max_value=MAX_AREA_M2, value=0.0,
                                   step=100.0, key="m_area_min")
        area_max = a2.number_input(t("m_area_max", lang), min_value=0.0, max_value=MAX_AREA_M2, value=0.0,
                                   step=100.0, key="m_area_max")
        max_rent = a3.number_input(t("m_max_rent", lang), min_value=0.0, max_value=MAX_RENT, value=0.0,
                                   step=10.0, key="m_max_rent")
        n1, n2, n3 = st.columns(3)
        near = n1.selectbox(t("m_near", lang), [None, *places], key="m_near",
                            placeholder=t("m_near_none", lang), format_func=lambda p: "—" if p is None else places[p])
        within = n2.number_input(t("m_within", lang), min_value=0.0, max_value=MAX_WITHIN_KM, value=0.0,
                                   step=0.5, key="m_within")
        chosen_zones = n3.multiselect(t("m_zones", lang), list(zones), format_func=zones.get, key="m_zones",
                                      placeholder=t("any", lang))
        f1, f2, f3 = st.columns([2, 1, 1])
        facilities = f1.multiselect(t("m_facilities", lang), list(FACILITIES), key="m_facilities",
                                    format_func=lambda c: FACILITIES[c].label(lang), placeholder=t("any", lang))
        hk = f2.checkbox(t("m_hk", lang), key="m_hk")
        policy = f3.checkbox(t("m_policy", lang), key="m_policy")
        with st.expander(t("m_weights", lang)):
            cols = st.columns(4)
            weights = {k: cols[i % 4].slider(t(f"crit_{k}", lang), 0, 50, int(DEFAULT_WEIGHTS[k]),
                                             key=f"m_w_{k}") for i, k in enumerate(CRITERIA)}
        submitted = st.form_submit_button(t("m_submit", lang), type="primary")
    if not submitted and "m_need" not in st.session_state:
        return None
    if submitted:
        point, label = None, ""
        if near:
            kind, _, pid = near.partition(":")
            frame = frames["landmarks"] if kind == "lm" else carriers
            row = frame.loc[frame["id"] == pid].iloc[0]
            point, label = (float(row.geometry.x), float(row.geometry.y)), str(row[name_col])
        need = Need(industry=industry, area_min=area_min or None, area_max=area_max or None,
                    max_rent=max_rent or None, zones=tuple(chosen_zones), near=point, near_label=label,
                    within_km=(within or None) if point else None, stage=stage, facilities=tuple(facilities),
                    hk_link=hk, policy_support=policy)
        st.session_state["m_need"] = (need, weights, top)
    return st.session_state["m_need"][0]


def _result_map(lang: str, carriers, rows, need: Need) -> None:
    """The ranked spaces on a map, rendered once per result (the same need gives every visitor the same map)."""
    def build():
        fmap, group = result_map(rows, carriers, lang, near=need.near, near_label=need.near_label,
                                 within_km=need.within_km, outline=data.frames()["district"])
        return fmap, [group], None

    view = (*data.revision(), data.scope(), lang, need.near, need.near_label, need.within_km,
            tuple((_row_key(r), int(r["rank"])) for r in rows))
    map_render.show(map_render.payload(view, build, kind="match_map"), key="match_map", height=430, returned=())


def _row_key(r: dict) -> str:
    """A result's id: its unit's (by unit), else its carrier's."""
    return r.get("unit_id") or r["id"]


def _row_name(r: dict, lang: str) -> str:
    """A result's name: its carrier's, with the unit's building, floor and label for a unit."""
    return f"{r[name_column(lang)]}" + (f" · {unit_place(r)}" if r.get("unit_id") and unit_place(r) else "")


def _unit_shortlist_frame(rows, lang: str, carriers) -> pd.DataFrame:
    """By unit: :func:`_shortlist_frame` with each unit's place, area with its basis, use, asking rent
    and verification (a carrier listing no unit: its stated figures, said so)."""
    stated = carriers.set_index("id")[["available_area_m2", "rent_cny_m2_month"]]
    cells = [result_cells(r, lang, *(stated.loc[r["id"]].tolist() if r["id"] in stated.index else ())) for r in rows]
    frame = pd.DataFrame({t(h, lang): [c[k] for c in cells] for k, h in enumerate(RESULT_HEADS)})
    base = _shortlist_frame(rows, lang).rename(columns={t("col_name", lang): t("un_col_carrier", lang)})
    return pd.concat([base.iloc[:, :2], frame, base.iloc[:, 2:]], axis=1)


def _shortlist_frame(rows, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("m_rank", lang): [r["rank"] for r in rows],
        t("col_name", lang): [r[name_column(lang)] for r in rows],
        t("layer_col", lang): [get_layer(r["layer"]).title(lang) for r in rows],
        t("m_score", lang): [r["score"] for r in rows],
        t("m_distance", lang): ["" if r["distance_km"] is None else r["distance_km"] for r in rows],
        t("m_flags", lang): ["; ".join(r["flags"]) for r in rows],
    })


def _breakdown_frame(rows, lang: str) -> pd.DataFrame:
    criteria = list(rows[0]["breakdown"]) if rows else []
    out = {t("m_criterion", lang): [t(f"crit_{c}", lang) for c in criteria]}
    for r in rows:
        out[_row_name(r, lang)] = [f"{r['breakdown'][c]['points']:.1f} / {r['breakdown'][c]['max_points']:.1f}"
                     + (" (?)" if r["breakdown"][c]["value"] is None else "") for c in criteria]
    return pd.DataFrame(out)


def _save_need(lang: str, need: Need) -> None:
    """Staff save the need to the demand pool (audited with their account); visitors never see this."""
    if not session.allowed("staff"):
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    name = c1.text_input(t("m_pool_name", lang), key="m_pool_name", max_chars=200)
    if c2.button(t("m_pool_save", lang), key="m_pool_save", disabled=not name.strip()):
        try:
            data.save_need(name, need, who=session.who(), source="Match page")
        except SpaceMapError as exc:
            st.error(md_escape(problem_text(str(exc), lang)))
        else:
            st.success(t("m_pool_saved", lang))


def _summary(lang: str, cands, result, rows: list[dict], excluded: dict[str, int]) -> None:
    """How many fit, what excluded the rest, which relaxation would help, whether the top three are stable."""
    st.markdown(f"**{t('m_summary', lang, n=len(rows), total=len(cands), excluded=int((~result.passing).sum()))}**")
    if excluded:
        st.html(caption_html(" · ".join(f"{reason}: {count}" for reason, count in excluded.items())))
    for miss in result.near_misses[:3]:
        st.info(md("m_near_miss", lang, reason=pick(miss["reason_zh"], miss["reason"], lang), adds=miss["adds"]))
    if rows and not result.stable_top3:
        st.warning(t("m_unstable", lang, which=", ".join(result.unstable_under)))


def _why(cands, i: int, need: Need, result, lang: str, uc=None) -> tuple[str, list[str]]:
    """(name, reasons) of an excluded row; a unit by its own area (single units, never combined)."""
    name = cands.frame[name_column(lang)].iloc[i]
    if uc is None or not uc.is_unit[i]:
        return name, exclusion_reasons_for(cands, i, need, result.distance_m, lang=lang)
    own = [c.text(lang) for c in result.constraints if c.key in ("unit_area", "unit_area_max") and c.fails[i]]
    rest = exclusion_reasons_for(cands, i, with_need(need, area_min=None, area_max=None), result.distance_m, lang=lang)
    return f"{name} · {unit_place(uc.units.iloc[int(uc.unit_row[i])].to_dict())}", own + rest


def _excluded(lang: str, cands, need: Need, result, uc=None) -> None:
    """The excluded candidates, each with its reasons (folded away); ``uc``: matching by unit."""
    excluded_idx = np.flatnonzero(~result.passing)
    if not excluded_idx.size:
        return
    with st.expander(t("m_excluded", lang, n=excluded_idx.size)):
        why = [_why(cands, int(i), need, result, lang, uc) for i in excluded_idx[:EXCLUDED_LIMIT]]
        st.html(html_table([t("col_name", lang), t("m_reasons", lang)], [[n, "; ".join(r)] for n, r in why]))


def _compare_and_export(lang: str, need: Need, rows: list[dict], shortlist: pd.DataFrame, notes: list[str],
                        zones: dict[str, str], total: int) -> None:
    """Pick results to compare score by score; download the shortlist (CSV, XLSX, printable report)."""
    st.subheader(t("m_compare", lang))
    names = {_row_key(r): _row_name(r, lang) for r in rows}
    chosen = st.multiselect(t("m_compare_pick", lang), list(names), default=list(names)[:min(3, len(names))],
                            format_func=names.get, max_selections=4, key="m_compare")
    picked = [r for r in rows if _row_key(r) in chosen]
    if picked:
        breakdown = _breakdown_frame(picked, lang)
        st.html(html_table(list(breakdown.columns), breakdown.values.tolist()))
        st.caption(t("m_breakdown_note", lang))
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("export_csv", lang), lambda: table_csv(shortlist), "shortlist.csv", "text/csv",
                       key="m_dl_csv", on_click="ignore")
    c2.download_button(t("m_xlsx", lang), lambda: table_xlsx({"shortlist": shortlist,
                                                              "breakdown": _breakdown_frame(rows, lang)}),
                       "shortlist.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="m_dl_xlsx", on_click="ignore")
    c3.download_button(t("m_report", lang), lambda: _report_pdf(lang, need, rows, notes, zones, total), "shortlist.pdf",
                       "application/pdf", key="m_dl_pdf", on_click="ignore")


def _report_pdf(lang: str, need: Need, rows: list[dict], notes: list[str], zones: dict[str, str], total: int) -> bytes:
    """The printable match report (PDF): the need in words, each result with its address, figures and sources,
    the map with the ranks, how to enquire."""
    frames = data.frames()
    html = match_report_html(need, rows, data.carriers(), lang=lang, candidates=total, zones=zones,
                             outlines={"subdistricts": frames["subdistricts"], "district": frames["district"]},
                             prov=provenance(frames, data.today()), today=data.today(), notes=notes)
    return to_pdf(html).data


ENQUIRY_FIELDS = ("enterprise_name", "credit_code", "contact_name", "contact_phone", "contact_email", "message",
                  "consent")
"""The enquiry form's widgets (keys ``enq_<field>_<generation>``): once an enquiry is sent they are
dropped and the generation moves on, so the browser, too, draws new, empty fields."""
GENERATION_KEY = "enq_gen"
CHINA_TIME = timezone(timedelta(hours=8))


def enquiry_key(field: str, generation: int) -> str:
    """The widget key of an enquiry form field."""
    return f"enq_{field}_{generation}"


def _enquiry_sent(lang: str, sent: dict) -> None:
    """This session's own reference, prominent, and what happens next."""
    due = datetime.fromisoformat(sent["due_at"]).astimezone(CHINA_TIME).strftime("%Y-%m-%d")
    st.html(f'<div class="sm-enq-sent" style="border:2px solid #1e8449;border-radius:8px;padding:12px 16px;'
            f'background:#eafaf1;margin-bottom:8px"><div style="font-weight:600;color:#1e8449">'
            f'{escape_html(t("pt_enq_sent_title", lang))}</div><div style="font-size:14px">'
            f'{escape_html(t("pt_enq_ref", lang))}</div><div style="font-size:28px;font-weight:700;'
            f'letter-spacing:1px;font-family:monospace">{escape_html(sent["ref"])}</div>'
            f'<div style="font-size:14px">{escape_html(t("pt_enq_next", lang, days=REPLY_DAYS, due=due))}</div>'
            f'</div>')


def _enquiry_form(lang: str, rows: list[dict], gen: int) -> dict | None:
    """The form's values when sent (None otherwise): picked spaces, enterprise, contact, consent."""
    names = {_row_key(r): f"{r['rank']}. {_row_name(r, lang)}" for r in rows}  # by unit: the units
    digest = hashlib.sha1("|".join(names).encode()).hexdigest()[:8]  # new shortlist, new default picks
    limits = portal_data.LIMITS

    def text(where, field: str, label: str, limit: str, **options):
        return where.text_input(t(label, lang), max_chars=limits[limit], key=enquiry_key(field, gen), **options)

    with st.form("enq_form"):
        values = {"picked": st.multiselect(t("pt_enq_pick", lang), list(names), default=list(names)[:3],
                                           format_func=names.get, max_selections=limits["picked"],
                                           key=f"enq_picked_{digest}", placeholder=t("pt_enq_pick_none", lang))}
        c1, c2 = st.columns(2)
        values["enterprise_name"] = text(c1, "enterprise_name", "pt_enq_enterprise", "enterprise")
        values["credit_code"] = text(c2, "credit_code", "pt_enq_credit", "credit_code",
                                     help=t("pt_enq_credit_help", lang))
        c1, c2, c3 = st.columns(3)
        either = t("pt_enq_contact_help", lang)
        values["contact_name"] = text(c1, "contact_name", "pt_enq_contact", "contact")
        values["contact_phone"] = text(c2, "contact_phone", "pt_enq_phone", "phone", help=either)
        values["contact_email"] = text(c3, "contact_email", "pt_enq_email", "email", help=either)
        values["message"] = st.text_area(t("pt_enq_message", lang), max_chars=limits["message"], height=90,
                                         key=enquiry_key("message", gen))
        with st.container(border=True):
            st.markdown(f"**{t('pt_enq_consent_title', lang, version=portal_data.consent_version())}**")
            st.caption(portal_data.consent_text(lang))
            values["consent"] = st.checkbox(t("pt_enq_consent_box", lang), value=False, key=enquiry_key("consent", gen))
        sent = st.form_submit_button(t("pt_enq_submit", lang), type="primary")
    return values if sent else None


def _enquiry(lang: str, need: Need, rows: list[dict]) -> None:
    """Anonymous visitors enquire about the shortlisted spaces (no login; explicit consent)."""
    st.subheader(t("pt_enq_title", lang))
    st.caption(t("pt_enq_intro", lang, days=REPLY_DAYS))
    if sent := st.session_state.get(portal_data.SENT_KEY):
        _enquiry_sent(lang, sent)
    gen = st.session_state.setdefault(GENERATION_KEY, 0)
    values = _enquiry_form(lang, rows, gen)
    if values is None:
        return
    try:
        result = portal_data.submit(need, lang=lang, **values)
    except portal_data.Refused as exc:
        st.error(md_escape(exc.text(lang)))
        return
    for field in ENQUIRY_FIELDS:  # the contact leaves the session once it is in the store
        st.session_state.pop(enquiry_key(field, gen), None)
    st.session_state[GENERATION_KEY] = gen + 1
    st.session_state[portal_data.SENT_KEY] = result
    st.rerun()


def _level(lang: str, cands):
    """The unit rows when the page matches by unit, else None (by carrier). The choice is offered, by
    unit first, only when the scope has available units: without units the page is as it was."""
    uc = portal_data.unit_candidates(cands, data.scope()) if portal_data.has_units() else None
    if uc is None or not uc.is_unit.any():
        return None
    level = st.radio(t("un_level", lang), ("unit", "carrier"), format_func=lambda k: t(f"un_level_{k}", lang),
                     horizontal=True, key="m_level", help=t("un_level_help", lang))
    if level != "unit":
        return None
    st.caption(t("un_level_note", lang, units=int(uc.is_unit.sum()), carriers=len(set(uc.cands.frame["id"][uc.is_unit])),
                 bare=int((~uc.is_unit).sum())))
    return uc


def _ranked(lang: str, cands, uc, need: Need, weights: dict, top: int, carriers):
    """(rows matched, result, result rows, shortlist): by unit when ``uc`` is given, else by carrier."""
    weights = {k: float(v) for k, v in weights.items()}
    if uc is None:
        result = match(cands, need, weights=weights, top=top)
        rows = results_table(cands, result, lang=lang)
        return cands, result, rows, _shortlist_frame(rows, lang)
    result = match_units(uc, need, weights=weights, top=top)
    rows = [{**r, "flags": [t("flag_unit_stale", lang)] * bool(r["stale"]) + r["flags"]}  # stale: flagged first
            for r in unit_results_table(uc, result, today=data.today(), lang=lang)]
    return uc.cands, result, rows, _unit_shortlist_frame(rows, lang, carriers)


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_match", lang))
    st.caption(t("m_intro", lang))
    frames, carriers = data.frames(), data.carriers()
    cands = data.candidates()
    uc = _level(lang, cands)
    need = _form(lang, frames, carriers)
    if need is None:
        return
    _, weights, top = st.session_state["m_need"]
    problems = need.validate()
    if problems:
        st.error(md_escape("; ".join(problem_text(p, lang) for p in problems)))
        return
    matched, result, rows, shortlist = _ranked(lang, cands, uc, need, weights, top, carriers)
    excluded = exclusion_summary(result, lang=lang)
    _summary(lang, matched, result, rows, excluded)
    table = html_table(list(shortlist.columns), shortlist.values.tolist(), css_class="sm-shortlist") + SHORTLIST_CSS
    if uc is not None:  # by unit: the wider table across the page
        st.html(table)
    left, right = st.columns([3, 2])
    with left:
        if uc is None:
            st.html(table)
        _excluded(lang, matched, need, result, uc)
    with right:
        _result_map(lang, carriers, rows, need)
    if rows:
        notes = [f"{reason}: {count}" for reason, count in excluded.items()]
        _compare_and_export(lang, need, rows, shortlist, notes, _choices(lang, frames, carriers)[0], len(matched))
        _enquiry(lang, need, rows)
    _save_need(lang, need)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
