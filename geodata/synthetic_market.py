"""Synthetic market rows (units, enterprises, enquiries and their history, leases) and the demo store
holding them: for tests, benchmarks and ``python cli.py demo`` only, never the bundled store.

Every row is ``synthetic`` and cites "synthetic (seed N)"; names say "(synthetic)", phones are
1000000xxxx (no mobile number starts 10), e-mails @example.com. The same seed (and ``today``/``now``) gives identical frames."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from functools import partial

import numpy as np
import pandas as pd

from layers.catalogue import CARRIER_LAYERS, LAYERS
from layers.vocab import CLOSE_REASONS, ENQUIRY_STAGES, INDUSTRIES, QUALIFICATIONS, split_codes
from spatial.credit_code import ALPHABET, make_credit_code
from spatial.need import Need, need_to_dict
from spatial.pipeline import CLOSED, ENDS, STAGES, due_at
from spatial.screening import ANY_CARRIER, screen

DEFAULT_SEED = 20_261_010
STAFF = ("staff-demo-1", "staff-demo-2", "staff-demo-3", "staff-demo-4")
CONSENT_TEXT = "演示同意书：本需求为演示数据，联系方式均为虚构。Demo consent: a synthetic enquiry, its contacts are fictitious."
_DAY = 86_400
_DUE_S = np.array([(due_at(s, datetime.min) - datetime.min).total_seconds() if s not in ENDS else 0 for s in STAGES])
_OUTCOMES = (*STAGES, CLOSED)
_OUTCOME_P = (.08, .08, .08, .07, .07, .06, .06, .08, .42)
_REASONS = tuple(CLOSE_REASONS)
_REASON_P = {"no_fit": (.2, 0, 2), "price": (.2, 2, 5), "location": (.12, 2, 4), "chose_elsewhere": (.15, 2, 5),
             "no_response": (.15, 0, 5), "ineligible": (.1, 0, 1), "withdrawn": (.08, 0, 5)}
"""Per close reason: its chance, and the first and last stage (index of ``STAGES``) it closes from."""
_GAP_DAYS = np.array([0, 1.2, 3, 4, 5, 8, 15, 30, 6])
"""Mean days before each step (index 8: closing)."""
_NOTES = {s: f"{ENQUIRY_STAGES[s].zh}（演示）" for s in _OUTCOMES}
_QUALIFIED = np.array([[.1, .05, 0, 0, 0], [.4, .2, .03, .01, .02], [.6, .3, .1, .15, .03]])
"""Chance of each qualification (``QUALIFICATIONS`` order) for a seed, growth and mature enterprise."""
_NEED_STAGE = {"seed": "startup", "growth": "growth", "mature": "headquarters"}


def _frame(key: str, data: dict) -> pd.DataFrame:  # catalogue order (a missing field fails); empty: object columns
    frame = pd.DataFrame(data)[list(LAYERS[key].field_names)]
    return frame if len(frame) else frame.astype(object)  # the validator cannot read an empty text-typed column


def _dates(day: date, offsets) -> np.ndarray:  # ISO dates ``offsets`` days after ``day``
    return (np.datetime64(day, "D") + np.asarray(offsets, dtype="int64")).astype(str).astype(object)


def _stamps(seconds) -> np.ndarray:  # ISO UTC timestamps (2026-01-05T03:04:05+00:00) of Unix seconds
    return np.asarray(seconds, dtype="int64").astype("datetime64[s]").astype(str).astype(object) + "+00:00"


_text = partial(pd.array, dtype="str")  # text Arrow-backed at once: 1M Python strings a column cost 100s of MB


def _choice(rng, options, p, n) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), n, p=np.asarray(p) / np.sum(p))]


def synthetic_units(carriers: pd.DataFrame, n_per_carrier: int | None = None, *, n: int | None = None,
                    seed: int = DEFAULT_SEED, today: date | None = None) -> pd.DataFrame:
    """Lettable units in ``carriers`` (``id``; ``rent_cny_m2_month`` when present centres the asking
    rent): ``n_per_carrier`` in each, or ``n`` in all spread at random. Areas 50–3,000 m² (log-normal),
    rents 60–250 CNY/m²/month, mostly available, verified in the 200 days before ``today``."""
    if (n_per_carrier is None) == (n is None) or not len(carriers):
        raise ValueError("give some carriers and either n_per_carrier or n")
    today, rng, ids = today or date.today(), np.random.default_rng(seed), carriers["id"].astype(str).to_numpy()
    owner = np.repeat(np.arange(len(ids)), n_per_carrier) if n is None else np.sort(rng.integers(0, len(ids), n))
    total = len(owner)
    rank = np.arange(total) - np.searchsorted(owner, owner)  # a unit's place in its carrier: unique labels
    buildings, per_floor, lowest = (rng.integers(lo, hi, len(ids))[owner] for lo, hi in ((1, 4), (6, 13), (1, 6)))
    floor, room = lowest + rank // buildings // per_floor, rank // buildings % per_floor + 1
    area = np.clip(np.round(np.exp(rng.normal(5.6, 0.85, total)), 1), 50.0, 3000.0)
    use = _choice(rng, ["office", "lab", "light_industry", "showroom", "pilot", "other"], [60, 14, 10, 6, 5, 5], total)
    stated = pd.to_numeric(carriers.get("rent_cny_m2_month", pd.Series(np.nan, index=carriers.index)),
                           errors="coerce").to_numpy(dtype=float)[owner]
    drawn = np.exp(rng.normal(4.7, 0.35, total))
    rent = np.clip(np.round(np.where(np.isnan(stated), drawn, stated * rng.uniform(0.85, 1.15, total))), 60, 250)
    heavy = np.isin(use, ("lab", "light_industry", "pilot"))
    includes = _choice(rng, ["物业管理费", "物业管理费、空调费", "物业管理费、公共能耗", "不含物业管理费", None],
                       [3, 3, 2, 1, 1], total)
    return _frame("units", {
        "id": _text([f"syn-unit-{i:06d}" for i in range(1, total + 1)]), "carrier_id": ids[owner],
        "building": np.array(["A座", "B座", "C座"], dtype=object)[rank % buildings],
        "floor": _text(floor.astype(str).astype(object) + "F"),
        "unit_label": _text([f"{f}{r:02d}" for f, r in zip(floor.tolist(), room.tolist())]), "area_m2": area,
        "area_basis": np.where(rng.random(len(ids))[owner] < 0.7, "gross", "usable").astype(object), "use": use,
        "fit_out": _choice(rng, ["bare", "basic", "fitted"], [25, 45, 30], total), "rent_asked_cny_m2_month": rent,
        "rent_includes": includes, "available_from": _text(_dates(today, rng.integers(-60, 181, total))),
        "floor_load_kn_m2": np.where(heavy, np.round(rng.uniform(5.0, 12.0, total), 1), np.nan),
        "ceiling_height_m": np.where(heavy, np.round(rng.uniform(3.6, 6.0, total), 1), np.nan),
        "status": _choice(rng, ["available", "reserved", "let", "withdrawn"], [75, 10, 10, 5], total),
        "source": f"synthetic (seed {seed})", "verified_on": _text(_dates(today, -rng.integers(0, 201, total))), "notes": None,
        "synthetic": True})


def _credit_codes(n: int, rng) -> list[str]:
    """Valid codes: ``91`` (an enterprise under market regulation), a Shenzhen division (440304
    Futian or 440300), five random characters and the row number in base 31 (unique), checked."""
    letters, division = np.array(list(ALPHABET)), np.where(rng.random(n) < 0.7, "440304", "440300")
    body = np.concatenate([letters[rng.integers(0, len(ALPHABET), (n, 5))],
                           np.stack([letters[np.arange(n) // 31 ** k % 31] for k in (3, 2, 1, 0)], axis=1)], axis=1)
    return [make_credit_code("91" + d + "".join(b)) for d, b in zip(division, body)]


def _qualifications(stage_ix: np.ndarray, n: int, rng, today: date) -> list[str]:
    """``[{"code", "evidence", "expires"}]`` as JSON; the chance of each depends on the stage; some expired."""
    codes, chance = list(QUALIFICATIONS), _QUALIFIED
    held = rng.random((n, len(codes))) < chance[stage_ix]
    expires = _dates(today, rng.integers(-120, 3 * 365, (n, len(codes))).ravel()).reshape(n, len(codes))
    return [json.dumps([{"code": codes[k], "evidence": f"演示证书 SYN-{i + 1:06d}-{k + 1} (synthetic)",
                         "expires": expires[i, k]} for k in np.flatnonzero(held[i])], ensure_ascii=False)
            for i in range(n)]


def synthetic_enterprises(n: int, *, seed: int = DEFAULT_SEED, today: date | None = None) -> pd.DataFrame:
    """``n`` enterprises with valid credit codes, industries, stage, headcount, founding date,
    qualifications and obviously fictitious contacts, created 400–900 days before ``today``."""
    today, rng = today or date.today(), np.random.default_rng(seed)
    stage_ix = rng.choice(3, n, p=[.45, .35, .2])
    age = rng.uniform(np.array([30, 730, 2190])[stage_ix], np.array([1825, 4380, 10950])[stage_ix]).astype(int)
    first, second = (np.array(list(INDUSTRIES), dtype=object)[rng.integers(0, len(INDUSTRIES), n)] for _ in "ab")
    two = (rng.random(n) < 0.3) & (first != second)
    created = int(datetime.combine(today, time(), timezone.utc).timestamp()) - rng.integers(400 * _DAY, 900 * _DAY, n)
    rows = np.arange(1, n + 1)
    return _frame("enterprises", {
        "id": [f"syn-ent-{i:05d}" for i in rows], "name": [f"演示企业{i:04d} (synthetic)" for i in rows],
        "credit_code": _credit_codes(n, rng), "industries": np.where(two, first + ";" + second, first),
        "stage": np.array(["seed", "growth", "mature"], dtype=object)[stage_ix],
        "headcount": np.maximum(1, np.round(np.exp(rng.normal(np.array([2.3, 4.0, 5.7])[stage_ix], 0.6)))).astype(int),
        "founded": _dates(today, -age), "qualifications": _qualifications(stage_ix, n, rng, today),
        "address": [f"深圳市福田区演示大道{i}号（演示地址 synthetic）" for i in rows], "lon": np.nan, "lat": np.nan,
        "contact_name": [f"演示联系人{i:04d}" for i in rows], "contact_phone": [f"1000000{i % 10000:04d}" for i in rows],
        "contact_email": [f"demo{i:05d}@example.com" for i in rows], "created_at": _stamps(created),
        "source": f"synthetic (seed {seed})", "erased_at": None, "synthetic": True})


def screening_rules_demo() -> pd.DataFrame:
    """Three example screening rules (demo rules, synthetic: the reasons say so)."""
    rows = [("demo-rule-1", "lowcost_spaces", "max_age_years", "5", "低成本产业空间面向成立不超过 5 年的企业（演示规则）",
             "Low-cost spaces serve enterprises founded at most 5 years ago (demo rule)", True),
            ("demo-rule-2", "incubators", "max_headcount", "200", "孵化器面向员工不超过 200 人的企业（演示规则）",
             "Incubators serve enterprises of at most 200 employees (demo rule)", True),
            ("demo-rule-3", "research_platforms", "qualification_any", "high_tech;specialised;little_giant",
             "科研与中试平台面向高新技术或专精特新企业（演示规则）",
             "Research and pilot platforms serve high-tech or specialised enterprises (demo rule)", True)]
    return pd.DataFrame(rows, columns=list(LAYERS["screening_rules"].field_names)[:7]).assign(any_of=None, synthetic=True)


def _paths(n: int, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(last stage index reached, closed, close reason index): every outcome and reason once n ≥ 15."""
    final = rng.choice(len(_OUTCOMES), n, p=_OUTCOME_P)
    reason = rng.choice(len(_REASONS), n, p=[_REASON_P[r][0] for r in _REASONS])
    forced = min(n, len(STAGES) + len(_REASONS))
    at = rng.permutation(n)[:forced]  # these take every outcome and reason in turn
    final[at] = np.r_[np.arange(len(STAGES)), np.full(len(_REASONS), len(STAGES))][:forced]
    reason[at] = np.r_[np.zeros(len(STAGES), dtype=int), np.arange(len(_REASONS))][:forced]
    lo, hi = (np.array([_REASON_P[r][k] for r in _REASONS])[reason] for k in (1, 2))
    closed = final == len(STAGES)
    return np.where(closed, lo + (rng.random(n) * (hi - lo + 1)).astype(int), final), closed, reason


