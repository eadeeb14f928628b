"""The city map: carriers drawn by deck.gl (WebGL) for more carriers than the folium map can draw.

Streamlit ships deck.gl and draws a deck given as JSON (``st.pydeck_chart``): no CDN, no plugin.
This module builds that JSON (the page, :mod:`views.map_city`, only shows it):

* **points** (up to a few hundred thousand carriers): one ``ScatterplotLayer`` coloured by carrier
  layer, each row ``[dx, dy, name, floor_m2, k]``, positions shifted to the base map's datum (GCJ-02 over AMap)
  on copies at render time, as :mod:`layers.render` does; a click's (layer, row) maps back to the
  carrier id through :attr:`CityMap.ids`, so ids are never sent;
* **grid** (more than that): the counts of :func:`spatial.grid.grid_cells`, one square per cell
  (a polygon of its corners in EPSG:4547); never a point per carrier.

Each layer's rows are kept apart from the deck (:attr:`CityMap.data`), so the page can send big ones
as files the browser fetches (:meth:`CityMap.linked_spec`) instead of inside the chart's JSON.

Safety. Tooltips use deck.gl's plain ``text`` form (shown with ``innerText``: no markup is ever
interpreted). Rows are arrays (the cells' objects have only keys made here), so data can never forge
a key (deck.gl's JSON converter reads ``@@type`` keys), and every data string passes :func:`deck_text`
(the converter also turns strings beginning ``@@=`` / ``@@#`` into code or constants). The JSON
escapes ``<``, ``>`` and ``&``. The base map is a raster style of the same tile URLs the folium map
uses (the only thing loaded from outside); "no base map" loads nothing.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pydeck as pdk

from layers.basemaps import BaseMap
from layers.catalogue import CARRIER_LAYERS, get_layer
from layers.escape import escape_html
from messages import name_column, t
from spatial.areas import simplify_m
from spatial.crs import shift_coords
from spatial.grid import DEFAULT_CELL_M, cell_corners, count_classes, grid_cells

POINT_ALPHA = 215
STEPS_PER_DEGREE = 100_000
UNKNOWN_AREA = "—"
GRID_COLORS = ((254, 229, 217), (252, 187, 161), (252, 146, 114), (251, 106, 74), (222, 45, 38), (165, 15, 21))
GRID_ALPHA = 175
BACKGROUND = "#f3f1ec"
DISTRICT_TOLERANCE_M = 60.0
DISTRICT_LINE = [55, 60, 66, 220]
"""The district outlines: darker than the folium map's grey, to show over dense points."""
VIEW_SIZE = (600, 620)
"""The map's size in pixels the first view is fitted to (the Map page's map column on a laptop)."""
FALLBACK_VIEW = (114.0560, 22.5405, 12.0)
"""lon, lat, zoom of the first view when nothing is located (Futian)."""
TOOLTIP_STYLE = {"backgroundColor": "#ffffff", "color": "#222222", "fontSize": "12px", "padding": "6px 8px",
                 "borderRadius": "4px", "boxShadow": "0 1px 4px rgba(0,0,0,.35)", "whiteSpace": "pre-line",
                 "maxWidth": "320px"}
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@dataclass(frozen=True)
class CityMap:
    """A city map ready to show: its JSON (the deck with each layer's rows apart), tooltip, and what a
    click on it means."""

    mode: str  # "points" or "grid"
    skeleton: str  # the deck as compact JSON, each layer's "data" a placeholder (see data_mark)
    data: dict[str, str]  # layer id -> its rows as compact JSON
    tooltip: dict
    ids: dict[str, np.ndarray] = field(default_factory=dict)  # points: layer id -> carrier ids, row order
    positions: dict[str, np.ndarray] = field(default_factory=dict)  # layer id -> rows' positions as sent
    cells: pd.DataFrame | None = None  # grid: the cells (spatial.grid.grid_cells), row order
    bounds: tuple[int, ...] = ()  # grid: upper bounds of the colour classes

    @cached_property
    def spec(self) -> str:
        """The deck's JSON with every layer's rows inline."""
        return self.linked_spec({})

    def linked_spec(self, urls: dict[str, str]) -> str:
        """The deck's JSON with the rows of the layers in ``urls`` (layer id -> URL) loaded by deck.gl from
        that URL (parsed by the browser's own JSON parser, cached by HTTP), the others inline."""
        def fill(match: re.Match) -> str:
            layer_id = json.loads(f'"{match.group(1)}"')
            return spec_json(urls[layer_id]) if layer_id in urls else self.data[layer_id]

        return _MARK.sub(fill, self.skeleton)

    @cached_property
    def file_names(self) -> dict[str, str]:
        """Layer id -> a file name for its rows that changes whenever they do (their SHA-256)."""
        return {k: hashlib.sha256(v.encode("utf-8")).hexdigest()[:32] + ".json" for k, v in self.data.items()}

    @property
    def payload_bytes(self) -> int:
        """Bytes of the JSON with every row inline."""
        return len(self.spec.encode("utf-8"))


