"""Enterprise-to-space matching: hard constraints, a weighted 0–100 score, explanations.

Vectorised over candidates (no per-row Python loop in scoring): a candidate inventory is
turned once into arrays (:func:`candidate_arrays`), a need is scored against all of them
at once (:func:`match`). Unknown availability, rent, facilities or location never count as
a fit: the candidate stays, is flagged, and earns only :data:`UNKNOWN_CREDIT` for that
criterion. Distances are computed in EPSG:4547.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from layers.catalogue import CARRIER_LAYERS
from layers.vocab import FACILITIES, INDUSTRIES, split_codes
from spatial.crs import METRIC_CRS, WGS84, get_transformer
from spatial.match_text import both, say

STAGES = ("startup", "growth", "headquarters", "research_institute")
CRITERIA = ("industry", "area", "cost", "distance", "stage", "facilities", "policy", "hk_link")
DEFAULT_WEIGHTS = {"industry": 25.0, "area": 15.0, "cost": 15.0, "distance": 15.0, "stage": 10.0,
                   "facilities": 10.0, "policy": 5.0, "hk_link": 5.0}
UNKNOWN_CREDIT = 0.25
"""Share of a criterion's weight earned when the candidate's value is unknown."""
RELATED_INDUSTRY_CREDIT = 0.5

# Fit of each carrier layer for each enterprise stage (rows: STAGES, columns: CARRIER_LAYERS
# = science_parks, tech_buildings, lowcost_spaces, incubators).
STAGE_FIT = np.array([
    [0.6, 0.3, 0.9, 1.0],  # startup: incubators and low-cost space first
    [0.9, 0.8, 0.8, 0.5],  # growth
    [0.8, 1.0, 0.3, 0.1],  # headquarters: tech buildings first
    [1.0, 0.5, 0.3, 0.4],  # research institute: science parks first
])
_INDUSTRY_CODES = tuple(INDUSTRIES)
_FACILITY_CODES = tuple(FACILITIES)
_RELATED = np.array([[a == b or b in INDUSTRIES[a].related for b in _INDUSTRY_CODES] for a in _INDUSTRY_CODES])


@dataclass(frozen=True)
class Need:
    """What an enterprise needs. Every field is optional except the ones it sets."""

    industry: str | None = None  # industry code (resolve names with layers.vocab.resolve_industry)
    area_min: float | None = None  # m²
    area_max: float | None = None
    max_rent: float | None = None  # CNY per m² per month
    zones: tuple[str, ...] = ()  # preferred subdistrict or cluster ids (hard: inside one of them)
    near: tuple[float, float] | None = None  # WGS-84 (lon, lat)
    near_label: str = ""
    within_km: float | None = None
    stage: str | None = None
    facilities: tuple[str, ...] = ()  # required facility codes
    hk_link: bool = False
    policy_support: bool = False

    def validate(self) -> list[str]:
        """Problems with the need itself, as one-line messages (empty when valid)."""
        out = []
        if self.industry is not None and self.industry not in INDUSTRIES:
            out.append(f"unknown industry {self.industry!r}; valid: {', '.join(INDUSTRIES)}")
        for name in ("area_min", "area_max", "max_rent", "within_km"):
            value = getattr(self, name)
            if value is not None and (not np.isfinite(value) or value < 0):
                out.append(f"{name.replace('_', ' ')} must be a non-negative number, got {value}")
        if self.area_min is not None and self.area_max is not None and self.area_min > self.area_max:
            out.append(f"area minimum {self.area_min:g} m² is larger than the maximum {self.area_max:g} m²")
        if self.stage is not None and self.stage not in STAGES:
            out.append(f"unknown stage {self.stage!r}; valid: {', '.join(STAGES)}")
        for code in self.facilities:
            if code not in FACILITIES:
                out.append(f"unknown facility {code!r}; valid: {', '.join(FACILITIES)}")
        if self.within_km is not None and self.near is None:
            out.append("a distance limit needs a place to measure from (near)")
        return out


@dataclass
class Candidates:
    """A candidate inventory as arrays (built once, scored many times)."""

    frame: pd.DataFrame  # id, name_zh, name_en, layer (+ anything else), aligned with the arrays
    layer: np.ndarray  # int index into CARRIER_LAYERS
    industries: np.ndarray  # bool (n, len(_INDUSTRY_CODES))
    has_industry: np.ndarray  # bool
    facilities: np.ndarray  # bool (n, len(_FACILITY_CODES))
    has_facilities: np.ndarray  # bool: any facility recorded
    available: np.ndarray  # float, NaN unknown
    floor: np.ndarray
    rent: np.ndarray
    x: np.ndarray  # EPSG:4547, NaN when unlocated
    y: np.ndarray
    policies: np.ndarray  # bool: any applicable policy recorded
    hk: np.ndarray  # bool: Hong Kong link or inside Hetao
    operating: np.ndarray  # bool
    closed: np.ndarray  # bool
    zones: np.ndarray  # object: frozenset of zone ids per candidate (shared between equal sets)

    def __len__(self) -> int:
        return len(self.layer)


def _multi_hot(values: pd.Series, codes: tuple[str, ...]) -> np.ndarray:
    index = {c: i for i, c in enumerate(codes)}
    out = np.zeros((len(values), len(codes)), dtype=bool)
    for row, value in enumerate(values.tolist()):
        for code in split_codes(value):
            if code in index:
                out[row, index[code]] = True
    return out


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


def candidate_arrays(frame: pd.DataFrame) -> Candidates:
    """Build :class:`Candidates` from a carrier frame (GeoDataFrame in any CRS or lon/lat).

    Expected columns: ``id``, ``name_zh``, ``name_en``, ``layer``, the stated areas, ``rent_cny_m2_month``,
    ``industries``, ``facilities``, ``policies``, ``hk_link``, ``status``; optional ``in_hetao``,
    ``subdistrict``, ``clusters`` (zone ids for the preferred-zone constraint).
    """
    n = len(frame)
    layer = frame["layer"].map({k: i for i, k in enumerate(CARRIER_LAYERS)}).fillna(0).astype(int).to_numpy()
    industries = _multi_hot(frame.get("industries", pd.Series([None] * n)), _INDUSTRY_CODES)
    facilities = _multi_hot(frame.get("facilities", pd.Series([None] * n)), _FACILITY_CODES)
    if "parent_id" in frame.columns and frame["parent_id"].notna().any():
        # A carrier inside another shares its parent's facilities (one level).
        row_of = {str(i): k for k, i in enumerate(frame["id"])}
        for k, parent in enumerate(frame["parent_id"].tolist()):
            if isinstance(parent, str) and parent in row_of:
                facilities[k] |= facilities[row_of[parent]]
    if hasattr(frame, "geometry") and getattr(frame, "crs", None) is not None:
        geom = frame.geometry
        located = geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        if located.any():
            pts = geom[located].to_crs(METRIC_CRS)
            x[located], y[located] = pts.x.to_numpy(), pts.y.to_numpy()
    else:
        tr = get_transformer(WGS84, METRIC_CRS)
        x, y = tr.transform(_numbers(frame, "lon"), _numbers(frame, "lat"))
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    hk = frame.get("hk_link", pd.Series([False] * n)).fillna(False).astype(bool).to_numpy()
    if "in_hetao" in frame.columns:
        hk = hk | frame["in_hetao"].fillna(False).astype(bool).to_numpy()
    status = frame.get("status", pd.Series(["unknown"] * n)).fillna("unknown").to_numpy()
    zones = np.empty(n, dtype=object)
    subs = frame["subdistrict"].tolist() if "subdistrict" in frame.columns else [None] * n
    clus = frame["clusters"].tolist() if "clusters" in frame.columns else [[]] * n
    shared: dict[frozenset, frozenset] = {}  # one object per distinct zone set (memory at 1M rows)
    for i, (s, c) in enumerate(zip(subs, clus)):
        key = frozenset(([s] if isinstance(s, str) else []) + (list(c) if isinstance(c, (list, tuple)) else []))
        zones[i] = shared.setdefault(key, key)
    return Candidates(
        frame=frame[[c for c in ("id", "name_zh", "name_en", "layer") if c in frame.columns]].reset_index(drop=True),
        layer=layer, industries=industries, has_industry=industries.any(axis=1), facilities=facilities,
        has_facilities=facilities.any(axis=1), available=_numbers(frame, "available_area_m2"),
        floor=_numbers(frame, "floor_area_m2"), rent=_numbers(frame, "rent_cny_m2_month"), x=x, y=y,
        policies=frame.get("policies", pd.Series([None] * n)).map(lambda v: bool(split_codes(v))).to_numpy(),
        hk=hk, operating=status == "operating", closed=status == "closed", zones=zones,
    )


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


def _where(need) -> dict:
    return {"where_zh": need.near_label or "指定地点", "where_en": f" from {need.near_label}" if need.near_label else ""}


def _industry_words(code: str) -> dict:
    return {"ind_zh": INDUSTRIES[code].zh, "ind_en": INDUSTRIES[code].en.lower(), "ind_code": code}


def _facility_words(code: str) -> dict:
    return {"fac_zh": FACILITIES[code].zh, "fac_en": FACILITIES[code].en.lower(), "fac_code": code}


def _distance_m(cands: Candidates, need: Need) -> np.ndarray:
    if need.near is None:
        return np.full(len(cands), np.nan)
    tr = get_transformer(WGS84, METRIC_CRS)
    px, py = tr.transform(*need.near)
    return np.hypot(cands.x - px, cands.y - py)


MAYBE_FACILITY_CREDIT = 0.5
"""A facility that may be the one needed (a 'laboratory' for a wet lab) counts half and is flagged."""


def _facility_present(cands: Candidates, code: str) -> np.ndarray:
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
    out = [Constraint("closed", both("closed"), cands.closed)]
    if need.industry is not None:
        i = _INDUSTRY_CODES.index(need.industry)
        unrelated = cands.has_industry & ~(cands.industries & _RELATED[i]).any(axis=1)
        out.append(Constraint("industry", both("industry", **_industry_words(need.industry)), unrelated))
    if need.area_min is not None:
        out.append(Constraint("area", both("area", need=f"{need.area_min:,.0f}"), cands.available < need.area_min))
    if need.max_rent is not None:
        out.append(Constraint("rent", both("rent", max=f"{need.max_rent:,.0f}"), cands.rent > need.max_rent))
    if need.within_km is not None and need.near is not None:
        out.append(Constraint("distance", both("distance", km=f"{need.within_km:g}", **_where(need)),
                              distance_m > need.within_km * 1000.0))
    for code in need.facilities:
        has = _facility_present(cands, code) > 0
        out.append(Constraint(f"facility:{code}", both("facility", **_facility_words(code)),
                              cands.has_facilities & ~has))
    if need.within_km is not None and need.near is not None:
        out.append(Constraint("location", both("location"), np.isnan(distance_m)))
    if need.zones:
        wanted = set(need.zones)
        out.append(Constraint("zones", both("zones"),
                              np.fromiter((not (z & wanted) for z in cands.zones), bool, len(cands))))
    return out


# ---- scoring ---------------------------------------------------------------------------

def criterion_scores(cands: Candidates, need: Need, distance_m: np.ndarray) -> dict[str, np.ndarray]:
    """Per-criterion scores in [0, 1] (NaN = unknown) for every applicable criterion."""
    n = len(cands)
    out: dict[str, np.ndarray] = {}
    if need.industry is not None:
        i = _INDUSTRY_CODES.index(need.industry)
        exact = cands.industries[:, i]
        related = (cands.industries & _RELATED[i]).any(axis=1)
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
        share = np.mean([_facility_present(cands, c) for c in need.facilities], axis=0)
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
        acc += weights.get(key, 0.0) * np.where(np.isnan(values), UNKNOWN_CREDIT, values)
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


# ---- explanations ----------------------------------------------------------------------

def take_candidates(cands: Candidates, idx) -> Candidates:
    """The candidate arrays restricted to rows ``idx`` (positions, in that order)."""
    idx = np.asarray(idx, dtype=np.int64)
    fields = {f: getattr(cands, f)[idx] for f in cands.__dataclass_fields__ if f != "frame"}
    return Candidates(frame=cands.frame.iloc[idx].reset_index(drop=True), **fields)


def _one(cands: Candidates, i: int) -> Candidates:
    """The candidate arrays restricted to row ``i``."""
    return take_candidates(cands, [i])


def flags_for(cands: Candidates, i: int, need: Need, distance_m: np.ndarray, *, lang: str = "en") -> list[str]:
    """Warnings about one candidate: what is unknown and must be confirmed (in ``lang``)."""
    flags = []
    if need.area_min is not None or need.area_max is not None:
        if np.isnan(cands.available[i]):
            flags.append(say("f_available", lang))
    if need.max_rent is not None and np.isnan(cands.rent[i]):
        flags.append(say("f_rent", lang))
    if need.facilities and not cands.has_facilities[i]:
        flags.append(say("f_facilities", lang, fac_code=", ".join(need.facilities),
                         fac_zh="、".join(FACILITIES[c].zh for c in need.facilities)))
    for code in need.facilities:
        if cands.has_facilities[i] and _facility_present(_one(cands, i), code)[0] == MAYBE_FACILITY_CREDIT:
            flags.append(say("f_maybe", lang, **_facility_words(code)))
    if need.near is not None and np.isnan(distance_m[i]):
        flags.append(say("f_location", lang))
    if need.industry is not None and not cands.has_industry[i]:
        flags.append(say("f_industries", lang))
    if not cands.operating[i]:
        flags.append(say("f_not_operating", lang))
    return flags


def exclusion_reasons_for(cands: Candidates, i: int, need: Need, distance_m: np.ndarray, *,
                          lang: str = "en") -> list[str]:
    """Why one candidate was excluded, in words with numbers (in ``lang``)."""
    out = []
    if cands.closed[i]:
        out.append(say("closed", lang))
    if need.industry is not None and cands.has_industry[i]:
        k = _INDUSTRY_CODES.index(need.industry)
        if not (cands.industries[i] & _RELATED[k]).any():
            codes = [c for c, on in zip(_INDUSTRY_CODES, cands.industries[i]) if on]
            have = "、".join(INDUSTRIES[c].zh for c in codes) if lang == "zh" else ", ".join(codes)
            out.append(say("x_industry", lang, have=have, **_industry_words(need.industry)))
    if need.area_min is not None and cands.available[i] < need.area_min:
        out.append(say("x_area", lang, have=f"{cands.available[i]:,.0f}", need=f"{need.area_min:,.0f}"))
    if need.max_rent is not None and cands.rent[i] > need.max_rent:
        out.append(say("x_rent", lang, have=f"{cands.rent[i]:,.0f}", max=f"{need.max_rent:,.0f}"))
    if need.within_km is not None and distance_m[i] > need.within_km * 1000:
        out.append(say("x_distance", lang, have=f"{distance_m[i] / 1000:.1f}", km=f"{need.within_km:g}",
                       **_where(need)))
    for code in need.facilities:
        if cands.has_facilities[i] and _facility_present(_one(cands, i), code)[0] == 0:
            out.append(say("facility", lang, **_facility_words(code)))
    if need.within_km is not None and need.near is not None and np.isnan(distance_m[i]):
        out.append(say("location", lang))
    if need.zones and not (cands.zones[i] & set(need.zones)):
        out.append(say("zones", lang))
    return out


def breakdown_for(result: MatchResult, i: int) -> dict[str, float | None]:
    """Points each criterion contributed to candidate ``i``'s score (None = unknown value)."""
    total = sum(result.weights.get(k, 0.0) for k in result.scores) or 1.0
    out = {}
    for key, values in result.scores.items():
        v = values[i]
        earned = UNKNOWN_CREDIT if np.isnan(v) else float(v)
        out[key] = {"points": round(100.0 * result.weights.get(key, 0.0) * earned / total, 1),
                    "max_points": round(100.0 * result.weights.get(key, 0.0) / total, 1),
                    "value": None if np.isnan(v) else round(float(v), 3)}
    return out


