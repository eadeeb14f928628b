"""Static maps as SVG, drawn from the vector layers alone (no tiles: they print offline): zones in
their true shape (EPSG:4547), a choropleth's classes, carriers as dots or rank markers, labels that
avoid each other where they can, a scale bar, a north arrow and a legend. Pure: frames in (WGS-84),
SVG text out; every text from the data is escaped."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from layers.escape import escape_html
from layers.render import NO_DATA_COLOR, Choropleth
from messages import t
from spatial.crs import to_metric

FONT = "Noto Sans CJK SC, sans-serif"
MAP_W, MAP_H = 500, 420
"""The map's drawing area in px (1 px = 1/96 in when printed); the legend stands to its right."""
LEGEND_W = 190
PAD = 14
LABEL_SIZE = 10.0
POINT_COLOR = "#1f3a93"
MARKER_COLOR = "#c0392b"
OUTLINE = {"district": ("#c0392b", 2.0, ""), "subdistricts": ("#34495e", 0.8, "4 2"),
           "clusters": ("#16a085", 1.2, "3 2"), "shenzhen_districts": ("#7f8c8d", 0.8, "4 3")}
"""Stroke colour, width and dashes of each zone layer (the Map page's colours, thinner for paper)."""


@dataclass
class Viewport:
    """Metric bounds (EPSG:4547) fitted into the drawing area, north up, true shape."""

    bounds: tuple[float, float, float, float]
    width: float = MAP_W
    height: float = MAP_H
    scale: float = field(init=False)
    origin: tuple[float, float] = field(init=False)

    def __post_init__(self):
        x0, y0, x1, y1 = self.bounds
        span_x, span_y = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
        self.scale = min((self.width - 2 * PAD) / span_x, (self.height - 2 * PAD) / span_y)
        self.origin = (x0 - ((self.width - 2 * PAD) / self.scale - span_x) / 2 - PAD / self.scale,
                       y1 + ((self.height - 2 * PAD) / self.scale - span_y) / 2 + PAD / self.scale)

    def px(self, x, y):
        """Pixel coordinates of metric ``x``, ``y`` (scalars or arrays)."""
        return (np.asarray(x) - self.origin[0]) * self.scale, (self.origin[1] - np.asarray(y)) * self.scale


def metric(frame: gpd.GeoDataFrame | None) -> gpd.GeoSeries:
    """The located geometries of ``frame`` in EPSG:4547 (empty for none)."""
    if frame is None or not len(frame):
        return gpd.GeoSeries([], crs="EPSG:4547")
    located = frame.loc[frame.geometry.notna() & ~frame.geometry.is_empty]
    return to_metric(located[[located.geometry.name]]).geometry


def path_d(geom, vp: Viewport) -> str:
    """An SVG path (``d``) of a polygon or multipolygon's rings, or a line's parts."""
    parts = []
    for part in getattr(geom, "geoms", [geom]):
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            xs, ys = vp.px(*np.asarray(ring.coords)[:, :2].T)
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys)) + ("Z" if part.geom_type ==
                                                                                         "Polygon" else ""))
    return "".join(parts)


def text_width(text: str, size: float) -> float:
    """The estimated width of ``text`` in px: CJK characters a full em, others about half."""
    return sum(size if ord(c) > 0x2E80 else size * 0.58 for c in text)


def _overlaps(box, boxes) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes)


def place_labels(anchors: list[tuple[float, float, str]], taken: list, *, size: float = LABEL_SIZE,
                 width: float = MAP_W, height: float = MAP_H, drop: bool = False) -> list[tuple[float, float, str, float]]:
    """(x, y, text, size) for each label, the first of a few positions around its anchor that overlaps no
    label placed before and no box of ``taken`` (which grows) and stays inside the drawing area; a smaller
    size is tried before a label is given the position that overlaps least, or with ``drop`` left out (the
    tables name every zone: a label in a knot of others helps nobody)."""
    steps = [(0, 0), (0, -1.3), (0, 1.3), (1, 0), (-1, 0), (0, -2.6), (0, 2.6), (1, -1.3), (-1, -1.3),
             (1, 1.3), (-1, 1.3)]
    placed = []
    for ax, ay, text in anchors:
        best = None
        for s in (size, size * 0.85):
            w, h = text_width(text, s), s * 1.25
            for dx, dy in steps:
                x, y = ax + dx * (w / 2 + 4), ay + dy * h
                box = (x - w / 2 - 1, y - h / 2, x + w / 2 + 1, y + h / 2)
                inside = box[0] >= 2 and box[1] >= 2 and box[2] <= width - 2 and box[3] <= height - 2
                clash = sum(_overlaps(box, [b]) for b in taken) + (0 if inside else 10)
                if best is None or clash < best[0]:
                    best = (clash, x, y, s, box)
                if clash == 0:
                    break
            if best[0] == 0:
                break
        if drop and best[0]:
            continue
        taken.append(best[4])
        placed.append((best[1], best[2], text, best[3]))
    return placed


def label_svg(x: float, y: float, text: str, size: float, *, color: str = "#222") -> str:
    """A label with a white halo (drawn twice: the halo under the letters)."""
    common = (f'x="{x:.1f}" y="{y + size * 0.36:.1f}" font-size="{size:.1f}" text-anchor="middle" '
              f'font-family="{FONT}"')
    body = escape_html(text)
    return (f'<text {common} fill="#fff" stroke="#fff" stroke-width="3" stroke-linejoin="round">{body}</text>'
            f'<text {common} fill="{color}">{body}</text>')


def nice_length(metres: float) -> float:
    """The largest of 1, 2, 5 × 10ⁿ m not over ``metres``."""
    magnitude = 10.0 ** math.floor(math.log10(metres))
    return max(m * magnitude for m in (1, 2, 5) if m * magnitude <= metres)


def scale_bar(vp: Viewport) -> str:
    """A scale bar at the bottom left, about a quarter of the map's width, labelled in km or m."""
    length = nice_length(vp.width / 4 / vp.scale)
    w = length * vp.scale
    x, y = PAD, vp.height - PAD
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    return (f'<g class="scale"><rect x="{x - 4}" y="{y - 20}" width="{w + 8:.1f}" height="24" fill="#fff" '
            f'fill-opacity="0.8"/><path d="M{x},{y - 6}V{y}H{x + w:.1f}V{y - 6}" fill="none" stroke="#222" '
            f'stroke-width="1.5"/><text x="{x}" y="{y - 9}" font-size="9" font-family="{FONT}">0</text>'
            f'<text x="{x + w:.1f}" y="{y - 9}" font-size="9" text-anchor="end" font-family="{FONT}">{text}</text></g>')


def north_arrow(vp: Viewport, lang: str) -> str:
    """A north arrow at the top right (grid north: EPSG:4547's central meridian runs through Futian)."""
    x, y = vp.width - PAD - 10, PAD + 4
    return (f'<g class="north"><path d="M{x},{y}L{x + 7},{y + 20}L{x},{y + 15}L{x - 7},{y + 20}Z" fill="#222"/>'
            f'<text x="{x}" y="{y + 32}" font-size="10" text-anchor="middle" font-weight="bold" '
            f'font-family="{FONT}">{escape_html(t("rp_north", lang))}</text></g>')