def data_mark(layer_id: str) -> str:
    """The placeholder of a layer's rows in :attr:`CityMap.skeleton` (a string no data can produce:
    the skeleton holds no data)."""
    return f"\x00data:{layer_id}"


_MARK = re.compile(r'"\\u0000data:((?:[^"\\]|\\.)*)"')


def _city_map(mode: str, deck: dict, rows: dict[str, list], tooltip: dict, **more) -> CityMap:
    """A CityMap of ``deck``, whose layers' data are the rows in ``rows`` (layer id -> rows)."""
    for layer in deck["layers"]:
        if layer["id"] in rows:
            layer["data"] = data_mark(layer["id"])
    return CityMap(mode, spec_json(deck), {k: spec_json(v) for k, v in rows.items()}, tooltip, **more)


class SpecDeck(pdk.Deck):
    """A pydeck Deck whose JSON is made here (pydeck's serialiser indents every value: several times the
    bytes at 100,000 rows), for ``st.pydeck_chart``."""

    def __init__(self, city: CityMap, spec: str | None = None):
        super().__init__(layers=[], map_provider=None, tooltip=city.tooltip)
        self._spec_json = city.spec if spec is None else spec

    def to_json(self) -> str:
        """The ready JSON."""
        return self._spec_json


def deck_text(value) -> str:
    """A data value as text for the deck's JSON: '' for None/NaN; a leading ``@@`` (which deck.gl's JSON
    converter would read as code or a constant) is defused by a zero-width space."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return "\u200b" + text if text.startswith("@@") else text


def spec_json(spec: dict) -> str:
    """``spec`` as compact JSON with ``<``, ``>``, ``&`` and the JS line separators escaped."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def rgb(color: str) -> list[int]:
    """``#rrggbb`` as [r, g, b] (dark grey for anything else)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", color or ""):
        return [51, 51, 51]
    return [int(color[i:i + 2], 16) for i in (1, 3, 5)]


def base_style(basemap: BaseMap, *, tile_key: str | None = None) -> dict:
    """A Mapbox GL style drawing ``basemap``'s tiles (subdomains spelled out), or only a background for
    "no base map": nothing else (no glyphs, no sprites) is loaded."""
    layers = [{"id": "background", "type": "background", "paint": {"background-color": BACKGROUND}}]
    sources = {}
    urls = basemap.tile_urls(key=tile_key)
    for i, template in enumerate(urls):
        template = template.replace("{r}", "")
        tiles = [template.replace("{s}", s) for s in basemap.subdomains] if "{s}" in template else [template]
        sources[f"tiles{i}"] = {"type": "raster", "tiles": tiles, "tileSize": 256, "maxzoom": basemap.max_zoom,
                                "attribution": basemap.attribution}
        layers.append({"id": f"tiles{i}", "type": "raster", "source": f"tiles{i}"})
    return {"version": 8, "sources": sources, "layers": layers}


def _shifted(lon, lat, datum: str) -> np.ndarray:
    x, y = shift_coords(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"), src="wgs84", dst=datum)
    return np.round(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]), 5)


def district_layer(districts: pd.DataFrame, *, datum: str) -> dict:
    """The districts' outlines (simplified for drawing, shifted to ``datum``) as a PathLayer, not pickable."""
    shown = simplify_m(districts, DISTRICT_TOLERANCE_M) if len(districts) else districts
    paths = []
    for geom in shown.geometry:
        if geom is None or geom.is_empty:
            continue
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)
                paths.append({"path": _shifted(xy[:, 0], xy[:, 1], datum).tolist()})
    # Objects, not bare coordinate arrays: with bare arrays Streamlit 1.67 drops clicks on the other layers.
    return {"@@type": "PathLayer", "id": "districts", "data": paths, "getPath": "@@=path",
            "getColor": DISTRICT_LINE, "getWidth": 1.6,
            "widthUnits": "pixels", "pickable": False}


