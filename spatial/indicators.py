"""Economic indicators per unit — carrier, cluster, subdistrict, Hetao, district — from the
enterprises' yearly figures (``enterprise_years``) and where each enterprise is placed
(``placements``). Pure and vectorised: frames in, frames out; nothing about pages or storage.
Which cells may be shown is decided afterwards by :func:`spatial.disclosure.suppress`. Carriers
are put into units, and units' occupancy computed, by :mod:`spatial.indicator_units`
(:func:`membership`, :func:`occupancy`, re-exported here).

Rules
-----
* **Unknown is never 0.** A sum is over the enterprises whose figure is known; it is unknown
  (NaN in a frame, None in a dict) when no enterprise of the cell has the figure.
* **Placed.** An enterprise is in a carrier only through a placement of status ``confirmed`` or
  ``placed`` naming a carrier of ``member`` (of several, the first confirmed, else the first
  placed). Every other enterprise with figures — placement under review, unplaced, no placement,
  a carrier missing from ``member`` — counts in the :data:`NOT_PLACED` row: never dropped.
* **Overlaps.** Clusters may overlap: a carrier in two clusters counts in both rows, while the
  total counts every enterprise once, so cluster rows need not add up to the total.
* **Per m².** ``floor_area_m2`` of a unit is the sum of the known gross floor areas (建筑面积) of
  its carriers, after the double-count rule of :mod:`spatial.stated` (a building whose park states
  the area has none of its own). ``tax_per_m2`` (``revenue_per_m2``) is the tax (revenue) of the
  enterprises placed in carriers of the unit *whose floor area is known*, divided by the unit's
  ``floor_area_m2``; unknown when no floor area is known. Enterprises in carriers of unknown area
  count in ``tax_cny`` but not in ``tax_per_m2``.
* **Year on year.** ``tax_yoy`` = (tax now − tax before) / tax before of the same unit, each the
  unit's sum over the enterprises with figures in that span, both placed by the current
  placements; unknown when either sum is unknown or the earlier one is 0.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from layers.vocab import split_codes
from spatial.indicator_units import (DISTRICT, LEVELS, TOTAL, as_ids, membership, numbers, occupancy, positions,
                                     ratio, take)
from spatial.screening import as_date
from spatial.tally import OUTSIDE, UNLOCATED
from spatial.zone_placement import PLACED_ACROSS

__all__ = ["COUNTS", "DERIVED", "DISTRICT", "HIDDEN", "LEVELS", "MAGNITUDES", "NOT_PLACED", "ROW_COLUMNS", "TOTAL",
           "YIYUAN_TAX_CNY", "building_ranking", "enterprise_sums", "indicators", "membership", "occupancy",
           "qualification_flags", "year_span", "yiyuan_buildings"]

NOT_PLACED = "(not placed)"
MAGNITUDES = ("employees", "revenue_cny", "tax_cny", "rd_cny", "patents")
COUNTS = ("enterprises", "high_tech", "specialised")
DERIVED = {"tax_per_m2": "tax_cny", "revenue_per_m2": "revenue_cny", "tax_yoy": "tax_cny",
           "revenue_yoy": "revenue_cny"}
"""Derived figure → the magnitude it is computed from (it is shown only where that one is)."""
PLACED_STATUSES = ("confirmed", "placed")
FLAG_CODES = {"high_tech": ("high_tech",), "specialised": ("specialised", "little_giant")}
"""Count column → the qualification codes that make an enterprise count in it."""
PSEUDO_UNITS = (NOT_PLACED, OUTSIDE, UNLOCATED, PLACED_ACROSS)
YIYUAN_TAX_CNY = 1e8
HIDDEN = ("max_", "known_", "part_")
"""Prefixes of the columns kept for disclosure control only (:mod:`spatial.disclosure` drops them):
``max_<field>`` the largest single enterprise's figure, ``known_<field>`` how many enterprises have it;
``part_on_<base>`` / ``part_off_<base>`` (with their ``max_`` and ``known_``) the tax and revenue of the
enterprises in carriers with and without a known floor area: a per-m² figure times the floor area
gives the first, so the figures give the second away unless it is fit to publish too."""
PARTS = tuple(f"{k}part_{side}_{base}" for base in ("tax_cny", "revenue_cny") for side in ("on", "off")
              for k in ("", "max_", "known_"))
ROW_COLUMNS = ("unit", *COUNTS, *MAGNITUDES, "floor_area_m2", "tax_per_m2", "revenue_per_m2", "occupancy",
               "occupancy_basis", "tax_yoy", "revenue_yoy", "industries",
               *(p + f for p in HIDDEN[:2] for f in MAGNITUDES), *PARTS)
"""The columns of ``indicators(...)["rows"]``, in order."""


def year_span(years: pd.Series, *, year: int | None = None,
              years_range: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """The span ``(first, last)`` of years to sum: ``year``, ``years_range``, or by default the latest
    year present in ``years``. None when no year of ``years`` falls in the span (no data)."""
    if year is not None and years_range is not None:
        raise ValueError("give year or years_range, not both")
    present = pd.to_numeric(pd.Series(years, dtype=object), errors="coerce").dropna()
    if not len(present):
        return None
    if year is not None:
        first = last = int(year)
    elif years_range is not None:
        first, last = (int(y) for y in years_range)
        if first > last:
            raise ValueError(f"years_range {years_range!r}: the first year is after the last")
    else:
        first = last = int(present.max())
    return (first, last) if ((present >= first) & (present <= last)).any() else None


def _known_sum(values: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    """Per group: the sum of the known values, NaN where none is known."""
    known = ~np.isnan(values)
    sums = np.bincount(code[known], weights=values[known], minlength=n)
    return np.where(np.bincount(code[known], minlength=n) > 0, sums, np.nan)


def _known_max(values: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    known = ~np.isnan(values)
    out = np.full(n, -np.inf)
    np.maximum.at(out, code[known], values[known])
    return np.where(np.isneginf(out), np.nan, out)


def enterprise_sums(enterprise_years: pd.DataFrame, *, first: int, last: int) -> pd.DataFrame:
    """Sum each enterprise's yearly figures over the years ``first`` … ``last``.

    Returns
    -------
    DataFrame
        One row per enterprise with a known figure in the span: ``enterprise_id``, ``employees`` (the
        mean over the years with a figure), ``revenue_cny``, ``tax_cny``, ``rd_cny``, ``patents`` (sums;
        NaN when no year of the span has the figure).
    """
    years = pd.to_numeric(enterprise_years["year"], errors="coerce")
    span = pd.DataFrame({"enterprise_id": enterprise_years["enterprise_id"],
                         **{f: numbers(enterprise_years, f) for f in MAGNITUDES}}).loc[years.between(first, last)]
    grouped = span.loc[span[list(MAGNITUDES)].notna().any(axis=1)].groupby("enterprise_id", sort=False)
    out = grouped[list(MAGNITUDES[1:])].sum(min_count=1)
    out.insert(0, "employees", grouped["employees"].mean())
    return out.reset_index()


def _current_codes(held, on: date) -> set:
    """The qualification codes of ``held`` (JSON text or a list) not expired on ``on``; an expiry
    that cannot be read does not count as current, nor does text that cannot be read."""
    if not isinstance(held, (str, list)):
        return set()
    try:
        held = json.loads(held) if isinstance(held, str) else held
    except ValueError:
        return set()
    out = set()
    for q in held if isinstance(held, list) else []:
        q = q if isinstance(q, dict) else {"code": q}
        try:
            expires = as_date(q.get("expires"))
        except (ValueError, TypeError):
            continue
        if expires is None or expires >= on:
            out.add(q.get("code"))
    return out


def qualification_flags(enterprises: pd.DataFrame, *, on: date) -> pd.DataFrame:
    """Which enterprises count as high-tech and as specialised (专精特新, or 小巨人) on ``on``.

    A qualification counts when its ``expires`` is empty or not before ``on``.

    Returns
    -------
    DataFrame
        ``enterprise_id``, ``high_tech``, ``specialised`` (bool) and ``industries`` (the
        ``;``-separated codes, "" when none).
    """
    n = len(enterprises)
    held = enterprises["qualifications"].to_numpy(dtype=object) if "qualifications" in enterprises.columns \
        else np.full(n, None, dtype=object)
    flags = {name: np.zeros(n, dtype=bool) for name in FLAG_CODES}
    wanted = {c for codes in FLAG_CODES.values() for c in codes}
    for i, value in enumerate(held):
        if not isinstance(value, (str, list)) or isinstance(value, str) and not any(c in value for c in wanted):
            continue  # most rows: nothing to read
        current = _current_codes(value, on)
        for name, codes in FLAG_CODES.items():
            flags[name][i] = bool(current.intersection(codes))
    industries = enterprises["industries"].astype(object) if "industries" in enterprises.columns \
        else pd.Series([""] * n, dtype=object)
    return pd.DataFrame({"enterprise_id": as_ids(enterprises["id"]), **flags,
                         "industries": industries.where(industries.notna(), "").astype(str).to_numpy()})


def _enterprise_arrays(sums: pd.DataFrame, flags: pd.DataFrame) -> dict[str, np.ndarray]:
    ids = as_ids(sums["enterprise_id"])
    out = {"enterprise_id": ids, **{f: numbers(sums, f) for f in MAGNITUDES}}
    at = positions(as_ids(flags["enterprise_id"]), ids)
    has = at >= 0
    for name in FLAG_CODES:
        out[name] = np.zeros(len(ids), dtype=bool)
        out[name][has] = flags[name].fillna(False).to_numpy(dtype=bool)[at[has]]
    industries = np.full(len(ids), None, dtype=object)
    industries[has] = np.asarray(flags["industries"], dtype=object)[at[has]]
    out["industry_code"], out["industry_text"] = pd.factorize(industries)
    return out


def _units_of(member: pd.DataFrame, order: Iterable) -> dict:
    """The (carrier, unit) pairs of ``member`` as codes: ``carriers`` (ids), ``units`` (every unit that
    may get a row: ``order``, those of ``member``, NOT_PLACED), ``carrier``/``unit`` (a code per pair)."""
    ids = as_ids(member["carrier_id"])
    carriers = pd.unique(ids[pd.notna(ids)])
    member_units = np.asarray(member["unit"], dtype=object)
    units = list(dict.fromkeys([*order, *pd.unique(member_units), NOT_PLACED]))
    carrier, unit = positions(carriers, ids), positions(np.asarray(units, dtype=object), member_units)
    keep = np.unique((carrier * len(units) + unit)[carrier >= 0])
    return {"carriers": carriers, "units": units, "carrier": keep // len(units), "unit": keep % len(units)}


def _carrier_of(ids: np.ndarray, placements: pd.DataFrame, carriers: np.ndarray) -> np.ndarray:
    """Each enterprise's carrier code (-1: not placed, or placed in a carrier not among ``carriers``)."""
    status = np.asarray(placements["status"], dtype=object)
    carrier = positions(carriers, as_ids(placements["carrier_id"]))
    ok = np.flatnonzero(((status == PLACED_STATUSES[0]) | (status == PLACED_STATUSES[1])) & (carrier >= 0))
    ok = ok[np.argsort(status[ok] != PLACED_STATUSES[0], kind="stable")]  # confirmed first
    at = positions(as_ids(placements["enterprise_id"])[ok], ids)  # the first of an enterprise's placements
    return take(carrier[ok], at, -1)


def _links(carrier: np.ndarray, pairs: dict) -> tuple[np.ndarray, np.ndarray]:
    """(enterprise position, unit code) for every unit of each enterprise's carrier; not placed → NOT_PLACED."""
    order = np.argsort(pairs["carrier"], kind="stable")
    by_carrier = np.bincount(pairs["carrier"], minlength=len(pairs["carriers"]))
    starts = np.cumsum(by_carrier) - by_carrier
    placed = np.flatnonzero(carrier >= 0)
    reps = by_carrier[carrier[placed]]
    step = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    unit = pairs["unit"][order][np.repeat(starts[carrier[placed]], reps) + step]
    rest = np.flatnonzero(carrier < 0)
    return (np.r_[np.repeat(placed, reps), rest],
            np.r_[unit, np.full(len(rest), pairs["units"].index(NOT_PLACED))].astype(np.int64))


def _industries(ent: dict, pos: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    """Per group, the sorted distinct industry codes joined by ``;`` (None when none)."""
    text = ent["industry_code"][pos]
    pairs = pd.DataFrame({"group": code[text >= 0], "text": text[text >= 0]}).drop_duplicates()
    codes = np.array([split_codes(t) for t in ent["industry_text"]] + [None], dtype=object)[:-1]
    long = pairs.assign(code=codes[pairs["text"].to_numpy()]).explode("code").dropna(subset=["code"])
    joined = long.drop_duplicates(["group", "code"]).sort_values(["group", "code"]).groupby("group")["code"].agg(
        ";".join)
    out = np.full(n, None, dtype=object)
    out[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
    return out


def _table(ent: dict, pos: np.ndarray, code: np.ndarray, n: int, *, on_floor: np.ndarray,
           floor_area: np.ndarray, prev: dict | None) -> dict[str, np.ndarray]:
    """The indicator columns of ``n`` groups (enterprise ``pos`` in group ``code``)."""
    cols = {"enterprises": np.bincount(code, minlength=n).astype(np.int64)}
    for name in FLAG_CODES:
        cols[name] = np.bincount(code, weights=ent[name][pos], minlength=n).astype(np.int64)
    for field in MAGNITUDES:
        cols[field] = _known_sum(ent[field][pos], code, n)
    cols["floor_area_m2"] = floor_area
    with_area = on_floor[pos]
    for derived, base in (("tax_per_m2", "tax_cny"), ("revenue_per_m2", "revenue_cny")):
        cols[derived] = ratio(_known_sum(ent[base][pos][with_area], code[with_area], n), floor_area)
        values = ent[base][pos]
        for side, part in (("on", with_area), ("off", ~with_area)):
            cols[f"part_{side}_{base}"] = _known_sum(values[part], code[part], n)
            cols[f"max_part_{side}_{base}"] = _known_max(values[part], code[part], n)
            cols[f"known_part_{side}_{base}"] = np.bincount(code[part][~np.isnan(values[part])],
                                                            minlength=n).astype(np.int64)
    for derived, base in (("tax_yoy", "tax_cny"), ("revenue_yoy", "revenue_cny")):
        cols[derived] = ratio(cols[base] - prev[base], prev[base]) if prev is not None else np.full(n, np.nan)
    cols["industries"] = _industries(ent, pos, code, n)
    for field in MAGNITUDES:
        cols[f"max_{field}"] = _known_max(ent[field][pos], code, n)
    for field in MAGNITUDES:
        cols[f"known_{field}"] = np.bincount(code[~np.isnan(ent[field][pos])], minlength=n).astype(np.int64)
    return cols


def _prev(prev_sums: pd.DataFrame | None, placements: pd.DataFrame, pairs: dict) -> tuple:
    """The earlier span's tax and revenue per unit and in total, placed as now."""
    if prev_sums is None:
        return None, None
    pos, code = _links(_carrier_of(as_ids(prev_sums["enterprise_id"]), placements, pairs["carriers"]), pairs)
    values = {base: numbers(prev_sums, base) for base in ("tax_cny", "revenue_cny")}
    rows = {base: _known_sum(v[pos], code, len(pairs["units"])) for base, v in values.items()}
    total = {base: _known_sum(v, np.zeros(len(v), dtype=np.int64), 1) for base, v in values.items()}
    return rows, total


def _python(value):
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return int(value) if isinstance(value, (np.integer, bool, np.bool_)) else value


def indicators(sums: pd.DataFrame, placements: pd.DataFrame, member: pd.DataFrame, *, flags: pd.DataFrame,
               floor: pd.DataFrame, prev_sums: pd.DataFrame | None = None,
               occupancy_rows: pd.DataFrame | None = None, order: Iterable = ()) -> dict:
    """Indicators per unit of ``member`` (see the module's rules for what each figure is).

    Parameters
    ----------
    sums, prev_sums : DataFrame
        :func:`enterprise_sums` of the span shown and of the span to compare with (``*_yoy``).
    placements : DataFrame
        ``enterprise_id``, ``carrier_id``, ``status``.
    member : DataFrame
        :func:`membership` of the level shown.
    flags : DataFrame
        :func:`qualification_flags`.
    floor : DataFrame
        ``carrier_id``, ``floor_area_m2`` after the double-count rule (NaN: unknown, or counted in a parent).
    occupancy_rows : DataFrame, optional
        :func:`occupancy` over the same ``member``.
    order : iterable
        Units to list first, each with a row even when it holds no carrier.

    Returns
    -------
    dict
        ``rows``: a DataFrame of :data:`ROW_COLUMNS`, one row per unit of ``member`` (OUTSIDE and
        UNLOCATED only when they hold enterprises) and :data:`NOT_PLACED` when an enterprise with
        figures is not placed, in that order (``order`` first); ``total``: the same fields over every
        enterprise once (``unit`` is :data:`TOTAL`; unknown is None). The ``max_*`` and ``known_*``
        columns and keys (:data:`HIDDEN`) are for :func:`spatial.disclosure.suppress` only.
    """
    order = list(order)
    pairs = _units_of(member, order)
    units, n = pairs["units"], len(pairs["units"])
    ent = _enterprise_arrays(sums, flags)
    carrier = _carrier_of(ent["enterprise_id"], placements, pairs["carriers"])
    pos, code = _links(carrier, pairs)
    at = positions(as_ids(floor["carrier_id"]), pairs["carriers"])
    floors = take(numbers(floor, "floor_area_m2"), at, np.nan)
    on_floor = (carrier >= 0) & ~np.isnan(take(floors, carrier, np.nan).astype(float))
    prev_rows, prev_total = _prev(prev_sums, placements, pairs)
    cols = _table(ent, pos, code, n, on_floor=on_floor, prev=prev_rows,
                  floor_area=_known_sum(floors[pairs["carrier"]], pairs["unit"], n))
    everyone = np.arange(len(ent["enterprise_id"]))
    total = _table(ent, everyone, np.zeros(len(everyone), dtype=np.int64), 1, on_floor=on_floor, prev=prev_total,
                   floor_area=_known_sum(floors, np.zeros(len(floors), dtype=np.int64), 1))
    occ = (occupancy_rows if occupancy_rows is not None else pd.DataFrame(columns=["unit"])).drop_duplicates("unit")
    occ = occ.set_index("unit").reindex([*units, TOTAL])
    for name in ("occupancy", "occupancy_basis"):
        values = occ[name].to_numpy() if name in occ.columns else np.full(n + 1, np.nan if name == "occupancy" else None)
        cols[name], total[name] = values[:n], values[n:]
    listed = set(order)
    keep = [k for k, u in enumerate(units) if u in listed or cols["enterprises"][k] > 0
            or u not in (OUTSIDE, UNLOCATED, NOT_PLACED)]
    rows = pd.DataFrame({"unit": np.asarray(units, dtype=object), **cols}).iloc[keep].reset_index(drop=True)
    rows["occupancy"] = pd.to_numeric(rows["occupancy"], errors="coerce")
    rows["occupancy_basis"] = rows["occupancy_basis"].astype(object).where(rows["occupancy_basis"].notna(), None)
    return {"rows": rows[list(ROW_COLUMNS)],
            "total": {"unit": TOTAL, **{c: _python(total[c][0]) for c in ROW_COLUMNS[1:]}}}


def _real(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.loc[~rows["unit"].isin(PSEUDO_UNITS)]


def building_ranking(rows: pd.DataFrame, *, by: str = "tax_per_m2", top: int = 20) -> pd.DataFrame:
    """The first ``top`` rows (pseudo-units left out) by ``by``, largest first, unknown (or suppressed)
    last; ``rank`` is 1 for the largest, shared on a tie, missing for unknown values."""
    real = _real(rows)
    value = pd.to_numeric(real[by], errors="coerce")
    ranked = real.assign(rank=value.rank(method="min", ascending=False).astype("Int64"), _value=value)
    ranked = ranked.sort_values("_value", ascending=False, na_position="last", kind="stable")
    return ranked.drop(columns="_value").head(top).reset_index(drop=True)


def yiyuan_buildings(rows: pd.DataFrame) -> pd.DataFrame:
    """The 亿元楼: carrier rows whose tax is at least :data:`YIYUAN_TAX_CNY` (1 亿元), largest tax first."""
    real = _real(rows)
    tax = pd.to_numeric(real["tax_cny"], errors="coerce")
    picked = real.loc[tax >= YIYUAN_TAX_CNY]
    order = np.argsort(-tax.loc[picked.index].to_numpy(dtype=float), kind="stable")
    return picked.iloc[order].reset_index(drop=True)
