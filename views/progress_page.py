"""Progress page for planners: the incubation-space goal, reported figures, the ledger, paces."""
from __future__ import annotations


import pandas as pd
import streamlit as st

from layers.catalogue import CARRIER_LAYERS, get_layer
from layers.vocab import LEDGER_FROM_BASES, STATUSES
from layers.charts import SERIES, progress_chart, svg_img, to_svg
from messages import lang_column, name_column, pick, problem_text, t
from spatial.errors import SpaceMapError
from spatial.ledger import not_counting_now
from views import data, session
from views.chrome import current_lang
from views.shared import shared
from geodata.reports.market import NO_CLUSTER
from layers.planning_text import counts_table, headline_cards, reports_table, targets_table, when
from layers.planning_text import m2 as _m2, pct as _pct
from layers.popups import NO_PROVENANCE, cite, provenance
from views.tables import frame_table, kpi_cards, md

LEDGER_CSS = ("<style>.sm-ledger td:nth-child(2),.sm-ledger td:nth-child(3),.sm-ledger td:nth-child(6),"
              ".sm-ledger td:nth-child(7){white-space:nowrap}</style>")
"""The ledger's layer, status and date columns on one line each (the status wrapped over three)."""
WHAT_IF_KEY = "p_wi_"


def chart_img(chart_data: pd.DataFrame, goal_m2: float, lang: str, alt: str) -> str:
    """The progress chart as an ``<img>`` of server-rendered SVG (built once per view, :func:`_view`)."""
    chart = progress_chart(chart_data, goal_m2, names={k: t(f"series_{k}", lang) for k in SERIES},
                           x_title=t("col_date", lang), y_title=t("col_area_m2", lang),
                           legend_title=t("col_series", lang), lang=lang)
    return svg_img(to_svg(chart), alt=alt, css_class="sm-chart")


def chart_alt(s: dict, lang: str) -> str:
    """Text alternative of the chart: what it shows, in words."""
    latest = s["latest_reported"]
    return t("p_chart_alt", lang, date=latest["date"], area=_m2(latest["area_m2"]), goal=_m2(s["goal_m2"]),
             year=s["goal_year"], ledger=_m2(s["ledger_total_m2"]),
             projected=s["projected_year_reaching_goal"] or (t("p_never", lang) if s["historical_from"]
                                                             else t("p_no_like_pace", lang)))


def _outcome(s: dict, lang: str) -> None:
    latest = s["latest_reported"]
    if s["deadline_passed"]:
        if s["reached_by_deadline"] is None:
            goal_measure = s.get("goal_measure_text") or ""
            st.warning(md("p_outcome_unknown", lang, deadline=s["deadline"], goal_measure=goal_measure,
                          area=_m2(latest["area_m2"]), when=when(latest["date"], latest.get("date_precision"), lang),
                          measure=latest[lang_column("measure", lang)], last=s["last_report_date"][:7]))
        elif s["reached_by_deadline"]:
            st.success(t("p_outcome_reached", lang, deadline=s["deadline"]))
        else:
            st.warning(t("p_outcome_missed", lang, deadline=s["deadline"], goal=_m2(s["goal_m2"]), date=latest["date"],
                         area=_m2(latest["area_m2"]), pct=_pct(s["pct_of_goal_reported"]),
                         pace=_m2(s["historical_m2_per_year"]),
                         year=s["projected_year_reaching_goal"] or t("p_never", lang)))
    else:
        days = (pd.Timestamp(s["deadline"]) - pd.Timestamp(s["today"])).days
        st.info(t("p_open", lang, deadline=s["deadline"], days=days, pace=_m2(s["required_m2_per_year_from_today"])))


def _gap(s: dict, lang: str) -> None:
    c = s["ledger_counts"]
    st.markdown(f"**{t('p_gap_title', lang)}**")
    st.caption(t("p_gap", lang, ledger=_m2(s["ledger_total_m2"]), gap=_m2(s["gap_reported_minus_ledger_m2"]),
                 reported_n=s["latest_reported"]["carriers"], n=c["carriers"], known=c["area_known"],
                 counting=c["counting_now"], within=c["within_counted_parent"], unknown=c["area_unknown"],
                 with_floor=c["area_unknown_with_floor_area"], floor=_m2(c["floor_area_of_unknown_m2"])))