def fit_view(xy: np.ndarray, *, width: int = VIEW_SIZE[0], height: int = VIEW_SIZE[1]) -> dict:
    """deck.gl's view state showing every (lon, lat) of ``xy`` in a ``width`` × ``height`` pixel map
    (Web Mercator, 512-pixel world at zoom 0), zoom kept between 7 and 16."""
    if not len(xy):
        return {"longitude": FALLBACK_VIEW[0], "latitude": FALLBACK_VIEW[1], "zoom": FALLBACK_VIEW[2]}
    (west, south), (east, north) = xy.min(axis=0), xy.max(axis=0)
    merc = np.log(np.tan(np.pi / 4 + np.radians([south, north]) / 2))
    zoom_x = np.log2(width * 360.0 / (512.0 * max(east - west, 1e-6)))
    zoom_y = np.log2(height * 2 * np.pi / (512.0 * max(merc[1] - merc[0], 1e-9)))
    zoom = float(np.clip(min(zoom_x, zoom_y) - 0.15, 7.0, 16.0))
    lat = np.degrees(2 * np.arctan(np.exp(merc.mean())) - np.pi / 2)
    return {"longitude": round(float(west + east) / 2, 5), "latitude": round(float(lat), 5), "zoom": round(zoom, 2)}


def _deck(layers: list[dict], basemap: BaseMap, *, tile_key: str | None, view: dict) -> dict:
    """The deck around ``layers``: the view (in the base map's datum, like the data) and the base map."""
    return {"initialViewState": {**view, "pitch": 0, "bearing": 0, "minZoom": 7, "maxZoom": basemap.max_zoom},
            "views": [{"@@type": "MapView", "controller": True}],
            "mapStyle": [base_style(basemap, tile_key=tile_key)],  # a list: Streamlit draws its first style
            "layers": layers}


def _names(frame: pd.DataFrame, lang: str) -> pd.Series:
    """The carriers' names in ``lang`` (the Chinese name where the English one is missing)."""
    first = frame[name_column(lang)].astype("string").fillna("")
    return first.where(first.str.len() > 0, frame["name_zh"].astype("string").fillna("")).astype(object)


def _areas(frame: pd.DataFrame) -> list:
    """Floor areas as whole m² (``"—"`` where none is stated: the tooltip shows what it is given)."""
    area = pd.to_numeric(frame["floor_area_m2"], errors="coerce").to_numpy(dtype="float64")
    return [UNKNOWN_AREA if a != a else int(round(a)) for a in area]


def layer_colors() -> str:
    """deck.gl's fill colour of a row ``[dx, dy, name, floor_m2, k]``: the colour of carrier layer ``k``."""
    colors = [[*rgb(get_layer(k).style.color), POINT_ALPHA] for k in CARRIER_LAYERS]
    expr = json.dumps([128, 128, 128, POINT_ALPHA])
    for k in reversed(range(len(colors))):  # nested in parentheses: the converter's parser needs them
        expr = f"(this[4] == {k} ? {json.dumps(colors[k])} : {expr})"
    return "@@=" + expr.replace(" ", "")


