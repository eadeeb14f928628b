"""Tally page for planners: count and areas per subdistrict, cluster, Hetao, layer or industry; and, in a
second tab, the economic indicators of the enterprises in the carriers (published cells only for the
public), with the documents' reported figures beside them."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geodata.reports.export import table_csv, table_xlsx
from geodata.reports.economy import INDICATOR_COLUMNS, indicator_table
from geodata.reports.planning import KIND_TITLES, TALLY_COLUMNS, choropleth_mode, tally_sources, tally_table
from layers.popups import cite, provenance
from layers.charts import bar_rows, svg_img, to_svg
from layers.render import NO_DATA_COLOR, Choropleth
from messages import name_column, t
from spatial.indicators import PSEUDO_UNITS, building_ranking, yiyuan_buildings
from spatial.tally import OUTSIDE, UNIT_KINDS, UNLOCATED
from views import data, economy_data, portal_data
from views.chrome import current_lang
from views.shared import shared
from views.tables import html_table, kpi_cards

MEASURES = ("floor_area_m2", "usable_area_m2", "space_area_m2", "incubation_area_m2", "available_area_m2",
            "stated_land_area_m2", "land_area_m2", "count")
ZONE_LAYERS = {"subdistrict": "subdistricts", "cluster": "clusters"}
BAR_COLOR = "#1f5fbf"
PSEUDO_COLOR = "#9db3d6"
"""Bars of rows that are no place (enterprises not placed, placed across units, location unknown)."""
CHART_FIELDS = ("tax_cny", "revenue_cny", "enterprises", "employees", "rd_cny", "high_tech", "specialised", "patents",
                "tax_per_m2", "revenue_per_m2")
CHART_ROWS = 30
CHART_WIDTH = 520
"""The tally chart's plot width in pixels (its labels and figures beside it; scaled down in a narrow column)."""
KPI_FIELDS = ("enterprises", "employees", "revenue_cny", "tax_cny")
TALLY_CSS = ("<style>.sm-tally{overflow-x:auto}.sm-tally th,.sm-tally th.num{white-space:normal;min-width:5em;vertical-align:bottom}"
             ".sm-tally td:first-child,.sm-tally th:first-child{position:sticky;left:0;background:#fff;min-width:9em;"
             "z-index:1}.sm-tally th:first-child{background:#f6f6f8;z-index:2}"
             ".sm-tally tbody tr:last-child td{font-weight:600}</style>")
"""The tally table: unit names wrap rather than being cut, the unit column stays in view when the figures
scroll sideways, the total row in bold."""
INDICATOR_CSS = ("<style>.sm-indicators th{white-space:nowrap}.sm-indicators td:first-child,"
                 ".sm-indicators th:first-child{position:sticky;left:0;background:#fff;min-width:240px;z-index:1}"
                 ".sm-indicators th:first-child{background:#f6f6f8;z-index:2}"
                 ".sm-indicators td:last-child{min-width:420px}.sm-indicators td:nth-last-child(2){white-space:nowrap}"
                 ".sm-indicators tbody tr:last-child td{font-weight:600}</style>")


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
    return bar_rows(frame, label=label, unit_title=TALLY_COLUMNS["unit"].get(lang),
                    title=t("tl_chart_title", lang, measure=label, kind=KIND_TITLES[kind].get(lang)))


def chart_img(rows: pd.DataFrame, kind: str, measure: str, lang: str) -> str:
    """The chart as an ``<img>`` of server-rendered SVG (built once per view, :func:`_areas_view`): the
    browser draws an image at once, where a Vega-Lite chart first loads and runs Vega (about half a
    second on a returning visitor's page). Its text alternative names what it shows."""
    chart = tally_chart(rows, kind, measure, lang).properties(width=CHART_WIDTH)
    label = TALLY_COLUMNS[measure].get(lang)
    return svg_img(to_svg(chart), alt=t("tl_chart_title", lang, measure=label, kind=KIND_TITLES[kind].get(lang)),
                   css_class="sm-chart")


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


