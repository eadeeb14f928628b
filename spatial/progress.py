"""Progress toward the incubation-space goal (科技培育空间): the ledger, its cumulative series,
the reported totals, the targets, paces and projections. Pure functions on frames.

The ledger has one row per carrier (the plan counts 众创空间、孵化器、科技园区、"硅楼" — every
carrier layer — as cultivation carriers, 001 新倍增计划). A curated entry gives a carrier's
counted area and the dates it counts from / until; a carrier without one counts with its
stated incubation area from its opening date. At any date, a carrier does not count while a
carrier it is part of (``parent_id``) counts: a makerspace inside a park is not counted twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from spatial.stated import covered_by_ancestor, parent_positions

DAYS_PER_YEAR = 365.25
MAX_PROJECTION_YEARS = 1000.0
"""A goal further away than this at the historical pace is "never reached" (no year is given)."""
CHART_YEARS = 30.0
"""The chart draws a projection at most this many years ahead (a far goal would flatten the chart)."""
NOT_OPEN = ("planned", "under_construction")


def parse_day(value) -> pd.Timestamp | None:
    """A date from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (the first day of a month or year); None if blank."""
    if value is None or value != value or str(value).strip() == "":
        return None
    text = str(value).strip()
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    return pd.Timestamp(text)


def build_ledger(carriers: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """One ledger row per carrier: the curated entry if there is one, else the carrier's own figures.

    Returns
    -------
    DataFrame
        ``carrier_id``, ``name_zh``, ``name_en``, ``layer``, ``parent_id``, ``status``,
        ``counted_area_m2`` (NaN = unknown), ``area_basis``, ``area_source``,
        ``counted_from`` / ``counted_until`` (Timestamps or None), ``from_basis``,
        ``from_source``, ``until_source``, ``entry_id`` (None when derived) and
        ``floor_area_m2`` (the stated gross floor area, context for unknown counted areas).
    """
    by_carrier = {str(c): row for c, row in zip(entries["carrier_id"], entries.to_dict("records"))} \
        if len(entries) else {}
    rows = []
    for c in carriers.to_dict("records"):
        cid = str(c["id"])
        e = by_carrier.get(cid)
        incubation = c.get("incubation_area_m2")
        base = {"carrier_id": cid, "name_zh": c.get("name_zh"), "name_en": c.get("name_en"),
                "layer": c.get("layer"), "parent_id": c.get("parent_id"), "status": c.get("status"),
                "floor_area_m2": c.get("floor_area_m2")}
        if e is not None:
            base.update(counted_area_m2=e.get("counted_area_m2"), area_basis=e.get("area_basis"),
                        area_source=e.get("area_source"), counted_from=parse_day(e.get("counted_from")),
                        from_basis=e.get("from_basis"), from_source=e.get("from_source"),
                        counted_until=parse_day(e.get("counted_until")), until_source=e.get("until_source"),
                        entry_id=e.get("id"), notes=e.get("notes"))
        else:
            opened = parse_day(c.get("opened"))
            base.update(counted_area_m2=incubation, area_basis="incubation_area" if incubation == incubation and
                        incubation is not None else "unknown", area_source=c.get("incubation_area_source"),
                        counted_from=opened, from_basis="opened" if opened is not None else "unknown",
                        from_source=c.get("status_source") if opened is not None else None,
                        counted_until=None, until_source=None, entry_id=None, notes=None)
        rows.append(base)
    ledger = pd.DataFrame(rows)
    for col in ("counted_from", "counted_until"):
        if col in ledger.columns:
            ledger[col] = ledger[col].astype("object").where(ledger[col].notna(), None)
    if len(ledger):
        ledger["counted_area_m2"] = pd.to_numeric(ledger["counted_area_m2"], errors="coerce")
        ledger["floor_area_m2"] = pd.to_numeric(ledger["floor_area_m2"], errors="coerce")
    return ledger


def _active(ledger: pd.DataFrame, at: pd.Timestamp | None) -> np.ndarray:
    """Which entries count at ``at`` (None = now: undated operating carriers included). Vectorised."""
    has_start = ledger["counted_from"].notna().to_numpy()
    has_end = ledger["counted_until"].notna().to_numpy()
    status = ledger["status"].astype("object").to_numpy()
    if at is None:
        open_now = ~np.isin(status, list(NOT_OPEN)) & (status != "closed")
        return open_now & (has_start | (status == "operating")) & ~has_end
    starts = pd.to_datetime(ledger["counted_from"])
    ends = pd.to_datetime(ledger["counted_until"])
    return (has_start & (starts <= at).to_numpy()) & (~has_end | (ends > at).to_numpy())


def counted_at(ledger: pd.DataFrame, at: pd.Timestamp | None = None) -> pd.Series:
    """The area each entry adds at ``at`` (0 when not counting, unknown, or inside a counting parent).

    ``at=None`` means now, where carriers in operation whose start date is unknown count too.
    """
    if not len(ledger):
        return pd.Series([], dtype=float)
    area = ledger["counted_area_m2"].to_numpy(dtype=float)
    counting = _active(ledger, at) & ~np.isnan(area)
    frame = ledger.rename(columns={"carrier_id": "id"})
    covered = covered_by_ancestor(counting, parent_positions(frame))
    return pd.Series(np.where(counting & ~covered, area, 0.0), index=ledger.index)


def ledger_total(ledger: pd.DataFrame, at: pd.Timestamp | None = None) -> float:
    """The ledger's counted area at ``at`` (None = now), without double counting."""
    return float(counted_at(ledger, at).sum())


