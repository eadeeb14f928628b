"""Placing enterprises in carriers: which park, building or incubator an enterprise of a register is in.

Per enterprise, the first of these that applies decides (:func:`place_enterprises`):

1. **confirmed** — a placement an editor confirmed, kept as it is;
2. **lease** — the carrier of its (latest) lease;
3. **coords** — its coordinates (WGS-84, measured in EPSG:4547): inside a carrier's polygon or within
   ``inside_m`` of a carrier's point → placed (the child carrier when nested, else the smallest; several
   unrelated points that near → review; when it lies in several, an address placing it in one of them
   says which); within ``review_m`` of one → review; farther → the address decides;
4. **address** — an address stating another district → unplaced; the carrier's address written the
   same way, the same site (road, number, building) or a carrier's name (or its alias) inside the
   address → placed (several carriers, not one inside another → review); else the best fuzzy score
   (:func:`spatial.address.fuzzy_scores`) against the carriers' names and addresses without a site, or
   a road written alike at the same number: ≥ ``accept`` → placed, ≥ ``review`` → review, else unplaced.
   Two carriers within 3 points → review.

Every enterprise gets one row, in input order, unplaced ones too (method ``none``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

import ahocorasick
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz

from spatial.address import Address, fuzzy_scores, name_variants, normalise_text, parse_addresses, text_score
from spatial.crs import METRIC_CRS, WGS84, get_transformer, to_metric
from spatial.stated import parent_positions

PLACEMENT_COLUMNS = ("enterprise_id", "carrier_id", "unit_id", "method", "confidence", "status", "matched",
                     "candidates")
METHODS = ("confirmed", "lease", "coords", "address", "none")
STATUSES = ("confirmed", "placed", "review", "unplaced")
TIE_POINTS = 3.0
"""Two carriers whose scores are this close are a tie: a person decides."""

_POLYGONAL = (3, 6)  # shapely type ids of Polygon, MultiPolygon


@dataclass
class _Decision:
    """What placed one enterprise (``carrier``: a row position of the carriers, or None)."""

    carrier: int | None
    method: str
    confidence: float
    status: str
    matched: str | None
    candidates: list  # [(carrier id, score 0-100)]
    carrier_id: str | None = None
    unit_id: str | None = None


class _Index:
    """The carriers as placement reads them: ids, parents, parsed addresses, names, fuzzy choices."""

    def __init__(self, carriers: gpd.GeoDataFrame):
        n = len(carriers)
        self.ids = carriers["id"].astype(object).astype(str).to_numpy(dtype=object)
        self.parent = parent_positions(carriers)
        raw = carriers["address_zh"].tolist() if "address_zh" in carriers.columns else [None] * n
        self.address = [a if isinstance(a, str) and a.strip() else None for a in raw]
        self.parsed = parse_addresses(self.address)
        self.names = name_variants(carriers["name_zh"].tolist() if "name_zh" in carriers.columns else [None] * n)
        self.full, self.sites = {}, {}
        for c, a in enumerate(self.parsed):
            if a.normalised:
                self.full.setdefault(a.normalised, []).append(c)
            if a.site_key:
                self.sites.setdefault(a.number, []).append((a.road, a.building, c))
        self.automaton, self.longer = self._automaton()
        pairs = [(f"address {a.normalised}", c) for c, a in enumerate(self.parsed) if a.normalised and not a.site_key]
        pairs += [(f"name {v}", c) for c, variants in enumerate(self.names) for v in variants]
        self.labels = [t for t, _ in pairs]  # fuzzy choices: addresses without a site, and names
        self.choices = [t.split(" ", 1)[1] for t in self.labels]
        self.owner = np.array([c for _, c in pairs], dtype=np.int64)
        self.lengths = np.array([len(t) for t in self.choices], dtype=np.float64)

    def _automaton(self):
        """An Aho-Corasick automaton of the names and the addresses without a site (word → (kind, word,
        carriers)), and {word: [(longer name holding it, its carriers)]}."""
        words: dict[str, tuple[dict, str]] = {}
        for c, variants in enumerate(self.names):
            for v in variants:
                words.setdefault(v, ({}, "name"))[0][c] = v == variants[0]  # True: its full name
        for c, a in enumerate(self.parsed):  # an address without a site, found inside an enterprise's
            if a.normalised and not a.site_key and len(a.normalised) >= 4:  # (names inside it are not names)
                words.setdefault(a.normalised, ({}, "address"))[0][c] = None
        if not words:
            return None, {}
        automaton = ahocorasick.Automaton()
        for word, (owners, kind) in words.items():  # a carrier it fully names wins over one it partly names
            named = tuple(c for c, full in owners.items() if full) or tuple(owners)
            automaton.add_word(word, (kind, word, named))
        automaton.make_automaton()
        longer: dict[str, list] = {}
        for word, (kind, _, owners) in ((w, automaton.get(w)) for w, (_, k) in words.items() if k == "name"):
            for _, (_, inner, _) in automaton.iter(word):
                if inner != word:
                    longer.setdefault(inner, []).append((word, owners))
        return automaton, longer

    def ancestors(self, c: int) -> set[int]:
        out, cur = set(), int(self.parent[c])
        while cur >= 0 and cur not in out and len(out) < 256:
            out.add(cur)
            cur = int(self.parent[cur])
        return out

    def children_first(self, found) -> list[int]:
        """``found`` without any carrier that contains (is an ancestor of) another one found."""
        found = list(dict.fromkeys(found))
        above = set().union(*(self.ancestors(c) for c in found)) if found else set()
        return [c for c in found if c not in above]

    def site(self, a: Address) -> dict[int, float]:
        """Carriers at the site of ``a`` (same number, one road ending the other, buildings agreeing)."""
        out = {}
        for road, building, c in self.sites.get(a.number, ()) if a.site_key else ():
            if min(len(road), len(a.road)) < 2 or not (a.road.endswith(road) or road.endswith(a.road)):
                continue
            if building and a.building and building != a.building:
                continue
            out[c] = 0.95 if building and not a.building else 1.0
        return out

    def near_site(self, a: Address, review: float) -> list:
        """[(carrier, score, label)] of the carriers at the same number on a road written alike
        (``fuzz.ratio`` of the roads ≥ ``review``; buildings agreeing): ``红荔路`` for ``红荔西路``."""
        out = []
        for road, building, c in self.sites.get(a.number, ()) if a.site_key else ():
            score = fuzz.ratio(a.road, road, score_cutoff=review)
            if score and not (building and a.building and building != a.building):
                out.append((c, score, f"site ≈ {self.parsed[c].site_key}"))
        return out

    def longer_named(self, named: dict[int, str], text: str, accept: float) -> dict[int, tuple[float, str]]:
        """{carrier: (score, label)} of the longer names holding a name found that ``text`` matches ≥ ``accept``
        (``河套深港科技创新合作区5G科这应用示范园区`` holds ``深港科技创新合作区`` exactly, the 5G park's
        name nearly): the longer name may be what was meant."""
        out = {}
        for label in set(named.values()):
            for longer, owners in self.longer.get(label.split(" ", 1)[1], ()):
                score = text_score(longer, text)
                for c in owners:
                    if score >= accept and score > out.get(c, (0.0, ""))[0]:
                        out[c] = (score, f"name ≈ {longer} ({score:.1f})")
        return out

    def named(self, text: str) -> dict[int, str]:
        """{carrier: "name …" or "address …"} of the carriers whose name, or address without a site, is in
        ``text``; one inside a longer one found is not counted (a name inside a carrier's address)."""
        if self.automaton is None or not text:
            return {}
        hits = [(end - len(word) + 1, end, f"{kind} {word}", owners)
                for end, (kind, word, owners) in self.automaton.iter(text)]
        out = {}
        for start, end, word, owners in hits:
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e, _, _ in hits):
                continue
            for c in owners:
                out[c] = max(out.get(c, " "), word, key=lambda w: len(w.split(" ", 1)[1]))
        return out


