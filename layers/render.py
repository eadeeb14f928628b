"""Turn layers into folium objects: the base map, one feature group per layer, a legend.

The base map (tiles, centre, controls) is built separately from the data layers so the
page can keep one stable map and swap only the feature groups when filters change.
All geometries are shifted to the base map's datum here, on copies, at render time.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import branca
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.assets import localise
from layers.basemaps import BaseMap
from layers.catalogue import CARRIER_LAYERS, get_layer
from layers.vocab import split_codes
from layers.escape import escape_html
from layers.labels import ZoneLabels
from layers.popups import NO_PROVENANCE, Provenance, carrier_title, label, popup_html, provenance, tooltip_html
from messages import name_column, t
from spatial.areas import simplify_m
from spatial.crs import WGS84, shift_coords, shift_geoseries
from spatial.zone_placement import ZONE_LAYERS, zone_placed

FUTIAN_CENTER = (22.5405, 114.0560)  # WGS-84 lat, lon
FUTIAN_ZOOM = 13
SHENZHEN_CENTER = (22.6400, 114.0600)  # WGS-84 lat, lon: the city's nine districts in view
SHENZHEN_ZOOM = 10
FULL_POPUP_LIMIT = 2_000
"""Above this many carriers in a layer, popups are compact to keep the page small."""

DISPLAY_TOLERANCE_M = {"shenzhen_districts": 60.0, "district": 3.0, "subdistricts": 3.0, "clusters": 3.0,
                       "hetao": 1.0}
"""Simplification of each zone layer for drawing only (areas are never computed from it)."""
CHOROPLETH_COLORS = ("#fcc5c0", "#fa9fb5", "#f768a1", "#dd3497", "#ae017e", "#7a0177")
"""A sequential pink–purple ramp (ColorBrewer RdPu without its near-white steps): no class reads as white
on the map or as a bar, and none is taken for a carrier layer's legend colour (the orange of low-cost
space was)."""
NO_DATA_COLOR = "#d9d9d9"


def base_map(basemap: BaseMap, *, tile_key: str | None = None, center=FUTIAN_CENTER,
             zoom: int = FUTIAN_ZOOM) -> folium.Map:
    """A folium map with only the chosen tiles, scale bar and local JS/CSS.

    ``center`` is WGS-84 (lat, lon); it is shifted to the base map's datum.
    """
    lat, lon = display_latlon(center[0], center[1], basemap.datum)
    fmap = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None, control_scale=True,
                      max_zoom=basemap.max_zoom)
    # The map itself has the zoom limit, not only its tiles: without tiles ("no base map") Leaflet has no
    # maximum zoom, and the marker clusters refuse to draw ("Map has no maxZoom specified").
    fmap.options["max_zoom"] = basemap.max_zoom
    for i, url in enumerate(basemap.tile_urls(key=tile_key)):
        folium.TileLayer(url, attr=basemap.attribution, name=basemap.title("zh") if i == 0 else None,
                         subdomains=basemap.subdomains, max_zoom=basemap.max_zoom, control=False).add_to(fmap)
    localise(fmap)
    return fmap


def display_latlon(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A WGS-84 point as drawn over a base map in ``datum``."""
    x, y = shift_coords(lon, lat, src="wgs84", dst=datum)
    return float(y), float(x)


