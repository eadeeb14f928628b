"""Screening an enquiry: which of the ``screening_rules`` apply to the carriers it picked, and what
each says of the enterprise, with reasons in Chinese and English.

A rule (a row of the ``screening_rules`` layer) has a ``kind`` of the ``screening_kind``
vocabulary and a ``value``:

- ``qualification_any``: qualification codes, ``;``-separated; the enterprise holds one of them
  (a qualification past its ``expires`` date does not count; no qualification stated is unknown,
  as a form left blank does not say the enterprise has none);
- ``max_age_years``: a number; the enterprise was founded at most that many years ago;
- ``max_headcount``: a number; the enterprise has at most that many employees;
- ``industry_in``: industry codes, ``;``-separated; the enterprise is in one of them.

Each applicable rule gives ``ok`` True (passes), False (fails) or None (the enterprise did not
say enough to decide, or the rule's value cannot be read). Unknown is neither a pass nor a fail:
the enquiry is eligible (True) only when every rule passed, not eligible (False) when one failed,
and undecided (None) otherwise.
"""
from __future__ import annotations

import calendar
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import pandas as pd

from layers.vocab import INDUSTRIES, QUALIFICATIONS, SCREENING_KINDS, Term, split_codes

ANY_CARRIER = "*"


@dataclass(frozen=True)
class Screening:
    """The outcome: ``eligible`` True / False / None (undecided) and one reason per applicable rule,
    ``{"rule", "kind", "ok", "zh", "en"}``."""

    eligible: bool | None
    reasons: list[dict] = field(default_factory=list)


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NaT or (isinstance(value, str) and not value.strip())


def as_date(value) -> date | None:
    """A date from a date, a datetime, a pandas Timestamp or ISO text (its first 10 characters);
    None when blank. :class:`ValueError` when the text is not a date."""
    if _blank(value):
        return None
    if isinstance(value, datetime):  # pd.Timestamp is a datetime
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def _truthy(value) -> bool:
    if _blank(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "t", "是")
    return bool(value)


def _number(value) -> float | None:
    try:
        out = float(str(value).strip())
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def _names(codes, vocab: dict[str, Term]) -> tuple[str, str]:
    """The zh and en labels of ``codes`` joined for a sentence (unknown codes as they are)."""
    zh = "、".join(vocab[c].zh if c in vocab else c for c in codes)
    en = ", ".join(vocab[c].en if c in vocab else c for c in codes)
    return zh, en


def _limit_text(limit: float) -> str:
    return f"{limit:g}"


def _qualification_list(held) -> list[dict] | None:
    """The qualifications as ``[{"code", "evidence", "expires"}]`` from a list (of dicts or bare
    codes) or its JSON text; None when not given."""
    if _blank(held):
        return None
    if isinstance(held, str):
        held = json.loads(held)
    return [q if isinstance(q, dict) else {"code": q} for q in held if q]


