"""The planners' two answers from the store: progress to the incubation-space goal, and area
tallies per unit. Composes the store snapshot with :mod:`spatial.progress` and
:mod:`spatial.tally`, names the units and lays out the export tables (CLI and pages share it).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geodata.storage import NotSupported, open_store
from layers.catalogue import CARRIER_FIELDS, CARRIER_LAYERS, get_layer, source_field
from layers.vocab import INDUSTRIES
from spatial.progress import build_ledger, progress_summary
from spatial.scope import DEFAULT_SCOPE, check_scope, in_scope
from spatial.tally import (HETAO_INSIDE, HETAO_OUTSIDE, NONE_STATED, OUTSIDE, STATED_FIELDS, UNIT_KINDS,
                           UNLOCATED, stated_column, tally_by)

SPECIAL_UNITS = {
    OUTSIDE: ("不在任何单元内", "outside every unit"),
    UNLOCATED: ("位置未知", "location unknown"),
    NONE_STATED: ("未注明", "none stated"),
    HETAO_INSIDE: ("河套深圳园区内", "inside the Hetao Shenzhen Park"),
    HETAO_OUTSIDE: ("河套以外", "outside Hetao"),
    "total": ("合计", "Total"),
}

KIND_TITLES = {
    "subdistrict": ("街道", "Subdistrict"),
    "cluster": ("创新集群与街区", "Innovation cluster"),
    "hetao": ("河套内外", "Inside / outside Hetao"),
    "layer": ("图层", "Layer"),
    "industry": ("产业", "Industry"),
    "district": ("区（全市）", "District (Shenzhen)"),
}

_CARRIER_TITLES = {f.name: (f.title_zh, f.title_en) for f in CARRIER_FIELDS}
TALLY_COLUMNS: dict[str, tuple[str, str]] = {
    "unit": ("单元", "Unit"),
    "unit_id": ("单元代码", "Unit id"),
    "count": ("载体数", "Carriers"),
    "polygon_count": ("面状要素数", "Polygons"),
    "land_area_m2": ("计算占地面积(㎡, EPSG:4547)", "Computed land area (m², EPSG:4547)"),
    "stated_land_area_m2": ("申报占地面积(㎡)", "Stated land area (m²)"),
    **{f: _CARRIER_TITLES[f] for f in STATED_FIELDS if f != "land_area_m2"},
}
"""Export columns with their units, in Chinese and English."""


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


def tally_report(kind: str, carriers: pd.DataFrame, frames: dict[str, pd.DataFrame], *,
                 land: str = "apportion", stated: str = "centroid", scope: str = DEFAULT_SCOPE,
                 location=None) -> dict:
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
    if location is not None:  # the store may compute it itself (a database)
        try:
            result = open_store(location).tally(kind, land=land, stated=stated, scope=scope)
        except NotSupported:
            result = None
    if result is None:
        carriers = carriers.loc[in_scope(carriers, frames["district"], scope)].reset_index(drop=True)
        result = tally_by(kind, carriers, frames, land=land, stated=stated, layer_order=CARRIER_LAYERS)
        result["carriers"] = carriers  # the features behind ``anchor`` positions
    names = unit_names(kind, frames)
    rows = result["rows"]
    rows.insert(1, "name_zh", rows["unit"].map(lambda u: names.get(u, (u, u))[0]))
    rows.insert(2, "name_en", rows["unit"].map(lambda u: names.get(u, (u, u))[1]))
    result["kind"] = kind
    result["scope"] = scope
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
    i = 0 if lang == "zh" else 1
    rows = result["rows"]
    total = {**result["total"], "name_zh": SPECIAL_UNITS["total"][0], "name_en": SPECIAL_UNITS["total"][1]}
    frame = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    out = pd.DataFrame({TALLY_COLUMNS["unit"][i]: frame["name_zh" if lang == "zh" else "name_en"],
                        TALLY_COLUMNS["unit_id"][i]: frame["unit"]})
    for col in ("count", "polygon_count", "land_area_m2", "stated_land_area_m2", "floor_area_m2",
                "incubation_area_m2", "available_area_m2"):
        values = pd.to_numeric(frame[col], errors="coerce")
        out[TALLY_COLUMNS[col][i]] = values.round(1) if col.endswith("_m2") else values.astype("Int64")
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
    i = 0 if lang == "zh" else 1
    names = dict(zip(result["rows"]["unit"], result["rows"]["name_zh" if lang == "zh" else "name_en"]))
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
                ("单元", "Unit")[i]: names.get(unit, unit),
                ("载体编号", "Carrier id")[i]: c["id"],
                ("载体", "Carrier")[i]: c["name_zh" if lang == "zh" else "name_en"],
                ("面积项", "Figure")[i]: TALLY_COLUMNS[stated_column(field)][i],
                ("数值(㎡)", "Value (m²)")[i]: float(values[pos]),
                ("计入合计", "Counted")[i]: ("是", "yes")[i] if counted[pos] else
                ("否（已含在上级载体中）", "no (inside a parent that states it)")[i],
                ("来源", "Source")[i]: src[pos],
            })
    return pd.DataFrame.from_records(records)


def progress_report(frames: dict[str, pd.DataFrame], carriers: pd.DataFrame, *, today: date,
                    what_if: list[str] | None = None) -> tuple[dict, pd.DataFrame]:
    """The progress summary and the ledger, from the store's tables and carriers."""
    ledger = build_ledger(carriers, frames["incubation_ledger"])
    summary = progress_summary(reports=frames["incubation_reports"], targets=frames["targets"],
                               goals=frames["progress_goals"], ledger=ledger, planned=frames["planned_additions"],
                               today=today, what_if=what_if)
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
