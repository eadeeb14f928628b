"""The Progress page's figures as text and tables, in Chinese or English: the headline cards, the plan's
targets, the count targets and the reported totals. Shared by the page and the printed planners' report,
so both show every figure the same way (qualifiers, dates as far as the source states them, reported
and ledger figures apart, never a pace across measures)."""
from __future__ import annotations

import pandas as pd

from layers.popups import NO_PROVENANCE, cite
from messages import lang_column, t
from spatial.provenance import qualifier_prefix


def m2(value) -> str:
    """An area in m² with thousands separators ("—" when there is none)."""
    return "—" if value is None else f"{value:,.0f}"


def pct(value) -> str:
    """A share in per cent with one decimal ("—" when there is none)."""
    return "—" if value is None else f"{value:.1f} %"


def when(day: str, precision, lang: str) -> str:
    """A report's date as far as its source states it: "no later than 2023-10-16", "in 2020"."""
    if precision == "reported_by":
        return t("p_when_reported_by", lang, date=day)
    if precision == "year":
        return t("p_when_year", lang, year=str(day)[:4])
    return t("p_when_day", lang, date=day)


def headline_cards(s: dict, lang: str, prov=NO_PROVENANCE) -> list[tuple[str, str, str]]:
    """The four headline figures: (label, value, note) — reported and ledger labelled apart, a
    figure of another measure than the goal's said to be so, no pace across measures."""
    latest = s["latest_reported"]
    measure = latest[lang_column("measure", lang)]
    other = "" if s.get("latest_same_measure_as_goal", True) else " · " + t("p_other_measure", lang)
    projected = s["projected_year_reaching_goal"]
    return [
        (t("p_reported", lang), qualifier_prefix(latest.get("qualifier"), lang)
         + t("value_m2", lang, value=f"{latest['area_m2']:,.0f}"),
         t("p_pct_goal", lang, pct=pct(s["pct_of_goal_reported"])) + other + " · " +
         t("p_reported_help", lang, date=when(latest["date"], latest.get("date_precision"), lang), measure=measure,
           carriers=latest["carriers"], source=cite(latest["source"], lang, prov))),
        (t("p_ledger", lang), t("value_m2", lang, value=f"{s['ledger_total_m2']:,.0f}"),
         t("p_pct_goal", lang, pct=pct(s["pct_of_goal_ledger"]))
         + (" · " + t("p_ledger_external", lang, area=m2(s["ledger_external_m2"]))
            if s.get("ledger_external_m2") else "")),
        (t("p_required", lang), t("value_m2_year", lang, value=m2(s["required_m2_per_year"])),
         t("p_required_help", lang, start=s["required_from"], deadline=s["deadline"])
         + ("" if s["historical_m2_per_year"] is None else
            " · " + t("p_historical", lang, pace=m2(s["historical_m2_per_year"])))),
        (t("p_projected", lang), str(projected) if projected else "—",
         t("p_projected_note", lang, since=s["historical_from"]) if s["historical_from"]
         else t("p_no_like_pace", lang)),
    ]


def targets_table(s: dict, lang: str, prov=NO_PROVENANCE) -> pd.DataFrame:
    """Each plan target with the last figure reported by its deadline."""
    rows = s["targets"]
    return pd.DataFrame({
        t("col_year", lang): [str(r["year"]) for r in rows],
        t("col_target", lang): [m2(r["target_m2"]) for r in rows],
        t("col_last_report", lang): [f"{m2(r['last_report_m2'])} ({r['last_report_date']})" if r["last_report_date"]
                                     else "—" for r in rows],
        t("col_pct", lang): [pct(r["pct"]) for r in rows],
        t("col_reached", lang): [(t("p_not_comparable", lang) if not r.get("comparable", True) else
                                  "—" if r["reached"] is None else t("yes" if r["reached"] else "no", lang))
                                 for r in rows],
        t("col_sources", lang): [cite(r["source"], lang, prov) for r in rows],
    })


def counts_table(s: dict, lang: str) -> pd.DataFrame:
    """Each counted indicator: baseline, targets by year, the latest count the sources give."""
    rows = s.get("count_targets", [])
    return pd.DataFrame({
        t("col_indicator", lang): [t(f"count_{r['indicator']}", lang) for r in rows],
        t("col_baseline", lang): ["—" if r["baseline"] is None else f"{r['baseline']['value']} ({r['baseline']['year']})"
                                  for r in rows],
        t("col_count_target", lang): [" → ".join(f"{g['value']} ({g['year']})" for g in r["targets"]) for r in rows],
        t("col_latest_count", lang): ["—" if r["latest"] is None else t(
            "count_when", lang, value=r["latest"]["value"],
            when=when(r["latest"]["date"], r["latest"]["date_precision"], lang)) for r in rows],
        t("col_pct", lang): [pct(r["pct_of_last_target"]) for r in rows],
    })


def reports_table(reports: pd.DataFrame, lang: str, prov=NO_PROVENANCE) -> pd.DataFrame:
    """The reported incubation totals with localised headers: each with its measure, its date as far
    as the source states it, its qualifier and its readable source."""
    dates = [when(str(d)[:10], p, lang) if p in ("reported_by", "year") else str(d)[:10]
             for d, p in zip(reports["date"], reports.get("date_precision", [None] * len(reports)))]
    quals = reports["qualifier"] if "qualifier" in reports.columns else [None] * len(reports)
    return pd.DataFrame({
        t("col_date", lang): dates,
        t("col_area_m2", lang): [qualifier_prefix(q, lang) + f"{a:,.0f}" for q, a in zip(quals, reports["area_m2"])],
        t("col_carriers", lang): reports["carriers"],
        t("col_measure", lang): reports[lang_column("measure", lang)],
        t("col_sources", lang): [cite(s, lang, prov) for s in reports["source"]],
    })
