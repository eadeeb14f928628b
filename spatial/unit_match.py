"""Unit-level matching: a need ranked against the carriers' available units and, in the same
list, the carriers that list no units, by their stated figures.

Rows (:func:`unit_candidate_arrays`): every **available** unit (reserved, let and withdrawn
units are never offered), carrying its carrier's arrays — layer, industries, facilities,
policies, Hong Kong link, operating status, location, zones (:func:`spatial.match.take_candidates`)
— with its own area as the available area and its own asking rent; then every carrier that
lists **no unit at all**, as in carrier matching. A carrier that lists units is offered only
through its available units (none available: it is not offered).

The constraints and scores are those of :mod:`spatial.match`, with two changes on unit rows:

* **Single units only.** A unit smaller than the need's minimum fails ``unit_area`` (its reason
  says units are not combined); several units of one carrier are never added up to reach the
  minimum — whether neighbouring units can be let together is for the operator to say.
* A unit larger than the need's maximum fails ``unit_area_max``. A carrier row keeps carrier
  matching's rule (a larger stated availability only scores a little lower).

An unknown asking rent is flagged and earns :data:`spatial.match.UNKNOWN_CREDIT`, never
excluded. Ties rank by id: a unit's id, or a carrier's id for a carrier row. Results
(:func:`unit_results_table`) carry the unit's label, area, rent, status, ``verified_on`` and
whether it is stale (verified more than :data:`layers.market_catalogue.UNIT_STALE_DAYS` days
before ``today``). Arrays are built from columns (no per-row Python) and do not depend on
``today``: a caller caches them per store revision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from spatial.match import (Candidates, Constraint, MatchResult, _distance_m, _rank, concat_candidates, constraints,
                           criterion_scores, near_misses, take_candidates, top3_stability, weighted_score)
from messages import both
from spatial.match_explain import results_table
from spatial.need import DEFAULT_WEIGHTS, Need, with_need
from spatial.supply import unit_is_stale

UNIT_KEYS = ("unit_area", "unit_area_max", "rent")
"""Constraints a unit row passes or fails by the unit's own figures (the rest follow its carrier)."""
UNIT_DETAILS = ("unit_label", "building", "floor", "area_m2", "area_basis", "use", "rent_asked_cny_m2_month",
                "status", "verified_on")
"""What a unit result shows of its unit."""


@dataclass
class UnitCandidates:
    """Candidate rows for unit-level matching: available units first, then carriers without units."""

    cands: Candidates  # the arrays :mod:`spatial.match` scores; ``cands.frame["id"]`` is the carrier id
    key: np.ndarray  # object: the tie-break id (unit id, or carrier id on a carrier row)
    unit_row: np.ndarray  # int: the row of ``units``, -1 on a carrier row
    units: pd.DataFrame  # the units the rows point at (their details for the results)

    def __len__(self) -> int:
        return len(self.unit_row)

    @property
    def is_unit(self) -> np.ndarray:
        return self.unit_row >= 0


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy("float64")


def unit_candidate_arrays(carriers: Candidates, units: pd.DataFrame, *, has_units: np.ndarray | None = None
                          ) -> UnitCandidates:
    """The rows of unit-level matching.

    Parameters
    ----------
    carriers : Candidates
        The carriers of the scope (:func:`spatial.match.candidate_arrays` of the zoned carriers).
    units : DataFrame
        Units (``id``, ``carrier_id``, ``status``, ``area_m2``, ``rent_asked_cny_m2_month`` and the
        :data:`UNIT_DETAILS`); only available units of ``carriers`` become rows.
    has_units : bool array, keyword-only
        Per carrier, whether it lists any unit (default: whether ``units`` holds one for it; give it
        when ``units`` is already filtered, as the database pre-filter does).
    """
    units = units.reset_index(drop=True)
    cid = carriers.frame["id"].astype(str).to_numpy(dtype=object)
    owner = (pd.Index(cid).get_indexer(units["carrier_id"].astype(str)) if len(units)
             else np.empty(0, dtype=np.int64))
    if has_units is None:
        has_units = np.zeros(len(cid), dtype=bool)
        has_units[owner[owner >= 0]] = True
    offered = np.flatnonzero((units["status"].to_numpy(dtype=object) == "available") & (owner >= 0))
    unit_rows = take_candidates(carriers, owner[offered])
    area = _column(units, "area_m2")[offered]
    unit_rows.available, unit_rows.total = area, area.copy()
    unit_rows.rent = _column(units, "rent_asked_cny_m2_month")[offered]
    bare = np.flatnonzero(~np.asarray(has_units, dtype=bool))
    cands = concat_candidates([unit_rows, take_candidates(carriers, bare)])
    key = np.concatenate([units["id"].astype(str).to_numpy(dtype=object)[offered], cid[bare]])
    unit_row = np.concatenate([offered, np.full(len(bare), -1, dtype=np.int64)])
    return UnitCandidates(cands=cands, key=key, unit_row=unit_row, units=units)


