"""Progress: ledger arithmetic over time, the double-count rule, paces, projections and goals."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from spatial.progress import (build_ledger, counted_at, goal_in_force, ledger_series, ledger_total, parse_day,
                              progress_summary, projected_year)

T = pd.Timestamp


def _carriers(*rows):
    base = {"name_zh": "x", "name_en": "x", "layer": "incubators", "parent_id": None, "status": "operating",
            "incubation_area_m2": None, "incubation_area_source": None, "floor_area_m2": None, "opened": None,
            "status_source": None}
    return pd.DataFrame([{**base, **r} for r in rows])


def _entries(*rows):
    cols = ["id", "carrier_id", "counted_area_m2", "area_basis", "area_source", "counted_from", "from_basis",
            "from_source", "counted_until", "until_source", "notes"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def test_build_ledger__opening_and_closure_dates_drive_the_series():
    carriers = _carriers({"id": "a"}, {"id": "b"}, {"id": "c", "incubation_area_m2": 500.0, "opened": "2022-03"})
    entries = _entries({"id": "e1", "carrier_id": "a", "counted_area_m2": 1000.0, "counted_from": "2020-01-01",
                        "counted_until": "2021-06-30"},
                       {"id": "e2", "carrier_id": "b", "counted_area_m2": 2000.0, "counted_from": "2021-01"})
    ledger = build_ledger(carriers, entries)
    assert ledger_total(ledger, T("2019-12-31")) == 0
    assert ledger_total(ledger, T("2020-01-01")) == 1000
    assert ledger_total(ledger, T("2021-03-01")) == 3000
    assert ledger_total(ledger, T("2021-06-30")) == 2000  # closed that day
    assert ledger_total(ledger, T("2022-03-01")) == 2500  # c counts from its opening with its incubation area
    series = ledger_series(ledger, until=T("2026-11-22"))
    assert series["area_m2"].tolist() == [1000, 3000, 2000, 2500, 2500]
    assert series["date"].iloc[0] == T("2020-01-01")
    assert series["undated"].tolist() == [False] * 4 + [True]


def test_counted_at__child_counts_only_until_its_parent_counts():
    # the makerspace opens first; once the park it sits in counts, the makerspace is inside that figure
    carriers = _carriers({"id": "park"}, {"id": "maker", "parent_id": "park"})
    entries = _entries({"id": "p", "carrier_id": "park", "counted_area_m2": 40_000.0, "counted_from": "2020-08-10"},
                       {"id": "m", "carrier_id": "maker", "counted_area_m2": 13_000.0, "counted_from": "2020-04"})
    ledger = build_ledger(carriers, entries)
    assert ledger_total(ledger, T("2020-05-01")) == 13_000
    assert ledger_total(ledger, T("2020-08-10")) == 40_000
    assert counted_at(ledger, T("2020-09-01")).tolist() == [40_000, 0]


def test_counted_at__parent_with_unknown_area_does_not_hide_child():
    carriers = _carriers({"id": "park"}, {"id": "maker", "parent_id": "park"})
    entries = _entries({"id": "m", "carrier_id": "maker", "counted_area_m2": 300.0, "counted_from": "2021"})
    assert ledger_total(build_ledger(carriers, entries), T("2022-01-01")) == 300


def test_ledger_total__now_counts_undated_operating_but_not_planned_or_closed():
    carriers = _carriers({"id": "a", "incubation_area_m2": 100.0}, {"id": "b", "incubation_area_m2": 10.0,
                                                                    "status": "planned"},
                         {"id": "c", "incubation_area_m2": 1.0, "status": "closed"})
    ledger = build_ledger(carriers, _entries())
    assert ledger_total(ledger, None) == 100
    assert ledger_total(ledger, T("2030-01-01")) == 0  # undated entries cannot be placed in time


def test_parse_day__precisions():
    assert parse_day("2020") == T("2020-01-01")
    assert parse_day("2020-04") == T("2020-04-01")
    assert parse_day("2020-04-15") == T("2020-04-15")
    assert parse_day(None) is None and parse_day(float("nan")) is None


REPORTS = pd.DataFrame({"id": ["r1", "r2", "r3"], "date": ["2020-05-31", "2020-12-31", "2023-10-16"],
                        "area_m2": [210_000.0, 285_600.0, 760_000.0], "carriers": [24, 30, 43],
                        "measure_zh": ["a", "b", "c"], "measure_en": ["a", "b", "c"], "source": ["s1", "s2", "s3"]})
TARGETS = pd.DataFrame({"id": ["b", "t23", "t25"], "year": [2020, 2023, 2025],
                        "area_m2": [400_000.0, 1_000_000.0, 1_500_000.0], "kind": ["baseline", "target", "target"],
                        "source": ["001"] * 3})
PLANNED = pd.DataFrame({"id": ["tb", "hetao", "old"], "year": [2023, 2023, 2020],
                        "area_m2": [150_000.0, 100_000.0, 250_000.0], "what_zh": ["", "", ""],
                        "what_en": ["", "", ""], "source": ["004"] * 3})
NO_GOALS = pd.DataFrame(columns=["id", "goal_m2", "goal_year", "set_at", "set_by", "reason"])


def _summary(goals=NO_GOALS, today=date(2026, 11, 22), what_if=None):
    ledger = build_ledger(_carriers({"id": "a"}), _entries(
        {"id": "e", "carrier_id": "a", "counted_area_m2": 75_000.0, "counted_from": "2020-08-10"}))
    return progress_summary(reports=REPORTS, targets=TARGETS, goals=goals, ledger=ledger, planned=PLANNED,
                            today=today, what_if=what_if)


def test_progress_summary__headline_figures():
    s = _summary()
    assert s["goal_m2"] == 1_500_000 and s["goal_year"] == 2025
    assert s["latest_reported"]["date"] == "2023-10-16" and s["latest_reported"]["area_m2"] == 760_000
    assert s["pct_of_goal_reported"] == pytest.approx(50.6667, abs=1e-3)
    assert s["ledger_total_m2"] == 75_000 and s["pct_of_goal_ledger"] == pytest.approx(5.0)
    assert s["gap_reported_minus_ledger_m2"] == 685_000
    # 740,000 m² in the 807 days from 2023-10-16 to 2025-12-31
    assert s["required_m2_per_year"] == pytest.approx(740_000 / (807 / 365.25))
    # 550,000 m² in the 1,233 days between the first and the latest report
    assert s["historical_m2_per_year"] == pytest.approx(550_000 / (1233 / 365.25))
    assert s["projected_year_reaching_goal"] == 2028
    assert s["deadline_passed"] is True and s["reached_by_deadline"] is False
    assert s["required_m2_per_year_from_today"] is None
    assert [t["reached"] for t in s["targets"]] == [False, False]
    assert s["targets"][0]["pct"] == pytest.approx(76.0)


def test_progress_summary__what_if_planned_additions():
    s = _summary()
    assert [a["id"] for a in s["what_if"]["additions"]] == ["tb", "hetao"]  # the 2020 addition is history
    assert s["what_if"]["total_m2"] == 1_010_000
    assert s["what_if"]["pct_of_goal"] == pytest.approx(67.333, abs=1e-3)
    assert s["what_if"]["projected_year_reaching_goal"] == 2026
    assert _summary(what_if=[])["what_if"]["added_m2"] == 0
    with pytest.raises(ValueError, match="unknown planned addition"):
        _summary(what_if=["nope"])


def test_goal_in_force__latest_planner_goal_wins():
    goals = pd.DataFrame({"id": ["g1", "g2"], "goal_m2": [2_000_000.0, 1_800_000.0], "goal_year": [2030, 2028],
                          "set_at": ["2026-01-05T10:00:00", "2026-03-01T09:00:00"], "set_by": ["li", "wang"],
                          "reason": ["first", "revised"]})
    goal = goal_in_force(TARGETS, goals)
    assert (goal.area_m2, goal.year, goal.set_by_planner) == (1_800_000, 2028, True)
    s = _summary(goals=goals)
    assert s["deadline_passed"] is False
    # from today (2026-11-22) to 2028-12-31: 770 days
    assert s["required_m2_per_year_from_today"] == pytest.approx(1_040_000 / (770 / 365.25))
    assert goal_in_force(TARGETS, NO_GOALS).year == 2025


def test_projected_year__never_and_already():
    assert projected_year(T("2023-10-16"), 2_000_000, 1_500_000, 1.0) == 2023
    assert projected_year(T("2023-10-16"), 0, 1_500_000, 0.0) is None
    assert projected_year(T("2023-10-16"), 0, 1_500_000, None) is None


def test_progress_summary__paces_and_targets_only_between_like_measures():
    reports = REPORTS.assign(measure=["area_a", "area_b", "area_b"])
    targets = TARGETS.assign(measure=["area_b"] * 3)
    planned = PLANNED.assign(measure=["area_b", "other", "area_b"], kind=["planned", "planned", "past"])
    ledger = build_ledger(_carriers({"id": "a"}), _entries())
    s = progress_summary(reports=reports, targets=targets, goals=NO_GOALS, ledger=ledger, planned=planned,
                         today=date(2026, 11, 22))
    # 474,400 m² in the 1,019 days between the two reports of measure b; the first (a) is not a pace
    assert s["historical_m2_per_year"] == pytest.approx(474_400 / (1019 / 365.25))
    assert s["historical_from"] == "2020-12-31"
    assert [p["like"] for p in s["pace_between_reports"]] == [False, True]
    assert [t["comparable"] for t in s["targets"]] == [True, True] and s["reached_by_deadline"] is False
    assert [a["id"] for a in s["what_if"]["additions"]] == ["tb"]  # "hetao" measures something else
    assert [a["id"] for a in s["what_if"]["not_added"]] == ["hetao"] and s["what_if"]["total_m2"] == 910_000
    other = progress_summary(reports=reports, targets=TARGETS.assign(measure=["goal"] * 3), goals=NO_GOALS,
                             ledger=ledger, planned=planned, today=date(2026, 11, 22))
    assert other["reached_by_deadline"] is None  # no figure of the goal's measure: the sources cannot say
    assert [t["reached"] for t in other["targets"]] == [None, None]


def test_progress_summary__bundled_data(frames, store):
    from geodata.reports.inventory import snapshot

    carriers = snapshot(store)[1]
    ledger = build_ledger(carriers, frames["incubation_ledger"])
    # only the plan's carrier types: 19 science parks, 2 tech buildings, 8 incubators (the low-cost spaces,
    # research platforms and professional buildings are not 科技培育空间 carriers of the plan)
    assert len(ledger) == 29 and set(ledger["layer"]) == {"science_parks", "tech_buildings", "incubators"}
    # 华强北国际创客中心 5,000 m² [ext] (phase 1, undated); no other carrier of those types states an area
    assert ledger_total(ledger) == 5_000
    assert ledger_total(ledger, T("2020-05-01")) == 0  # the one counted area is undated: not placed in time
    s = progress_summary(reports=frames["incubation_reports"], targets=frames["targets"],
                         goals=frames["progress_goals"], ledger=ledger, planned=frames["planned_additions"],
                         today=date(2026, 11, 22), count_targets=frames["count_targets"],
                         reported_counts=frames["reported_counts"])
    assert s["latest_reported"]["area_m2"] == 760_000
    assert s["ledger_counts"]["within_counted_parent"] == 0
    assert s["ledger_counts"]["floor_area_of_unknown_m2"] == pytest.approx(998_086.6)  # context, never counted
    # three reports, three measures, none the goal's (科技培育空间): no pace, no projection, no verdict
    assert s["historical_m2_per_year"] is None and s["projected_year_reaching_goal"] is None
    assert s["reached_by_deadline"] is None and [t["reached"] for t in s["targets"]] == [None, None]
    assert s["what_if"]["added_m2"] == 0 and len(s["what_if"]["not_added"]) == 2
    assert [c["indicator"] for c in s["count_targets"]] == ["incubators", "national_makerspaces",
                                                            "city_makerspaces", "innovation_carriers",
                                                            "high_tech_enterprises"]


def test_not_counting_now__says_why_each_zero_is_zero():
    from spatial.ledger import not_counting_now

    carriers = _carriers({"id": "park"}, {"id": "maker", "parent_id": "park"}, {"id": "nofig"},
                         {"id": "plan", "incubation_area_m2": 10.0, "status": "planned"},
                         {"id": "shut", "incubation_area_m2": 1.0, "status": "closed"},
                         {"id": "gone", "status": "suspended"}, {"id": "wait", "status": "suspended"})
    entries = _entries({"id": "p", "carrier_id": "park", "counted_area_m2": 40_000.0, "counted_from": "2020-08-10"},
                       {"id": "m", "carrier_id": "maker", "counted_area_m2": 13_000.0, "counted_from": "2020-04"},
                       {"id": "g", "carrier_id": "gone", "counted_area_m2": 500.0, "counted_from": "2019",
                        "counted_until": "2021-06-30"},
                       {"id": "w", "carrier_id": "wait", "counted_area_m2": 700.0})
    ledger = build_ledger(carriers, entries)
    reasons = dict(zip(ledger["carrier_id"], not_counting_now(ledger)))
    assert reasons == {"park": None, "maker": "inside_parent", "nofig": "unknown_area", "plan": "not_open",
                       "shut": "closed", "gone": "ended", "wait": "not_started"}
    assert (counted_at(ledger) > 0).tolist() == [r is None for r in reasons.values()]  # the same rules