def _exact(a: Address, text: str, idx: _Index, accept: float) -> _Decision | None:
    """The carrier that the address states outright: its whole address, its site or its name (or a longer
    name holding that name, nearly: then a person decides unless it is a carrier inside the one named)."""
    whole = idx.children_first(idx.full.get(a.normalised, ()))
    if len(whole) == 1:
        return _Decision(whole[0], "address", 1.0, "placed", f"address {idx.address[whole[0]]}",
                         [(idx.ids[whole[0]], 100.0)])
    site, named = idx.site(a), idx.named(text)
    longer = idx.longer_named(named, text, accept) if named else {}
    found = idx.children_first([*whole, *site, *named, *longer])
    if not found:
        return None

    def confidence(c: int) -> float:
        at_site = c in site or bool(idx.ancestors(c) & set(site))
        if c in longer and c not in named and c not in site:
            return round(longer[c][0] / 100, 3)
        return 1.0 if c in named and at_site else site.get(c) or 0.9

    def what(c: int) -> str:
        parts = [f"site {a.site_key}" if c in site or idx.ancestors(c) & set(site) else "",
                 named.get(c) or longer.get(c, (0, ""))[1], f"address {idx.address[c]}" if c in whole else ""]
        return ", ".join(p for p in parts if p)

    ranked = sorted(found, key=lambda c: (-confidence(c), -len(named.get(c, " ").split(" ", 1)[1]), c))
    cands = [(idx.ids[c], confidence(c) * 100) for c in ranked[:3]]
    status = "placed" if len(ranked) == 1 else "review"
    return _Decision(ranked[0], "address", confidence(ranked[0]), status, what(ranked[0]), cands)