def exclusion_summary(result: MatchResult, *, lang: str = "en", counts: dict[str, int] | None = None) -> dict[str, int]:
    """Reason (in ``lang``) → number of candidates it excludes (a candidate may count under several).

    ``counts``: constraint key → count for constraints counted elsewhere (e.g. by a database
    over the whole scope); they replace the counts among ``result``'s candidates."""
    counted = {c.key: int(c.fails.sum()) for c in result.constraints}
    counted.update(counts or {})
    texts = {c.key: c.text(lang) for c in result.constraints}
    return {texts.get(k, k): v for k, v in counted.items() if v}


def results_table(cands: Candidates, result: MatchResult, *, lang: str = "en") -> list[dict]:
    """The ranked results as JSON-ready dicts (rank, id, names, layer, score, breakdown, flags)."""
    rows = []
    for rank, i in enumerate(result.order, start=1):
        rec = cands.frame.iloc[int(i)]
        d = result.distance_m[i]
        rows.append({
            "rank": rank, "id": str(rec["id"]), "name_zh": rec.get("name_zh"), "name_en": rec.get("name_en"),
            "layer": rec.get("layer"), "score": round(float(result.score[i]), 1),
            "breakdown": breakdown_for(result, int(i)),
            "flags": flags_for(cands, int(i), result.need, result.distance_m, lang=lang),
            "distance_km": None if np.isnan(d) else round(float(d) / 1000.0, 2),
        })
    return rows


