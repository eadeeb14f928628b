"""Economic indicators from the store: enterprise figures joined with where each enterprise is, per
carrier, cluster, subdistrict, Hetao or district (:mod:`spatial.indicators`), with the disclosure rule
for public views (:mod:`spatial.disclosure`), unit names, the seeds' own reported figures beside them,
and the export tables. The CLI and the pages share it.

Per enterprise sums run in the database where the store can (PostGIS: :meth:`Store.enterprise_sums`);
the rest is the same pure code on both backends, so both give the same numbers.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

import settings
from geodata.reports.disclosed import Context, public_tables, raw
from geodata.reports.planning import SPECIAL_UNITS, unit_names
from geodata.storage import NotSupported, open_store, store_version
from layers.catalogue import CARRIER_LAYERS
from messages import Pair, pair
from spatial.disclosure import Rule
from spatial.indicators import (HIDDEN, NOT_PLACED, enterprise_sums, membership, occupancy, qualification_flags,
                                year_span)
from spatial.scope import DEFAULT_SCOPE, check_scope, in_scope
from spatial.tally import stated_values

__all__ = ["LEVELS", "INDICATOR_COLUMNS", "indicator_report", "indicators_json", "indicator_table", "carrier_trend",
           "reported_figures", "economy_tables"]

LEVELS = ("carrier", "cluster", "subdistrict", "hetao", "district")
_KIND = {"cluster": "cluster", "subdistrict": "subdistrict", "hetao": "hetao", "district": "district"}
FIELDS = ("enterprises", "high_tech", "specialised", "employees", "revenue_cny", "tax_cny", "rd_cny", "patents",
          "floor_area_m2", "tax_per_m2", "revenue_per_m2", "occupancy", "tax_yoy", "revenue_yoy")
INDICATOR_COLUMNS: dict[str, Pair] = {c: pair(f"ind_{c}") for c in ("unit", "unit_id", *FIELDS, "occupancy_basis",
                                                                     "industries", "suppressed")}
"""Export and table headers with their units, in Chinese and English."""
PLACED = ("confirmed", "placed")
MONEY = ("revenue_cny", "tax_cny", "rd_cny")
"""Money in CNY everywhere but the export tables, whose headers say 万元 (10k CNY)."""


@lru_cache(maxsize=2)
def economy_tables(location: str, revision: int, *, with_years: bool) -> dict[str, pd.DataFrame]:
    """The economy's tables read once per store version (enterprise-years only when the store cannot sum them)."""
    store = open_store(location)
    keys = ("enterprises", "placements", "units", *(("enterprise_years",) if with_years else ()))
    return {k: store.read_layer(k) for k in keys}


def _tables(location, pushdown: bool = True) -> tuple[object, dict, bool]:
    store = open_store(location)
    try:
        pushed = pushdown and store.economy_years() is not None
    except NotSupported:
        pushed = False
    return store, economy_tables(*store_version(store.location), with_years=not pushed), pushed


def _years(store, tables: dict, pushed: bool) -> list[int]:
    if pushed:
        return store.economy_years()
    return sorted({int(y) for y in tables["enterprise_years"]["year"].dropna()})


def _sums(store, tables: dict, pushed: bool, first: int, last: int, prev: tuple[int, int] | None) -> tuple:
    """Per enterprise sums of the span and of the span compared with (None: no earlier figures)."""
    if pushed:
        return store.enterprise_sums(first=first, last=last, prev=prev)
    years = tables["enterprise_years"]
    return (enterprise_sums(years, first=first, last=last),
            None if prev is None else enterprise_sums(years, first=prev[0], last=prev[1]))


@lru_cache(maxsize=4)
def _flags(location: str, revision: int, on: date) -> pd.DataFrame:
    """The enterprises' qualifications on a day, once per store version."""
    return qualification_flags(economy_tables(location, revision, with_years=False)["enterprises"], on=on)


def _zones(frames: dict) -> dict:
    return {"subdistricts": frames["subdistricts"], "clusters": frames["clusters"], "hetao": frames["hetao"],
            "district": frames["district"]}


def _membership(level: str, carriers, frames: dict, scope: str) -> pd.DataFrame:
    """Which unit(s) of ``level`` each carrier is in; the district level of the all-Shenzhen scope has
    one row per district of the city (Futian alone: one row)."""
    if level == "district" and scope != DEFAULT_SCOPE:
        return membership("subdistrict", carriers, {**_zones(frames), "subdistricts": frames["shenzhen_districts"]})
    return membership(level, carriers, _zones(frames))


