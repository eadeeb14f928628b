"""Funnel (staff): of the enquiries submitted in a period, how many reached each stage, the
conversion from one stage to the next and the median days between them, overall or per cluster,
industry or carrier; why enquiries closed; exports (CSV, XLSX) with units in the headers."""
from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from geodata.reports.export import table_csv, table_xlsx
from messages import t
from spatial.funnel import NONE_GROUP
from views import data, market_data, session
from views.chrome import current_lang
from views.tables import frame_table, kpi_cards

GROUPS = (None, "cluster", "industry", "carrier")
MAX_GROUPS = 50
"""Groups shown on the page (the largest; the exports hold every one)."""
EARLIEST = date(2000, 1, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _percent(value) -> float | None:
    return None if value is None else round(100.0 * value, 1)


def _days(value) -> float | None:
    return None if value is None else round(value, 1)


def stages_table(summary: dict, lang: str) -> pd.DataFrame:
    """One row per stage: count, conversion from the stage before (%), median days from the stage before."""
    return pd.DataFrame({
        t("fn_col_stage", lang): [s[lang] for s in summary["stages"]],
        t("fn_col_count", lang): [s["count"] for s in summary["stages"]],
        t("fn_col_conversion", lang): [_percent(s["conversion"]) for s in summary["stages"]],
        t("fn_col_median", lang): [None] + [_days(s["median_days"]) for s in summary["stages"][:-1]],
    })


def closed_table(summary: dict, lang: str) -> pd.DataFrame:
    """Closed enquiries per reason."""
    return pd.DataFrame({t("fn_col_reason", lang): [c[lang] for c in summary["closed"]],
                         t("fn_col_count", lang): [c["count"] for c in summary["closed"]]})


def groups_table(result: dict, lang: str, names: dict[str, str]) -> pd.DataFrame:
    """One row per group: its name, total, and the count reaching each stage (largest groups first)."""
    rows = []
    for g in sorted(result.get("groups", []), key=lambda g: (-g["total"], g["group"])):
        name = t("fn_none_group", lang) if g["group"] == NONE_GROUP else names.get(g["group"], g["group"])
        signed = next(s for s in g["stages"] if s["name"] == "signed")["count"]
        rows.append({t("fn_col_group", lang): name, t("fn_col_id", lang): g["group"],
                     t("fn_col_total", lang): g["total"],
                     **{f"{s[lang]} {t('fn_unit_count', lang)}": s["count"] for s in g["stages"]},
                     t("fn_col_signed_rate", lang): _percent(signed / g["total"]) if g["total"] else None})
    return pd.DataFrame(rows)


def export_sheets(result: dict, lang: str, names: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The exported tables, headers (with units) in ``lang``."""
    sheets = {t("fn_sheet_stages", lang): stages_table(result, lang),
              t("fn_sheet_closed", lang): closed_table(result, lang)}
    if result.get("groups") is not None:
        sheets[t("fn_sheet_groups", lang)] = groups_table(result, lang, names)
    return sheets


def funnel_chart(summary: dict, lang: str) -> alt.Chart:
    """A horizontal bar per stage, in pipeline order, labelled with its count and conversion."""
    frame = pd.DataFrame({"stage": [s[lang] for s in summary["stages"]], "count": [s["count"] for s in summary["stages"]],
                          "text": [f"{s['count']:,}" + ("" if s["conversion"] is None else f" · {100 * s['conversion']:.0f}%")
                                   for s in summary["stages"]]})
    order = list(frame["stage"])
    base = alt.Chart(frame).encode(y=alt.Y("stage:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
                                   x=alt.X("count:Q", title=t("fn_col_count", lang), axis=alt.Axis(format=",.0f")),
                                   tooltip=[alt.Tooltip("stage:N", title=t("fn_col_stage", lang)),
                                            alt.Tooltip("text:N", title=t("fn_col_count", lang))])
    bars = base.mark_bar(color="#1f5fbf")
    text = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    return (bars + text).properties(height=alt.Step(30), title=t("fn_chart_title", lang))


def _controls(lang: str) -> tuple[date, date, str | None]:
    today = data.today()
    c1, c2, c3 = st.columns([1, 1, 2])
    start = c1.date_input(t("fn_from", lang), value=today - timedelta(days=365), min_value=EARLIEST, key="w_fun_from")
    end = c2.date_input(t("fn_to", lang), value=today, min_value=EARLIEST, key="w_fun_to")
    by = c3.radio(t("fn_by", lang), GROUPS, horizontal=True, key="w_fun_by",
                  format_func=lambda g: t(f"fn_by_{g or 'none'}", lang))
    return start, end, by


def _downloads(result: dict, lang: str, names: dict[str, str], start: date, end: date) -> None:
    sheets = export_sheets(result, lang, names)
    name = f"futian-funnel-{start.isoformat()}-{end.isoformat()}" + (f"-{result['by']}" if result.get("by") else "")
    first = next(iter(sheets.values()))
    st.caption(t("fn_export_note", lang))
    c1, c2 = st.columns(2)
    c1.download_button(t("fn_csv", lang), lambda: table_csv(first), f"{name}.csv", "text/csv", key="w_fun_csv",
                       on_click="ignore")
    c2.download_button(t("fn_xlsx", lang), lambda: table_xlsx(sheets), f"{name}.xlsx", XLSX, key="w_fun_xlsx",
                       on_click="ignore")


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_funnel", lang))
    if not session.allowed("staff"):
        st.info(t("staff_only", lang))
        return
    st.caption(t("fn_intro", lang))
    start, end, by = _controls(lang)
    if start > end:
        st.error(t("fn_bad_period", lang))
        return
    result = market_data.funnel(start, end, by)
    if result.get("synthetic"):
        st.markdown(f":orange-badge[{t('fn_synthetic', lang)}]")
    stages = {s["name"]: s["count"] for s in result["stages"]}
    st.html(kpi_cards([(t("fn_kpi_total", lang), f"{result['total']:,}", t("fn_kpi_period", lang, start=start, end=end)),
                       (t("fn_kpi_signed", lang), f"{stages['signed']:,}",
                        t("fn_kpi_rate", lang, rate=f"{100 * stages['signed'] / result['total']:.1f}")
                        if result["total"] else ""),
                       (t("fn_kpi_moved_in", lang), f"{stages['moved_in']:,}", ""),
                       (t("fn_kpi_closed", lang), f"{sum(c['count'] for c in result['closed']):,}", "")]))
    if not result["total"]:
        st.caption(t("fn_empty", lang))
        return
    left, right = st.columns(2, gap="medium")
    with left:
        st.altair_chart(funnel_chart(result, lang), width="stretch")
    with right:
        st.html(frame_table(stages_table(result, lang)))
        st.caption(t("fn_median_note", lang))
    names = market_data.group_names(by, lang) if by else {}
    left, right = st.columns(2, gap="medium")
    with left:
        st.subheader(t("fn_closed", lang))
        st.html(frame_table(closed_table(result, lang)))
    with right:
        st.subheader(t("fn_export", lang))
        _downloads(result, lang, names, start, end)
    if by:
        st.subheader(t("fn_groups", lang, by=t(f"fn_by_{by}", lang)))
        table = groups_table(result, lang, names)
        st.caption(t("fn_groups_shown", lang, shown=min(len(table), MAX_GROUPS), n=len(table)))
        st.html(frame_table(table.head(MAX_GROUPS).drop(columns=[t("fn_col_id", lang)]), max_height=500))


if __name__ == "__main__":  # run as a page by st.navigation
    render()
