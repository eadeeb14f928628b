"""Explanations of a match: flags, exclusion reasons, score breakdowns, the results table and
reverse matching (saved needs ranked for one space), in the interface language."""
from __future__ import annotations

import numpy as np

from layers.vocab import FACILITIES, INDUSTRIES
from messages import Pair, t
from spatial.match import (INDUSTRY_CODES, MAYBE_FACILITY_CREDIT, RELATED, TOTAL_MEASURES, Candidates, MatchResult,
                           Need, distance_message, facility_name, facility_present, industry_name, match,
                           take_candidates, unknown_credit)


def _one(cands: Candidates, i: int) -> Candidates:
    """The candidate arrays restricted to row ``i``."""
    return take_candidates(cands, [i])


def flags_for(cands: Candidates, i: int, need: Need, distance_m: np.ndarray, *, lang: str = "en") -> list[str]:
    """Warnings about one candidate: what is unknown and must be confirmed (in ``lang``)."""
    flags = []
    if need.area_min is not None or need.area_max is not None:
        if np.isnan(cands.available[i]):
            flags.append(t("flag_available", lang))
    if need.max_rent is not None and np.isnan(cands.rent[i]):
        flags.append(t("flag_rent", lang))
    if need.facilities and not cands.has_facilities[i]:
        names = Pair(t("list_sep", "zh").join(FACILITIES[c].zh for c in need.facilities), ", ".join(need.facilities))
        flags.append(t("flag_facilities", lang, facilities=names))
    for code in need.facilities:
        if cands.has_facilities[i] and facility_present(_one(cands, i), code)[0] == MAYBE_FACILITY_CREDIT:
            flags.append(t("flag_maybe", lang, facility=facility_name(code)))
    if need.near is not None and np.isnan(distance_m[i]):
        flags.append(t("flag_location", lang))
    if need.industry is not None and not cands.has_industry[i]:
        flags.append(t("flag_industries", lang))
    if cands.status_unknown[i]:
        flags.append(t("flag_status_unknown", lang))
    elif not cands.operating[i]:
        flags.append(t("flag_not_operating", lang))
    return flags


def exclusion_reasons_for(cands: Candidates, i: int, need: Need, distance_m: np.ndarray, *,
                          lang: str = "en") -> list[str]:
    """Why one candidate was excluded, in words with numbers (in ``lang``)."""
    out = []
    if cands.closed[i]:
        out.append(t("ex_closed", lang))
    if need.industry is not None and cands.has_industry[i]:
        k = INDUSTRY_CODES.index(need.industry)
        if not (cands.industries[i] & RELATED[k]).any():
            codes = [c for c, on in zip(INDUSTRY_CODES, cands.industries[i]) if on]
            have = Pair(t("list_sep", "zh").join(INDUSTRIES[c].zh for c in codes), ", ".join(codes))
            out.append(t("ex_industry_have", lang, have=have,
                         industry=Pair(industry_name(need.industry).zh, need.industry)))
    if need.area_min is not None and cands.available[i] < need.area_min:
        out.append(t("ex_area_have", lang, have=f"{cands.available[i]:,.0f}", need=f"{need.area_min:,.0f}"))
    if need.area_min is not None and np.isnan(cands.available[i]) and cands.total[i] < need.area_min:
        out.append(t(f"ex_capacity_have_{TOTAL_MEASURES[cands.total_kind[i]]}", lang,
                     have=f"{cands.total[i]:,.0f}", need=f"{need.area_min:,.0f}"))
    if need.max_rent is not None and cands.rent[i] > need.max_rent:
        out.append(t("ex_rent_have", lang, have=f"{cands.rent[i]:,.0f}", max=f"{need.max_rent:,.0f}"))
    if need.within_km is not None and distance_m[i] > need.within_km * 1000:
        key, place = distance_message("ex_distance_have", need)
        out.append(t(key, lang, have=f"{distance_m[i] / 1000:.1f}", km=f"{need.within_km:g}", **place))
    for code in need.facilities:
        if cands.has_facilities[i] and facility_present(_one(cands, i), code)[0] == 0:
            out.append(t("ex_facility", lang, facility=facility_name(code)))
    if need.within_km is not None and need.near is not None and np.isnan(distance_m[i]):
        out.append(t("ex_location", lang))
    if need.zones and not (cands.zones[i] & set(need.zones)):
        out.append(t("ex_zones", lang))
    return out


def breakdown_for(result: MatchResult, i: int) -> dict[str, float | None]:
    """Points each criterion contributed to candidate ``i``'s score (None = unknown value)."""
    total = sum(result.weights.get(k, 0.0) for k in result.scores) or 1.0
    out = {}
    for key, values in result.scores.items():
        v = values[i]
        earned = unknown_credit(key) if np.isnan(v) else float(v)
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
