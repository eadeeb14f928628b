"""Economic indicators on the map: one circle per carrier whose *area* is proportional to its value,
drawn over the base map's datum as the carrier markers are (WGS-84 shifted to GCJ-02 over the
Chinese base maps, on copies, at render time); a withheld value is a hollow grey circle; and a legend
with three reference circles in real units. Pure drawing: no store, no pages.

Every text that comes from the data (carrier names) is escaped here; the numbers are formatted here.
"""
from __future__ import annotations

import math

import folium
import numpy as np
import pandas as pd

from layers.assets import localise
from layers.escape import escape_html
from messages import t
from spatial.crs import shift_coords

MAX_RADIUS_PX = 30.0
"""Radius of the largest value's circle."""
MIN_RADIUS_PX = 2.5
"""Smallest radius drawn (a positive value too small to see otherwise)."""
WITHHELD_RADIUS_PX = 7.0
FILL = "#c51b7d"
"""Magenta: no carrier layer or zone uses it."""
WITHHELD = "#7f7f7f"
NICE_STEPS = (1.0, 2.0, 5.0)


def radius_px(value: float, top: float) -> float:
    """The circle radius (px) of ``value`` when ``top`` gets :data:`MAX_RADIUS_PX`: area ∝ value."""
    if not top or top <= 0 or value is None or value != value or value <= 0:
        return MIN_RADIUS_PX if value and value > 0 else 0.0
    return max(MIN_RADIUS_PX, MAX_RADIUS_PX * math.sqrt(float(value) / float(top)))


def nice_floor(value: float) -> float:
    """The largest of 1, 2, 5 × 10^k not above ``value`` (``value`` > 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(s * power for s in NICE_STEPS if s * power <= value * (1 + 1e-9))


def reference_values(top: float) -> list[float]:
    """Three round values for the legend (in display units), largest first, each about a quarter of
    the one before (radii about half): e.g. 2,000, 500, 100 for a top of 4,432."""
    if not top or top <= 0 or top != top:
        return []
    first = nice_floor(top)
    second = nice_floor(first / 4)
    third = nice_floor(second / 4)
    return list(dict.fromkeys([first, second, third]))


def value_text(value: float, unit_key: str, lang: str) -> str:
    """A value in display units with its unit (``1,000 万元``, ``86 元/㎡``, ``12 家``)."""
    digits = 1 if 0 < abs(value) < 10 and value != int(value) else 0
    return t(unit_key, lang, value=f"{value:,.{digits}f}")


def _points(frame: pd.DataFrame, datum: str) -> pd.DataFrame:
    """The located rows with their display ``lat`` / ``lon`` (WGS-84 shifted to ``datum``)."""
    located = frame.loc[frame["lon"].notna() & frame["lat"].notna()].copy()
    if located.empty:
        return located.assign(d_lat=pd.Series(dtype=float), d_lon=pd.Series(dtype=float))
    x, y = shift_coords(located["lon"].to_numpy(dtype=float), located["lat"].to_numpy(dtype=float), src="wgs84",
                        dst=datum)
    return located.assign(d_lat=np.round(np.atleast_1d(y), 6), d_lon=np.round(np.atleast_1d(x), 6))


def top_value(frame: pd.DataFrame, divisor: float) -> float:
    """The largest value drawn (display units): of the located, published rows; 0 when none."""
    located = frame["lon"].notna() & frame["lat"].notna() & ~frame["withheld"].fillna(False).astype(bool)
    values = pd.to_numeric(frame.loc[located, "value"], errors="coerce") / divisor
    return float(values.max()) if values.notna().any() else 0.0


def indicator_group(frame: pd.DataFrame, *, label: str, unit_key: str, divisor: float, lang: str, datum: str,
                    name: str = "") -> folium.FeatureGroup:
    """Circles of one indicator at the carriers.

    Parameters
    ----------
    frame : DataFrame
        ``id``, ``name`` (the carrier's name in ``lang``), ``lon``, ``lat`` (WGS-84; NaN: not drawn),
        ``value`` (NaN: unknown, not drawn), ``withheld`` (bool: drawn hollow and grey, no value).
    label : str
        The indicator's name (with its unit) for the tooltips.
    unit_key, divisor
        The message that writes a value with its unit, and what a value is divided by for it
        (10,000 for money shown in 万元).
    """
    group = folium.FeatureGroup(name=name or label, show=True)
    shown = _points(frame, datum)
    values = pd.to_numeric(shown["value"], errors="coerce") / divisor
    top = top_value(frame, divisor)
    withheld = shown["withheld"].fillna(False).astype(bool).to_numpy()
    order = np.argsort(-values.fillna(-1).to_numpy(), kind="stable")  # small circles on top of large ones
    for i in order:
        row = shown.iloc[i]
        title = f"<b>{escape_html(row['name'])}</b><br>"
        if withheld[i]:
            tip = title + escape_html(t("ec_field_value", lang, field=label, value=t("ec_legend_withheld", lang)))
            folium.CircleMarker([row["d_lat"], row["d_lon"]], radius=WITHHELD_RADIUS_PX, color=WITHHELD, weight=2,
                                fill=True, fill_opacity=0.0, tooltip=tip).add_to(group)
            continue
        value = values.iloc[i]
        if value != value or value <= 0:
            continue
        tip = title + escape_html(t("ec_field_value", lang, field=label, value=value_text(value, unit_key, lang)))
        folium.CircleMarker([row["d_lat"], row["d_lon"]], radius=radius_px(value, top), color="#ffffff", weight=1,
                            fill=True, fill_color=FILL, fill_opacity=0.55, tooltip=tip).add_to(group)
    localise(group)
    return group


def indicator_legend_html(top: float, *, title: str, unit_key: str, lang: str) -> str:
    """The legend: three reference circles sized as on the map (``top``, in display units, is the
    largest value drawn), the hollow grey circle of a withheld value, and how to read the sizes."""
    items = []
    for value in reference_values(top):
        r = radius_px(value, top)
        items.append(_legend_row(r, FILL, 0.55, "#ffffff", value_text(value, unit_key, lang)))
    items.append(_legend_row(WITHHELD_RADIUS_PX, WITHHELD, 0.0, WITHHELD, t("ec_legend_withheld", lang)))
    note = f'<div style="color:#666;margin-top:2px">{escape_html(t("ec_legend_area", lang))}</div>'
    return (f'<div class="indicator-legend" style="font-size:12px;line-height:1.3;margin-top:8px">'
            f"<b>{escape_html(title)}</b>{''.join(items)}{note}</div>")


def _legend_row(r: float, color: str, opacity: float, stroke: str, text: str) -> str:
    """One legend line: a circle of radius ``r`` px (a round box: Streamlit's HTML keeps no SVG) and its text."""
    size = 2 * max(r, 1.0)
    fill = "transparent" if opacity == 0 else _rgba(color, opacity)
    border = f"{2 if opacity == 0 else 1}px solid {color if stroke == '#ffffff' else stroke}"
    circle = (f'<span style="display:inline-block;box-sizing:border-box;width:{size:.1f}px;height:{size:.1f}px;'
              f'border-radius:50%;background:{fill};border:{border}"></span>')
    return (f'<div style="display:flex;align-items:center;gap:8px;margin:2px 0">'
            f'<span style="display:inline-flex;justify-content:center;align-items:center;flex:none;'
            f'width:{2 * MAX_RADIUS_PX + 4:.0f}px">{circle}</span><span>{escape_html(text)}</span></div>')


def _rgba(color: str, opacity: float) -> str:
    """``#rrggbb`` at ``opacity`` as a CSS colour."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{opacity})"
