import json
from datetime import date

import pandas as pd

from spatial.screening import (Screening, applicable_rules, as_date, months_before, screen, screening_from_json,
                               screening_to_json)

TODAY = date(2025, 6, 15)


def _rules(*rows) -> pd.DataFrame:
    columns = ["id", "applies_to", "kind", "value", "reason_zh", "reason_en", "active"]
    return pd.DataFrame([dict(zip(columns, row)) for row in rows], columns=columns)


AGE = ("R-age", "lowcost_spaces", "max_age_years", "5", "限初创企业", "start-ups only", True)
HEAD = ("R-head", "*", "max_headcount", "100", "限小微企业", "small firms only", True)
QUAL = ("R-qual", "tech_buildings", "qualification_any", "high_tech;specialised", "需高新资质",
        "needs a high-tech qualification", True)
IND = ("R-ind", "*", "industry_in", "ai;ic", "限重点产业", "priority industries only", True)


def _enterprise(**kw) -> dict:
    base = {"qualifications": [], "founded": "2022-03-01", "headcount": 20, "industries": ["ai"]}
    return {**base, **kw}


def test_age_rule__over_the_limit_fails_with_numbers():
    result = screen(_enterprise(founded=date(2018, 6, 15)), ["lowcost_spaces"], _rules(AGE), today=TODAY)
    assert result.eligible is False
    [reason] = result.reasons
    assert reason == {"rule": "R-age", "kind": "max_age_years", "ok": False,
                      "zh": "限初创企业：成立 7 年，超过 5 年上限",
                      "en": "start-ups only: founded 7 years ago, over the limit of 5"}


def test_age_rule__exactly_five_years_passes_a_day_more_fails():
    rules = _rules(AGE)
    exactly = screen(_enterprise(founded="2020-06-15"), ["lowcost_spaces"], rules, today=TODAY)
    day_more = screen(_enterprise(founded="2020-06-14T10:00:00+08:00"), ["lowcost_spaces"], rules, today=TODAY)
    assert exactly.eligible is True
    assert day_more.eligible is False
    assert "5 年多" in day_more.reasons[0]["zh"] and "over 5 years ago" in day_more.reasons[0]["en"]


def test_age_rule__years_and_months_in_the_text():
    result = screen(_enterprise(founded="2022-03-01"), ["lowcost_spaces"], _rules(AGE), today=TODAY)
    assert result.eligible is True
    assert result.reasons[0]["zh"] == "限初创企业：成立 3 年 3 个月，未超过 5 年上限"
    assert result.reasons[0]["en"] == "start-ups only: founded 3 years 3 months ago, within the limit of 5"


def test_unknown__is_neither_pass_nor_fail():
    result = screen(_enterprise(founded=None, headcount=None), ["lowcost_spaces"], _rules(AGE, HEAD), today=TODAY)
    assert result.eligible is None
    assert [r["ok"] for r in result.reasons] == [None, None]
    assert result.reasons[0]["en"] == "start-ups only: founding date not given"
    assert result.reasons[1]["zh"] == "限小微企业：未提供员工人数"


def test_one_failure__beats_unknown():
    result = screen(_enterprise(founded=None, headcount=250), ["lowcost_spaces"], _rules(AGE, HEAD), today=TODAY)
    assert result.eligible is False
    assert [r["ok"] for r in result.reasons] == [None, False]
    assert result.reasons[1]["en"] == "small firms only: 250 employees, over the limit of 100"


def test_rules__apply_by_carrier_layer_star_and_active():
    inactive = ("R-off", "*", "max_headcount", "1", "停用", "off", False)
    rules = _rules(AGE, HEAD, QUAL, inactive)
    assert list(applicable_rules(rules, ["tech_buildings"])["id"]) == ["R-head", "R-qual"]
    assert list(applicable_rules(rules, ["lowcost_spaces", "parks"])["id"]) == ["R-age", "R-head"]
    assert list(applicable_rules(rules, [])["id"]) == ["R-head"]
    assert screen(_enterprise(headcount=5000), ["parks"], _rules(AGE), today=TODAY) == Screening(True, [])


def test_active__read_from_text_as_stored():
    rules = _rules(HEAD[:-1] + ("false",), AGE[:-1] + ("true",))
    assert list(applicable_rules(rules, ["lowcost_spaces"])["id"]) == ["R-age"]


def test_qualification__expired_does_not_count():
    quals = [{"code": "high_tech", "evidence": "GR2021", "expires": "2025-06-14"}]
    result = screen(_enterprise(qualifications=quals), ["tech_buildings"], _rules(QUAL), today=TODAY)
    assert result.eligible is False
    assert result.reasons[0]["en"] == ("needs a high-tech qualification: National high-tech enterprise expired "
                                       "(needs a current one of: National high-tech enterprise, "
                                       "Specialised and innovative SME (专精特新))")