def _areas_view(lang: str, kind: str, measure: str, land: str, stated: str, external: bool) -> dict:
    """What the area tab shows for these controls — the same for every session with the same store
    revision, scope, language and date, so built once (:func:`views.shared.shared`) and read-only:
    the tally, its table (frame and HTML), the chart, the notes beside it, the choropleth it maps to."""
    result = data.tally(kind, land=land, stated=stated, external=external)
    rows = result["rows"]
    table = tally_table(result, lang)
    shown = display_table(table, lang)
    notes = [t("tl_overlap" if result["overlapping"] else "tl_conserved", lang)]
    if not result["total"]["polygon_count"]:
        notes.append(t("tl_no_polygons", lang))
    notes.append(t("tl_unknown_note", lang))
    outside = {k: v for k, v in result["total"].get("external_m2", {}).items() if v}
    if outside:
        notes.append(t("tl_external_share", lang, parts=t("list_sep", lang).join(
            f"{TALLY_COLUMNS[k].get(lang)} {v:,.0f}" for k, v in outside.items())))
    elif not external:
        notes.append(t("tl_external_off", lang))
    if set(rows["unit"]) & {OUTSIDE, UNLOCATED}:
        notes.append(t("approx_zones", lang))
    units = (t("un_tally_basis", lang, **portal_data.supply_counts(data.carriers(), data.scope(), data.today()))
             if portal_data.has_units() else None)  # the available-area column is the stated figure
    return {"result": result, "table": table, "chart": chart_img(rows, kind, measure, lang), "notes": notes,
            "html": html_table(list(shown.columns), shown.values.tolist(), css_class="sm-tally",
                               numeric=set(range(1, len(shown.columns)))) + TALLY_CSS,
            "units": units, "mode": choropleth_mode(kind, measure)}


def _areas(lang: str) -> None:
    """The area tally (the first tab)."""
    st.caption(t("tl_intro", lang))
    st.caption(t("scope_note", lang, scope=t(f"scope_{data.scope()}", lang)))
    kind, measure, land, stated = _controls(lang)
    external = st.toggle(t("tl_external", lang), value=True, key="tl_external", help=t("tl_external_help", lang))
    view = shared("tally", (*data.revision(), data.scope(), data.today(), lang, kind, measure, land, stated, external),
                  lambda: _areas_view(lang, kind, measure, land, stated, external))
    result, table = view["result"], view["table"]
    st.html(view["html"])
    if view["units"]:
        st.caption(view["units"])
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.html(view["chart"])
    with right:
        for note in view["notes"]:
            st.caption(note)
        if view["mode"] is not None and st.button(t("tl_show_map", lang), key="tl_show_map", icon=":material/map:"):
            st.session_state["map_choropleth_request"] = view["mode"]
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


# ---- the economy tab ---------------------------------------------------------------------------------

def _economy_controls(lang: str, years: list[int]) -> tuple[str, dict]:
    c1, c2 = st.columns([3, 2])
    level = c1.radio(t("ec_level", lang), economy_data.LEVELS, format_func=lambda k: t(f"ec_level_{k}", lang),
                     horizontal=True, key="ec_level")
    if len(years) < 2:
        c2.caption(t("ec_one_year", lang, year=years[-1]))
        return level, {"year": years[-1]}
    first, last = c2.select_slider(t("ec_years", lang), options=years, value=(years[-1], years[-1]), key="ec_years")
    return level, ({"year": first} if first == last else {"years": (first, last)})


def _economy_notes(lang: str, result: dict) -> None:
    rule, counts = result.get("rule") or {}, result.get("placements") or {}
    if result["public"]:
        st.caption(t("ec_public_note", lang, min=rule.get("min_enterprises", 3),
                     share=f"{rule.get('dominance', 0.8):.0%}"))
    else:
        st.caption(t("ec_staff_note", lang))
    first, last = result["years"]
    if first != last:
        st.caption(t("ec_years_note", lang, first=first, last=last))
    st.caption(t("ec_per_m2_note", lang))
    st.caption(t("ec_unknown_note", lang))
    st.caption(t("ec_not_placed_note", lang, **{k: f"{counts.get(k, 0):,}" for k in
                                                ("confirmed", "placed", "review", "unplaced")}))
    if result["level"] == "cluster":
        st.caption(t("tl_overlap", lang))


def _kpis(lang: str, result: dict) -> None:
    total = result["total"]
    years = result["years"]
    span = str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"
    st.html(kpi_cards([(INDICATOR_COLUMNS[f].get(lang),
                        economy_data.cell_text(f, total.get(f), total.get("suppressed"), lang),
                        t("ec_kpi_note", lang, years=span)) for f in KPI_FIELDS]))