def ledger_series(ledger: pd.DataFrame, *, until: pd.Timestamp | None = None) -> pd.DataFrame:
    """The cumulative counted area at every date an entry starts or stops counting.

    Returns
    -------
    DataFrame
        ``date`` and ``area_m2``, one row per event date (ascending), plus a last row at
        ``until`` (today) that also holds undated entries; ``undated`` marks that row.
    """
    dates = sorted({d for d in [*ledger.get("counted_from", []), *ledger.get("counted_until", [])] if not pd.isna(d)})
    rows = [{"date": d, "area_m2": ledger_total(ledger, d), "undated": False} for d in dates]
    if until is not None:
        rows.append({"date": pd.Timestamp(until), "area_m2": ledger_total(ledger, None), "undated": True})
    return pd.DataFrame(rows, columns=["date", "area_m2", "undated"])


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


def pace_between(reports: pd.DataFrame) -> list[dict]:
    """The pace (m²/year) between each pair of consecutive reported figures."""
    r = _sorted_reports(reports)
    out = []
    for a, b in zip(r.iloc[:-1].to_dict("records"), r.iloc[1:].to_dict("records")):
        years = _years(a["day"], b["day"])
        out.append({"from": a["day"].date().isoformat(), "to": b["day"].date().isoformat(),
                    "from_m2": float(a["area_m2"]), "to_m2": float(b["area_m2"]),
                    "m2_per_year": (float(b["area_m2"]) - float(a["area_m2"])) / years if years > 0 else None})
    return out


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
    """For each dated target: the last figure reported by its deadline and whether it reached it."""
    r = _sorted_reports(reports)
    out = []
    for t in targets.loc[targets["kind"] == "target"].sort_values("year").to_dict("records"):
        deadline = pd.Timestamp(year=int(t["year"]), month=12, day=31)
        before = r.loc[r["day"] <= deadline]
        last = before.iloc[-1] if len(before) else None
        reached = None if last is None else bool(float(last["area_m2"]) >= float(t["area_m2"]))
        out.append({"year": int(t["year"]), "target_m2": float(t["area_m2"]),
                    "last_report_date": None if last is None else last["day"].date().isoformat(),
                    "last_report_m2": None if last is None else float(last["area_m2"]),
                    "pct": None if last is None else 100.0 * float(last["area_m2"]) / float(t["area_m2"]),
                    "reached": reached, "source": t["source"]})
    return out


def progress_summary(*, reports: pd.DataFrame, targets: pd.DataFrame, goals: pd.DataFrame, ledger: pd.DataFrame,
                     planned: pd.DataFrame, today: date, what_if: list[str] | None = None) -> dict:
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
    first, latest = r.iloc[0], r.iloc[-1]
    latest_m2 = float(latest["area_m2"])
    span = _years(first["day"], latest["day"])
    historical = (latest_m2 - float(first["area_m2"])) / span if span > 0 else None
    ledger_now = ledger_total(ledger) if len(ledger) else 0.0
    return {
        **_goal_status(goal, r, now),
        "latest_reported": _latest_reported(latest),
        "ledger_total_m2": ledger_now,
        "pct_of_goal_reported": 100.0 * latest_m2 / goal.area_m2,
        "pct_of_goal_ledger": 100.0 * ledger_now / goal.area_m2,
        "gap_reported_minus_ledger_m2": latest_m2 - ledger_now,
        "ledger_counts": _ledger_counts(ledger),
        **_required_paces(goal, latest, now),
        "historical_m2_per_year": historical,
        "historical_from": first["day"].date().isoformat(),
        "pace_between_reports": pace_between(reports),
        "projected_year_reaching_goal": projected_year(latest["day"], latest_m2, goal.area_m2, historical),
        "targets": target_outcomes(reports, targets),
        "what_if": _what_if(planned, what_if, latest, goal, historical),
    }


def _goal_status(goal: Goal, reports: pd.DataFrame, now: pd.Timestamp) -> dict:
    """The goal in force, today, its deadline and whether a report reached it by then."""
    reached = bool((reports.loc[reports["day"] <= goal.deadline, "area_m2"] >= goal.area_m2).any())
    return {"goal_m2": goal.area_m2, "goal_year": goal.year, "goal_source": goal.source,
            "goal_set_by_planner": goal.set_by_planner, "goal_set_on": goal.set_on, "today": now.date().isoformat(),
            "deadline": goal.deadline.date().isoformat(), "deadline_passed": bool(now > goal.deadline),
            "reached_by_deadline": reached}


def _latest_reported(latest: pd.Series) -> dict:
    """The latest reported figure, with its measure and source."""
    return {"date": latest["day"].date().isoformat(), "area_m2": float(latest["area_m2"]),
            "carriers": None if pd.isna(latest.get("carriers")) else int(latest["carriers"]),
            "measure_zh": latest.get("measure_zh"), "measure_en": latest.get("measure_en"),
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
    """The latest reported figure plus the chosen planned additions (default: those of the latest
    report's year and later), and when that reaches the goal at the historical pace."""
    if what_if is None:
        what_if = [i for i, y in zip(planned["id"], planned["year"]) if int(y) >= int(latest["day"].year)]
    chosen = planned.loc[planned["id"].isin(what_if)]
    unknown_ids = sorted(set(what_if) - set(planned["id"]))
    if unknown_ids:
        raise ValueError(f"unknown planned addition(s): {', '.join(unknown_ids)}; "
                         f"known: {', '.join(planned['id'])}")
    added = float(chosen["area_m2"].sum())
    with_additions = float(latest["area_m2"]) + added
    return {
        "additions": [{"id": a["id"], "year": int(a["year"]), "area_m2": float(a["area_m2"]),
                       "what_en": a["what_en"], "what_zh": a["what_zh"], "source": a["source"]}
                      for a in chosen.to_dict("records")],
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
