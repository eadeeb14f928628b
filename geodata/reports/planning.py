"""The planners' two answers from the store: progress to the incubation-space goal, and area
tallies per unit. Composes the store snapshot with :mod:`spatial.progress` and
:mod:`spatial.tally`, names the units and lays out the export tables (CLI and pages share it).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geodata.reports.market import settled_report
from geodata.storage import NotSupported, open_store
from layers.catalogue import CARRIER_FIELDS, CARRIER_LAYERS, get_layer, source_field
from layers.vocab import INDUSTRIES
from messages import Pair, name_column, pair, t
from spatial.progress import build_ledger, counted_at, progress_summary
from spatial.provenance import is_external
from spatial.scope import DEFAULT_SCOPE, check_scope, in_scope
from spatial.crs import to_metric
from spatial.tally import (HETAO_INSIDE, HETAO_OUTSIDE, NONE_STATED, OUTSIDE, STATED_FIELDS, UNIT_KINDS,
                           UNLOCATED, hetao_units, stated_column, stated_values, tally_by)
from spatial.zone_placement import PLACED_ACROSS, ZONE_LAYERS, place_by_zone, zone_placed

SPECIAL_UNITS: dict[str, Pair] = {
    OUTSIDE: pair("unit_outside"),
    UNLOCATED: pair("unit_unlocated"),
    PLACED_ACROSS: pair("unit_placed_across"),
    NONE_STATED: pair("unit_none_stated"),
    HETAO_INSIDE: pair("unit_hetao_inside"),
    HETAO_OUTSIDE: pair("unit_hetao_outside"),
    "total": pair("unit_total"),
}
"""The tally's rows that are not units, named in Chinese and English."""

KIND_TITLES: dict[str, Pair] = {kind: pair(f"unit_kind_{kind}") for kind in UNIT_KINDS}
"""Each unit kind's title in Chinese and English."""

_CARRIER_TITLES = {f.name: Pair(f.title_zh, f.title_en) for f in CARRIER_FIELDS}
TALLY_COLUMNS: dict[str, Pair] = {
    **{col: pair(f"tc_{col}") for col in ("unit", "unit_id", "count", "zone_placed", "polygon_count", "land_area_m2",
                                          "stated_land_area_m2")},
    **{f: _CARRIER_TITLES[f] for f in STATED_FIELDS if f != "land_area_m2"},
}
"""Export columns with their units, in Chinese and English (``TALLY_COLUMNS[col].get(lang)``)."""


def unit_names(kind: str, frames: dict[str, pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """Unit id → (name_zh, name_en) for one unit kind, with the special rows."""
    names = dict(SPECIAL_UNITS)
    if kind == "subdistrict":
        zones = frames["subdistricts"]
    elif kind == "cluster":
        zones = frames["clusters"]
    elif kind == "district":
        zones = frames["shenzhen_districts"]
    else:
        zones = None
    if zones is not None:
        names.update({i: (zh, en) for i, zh, en in zip(zones["id"], zones["name_zh"], zones["name_en"])})
    if kind == "layer":
        names.update({k: (get_layer(k).title_zh, get_layer(k).title_en) for k in CARRIER_LAYERS})
    if kind == "industry":
        names.update({c: (term.zh, term.en) for c, term in INDUSTRIES.items()})
    return names


def _placed_by_zone(result: dict, kind: str, carriers: pd.DataFrame, frames: dict, scope: str) -> dict:
    """The tally with carriers placed by zone counted in their zone's unit (see :mod:`spatial.zone_placement`)."""
    scoped = result.get("carriers")
    if scoped is None:
        scoped = carriers.loc[in_scope(carriers, frames["district"], scope)].reset_index(drop=True)
    units = {"subdistrict": (frames["subdistricts"], True, None), "cluster": (frames["clusters"], False, None),
             "district": (frames["shenzhen_districts"], True, None),
             "hetao": (hetao_units(frames["hetao"]), False, {OUTSIDE: HETAO_OUTSIDE})}.get(kind)
    if units is None:  # layer, industry: the carriers are in their rows already; say how many by zone
        placed = set(np.flatnonzero(zone_placed(scoped)))
        anchor = result.get("anchor")
        per_unit = pd.Series([u for p, u in zip(anchor["pos"], anchor["unit"]) if p in placed], dtype=object) \
            .value_counts() if anchor is not None else pd.Series(dtype=int)
        rows = result["rows"].copy()
        rows["zone_placed"] = [int(per_unit.get(u, 0)) for u in rows["unit"]]
        return {**result, "rows": rows, "total": {**result["total"], "zone_placed": len(placed)}}
    zones = {str(i): g for key in ZONE_LAYERS if key in frames and len(frames[key])
             for i, g in zip(frames[key]["id"], to_metric(frames[key].geometry))}
    return place_by_zone(result, scoped, zones, units[0], partition=units[1], rename=units[2])


def without_external(carriers: pd.DataFrame) -> pd.DataFrame:
    """``carriers`` with every stated figure from an external source blanked (seed documents only)."""
    out = carriers.copy()
    for field in STATED_FIELDS:
        src = source_field(field)
        if field in out.columns and src in out.columns:
            external = out[src].map(is_external).to_numpy(dtype=bool)
            out[field] = out[field].where(~external)
    return out


def external_share(result: dict, carriers: pd.DataFrame) -> dict[str, float]:
    """Per stated field, how much of the tally's total comes from external sources (m²); ``carriers``
    are the tally's (its scope)."""
    counted = result.get("counted") or {f: ~np.isnan(v) for f, v in stated_values(carriers, STATED_FIELDS).items()}
    out = {}
    for field in STATED_FIELDS:
        src = source_field(field)
        if field not in carriers.columns or src not in carriers.columns or field not in counted:
            continue
        external = carriers[src].map(is_external).to_numpy(dtype=bool) & counted[field]
        out[stated_column(field)] = float(pd.to_numeric(carriers[field], errors="coerce").to_numpy()[external].sum())
    return out


def tally_report(kind: str, carriers: pd.DataFrame, frames: dict[str, pd.DataFrame], *,
                 land: str = "apportion", stated: str = "centroid", scope: str = DEFAULT_SCOPE,
                 location=None, external: bool = True) -> dict:
    """Tally the carriers of ``scope`` by ``kind`` (one of :data:`spatial.tally.UNIT_KINDS`) with unit names.

    With a ``location`` whose store tallies by itself (PostGIS, for the spatial unit kinds) the
    placement and sums run there (:meth:`geodata.storage.base.Store.tally`); the result is the same.

    Returns
    -------
    dict
        The :func:`spatial.tally.tally_by` result with ``rows`` gaining ``name_zh`` and
        ``name_en``, plus ``kind``.
    """
    if kind not in UNIT_KINDS:
        raise ValueError(f"unknown unit kind {kind!r}: use one of {', '.join(UNIT_KINDS)}")
    check_scope(scope)
    result = None
    if not external:  # figures from seed documents only: computed here from the carriers
        carriers, location = without_external(carriers), None
    if location is not None:  # the store may compute it itself (a database)
        try:
            result = open_store(location).tally(kind, land=land, stated=stated, scope=scope)
        except NotSupported:
            result = None
    if result is None:
        carriers = carriers.loc[in_scope(carriers, frames["district"], scope)].reset_index(drop=True)
        result = tally_by(kind, carriers, frames, land=land, stated=stated, layer_order=CARRIER_LAYERS)
        result["carriers"] = carriers  # the features behind ``anchor`` positions
    result = _placed_by_zone(result, kind, carriers, frames, scope)
    names = unit_names(kind, frames)
    rows = result["rows"]
    rows.insert(1, "name_zh", rows["unit"].map(lambda u: names.get(u, (u, u))[0]))
    rows.insert(2, "name_en", rows["unit"].map(lambda u: names.get(u, (u, u))[1]))
    result["kind"] = kind
    result["scope"] = scope
    result["external"] = external
    scoped = result.get("carriers")
    if scoped is None:
        scoped = carriers.loc[in_scope(carriers, frames["district"], scope)].reset_index(drop=True)
    result["total"] = {**result["total"], "external_m2": external_share(result, scoped)}
    return result


def _number(value):
    return None if value is None or value != value else float(value)


def tally_json(result: dict) -> dict:
    """The CLI contract: ``rows`` (``unit``, ``count``, ``land_area_m2``, ``floor_area_m2``,
    ``incubation_area_m2``, ``available_area_m2`` and more) and ``total``; unknown is null."""
    rows = []
    for r in result["rows"].to_dict("records"):
        out = {"unit": r["unit"], "name_zh": r["name_zh"], "name_en": r["name_en"], "count": int(r["count"])}
        for col in r:
            if col not in out and col != "unit":
                out[col] = int(r[col]) if col.endswith("_known") or col == "polygon_count" else _number(r[col])
        rows.append(out)
    total = {k: (_number(v) if isinstance(v, float) or v is None else v) for k, v in result["total"].items()}
    return {"by": result["kind"], "scope": result.get("scope", DEFAULT_SCOPE), "land": result["land"],
            "stated": result["stated"],
            "overlapping": result["overlapping"], "rows": rows, "total": total}


def tally_table(result: dict, lang: str) -> pd.DataFrame:
    """The tally (rows then the totals row) with headers in ``lang`` that carry the units."""
    rows = result["rows"]
    total = {**result["total"], "name_zh": SPECIAL_UNITS["total"].zh, "name_en": SPECIAL_UNITS["total"].en}
    frame = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    out = pd.DataFrame({TALLY_COLUMNS["unit"].get(lang): frame[name_column(lang)],
                        TALLY_COLUMNS["unit_id"].get(lang): frame["unit"]})
    for col in ("count", "zone_placed", "polygon_count", "land_area_m2", "stated_land_area_m2", "floor_area_m2",
                "usable_area_m2",
                "space_area_m2", "incubation_area_m2", "available_area_m2"):
        values = pd.to_numeric(frame[col], errors="coerce")
        out[TALLY_COLUMNS[col].get(lang)] = values.round(1) if col.endswith("_m2") else values.astype("Int64")
    return out


def tally_sources(result: dict, carriers: pd.DataFrame, lang: str, frames: dict | None = None) -> pd.DataFrame:
    """Every stated figure behind the tally: unit, carrier, field, value, whether it counts, source.

    A tally computed in the database has no per-carrier detail: it is recomputed here from
    ``carriers`` and ``frames`` (same rules, same numbers)."""
    if "anchor" not in result:
        if frames is None:
            raise ValueError("a database tally needs the store's frames for its sources")
        result = {**tally_report(result["kind"], carriers, frames, land=result["land"], stated=result["stated"],
                                 scope=result.get("scope", DEFAULT_SCOPE)), "rows": result["rows"]}
    carriers = result.get("carriers", carriers)
    names = dict(zip(result["rows"]["unit"], result["rows"][name_column(lang)]))
    anchor = result["anchor"]
    records = []
    for field in STATED_FIELDS:
        if field not in carriers.columns:
            continue
        values = pd.to_numeric(carriers[field], errors="coerce").to_numpy()
        src = carriers[source_field(field)].to_numpy(dtype=object) if source_field(field) in carriers.columns \
            else np.full(len(carriers), None)
        counted = result["counted"][field]
        for pos, unit in zip(anchor["pos"].to_numpy(), anchor["unit"].to_numpy(dtype=object)):
            if np.isnan(values[pos]):
                continue
            c = carriers.iloc[pos]
            records.append({
                t("ts_unit", lang): names.get(unit, unit),
                t("ts_carrier_id", lang): c["id"],
                t("ts_carrier", lang): c[name_column(lang)],
                t("ts_figure", lang): TALLY_COLUMNS[stated_column(field)].get(lang),
                t("ts_value", lang): float(values[pos]),
                t("ts_counted", lang): t("yes" if counted[pos] else "ts_not_counted", lang),
                t("ts_source", lang): src[pos],
            })
    return pd.DataFrame.from_records(records)


def progress_report(frames: dict[str, pd.DataFrame], carriers: pd.DataFrame, *, today: date,
                    what_if: list[str] | None = None, external: bool = True) -> tuple[dict, pd.DataFrame]:
    """The progress summary and the ledger, from the store's tables and carriers. ``external`` false:
    ledger areas from external sources ([ext]) count as unknown. The summary says how much of the
    ledger's total is external (``ledger_external_m2``)."""
    ledger = build_ledger(carriers, frames["incubation_ledger"])
    outside = ledger["area_source"].map(is_external).to_numpy(dtype=bool) if len(ledger) else np.zeros(0, bool)
    if not external:
        ledger = ledger.assign(counted_area_m2=ledger["counted_area_m2"].where(~outside))
    summary = progress_summary(reports=frames["incubation_reports"], targets=frames["targets"],
                               goals=frames["progress_goals"], ledger=ledger, planned=frames["planned_additions"],
                               today=today, what_if=what_if, count_targets=frames.get("count_targets"),
                               reported_counts=frames.get("reported_counts"))
    summary["ledger_external_m2"] = float(counted_at(ledger)[outside].sum()) if len(ledger) else 0.0
    summary["ledger_external_included"] = external
    if "leases" in frames:  # area settled through the platform: a measure of its own, never added to the others
        settled = settled_report(frames, carriers)
        summary["settled_via_platform_m2"] = settled["settled_via_platform_m2"]
        summary["settled"] = settled
    return summary, ledger


CHOROPLETHS: dict[str, tuple[str, str, str] | None] = {
    "ch_off": None,
    "ch_sub_floor": ("subdistricts", "subdistrict", "floor_area_m2"),
    "ch_sub_incubation": ("subdistricts", "subdistrict", "incubation_area_m2"),
    "ch_cl_floor": ("clusters", "cluster", "floor_area_m2"),
    "ch_cl_incubation": ("clusters", "cluster", "incubation_area_m2"),
}
"""Map choropleth modes: zone layer, tally unit kind and summed stated figure."""


def choropleth_mode(kind: str, field: str) -> str | None:
    """The map choropleth mode showing ``field`` per ``kind`` unit, if the map has one."""
    for mode, spec in CHOROPLETHS.items():
        if spec is not None and spec[1:] == (kind, field):
            return mode
    return None


def choropleth_values(mode: str, carriers: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> dict | None:
    """Zone id → summed stated figure (None when unknown) for a map choropleth mode — the same
    numbers as the tally page, from the same :func:`tally_report`. None for "off"."""
    spec = CHOROPLETHS[mode]
    if spec is None:
        return None
    _, kind, field = spec
    rows = tally_report(kind, carriers, frames)["rows"]
    zone_ids = set(frames[spec[0]]["id"])
    return {u: (None if v is None or v != v else float(v))
            for u, v in zip(rows["unit"], rows[field]) if u in zone_ids}