def indicator_chart(result: dict, field: str, lang: str) -> tuple[alt.Chart, int]:
    """Bars of ``field`` per unit, largest first (withheld and unknown in grey, said on the bar), at most
    :data:`CHART_ROWS`; and how many units there were."""
    name = name_column(lang)
    rows = result["rows"]
    value = pd.to_numeric(rows[field], errors="coerce") / (1e4 if field in economy_data.MONEY else 1)
    frame = pd.DataFrame({"unit": rows[name].astype(str), "value": value,
                          "text": [economy_data.cell_text(field, v, s, lang) for v, s in zip(rows[field],
                                                                                           rows["suppressed"])]})
    frame = frame.sort_values("value", ascending=False, na_position="last", kind="stable")
    total = len(frame)
    pseudo = set(rows.loc[rows["unit"].isin(PSEUDO_UNITS), name].astype(str))
    frame = frame.head(CHART_ROWS).assign(shown=lambda f: f["value"].fillna(0.0), color=lambda f: [
        NO_DATA_COLOR if v != v else (PSEUDO_COLOR if u in pseudo else BAR_COLOR) for u, v in zip(f["unit"], f["value"])])
    label = INDICATOR_COLUMNS[field].get(lang)
    title = t("ec_chart_title", lang, field=label, level=t(f"ec_level_{result['level']}", lang))
    return bar_rows(frame, label=label, unit_title=INDICATOR_COLUMNS["unit"].get(lang), label_limit=260, step=26,
                    title=title), total


RANK_FIELDS = ("tax_per_m2", "tax_cny", "floor_area_m2", "enterprises")
RANK_CSS = ("<style>.sm-ranking th{white-space:nowrap}.sm-ranking td.num{width:9em}"
            ".sm-ranked td:first-child,.sm-ranked th:first-child{width:3em}</style>")


def _rank_table(lang: str, frame: pd.DataFrame, *, rank: bool) -> str:
    """Carrier rows as an HTML table (rank first when asked): name, tax per m², tax, floor area, enterprises."""
    name = name_column(lang)
    heads = [INDICATOR_COLUMNS["unit"].get(lang), *(INDICATOR_COLUMNS[f].get(lang) for f in RANK_FIELDS)]
    rows = [[r[name], *(economy_data.cell_text(f, r[f], r["suppressed"], lang) for f in RANK_FIELDS)]
            for r in frame.to_dict("records")]
    if rank:
        heads = [t("ec_rank", lang), *heads]
        rows = [[str(int(r)), *row] for r, row in zip(frame["rank"], rows)]
    first = 2 if rank else 1
    return html_table(heads, rows, numeric={0, *range(first, len(heads))} if rank else set(range(first, len(heads))),
                      css_class="sm-ranking sm-ranked" if rank else "sm-ranking")


def _ranking(lang: str, result: dict) -> None:
    """The carriers by tax per m² and the 亿元楼 (carrier level; published cells only for the public)."""
    if result["level"] != "carrier":
        st.caption(t("ec_ranking_carrier_only", lang))
        return
    rows = result["rows"]
    title, choice = st.columns([4, 1], vertical_alignment="bottom")
    top = choice.selectbox(t("ec_ranking_top", lang), (10, 20, 50), index=1, key="ec_rank_top")
    title.markdown(f"**{t('ec_ranking_title', lang, n=top)}**")
    ranked = building_ranking(rows, by="tax_per_m2", top=top)
    ranked = ranked.loc[ranked["rank"].notna()]
    if len(ranked):
        st.html(_rank_table(lang, ranked, rank=True) + RANK_CSS)
    else:
        st.caption(t("ec_ranking_none", lang))
    st.markdown(f"**{t('ec_yiyuan_title', lang)}**")
    years = result["years"]
    rich = yiyuan_buildings(rows) if years[0] == years[1] else None
    if rich is not None:  # none at all comes back as empty rows on some pandas versions: drop them
        rich = rich.loc[rich["unit"].notna()]
    if rich is None:
        st.caption(t("ec_yiyuan_one_year", lang))
    elif len(rich):
        st.html(_rank_table(lang, rich, rank=False) + RANK_CSS)
    else:
        st.caption(t("ec_yiyuan_none", lang))
    if result["public"]:
        st.caption(t("ec_published_only", lang))


