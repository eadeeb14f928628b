"""Charts as Altair specifications, rendered to static SVG on the server (vl-convert).

A static SVG shows at once, with no Vega runtime to download and start in the browser,
prints, and works offline; the figures the tooltips would give are written on the chart.
"""
from __future__ import annotations

import json
from functools import lru_cache

import altair as alt
import pandas as pd

from messages import t

SERIES = ("ledger", "reported", "baseline", "target", "goal", "projection", "what_if")
SERIES_COLORS = dict(zip(SERIES, ("#2a9d4b", "#1f5fbf", "#7f8c8d", "#c0392b", "#8e44ad", "#5b7fbf", "#d9822b")))
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
VALUE_LABEL_SCALE = {"zh": (1e4, 1), "en": (1e3, 0)}
"""(Divisor, decimals) of the figures written on the chart: 万 (ten thousand) with one decimal in
Chinese, thousands (k) in English; the unit word is the ``chart_value`` message."""


def progress_chart(chart_data: pd.DataFrame, goal_m2: float, *, names: dict[str, str], x_title: str,
                   y_title: str, legend_title: str, width: int = 900, lang: str = "zh") -> alt.LayerChart:
    """Cumulative ledger (step line), reported points, targets, the goal line and projections.

    ``chart_data`` comes from :func:`spatial.progress.cumulative_chart_data`; ``names`` maps
    each series key to its label in the interface language. Reported figures and targets are
    labelled with their values, in ``lang``'s way (76.0 万 / 760k).
    """
    present = [s for s in SERIES if s in set(chart_data["series"])]
    frame = chart_data.assign(series_label=chart_data["series"].map(names),
                              value_text=chart_data["area_m2"].map(lambda v: value_label(v, lang)))
    color = alt.Color("series_label:N", title=legend_title,
                      scale=alt.Scale(domain=[names[s] for s in present], range=[SERIES_COLORS[s] for s in present]),
                      legend=alt.Legend(orient="bottom", columns=4, symbolType="circle"))
    x = alt.X("date:T", title=x_title, axis=alt.Axis(format="%Y", tickCount="year", grid=False))
    y = alt.Y("area_m2:Q", title=y_title, axis=alt.Axis(format=",.0f"), scale=alt.Scale(domainMin=0))
    base = alt.Chart(frame).encode(x=x, y=y, color=color)
    ledger = base.transform_filter(alt.datum.series == "ledger").mark_line(interpolate="step-after", point=True)
    points = base.transform_filter(alt.datum.series == "reported").mark_point(size=110, filled=True, opacity=1)
    marks = base.transform_filter(alt.FieldOneOfPredicate("series", ["target", "baseline", "goal"])).mark_point(
        shape="triangle-up", size=160, filled=True, opacity=1)
    labels = base.transform_filter(alt.FieldOneOfPredicate("series", ["reported", "target", "baseline", "goal"])) \
        .mark_text(dx=8, dy=-10, align="left", fontSize=11).encode(text="value_text:N")
    projections = base.transform_filter(alt.FieldOneOfPredicate("series", ["projection", "what_if"])).mark_line(
        strokeDash=[6, 4])
    goal = alt.Chart(pd.DataFrame({"area_m2": [goal_m2]})).mark_rule(color="#c0392b", strokeDash=[2, 3]).encode(
        y="area_m2:Q")
    return alt.layer(goal, projections, ledger, points, marks, labels).properties(width=width, height=340) \
        .configure(font=FONT).configure_view(stroke=None)


def value_label(area_m2: float, lang: str) -> str:
    """A figure written on the chart: ``76.0 万`` in Chinese, ``760k`` in English."""
    divisor, decimals = VALUE_LABEL_SCALE[lang]
    return t("chart_value", lang, value=f"{area_m2 / divisor:,.{decimals}f}")


@lru_cache(maxsize=64)
def _svg(spec_json: str) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(json.loads(spec_json))


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (memoised per specification)."""
    return _svg(json.dumps(chart.to_dict(validate=False), sort_keys=True, default=str))


def svg_img(svg: str, *, alt: str, css_class: str = "") -> str:
    """An ``<img>`` showing the SVG from a data URI, with escaped alt text.

    An image is drawn at once by the browser; inline SVG markup would first go through
    Streamlit's Markdown/HTML processing, which is slow for a chart-sized document.
    """
    import base64

    from layers.escape import escape_html

    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="{escape_html(css_class)}" alt="{escape_html(alt)}" '
            f'style="max-width:100%;height:auto" src="data:image/svg+xml;base64,{data}">')


def warm_up() -> None:
    """Start the converter's JavaScript engine once (≈ 0.7 s), e.g. before the first visitor."""
    to_svg(alt.Chart(pd.DataFrame({"x": [0, 1]})).mark_line().encode(x="x:Q", y="x:Q"))


def bar_rows(frame: pd.DataFrame, *, label: str, unit_title: str, label_limit: int = 240, step: int = 28,
             title: str | None = None) -> alt.Chart:
    """One horizontal bar per row of ``frame`` (``unit``, ``shown`` the bar's length, ``text`` written
    beside it and in the tooltip, ``color``), in the frame's order."""
    base = alt.Chart(frame).encode(
        y=alt.Y("unit:N", sort=None, title=None, axis=alt.Axis(labelLimit=label_limit)),
        x=alt.X("shown:Q", title=label, axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("unit:N", title=unit_title), alt.Tooltip("text:N", title=label)])
    bars = base.mark_bar(stroke="#8a8a8a", strokeWidth=0.5).encode(color=alt.Color("color:N", scale=None))
    text = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    return (bars + text).properties(height=alt.Step(step), **({"title": title} if title else {}))
