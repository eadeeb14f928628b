"""The planners' printed report as HTML (for :func:`layers.pdf.to_pdf`): the progress headline and
chart, the targets and count targets, the tallies by subdistrict and by cluster each with a static
choropleth map, and the sources. Every figure is formatted by the functions the pages use
(:mod:`layers.planning_text`, :func:`layers.charts.progress_chart`, :class:`layers.render.Choropleth`);
the data come from :func:`geodata.reports.printed.planning_report_data`. Every text is escaped."""
from __future__ import annotations

import pandas as pd

from layers.catalogue import CARRIER_FIELDS
from layers.charts import SERIES, progress_chart, to_svg
from layers.escape import escape_html
from layers.pdf import html_document, html_table, svg_data_img
from layers.planning_text import counts_table, headline_cards, m2, pct, reports_table, targets_table, when
from layers.popups import cite, provenance
from layers.render import Choropleth
from layers.static_map import choropleth_map
from messages import pair, pick, t

ZONE_LAYER = {"subdistrict": "subdistricts", "cluster": "clusters"}
CHART_WIDTH = 620
NO_POLYGON_COLUMNS = ("polygon_count", "land_area_m2")
"""Tally columns left out of the print when no carrier has a footprint (said in a note instead)."""


def _p(text: str, css: str = "") -> str:
    return f'<p class="{css}">{escape_html(text)}</p>' if css else f"<p>{escape_html(text)}</p>"


def kind_title(kind: str, lang: str, *, inline: bool = False) -> str:
    """A unit kind's title; ``inline``: as a word inside an English sentence (lower case)."""
    title = t(f"unit_kind_{kind}", lang)
    return title[:1].lower() + title[1:] if inline and lang == "en" else title


def field_title(column: str, lang: str) -> str:
    """A tally column's title with its unit, as the tally's headers give it (the carrier field's title for a
    summed stated figure, the tally's own for the others)."""
    spec = {f.name: f for f in CARRIER_FIELDS}.get(column)
    if spec is None or column == "land_area_m2":
        return pair(f"tc_{column}").get(lang)
    return pick(spec.title_zh, spec.title_en, lang)


def cards_html(cards: list[tuple[str, str, str]]) -> str:
    """The headline figures as cards."""
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{escape_html(label)}</div><div class="value">{escape_html(value)}'
        f'</div><div class="note">{escape_html(note)}</div></div>' for label, value, note in cards) + "</div>"


def frame_html(frame: pd.DataFrame, *, numeric: set[int] = frozenset(), total: bool = False,
               css_class: str = "") -> str:
    """A table from a frame whose cells are display text already."""
    return html_table(list(frame.columns), frame.astype(object).where(frame.notna(), "").values.tolist(),
                      numeric=numeric, total=total, css_class=css_class)


def outcome_text(s: dict, lang: str) -> str:
    """Whether the goal was reached by its deadline (or how long is left), as the Progress page says it."""
    latest = s["latest_reported"]
    if not s["deadline_passed"]:
        days = (pd.Timestamp(s["deadline"]) - pd.Timestamp(s["today"])).days
        return t("p_open", lang, deadline=s["deadline"], days=days, pace=m2(s["required_m2_per_year_from_today"]))
    if s["reached_by_deadline"] is None:
        return t("p_outcome_unknown", lang, deadline=s["deadline"], goal_measure=s.get(f"goal_measure_text_{lang}", ""),
                 area=m2(latest["area_m2"]), when=when(latest["date"], latest.get("date_precision"), lang),
                 measure=latest[f"measure_{lang}"], last=s["last_report_date"][:7])
    if s["reached_by_deadline"]:
        return t("p_outcome_reached", lang, deadline=s["deadline"])
    return t("p_outcome_missed", lang, deadline=s["deadline"], goal=m2(s["goal_m2"]), date=latest["date"],
             area=m2(latest["area_m2"]), pct=pct(s["pct_of_goal_reported"]), pace=m2(s["historical_m2_per_year"]),
             year=s["projected_year_reaching_goal"] or t("p_never", lang))