def paces_table(s: dict, lang: str) -> pd.DataFrame:
    """The pace between consecutive reported figures."""
    rows = s["pace_between_reports"]
    return pd.DataFrame({
        t("col_from", lang): [f"{r['from']} ({_m2(r['from_m2'])})" for r in rows],
        t("col_to", lang): [f"{r['to']} ({_m2(r['to_m2'])})" for r in rows],
        t("col_pace", lang): [_m2(r["m2_per_year"]) if r.get("like", True) else t("p_measure_change", lang)
                              for r in rows],
    })


def ledger_table(ledger: pd.DataFrame, lang: str, prov=NO_PROVENANCE) -> pd.DataFrame:
    """The ledger, carriers that count first; for an unknown counted area the stated gross
    floor area is shown as context (it is not counted)."""
    def day(v):
        return "—" if v is None or v != v else pd.Timestamp(v).date().isoformat()

    def counted(row):
        if row["counted_area_m2"] == row["counted_area_m2"]:
            return _m2(row["counted_area_m2"])
        floor = row["floor_area_m2"]
        return t("unknown", lang) + ("" if floor != floor else t("p_floor_context", lang, floor=_m2(floor)))

    order = ledger.assign(_now=ledger["counting_now_m2"], _known=ledger["counted_area_m2"].notna()) \
        .sort_values(["_now", "_known", "layer"], ascending=[False, False, True], kind="stable")
    return pd.DataFrame({
        t("col_name", lang): order[name_column(lang)],
        t("layer_col", lang): order["layer"].map(lambda k: get_layer(k).title(lang) if k in CARRIER_LAYERS else k),
        t("col_state", lang): order["status"].map(lambda c: STATUSES[c].label(lang) if c in STATUSES else c),
        t("col_counted", lang): order.apply(counted, axis=1),
        t("col_counting_now", lang): [_m2(v) + ("" if why is None else t(f"p_why_{why}", lang))
                                      for v, why in zip(order["counting_now_m2"], not_counting_now(order))],
        t("col_counted_from", lang): order["counted_from"].map(day),
        t("col_counted_until", lang): order["counted_until"].map(day),
        t("col_basis", lang): order["from_basis"].map(
            lambda c: LEDGER_FROM_BASES[c].label(lang) if c in LEDGER_FROM_BASES else c),
        t("col_sources", lang): [cite(v, lang, prov) or "—" for v in order["area_source"]],
    })


def _what_if(lang: str, planned: pd.DataFrame, s: dict) -> None:
    default = {a["id"] for a in s["what_if"]["additions"]} | {a["id"] for a in s["what_if"].get("not_added", [])}
    if "kind" in planned.columns:
        planned = planned.loc[planned["kind"] == "planned"]  # an achieved past increase is no plan
    st.caption(t("p_whatif_pick", lang))
    for i, zh, en, y, a in zip(planned["id"], planned["what_zh"], planned["what_en"], planned["year"],
                               planned["area_m2"]):
        st.checkbox(t("p_whatif_item", lang, what=pick(zh, en, lang), year=y, area=f"{a:,.0f}"), value=i in default,
                    key=f"{WHAT_IF_KEY}{i}")


def _picked() -> tuple[str, ...] | None:
    """The planned additions ticked (None before the boxes were first drawn: the default set)."""
    boxes = {k.removeprefix(WHAT_IF_KEY): v for k, v in st.session_state.items() if str(k).startswith(WHAT_IF_KEY)}
    return None if not boxes else tuple(sorted(i for i, on in boxes.items() if on))


def goal_source(s: dict, lang: str, *, staff: bool) -> str:
    """Where the goal in force comes from: the plan's citation, or for a planners' goal who set it,
    when and why, which only staff see (visitors see that planners set it, and when)."""
    if s["goal_set_by_planner"] and not staff:
        return t("p_goal_set_public", lang, date=s["goal_set_on"] or "")
    return s["goal_source"]