def carrier_need(need: Need) -> Need:
    """``need`` without what a unit answers for itself (area and rent): the constraints its carrier decides."""
    return with_need(need, area_min=None, area_max=None, max_rent=None)


def unit_constraints(uc: UnitCandidates, need: Need, distance_m: np.ndarray) -> list[Constraint]:
    """:func:`spatial.match.constraints` with the area minimum of unit rows as ``unit_area`` (single
    units) and the area maximum of unit rows as ``unit_area_max``."""
    is_unit = uc.is_unit
    out = []
    for c in constraints(uc.cands, need, distance_m):
        if c.key == "area":
            out.append(Constraint("area", c.texts, c.fails & ~is_unit))
            texts = both("ex_unit_area", need=f"{need.area_min:,.0f}")
            out.append(Constraint("unit_area", texts, c.fails & is_unit))
        else:
            out.append(c)
    if need.area_max is not None:
        texts = both("ex_unit_area_max", max=f"{need.area_max:,.0f}")
        out.append(Constraint("unit_area_max", texts, is_unit & (uc.cands.available > need.area_max)))
    return out


def match_units(uc: UnitCandidates, need: Need, *, weights: dict[str, float] | None = None, top: int = 10,
                explain: bool = True) -> MatchResult:
    """Rank units and unit-less carriers for ``need`` (valid): as :func:`spatial.match.match`, with
    :func:`unit_constraints`. Indices of the result point into ``uc``'s rows."""
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    cands = uc.cands
    distance_m = _distance_m(cands, need)
    cons = unit_constraints(uc, need, distance_m)
    failing = np.zeros(len(uc), dtype=bool)
    for c in cons:
        failing |= c.fails
    passing = ~failing
    scores = criterion_scores(cands, need, distance_m)
    score = weighted_score(scores, weights, len(uc))
    order = _rank(score, passing, top, uc.key)
    result = MatchResult(order, score, scores, passing, cons, distance_m, need, weights)
    if explain:
        if len(order) < top:
            result.near_misses = near_misses(cons, passing)
        rows = np.flatnonzero(passing)  # only passing rows can rank: the check needs no other
        result.stable_top3, result.unstable_under = top3_stability(
            {k: v[rows] for k, v in scores.items()}, weights, np.ones(len(rows), dtype=bool), uc.key[rows],
            np.searchsorted(rows, order[:3]))
    return result


def _plain(value):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def unit_results_table(uc: UnitCandidates, result: MatchResult, *, today: date, lang: str = "en") -> list[dict]:
    """The ranked rows of :func:`spatial.match_explain.results_table` (``id``: the carrier) plus
    ``level`` ("unit" / "carrier"), ``carrier_id``, ``unit_id`` and the unit's :data:`UNIT_DETAILS`
    and ``stale`` — all None on a carrier row."""
    rows = results_table(uc.cands, result, lang=lang)
    for row, i in zip(rows, result.order):
        k = int(uc.unit_row[int(i)])
        row.update({"level": "unit" if k >= 0 else "carrier", "carrier_id": row["id"],
                    "unit_id": str(uc.units["id"].iloc[k]) if k >= 0 else None})
        for name in UNIT_DETAILS:
            row[name] = _plain(uc.units[name].iloc[k]) if k >= 0 and name in uc.units.columns else None
        row["stale"] = bool(unit_is_stale(row["verified_on"], today)) if k >= 0 else None
    return rows
