"""The Match page's result map: one rank marker per carrier (ranks by unit run together, "1–3,5"),
markers that stand at the same place (a carrier inside its park) set side by side instead of on top of
each other, and the place the need names with the distance asked for drawn as a circle."""
from __future__ import annotations

import folium
import numpy as np

from layers.basemaps import BASEMAPS
from layers.escape import escape_html
from layers.render import base_map, display_latlon
from messages import name_column, t
from spatial.crs import METRIC_CRS, WGS84, get_transformer

SAME_PLACE_M = 150.0
"""Markers closer than this stand side by side (about 4 px at the map's first zoom, 60 px at zoom 16)."""
MARKER_STEP_PX = 30
MARKER_STYLE = ("background:#c0392b;color:#fff;border-radius:12px;min-width:24px;width:max-content;padding:0 5px;"
                "box-sizing:border-box;height:24px;line-height:24px;text-align:center;font-weight:700;"
                "box-shadow:0 0 0 2px #fff")
NEAR_COLOR = "#1f3a93"
OUTLINE_COLOR = "#c0392b"  # the district boundary's colour on the Map page


def runs(ranks: list[int]) -> str:
    """Ascending ranks as runs, "1–3,5" (by unit: one marker per carrier)."""
    starts, ends = [r for r in ranks if r - 1 not in ranks], [r for r in ranks if r + 1 not in ranks]
    return ",".join(str(a) if a == b else f"{a}–{b}" for a, b in zip(starts, ends))


def side_by_side(xy: np.ndarray, within_m: float = SAME_PLACE_M) -> np.ndarray:
    """Horizontal pixel offsets for points (metres, EPSG:4547) so that points within ``within_m`` of an
    earlier one of their group stand side by side, centred on the group: 0 for a point alone."""
    group = np.full(len(xy), -1)
    for i in range(len(xy)):
        for j in range(i):
            if group[j] == j and np.hypot(*(xy[i] - xy[j])) < within_m:
                group[i] = j
                break
        else:
            group[i] = i
    offsets = np.zeros(len(xy))
    for g in np.unique(group):
        members = np.flatnonzero(group == g)
        offsets[members] = (np.arange(len(members)) - (len(members) - 1) / 2) * MARKER_STEP_PX
    return offsets


def result_map(rows: list[dict], carriers, lang: str, *, near=None, near_label: str = "",
               within_km: float | None = None, outline=None) -> tuple[folium.Map, folium.FeatureGroup]:
    """The base map (fitted to what it shows) and the group of markers: a rank marker per located
    carrier of ``rows`` (result rows with ``id``, ``rank`` and the name columns) and, when the need names
    a place (``near`` = WGS-84 lon, lat), that place and the circle of ``within_km``; ``outline`` (the
    district, WGS-84) drawn as a line for orientation, without tiles too."""
    fmap = base_map(BASEMAPS["positron"], zoom=12)
    group = folium.FeatureGroup(name="results")
    if outline is not None and len(outline):
        folium.GeoJson(outline[["geometry"]].to_json(drop_id=True), interactive=False, style_function=lambda _f: {
            "color": OUTLINE_COLOR, "weight": 2, "fill": False}).add_to(group)
    located = carriers.set_index("id")
    ranks = {c: [r for r in rows if r["id"] == c] for c in dict.fromkeys(r["id"] for r in rows)}  # by unit: 1,3
    shown = [(cid, mine, located.loc[cid].geometry) for cid, mine in ranks.items() if cid in located.index]
    shown = [(cid, mine, g) for cid, mine, g in shown if g is not None and not g.is_empty]
    points = []
    if shown:
        lon = np.array([g.x for _, _, g in shown])
        lat = np.array([g.y for _, _, g in shown])
        offsets = side_by_side(np.column_stack(get_transformer(WGS84, METRIC_CRS).transform(lon, lat)))
        for (cid, mine, geom), dx in zip(shown, offsets):
            lat_, lon_ = display_latlon(geom.y, geom.x, "wgs84")
            points.append([lat_, lon_])
            folium.Marker([lat_, lon_], tooltip=escape_html(mine[0][name_column(lang)]), icon=folium.DivIcon(
                html=f'<div class="rank-marker" style="{MARKER_STYLE};transform:translate(calc(-50% + {dx:.0f}px),'
                     f'-50%)">{runs([int(r["rank"]) for r in mine])}</div>', icon_size=(0, 0))).add_to(group)
    if near is not None:
        lat_, lon_ = display_latlon(near[1], near[0], "wgs84")
        label = escape_html(near_label or t("m_near", lang))
        if within_km:
            folium.Circle([lat_, lon_], radius=within_km * 1000.0, color=NEAR_COLOR, weight=1.5, fill=True,
                          fill_opacity=0.05, dash_array="6 4", interactive=False).add_to(group)
            points += [[lat_ + d, lon_ + d] for d in (-within_km / 111.0, within_km / 111.0)]
        folium.Marker([lat_, lon_], tooltip=label, icon=folium.DivIcon(
            html=f'<div class="near-marker" style="transform:translate(-50%,-100%);color:{NEAR_COLOR};'
                 f'font-weight:700;white-space:nowrap;width:max-content;text-shadow:0 0 3px #fff,0 0 3px #fff">'
                 f'★ {label}</div>', icon_size=(0, 0))).add_to(group)
        points.append([lat_, lon_])
    if points:
        fmap.fit_bounds([[min(p[0] for p in points), min(p[1] for p in points)],
                         [max(p[0] for p in points), max(p[1] for p in points)]], padding=(30, 30), max_zoom=16)
    return fmap, group