def point_layer(carriers: pd.DataFrame, *, lang: str, datum: str
                ) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """The located carriers as one ScatterplotLayer (the layers' points mixed, so none hides another
    where they are dense), coloured by carrier layer; (layer, ids, positions as sent (steps), positions
    as drawn (lon, lat)).

    Rows are ``[dx, dy, name, floor_m2, k]``: the position in 1e-5 degree steps (about a metre) from a
    round origin south-west of them all (which keeps 100,000 rows to about 4 MB) and the carrier
    layer's index in :data:`layers.catalogue.CARRIER_LAYERS`.
    """
    located = carriers.loc[carriers.geometry.notna() & ~carriers.geometry.is_empty]
    # Drawn in a fixed shuffled order: the store lists the carriers layer by layer, and the last layer
    # drawn would cover the others where points are dense.
    located = located.iloc[np.random.default_rng(0).permutation(len(located))]
    xy = _shifted(located.geometry.x.to_numpy(), located.geometry.y.to_numpy(), datum) if len(located) else \
        np.zeros((0, 2))
    west, south = (np.floor(xy.min(axis=0) * 10) / 10).tolist() if len(xy) else (0.0, 0.0)
    steps = np.rint((xy - [west, south]) * STEPS_PER_DEGREE).astype(np.int64)
    names = [deck_text(n) for n in _names(located, lang)]
    kinds = pd.Categorical(located["layer"], categories=list(CARRIER_LAYERS)).codes.tolist()
    rows = [[x, y, n, a, k] for (x, y), n, a, k in zip(steps.tolist(), names, _areas(located), kinds)]
    layer = {"@@type": "ScatterplotLayer", "id": "carriers", "data": rows,
             "getPosition": f"@@=[{west:.1f} + this[0] / {STEPS_PER_DEGREE}, {south:.1f} + this[1] / "
                            f"{STEPS_PER_DEGREE}]",
             "getFillColor": layer_colors(),
             "getRadius": 30, "radiusUnits": "meters", "radiusMinPixels": 1.5, "radiusMaxPixels": 9,
             "pickable": True, "autoHighlight": True, "highlightColor": [255, 215, 0, 255]}
    return layer, located["id"].astype(str).to_numpy(), steps, steps / STEPS_PER_DEGREE + [west, south]


def points_map(carriers: pd.DataFrame, districts: pd.DataFrame, *, lang: str, basemap: BaseMap,
               tile_key: str | None = None) -> CityMap:
    """Every located carrier as a point, coloured by layer; hover names it, a click selects it."""
    layer, ids, steps, drawn = point_layer(carriers, lang=lang, datum=basemap.datum)
    rows = layer["data"]
    deck = _deck([layer, district_layer(districts, datum=basemap.datum)], basemap, tile_key=tile_key,
                 view=fit_view(drawn))
    tooltip = {"text": "{2}\n" + t("city_tip_area", lang, area="{3}"), "style": TOOLTIP_STYLE}
    return _city_map("points", deck, {"carriers": rows}, tooltip, ids={"carriers": ids}, positions={"carriers": steps})


