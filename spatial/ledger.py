"""The incubation-space ledger: one row per carrier that counts toward 科技培育空间, the dates it
counts from / until, and its cumulative series. Pure functions on frames.

The ledger has one row per carrier of the types the plan counts as cultivation carriers —
众创空间、孵化器、科技园区、"硅楼" (001 二（三）1): incubators, science parks and tech buildings;
low-cost space, research platforms and other buildings are not on it. A curated entry gives a carrier's
counted area and the dates it counts from / until; a carrier without one counts with its
stated incubation area from its opening date. At any date, a carrier does not count while a
carrier it is part of (``parent_id``) counts: a makerspace inside a park is not counted twice.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from spatial.stated import covered_by_ancestor, parent_positions

NOT_OPEN = ("planned", "under_construction")
LEDGER_LAYERS = ("science_parks", "tech_buildings", "incubators")
"""The carrier types the plan counts as 科技培育空间: "众创空间、孵化器、科技园区、'硅楼'" (001 二（三）1).
Low-cost industrial space, research platforms and other buildings are not among them."""


def parse_day(value) -> pd.Timestamp | None:
    """A date from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (the first day of a month or year); None if blank."""
    if value is None or value != value or str(value).strip() == "":
        return None
    text = str(value).strip()
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    return pd.Timestamp(text)


def build_ledger(carriers: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """One ledger row per carrier of the plan's types (:data:`LEDGER_LAYERS`): the curated entry if
    there is one, else the carrier's own figures.

    Returns
    -------
    DataFrame
        ``carrier_id``, ``name_zh``, ``name_en``, ``layer``, ``parent_id``, ``status``,
        ``counted_area_m2`` (NaN = unknown), ``area_basis``, ``area_source``,
        ``counted_from`` / ``counted_until`` (Timestamps or None), ``from_basis``,
        ``from_source``, ``until_source``, ``entry_id`` (None when derived) and
        ``floor_area_m2`` (the stated gross floor area, context for unknown counted areas).
    """
    by_carrier = {str(c): row for c, row in zip(entries["carrier_id"], entries.to_dict("records"))} \
        if len(entries) else {}
    rows = []
    for c in carriers.loc[carriers["layer"].isin(LEDGER_LAYERS)].to_dict("records"):
        cid = str(c["id"])
        e = by_carrier.get(cid)
        incubation = c.get("incubation_area_m2")
        base = {"carrier_id": cid, "name_zh": c.get("name_zh"), "name_en": c.get("name_en"),
                "layer": c.get("layer"), "parent_id": c.get("parent_id"), "status": c.get("status"),
                "floor_area_m2": c.get("floor_area_m2")}
        if e is not None:
            base.update(counted_area_m2=e.get("counted_area_m2"), area_basis=e.get("area_basis"),
                        area_source=e.get("area_source"), counted_from=parse_day(e.get("counted_from")),
                        from_basis=e.get("from_basis"), from_source=e.get("from_source"),
                        counted_until=parse_day(e.get("counted_until")), until_source=e.get("until_source"),
                        entry_id=e.get("id"), notes=e.get("notes"))
        else:
            opened = parse_day(c.get("opened"))
            base.update(counted_area_m2=incubation, area_basis="incubation_area" if incubation == incubation and
                        incubation is not None else "unknown", area_source=c.get("incubation_area_source"),
                        counted_from=opened, from_basis="opened" if opened is not None else "unknown",
                        from_source=c.get("status_source") if opened is not None else None,
                        counted_until=None, until_source=None, entry_id=None, notes=None)
        rows.append(base)
    ledger = pd.DataFrame(rows)
    for col in ("counted_from", "counted_until"):
        if col in ledger.columns:
            ledger[col] = ledger[col].astype("object").where(ledger[col].notna(), None)
    if len(ledger):
        ledger["counted_area_m2"] = pd.to_numeric(ledger["counted_area_m2"], errors="coerce")
        ledger["floor_area_m2"] = pd.to_numeric(ledger["floor_area_m2"], errors="coerce")
    return ledger


def _active(ledger: pd.DataFrame, at: pd.Timestamp | None) -> np.ndarray:
    """Which entries count at ``at`` (None = now: undated operating carriers included). Vectorised."""
    has_start = ledger["counted_from"].notna().to_numpy()
    has_end = ledger["counted_until"].notna().to_numpy()
    status = ledger["status"].astype("object").to_numpy()
    if at is None:
        open_now = ~np.isin(status, list(NOT_OPEN)) & (status != "closed")
        return open_now & (has_start | (status == "operating")) & ~has_end
    starts = pd.to_datetime(ledger["counted_from"])
    ends = pd.to_datetime(ledger["counted_until"])
    return (has_start & (starts <= at).to_numpy()) & (~has_end | (ends > at).to_numpy())


def counted_at(ledger: pd.DataFrame, at: pd.Timestamp | None = None) -> pd.Series:
    """The area each entry adds at ``at`` (0 when not counting, unknown, or inside a counting parent).

    ``at=None`` means now, where carriers in operation whose start date is unknown count too.
    """
    if not len(ledger):
        return pd.Series([], dtype=float)
    area = ledger["counted_area_m2"].to_numpy(dtype=float)
    counting = _active(ledger, at) & ~np.isnan(area)
    frame = ledger.rename(columns={"carrier_id": "id"})
    covered = covered_by_ancestor(counting, parent_positions(frame))
    return pd.Series(np.where(counting & ~covered, area, 0.0), index=ledger.index)


NOT_COUNTING = ("closed", "not_open", "ended", "not_started", "unknown_area", "inside_parent")
"""Why an entry adds nothing now, in the order they are asked: :func:`not_counting_now`."""


def not_counting_now(ledger: pd.DataFrame) -> pd.Series:
    """Why each entry adds nothing to the ledger now (None where it counts), aligned to the ledger, the
    first that holds of: ``closed``, ``not_open`` (planned or being built), ``ended`` (its counting has an
    end date), ``not_started`` (neither a start date nor in operation), ``unknown_area`` (no counted area
    stated), ``inside_parent`` (a counting carrier it lies in holds it already). The rules of
    :func:`counted_at`."""
    if not len(ledger):
        return pd.Series([], dtype=object)
    counts = counted_at(ledger).to_numpy() > 0
    area = ledger["counted_area_m2"].to_numpy(dtype=float)
    active = _active(ledger, None)
    status = ledger["status"].astype("object").to_numpy()
    ended = ledger["counted_until"].notna().to_numpy()
    reason = np.select(  # what the carrier is first (closed, not open, ended, not started), then its figure
        [counts, status == "closed", np.isin(status, list(NOT_OPEN)), ended, ~active, np.isnan(area)],
        [None, "closed", "not_open", "ended", "not_started", "unknown_area"], default="inside_parent")
    return pd.Series(reason, index=ledger.index, dtype=object).where(~counts, None)


def ledger_total(ledger: pd.DataFrame, at: pd.Timestamp | None = None) -> float:
    """The ledger's counted area at ``at`` (None = now), without double counting."""
    return float(counted_at(ledger, at).sum())


def ledger_series(ledger: pd.DataFrame, *, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """The cumulative counted area at every date an entry starts or stops counting.

    Returns
    -------
    DataFrame
        ``date`` and ``area_m2``, one row per event date (ascending), plus a last row at
        ``until`` (today) that also holds undated entries; ``undated`` marks that row.
    """
    dates = sorted({d for d in [*ledger.get("counted_from", []), *ledger.get("counted_until", [])] if not pd.isna(d)})
    rows = [{"date": d, "area_m2": ledger_total(ledger, d), "undated": False} for d in dates]
    if until is not None:
        rows.append({"date": pd.Timestamp(until), "area_m2": ledger_total(ledger, None), "undated": True})
    return pd.DataFrame(rows, columns=["date", "area_m2", "undated"])