def chart_html(report: dict, lang: str) -> str:
    """The Progress page's chart, drawn to SVG for print."""
    s = report["summary"]
    chart = progress_chart(report["chart"], s["goal_m2"], names={k: t(f"series_{k}", lang) for k in SERIES},
                           x_title=t("col_date", lang), y_title=t("col_area_m2", lang),
                           legend_title=t("col_series", lang), lang=lang, width=CHART_WIDTH)
    return (f'<figure>{svg_data_img(to_svg(chart), alt=t("p_chart", lang))}'
            f'<figcaption>{escape_html(t("p_chart", lang))}</figcaption></figure>')


def as_of_html(report: dict, lang: str) -> str:
    """The data's dates: the latest official figure, the carriers' stated figures, the store's day."""
    a = report["as_of"]
    lines = [t("rp_as_of_reported", lang, when=when(a["latest_report"], a["latest_precision"], lang))]
    if a["figures_from"]:
        dates = a["figures_from"] if a["figures_from"] == a["figures_to"] else f"{a['figures_from']} – {a['figures_to']}"
        lines.append(t("rp_as_of_figures", lang, dates=dates))
        if a["undated"]:
            lines.append(t("rp_as_of_undated", lang, n=a["undated"]))
    else:
        lines.append(t("rp_as_of_none", lang))
    lines.append(t("rp_as_of_store", lang, today=report["today"].isoformat()))
    return (f'<div class="meta"><b>{escape_html(t("rp_as_of_title", lang))}</b>: '
            + escape_html(t("list_sep", lang).join(lines)) + "</div>")


def progress_html(report: dict, lang: str, prov) -> str:
    """Section 1: the goal, the headline figures, the outcome, the chart, the targets and the counts."""
    s = report["summary"]
    source = t("p_goal_set_public", lang, date=s["goal_set_on"] or "") if s["goal_set_by_planner"] \
        else cite(s["goal_source"], lang, prov)
    out = [f"<h2>{escape_html(t('rp_progress', lang))}</h2>",
           _p(t("p_goal", lang, goal=m2(s["goal_m2"]), year=s["goal_year"], source=source)),
           cards_html(headline_cards(s, lang, prov)),
           f'<div class="box">{escape_html(outcome_text(s, lang))}</div>',
           _p(t("rp_scope_progress", lang), "muted"), chart_html(report, lang),
           f"<h3>{escape_html(t('p_targets', lang))}</h3>", frame_html(targets_table(s, lang, prov), numeric={1, 3}),
           f"<h3>{escape_html(t('p_counts', lang))}</h3>", frame_html(counts_table(s, lang), numeric={4}),
           f"<h3>{escape_html(t('reports_title', lang))}</h3>",
           frame_html(reports_table(report["incubation_reports"], lang, prov), numeric={1, 2})]
    return "".join(out)


def tally_rows(table: pd.DataFrame, lang: str, *, polygons: bool) -> pd.DataFrame:
    """The tally table as the Tally page shows it: unit ids left to the exports, thousands separators,
    "unknown" for a figure no carrier states (never 0); the footprint columns only when there are footprints."""
    out = table.drop(columns=[table.columns[1]])
    if not polygons:
        out = out.drop(columns=[field_title(c, lang) for c in NO_POLYGON_COLUMNS])
    for col in out.columns[1:]:
        out[col] = out[col].map(lambda v: t("unknown", lang) if v is None or v is pd.NA or v != v else f"{v:,.0f}")
    return out


def tally_notes(result: dict, lang: str) -> list[str]:
    """What the Tally page says under its table: overlap, unknown, external share, no footprints, zones."""
    notes = [t("tl_overlap" if result["overlapping"] else "tl_conserved", lang), t("tl_unknown_note", lang)]
    outside = {k: v for k, v in result["total"].get("external_m2", {}).items() if v}
    if outside:
        notes.append(t("tl_external_share", lang, parts=t("list_sep", lang).join(
            f"{field_title(k, lang)} {v:,.0f}" for k, v in outside.items())))
    if not result["total"]["polygon_count"]:
        notes.append(t("tl_no_polygons", lang))
    notes.append(t("approx_zones", lang))
    return notes