def _goal_form(lang: str, s: dict) -> None:
    """Editors set a new goal (recorded with their account and a reason) or withdraw the latest."""
    if not session.allowed("editor"):
        return
    with st.expander(t("p_set_goal", lang), expanded=False):
        st.caption(t("p_set_goal_note", lang))
        with st.form("p_goal_form", border=False):
            c1, c2 = st.columns(2)
            goal = c1.number_input(t("p_goal_m2", lang), min_value=1.0, max_value=1e9,
                                   value=min(float(s["goal_m2"]), 1e9), step=50_000.0,
                                   key="p_goal_m2")
            year = c2.number_input(t("p_goal_year", lang), min_value=2000, max_value=2100,
                                   value=max(int(s["goal_year"]), pd.Timestamp(s["today"]).year + 4), step=1,
                                   key="p_goal_year")
            reason = st.text_input(t("p_goal_reason", lang), key="p_goal_reason", max_chars=500)
            if st.form_submit_button(t("p_goal_save", lang)):
                try:
                    data.set_goal(float(goal), int(year), who=session.who(), reason=reason)
                except SpaceMapError as exc:
                    st.error(problem_text(str(exc), lang))  # set_goal's messages quote only numbers
                else:
                    st.session_state["p_goal_saved"] = True
                    st.rerun()
        if st.session_state.pop("p_goal_saved", False):
            st.success(t("p_goal_saved", lang))
        if s["goal_set_by_planner"] and st.button(t("p_goal_undo", lang), key="p_goal_undo"):
            try:
                data.undo_goal(who=session.who())
            except SpaceMapError as exc:
                st.error(problem_text(str(exc), lang))
            else:
                st.rerun()


