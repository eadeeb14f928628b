"""Map page for investment-promotion staff: every layer, search, filters, details, export."""
from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

import settings
from geodata.reports.export import carriers_csv, carriers_geojson
from geodata.reports.planning import CHOROPLETHS, choropleth_values
from layers.assets import inline_assets, missing_assets
from layers.basemaps import BASEMAPS, DEFAULT_BASEMAP, available_basemaps
from layers.catalogue import CARRIER_LAYERS, get_layer
from layers.clicks import clicked_feature_id
from layers.escape import escape_html
from layers.popups import (carrier_title, day_text, detail_rows, number_text, provenance, unit_area_text, unit_place,
                           unit_use_text, verified_text)
from spatial.zone_placement import zone_placed
from layers.render import (FUTIAN_CENTER, FUTIAN_ZOOM, SHENZHEN_CENTER, SHENZHEN_ZOOM, Choropleth, base_map,
                           data_groups, display_latlon, legend_html, standalone_map)
from layers.vocab import INDUSTRIES
from messages import name_column, t
from spatial.carriers import filter_carriers
from spatial.search import search_carriers
from views import data, map_city, map_render, portal_data
from views.chrome import current_lang
from views.map_economy import economy_panel, indicator_control, indicator_layer
from views.tables import html_table, md

MAP_HEIGHT = 620
LIST_LIMIT = 200  # rows shown in the carrier list (search and filters reach the rest; exports hold all)