def grid_map(carriers: pd.DataFrame, districts: pd.DataFrame, *, lang: str, basemap: BaseMap,
             tile_key: str | None = None, cell_m: float = DEFAULT_CELL_M) -> CityMap:
    """The carriers counted per ``cell_m`` square (EPSG:4547), each cell coloured by its count.

    Each cell is a polygon of its four corners (shared corners identical, so cells meet without gaps or
    overlaps); rows are objects ``{"p": corners, "n": count, "a": floor area, "c": colour}``: keys are
    the drawing's own, and the values numbers or text made here.
    """
    located = carriers.loc[carriers.geometry.notna() & ~carriers.geometry.is_empty]
    cells = grid_cells(located.geometry.x.to_numpy(), located.geometry.y.to_numpy(), cell_m=cell_m,
                       floor_area=pd.to_numeric(located["floor_area_m2"], errors="coerce").to_numpy(dtype="float64"))
    classes, bounds = count_classes(cells["count"], len(GRID_COLORS))
    lon, lat = cell_corners(cells["ix"], cells["iy"], cell_m=cell_m)
    corners = _shifted(lon.ravel(), lat.ravel(), basemap.datum).reshape(-1, 4, 2)
    unknown = t("unknown", lang)
    rows = [{"p": p, "n": f"{n:,}", "a": unknown if a != a else f"{a:,.0f}", "c": [*GRID_COLORS[c], GRID_ALPHA]}
            for p, n, a, c in zip(corners.tolist(), cells["count"].tolist(), cells["floor_area_m2"].tolist(),
                                  classes.tolist())]
    layer = {"@@type": "SolidPolygonLayer", "id": "cells", "data": rows, "getPolygon": "@@=p", "getFillColor": "@@=c",
             "pickable": True, "autoHighlight": True, "highlightColor": [255, 215, 0, 220]}
    deck = _deck([layer, district_layer(districts, datum=basemap.datum)], basemap, tile_key=tile_key,
                 view=fit_view(corners.reshape(-1, 2)))
    tooltip = {"text": t("city_cell_tip", lang, n="{n}", area="{a}"), "style": TOOLTIP_STYLE}
    return _city_map("grid", deck, {"cells": rows}, tooltip, positions={"cells": corners[:, 0, :]}, cells=cells,
                     bounds=tuple(bounds))


def _drawn_at(obj) -> tuple[float, float] | None:
    """Where a selected row is drawn: a point row's first two values, a cell's first corner (None for
    anything else: the selection comes from the browser)."""
    try:
        at = obj["p"][0] if isinstance(obj, dict) else obj
        return float(at[0]), float(at[1])
    except (TypeError, ValueError, KeyError, IndexError):
        return None


def picked_row(city: CityMap, indices: dict, objects: dict) -> tuple[str, int] | None:
    """The (layer id, row) a selection names, if it still names that row of ``city`` (the same position
    as drawn): a selection made on an earlier drawing with other rows is None."""
    for layer_id, rows in (indices or {}).items():
        xy = city.positions.get(layer_id)
        if xy is None or not rows:
            continue
        i = int(rows[0])
        at = _drawn_at(((objects or {}).get(layer_id) or [None])[0])
        if 0 <= i < len(xy) and at is not None and abs(at[0] - xy[i][0]) < 1e-6 and abs(at[1] - xy[i][1]) < 1e-6:
            return layer_id, i
    return None


def city_legend_html(lang: str, city: CityMap) -> str:
    """The city map's legend: the carrier layers' colours, or the grid's count classes."""
    if city.mode == "grid":
        lows = [1, *[b + 1 for b in city.bounds[:-1]]]
        items = [(GRID_COLORS[i], f"{lo:,}–{hi:,}" if hi > lo else f"{hi:,}")
                 for i, (lo, hi) in enumerate(zip(lows, city.bounds))]
        items = [("#%02x%02x%02x" % c, escape_html(text)) for c, text in items]
        head = f"<div>{escape_html(t('city_legend_cells', lang))}</div>"
    else:
        items = [(get_layer(k).style.color, escape_html(get_layer(k).title(lang))) for k in CARRIER_LAYERS]
        head = ""
    rows = "".join(f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0"><span style="display:'
                   f'inline-block;width:14px;height:14px;border-radius:3px;background:{c};border:1px solid #555">'
                   f'</span><span>{text}</span></div>' for c, text in items)
    return f'<div class="map-legend city-legend" style="font-size:12px;line-height:1.3">{head}{rows}</div>'