def legend_svg(items: list[tuple[str, str, str]], *, x: float, title: str = "") -> str:
    """The legend as SVG rows: (kind, colour, text) with kind ``fill``, ``line`` or ``dot``."""
    out, y = [], PAD
    if title:
        for line in wrap(title, LEGEND_W - 10, 10):
            out.append(f'<text x="{x}" y="{y + 9}" font-size="10" font-weight="bold" font-family="{FONT}">'
                       f'{escape_html(line)}</text>')
            y += 14
        y += 4
    for kind, color, text in items:
        if kind == "fill":
            out.append(f'<rect x="{x}" y="{y}" width="14" height="11" fill="{color}" stroke="#555" '
                       f'stroke-width="0.5"/>')
        elif kind == "line":
            out.append(f'<path d="M{x},{y + 6}h14" stroke="{color}" stroke-width="2"/>')
        else:
            out.append(f'<circle cx="{x + 7}" cy="{y + 6}" r="3.5" fill="{color}" stroke="#fff"/>')
        for line in wrap(text, LEGEND_W - 30, 9):
            out.append(f'<text x="{x + 20}" y="{y + 9.5}" font-size="9" font-family="{FONT}">{escape_html(line)}</text>')
            y += 12
        y += 4
    return "".join(out)


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` px (at word boundaries where there are spaces)."""
    lines, line = [], ""
    for token in (text.replace(" ", " \0").split("\0") if " " in text else list(text)):
        if line and text_width(line + token, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line else lines


def choropleth_legend(choropleth: Choropleth, lang: str) -> list[tuple[str, str, str]]:
    """The choropleth's classes (round breaks, as on the Map page), then "unknown"."""
    items, lower = [], 0.0
    for bound, color in zip(choropleth.bins(), choropleth.colors()):
        items.append(("fill", color, f"{lower:,.0f}–{bound:,.0f} m²"))
        lower = bound
    return [*items, ("fill", NO_DATA_COLOR, t("unknown", lang))]


def svg_document(body: str, *, vp: Viewport, legend: str, title: str) -> str:
    """The map and its legend as one SVG document with a text alternative."""
    w, h = vp.width + LEGEND_W, vp.height
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            f'aria-label="{escape_html(title)}"><title>{escape_html(title)}</title>'
            f'<rect x="0.5" y="0.5" width="{vp.width - 1}" height="{h - 1}" fill="#f7f9fb" stroke="#999"/>'
            f'<svg x="0" y="0" width="{vp.width}" height="{h}" overflow="hidden">{body}</svg>{legend}</svg>')


def outlines_svg(layers: dict[str, gpd.GeoDataFrame], vp: Viewport) -> str:
    """Zone layers drawn as outlines in their map colours (``OUTLINE``)."""
    out = []
    for key, frame in layers.items():
        color, width, dash = OUTLINE.get(key, ("#555", 1.0, ""))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        out += [f'<path d="{path_d(g, vp)}" fill="none" stroke="{color}" stroke-width="{width}"{dashes}/>'
                for g in metric(frame)]
    return "".join(out)


def bounds_of(*series: gpd.GeoSeries, margin: float = 0.04) -> tuple[float, float, float, float]:
    """The metric bounds of every geometry given, widened by ``margin`` of their span."""
    boxes = np.array([s.total_bounds for s in series if len(s)])
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    mx, my = (x1 - x0) * margin + 50, (y1 - y0) * margin + 50
    return x0 - mx, y0 - my, x1 + mx, y1 + my


def choropleth_map(zones: gpd.GeoDataFrame, choropleth: Choropleth, *, lang: str, title: str,
                   outlines: dict[str, gpd.GeoDataFrame], points: gpd.GeoDataFrame | None = None) -> str:
    """A choropleth of ``zones`` (WGS-84, with ``id`` and the name columns) coloured by ``choropleth``, the
    ``outlines`` (zone layers by key) over it, ``points`` (carriers) as dots, zone names as labels."""
    shapes, dots = metric(zones), metric(points)
    vp = Viewport(bounds_of(shapes, dots))  # the outlines beyond (other districts) are context, cut at the edge
    ids = zones.loc[shapes.index, "id"].tolist()
    names = zones.loc[shapes.index, f"name_{lang}"].tolist()
    order = np.argsort([-g.area for g in shapes])  # the largest zones are labelled first
    body = [f'<path d="{path_d(g, vp)}" fill="{choropleth.color(i)}" fill-opacity="0.85" stroke="#fff" '
            f'stroke-width="0.8"/>' for g, i in zip(shapes, ids)]
    body.append(outlines_svg(outlines, vp))
    taken = [(PAD - 4, vp.height - PAD - 20, PAD + vp.width / 4 + 8, vp.height - PAD + 4),  # the scale bar
             (vp.width - PAD - 24, PAD, vp.width - PAD + 4, PAD + 38)]  # the north arrow
    if len(dots):
        xs, ys = vp.px(dots.x.to_numpy(), dots.y.to_numpy())
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{POINT_COLOR}" stroke="#fff" stroke-width="0.8"/>'
                 for x, y in zip(xs, ys)]
        taken += [(x - 3, y - 3, x + 3, y + 3) for x, y in zip(xs, ys)]
    anchors = []
    for k in order:
        p = shapes.iloc[k].representative_point()
        anchors.append((*(float(v) for v in vp.px(p.x, p.y)), str(names[k])))
    body += [label_svg(x, y, text, s) for x, y, text, s in place_labels(anchors, taken, drop=True)]
    body += [scale_bar(vp), north_arrow(vp, lang)]
    items = choropleth_legend(choropleth, lang) + [("dot", POINT_COLOR, t("rp_legend_carriers", lang))]
    items += [("line", OUTLINE[k][0], t(f"rp_legend_{k}", lang)) for k in outlines if k in OUTLINE]
    legend = legend_svg(items, x=vp.width + 12, title=title)
    return svg_document("".join(body), vp=vp, legend=legend, title=title)


def markers_svg(xs, ys, offsets, texts) -> tuple[str, list]:
    """Rank markers (red, white figures) at pixel positions moved sideways by ``offsets``; their boxes."""
    out, boxes = [], []
    for x, y, dx, text in zip(xs, ys, offsets, texts):
        w = max(18.0, text_width(text, 10) + 8)
        x0 = x + dx - w / 2
        out.append(f'<rect x="{x0:.1f}" y="{y - 9:.1f}" width="{w:.1f}" height="18" rx="9" fill="{MARKER_COLOR}" '
                   f'stroke="#fff" stroke-width="1.5"/><text x="{x + dx:.1f}" y="{y + 3.6:.1f}" font-size="10" '
                   f'font-weight="bold" text-anchor="middle" fill="#fff" font-family="{FONT}">{escape_html(text)}</text>')
        boxes.append((x0, y - 9, x0 + w, y + 9))
    return "".join(out), boxes


def near_svg(near, vp: Viewport, taken: list) -> str:
    """The place the need names (WGS-84 lon, lat, label, km) with its circle of that radius, if any."""
    lon, lat, label, within_km = near
    point = to_metric(gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs="EPSG:4326")).geometry.iloc[0]
    x, y = (float(v) for v in vp.px(point.x, point.y))
    out = ""
    if within_km:
        out += (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{within_km * 1000 * vp.scale:.1f}" fill="{POINT_COLOR}" '
                f'fill-opacity="0.05" stroke="{POINT_COLOR}" stroke-width="1.2" stroke-dasharray="5 3"/>')
    out += f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{POINT_COLOR}" stroke="#fff"/>'
    taken.append((x - 5, y - 5, x + 5, y + 5))
    if label:
        out += "".join(label_svg(lx, ly, text, s, color=POINT_COLOR)
                       for lx, ly, text, s in place_labels([(x, y + 13, label)], taken, size=9))
    return out


def rank_map(places: gpd.GeoDataFrame, *, lang: str, title: str, outlines: dict[str, gpd.GeoDataFrame],
             near=None) -> str:
    """Rank markers at ``places`` (WGS-84 points with ``text``, the ranks "1" or "1–3,5"), those at one
    place set side by side as on the Match page, over the ``outlines``; ``near`` (lon, lat, label, km):
    the place the need names and its circle."""
    from layers.match_map import MARKER_STEP_PX, side_by_side

    pts = metric(places)
    frames = [metric(f) for f in outlines.values()]
    if near is not None:
        centre = to_metric(gpd.GeoDataFrame(geometry=[shapely.Point(near[0], near[1])], crs="EPSG:4326")).geometry
        frames.append(centre.buffer((near[3] or 0) * 1000 + 1))
    vp = Viewport(bounds_of(pts, *frames, margin=0.08))
    body = [outlines_svg(outlines, vp)]
    taken = [(PAD - 4, vp.height - PAD - 20, PAD + vp.width / 4 + 8, vp.height - PAD + 4),
             (vp.width - PAD - 24, PAD, vp.width - PAD + 4, PAD + 38)]
    if near is not None:
        body.append(near_svg(near, vp, taken))
    if len(pts):
        xs, ys = vp.px(pts.x.to_numpy(), pts.y.to_numpy())
        texts = places.loc[pts.index, "text"].tolist()
        step = max(text_width(x, 10) + 12 for x in texts)  # markers nearer than one marker stand side by side
        offsets = side_by_side(np.column_stack([pts.x, pts.y]), within_m=step / vp.scale) / MARKER_STEP_PX * step
        markers, boxes = markers_svg(xs, ys, offsets, texts)
        body.append(markers)
        taken += boxes
    body += [scale_bar(vp), north_arrow(vp, lang)]
    items = [("fill", MARKER_COLOR, t("rp_legend_rank", lang))]
    if near is not None:
        items.append(("line", POINT_COLOR, t("rp_legend_near", lang)))
    items += [("line", OUTLINE[k][0], t(f"rp_legend_{k}", lang)) for k in outlines if k in OUTLINE]
    return svg_document("".join(body), vp=vp, legend=legend_svg(items, x=vp.width + 12, title=title), title=title)
