"""Tally page for planners: count and areas per subdistrict, cluster, Hetao, layer or industry."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geodata.reports.export import table_csv, table_xlsx
from geodata.reports.planning import KIND_TITLES, TALLY_COLUMNS, choropleth_mode, tally_sources, tally_table
from layers.render import NO_DATA_COLOR, Choropleth
from messages import name_column, t
from spatial.tally import OUTSIDE, UNIT_KINDS, UNLOCATED
from views import data, portal_data
from views.chrome import current_lang

MEASURES = ("floor_area_m2", "usable_area_m2", "space_area_m2", "incubation_area_m2", "available_area_m2",
            "stated_land_area_m2", "land_area_m2", "count")
ZONE_LAYERS = {"subdistrict": "subdistricts", "cluster": "clusters"}
BAR_COLOR = "#1f5fbf"


def bar_colors(rows: pd.DataFrame, kind: str, measure: str) -> list[str]:
    """Bar colours: for subdistricts and clusters, the map choropleth's classes (same values,
    same colours as the map); otherwise one colour. Unknown values are grey, as on the map."""
    if kind in ZONE_LAYERS and measure.endswith("_m2"):
        values = {u: (None if v is None or v != v else float(v)) for u, v in zip(rows["unit"], rows[measure])}
        scale = Choropleth(ZONE_LAYERS[kind], measure, values)
        return [scale.color(u) for u in rows["unit"]]
    return [NO_DATA_COLOR if v is None or v != v else BAR_COLOR for v in rows[measure]]


def tally_chart(rows: pd.DataFrame, kind: str, measure: str, lang: str) -> alt.Chart:
    """One horizontal bar per unit (special rows such as 'no location' included, in grey when unknown)."""
    label = TALLY_COLUMNS[measure].get(lang)
    frame = pd.DataFrame({"unit": rows[name_column(lang)], "value": pd.to_numeric(rows[measure], errors="coerce"),
                          "color": bar_colors(rows, kind, measure)})
    frame["shown"] = frame["value"].fillna(0.0)
    frame["text"] = frame["value"].map(lambda v: t("unknown", lang) if v != v else f"{v:,.0f}")
    base = alt.Chart(frame).encode(
        y=alt.Y("unit:N", sort=None, title=None, axis=alt.Axis(labelLimit=240)),
        x=alt.X("shown:Q", title=label, axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("unit:N", title=TALLY_COLUMNS["unit"].get(lang)), alt.Tooltip("text:N", title=label)])
    bars = base.mark_bar(stroke="#8a8a8a", strokeWidth=0.5).encode(color=alt.Color("color:N", scale=None))
    text = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    return (bars + text).properties(height=alt.Step(28),
                                    title=t("tl_chart_title", lang, measure=label, kind=KIND_TITLES[kind].get(lang)))


def display_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The tally table for the screen: thousands separators, 'unknown' for figures no carrier
    states (exports keep numbers and leave those cells empty), unit ids left to the exports."""
    out = table.drop(columns=[TALLY_COLUMNS["unit_id"].get(lang)])
    for col in out.columns[1:]:
        out[col] = out[col].map(lambda v: t("unknown", lang) if v is None or v != v or v is pd.NA else f"{v:,.0f}")
    return out


def _controls(lang: str) -> tuple[str, str, str, str]:
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    kind = c1.radio(t("tl_by", lang), UNIT_KINDS, format_func=lambda k: KIND_TITLES[k].get(lang), key="tl_kind")
    measure = c2.selectbox(t("tl_measure", lang), MEASURES, format_func=lambda m: TALLY_COLUMNS[m].get(lang),
                           key="tl_measure")
    methods = ("apportion", "centroid")

    def method(m: str) -> str:
        return t(f"tl_method_{m}", lang)

    land = c3.radio(t("tl_land", lang), methods, format_func=method, key="tl_land")
    stated = c4.radio(t("tl_stated", lang), methods[::-1], format_func=method, key="tl_stated")
    return kind, measure, land, stated


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_tally", lang))
    st.caption(t("tl_intro", lang))
    st.caption(t("scope_note", lang, scope=t(f"scope_{data.scope()}", lang)))
    kind, measure, land, stated = _controls(lang)
    external = st.toggle(t("tl_external", lang), value=True, key="tl_external", help=t("tl_external_help", lang))
    result = data.tally(kind, land=land, stated=stated, external=external)
    rows = result["rows"]
    table = tally_table(result, lang)
    shown = display_table(table, lang)
    st.dataframe(shown, hide_index=True, width="stretch", height=38 + 35 * len(shown))
    if portal_data.has_units():  # the available-area column is the stated figure: say where units would differ
        st.caption(t("un_tally_basis", lang, **portal_data.supply_counts(data.carriers(), data.scope(), data.today())))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.altair_chart(tally_chart(rows, kind, measure, lang), width="stretch")
    with right:
        st.caption(t("tl_overlap" if result["overlapping"] else "tl_conserved", lang))
        if not result["total"]["polygon_count"]:
            st.caption(t("tl_no_polygons", lang))
        st.caption(t("tl_unknown_note", lang))
        outside = {k: v for k, v in result["total"].get("external_m2", {}).items() if v}
        if outside:
            st.caption(t("tl_external_share", lang, parts=t("list_sep", lang).join(
                f"{TALLY_COLUMNS[k].get(lang)} {v:,.0f}" for k, v in outside.items())))
        elif not external:
            st.caption(t("tl_external_off", lang))
        if set(rows["unit"]) & {OUTSIDE, UNLOCATED}:
            st.caption(t("approx_zones", lang))
        mode = choropleth_mode(kind, measure)
        if mode is not None and st.button(t("tl_show_map", lang), key="tl_show_map", icon=":material/map:"):
            st.session_state["map_choropleth_request"] = mode
            st.switch_page("views/map_page.py")
    c1, c2 = st.columns(2)
    name = f"futian-tally-{kind}"
    c1.download_button(t("tl_csv", lang), lambda: table_csv(table), f"{name}.csv", "text/csv", key="tl_dl_csv",
                       on_click="ignore")
    c2.download_button(t("tl_xlsx", lang),
                       lambda: table_xlsx({"tally": table,
                                           "sources": tally_sources(result, data.carriers(), lang, data.frames())}),
                       f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="tl_dl_xlsx", on_click="ignore")


if __name__ == "__main__":  # run as a page by st.navigation
    render()