def _from_fuzzy(found: list, idx: _Index, accept: float) -> _Decision:
    """The decision from [(carrier, score, label)]: the best per carrier; a tie within :data:`TIE_POINTS`."""
    best: dict[int, tuple[float, str]] = {}
    for c, score, label in found:
        if score > best.get(c, (-1.0, ""))[0]:
            best[c] = (score, label)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:3]
    if not ranked:
        return _Decision(None, "none", 0.0, "unplaced", "no carrier's address or name matched", [])
    c, (score, label) = ranked[0]
    tie = len(ranked) > 1 and score - ranked[1][1][0] <= TIE_POINTS
    status = "placed" if score >= accept and not tie else "review"
    return _Decision(c, "address", round(score / 100, 3), status, f"{label} ({score:.1f})" + (" — tie" if tie else ""),
                     [(idx.ids[k], s) for k, (s, _) in ranked])


def _by_address(texts: list, idx: _Index, *, district: str | None, accept: float, review: float) -> list:
    """A :class:`_Decision` per distinct address text in ``texts``."""
    parsed = parse_addresses(texts)
    out, fuzzy_at = [], {}
    for t, a in zip(texts, parsed):
        if district and a.district and a.district != district:
            out.append(_Decision(None, "none", 0.0, "unplaced", f"stated district {a.district}", []))
            continue
        decided = _exact(a, normalise_text(t), idx, accept)
        if decided is None and a.normalised and len(a.normalised) >= 2:
            fuzzy_at.setdefault(a.normalised, (a, []))[1].append(len(out))
        elif decided is None:
            decided = _Decision(None, "none", 0.0, "unplaced", "the address names no site or carrier", [])
        out.append(decided)
    queries = list(fuzzy_at)
    for q, best in zip(queries, fuzzy_scores(queries, idx.choices, idx.owner, cutoff=review)):
        a, at = fuzzy_at[q]
        found = [(c, score, idx.labels[j].replace(" ", " ≈ ", 1)) for c, (score, j) in best.items()]
        decided = _from_fuzzy(found + idx.near_site(a, review), idx, accept)
        for k in at:
            out[k] = decided
    return out