def to_display(frame: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """A copy of a WGS-84 frame shifted to ``datum`` (unchanged copy for wgs84)."""
    if datum == "wgs84" or frame.empty:
        return frame.copy()
    located = frame.geometry.notna()
    out = frame.copy()
    if located.any():
        out.loc[located, out.geometry.name] = shift_geoseries(frame.loc[located, [frame.geometry.name]],
                                                              src="wgs84", dst=datum).geometry
    return out


@dataclass(frozen=True)
class Choropleth:
    """Colour a zone layer by a summed stated figure."""

    zone_layer: str  # "subdistricts" or "clusters"
    field: str  # "floor_area_m2" or "incubation_area_m2"
    values: dict  # zone id -> summed m² (None when unknown)

    def bins(self) -> list[float]:
        """Upper bounds of the colour classes: equal steps of a round size (1, 2, 2.5 or 5 × 10ⁿ m²), at
        most as many as there are colours, the last one reaching the largest known value."""
        known = [v for v in self.values.values() if v is not None and v == v]
        top = max(known, default=0.0)
        if top <= 0:
            return [top] if known else []
        step = round_step(top / len(CHOROPLETH_COLORS))
        return [step * (i + 1) for i in range(math.ceil(top / step - 1e-9))]

    def colors(self) -> list[str]:
        """One colour per class, spread over the ramp (the largest class always the darkest)."""
        n, last = len(self.bins()), len(CHOROPLETH_COLORS) - 1
        return [CHOROPLETH_COLORS[round(last * i / (n - 1)) if n > 1 else last] for i in range(n)]

    def color(self, zone_id: str) -> str:
        """Fill colour of one zone."""
        value = self.values.get(zone_id)
        if value is None or value != value:
            return NO_DATA_COLOR
        for bound, color in zip(self.bins(), self.colors()):
            if value <= bound:
                return color
        return CHOROPLETH_COLORS[-1]


def round_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at least ``raw`` (> 0): class breaks a reader can take in."""
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-12))


def _zone_style(key: str, choropleth: Choropleth | None):
    spec = get_layer(key)
    style = spec.style

    def fn(feature):
        props = feature["properties"]
        out = {"color": style.color, "weight": style.weight, "fillColor": style.fill_color or style.color,
               "fillOpacity": style.fill_opacity, "dashArray": style.dash}
        if key == "hetao" and props.get("context"):
            out.update(fillOpacity=0.06, dashArray="5 5")
        if choropleth is not None and key == choropleth.zone_layer:
            out.update(fillColor=choropleth.color(props["id"]), fillOpacity=0.65)
        return out

    return fn


_SHOWN: dict = {}
SHOWN_HELD = 24


def zone_display(frame: gpd.GeoDataFrame, key: str, datum: str) -> gpd.GeoDataFrame:
    """Zone layer ``frame`` simplified for drawing and shifted to ``datum``, kept per frame object
    (the pages pass the store's shared copy: the same object until the store changes), so a page
    run does not project every boundary again. Read-only."""
    memo = (id(frame), key, datum)
    held = _SHOWN.get(memo)
    if held is None or held[0] is not frame:
        held = (frame, to_display(simplify_m(frame, DISPLAY_TOLERANCE_M.get(key, 1.0)), datum))
        _SHOWN[memo] = held
        while len(_SHOWN) > SHOWN_HELD:
            _SHOWN.pop(next(iter(_SHOWN)), None)
    return held[1]


def zone_group(frame: gpd.GeoDataFrame, key: str, *, lang: str, datum: str,
               choropleth: Choropleth | None = None, labels: bool = True, show: bool = True) -> folium.FeatureGroup:
    """A feature group drawing one polygon layer with tooltips and (optionally) labels."""
    spec = get_layer(key)
    shown = zone_display(frame, key, datum)
    name_col = name_column(lang)
    props = pd.DataFrame({
        "id": shown["id"].astype(str),
        "context": shown["context"].fillna(False).astype(bool) if "context" in shown.columns else False,
        "label": [escape_html(n) + (" ≈" if a else "") for n, a in zip(
            shown[name_col], shown["approximate"] if "approximate" in shown.columns else [False] * len(shown))],
    })
    data = gpd.GeoDataFrame(props, geometry=shown.geometry.to_numpy(), crs=shown.crs)
    group = folium.FeatureGroup(name=f"{spec.title(lang)}", show=show)
    folium.GeoJson(
        data.to_json(drop_id=True),
        name=spec.title(lang),
        style_function=_zone_style(key, choropleth),
        highlight_function=lambda _f: {"weight": 4},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        control=False,
    ).add_to(group)
    if labels:  # the largest zones' labels first (a ranking only: display degrees): they stay when labels collide
        order = shapely.area(data.geometry.to_numpy()).argsort()[::-1]
        points = data.geometry.representative_point()
        ZoneLabels([[round(points.iloc[i].y, 6), round(points.iloc[i].x, 6), data["label"].iloc[i]] for i in order],
                   color=spec.style.color, priority=LABEL_PRIORITY.get(key, 9)).add_to(group)
    return group


LABEL_PRIORITY = {"subdistricts": 0, "clusters": 1}
"""Which layer's labels stay when two collide on the map (lower first)."""
ZONE_PLACED_STYLE = {"color": "#222222", "weight": 3, "dashArray": "1 7", "lineCap": "round", "fill": False}
"""Carriers placed by zone are drawn as their zone's dotted outline, never as a pin."""


def zone_placed_group(frames: dict[str, pd.DataFrame], carriers: gpd.GeoDataFrame, *, lang: str, datum: str
                      ) -> folium.FeatureGroup | None:
    """The zones that hold carriers placed by zone (no site stated), outlined with a tooltip that
    names those carriers; None when there are none."""
    placed = carriers.loc[zone_placed(carriers)]
    if placed.empty:
        return None
    holders: dict[str, list[str]] = {}
    for name, zone_id in zip(placed[name_column(lang)], placed["zone_id"]):
        for z in split_codes(zone_id):
            holders.setdefault(z, []).append(str(name))
    zones = pd.concat([frames[k][["id", "name_zh", "name_en", "geometry"]] for k in ZONE_LAYERS
                       if k in frames and k != "district"], ignore_index=True)  # "somewhere in Futian": no outline
    zones = gpd.GeoDataFrame(zones.loc[zones["id"].isin(holders)], geometry="geometry", crs=WGS84)
    if zones.empty:
        return None
    shown = to_display(zones, datum)
    sep = t("list_sep", lang)
    labels = [escape_html(t("zone_placed_tip", lang, zone=n, n=len(holders[i]), names=sep.join(holders[i])))
              for i, n in zip(shown["id"], shown[name_column(lang)])]
    data = gpd.GeoDataFrame({"label": labels}, geometry=shown.geometry.to_numpy(), crs=shown.crs)
    group = folium.FeatureGroup(name=t("zone_placed_layer", lang), show=True)
    folium.GeoJson(data.to_json(drop_id=True), style_function=lambda _f: ZONE_PLACED_STYLE,
                   highlight_function=lambda _f: {"weight": 5},
                   tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True), control=False
                   ).add_to(group)
    return group


CARRIER_CALLBACK = """function (row) {
    var m = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 8, color: '#ffffff', weight: 1.5, fillColor: '%(color)s', fillOpacity: 0.9});
    if (row.length === 5) {
        m.bindTooltip(row[3]);
        m.bindPopup(row[4], {maxWidth: 380});
    } else {
        var esc = function (s) { var d = document.createElement('div'); d.textContent = s; return d.innerHTML; };
        m.bindTooltip(row[3] + '<i hidden>#id:' + esc(row[2]) + '#</i>');
        m.bindPopup(function () {
            var labels = %(labels)s, box = document.createElement('div'), title = document.createElement('b');
            title.innerHTML = row[3];
            box.appendChild(title);
            var lines = [row[4]].concat([row[5], row[6]].map(function (v, i) {
                return labels[i] + ': ' + (v === null ? labels[2] : v.toLocaleString('en-US') + ' m²'); }));
            lines.forEach(function (text) { var d = document.createElement('div'); d.textContent = text; box.appendChild(d); });
            return box;
        }, {maxWidth: 380});
    }
    m.options.featureId = row[2];
    return m;
}"""
"""Creates one circle marker per data row. Full rows carry escaped tooltip and popup HTML;
compact rows (very large layers) carry the escaped name, the other name as plain text
(set with textContent) and the floor / available areas as numbers."""


def _number(value):
    return None if value is None or value != value else round(float(value), 1)


def carrier_rows(frame: gpd.GeoDataFrame, key: str, *, lang: str, datum: str, prov: Provenance = NO_PROVENANCE
                 ) -> list[list]:
    """Data rows of the located carriers for :data:`CARRIER_CALLBACK`.

    Up to :data:`FULL_POPUP_LIMIT` carriers: ``[lat, lon, id, tooltip_html, popup_html]``;
    above it, compact ``[lat, lon, id, name_html, other_name, floor_m2, available_m2]`` so
    10,000 points stay well under 5 MB.
    """
    located = frame.loc[frame.geometry.notna() & ~frame.geometry.is_empty]
    if located.empty:
        return []
    x, y = shift_coords(located.geometry.x.to_numpy(), located.geometry.y.to_numpy(), src="wgs84", dst=datum)
    lat = np.round(np.atleast_1d(y), 6).tolist()
    lon = np.round(np.atleast_1d(x), 6).tolist()
    records = located.drop(columns=located.geometry.name).to_dict("records")
    if len(located) <= FULL_POPUP_LIMIT:
        return [[a, o, str(r["id"]), tooltip_html(r, lang), popup_html({**r, "layer": key}, lang, prov=prov)]
                for a, o, r in zip(lat, lon, records)]
    rows = []
    for a, o, r in zip(lat, lon, records):
        first, second = carrier_title(r, lang)
        rows.append([a, o, str(r["id"]), escape_html(first), second, _number(r.get("floor_area_m2")),
                     _number(r.get("available_area_m2"))])
    return rows


def _js_labels(lang: str) -> str:
    """The compact popup's labels as a JS array literal (JSON with ``<>&`` escaped)."""
    labels = [label("floor_area_m2", lang), label("available_area_m2", lang), label("unknown", lang)]
    return json.dumps(labels).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def carrier_group(frame: gpd.GeoDataFrame, key: str, *, lang: str, datum: str, prov: Provenance = NO_PROVENANCE
                  ) -> folium.FeatureGroup:
    """A feature group of one carrier layer: circle markers clustered when dense."""
    spec = get_layer(key)
    group = folium.FeatureGroup(name=spec.title(lang), show=True)
    rows = carrier_rows(frame, key, lang=lang, datum=datum, prov=prov)
    if rows:
        color = spec.style.color if re.fullmatch(r"#[0-9a-fA-F]{6}", spec.style.color) else "#333333"
        folium.plugins.FastMarkerCluster(
            rows, callback=CARRIER_CALLBACK % {"color": color, "labels": _js_labels(lang)}, name=spec.title(lang),
            control=False,
            options={"disableClusteringAtZoom": 17, "maxClusterRadius": 45, "spiderfyOnMaxZoom": True,
                     "chunkedLoading": True},
        ).add_to(group)
    return group


def selection_group(lat: float, lon: float, *, datum: str) -> folium.FeatureGroup:
    """A ring around the selected carrier."""
    group = folium.FeatureGroup(name="selection", control=False)
    d_lat, d_lon = display_latlon(lat, lon, datum)
    folium.CircleMarker([d_lat, d_lon], radius=16, color="#e31a1c", weight=3, fill=False,
                        interactive=False).add_to(group)
    return group


def data_groups(frames: dict[str, pd.DataFrame], carriers: gpd.GeoDataFrame, *, lang: str, basemap: BaseMap,
                choropleth: Choropleth | None = None, selected: tuple[float, float] | None = None,
                today=None) -> list[folium.FeatureGroup]:
    """Every feature group for the current view: zones, then carriers per layer (popups cite the
    store's sources; ``today`` flags figures older than two years)."""
    datum = basemap.datum
    prov = provenance(frames, today)
    groups = [
        zone_group(frames["shenzhen_districts"], "shenzhen_districts", lang=lang, datum=datum, labels=False,
                   show=False),
        zone_group(frames["district"], "district", lang=lang, datum=datum, labels=False),
        zone_group(frames["subdistricts"], "subdistricts", lang=lang, datum=datum, choropleth=choropleth),
        zone_group(frames["clusters"], "clusters", lang=lang, datum=datum, choropleth=choropleth),
        zone_group(frames["hetao"], "hetao", lang=lang, datum=datum, labels=False),
    ]
    placed = zone_placed_group(frames, carriers, lang=lang, datum=datum)
    if placed is not None:
        groups.append(placed)
    for key in CARRIER_LAYERS:
        groups.append(carrier_group(carriers.loc[carriers["layer"] == key], key, lang=lang, datum=datum, prov=prov))
    if selected is not None:
        groups.append(selection_group(*selected, datum=datum))
    for group in groups:
        localise(group)
    return groups


def legend_items(lang: str, choropleth: Choropleth | None = None) -> list[tuple[str, str]]:
    """(colour, escaped label) pairs of the legend."""
    items = [(get_layer(k).style.color, escape_html(get_layer(k).title(lang)))
             for k in ("district", "hetao", "subdistricts", "clusters", *CARRIER_LAYERS)]
    items.append((ZONE_PLACED_STYLE["color"], escape_html(t("zone_placed_legend", lang))))
    if choropleth is not None:
        bounds = choropleth.bins()
        lower = 0.0
        for bound, color in zip(bounds, choropleth.colors()):
            items.append((color, f"{lower:,.0f}–{bound:,.0f} m²"))
            lower = bound
        items.append((NO_DATA_COLOR, escape_html(t("unknown", lang))))
    return items


def legend_html(lang: str, choropleth: Choropleth | None = None, *, title: str = "") -> str:
    """The legend as an HTML block (used beside the map and inside exported maps)."""
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
        f'<span style="display:inline-block;width:14px;height:14px;border-radius:3px;background:{color};'
        f'border:1px solid #555"></span><span>{text}</span></div>'
        for color, text in legend_items(lang, choropleth))
    head = f"<b>{escape_html(title)}</b>" if title else ""
    return f'<div class="map-legend" style="font-size:12px;line-height:1.3">{head}{rows}</div>'


def standalone_map(frames: dict[str, pd.DataFrame], carriers: gpd.GeoDataFrame, *, lang: str, basemap: BaseMap,
                   tile_key: str | None = None, choropleth: Choropleth | None = None, title: str = "") -> folium.Map:
    """A complete map (base, layers, layer switcher, legend) for export as one HTML file."""
    fmap = base_map(basemap, tile_key=tile_key)
    for group in data_groups(frames, carriers, lang=lang, basemap=basemap, choropleth=choropleth):
        group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    legend = branca.element.Element(
        '<div style="position:fixed;bottom:24px;left:12px;z-index:9999;background:#fff;padding:8px 10px;'
        f'border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3)">{legend_html(lang, choropleth, title=title)}</div>')
    fmap.get_root().html.add_child(legend)
    localise(fmap)
    return fmap