def _check_qualifications(enterprise: dict, value, today: date):
    wanted = split_codes(value)
    want_zh, want_en = _names(wanted, QUALIFICATIONS)
    if not wanted:
        return None, "规则未列出资质", "the rule lists no qualification"
    try:
        held = _qualification_list(enterprise.get("qualifications"))
    except (ValueError, TypeError):
        return None, "资质信息无法读取", "the qualifications cannot be read"
    if not held:
        return None, f"未提供资质信息（需具备：{want_zh}）", f"qualifications not given (needs one of: {want_en})"
    current, expired, unreadable = [], [], []
    for q in held:
        code = q.get("code")
        if code not in wanted:
            continue
        try:
            expires = as_date(q.get("expires"))
        except ValueError:
            unreadable.append(code)
            continue
        (current if expires is None or expires >= today else expired).append(code)
    if current:
        zh, en = _names(current, QUALIFICATIONS)
        return True, f"具备{zh}", f"holds {en}"
    if unreadable:
        zh, en = _names(unreadable, QUALIFICATIONS)
        return None, f"{zh}的有效期无法读取", f"the expiry date of {en} cannot be read"
    if expired:
        zh, en = _names(expired, QUALIFICATIONS)
        return False, f"{zh}已过期（需具备有效的：{want_zh}）", f"{en} expired (needs a current one of: {want_en})"
    return False, f"不具备所需资质（需具备：{want_zh}）", f"holds none of: {want_en}"


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (a month is complete on the same day of the month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def _age_text(months: int, over_by_days: bool) -> tuple[str, str]:
    """"7 年 2 个月" / "7 years 2 months" (and "5 年多" / "over 5 years" a few days past 5 years)."""
    years, rest = divmod(months, 12)
    zh = " ".join(p for p in (f"{years} 年" if years else "", f"{rest} 个月" if rest else "") if p)
    en = " ".join(p for p in (f"{years} year{'s' * (years != 1)}" if years else "",
                              f"{rest} month{'s' * (rest != 1)}" if rest else "") if p)
    if not months:
        return "不到 1 个月", "less than a month"
    if over_by_days and not rest:
        return zh + "多", "over " + en
    return zh, en


def _check_age(enterprise: dict, value, today: date):
    limit = _number(value)
    if limit is None or limit < 0:
        return None, f"规则取值 {value!r} 不是年数", f"the rule's value {value!r} is not a number of years"
    try:
        founded = as_date(enterprise.get("founded"))
    except ValueError:
        return None, "成立日期无法读取", "the founding date cannot be read"
    if founded is None:
        return None, "未提供成立日期", "founding date not given"
    if founded > today:
        return None, f"成立日期 {founded} 晚于今天", f"the founding date {founded} is after today"
    months = _months_between(founded, today)
    over = founded < months_before(today, round(limit * 12))
    zh, en = _age_text(months, over_by_days=over and months == round(limit * 12))
    if over:
        return False, f"成立 {zh}，超过 {_limit_text(limit)} 年上限", \
            f"founded {en} ago, over the limit of {_limit_text(limit)}"
    return True, f"成立 {zh}，未超过 {_limit_text(limit)} 年上限", \
        f"founded {en} ago, within the limit of {_limit_text(limit)}"


def months_before(day: date, months: int) -> date:
    """The date ``months`` months before ``day`` (the last day of the month when it is shorter)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _check_headcount(enterprise: dict, value, today: date):
    limit = _number(value)
    if limit is None or limit < 0:
        return None, f"规则取值 {value!r} 不是人数", f"the rule's value {value!r} is not a headcount"
    headcount = enterprise.get("headcount")
    if _blank(headcount):
        return None, "未提供员工人数", "headcount not given"
    try:
        headcount = int(float(headcount))
    except (TypeError, ValueError):
        return None, f"员工人数 {headcount!r} 无法读取", f"the headcount {headcount!r} cannot be read"
    if headcount > limit:
        return False, f"员工 {headcount} 人，超过 {_limit_text(limit)} 人上限", \
            f"{headcount} employees, over the limit of {_limit_text(limit)}"
    return True, f"员工 {headcount} 人，未超过 {_limit_text(limit)} 人上限", \
        f"{headcount} employees, within the limit of {_limit_text(limit)}"


def _check_industries(enterprise: dict, value, today: date):
    wanted = split_codes(value)
    want_zh, want_en = _names(wanted, INDUSTRIES)
    if not wanted:
        return None, "规则未列出产业", "the rule lists no industry"
    held = enterprise.get("industries")
    held = split_codes(held) if isinstance(held, str) or _blank(held) else [c for c in held if not _blank(c)]
    if not held:
        return None, f"未提供所属产业（限：{want_zh}）", f"industries not given (must be one of: {want_en})"
    hit = [c for c in held if c in wanted]
    if hit:
        zh, en = _names(hit, INDUSTRIES)
        return True, f"属于{zh}", f"in {en}"
    zh, en = _names(held, INDUSTRIES)
    return False, f"所属产业为{zh}，不在{want_zh}之列", f"industries {en}, not one of: {want_en}"


_CHECKS = {"qualification_any": _check_qualifications, "max_age_years": _check_age,
           "max_headcount": _check_headcount, "industry_in": _check_industries}
assert set(_CHECKS) == set(SCREENING_KINDS), "the screening vocabulary and the checks disagree"


def applicable_rules(rules: pd.DataFrame, carrier_layers) -> pd.DataFrame:
    """The active rules whose ``applies_to`` is ``*`` or one of ``carrier_layers`` (a rule may name
    several layers, ``;``-separated)."""
    if rules is None or rules.empty:
        return pd.DataFrame(columns=["id", "applies_to", "kind", "value", "reason_zh", "reason_en", "active"])
    layers = set(carrier_layers)
    keep = [_truthy(active) and any(t == ANY_CARRIER or t in layers for t in split_codes(to))
            for active, to in zip(rules["active"], rules["applies_to"])]
    return rules[keep]


def _reason(rule, ok, zh: str, en: str) -> dict:
    kind = SCREENING_KINDS.get(rule["kind"])
    head_zh = "" if _blank(rule.get("reason_zh")) else str(rule["reason_zh"]).strip()
    head_en = "" if _blank(rule.get("reason_en")) else str(rule["reason_en"]).strip()
    head_zh = head_zh or (kind.zh if kind else str(rule["kind"]))
    head_en = head_en or (kind.en if kind else str(rule["kind"]))
    return {"rule": str(rule["id"]), "kind": str(rule["kind"]), "ok": ok,
            "zh": f"{head_zh}：{zh}", "en": f"{head_en}: {en}"}


def screen(enterprise: dict, carrier_layers: list[str], rules: pd.DataFrame, *, today: date) -> Screening:
    """Apply the rules that concern ``carrier_layers`` (the layers of the carriers or units the
    enquiry picked) to ``enterprise`` (keys ``qualifications`` — ``[{"code", "evidence",
    "expires"}]`` —, ``founded``, ``headcount``, ``industries``; a missing key, None or an empty
    list is unknown).

    Rules with the same ``any_of`` value are alternatives (e.g. "founded at most 5 years ago, or
    holding a qualification"): the group passes when one passes and fails when all fail. With no
    applicable rule the enquiry is eligible: nothing asks more of it."""
    reasons, groups = [], {}
    for rule in applicable_rules(rules, carrier_layers).to_dict("records"):
        check = _CHECKS.get(rule["kind"])
        if check is None:
            ok, zh, en = None, f"未知的规则类型 {rule['kind']!r}", f"unknown kind of rule {rule['kind']!r}"
        else:
            ok, zh, en = check(enterprise, rule.get("value"), today)
        reasons.append(_reason(rule, ok, zh, en))
        group = None if _blank(rule.get("any_of")) else str(rule["any_of"]).strip()
        groups.setdefault(group or f"rule:{rule['id']}", []).append(ok)
    # rules sharing an ``any_of`` group: one of them passing is enough; all failing fails
    oks = [True if True in g else (False if all(o is False for o in g) else None) for g in groups.values()]
    eligible = False if False in oks else (None if None in oks else True)
    return Screening(eligible, reasons)


def screening_to_json(result: Screening) -> str:
    """The reasons as JSON text (for the enquiry's ``screening`` field; ``eligible`` is its own field)."""
    return json.dumps(result.reasons, ensure_ascii=False)


def screening_from_json(text) -> list[dict]:
    """The reasons stored by :func:`screening_to_json` (``[]`` when blank)."""
    return [] if _blank(text) else json.loads(text)


def screening_as_dict(result: Screening) -> dict:
    """``{"eligible", "reasons"}`` (for JSON output of the command line)."""
    return asdict(result)