def _coord_decision(pairs: list, idx: _Index, inside_m: float, review_m: float) -> tuple[_Decision, set]:
    """Placement of one point from its carriers within ``review_m`` ([(carrier, metres, polygonal, area)]),
    and the carriers it lies in (inside a polygon, within ``inside_m`` of a point) when there are several."""
    def conf(d: float, poly: bool) -> float:
        if (poly and d <= 0) or (not poly and d <= inside_m):
            return 0.95 if poly else 0.9
        lo = 0.0 if poly else inside_m
        return round(float(np.clip(0.9 - 0.4 * (d - lo) / max(review_m - lo, 1e-9), 0.5, 0.9)), 3)

    inside = [p for p in pairs if (p[2] and p[1] <= 0) or (not p[2] and p[1] <= inside_m)]
    keep = set(idx.children_first([p[0] for p in inside]))
    smallest = min((p[3] for p in inside if p[0] in keep), default=0.0)
    tied = [p for p in inside if p[0] in keep and p[3] == smallest]  # two points as near: no way to tell
    c, d, poly, _ = min(tied or pairs, key=lambda p: (p[1], p[0]))
    status = "placed" if len(tied) == 1 else "review"
    where = ("inside the carrier's polygon" if poly and d <= 0 else
             f"{d:.0f} m from the carrier's {'polygon' if poly else 'point'}") + \
        (f" ({len(tied)} carriers unrelated and as near)" if len(tied) > 1 else "")
    ranked = sorted(pairs, key=lambda p: (p[0] != c, -conf(p[1], p[2]), p[1]))[:3]
    decision = _Decision(c, "coords", 0.5 if len(tied) > 1 else conf(d, poly), status, where,
                         [(idx.ids[p[0]], conf(p[1], p[2]) * 100) for p in ranked])
    return decision, {p[0] for p in inside} if len(inside) > 1 else set()


def _by_coords(lon, lat, carriers: gpd.GeoDataFrame, idx: _Index, inside_m: float, review_m: float) -> dict:
    """{row: (:class:`_Decision`, carriers it lies in when several)} for the rows whose point lies within
    ``review_m`` of a carrier."""
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    geoms = to_metric(carriers.geometry).to_numpy() if len(carriers) else np.array([], dtype=object)
    valid = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms))) if len(geoms) else []
    if not len(ok) or not len(valid):
        return {}
    x, y = get_transformer(WGS84, METRIC_CRS).transform(lon[ok], lat[ok])
    points = shapely.points(np.asarray(x), np.asarray(y))
    pi, gi = shapely.STRtree(geoms[valid]).query(points, predicate="dwithin", distance=review_m)
    gi = valid[gi]
    dist = shapely.distance(points[pi], geoms[gi])
    poly, area = np.isin(shapely.get_type_id(geoms[gi]), _POLYGONAL), shapely.area(geoms[gi])
    grouped: dict[int, list] = {}
    for p, c, d, pg, ar in zip(pi.tolist(), gi.tolist(), dist.tolist(), poly.tolist(), area.tolist()):
        grouped.setdefault(int(ok[p]), []).append((c, d, pg, ar))
    return {row: _coord_decision(pairs, idx, inside_m, review_m) for row, pairs in grouped.items()}


def _given(enterprise_ids: pd.Series, table: pd.DataFrame | None, method: str) -> dict:
    """{row: :class:`_Decision`} of the enterprises ``table`` places (its last row per enterprise)."""
    if table is None or not len(table):
        return {}
    last = table.drop_duplicates("enterprise_id", keep="last")
    units = last["unit_id"] if "unit_id" in last.columns else pd.Series(None, index=last.index)
    confirmed = method == "confirmed"  # an editor may confirm "in no carrier": kept as such
    given = {str(e): (str(c) if pd.notna(c) else None, u if isinstance(u, str) and u else None)
             for e, c, u in zip(last["enterprise_id"], last["carrier_id"], units) if pd.notna(c) or confirmed}
    status, matched = ("confirmed", "confirmed by an editor") if confirmed else ("placed", "lease")
    return {row: _Decision(None, method, 1.0, status, matched,
                           [(given[e][0], 100.0)] if given[e][0] is not None else [], carrier_id=given[e][0],
                           unit_id=given[e][1]) for row, e in enumerate(enterprise_ids.astype(str)) if e in given}


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _frame(enterprise_ids: pd.Series, decisions: list[_Decision], idx: _Index) -> pd.DataFrame:
    def candidates(d: _Decision) -> str:
        return json.dumps([{"carrier_id": c, "score": round(float(s), 1)} for c, s in d.candidates[:3]],
                          ensure_ascii=False)

    def text(values) -> pd.Series:  # object: None stays None
        return pd.Series(list(values), dtype=object)

    return pd.DataFrame({
        "enterprise_id": text(enterprise_ids),
        "carrier_id": text(d.carrier_id if d.carrier is None else idx.ids[d.carrier] for d in decisions),
        "unit_id": text(d.unit_id for d in decisions), "method": text(d.method for d in decisions),
        "confidence": np.array([d.confidence for d in decisions], dtype=np.float64),
        "status": text(d.status for d in decisions), "matched": text(d.matched for d in decisions),
        "candidates": text(candidates(d) for d in decisions)}, columns=list(PLACEMENT_COLUMNS))


