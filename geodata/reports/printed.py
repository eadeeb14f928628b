"""What the printed planners' report holds, gathered from the store's tables with the functions the
Progress and Tally pages use (:func:`geodata.reports.planning.progress_report`,
:func:`geodata.reports.planning.tally_report`, :func:`spatial.progress.cumulative_chart_data`): the same
figures, nothing computed again. Drawing it (HTML, the static map, the PDF) is :mod:`layers.print_planning`.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from geodata.reports.planning import progress_report, tally_report, tally_table
from layers.catalogue import as_of_field, source_field
from spatial.progress import cumulative_chart_data
from spatial.provenance import source_date
from spatial.scope import DEFAULT_SCOPE, check_scope, in_scope
from spatial.tally import STATED_FIELDS

REPORT_KINDS = ("subdistrict", "cluster")
"""The tallies the report prints, each with its choropleth map."""
ZONE_LAYER = {"subdistrict": "subdistricts", "cluster": "clusters"}
MAP_FIELD = "floor_area_m2"
"""The summed stated figure the report's maps colour by (the Map page's default choropleth measure)."""


def figures_as_of(carriers: pd.DataFrame, registry: dict) -> tuple[str | None, str | None, int]:
    """The oldest and newest date of the stated figures of ``carriers`` — each figure's own as-of date, else
    its source document's date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``); None when none is dated — and how
    many figures have no date at all."""
    days, undated = [], 0
    for field in STATED_FIELDS:
        if field not in carriers.columns:
            continue
        values = pd.to_numeric(carriers[field], errors="coerce")
        as_of = carriers[as_of_field(field)] if as_of_field(field) in carriers.columns else [None] * len(carriers)
        sources = carriers[source_field(field)] if source_field(field) in carriers.columns else [None] * len(carriers)
        for value, day, src in zip(values, as_of, sources):
            if value != value:
                continue
            day = str(day)[:10] if day is not None and day == day and str(day) else source_date(src, registry)
            if day:
                days.append(day)
            else:
                undated += 1
    return (min(days), max(days), undated) if days else (None, None, undated)


def planning_report_data(frames: dict[str, pd.DataFrame], carriers: pd.DataFrame, *, today: date,
                         scope: str = DEFAULT_SCOPE, location=None) -> dict:
    """Everything the planners' report prints, for ``scope`` on ``today``.

    Returns
    -------
    dict
        ``summary`` (the Progress page's summary, with ``goal_measure_text_zh`` / ``_en``), ``chart`` (its
        chart's long table), ``tallies`` (kind → :func:`tally_report` result), ``map_values`` (kind → zone id
        → summed :data:`MAP_FIELD`, None when unknown), ``zones`` (the zone layers, WGS-84), ``points`` (the
        located carriers of the scope), ``frames`` (for readable citations), ``sources``,
        ``incubation_reports``, ``as_of`` (``latest_report``, ``latest_precision``, ``figures_from``,
        ``figures_to``, ``undated``), ``today`` and ``scope``.
    """
    check_scope(scope)
    summary, ledger = progress_report(frames, carriers, today=today)
    chart = cumulative_chart_data(summary, ledger, frames["incubation_reports"], frames["targets"], today=today)
    plan = frames["targets"].loc[frames["targets"]["kind"] == "target"]
    for lang in ("zh", "en"):
        summary[f"goal_measure_text_{lang}"] = str(plan[f"measure_{lang}"].iloc[-1]) if len(plan) else ""
    tallies = {kind: tally_report(kind, carriers, frames, scope=scope, location=location) for kind in REPORT_KINDS}
    map_values = {}
    for kind, result in tallies.items():
        ids = set(frames[ZONE_LAYER[kind]]["id"])
        rows = result["rows"]
        map_values[kind] = {u: (None if v is None or v != v else float(v))
                            for u, v in zip(rows["unit"], rows[MAP_FIELD]) if u in ids}
    scoped = carriers.loc[in_scope(carriers, frames["district"], scope)]
    points = scoped.loc[scoped.geometry.notna() & ~scoped.geometry.is_empty].reset_index(drop=True)
    registry = {str(r["file"]): r for r in frames["sources"].to_dict("records") if r.get("file")}
    first, last, undated = figures_as_of(scoped, registry)
    latest = summary["latest_reported"]
    zones = {k: frames[k] for k in ("district", "subdistricts", "clusters", "shenzhen_districts") if k in frames}
    tables = {kind: {lang: tally_table(result, lang) for lang in ("zh", "en")} for kind, result in tallies.items()}
    return {"summary": summary, "chart": chart, "tallies": tallies, "tables": tables, "map_field": MAP_FIELD,
            "map_values": map_values, "zones": zones,
            "points": points, "frames": frames, "sources": frames["sources"],
            "incubation_reports": frames["incubation_reports"], "today": today, "scope": scope,
            "as_of": {"latest_report": latest["date"], "latest_precision": latest.get("date_precision"),
                      "figures_from": first, "figures_to": last, "undated": undated}}