def tally_map(report: dict, kind: str, lang: str) -> str:
    """The choropleth of ``kind``'s zones by the summed stated figure ``report["map_field"]``, in the Map
    page's classes and colours, with the district (and in the all-Shenzhen scope the city's districts)."""
    zones = report["zones"]
    layer = ZONE_LAYER[kind]
    scale = Choropleth(layer, report["map_field"], report["map_values"][kind])
    outlines = {"shenzhen_districts": zones["shenzhen_districts"]} if report["scope"] == "shenzhen" else {}
    if kind == "cluster":
        outlines["subdistricts"] = zones["subdistricts"]
    outlines["district"] = zones["district"]
    title = t("rp_map_title", lang, kind=kind_title(kind, lang, inline=True),
              measure=field_title(report["map_field"], lang))
    svg = choropleth_map(zones[layer], scale, lang=lang, title=title, outlines=outlines, points=report["points"])
    return (f'<figure class="keep">{svg_data_img(svg, alt=title)}<figcaption>{escape_html(title)} · '
            f'{escape_html(t("rp_map_offline", lang))}</figcaption></figure>')


def tally_html(report: dict, lang: str) -> str:
    """Section 2: per unit kind the tally table (rows, then the total), its notes and its map."""
    out = [f"<h2>{escape_html(t('rp_tally', lang))}</h2>",
           _p(t("scope_note", lang, scope=t(f"scope_{report['scope']}", lang)), "muted")]
    for kind, result in report["tallies"].items():
        table = tally_rows(report["tables"][kind][lang], lang, polygons=bool(result["total"]["polygon_count"]))
        out += [f"<h3>{escape_html(t('rp_tally_by', lang, kind=kind_title(kind, lang, inline=True)))}</h3>",
                frame_html(table, numeric=set(range(1, len(table.columns))), total=True, css_class="fixed"),
                _p(t("rp_tally_rows", lang, n=len(result["rows"])), "muted"),
                "".join(_p(n, "muted") for n in tally_notes(result, lang)), tally_map(report, kind, lang)]
    return "".join(out)


def sources_html(sources: pd.DataFrame, lang: str) -> str:
    """Section 3: the documents cited — title, kind, issuer, number (Chinese only) and date."""
    heads = [t("src_title", lang), t("src_kind", lang), t("src_issuer", lang)] + \
        ([t("src_number", lang)] if lang == "zh" else []) + [t("col_date", lang)]
    rows = []
    for r in sources.to_dict("records"):
        day = "" if r.get("date") in (None, "") or r.get("date") != r.get("date") else str(r["date"])
        note = r.get("date_note")
        if lang == "en" and note and note == note:
            day = f"{day} ({note})" if day else str(note)
        row = [pick(r["title_zh"], r["title_en"], lang), t(f"src_kind_{r['kind']}", lang),
               pick(r.get("issuer_zh") or "", r.get("issuer_en") or "", lang)]
        rows.append(row + ([r.get("doc_number") or ""] if lang == "zh" else []) + [day])
    return (f"<h2>{escape_html(t('rp_sources', lang))}</h2>" + _p(t("rp_sources_note", lang), "muted")
            + html_table(heads, rows))


def planning_html(report: dict, lang: str) -> str:
    """The whole report as one HTML document (A4; its page rules in :func:`layers.pdf.page_css`)."""
    prov = provenance(report["frames"], report["today"])
    title = t("rp_title", lang)
    scope = t(f"scope_{report['scope']}", lang)
    head = (f"<h1>{escape_html(title)}</h1><div class=\"meta\">{escape_html(t('app_title', lang))} · "
            f"{escape_html(t('rp_printed', lang, date=report['today'].isoformat()))} · "
            f"{escape_html(t('rp_scope', lang, scope=scope))}</div>{as_of_html(report, lang)}")
    body = head + progress_html(report, lang, prov) + tally_html(report, lang) + sources_html(report["sources"], lang)
    header = f"{t('app_title', lang)} · {title} · {scope} · {report['today'].isoformat()}"
    return html_document(body, lang=lang, title=title, header=header)