def _timeline(last, closed, rng, now_s: int) -> dict:
    """Events of every enquiry (received, one per move, closing), times increasing and before now."""
    count = last + 1 + closed
    start, enq = np.cumsum(count) - count, np.repeat(np.arange(len(last)), count)
    pos = np.arange(count.sum()) - start[enq]
    to = np.where(pos > last[enq], len(STAGES), pos)
    gap = np.where(pos == 0, 0, 600 + rng.exponential(1.0, len(to)) * _GAP_DAYS[to] * _DAY).astype(np.int64)
    offset = np.cumsum(gap) - np.cumsum(gap)[start][enq]
    span, still = offset[start + count - 1], ~closed & (last < len(STAGES) - 1)
    slack = np.where(still, rng.uniform(0, 1.3, len(last)) * _DUE_S[last], rng.exponential(60 * _DAY, len(last)))
    slack = np.minimum(slack, np.maximum(0, 390 * _DAY - span)).astype(np.int64)
    at = (now_s - span - slack)[enq] + offset
    stage_at = at[start + count - 1]  # the last step
    return {"enq": enq, "pos": pos, "to": to, "at": at, "start": start, "stage_at": stage_at, "still": still,
            "due": np.where(still, stage_at + _DUE_S[last].astype(np.int64), 0)}