def test_qualification__current_or_expiring_today_counts():
    quals = [{"code": "high_tech", "expires": "2024-01-01"}, {"code": "specialised", "evidence": "x",
                                                                "expires": TODAY.isoformat()}]
    result = screen(_enterprise(qualifications=quals), ["tech_buildings"], _rules(QUAL), today=TODAY)
    assert result.eligible is True
    assert result.reasons[0]["zh"] == "需高新资质：具备专精特新"


def test_qualification__others_held_fails_none_stated_is_unknown():
    rules = _rules(QUAL)
    others = screen(_enterprise(qualifications=[{"code": "listed"}]), ["tech_buildings"], rules, today=TODAY)
    assert others.eligible is False
    assert others.reasons[0]["en"].endswith("holds none of: National high-tech enterprise, "
                                            "Specialised and innovative SME (专精特新)")
    for blank in ({"founded": None}, _enterprise(qualifications=[]), _enterprise(qualifications=None)):
        assert screen(blank, ["tech_buildings"], rules, today=TODAY).eligible is None


def test_qualification__json_text_as_stored():
    text = json.dumps([{"code": "high_tech", "evidence": "GR2023", "expires": "2026-12-31"}])
    assert screen(_enterprise(qualifications=text), ["tech_buildings"], _rules(QUAL), today=TODAY).eligible is True


def test_industry__one_of_passes_none_of_fails_with_labels():
    rules = _rules(IND)
    assert screen(_enterprise(industries=["biomed", "ic"]), [], rules, today=TODAY).eligible is True
    result = screen(_enterprise(industries=["biomed"]), [], rules, today=TODAY)
    assert result.eligible is False
    assert result.reasons[0]["zh"] == "限重点产业：所属产业为生物医药，不在人工智能、集成电路之列"
    assert result.reasons[0]["en"] == ("priority industries only: industries Biomedicine, not one of: "
                                       "Artificial intelligence, Integrated circuits")
    assert screen(_enterprise(industries="ai;biomed"), [], rules, today=TODAY).eligible is True
    assert screen(_enterprise(industries=[]), [], rules, today=TODAY).eligible is None


def test_unreadable_rule_value__unknown_not_a_failure():
    bad = ("R-bad", "*", "max_headcount", "many", "限小微企业", "small firms only", True)
    result = screen(_enterprise(), [], _rules(bad), today=TODAY)
    assert result.eligible is None
    assert "'many'" in result.reasons[0]["en"]


def test_blank_reason__falls_back_to_the_vocabulary_term():
    rule = ("R-x", "*", "max_headcount", "10", None, "", True)
    [reason] = screen(_enterprise(headcount=11), [], _rules(rule), today=TODAY).reasons
    assert reason["zh"] == "员工人数不超过：员工 11 人，超过 10 人上限"
    assert reason["en"].startswith("At most this many employees: 11 employees")


def test_json__round_trip_keeps_zh():
    result = screen(_enterprise(headcount=250), [], _rules(HEAD), today=TODAY)
    text = screening_to_json(result)
    assert "限小微企业" in text
    assert screening_from_json(text) == result.reasons
    assert screening_from_json(None) == [] and screening_from_json("") == []


def test_dates__helpers():
    assert as_date("2024-02-29T12:00:00+08:00") == date(2024, 2, 29)
    assert as_date(pd.Timestamp("2024-02-29 23:00")) == date(2024, 2, 29)
    assert as_date(float("nan")) is None and as_date("") is None
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert months_before(date(2025, 1, 15), 60) == date(2020, 1, 15)


def test_any_of__alternatives_pass_when_one_passes_and_fail_when_all_fail():
    age = {**dict(zip(["id", "applies_to", "kind", "value", "reason_zh", "reason_en", "active"], AGE)),
           "any_of": "young-or-qualified"}
    qual = {"id": "R-q2", "applies_to": "lowcost_spaces", "kind": "qualification_any", "value": "high_tech",
            "reason_zh": "或具备高新资质", "reason_en": "or a high-tech qualification", "active": True,
            "any_of": "young-or-qualified"}
    rules = pd.DataFrame([age, qual])
    old = date(2010, 1, 1)
    held = [{"code": "high_tech", "evidence": "cert", "expires": "2027-01-01"}]
    assert screen(_enterprise(founded=old, qualifications=held), ["lowcost_spaces"], rules, today=TODAY).eligible is True
    assert screen(_enterprise(founded="2023-01-01"), ["lowcost_spaces"], rules, today=TODAY).eligible is True
    expired = [{"code": "high_tech", "evidence": "cert", "expires": "2024-01-01"}]
    failed = screen(_enterprise(founded=old, qualifications=expired), ["lowcost_spaces"], rules, today=TODAY)
    assert failed.eligible is False and [r["ok"] for r in failed.reasons] == [False, False]
    # without the group the same enterprise fails the age rule even though it is qualified
    alone = rules.assign(any_of=None)
    assert screen(_enterprise(founded=old, qualifications=held), ["lowcost_spaces"], alone, today=TODAY).eligible is False