def settled_tables(settled: dict, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area settled through the platform per quarter signed and per cluster (totals only)."""
    def counts(rows, first: str, label) -> pd.DataFrame:
        return pd.DataFrame({first: [label(r) for r in rows],
                             t("pt_col_area", lang): [_m2(r["area_m2"]) for r in rows],
                             t("pt_col_leases", lang): [r["leases"] for r in rows]})

    return (counts(settled["by_quarter"], t("pt_col_quarter", lang), lambda r: r["quarter"]),
            counts(sorted(settled["by_cluster"], key=lambda r: -r["area_m2"]), t("pt_col_cluster", lang),
                   lambda r: t("pt_no_cluster", lang) if r["cluster"] == NO_CLUSTER
                   else pick(r["name_zh"], r["name_en"], lang)))


def _settled(lang: str, settled: dict | None) -> None:
    """Area settled through the platform: a measure of its own, apart from the reports and the ledger."""
    st.subheader(t("pt_settled_title", lang))
    if settled and settled.get("synthetic"):
        st.badge(t("pt_settled_synthetic", lang), icon=":material/science:", color="orange")
    st.caption(t("pt_settled_note", lang))
    if not settled or not settled["leases"]:
        st.info(t("pt_settled_none", lang))
        return
    st.html(kpi_cards([
        (t("pt_settled_total", lang), t("value_m2", lang, value=_m2(settled["settled_via_platform_m2"])),
         t("pt_settled_leases", lang, n=settled["leases"])),
        (t("pt_settled_moved_in", lang), t("value_m2", lang, value=_m2(settled["moved_in_m2"])),
         t("pt_settled_moved_in_note", lang)),
        (t("pt_settled_incubation", lang), t("value_m2", lang, value=_m2(settled["in_incubation_carriers_m2"])),
         t("pt_settled_incubation_note", lang))]))
    quarters, clusters = settled_tables(settled, lang)
    left, right = st.columns(2, gap="medium")
    left.markdown(f"**{t('pt_settled_by_quarter', lang)}**")
    left.html(frame_table(quarters, numeric={1, 2}, max_height=320))
    right.markdown(f"**{t('pt_settled_by_cluster', lang)}**")
    right.html(frame_table(clusters, numeric={1, 2}, max_height=320))


def report_pdf(lang: str) -> bytes:
    """The planners' printed report (PDF) of the session's scope, built only when downloaded: the same
    figures as this page and the Tally page, from the same store (``cli.py report`` prints the same)."""
    from geodata.reports.inventory import snapshot
    from geodata.reports.printed import planning_report_data
    from layers.pdf import to_pdf
    from layers.print_planning import planning_html

    frames, carriers = snapshot()
    report = planning_report_data(frames, carriers, today=data.today(), scope=data.scope())
    return to_pdf(planning_html(report, lang)).data


def _view(lang: str, picked: tuple[str, ...] | None, external: bool, staff: bool) -> dict:
    """What the page shows for these choices: the same for every session with the same store revision,
    date, language and choices, so built once (:func:`views.shared.shared`) and read-only — the figures
    and every table and chart as HTML."""
    try:
        shown = data.progress(picked, external)
    except ValueError:  # a ticked addition is no longer in the store
        shown = data.progress(None, external)
    s, ledger = shown["summary"], shown["ledger"]
    prov = provenance(data.frames(), data.today())
    plan = shown["targets"].loc[shown["targets"]["kind"] == "target"]
    s = {**s, "goal_measure_text": plan[lang_column("measure", lang)].iloc[-1] if len(plan) else ""}
    source = goal_source(s, lang, staff=staff)
    return {"shown": shown, "s": s,
            "goal": md("p_goal", lang, goal=_m2(s["goal_m2"]), year=s["goal_year"],
                       source=source if s["goal_set_by_planner"] else cite(source, lang, prov)),
            "cards": kpi_cards(headline_cards(s, lang, prov)),
            "chart": chart_img(shown["chart"], s["goal_m2"], lang, chart_alt(s, lang)),
            "targets": frame_table(targets_table(s, lang, prov)), "paces": frame_table(paces_table(s, lang)),
            "counts": frame_table(counts_table(s, lang)),
            "ledger": frame_table(ledger_table(ledger, lang, prov), max_height=520, css_class="sm-ledger") + LEDGER_CSS,
            "reports": frame_table(reports_table(shown["incubation_reports"], lang, prov))}


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_progress", lang))
    st.caption(t("p_intro", lang))
    st.download_button(t("rp_download", lang), lambda: report_pdf(lang), f"futian-progress-{lang}.pdf",
                       "application/pdf", key="p_dl_pdf", on_click="ignore", icon=":material/picture_as_pdf:")
    external = st.toggle(t("p_external", lang), value=True, key="p_external", help=t("tl_external_help", lang))
    picked, staff = _picked(), session.allowed("staff")  # the boxes are drawn further down; their state is read here
    view = shared("progress", (*data.revision(), data.today(), lang, picked, external, staff),
                  lambda: _view(lang, picked, external, staff))
    shown, s = view["shown"], view["s"]
    st.markdown(view["goal"])
    st.html(view["cards"])
    _outcome(s, lang)
    st.subheader(t("p_chart", lang))
    st.html(view["chart"])
    left, right = st.columns([3, 2], gap="medium")
    with left:
        _gap(s, lang)
        st.markdown(f"**{t('p_targets', lang)}**")
        st.html(view["targets"])
        st.markdown(f"**{t('p_paces', lang)}**")
        st.html(view["paces"])
    with right:
        st.markdown(f"**{t('p_whatif', lang)}**")
        _what_if(lang, shown["planned_additions"], s)
        w = s["what_if"]
        if w["additions"]:
            st.info(t("p_whatif_result", lang, added=_m2(w["added_m2"]), total=_m2(w["total_m2"]),
                      pct=_pct(w["pct_of_goal"]), year=w["projected_year_reaching_goal"] or "—"))
            st.caption(t("p_whatif_note", lang))
        else:
            st.info(t("p_whatif_none", lang))
        if w.get("not_added"):
            st.caption(md("p_whatif_not_added", lang, items=t("list_sep", lang).join(
                t("p_whatif_item_area", lang, what=pick(a["what_zh"], a["what_en"], lang), area=_m2(a["area_m2"]))
                for a in w["not_added"])))
        _goal_form(lang, s)
    st.markdown(f"**{t('p_counts', lang)}**")
    st.html(view["counts"])
    st.subheader(t("p_ledger_title", lang))
    st.caption(t("p_ledger_note", lang))
    st.html(view["ledger"])
    st.markdown(f"**{t('reports_title', lang)}**")
    st.html(view["reports"])
    _settled(lang, s.get("settled"))


if __name__ == "__main__":  # run as a page by st.navigation
    render()
