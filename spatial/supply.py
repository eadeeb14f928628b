"""Supply from the units: per carrier, its units, what is available, let and stale, and the
available area it offers now — from its units where it lists any, else its stated figure.

Pure and vectorised (no per-row Python): a million units are summed with ``np.bincount``.

Rules
-----
* **One measure per figure.** A unit's area is gross floor area or usable area
  (``area_basis``). A sum or ratio is given only when every unit in it is on one basis; where
  they mix (or a unit's basis is missing) the figure is unknown (NaN) and the ``…_basis``
  column says ``"mixed"``. ``available_gross_m2`` and ``available_usable_m2`` always give the
  available area per basis, so nothing is lost.
* **Unknown is never 0.** A carrier without units has NaN (not 0) for every unit figure; a sum
  with a unit of unknown area is NaN. A carrier with units none of which is available has
  ``available_units_m2`` 0.0 — a known zero.
* **Which units count.** ``units`` counts every unit row of the carrier; withdrawn units are off
  the market: they count in neither the occupancy (let area / area of the units not withdrawn)
  nor ``stale_units`` (units not withdrawn verified more than :data:`UNIT_STALE_DAYS` days
  before ``today``; a missing or unreadable date counts as stale: never assumed recent).
* **Units or stated.** ``available_now_m2`` is the units' available sum where the carrier lists
  any unit (whatever their status: its units are then the record of what it offers), else its
  stated ``available_area_m2``; ``available_basis`` says which (``"units"`` / ``"stated"``),
  None when neither is known.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from layers.market_catalogue import UNIT_STALE_DAYS

BASES = ("gross", "usable")
SUPPLY_COLUMNS = ("id", "units", "units_available", "available_units_m2", "available_units_basis",
                  "available_gross_m2", "available_usable_m2", "let_m2", "occupancy", "stale_units",
                  "available_now_m2", "available_basis")
"""The columns of :func:`unit_supply`, in order."""


def _days(values) -> np.ndarray:
    """``datetime64[D]`` of dates given as ISO text, dates or timestamps (NaT when missing or unreadable)."""
    parsed = pd.to_datetime(pd.Series(np.asarray(values, dtype=object).ravel(), dtype=object), errors="coerce",
                            format="ISO8601")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.to_numpy(dtype="datetime64[D]")


def unit_is_stale(verified_on, today: date):
    """True where ``verified_on`` is more than :data:`UNIT_STALE_DAYS` days before ``today``, or is
    missing or unreadable (never assumed recent). A scalar gives a bool, anything else a bool array."""
    scalar = np.ndim(verified_on) == 0
    days = _days([verified_on] if scalar else verified_on)
    age = (np.datetime64(today, "D") - days).astype("int64")
    stale = np.isnat(days) | (age > UNIT_STALE_DAYS)
    return bool(stale[0]) if scalar else stale


class _Groups:
    """Units grouped by their carrier's position (``owner``): counts and sums per carrier."""

    def __init__(self, owner: np.ndarray, area: np.ndarray, n: int):
        self.owner, self.area, self.n = owner, area, n
        self.unknown = np.isnan(area)

    def count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.owner[mask], minlength=self.n).astype("int64")

    def total(self, mask: np.ndarray) -> np.ndarray:
        """Area of the units in ``mask`` per carrier; NaN where one of them has no known area."""
        summed = np.bincount(self.owner[mask], weights=np.where(self.unknown, 0.0, self.area)[mask], minlength=self.n)
        return np.where(self.count(mask & self.unknown) > 0, np.nan, summed)

    def basis(self, mask: np.ndarray, basis: np.ndarray) -> np.ndarray:
        """The one basis of the units in ``mask`` per carrier: "gross", "usable", "mixed" (several, or
        one missing), None (no unit)."""
        kinds = [self.count(mask & (basis == b)) > 0 for b in BASES]
        other = self.count(mask & ~np.isin(basis, BASES)) > 0
        out = np.full(self.n, None, dtype=object)
        for b, present in zip(BASES, kinds):
            out[present] = b
        out[(np.sum(kinds, axis=0) + other > 1) | other] = "mixed"
        return out


def unit_supply(carriers: pd.DataFrame, units: pd.DataFrame, *, today: date) -> pd.DataFrame:
    """Per carrier (one row per row of ``carriers``, in its order): the columns of :data:`SUPPLY_COLUMNS`.

    Parameters
    ----------
    carriers : DataFrame
        ``id`` (unique) and, for the fallback, ``available_area_m2``.
    units : DataFrame
        The ``units`` table (``carrier_id``, ``area_m2``, ``area_basis``, ``status``, ``verified_on``);
        units of carriers not in ``carriers`` are ignored.
    today : date, keyword-only
        What "now" is for staleness.

    Returns
    -------
    DataFrame
        Counts as int64 (``units``, ``units_available``, ``stale_units``); areas and ``occupancy``
        (0–1) as float64 with NaN for unknown; ``available_units_basis`` and ``available_basis`` as text or None.
    """
    ids = carriers["id"].astype(str).to_numpy(dtype=object)
    index = pd.Index(ids)
    if not index.is_unique:
        raise ValueError("carrier ids must be unique")
    n = len(ids)
    owner = index.get_indexer(units["carrier_id"].astype(str)) if len(units) else np.empty(0, dtype=np.int64)
    mine = owner >= 0
    g = _Groups(owner[mine], pd.to_numeric(units["area_m2"], errors="coerce").to_numpy("float64")[mine], n)
    status = units["status"].to_numpy(dtype=object)[mine]
    basis = units["area_basis"].to_numpy(dtype=object)[mine]
    available, let, live = status == "available", status == "let", status != "withdrawn"
    has = g.count(np.ones(len(g.owner), dtype=bool)) > 0
    available_basis_units = g.basis(available, basis)
    one_basis = np.isin(available_basis_units, BASES) | (has & (g.count(available) == 0))
    available_units = np.where(one_basis, g.total(available), np.nan)
    live_basis = g.basis(live, basis)
    let_m2 = np.where(np.isin(g.basis(let, basis), BASES) | (has & (g.count(let) == 0)), g.total(let), np.nan)
    live_m2 = g.total(live)
    with np.errstate(invalid="ignore", divide="ignore"):
        occupancy = np.where(np.isin(live_basis, BASES) & (live_m2 > 0), g.total(let & live) / live_m2, np.nan)
    stated = pd.to_numeric(carriers.get("available_area_m2", pd.Series(np.nan, index=carriers.index)),
                           errors="coerce").to_numpy("float64")
    stale = unit_is_stale(units["verified_on"].to_numpy(dtype=object)[mine], today) if len(g.owner) else \
        np.zeros(0, dtype=bool)
    now_basis = np.where(has, "units", np.where(np.isnan(stated), None, "stated")).astype(object)
    frame = pd.DataFrame({
        "id": ids, "units": g.count(np.ones(len(g.owner), dtype=bool)), "units_available": g.count(available),
        "available_units_m2": np.where(has, available_units, np.nan), "available_units_basis": available_basis_units,
        "available_gross_m2": np.where(has, g.total(available & (basis == "gross")), np.nan),
        "available_usable_m2": np.where(has, g.total(available & (basis == "usable")), np.nan),
        "let_m2": np.where(has, let_m2, np.nan), "occupancy": occupancy, "stale_units": g.count(live & stale),
        "available_now_m2": np.where(has, available_units, stated), "available_basis": now_basis,
    }, columns=list(SUPPLY_COLUMNS))
    for col in ("available_units_basis", "available_basis"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame
