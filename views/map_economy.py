"""The economy on the Map page: the sidebar's indicator mode (circles at the carriers, area ∝ value,
with their legend) and the selected carrier's indicators with their trend. The public sees the
published cells only (the same tables as the Tally page's carrier level)."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geodata.reports.economy import INDICATOR_COLUMNS
from layers.charts import FONT, svg_img, to_svg
from layers.escape import escape_html
from layers.indicator_layer import indicator_group, indicator_legend_html, top_value
from messages import name_column, t
from views import economy_data
from views.tables import html_table

MAP_FIELDS = ("enterprises", "employees", "revenue_cny", "tax_cny", "tax_per_m2", "rd_cny", "high_tech")
"""The indicators the map can show."""
VALUE_UNITS = {"enterprises": "ec_value_count", "high_tech": "ec_value_count", "employees": "ec_value_people",
               "revenue_cny": "ec_value_wan", "tax_cny": "ec_value_wan", "rd_cny": "ec_value_wan",
               "tax_per_m2": "ec_value_per_m2"}
PANEL_FIELDS = ("enterprises", "high_tech", "specialised", "employees", "revenue_cny", "tax_cny", "rd_cny", "patents",
                "floor_area_m2", "tax_per_m2", "revenue_per_m2", "occupancy", "tax_yoy", "revenue_yoy")
TREND_FIELDS = ("tax_cny", "revenue_cny")
TREND_COLORS = ("#d35400", "#1f5fbf")


def indicator_control(lang: str) -> str | None:
    """The sidebar's "show an indicator" choice (None: no circles); a note instead when there are no figures."""
    if not economy_data.has_figures():
        st.sidebar.caption(t("ec_map_empty", lang))
        return None
    return st.sidebar.selectbox(t("ec_map_mode", lang), (None, *MAP_FIELDS), key="map_indicator",
                                format_func=lambda f: t("ec_map_none", lang) if f is None else
                                INDICATOR_COLUMNS[f].get(lang))


def _latest(public: bool) -> dict:
    return economy_data.report("carrier", public=public, year=economy_data.available_years()[-1])


def indicator_frame(result: dict, field: str, carriers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per visible carrier with a figure: ``id``, ``name``, ``lon``, ``lat`` (WGS-84; NaN without a site),
    ``value`` and ``withheld``."""
    rows = result["rows"][["unit", field, "suppressed"]].rename(columns={"unit": "id", field: "value"})
    rows = rows.assign(withheld=[field in (s or ()) for s in rows["suppressed"]])
    rows = rows.loc[rows["withheld"] | pd.to_numeric(rows["value"], errors="coerce").notna()]
    geom = carriers.geometry
    located = geom.notna() & ~geom.is_empty
    places = pd.DataFrame({"id": carriers["id"].astype(str), "name": carriers[name_column(lang)].astype(str),
                           "lon": geom.x.where(located), "lat": geom.y.where(located)})
    out = places.merge(rows.assign(id=rows["id"].astype(str)), on="id", how="inner")
    return out.assign(value=pd.to_numeric(out["value"], errors="coerce"))


def indicator_layer(lang: str, field: str | None, carriers: pd.DataFrame, datum: str):
    """The circles of ``field`` at the visible ``carriers`` and their legend HTML; (None, None) for no field."""
    if field is None or not economy_data.has_figures():
        return None, None
    result = _latest(economy_data.public_view())
    frame = indicator_frame(result, field, carriers, lang)
    divisor = 1e4 if field in economy_data.MONEY else 1.0
    label = INDICATOR_COLUMNS[field].get(lang)
    year = result["years"][1]
    group = indicator_group(frame, label=label, unit_key=VALUE_UNITS[field], divisor=divisor, lang=lang, datum=datum,
                            name=t("ec_legend_title", lang, field=label, year=year))
    legend = indicator_legend_html(top_value(frame, divisor), title=t("ec_legend_title", lang, field=label, year=year),
                                   unit_key=VALUE_UNITS[field], lang=lang)
    unlocated = int((frame["lon"].isna()).sum())
    if unlocated:
        legend += (f'<div style="font-size:12px;color:#666;margin-top:4px">'
                   f'{escape_html(t("ec_map_unlocated", lang, n=unlocated))}</div>')
    return group, legend


def trend_chart(frame: pd.DataFrame, lang: str) -> alt.TopLevelMixin | None:
    """Tax and revenue (万元) by year, published years only; None when there is nothing to draw."""
    names = [INDICATOR_COLUMNS[f].get(lang) for f in TREND_FIELDS]
    long = pd.DataFrame([{"year": int(r["year"]), "series": name, "value": float(r[f]) / 1e4}
                         for r in frame.to_dict("records") for f, name in zip(TREND_FIELDS, names)
                         if f not in (r.get("suppressed") or ()) and r.get(f) is not None and r.get(f) == r.get(f)])
    if long.empty:
        return None
    long["text"] = long["value"].map(lambda v: f"{v:,.0f}")
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=names, range=list(TREND_COLORS)),
                      legend=alt.Legend(orient="bottom"))
    base = alt.Chart(long).encode(
        x=alt.X("year:O", title=t("ec_trend_year", lang), axis=alt.Axis(labelAngle=0),
                scale=alt.Scale(domain=[int(y) for y in frame["year"]])),  # withheld years: gaps, not left out
        y=alt.Y("value:Q", title=t("ec_trend_value", lang), axis=alt.Axis(format=",.0f"),
                scale=alt.Scale(domainMin=0)), color=color)
    labels = base.mark_text(dy=-9, fontSize=11).encode(text="text:N")  # the figures on the chart (a static SVG)
    return (base.mark_line(point=True) + labels).properties(width=440, height=200, title=t("ec_trend_title", lang)) \
        .configure(font=FONT).configure_view(stroke=None)


def economy_panel(lang: str, row: dict | None) -> None:
    """The selected carrier's indicators for the latest year and its trend (published cells only for the public)."""
    if row is None or not economy_data.has_figures():
        return
    frame = economy_data.trend(str(row["id"]), public=economy_data.public_view())
    if frame.empty:
        st.caption(t("ec_detail_none", lang))
        return
    latest = frame.iloc[-1].to_dict()
    st.markdown(f"**{t('ec_detail_title', lang, year=int(latest['year']))}**")
    st.html(html_table([t("col_name", lang), t("col_value", lang)], [
        [INDICATOR_COLUMNS[f].get(lang), economy_data.cell_text(f, latest.get(f), latest.get("suppressed"), lang)]
        for f in PANEL_FIELDS], numeric={1}, css_class="carrier-detail sm-economy"))
    chart = trend_chart(frame, lang)
    if chart is not None:  # a static SVG: drawn at once, printable, no script in the browser
        st.html(svg_img(to_svg(chart), alt=t("ec_trend_title", lang), css_class="sm-trend"))
    if any(set(TREND_FIELDS) & set(s or ()) for s in frame["suppressed"]):
        st.caption(t("ec_trend_withheld", lang))
