"""Progress toward the incubation-space goal (科技培育空间): the reported totals, the targets,
paces and projections, on like measures only. Pure functions on frames. The ledger is in
:mod:`spatial.ledger` (re-exported here).

Each reported total names its measure (总面积 of incubators and makerspaces, 总孵化面积,
科创孵化培育总面积 …) and the plan's goal is a measure of its own (科技培育空间): a pace runs only
between figures of one measure, a target is judged only by a figure of its measure, and the
what-if adds only planned space of the headline's measure. Where the sources give no like figure
the summary says so (None) rather than comparing unlike things.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from spatial.ledger import NOT_OPEN, _active, build_ledger, counted_at, ledger_series, ledger_total, parse_day

__all__ = ["NOT_OPEN", "build_ledger", "counted_at", "ledger_series", "ledger_total", "parse_day", "Goal",
           "goal_in_force", "goal_measure", "pace_between", "like_pace", "projected_year", "target_outcomes",
           "progress_summary", "cumulative_chart_data", "count_progress", "DAYS_PER_YEAR", "MAX_PROJECTION_YEARS",
           "CHART_YEARS"]
DAYS_PER_YEAR = 365.25
MAX_PROJECTION_YEARS = 1000.0
"""A goal further away than this at the historical pace is "never reached" (no year is given)."""
CHART_YEARS = 30.0
"""The chart draws a projection at most this many years ahead (a far goal would flatten the chart)."""


@dataclass(frozen=True)
class Goal:
    """The goal in force: area, year (reached by the year's end) and where it comes from."""

    area_m2: float
    year: int
    source: str
    set_by_planner: bool
    set_on: str | None = None
    """The day a planner set the goal (None for the plan's own target)."""

    @property
    def deadline(self) -> pd.Timestamp:
        """The last day of the goal year."""
        return pd.Timestamp(year=int(self.year), month=12, day=31)


def goal_in_force(targets: pd.DataFrame, goals: pd.DataFrame) -> Goal:
    """The latest goal set by planners, else the plan's target with the latest year."""
    if len(goals):
        g = goals.assign(_at=goals["set_at"].astype(str)).sort_values(["_at", "id"]).iloc[-1]
        return Goal(float(g["goal_m2"]), int(g["goal_year"]),
                    f"set by {g['set_by']} on {str(g['set_at'])[:10]}: {g['reason']}", True, str(g['set_at'])[:10])
    plan = targets.loc[targets["kind"] == "target"] if "kind" in targets.columns else targets
    if not len(plan):
        raise ValueError("no target and no goal set: nothing to track progress against")
    t = plan.sort_values("year").iloc[-1]
    return Goal(float(t["area_m2"]), int(t["year"]), str(t["source"]), False)


def _years(a: pd.Timestamp, b: pd.Timestamp) -> float:
    return (b - a).days / DAYS_PER_YEAR


def _sorted_reports(reports: pd.DataFrame) -> pd.DataFrame:
    out = reports.assign(day=reports["date"].map(parse_day))
    return out.sort_values(["day", "id"]).reset_index(drop=True)


def _measure(row) -> str | None:
    value = row.get("measure") if hasattr(row, "get") else None
    return None if value is None or value != value or value == "" else str(value)


def pace_between(reports: pd.DataFrame) -> list[dict]:
    """The change per year between each pair of consecutive reported figures, with their measures:
    ``like`` is false when the two figures measure different things (a change of measure, not a pace)."""
    r = _sorted_reports(reports)
    out = []
    for a, b in zip(r.iloc[:-1].to_dict("records"), r.iloc[1:].to_dict("records")):
        years = _years(a["day"], b["day"])
        out.append({"from": a["day"].date().isoformat(), "to": b["day"].date().isoformat(),
                    "from_m2": float(a["area_m2"]), "to_m2": float(b["area_m2"]),
                    "from_measure": _measure(a), "to_measure": _measure(b), "like": _measure(a) == _measure(b),
                    "m2_per_year": (float(b["area_m2"]) - float(a["area_m2"])) / years if years > 0 else None})
    return out


def like_pace(reports: pd.DataFrame) -> tuple[float | None, str | None]:
    """The historical pace of the latest report's measure — from the first report of that measure to
    the latest — and the date it runs from; (None, None) when fewer than two reports share it."""
    r = _sorted_reports(reports)
    latest = r.iloc[-1]
    same = r.loc[r.apply(_measure, axis=1) == _measure(latest)] if "measure" in r.columns else r
    if len(same) < 2:
        return None, None
    first = same.iloc[0]
    span = _years(first["day"], latest["day"])
    pace = (float(latest["area_m2"]) - float(first["area_m2"])) / span if span > 0 else None
    return pace, first["day"].date().isoformat()


def projected_year(start: pd.Timestamp, start_m2: float, goal_m2: float, pace: float | None) -> int | None:
    """The calendar year the goal is reached from ``start_m2`` at ``pace`` m²/year (None if never)."""
    if start_m2 >= goal_m2:
        return int(start.year)
    if pace is None or pace <= 0:
        return None
    years = (goal_m2 - start_m2) / pace
    if not np.isfinite(years) or years > MAX_PROJECTION_YEARS:
        return None  # not within a thousand years: "never" for any plan
    if years > 200:  # beyond what a pandas timestamp can hold: the year by arithmetic
        return int(start.year + (start.day_of_year - 1) / DAYS_PER_YEAR + years)
    when = start + pd.Timedelta(days=years * DAYS_PER_YEAR)
    return int(when.year)


def target_outcomes(reports: pd.DataFrame, targets: pd.DataFrame) -> list[dict]:
    """For each dated target: the last figure reported by its deadline, whether it measures what the
    target measures (``comparable``) and, only then, whether it reached it (else None)."""
    r = _sorted_reports(reports)
    out = []
    for t in targets.loc[targets["kind"] == "target"].sort_values("year").to_dict("records"):
        deadline = pd.Timestamp(year=int(t["year"]), month=12, day=31)
        before = r.loc[r["day"] <= deadline]
        last = before.iloc[-1] if len(before) else None
        comparable = last is not None and _measure(last) == _measure(t)
        reached = bool(float(last["area_m2"]) >= float(t["area_m2"])) if comparable else None
        out.append({"year": int(t["year"]), "target_m2": float(t["area_m2"]),
                    "last_report_date": None if last is None else last["day"].date().isoformat(),
                    "last_report_m2": None if last is None else float(last["area_m2"]),
                    "pct": None if last is None else 100.0 * float(last["area_m2"]) / float(t["area_m2"]),
                    "last_report_measure": None if last is None else _measure(last), "comparable": comparable,
                    "reached": reached, "source": t["source"]})
    return out


def count_progress(count_targets: pd.DataFrame, reported: pd.DataFrame) -> list[dict]:
    """Per counted indicator (incubators, national and city-level makerspaces, innovation carriers):
    its baseline, its targets by year and the latest count the sources report (with its date and
    precision), and the share of the last target that count is."""
    out = []
    for indicator in dict.fromkeys(count_targets["indicator"]):
        rows = count_targets.loc[count_targets["indicator"] == indicator].sort_values("year")
        base = rows.loc[rows["kind"] == "baseline"]
        goals = rows.loc[rows["kind"] == "target"]
        seen = reported.loc[reported["indicator"] == indicator].assign(day=lambda f: f["date"].map(parse_day))
        latest = seen.sort_values(["day", "id"]).iloc[-1] if len(seen) else None
        last_goal = goals.iloc[-1] if len(goals) else None
        out.append({
            "indicator": indicator,
            "baseline": None if base.empty else {"year": int(base["year"].iloc[0]), "value": int(base["value"].iloc[0])},
            "targets": [{"year": int(y), "value": int(v)} for y, v in zip(goals["year"], goals["value"])],
            "latest": None if latest is None else {
                "value": int(latest["value"]), "date": latest["day"].date().isoformat(),
                "date_precision": latest["date_precision"], "source": latest["source"]},
            "pct_of_last_target": None if latest is None or last_goal is None or not int(last_goal["value"])
            else 100.0 * int(latest["value"]) / int(last_goal["value"]),
            "source": rows["source"].iloc[0],
        })
    return out


def progress_summary(*, reports: pd.DataFrame, targets: pd.DataFrame, goals: pd.DataFrame, ledger: pd.DataFrame,
                     planned: pd.DataFrame, today: date, what_if: list[str] | None = None,
                     count_targets: pd.DataFrame | None = None, reported_counts: pd.DataFrame | None = None) -> dict:
    """Everything the progress page and ``cli.py progress`` show.

    Parameters
    ----------
    reports, targets, goals, planned : DataFrame
        The ``incubation_reports``, ``targets``, ``progress_goals`` and ``planned_additions`` tables.
    ledger : DataFrame
        From :func:`build_ledger`.
    today : date
        The date "now" means (deadlines passed or not).
    what_if : list of str, optional
        Ids of planned additions to add on top of the latest reported figure (default: the
        additions planned for years after the latest report's year or in it).

    Returns
    -------
    dict
        Keys of the CLI contract (``goal_m2``, ``goal_year``, ``latest_reported``,
        ``ledger_total_m2``, ``pct_of_goal_reported``, ``required_m2_per_year``,
        ``historical_m2_per_year``, ``projected_year_reaching_goal``) and more: the
        ledger's share, the gap to the latest report and its parts, deadline status, per
        target outcomes, paces between reports, and the what-if.
    """
    now = pd.Timestamp(today)
    goal = goal_in_force(targets, goals)
    r = _sorted_reports(reports)
    if not len(r):
        raise ValueError("no reported figure: cannot measure progress")
    latest = r.iloc[-1]
    latest_m2 = float(latest["area_m2"])
    historical, historical_from = like_pace(reports)
    ledger_now = ledger_total(ledger) if len(ledger) else 0.0
    return {
        **_goal_status(goal, r, now, goal_measure(targets)),
        "last_report_date": latest["day"].date().isoformat(),
        "latest_reported": _latest_reported(latest),
        "ledger_total_m2": ledger_now,
        "pct_of_goal_reported": 100.0 * latest_m2 / goal.area_m2,
        "pct_of_goal_ledger": 100.0 * ledger_now / goal.area_m2,
        "gap_reported_minus_ledger_m2": latest_m2 - ledger_now,
        "ledger_counts": _ledger_counts(ledger),
        **_required_paces(goal, latest, now),
        "historical_m2_per_year": historical,
        "historical_from": historical_from,
        "historical_measure": _measure(latest),
        "goal_measure": goal_measure(targets),
        "latest_same_measure_as_goal": _measure(latest) == goal_measure(targets),
        "pace_between_reports": pace_between(reports),
        "projected_year_reaching_goal": projected_year(latest["day"], latest_m2, goal.area_m2, historical),
        "targets": target_outcomes(reports, targets),
        "what_if": _what_if(planned, what_if, latest, goal, historical),
        "count_targets": [] if count_targets is None else count_progress(
            count_targets, reported_counts if reported_counts is not None else count_targets.iloc[0:0]),
    }


def goal_measure(targets: pd.DataFrame) -> str | None:
    """The measure of the plan's targets (planners' goals are set in the same measure)."""
    plan = targets.loc[targets["kind"] == "target"] if "kind" in targets.columns else targets
    return _measure(plan.iloc[-1]) if len(plan) and "measure" in plan.columns else None


def _goal_status(goal: Goal, reports: pd.DataFrame, now: pd.Timestamp, measure: str | None = None) -> dict:
    """The goal in force, today, its deadline and whether a report of the goal's measure reached it by
    then (None when no report measures what the goal measures: the sources cannot say)."""
    like = reports.loc[reports.apply(_measure, axis=1) == measure] if "measure" in reports.columns else reports
    reached = bool((like.loc[like["day"] <= goal.deadline, "area_m2"] >= goal.area_m2).any()) if len(like) else None
    return {"goal_m2": goal.area_m2, "goal_year": goal.year, "goal_source": goal.source,
            "goal_set_by_planner": goal.set_by_planner, "goal_set_on": goal.set_on, "today": now.date().isoformat(),
            "deadline": goal.deadline.date().isoformat(), "deadline_passed": bool(now > goal.deadline),
            "reached_by_deadline": reached}


def _latest_reported(latest: pd.Series) -> dict:
    """The latest reported figure, with its measure and source."""
    return {"date": latest["day"].date().isoformat(), "area_m2": float(latest["area_m2"]),
            "carriers": None if pd.isna(latest.get("carriers")) else int(latest["carriers"]),
            "measure": _measure(latest), "measure_zh": latest.get("measure_zh"), "measure_en": latest.get("measure_en"),
            "date_precision": latest.get("date_precision"), "qualifier": latest.get("qualifier"),
            "source": latest["source"]}


def _ledger_counts(ledger: pd.DataFrame) -> dict:
    """How many ledger entries there are, count now, have a known area, or sit inside a counted parent."""
    if not len(ledger):
        return {"carriers": 0, "counting_now": 0, "area_known": 0, "area_unknown": 0,
                "area_unknown_with_floor_area": 0, "floor_area_of_unknown_m2": 0.0, "within_counted_parent": 0}
    known = ledger["counted_area_m2"].notna()
    counted_now = counted_at(ledger, None)
    unknown = ledger.loc[~known]
    return {"carriers": int(len(ledger)), "counting_now": int((counted_now > 0).sum()),
            "area_known": int(known.sum()), "area_unknown": int((~known).sum()),
            "area_unknown_with_floor_area": int(unknown["floor_area_m2"].notna().sum()) if len(unknown) else 0,
            "floor_area_of_unknown_m2": float(unknown["floor_area_m2"].sum()) if len(unknown) else 0.0,
            "within_counted_parent": int((known & (counted_now == 0) & _active(ledger, None)).sum())}


def _required_paces(goal: Goal, latest: pd.Series, now: pd.Timestamp) -> dict:
    """What is left to the goal and the pace it needs, from the latest report and from today."""
    latest_m2 = float(latest["area_m2"])
    years_left = _years(latest["day"], goal.deadline)
    remaining_now = _years(now, goal.deadline)
    return {"remaining_m2": max(goal.area_m2 - latest_m2, 0.0),
            "required_m2_per_year": (goal.area_m2 - latest_m2) / years_left if years_left > 0 else None,
            "required_from": latest["day"].date().isoformat(),
            "required_m2_per_year_from_today": (goal.area_m2 - latest_m2) / remaining_now
            if remaining_now > 0 else None}


def _what_if(planned: pd.DataFrame, what_if: list[str] | None, latest: pd.Series, goal: Goal,
             historical: float | None) -> dict:
    """The latest reported figure plus the chosen planned additions of the same measure (default: the
    planned ones of the latest report's year and later), and when that reaches the goal at the
    historical pace. An addition of another measure is never added: it is listed in ``not_added``."""
    planned = planned.loc[planned["kind"] == "planned"] if "kind" in planned.columns else planned
    if what_if is None:
        what_if = [i for i, y in zip(planned["id"], planned["year"]) if int(y) >= int(latest["day"].year)]
    picked = planned.loc[planned["id"].isin(what_if)]
    unknown_ids = sorted(set(what_if) - set(planned["id"]))
    if unknown_ids:
        raise ValueError(f"unknown planned addition(s): {', '.join(unknown_ids)}; "
                         f"known: {', '.join(planned['id'])}")
    same = picked.apply(_measure, axis=1) == _measure(latest) if len(picked) and "measure" in picked.columns \
        else pd.Series(True, index=picked.index)
    chosen, other = picked.loc[same], picked.loc[~same]
    added = float(chosen["area_m2"].sum())
    with_additions = float(latest["area_m2"]) + added
    return {
        "additions": [{"id": a["id"], "year": int(a["year"]), "area_m2": float(a["area_m2"]),
                       "what_en": a["what_en"], "what_zh": a["what_zh"], "source": a["source"]}
                      for a in chosen.to_dict("records")],
        "not_added": [{"id": a["id"], "area_m2": float(a["area_m2"]), "measure": _measure(a),
                       "what_en": a["what_en"], "what_zh": a["what_zh"]} for a in other.to_dict("records")],
        "added_m2": added,
        "total_m2": with_additions,
        "pct_of_goal": 100.0 * with_additions / goal.area_m2,
        "projected_year_reaching_goal": projected_year(latest["day"], with_additions, goal.area_m2, historical),
    }


def cumulative_chart_data(summary: dict, ledger: pd.DataFrame, reports: pd.DataFrame, targets: pd.DataFrame,
                          *, today: date) -> pd.DataFrame:
    """Long table for the progress chart: ``series`` (ledger / reported / target / goal /
    projection / what_if), ``date``, ``area_m2`` and ``label``."""
    parts = []
    series = ledger_series(ledger, until=pd.Timestamp(today))
    if len(series):
        parts.append(series.assign(series="ledger", label=np.where(series["undated"], "now (incl. undated)", ""))
                     [["series", "date", "area_m2", "label"]])
    r = _sorted_reports(reports)
    parts.append(pd.DataFrame({"series": "reported", "date": r["day"], "area_m2": r["area_m2"].astype(float),
                               "label": r["id"]}))
    for t in targets.to_dict("records"):
        kind = "target" if t["kind"] == "target" else "baseline"
        parts.append(pd.DataFrame({"series": [kind], "date": [pd.Timestamp(year=int(t["year"]), month=12, day=31)],
                                   "area_m2": [float(t["area_m2"])], "label": [t["id"]]}))
    if summary["goal_set_by_planner"]:
        parts.append(pd.DataFrame({"series": ["goal"], "date": [pd.Timestamp(summary["deadline"])],
                                   "area_m2": [summary["goal_m2"]], "label": ["goal"]}))
    latest = summary["latest_reported"]
    pace = summary["historical_m2_per_year"]
    if pace and pace > 0:
        for name, start_m2 in (("projection", latest["area_m2"]), ("what_if", summary["what_if"]["total_m2"])):
            if name == "what_if" and not summary["what_if"]["added_m2"]:
                continue
            start = pd.Timestamp(latest["date"])
            years = min(max((summary["goal_m2"] - start_m2) / pace, 0.0), CHART_YEARS)  # a far goal: the next decades
            end = start + pd.Timedelta(days=years * DAYS_PER_YEAR)
            parts.append(pd.DataFrame({"series": [name, name], "date": [start, end],
                                       "area_m2": [start_m2, max(min(summary["goal_m2"], start_m2 + pace * years),
                                                                 start_m2)],
                                       "label": ["", ""]}))
    return pd.concat(parts, ignore_index=True)
