"""The Map page's city map: more carriers than the folium map can draw, shown with deck.gl (WebGL).

The folium map draws every carrier as a DOM marker: fine for the bundled inventory, slow from about
10,000 and impossible at 100,000. Above :data:`CITY_MAP_FROM` carriers in view the page shows this
map instead: Streamlit's own deck.gl (``st.pydeck_chart``, no CDN) draws the points on the GPU, so
pan and zoom never rerun the script, hover shows a tooltip in the browser and a click selects the
carrier for the page's detail panel. Above :data:`POINTS_UP_TO` it draws counts per 500 m cell
summed on the server instead of sending every point. The deck is built once per store revision,
scope, filters, language and base map (:mod:`layers.deck_city`) and its JSON stays the same across
reruns, so a click's rerun sends only a reference to it (Streamlit's message cache), not the data.
The rows of big layers are written once as files the app serves (``static/citymap``, named by their
SHA-256) and fetched by deck.gl: the browser parses them natively, where Streamlit parses a chart's
JSON with JSON5 (about 0.2 s per MB on the test machine).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

import settings
from layers.basemaps import BASEMAPS, BaseMap
from layers.deck_city import CityMap, SpecDeck, city_legend_html, grid_map, picked_row, points_map
from messages import t
from spatial.grid import DEFAULT_CELL_M
from views import data

CITY_MAP_FROM = 20_000
"""Above this many carriers in view, the city map (below it the folium map, with its zone layers,
choropleths, indicators and popups, draws in a few seconds)."""
POINTS_UP_TO = 200_000
"""Up to this many carriers the city map sends each one (about 4 MB per 100,000); above, cell counts."""
FILTER_KEYS = ("layers", "industries", "subdistricts", "clusters", "min_available")
APP_STATIC = Path(__file__).resolve().parents[1] / "static"
"""The folder Streamlit serves as ``app/static`` (``server.enableStaticServing``)."""
DATA_FOLDER = "citymap"
LINK_FROM_BYTES = 200_000
"""A layer's rows at least this big are served as a file rather than inside the chart's JSON."""
KEEP_FILES = 48


def map_kind(n_visible: int) -> str | None:
    """How the Map page draws ``n_visible`` carriers: None (the folium map), "points" or "grid"."""
    if n_visible <= CITY_MAP_FROM:
        return None
    return "points" if n_visible <= POINTS_UP_TO else "grid"


def wanted(visible: pd.DataFrame) -> bool:
    """Whether the page shows the city map for these carriers in view."""
    return map_kind(len(visible)) is not None


@st.cache_resource(show_spinner=False, max_entries=8)
def _city_map(_visible: pd.DataFrame, _districts: pd.DataFrame, key: tuple, lang: str, basemap_key: str,
              tile_key: str | None, kind: str) -> CityMap:
    """The deck for ``key`` (store revision, scope, filters), shared by every session (read-only)."""
    build = points_map if kind == "points" else grid_map
    return build(_visible, _districts, lang=lang, basemap=BASEMAPS[basemap_key], tile_key=tile_key)


def city_map(lang: str, frames, visible: pd.DataFrame, basemap: BaseMap, ctl: dict) -> CityMap:
    """The (cached) city map of the carriers in view."""
    signature = tuple(tuple(v) if isinstance(v, list) else v for v in (ctl.get(k) for k in FILTER_KEYS))
    kind = map_kind(len(visible)) or "points"
    return _city_map(visible, frames["shenzhen_districts"], (data.revision(), data.scope(), signature), lang,
                     basemap.key, settings.tianditu_key() if basemap.needs_key else None, kind)


def _published(city: CityMap) -> dict[str, str]:
    """Layer id -> URL of the big layers' rows, written once as files the app serves (``static/citymap``):
    the browser parses them with its own JSON parser and keeps them in its HTTP cache, while Streamlit
    parses a chart's JSON with a far slower one (about 0.2 s per MB). {} when the folder cannot be written
    (a read-only deployment): the rows then travel inline."""
    folder = APP_STATIC / DATA_FOLDER
    urls = {}
    try:
        for layer_id, text in city.data.items():
            if len(text) < LINK_FROM_BYTES:
                continue
            name = city.file_names[layer_id]
            if not (folder / name).exists():
                _write(folder, name, text.encode("utf-8"))
            urls[layer_id] = f"app/static/{DATA_FOLDER}/{name}"
    except OSError:
        return {}
    return urls


def _write(folder: Path, name: str, body: bytes) -> None:
    """Write a data file atomically (other processes may serve the folder) and keep only the newest
    :data:`KEEP_FILES` files. The folder ignores itself in git."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / ".gitignore").exists():
        (folder / ".gitignore").write_text("# written by views/map_city.py\n*\n", "utf-8")
    part = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.part"
    part.write_bytes(body)
    part.replace(folder / name)
    files = sorted(folder.glob("*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[KEEP_FILES:]:
        old.unlink(missing_ok=True)


def _selection(event) -> tuple[dict, dict]:
    selection = (event or {}).get("selection") or {}
    return dict(selection.get("indices") or {}), dict(selection.get("objects") or {})


def _apply(event, city: CityMap) -> None:
    """A new click on the map: select the carrier (the detail panel shows it) or remember the cell."""
    indices, objects = _selection(event)
    picked = picked_row(city, indices, objects)
    if picked is None:
        return
    layer_id, row = picked
    token = (city.mode, layer_id, tuple(int(v) if city.mode == "points" else float(v)
                                        for v in city.positions[layer_id][row]))
    if st.session_state.get("city_pick_last") == token:
        return  # the same selection as on the last run: a list pick or search since then stays
    st.session_state["city_pick_last"] = token
    if city.mode == "points":
        st.session_state["map_selected"] = str(city.ids[layer_id][row])
    else:
        cell = city.cells.iloc[row]
        st.session_state["city_cell"] = (int(cell["ix"]), int(cell["iy"]))


def _cell_caption(lang: str, city: CityMap) -> None:
    """What the clicked cell holds (grid only)."""
    wanted_cell = st.session_state.get("city_cell")
    if city.mode != "grid" or wanted_cell is None:
        return
    hit = city.cells.loc[(city.cells["ix"] == wanted_cell[0]) & (city.cells["iy"] == wanted_cell[1])]
    if hit.empty:
        return
    cell = hit.iloc[0]
    area = cell["floor_area_m2"]
    st.caption(t("city_cell_picked", lang, lat=f"{cell['lat']:.4f}", lon=f"{cell['lon']:.4f}",
                 n=f"{int(cell['count']):,}", area=t("unknown", lang) if area != area else f"{area:,.0f}"))


def draw(lang: str, frames, visible: pd.DataFrame, basemap: BaseMap, ctl: dict, *, height: int) -> str:
    """Draw the city map of the carriers in view; a click selects a carrier (``map_selected``) for the
    page's detail panel. Returns the legend's HTML."""
    city = city_map(lang, frames, visible, basemap, ctl)
    deck = SpecDeck(city, city.linked_spec(_published(city)))
    event = st.pydeck_chart(deck, height=height, on_select="rerun", selection_mode="single-object",
                            key=f"city_map_{city.mode}", alt=t("city_alt", lang))
    _apply(event, city)
    if city.mode == "grid":
        st.caption(t("city_grid_note", lang, n=f"{len(visible):,}", cell=f"{DEFAULT_CELL_M:,.0f}",
                     limit=f"{POINTS_UP_TO:,}"))
        _cell_caption(lang, city)
    else:
        st.caption(t("city_points_note", lang, n=f"{len(visible):,}", limit=f"{CITY_MAP_FROM:,}"))
    if basemap.datum == "gcj02":
        st.caption(t("gcj_note", lang))
    return city_legend_html(lang, city)