def _by_rows(enterprises: pd.DataFrame, rows: list[int], idx: _Index, **options) -> dict[int, _Decision]:
    """{row: decision by its address} for ``rows`` (each distinct address matched once)."""
    raw = enterprises["address"].astype(object).to_numpy()[rows] if "address" in enterprises.columns else []
    codes, texts = pd.factorize(pd.Series(raw, dtype=object).where(lambda s: s.map(lambda v: isinstance(v, str))))
    found = _by_address(list(texts), idx, **options)
    return {row: found[code] for row, code in zip(rows, codes) if code >= 0}


def place_enterprises(enterprises: pd.DataFrame, carriers: gpd.GeoDataFrame, *, leases: pd.DataFrame | None = None,
                      confirmed: pd.DataFrame | None = None, district: str | None = "福田区",
                      inside_m: float = 30.0, review_m: float = 100.0, accept: float = 90.0,
                      review: float = 70.0) -> pd.DataFrame:
    """Place each enterprise in a carrier: confirmed, else its lease, else its coordinates, else its address.

    Parameters
    ----------
    enterprises : pandas.DataFrame
        ``id``, ``name``, ``address`` (str or None), ``lon``, ``lat`` (WGS-84; NaN when not given).
    carriers : geopandas.GeoDataFrame
        ``id``, ``name_zh``, ``address_zh``, ``layer``, ``parent_id``, geometry in EPSG:4326 (points,
        polygons or None).
    leases, confirmed : pandas.DataFrame, optional
        ``enterprise_id``, ``carrier_id``, ``unit_id``; the last row per enterprise counts.
    district : str or None, optional
        An address stating another district is not placed (None: not checked). 福田区 by default.
    inside_m, review_m : float, optional
        A point within ``inside_m`` metres of a carrier's point is placed, within ``review_m`` of a
        carrier (point or polygon) reviewed.
    accept, review : float, optional
        Fuzzy scores (0-100) from which an address is placed or reviewed.

    Returns
    -------
    pandas.DataFrame
        :data:`PLACEMENT_COLUMNS`, one row per enterprise in input order: ``method`` of :data:`METHODS`,
        ``status`` of :data:`STATUSES`, ``confidence`` 0-1, ``matched`` what matched (or why not), and
        ``candidates`` JSON of up to 3 ``{"carrier_id", "score"}``.
    """
    n, ids, idx = len(enterprises), enterprises["id"].reset_index(drop=True), _Index(carriers)
    decisions: list[_Decision | None] = [None] * n
    for method, table in (("confirmed", confirmed), ("lease", leases)):
        for row, d in _given(ids, table, method).items():
            decisions[row] = decisions[row] or d
    lon, lat = _floats(enterprises, "lon"), _floats(enterprises, "lat")
    todo = np.array([d is None for d in decisions], dtype=bool)
    coords = _by_coords(np.where(todo, lon, np.nan), lat, carriers, idx, inside_m, review_m)
    rows = [r for r in range(n) if decisions[r] is None and (r not in coords or coords[r][1])]
    by_address = _by_rows(enterprises, rows, idx, district=district, accept=accept, review=review)
    for row, (d, inside) in coords.items():  # lying in several carriers: the address may say which
        a = by_address.get(row)
        agree = a is not None and a.status == "placed" and a.carrier in inside
        decisions[row] = replace(a, matched=f"{a.matched}; the coordinates agree") if agree else d
    for row in rows:
        why = "no address or coordinates" if np.isnan(lon[row]) or np.isnan(lat[row]) else \
            "no address; no carrier near the coordinates"
        decisions[row] = decisions[row] or by_address.get(row) or _Decision(None, "none", 0.0, "unplaced", why, [])
    return _frame(ids, decisions, idx)