def _reported(lang: str, figures: dict) -> None:
    """The documents' own figures, with their sources: reported, beside the computed ones, never added."""
    prov = provenance(data.frames(), data.today())
    with st.container(border=True):
        st.markdown(f"**{t('ec_reported_title', lang)}**")
        st.caption(t("ec_reported_note", lang))
        lines = [[t("ec_reported_high_tech", lang, date=r["date"], value=f"{r['value']:,}"), r["quote"],
                  cite(r["source"], lang, prov) or ""] for r in figures.get("high_tech_enterprises", [])]
        lines += [[t("ec_reported_target", lang, year=r["year"], value=f"{r['value']:,}"), "",
                   cite(r["source"], lang, prov) or ""] for r in figures.get("high_tech_target", [])]
        if lines:
            st.html(html_table([t("ec_col_figure", lang), t("ec_col_quote", lang), t("ec_col_source", lang)], lines,
                               css_class="sm-reported"))
        tenants = figures.get("tenants") or []
        if tenants:
            names = economy_data.carrier_names(lang)
            st.markdown(f"**{t('ec_reported_tenants', lang)}**")
            st.html(html_table([t("ec_col_carrier", lang), t("ec_col_tenants", lang), t("ec_col_source", lang)],
                               [[names.get(str(r.get("id")), r.get("name_zh") or ""), r.get("tenants") or "",
                                 cite(r.get("tenants_source"), lang, prov) or ""] for r in tenants],
                               max_height=320, css_class="sm-tenants"))


def _economy_downloads(lang: str, result: dict) -> None:
    table = indicator_table(result, lang)
    c1, c2 = st.columns(2)
    name = f"futian-indicators-{result['level']}-{'public' if result['public'] else 'staff'}"
    c1.download_button(t("tl_csv", lang), lambda: table_csv(table), f"{name}.csv", "text/csv", key="ec_dl_csv",
                       on_click="ignore")
    c2.download_button(t("tl_xlsx", lang), lambda: table_xlsx({
        "indicators": table, "sources": economy_data.sources_table(result, economy_data.reported(), lang)}),
        f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="ec_dl_xlsx",
        on_click="ignore")


def _economy(lang: str) -> None:
    """The economic indicators: controls, the table, notes, a chart, the ranking, the reported figures."""
    st.caption(t("ec_intro", lang))
    years = economy_data.available_years()
    if not years or not economy_data.has_figures():
        st.info(t("ec_empty", lang))
        st.code(t("ec_import_command", lang), language="bash")
        _reported(lang, economy_data.reported())
        return
    level, span = _economy_controls(lang, years)
    result = economy_data.report(level, public=economy_data.public_view(), **span)
    if result["empty"] or result["years"] is None:
        st.info(t("ec_no_year", lang))
        return
    _kpis(lang, result)
    shown = economy_data.display_table(result, lang)
    st.html(html_table(list(shown.columns), shown.values.tolist(), max_height=560, css_class="sm-indicators",
                       numeric=set(range(1, len(shown.columns) - 2))) + INDICATOR_CSS)
    _economy_notes(lang, result)
    field = st.selectbox(t("ec_chart_field", lang), CHART_FIELDS, key="ec_chart_field",
                         format_func=lambda f: INDICATOR_COLUMNS[f].get(lang))
    chart, total = indicator_chart(result, field, lang)
    st.altair_chart(chart, width="stretch")
    if total > CHART_ROWS:
        st.caption(t("ec_chart_limited", lang, shown=CHART_ROWS, total=total))
    _ranking(lang, result)
    _reported(lang, economy_data.reported())
    _economy_downloads(lang, result)



def render() -> None:
    """Draw the page: the area tally and the economic indicators, one tab each; only the open one is built."""
    lang = current_lang()
    st.header(t("page_tally", lang))
    areas, economy = st.tabs([t("ec_tab_areas", lang), t("ec_tab_economy", lang)], key=tab_key(lang),
                             on_change="rerun")
    if economy.open:  # only the open tab runs and is sent: a visitor of the areas never waits for the economy
        with economy:
            _economy(lang)
    else:
        with areas:
            _areas(lang)


def tab_key(lang: str) -> str:
    """The tabs' widget key: its value is the open tab's label, so one per language (a switch of language
    opens the first tab)."""
    return f"tl_tab_{lang}"


if __name__ == "__main__":  # run as a page by st.navigation
    render()
