"""Enterprise-to-space matching: hard constraints, a weighted 0–100 score, explanations.

Vectorised over candidates (no per-row Python loop in scoring): a candidate inventory is
turned once into arrays (:func:`candidate_arrays`, built column by column in
:mod:`spatial.match_arrays` and re-exported here), a need is scored against all of them at once
(:func:`match`). Unknown availability, rent, facilities or location never count as
a fit: the candidate stays, is flagged, and earns only :data:`UNKNOWN_CREDIT` for that
criterion (unknown availability :data:`UNKNOWN_AVAILABLE_CREDIT`); a known total area (gross
floor, usable or space provided) smaller than the need excludes it. Distances in EPSG:4547.

A need (:class:`spatial.need.Need`) and its text forms live in :mod:`spatial.need`; the
explanations of a result in :mod:`spatial.match_explain`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from layers.vocab import FACILITIES, INDUSTRIES
from messages import Pair, both
from spatial.crs import METRIC_CRS, WGS84, get_transformer
from spatial.match_arrays import (FACILITY_CODES, INDUSTRY_CODES, TOTAL_MEASURES, Candidates, candidate_arrays,
                                  concat_candidates, take_candidates)
from spatial.need import CRITERIA, DEFAULT_WEIGHTS, STAGES, Need, need_from_dict, need_to_dict, with_need

UNKNOWN_CREDIT = 0.25  # share of a criterion's weight earned when the candidate's value is unknown
UNKNOWN_AVAILABLE_CREDIT = 0.1  # area score when no source states availability: never reads as a good fit
RELATED_INDUSTRY_CREDIT = 0.5


def unknown_credit(criterion: str) -> float:
    """What an unknown value earns (the area less than the others)."""
    return UNKNOWN_AVAILABLE_CREDIT if criterion == "area" else UNKNOWN_CREDIT

# Fit of each carrier layer (columns: CARRIER_LAYERS) for each enterprise stage (rows: STAGES).
STAGE_FIT = np.array([
    [0.6, 0.3, 0.9, 1.0, 0.5, 0.2],  # startup: incubators and low-cost space first
    [0.9, 0.8, 0.8, 0.5, 0.5, 0.6],  # growth
    [0.8, 1.0, 0.3, 0.1, 0.2, 0.8],  # headquarters: tech buildings first
    [1.0, 0.5, 0.3, 0.4, 1.0, 0.2],  # research institute: science parks and research platforms first
])
_FACILITY_CODES = FACILITY_CODES
RELATED = np.array([[a == b or b in INDUSTRIES[a].related for b in INDUSTRY_CODES] for a in INDUSTRY_CODES])


# ---- hard constraints ------------------------------------------------------------------

@dataclass(frozen=True)
class Constraint:
    """One hard constraint: key (for relaxation), a summary reason ({"zh", "en"}), and the failing mask."""

    key: str
    texts: dict
    fails: np.ndarray

    @property
    def reason(self) -> str:
        """The summary reason in English (the CLI's words)."""
        return self.texts["en"]

    def text(self, lang: str) -> str:
        """The summary reason in ``lang``."""
        return self.texts.get(lang, self.texts["en"])


def distance_message(key: str, need) -> tuple[str, dict]:
    """The message ``key`` about the distance limit and its place: the ``_any`` variant when the
    need's point has no name."""
    if need.near_label:
        return key, {"place": need.near_label}
    return f"{key}_any", {}


def industry_name(code: str) -> Pair:
    """An industry's name for running text, in both languages."""
    return Pair(INDUSTRIES[code].zh, INDUSTRIES[code].en.lower())


def facility_name(code: str) -> Pair:
    """A facility's name for running text, in both languages."""
    return Pair(FACILITIES[code].zh, FACILITIES[code].en.lower())


def _distance_m(cands: Candidates, need: Need) -> np.ndarray:
    if need.near is None:
        return np.full(len(cands), np.nan)
    tr = get_transformer(WGS84, METRIC_CRS)
    px, py = tr.transform(*need.near)
    return np.hypot(cands.x - px, cands.y - py)


MAYBE_FACILITY_CREDIT = 0.5
"""A facility that may be the one needed (a 'laboratory' for a wet lab) counts half and is flagged."""


def facility_present(cands: Candidates, code: str) -> np.ndarray:
    """1 where the facility is recorded, MAYBE_FACILITY_CREDIT where a facility that may
    be it is recorded (e.g. a laboratory for a wet lab), else 0."""
    present = cands.facilities[:, _FACILITY_CODES.index(code)].astype(float)
    for other in FACILITIES[code].extra.get("maybe", ()):
        maybe = cands.facilities[:, _FACILITY_CODES.index(other)]
        present = np.where((present == 0) & maybe, MAYBE_FACILITY_CREDIT, present)
    return present


def constraints(cands: Candidates, need: Need, distance_m: np.ndarray) -> list[Constraint]:
    """The hard constraints of ``need`` with the candidates each one rules out.

    Unknown values never fail a constraint (the candidate is flagged instead).
    """
    out = [Constraint("closed", both("ex_closed"), cands.closed)]
    if need.industry is not None:
        i = INDUSTRY_CODES.index(need.industry)
        unrelated = cands.has_industry & ~(cands.industries & RELATED[i]).any(axis=1)
        out.append(Constraint("industry", both("ex_industry", industry=industry_name(need.industry)), unrelated))
    if need.area_min is not None:
        out.append(Constraint("area", both("ex_area", need=f"{need.area_min:,.0f}"), cands.available < need.area_min))
        out.append(Constraint("capacity", both("ex_capacity", need=f"{need.area_min:,.0f}"),
                              np.isnan(cands.available) & (cands.total < need.area_min)))
    if need.max_rent is not None:
        out.append(Constraint("rent", both("ex_rent", max=f"{need.max_rent:,.0f}"), cands.rent > need.max_rent))
    if need.within_km is not None and need.near is not None:
        key, place = distance_message("ex_distance", need)
        out.append(Constraint("distance", both(key, km=f"{need.within_km:g}", **place),
                              distance_m > need.within_km * 1000.0))
    for code in need.facilities:
        has = facility_present(cands, code) > 0
        out.append(Constraint(f"facility:{code}", both("ex_facility", facility=facility_name(code)),
                              cands.has_facilities & ~has))
    if need.within_km is not None and need.near is not None:
        out.append(Constraint("location", both("ex_location"), np.isnan(distance_m)))
    if need.zones:
        wanted = set(need.zones)
        out.append(Constraint("zones", both("ex_zones"),
                              np.fromiter((not (z & wanted) for z in cands.zones), bool, len(cands))))
    return out


# ---- scoring ---------------------------------------------------------------------------

def criterion_scores(cands: Candidates, need: Need, distance_m: np.ndarray) -> dict[str, np.ndarray]:
    """Per-criterion scores in [0, 1] (NaN = unknown) for every applicable criterion."""
    n = len(cands)
    out: dict[str, np.ndarray] = {}
    if need.industry is not None:
        i = INDUSTRY_CODES.index(need.industry)
        exact = cands.industries[:, i]
        related = (cands.industries & RELATED[i]).any(axis=1)
        score = np.where(exact, 1.0, np.where(related, RELATED_INDUSTRY_CREDIT, 0.0))
        out["industry"] = np.where(cands.has_industry, score, np.nan)
    if need.area_min is not None or need.area_max is not None:
        lo = need.area_min or 0.0
        hi = need.area_max if need.area_max is not None else np.inf
        a = cands.available
        out["area"] = np.where(np.isnan(a), np.nan, np.where(a >= lo, 1.0, np.clip(a / max(lo, 1e-9), 0, 1)))
        if np.isfinite(hi):  # a much larger space is slightly less fitting for a small need
            out["area"] = np.where(a > hi * 3, out["area"] * 0.8, out["area"])
    if need.max_rent is not None:
        r = cands.rent
        m = max(need.max_rent, 1e-9)
        out["cost"] = np.where(np.isnan(r), np.nan, np.clip(1.0 - 0.6 * (r - 0.6 * m) / (0.4 * m), 0.4, 1.0))
        out["cost"] = np.where(r > m, 0.0, out["cost"])
    if need.near is not None:
        scale = (need.within_km * 1000.0 / 2.0) if need.within_km else 2000.0
        out["distance"] = np.exp(-distance_m / scale)  # NaN where the location is unknown
    if need.stage is not None:
        out["stage"] = STAGE_FIT[STAGES.index(need.stage)][cands.layer]
    if need.facilities:
        share = np.mean([facility_present(cands, c) for c in need.facilities], axis=0)
        out["facilities"] = np.where(cands.has_facilities, share, np.nan)
    if need.policy_support:
        out["policy"] = cands.policies.astype(float)
    if need.hk_link:
        out["hk_link"] = cands.hk.astype(float)
    for key in out:
        out[key] = np.broadcast_to(out[key], (n,)).astype("float64")
    return out


def weighted_score(scores: dict[str, np.ndarray], weights: dict[str, float], n: int) -> np.ndarray:
    """0–100: weighted mean over the applicable criteria; unknown earns UNKNOWN_CREDIT."""
    total = sum(weights.get(k, 0.0) for k in scores)
    if total <= 0:
        return np.full(n, 100.0)
    acc = np.zeros(n)
    for key, values in scores.items():
        acc += weights.get(key, 0.0) * np.where(np.isnan(values), unknown_credit(key), values)
    return np.clip(100.0 * acc / total, 0.0, 100.0)


@dataclass
class MatchResult:
    """Everything a match produced (indices point into the candidate arrays)."""

    order: np.ndarray  # indices of the ranked results, best first (length ≤ top)
    score: np.ndarray  # all candidates' scores
    scores: dict[str, np.ndarray]
    passing: np.ndarray  # bool: passes every hard constraint
    constraints: list[Constraint]
    distance_m: np.ndarray
    need: Need
    weights: dict[str, float]
    near_misses: list[dict] = field(default_factory=list)
    stable_top3: bool = True
    unstable_under: list[str] = field(default_factory=list)


def _rank(score: np.ndarray, passing: np.ndarray, top: int, ids: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(passing)
    if idx.size == 0 or top <= 0:
        return np.empty(0, dtype=int)
    if idx.size > top * 4:
        part = np.argpartition(-score[idx], top - 1)[:top]
        threshold = score[idx][part].min()
        idx = idx[score[idx] >= threshold]  # keep ties so the order below is deterministic
    keys = np.lexsort((ids[idx], -score[idx]))  # score desc, then id asc
    return idx[keys][:top]


def match(cands: Candidates, need: Need, *, weights: dict[str, float] | None = None, top: int = 10,
          explain: bool = True) -> MatchResult:
    """Rank the candidates for ``need``.

    Parameters
    ----------
    cands : Candidates
        From :func:`candidate_arrays`.
    need : Need
        Must be valid (:meth:`Need.validate` returns nothing).
    weights : dict, keyword-only
        Criterion weights (default :data:`DEFAULT_WEIGHTS`); only their ratios matter.
    top : int, keyword-only
        How many results to return.
    explain : bool, keyword-only
        Also compute near misses and the ±20 % weight stability of the top three.
    """
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    distance_m = _distance_m(cands, need)
    cons = constraints(cands, need, distance_m)
    failing = np.zeros(len(cands), dtype=bool)
    for c in cons:
        failing |= c.fails
    passing = ~failing
    scores = criterion_scores(cands, need, distance_m)
    score = weighted_score(scores, weights, len(cands))
    ids = cands.frame["id"].astype(str).to_numpy()
    order = _rank(score, passing, top, ids)
    result = MatchResult(order, score, scores, passing, cons, distance_m, need, weights)
    if explain:
        if len(order) < top:
            result.near_misses = near_misses(cons, passing)
        result.stable_top3, result.unstable_under = top3_stability(scores, weights, passing, ids, order[:3])
    return result


def near_misses(cons: list[Constraint], passing: np.ndarray) -> list[dict]:
    """For each relaxable constraint, how many more candidates pass without it (best first)."""
    out = []
    for c in cons:
        if c.key == "closed":
            continue
        others = np.zeros_like(passing)
        for d in cons:
            if d is not c:
                others |= d.fails
        gained = int((~others).sum() - passing.sum())
        if gained > 0:
            out.append({"relax": c.key, "reason": c.reason, "reason_zh": c.text("zh"), "adds": gained})
    return sorted(out, key=lambda d: (-d["adds"], d["relax"]))


def top3_stability(scores, weights, passing, ids, top3) -> tuple[bool, list[str]]:
    """Whether the top three stay the same when any one weight moves by ±20 %."""
    changed = []
    n = len(passing)
    for key in scores:
        for factor in (0.8, 1.2):
            w = {**weights, key: weights.get(key, 0.0) * factor}
            order = _rank(weighted_score(scores, w, n), passing, len(top3), ids)
            if not np.array_equal(order, top3):
                changed.append(f"{key} ×{factor:g}")
    return not changed, changed


__all__ = ["CRITERIA", "DEFAULT_WEIGHTS", "STAGES", "Need", "need_from_dict", "need_to_dict", "with_need",
           "INDUSTRY_CODES", "TOTAL_MEASURES", "Candidates", "candidate_arrays", "Constraint", "constraints", "criterion_scores", "weighted_score",
           "MatchResult", "match", "near_misses", "top3_stability", "take_candidates", "concat_candidates"]