def _order(level: str, frames: dict, scope: str) -> list[str]:
    """Every unit of the level, in the layer's order (rows even where no enterprise is): none for carriers."""
    from spatial.tally import HETAO_INSIDE, HETAO_OUTSIDE

    if level == "carrier":
        return []
    if level == "hetao":
        return [HETAO_INSIDE, HETAO_OUTSIDE]
    key = {"cluster": "clusters", "subdistrict": "subdistricts",
           "district": "district" if scope == DEFAULT_SCOPE else "shenzhen_districts"}[level]
    return [str(i) for i in frames[key]["id"]]


def _isin(values, wanted) -> np.ndarray:
    """``values`` that are among ``wanted``, compared as text through one hash table (fast for any dtype)."""
    return pd.Index(np.asarray(values, dtype=object), dtype=object).isin(np.asarray(wanted, dtype=object))


@lru_cache(maxsize=16)
def _units(location: str, revision: int, level: str, scope: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which unit each carrier of ``scope`` is in, and the carriers' floor areas, once per store version."""
    from geodata.reports.inventory import store_snapshot

    frames, carriers = store_snapshot(location, revision)
    carriers = carriers.loc[in_scope(carriers, frames["district"], scope)].reset_index(drop=True)
    return _membership(level, carriers, frames, scope), _floor(carriers)


@lru_cache(maxsize=16)
def _occupancy(location: str, revision: int, level: str, scope: str, pushed: bool) -> pd.DataFrame:
    """The units' occupancy per unit of ``level``, once per store version."""
    units = economy_tables(location, revision, with_years=not pushed)["units"]
    return occupancy(units, _units(location, revision, level, scope)[0])


@lru_cache(maxsize=8)
def _away(location: str, revision: int, scope: str, pushed: bool) -> np.ndarray:
    """Enterprises placed in carriers outside ``scope`` (none for all of Shenzhen), once per store version."""
    from geodata.reports.inventory import store_snapshot

    if scope == "shenzhen":
        return np.array([], dtype=object)
    frames, carriers = store_snapshot(location, revision)
    carriers = carriers.loc[in_scope(carriers, frames["district"], scope)]
    return _elsewhere(economy_tables(location, revision, with_years=not pushed)["placements"], carriers)


def _elsewhere(placements: pd.DataFrame, carriers) -> np.ndarray:
    """Enterprises placed (or confirmed) in a carrier not among ``carriers``."""
    placed = placements.loc[_isin(placements["status"], PLACED), ["enterprise_id", "carrier_id"]]
    inside = _isin(placed["carrier_id"], carriers["id"].astype(str))
    return np.asarray(placed.loc[~inside, "enterprise_id"], dtype=object)


def _floor(carriers) -> pd.DataFrame:
    """Each carrier's gross floor area after the double-count rule (a building inside a counted park: NaN)."""
    values = stated_values(carriers, ["floor_area_m2"])["floor_area_m2"]
    return pd.DataFrame({"carrier_id": carriers["id"].astype(str).to_numpy(), "floor_area_m2": values})


def _empty(level: str, scope: str, public: bool, years: list[int]) -> dict:
    return {"level": level, "scope": scope, "public": public, "years": None, "available_years": years,
            "rows": pd.DataFrame(columns=["unit", "name_zh", "name_en", *FIELDS, "suppressed"]),
            "total": {f: None for f in FIELDS} | {"suppressed": []}, "placements": {}, "empty": True}


def indicator_report(level: str, *, location=None, year: int | None = None, years: tuple[int, int] | None = None,
                     public: bool = False, scope: str = DEFAULT_SCOPE, pushdown: bool = True) -> dict:
    """Indicators of the carriers of ``scope`` by ``level`` for ``year`` (default: the latest with figures)
    or the range ``years``: flows summed over the years, employees averaged.

    ``public``: the disclosure rule of :func:`settings.disclosure_rule` applied (cells of fewer than 3
    enterprises, or dominated by one, and their complements suppressed); staff see every cell.
    ``pushdown=False`` sums in memory even where the store could (to compare the two).

    Returns
    -------
    dict
        ``level``, ``scope``, ``years`` (first, last), ``available_years``, ``rows`` (``unit``, names,
        the indicators, ``suppressed``), ``total``, ``placements`` (enterprises by placement status),
        ``public``, ``rule``, ``empty`` (no enterprise figure in the store).
    """
    from geodata.reports.inventory import snapshot

    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    check_scope(scope)
    store, tables, pushed = _tables(location, pushdown)
    available = _years(store, tables, pushed)
    span = year_span(pd.Series(available, dtype=float), year=year, years_range=years)
    if span is None or not available:
        return _empty(level, scope, public, available)
    first, last = span
    version = store_version(store.location)
    frames = snapshot(store.location)[0]
    length = last - first + 1
    span_before = (first - length, last - length) if first - length >= min(available) else None
    away = _away(*version, scope, pushed)

    def scoped(s):  # enterprises placed in carriers outside the scope are not in its figures
        return s if s is None or not len(away) else s.loc[~_isin(s["enterprise_id"], away)]

    sums, prev = map(scoped, _sums(store, tables, pushed, first, last, span_before))
    minimum, share = settings.disclosure_rule()
    ctx = Context(tables["placements"], _flags(*version, date(last, 12, 31)),
                  lambda lv: _units(*version, lv, scope), lambda lv: _order(lv, frames, scope),
                  Rule(min_enterprises=minimum, dominance=share))
    result = raw(level, sums, ctx, prev=prev, occupancy_rows=_occupancy(*version, level, scope, pushed))
    if public:
        def each_year(a, b):  # a range publishes nothing a year of it withholds
            return [scoped(_sums(store, tables, pushed, y, y, None)[0]) for y in range(a, b + 1)] if b > a else []

        rows, total = public_tables(level, result, sums, prev, ctx, years=each_year(first, last),
                                    years_before=each_year(*span_before) if span_before else [])
    else:
        rows, total = _staff(result)
    rows = _named(rows, _names(*version, level, scope))
    counts = tables["placements"]["status"].value_counts()
    return {"level": level, "scope": scope, "public": public, "years": (first, last), "available_years": available,
            "rows": rows, "total": total, "rule": {"min_enterprises": minimum, "dominance": share},
            "placements": {s: int(counts.get(s, 0)) for s in ("confirmed", "placed", "review", "unplaced")},
            "without_placement": int((~_isin(sums["enterprise_id"], tables["placements"]["enterprise_id"])).sum()),
            "empty": False}


def _staff(result: dict) -> tuple[pd.DataFrame, dict]:
    """Every cell, the disclosure columns dropped."""
    rows = result["rows"]
    rows = rows.drop(columns=[c for c in rows.columns if c.startswith(HIDDEN)]).assign(suppressed=[[]] * len(rows))
    return rows, {k: v for k, v in result["total"].items() if not k.startswith(HIDDEN)} | {"suppressed": []}


def _named(rows: pd.DataFrame, names: dict) -> pd.DataFrame:
    rows = rows.reset_index(drop=True)
    rows.insert(1, "name_zh", rows["unit"].map(lambda u: names.get(u, (u, u))[0]))
    rows.insert(2, "name_en", rows["unit"].map(lambda u: names.get(u, (u, u))[1]))
    return rows


@lru_cache(maxsize=16)
def _names(location: str, revision: int, level: str, scope: str) -> dict[str, tuple[str, str]]:
    """Unit id → (name_zh, name_en) of ``level``, with the special rows, once per store version."""
    from geodata.reports.inventory import store_snapshot

    frames, carriers = store_snapshot(location, revision)
    carriers = carriers.loc[in_scope(carriers, frames["district"], scope)]
    special = {**{k: (v.zh, v.en) for k, v in SPECIAL_UNITS.items()},
               NOT_PLACED: (pair("unit_not_placed").zh, pair("unit_not_placed").en)}
    if level == "carrier":
        return special | {str(i): (zh, en) for i, zh, en in zip(carriers["id"], carriers["name_zh"], carriers["name_en"])}
    named = unit_names(_KIND[level], frames)
    return special | {k: (v[0], v[1]) for k, v in named.items()}


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value if not isinstance(value, float) or value == value else None


def indicators_json(result: dict) -> dict:
    """The CLI contract: ``rows`` (``unit``, ``enterprises``, ``high_tech``, ``employees``, ``revenue_cny``,
    ``tax_cny``, ``rd_cny``, ``floor_area_m2``, ``tax_per_m2``, ``revenue_per_m2``, ``occupancy``,
    ``suppressed``, …) and ``total``; unknown or suppressed is null."""
    keep = ("unit", "name_zh", "name_en", *FIELDS, "occupancy_basis", "industries", "suppressed")
    rows = [{k: (list(r.get(k) or []) if k == "suppressed" else _plain(r.get(k))) for k in keep}
            for r in result["rows"].to_dict("records")]
    total = {k: (list(result["total"].get(k) or []) if k == "suppressed" else _plain(result["total"].get(k)))
             for k in keep if k not in ("unit", "name_zh", "name_en")}
    years = result["years"]
    return {"by": result["level"], "scope": result["scope"], "public": result["public"],
            "years": None if years is None else list(years), "available_years": result["available_years"],
            "rule": result.get("rule"), "placements": result.get("placements", {}),
            "rows": rows, "total": total, "measure": "floor_area_m2 (gross floor area, 建筑面积)"}


def indicator_table(result: dict, lang: str) -> pd.DataFrame:
    """The indicators (rows then the totals row) with headers in ``lang`` that carry the units;
    a suppressed cell reads as the word for it, an unknown one is empty."""
    from messages import t

    total = {**result["total"], "unit": "total", "name_zh": SPECIAL_UNITS["total"].zh,
             "name_en": SPECIAL_UNITS["total"].en}
    frame = pd.concat([result["rows"], pd.DataFrame([total])], ignore_index=True)
    name = "name_zh" if lang == "zh" else "name_en"
    out = pd.DataFrame({INDICATOR_COLUMNS["unit"].get(lang): frame[name], INDICATOR_COLUMNS["unit_id"].get(lang):
                        frame["unit"]})
    hidden = t("ind_suppressed_cell", lang)
    for col in FIELDS:
        values = pd.to_numeric(frame[col], errors="coerce") / (1e4 if col in MONEY else 1)
        values = values.round(2 if col in MONEY or col.endswith("_m2") else 4).astype(object)
        values = values.where(values.notna(), None)
        cells = [hidden if col in (s or []) else v for v, s in zip(values, frame["suppressed"])]
        out[INDICATOR_COLUMNS[col].get(lang)] = cells
    out[INDICATOR_COLUMNS["occupancy_basis"].get(lang)] = frame.get("occupancy_basis")
    out[INDICATOR_COLUMNS["industries"].get(lang)] = [None if "industries" in (s or []) else v for v, s in
                                                     zip(frame["industries"], frame["suppressed"])]
    return out


def carrier_trend(carrier_id: str, *, location=None, public: bool = False) -> pd.DataFrame:
    """One carrier's indicators year by year (``year`` and the fields; suppressed cells None, ``suppressed``)."""
    store, tables, pushed = _tables(location)
    out = []
    for y in _years(store, tables, pushed):
        result = indicator_report("carrier", location=store.location, year=y, public=public, scope="shenzhen")
        hit = result["rows"].loc[result["rows"]["unit"].astype(str) == str(carrier_id)]
        if len(hit):
            out.append({"year": y, **{k: hit.iloc[0].get(k) for k in (*FIELDS, "suppressed")}})
    return pd.DataFrame(out, columns=["year", *FIELDS, "suppressed"])


def reported_figures(frames: dict, carriers) -> dict:
    """What the seeds themselves report about enterprises, as reported (with sources), never mixed with
    the computed indicators: the district's national high-tech enterprises, and carriers' stated tenants."""
    counts = frames["reported_counts"]
    high_tech = counts.loc[counts["indicator"] == "high_tech_enterprises"].sort_values("date")
    targets = frames["count_targets"]
    goal = targets.loc[(targets["indicator"] == "high_tech_enterprises") & (targets["kind"] == "target")]
    tenants = carriers.loc[carriers["tenants"].notna(), ["id", "name_zh", "tenants", "tenants_source"]] \
        if "tenants" in carriers.columns else carriers.iloc[0:0]
    return {"high_tech_enterprises": [{"date": str(r["date"]), "value": int(r["value"]), "source": r["source"],
                                       "quote": r["quote"]} for r in high_tech.to_dict("records")],
            "high_tech_target": [{"year": int(r["year"]), "value": int(r["value"]), "source": r["source"]}
                                 for r in goal.to_dict("records")],
            "carriers": {"count": int(len(carriers)), "layers": {k: int((carriers["layer"] == k).sum())
                                                                 for k in CARRIER_LAYERS}},
            "tenants": [{k: (None if (isinstance(v, float) and np.isnan(v)) else v) for k, v in r.items()}
                        for r in tenants.to_dict("records")]}