def with_need(need: Need, **changes) -> Need:
    """A copy of ``need`` with some fields changed."""
    return replace(need, **changes)


def need_to_dict(need: Need) -> dict:
    """JSON-ready form of a need (for the demand pool)."""
    d = {k: getattr(need, k) for k in Need.__dataclass_fields__}
    d["zones"], d["facilities"] = list(need.zones), list(need.facilities)
    d["near"] = list(need.near) if need.near is not None else None
    return d


def need_from_dict(data: dict) -> Need:
    """Rebuild a need saved by :func:`need_to_dict` (unknown keys are ignored)."""
    d = {k: v for k, v in data.items() if k in Need.__dataclass_fields__}
    d["zones"] = tuple(d.get("zones") or ())
    d["facilities"] = tuple(d.get("facilities") or ())
    d["near"] = tuple(d["near"]) if d.get("near") else None
    return Need(**d)


def reverse_match(candidate: Candidates, needs: list[Need], *, weights: dict[str, float] | None = None,
                  lang: str = "en") -> list[dict]:
    """Rank saved needs for one candidate (``candidate`` holds exactly one row).

    Returns, best first, ``{"index", "score", "passes", "reasons"}`` per need.
    """
    if len(candidate) != 1:
        raise ValueError("reverse matching takes exactly one candidate")
    out = []
    for k, need in enumerate(needs):
        res = match(candidate, need, weights=weights, top=1, explain=False)
        reasons = exclusion_reasons_for(candidate, 0, need, res.distance_m, lang=lang)
        out.append({"index": k, "score": round(float(res.score[0]), 1), "passes": bool(res.passing[0]),
                    "reasons": reasons})
    return sorted(out, key=lambda r: (not r["passes"], -r["score"], r["index"]))


def concat_candidates(parts: list[Candidates]) -> Candidates:
    """Join candidate arrays built separately (e.g. chunk by chunk from a large file)."""
    first = parts[0]
    fields = [f for f in first.__dataclass_fields__ if f != "frame"]
    joined = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
    frame = pd.concat([p.frame for p in parts], ignore_index=True)
    return Candidates(frame=frame, **joined)