def _zone_options(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    return dict(zip(frame["id"], frame[name_column(lang)]))


def _sidebar_controls(lang: str, frames, carriers) -> dict:
    sb = st.sidebar
    bases = available_basemaps(tianditu_key=settings.tianditu_key())
    keys = [b.key for b in bases]
    basemap_key = sb.selectbox(t("basemap", lang), keys, index=keys.index(DEFAULT_BASEMAP),
                               format_func=lambda k: BASEMAPS[k].title(lang), key="map_basemap")
    query = sb.text_input(t("search", lang), key="map_search")
    found = sb.container()  # the search's answer right under its box, not below the filters out of sight
    sb.subheader(t("filters", lang))
    layers = sb.multiselect(t("f_layers", lang), list(CARRIER_LAYERS), format_func=lambda k: get_layer(k).title(lang),
                            key="map_layers", placeholder=t("any", lang))
    industries = sb.multiselect(t("f_industries", lang), list(INDUSTRIES),
                                format_func=lambda c: INDUSTRIES[c].label(lang), key="map_industries",
                                placeholder=t("any", lang))
    subs = _zone_options(frames["subdistricts"], lang)
    subdistricts = sb.multiselect(t("f_subdistricts", lang), list(subs), format_func=subs.get, key="map_subdistricts",
                                  placeholder=t("any", lang))
    cls = _zone_options(frames["clusters"], lang)
    clusters = sb.multiselect(t("f_clusters", lang), list(cls), format_func=cls.get, key="map_clusters",
                              placeholder=t("any", lang))
    min_available = sb.number_input(t("f_min_available", lang), min_value=0.0, value=0.0, step=100.0,
                                    key="map_min_available")
    requested = st.session_state.pop("map_choropleth_request", None)  # "show on map" from the tally page
    if requested in CHOROPLETHS:
        st.session_state["map_choropleth"] = requested
    choropleth = sb.selectbox(t("choropleth", lang), list(CHOROPLETHS), format_func=lambda k: t(k, lang),
                              key="map_choropleth")
    return {"basemap": basemap_key, "query": query, "found": found, "layers": layers, "industries": industries,
            "subdistricts": subdistricts, "clusters": clusters, "min_available": min_available,
            "choropleth": choropleth, "indicator": indicator_control(lang)}


def _choropleth(mode: str, visible: pd.DataFrame, frames) -> Choropleth | None:
    values = choropleth_values(mode, visible, frames)
    if values is None:
        return None
    zone_layer, _, field = CHOROPLETHS[mode]
    return Choropleth(zone_layer, field, values)


def _select(fid: str | None, carriers: pd.DataFrame, basemap) -> None:
    st.session_state["map_selected"] = fid
    if fid is None:
        return
    row = carriers.loc[carriers["id"] == fid]
    if len(row) and row.geometry.iloc[0] is not None:
        geom = row.geometry.iloc[0]
        st.session_state["map_center"] = display_latlon(geom.y, geom.x, basemap.datum)
        st.session_state["map_zoom"] = 16


def _supply(carriers: pd.DataFrame) -> pd.DataFrame | None:
    """Per carrier of the scope what its units offer, or None when the store lists no unit (the map
    is then as it was: stated figures only)."""
    if not portal_data.has_units():
        return None
    return portal_data.supply(carriers, data.scope(), data.today())


def with_supply(frame: pd.DataFrame, supply: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with its carriers' supply columns (for the popups and the detail panel; the exports
    and filters keep the stated figures only)."""
    return frame if supply is None else frame.merge(supply, on="id", how="left")


def _detail_panel(lang: str, carriers: pd.DataFrame, frames, supply: pd.DataFrame | None) -> dict | None:
    """The selected carrier's details (with what its units offer where the store lists units); its row."""
    st.subheader(t("detail", lang))
    fid = st.session_state.get("map_selected")
    match = carriers.loc[carriers["id"] == fid] if fid else carriers.iloc[0:0]
    if match.empty:
        st.caption(t("detail_hint", lang))
        return None
    row = with_supply(match.drop(columns=match.geometry.name), supply).iloc[0].to_dict()
    first, second = carrier_title(row, lang)
    rows = [[r[0], r[1], r[2] or ""] for r in detail_rows(row, lang, provenance(frames, data.today()))]
    st.html(f'<div class="carrier-detail"><div style="font-size:18px;font-weight:600">{escape_html(first)}</div>'
            f'<div style="color:#555;margin-bottom:6px">{escape_html(second)}</div>'
            + html_table([t("col_name", lang), t("col_value", lang), t("col_sources", lang)], rows) + "</div>")
    return row


def _units_panel(lang: str, row: dict | None) -> None:
    """The selected carrier's available units (public fields) and their photos and floor plans, listed
    only (the files are served by the Units page); nothing for a carrier listing no unit."""
    if row is None or pd.isna(row.get("units")) or not row["units"]:
        return
    units = portal_data.carrier_units(row["id"], data.today())
    st.markdown(f"**{md('un_units_title', lang, n=len(units), name=carrier_title(row, lang)[0])}**")
    if not pd.isna(row.get("available_area_m2")):
        st.caption(t("un_two_measures", lang))  # the stated figure and the units' sum: shown apart
    if not units:
        st.caption(t("un_none_available", lang))
        return
    heads = ["un_col_unit", "un_col_area", "un_col_use", "un_col_rent", "un_col_available_from", "un_col_verified"]
    st.html(html_table([t(h, lang) for h in heads], [
        [unit_place(u), unit_area_text(u, lang), unit_use_text(u, lang), number_text(u["rent_asked_cny_m2_month"]),
         day_text(u["available_from"]), verified_text(u, lang)] for u in units], max_height=300,
        css_class="sm-units"))
    files = portal_data.attachments([u["id"] for u in units])
    if files:
        places = {u["id"]: unit_place(u) for u in units}
        st.markdown(f"**{t('un_attachments_title', lang)}**")
        st.html(html_table([t(h, lang) for h in ("un_col_unit", "un_col_file", "un_col_type", "un_col_size")], [
            [places.get(f["unit_id"], f["unit_id"]), f["file_name"], str(f["mime"]).rsplit("/", 1)[-1].upper(),
             t("un_size_kb", lang, kb=_kb(f["size_bytes"]))] for f in files],
            max_height=200, css_class="sm-files"))


def _kb(size) -> str:
    kb = (size or 0) / 1024
    return f"{kb:,.0f}" if kb >= 10 else f"{kb:,.1f}"


def _area_text(value, lang: str) -> str:
    return t("unknown", lang) if value is None or value != value else f"{float(value):,.0f}"


def _carrier_list(lang: str, visible: pd.DataFrame, frames, basemap) -> None:
    subs = _zone_options(frames["subdistricts"], lang)
    name_col = name_column(lang)
    shown = visible.iloc[:LIST_LIMIT]
    rows = [[name, get_layer(layer).title(lang), subs.get(sub, "—"), _area_text(floor, lang), _area_text(avail, lang)]
            for name, layer, sub, floor, avail in zip(shown[name_col], shown["layer"], shown["subdistrict"],
                                                      shown["floor_area_m2"], shown["available_area_m2"])]
    headers = [t("col_name", lang), t("layer_col", lang), t("col_subdistrict", lang), t("col_floor_one", lang),
               t("col_available_one", lang)]
    st.html(html_table(headers, rows, max_height=420, css_class="sm-list"))
    if len(visible) > LIST_LIMIT:
        st.caption(t("list_limited", lang, shown=LIST_LIMIT, total=len(visible)))
    names = dict(zip(shown["id"], shown[name_col]))
    options = [None, *shown["id"]]
    pick = st.selectbox(t("pick_carrier", lang), options, format_func=lambda i: "—" if i is None else names.get(i, i),
                        key="map_pick")
    if pick is not None and st.session_state.get("map_pick_last") != pick:
        st.session_state["map_pick_last"] = pick
        _select(pick, visible, basemap)
        st.rerun()


def _exports(lang: str, frames, visible, basemap, choropleth) -> None:
    st.subheader(t("export", lang))
    c1, c2, c3 = st.columns(3)
    # Callables: the files are built only when a button is clicked, not on every rerun.
    c1.download_button(t("export_geojson", lang), lambda: carriers_geojson(visible), "futian-carriers.geojson",
                       "application/geo+json", key="dl_geojson", on_click="ignore")
    c2.download_button(t("export_csv", lang), lambda: carriers_csv(visible), "futian-carriers.csv", "text/csv",
                       key="dl_csv", on_click="ignore")
    key = settings.tianditu_key()

    def html() -> str:
        fmap = standalone_map(frames, visible, lang=lang, basemap=basemap, tile_key=key, choropleth=choropleth,
                              title=t("app_title", lang))
        return inline_assets(fmap.get_root().render())

    c3.download_button(t("export_html", lang), html, "futian-map.html", "text/html", key="dl_html", on_click="ignore")


def _search(lang: str, query: str, carriers: pd.DataFrame, basemap, slot) -> None:
    """The search's results in ``slot`` (under the search box); picking one selects that carrier. No match
    says so there, as a warning."""
    hits = search_carriers(carriers, query)
    if not hits:
        slot.warning(t("search_none", lang), icon=":material/search_off:")
        return
    names = dict(zip(carriers["id"], carriers[name_column(lang)]))
    pick = slot.selectbox(t("search_results", lang, n=f"{len(hits):,}"), hits, format_func=names.get,
                          key="map_search_pick")
    if st.session_state.get("map_search_last") != (query, pick):
        st.session_state["map_search_last"] = (query, pick)
        _select(pick, carriers, basemap)


def _counts(lang: str, ctl: dict, carriers: pd.DataFrame, visible: pd.DataFrame) -> None:
    """How many carriers the filters leave, and how many a minimum available area leaves out."""
    pointless = visible.geometry.isna() | visible.geometry.is_empty
    by_zone = int(zone_placed(visible).sum())
    st.caption(t("matching", lang, shown=f"{len(visible):,}", total=f"{len(carriers):,}",
                 unlocated=f"{int(pointless.sum()) - by_zone:,}", by_zone=f"{by_zone:,}"))
    if ctl["min_available"] > 0:
        excluded = int((filter_carriers(carriers, layers=ctl["layers"]) &
                        carriers["available_area_m2"].isna()).sum())
        st.caption(t("min_available_note", lang, n=excluded))


def _selected_point(carriers: pd.DataFrame) -> tuple[float, float] | None:
    """(lat, lon) in WGS-84 of the selected carrier, if it has a location."""
    fid = st.session_state.get("map_selected")
    if fid is None:
        return None
    hit = carriers.loc[carriers["id"] == fid]
    if len(hit) and hit.geometry.iloc[0] is not None:
        return hit.geometry.iloc[0].y, hit.geometry.iloc[0].x
    return None


def _map(lang: str, frames, carriers: pd.DataFrame, visible: pd.DataFrame, basemap, choropleth, supply,
         indicator=None, modes: tuple = ()) -> None:
    """The one stable map with the visible carriers (and an indicator's circles under them, when one is
    chosen); a click on a carrier selects it."""
    city = data.scope() == "shenzhen"
    selected = _selected_point(carriers)

    def build():
        fmap = base_map(basemap, tile_key=settings.tianditu_key(), center=SHENZHEN_CENTER if city else FUTIAN_CENTER,
                        zoom=SHENZHEN_ZOOM if city else FUTIAN_ZOOM)
        groups = data_groups(frames, with_supply(visible, supply), lang=lang, basemap=basemap, choropleth=choropleth,
                             selected=selected, today=data.today())
        if indicator is not None:
            groups.insert(5, indicator)  # above the five zone layers, below the carriers (they stay clickable)
        return fmap, groups, folium.LayerControl(collapsed=True)

    # One rendering per view, shared by every session asking for it (the view: what the map shows).
    view = (data.revision(), data.scope(), lang, basemap.key, bool(settings.tianditu_key()), tuple(visible["id"]),
            modes, selected, str(data.today()))  # modes: the choropleth and indicator chosen
    made = map_render.payload(view, build)
    result = map_render.show(made, key=f"map_{basemap.key}_{data.scope()}", height=MAP_HEIGHT,
                             center=st.session_state.get("map_center"), zoom=st.session_state.get("map_zoom"))
    located = visible.loc[visible.geometry.notna()]
    lat_lon = [display_latlon(g.y, g.x, basemap.datum) for g in located.geometry]
    clicked = clicked_feature_id(result, ids=located["id"], lats=[p[0] for p in lat_lon],
                                 lons=[p[1] for p in lat_lon])
    click_key = (result or {}).get("last_object_clicked")
    if clicked and st.session_state.get("map_click_last") != (clicked, str(click_key)):
        st.session_state["map_click_last"] = (clicked, str(click_key))
        st.session_state["map_selected"] = clicked
        st.rerun()
    if basemap.datum == "gcj02":
        st.caption(t("gcj_note", lang))
    st.caption(t("approx_zones", lang))


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    if missing_assets():
        st.error(t("assets_missing", lang))
        return
    frames = data.frames()
    carriers = data.carriers()
    ctl = _sidebar_controls(lang, frames, carriers)
    basemap = BASEMAPS[ctl["basemap"]]
    if ctl["query"]:
        _search(lang, ctl["query"], carriers, basemap, ctl["found"])
    mask = filter_carriers(carriers, layers=ctl["layers"], industries=ctl["industries"],
                           subdistricts=ctl["subdistricts"], clusters=ctl["clusters"],
                           min_available_m2=ctl["min_available"])
    visible = carriers.loc[mask].reset_index(drop=True)
    choropleth = _choropleth(ctl["choropleth"], visible, frames)
    supply = _supply(carriers)

    st.header(t("page_map", lang))
    _counts(lang, ctl, carriers, visible)
    col_map, col_side = st.columns([3, 2], gap="medium")
    bubbles, bubble_legend = indicator_layer(lang, ctl["indicator"], visible, basemap.datum)
    city = map_city.wanted(visible)  # too many carriers for folium: the deck.gl city map
    with col_map:
        if city:
            legend = map_city.draw(lang, frames, visible, basemap, ctl, height=MAP_HEIGHT)
        else:
            _map(lang, frames, carriers, visible, basemap, choropleth, supply, bubbles,
                 modes=(ctl["choropleth"], ctl["indicator"]))
    with col_side:
        st.markdown(f"**{t('legend', lang)}**")
        st.html(legend if city else legend_html(lang, choropleth))
        if bubble_legend and not city:
            st.html(bubble_legend)
        selected = _detail_panel(lang, carriers, frames, supply)
    with col_map:  # under the map, where the units' table and the indicators have room
        economy_panel(lang, selected)
        _units_panel(lang, selected)
    _carrier_list(lang, visible, frames, basemap)
    _exports(lang, frames, visible, basemap, choropleth)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