def _picks(units: pd.DataFrame, last, closed, rng) -> tuple[np.ndarray, np.ndarray]:
    """(n, 3) units each enquiry picked (-1: none), and the enquiries at offer or beyond: they hold
    distinct available or reserved units (a second one of the same carrier for some)."""
    n, held = len(last), np.flatnonzero(~closed & (last >= STAGES.index("offer")))
    count = np.where(last >= 2, rng.integers(1, 4, n), np.where(rng.random(n) < 0.5, 0, rng.integers(1, 3, n)))
    picks = np.where(np.arange(3) < count[:, None], rng.integers(0, max(len(units), 1), (n, 3)), -1)
    carrier = pd.factorize(units["carrier_id"])[0]
    cand = np.flatnonzero(units["status"].isin(["available", "reserved"]))
    cand = cand[np.argsort(carrier[cand], kind="stable")]
    if len(held) > len(cand) // 2:
        raise ValueError(f"{len(held)} enquiries at offer or beyond need {2 * len(held)} available units; "
                         f"there are {len(cand)} (more units: --units-per-carrier)")
    first = rng.choice(len(cand) // 2, len(held), replace=False) * 2
    one, two = cand[first], cand[first + 1]
    two = np.where((carrier[one] == carrier[two]) & (rng.random(len(held)) < 0.3), two, -1)
    picks[held] = np.stack([one, two, np.full(len(held), -1)], axis=1)
    return picks, held


def _rule_masks(rules: pd.DataFrame, unit_layers: np.ndarray) -> tuple[np.ndarray, int]:
    """Per unit, a bit mask of the active rules that apply to its carrier's layer; the mask of ``*`` rules."""
    masks, star = np.zeros(len(unit_layers), dtype=np.int64), 0
    for r, (to, active) in enumerate(zip(rules["applies_to"], rules["active"])):
        targets = split_codes(to) if str(active).lower() in ("true", "1") else []
        star |= (1 << r) if ANY_CARRIER in targets else 0
        masks |= np.where(np.isin(unit_layers, targets), 1 << r, 0)
    return masks | star, star


def _screening(enterprises, rules, unit_layers, picks, last, closed, reason, rng, today):
    """(enterprise positions, eligible, screening JSON) of the enquiries, with the enterprises (and,
    for those closed as ineligible, the picked unit) chosen so that the screening by ``rules`` agrees
    with the path: closed as ineligible ⇒ a rule failed; else every rule passed. Each enterprise is
    screened once (:func:`spatial.screening.screen`, every layer); an enquiry keeps the reasons of
    the rules that apply to the layers it picked, as ``screen`` would."""
    (unit_masks, star), ids, n = _rule_masks(rules, unit_layers), [str(i) for i in rules["id"]], len(last)
    found = [{x["rule"]: x for x in screen(e, list(CARRIER_LAYERS), rules, today=today).reasons}
             for e in enterprises[["founded", "headcount", "industries", "qualifications"]].to_dict("records")]
    table = [[f.get(i) for i in ids] for f in found]
    fails = np.array([[x is not None and x["ok"] is False for x in row] for row in table]).reshape(len(table), -1)
    passes = np.flatnonzero([all(x is None or x["ok"] is True for x in row) for row in table])
    ent = rng.integers(0, len(enterprises), n)
    inel = np.flatnonzero(closed & (reason == _REASONS.index("ineligible")))
    usable = [r for r in range(len(ids)) if fails[:, r].any() and (unit_masks >> r & 1).any()]
    rule = np.array(usable or [0])[rng.integers(0, max(len(usable), 1), len(inel))]
    for r in usable:
        rows, failing, under = inel[rule == r], np.flatnonzero(fails[:, r]), np.flatnonzero(unit_masks >> r & 1)
        ent[rows], picks[rows] = failing[rng.integers(0, len(failing), len(rows))], -1
        picks[rows, 0] = under[rng.integers(0, len(under), len(rows))]
    mask = star | np.bitwise_or.reduce(np.where(picks >= 0, unit_masks[np.maximum(picks, 0)], 0), axis=1)
    screened, cache = (last >= 1) | np.isin(np.arange(n), inel), {}

    def outcome(i: int):
        key = (int(ent[i]), int(mask[i]))
        if key not in cache:
            kept = [x for r, x in enumerate(table[key[0]]) if key[1] >> r & 1 and x is not None]
            oks = [x["ok"] for x in kept]
            ok = False if False in oks else (None if None in oks else True)
            cache[key] = (ok, json.dumps(kept, ensure_ascii=False))
        return cache[key]

    eligible, text = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    eligible[screened] = [outcome(i)[0] for i in np.flatnonzero(screened)]
    wrong = np.flatnonzero(screened & (eligible != True) & ~np.isin(np.arange(n), inel))  # noqa: E712
    if len(passes) and len(wrong):
        ent[wrong] = passes[rng.integers(0, len(passes), len(wrong))]
    for i in np.flatnonzero(screened):
        eligible[i], text[i] = outcome(i)
    return ent, eligible, text


def _needs(ents: pd.DataFrame, units: pd.DataFrame, picks, held, rng) -> list[str]:
    """The need of each enquiry as :func:`spatial.need.need_to_dict` JSON: the enterprise's industry and
    stage; an area range around the units it holds or picked; a rent cap for most."""
    n, first = len(picks), np.maximum(picks[:, 0], 0)
    area, rent = units["area_m2"].to_numpy(float), units["rent_asked_cny_m2_month"].to_numpy(float)
    target = np.where(picks[:, 0] >= 0, area[first], np.exp(rng.normal(5.6, 0.8, n)))
    target[held] += np.where(picks[held, 1] >= 0, area[np.maximum(picks[held, 1], 0)], 0.0)
    lo, hi = np.floor(target * 0.08) * 10, np.ceil(target * 0.125) * 10
    cap = np.where(picks[:, 0] >= 0, np.ceil(rent[first] * 0.11) * 10, np.round(rng.uniform(80, 260, n), -1))
    cap = np.where(rng.random(n) < 0.6, cap, np.nan)
    lab = (picks[:, 0] >= 0) & np.isin(units["use"].to_numpy(object)[first], ("lab", "pilot"))
    hk, policy = rng.random(n) < 0.1, rng.random(n) < 0.25
    industry, stage = [(split_codes(v) or [None])[0] for v in ents["industries"]], ents["stage"].map(_NEED_STAGE)
    return [json.dumps(need_to_dict(Need(industry=ind, area_min=float(a), area_max=float(b),
                                         max_rent=None if c != c else float(c), stage=st,
                                         facilities=("laboratory",) if f else (), hk_link=bool(h),
                                         policy_support=bool(p))), ensure_ascii=False)
            for ind, a, b, c, st, f, h, p in zip(industry, lo, hi, cap, stage, lab, hk, policy)]


def _joined(picks: np.ndarray, uid: np.ndarray) -> list[str | None]:
    return [";".join(uid[p] for p in row if p >= 0) or None for row in picks.tolist()]


def synthetic_pipeline(enterprises: pd.DataFrame, units: pd.DataFrame, carriers: pd.DataFrame, n_enquiries: int, *,
                       seed: int = DEFAULT_SEED, now: datetime | None = None,
                       rules: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """``{"enquiries", "enquiry_events", "leases", "units"}``: enquiries of ``enterprises`` at every stage and
    closed for every reason (from 15 on), their histories (received, then one allowed move at a time,
    before ``now``), leases of the signed and moved-in ones, ``units`` with those let (those on offer
    reserved). ``carriers`` (``id``, ``layer``) say which ``rules`` apply (default: the demo rules);
    eligibility and reasons are :func:`spatial.screening.screen`'s on ``now``'s date."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    rng, rules = np.random.default_rng(seed), screening_rules_demo() if rules is None else rules
    last, closed, reason = _paths(n_enquiries, rng)
    t = _timeline(last, closed, rng, int(now.timestamp()))
    picks, held = _picks(units, last, closed, rng)
    layers = units["carrier_id"].map(dict(zip(carriers["id"].astype(str), carriers["layer"]))).to_numpy(object)
    ent, eligible, screening = _screening(enterprises, rules, layers, picks, last, closed, reason, rng, now.date())
    ents, uid, n = enterprises.iloc[ent].reset_index(drop=True), units["id"].astype(str).to_numpy(object), n_enquiries
    picked, submitted = _joined(picks, uid), _stamps(t["at"][t["start"]])
    staff = np.array(STAFF, dtype=object)[rng.integers(0, len(STAFF), n)]
    channel = _choice(rng, ["portal", "staff", "cli"], [6, 3, 1], n)
    ids = np.array([f"syn-enq-{i:06d}" for i in range(1, n + 1)], dtype=object)
    enquiries = _frame("enquiries", {
        "id": ids, "submitted_at": submitted, "channel": channel, "enterprise_id": ents["id"].to_numpy(object),
        "enterprise_name": ents["name"].to_numpy(object), "credit_code": ents["credit_code"].to_numpy(object),
        "need_json": _needs(ents, units, picks, held, rng), "picked": picked,
        "message": _choice(rng, ["寻找研发办公空间（演示）", "希望尽快看房（演示）", "需要实验室条件（演示）", None], [3, 2, 1, 4], n),
        **{k: ents[k].to_numpy(object) for k in ("contact_name", "contact_phone", "contact_email")},
        "consent_version": "demo", "consent_text": CONSENT_TEXT, "consent_at": submitted,
        "stage": np.where(closed, CLOSED, np.array(STAGES, dtype=object)[last]),
        "stage_at": _stamps(t["stage_at"]), "assigned_to": np.where((last == 0) & ~closed, None, staff),
        "due_at": np.where(t["still"], _stamps(t["due"]), None), "eligible": eligible, "screening": screening,
        "close_reason": np.where(closed, np.array(_REASONS, dtype=object)[reason], None), "erased_at": None,
        "synthetic": True})
    signed = held[last[held] >= STAGES.index("signed")]
    leases = _leases(units, picks, signed, ids, t, staff, uid, rng, f"synthetic (seed {seed})")
    status, offer, let = units["status"].to_numpy(object).copy(), picks[held[last[held] == 5], 0], picks[signed]
    status[offer] = np.where(status[offer] == "available", "reserved", status[offer])
    status[let[let >= 0]] = "let"
    return {"enquiries": enquiries, "enquiry_events": _events(t, ids, picked, channel, staff, reason, leases),
            "leases": leases, "units": units.assign(status=status)}


def _leases(units, picks, signed, enquiry_ids, t, staff, uid, rng, cite) -> pd.DataFrame:
    """The lease of each signed or moved-in enquiry: its held units, their summed area, a rent a little
    under the asking rent, signed when it moved to signed, moved in when it moved to moved_in."""
    area, rent = units["area_m2"].to_numpy(float), units["rent_asked_cny_m2_month"].to_numpy(float)
    one, two = picks[signed, 0], picks[signed, 1]
    signed_s = t["at"][t["start"][signed] + STAGES.index("signed")]
    moved = t["start"][signed] + STAGES.index("moved_in")
    moved_in = np.where(moved < len(t["enq"]), moved, 0)
    is_moved = (t["enq"][moved_in] == signed) & (t["to"][moved_in] == STAGES.index("moved_in"))
    begin = (signed_s // _DAY + rng.integers(0, 46, len(signed))).astype("datetime64[D]")
    years = rng.choice([1, 2, 3, 5], len(signed))
    return _frame("leases", {
        "id": [f"syn-lease-{i:06d}" for i in range(1, len(signed) + 1)], "enquiry_id": enquiry_ids[signed],
        "carrier_id": units["carrier_id"].to_numpy(object)[one], "unit_ids": _joined(picks[signed], uid),
        "area_m2": area[one] + np.where(two >= 0, area[np.maximum(two, 0)], 0.0),
        "rent_cny_m2_month": np.round(rent[one] * rng.uniform(0.85, 1.0, len(signed)), 1), "rent_source": cite,
        "start": begin.astype(str).astype(object), "end": (begin + 365 * years).astype(str).astype(object),
        "signed_at": _stamps(signed_s), "signed_by": staff[signed],
        "moved_in_at": np.where(is_moved, _stamps(t["at"][moved_in]), None), "synthetic": True})


def _events(t, enquiry_ids, picked, channel, staff, reason, leases) -> pd.DataFrame:
    """One row per step: received (by the portal or a member of staff), then each move; details of
    the units shortlisted, the lease signed and the reason closed (JSON)."""
    enq, to, names = t["enq"], t["to"], np.array(_OUTCOMES, dtype=object)
    prev, details = np.where(to == len(STAGES), np.r_[0, to[:-1]], to - 1), np.full(len(to), None, dtype=object)
    for i in np.flatnonzero(to == STAGES.index("shortlisted")):
        details[i] = json.dumps({"units": (picked[enq[i]] or "").split(";")})
    lease_of = dict(zip(leases["enquiry_id"], zip(leases["id"], leases["unit_ids"])))
    for i in np.flatnonzero(to == STAGES.index("signed")):
        lease, units = lease_of[enquiry_ids[enq[i]]]
        details[i] = json.dumps({"lease": lease, "units": units.split(";")})
    for i in np.flatnonzero(to == len(STAGES)):
        details[i] = json.dumps({"reason": _REASONS[reason[enq[i]]]})
    return _frame("enquiry_events", {
        "id": [f"syn-evt-{i:07d}" for i in range(1, len(to) + 1)], "enquiry_id": enquiry_ids[enq],
        "at": _stamps(t["at"]), "who": np.where((t["pos"] == 0) & (channel[enq] == "portal"), "portal", staff[enq]),
        "from_stage": np.where(t["pos"] == 0, None, names[np.maximum(prev, 0)]), "to_stage": names[to],
        "note": np.vectorize(_NOTES.get, otypes=[object])(names[to]), "details": details, "undone_by": None,
        "synthetic": True})
