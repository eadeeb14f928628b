"""The economy's page-data module: the indicator reports, a carrier's trend, the documents' reported
figures and the placements to review, cached by store revision; the editor's one write (confirming
where an enterprise is, with the logged-in account as ``who``), which drops the cached reads; and the
texts of the indicator cells as the pages show them (thousands separators, money in 万元, withheld
and unknown cells said in words). Who is public is decided here from the session, for every page
alike: anonymous visitors and roles below staff see the published cells only."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata.reports.economy import FIELDS, INDICATOR_COLUMNS, LEVELS, MONEY
from geodata.storage import as_location, store_version
from layers.vocab import INDUSTRIES, UNIT_AREA_BASES, split_codes
from messages import t
from views import data, session

__all__ = ["FIELDS", "LEVELS", "MONEY", "public_view", "report", "available_years", "has_figures", "trend",
           "reported", "review", "carrier_names", "confirm", "cell_text", "display_table", "sources_table"]

COUNT_FIELDS = ("enterprises", "high_tech", "specialised", "employees", "patents")
RATE_FIELDS = ("tax_yoy", "revenue_yoy")


def _version() -> tuple[str, int]:
    return store_version()


def public_view() -> bool:
    """True when the session sees the published cells only (anonymous, operators: below staff)."""
    return not session.allowed("staff")


# ---- reads --------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def _report(path: str, revision: int, level: str, year: int | None, years: tuple[int, int] | None, public: bool,
            scope: str) -> dict:
    from geodata.reports.economy import indicator_report

    return indicator_report(level, location=as_location(path), year=year, years=years, public=public, scope=scope)


def report(level: str, *, public: bool, year: int | None = None, years: tuple[int, int] | None = None) -> dict:
    """:func:`geodata.reports.economy.indicator_report` of the session's scope, cached (``public``: the
    disclosure rule applied; decide it with :func:`public_view`)."""
    return _report(*_version(), level, year, None if years is None else tuple(years), bool(public), data.scope())


def available_years() -> list[int]:
    """The years with enterprise figures (empty: the store holds none)."""
    return list(report("district", public=True)["available_years"])


def has_figures() -> bool:
    """Whether the store holds any enterprise figure."""
    return not report("district", public=True)["empty"]


@st.cache_data(show_spinner=False, max_entries=64)
def _trend(path: str, revision: int, carrier_id: str, public: bool) -> pd.DataFrame:
    from geodata.reports.economy import carrier_trend

    return carrier_trend(carrier_id, location=as_location(path), public=public)


def trend(carrier_id: str, *, public: bool) -> pd.DataFrame:
    """One carrier's indicators year by year (``year``, the fields, ``suppressed``), cached. Staff get
    :func:`geodata.reports.economy.carrier_trend`; the public the carrier's cells of each year's public
    carrier table of the session's scope, so that a cell withheld on the Tally page (by the rule or as a
    complement) is withheld here too, never published by another table's partition."""
    if not public:
        return _trend(*_version(), str(carrier_id), False)
    out = []
    for year in available_years():
        rows = report("carrier", public=True, year=year)["rows"]
        hit = rows.loc[rows["unit"].astype(str) == str(carrier_id)]
        if len(hit):
            out.append({"year": year, **{k: hit.iloc[0][k] for k in (*FIELDS, "suppressed")}})
    return pd.DataFrame(out, columns=["year", *FIELDS, "suppressed"])


@st.cache_data(show_spinner=False, max_entries=8)
def _reported(path: str, revision: int, scope: str, _frames, _carriers) -> dict:
    from geodata.reports.economy import reported_figures

    return reported_figures(_frames, _carriers)


def reported() -> dict:
    """What the documents themselves report (national high-tech enterprises, the target, the carriers'
    stated tenants), with sources: shown beside the computed indicators, never added to them."""
    return _reported(*_version(), data.scope(), data.frames(), data.carriers())


@st.cache_data(show_spinner=False, max_entries=4)
def _review(path: str, revision: int, statuses: tuple[str, ...]) -> list[dict]:
    from geodata.stewardship.economy import review_list

    return review_list(as_location(path), statuses=statuses)


def review(statuses: tuple[str, ...] = ("review",)) -> list[dict]:
    """The placements to review with their candidates (staff only: they name enterprises)."""
    return _review(*_version(), tuple(statuses))


@st.cache_data(show_spinner=False, max_entries=4)
def _carrier_names(path: str, revision: int) -> dict[str, tuple[str, str]]:
    from geodata.reports.inventory import store_snapshot

    carriers = store_snapshot(path, revision)[1]
    return dict(zip(carriers["id"].astype(str), zip(carriers["name_zh"].astype(str), carriers["name_en"].astype(str))))


def carrier_names(lang: str) -> dict[str, str]:
    """``{carrier id: name in lang}`` of every carrier in the store (all of Shenzhen), by name."""
    pick = 0 if lang == "zh" else 1
    names = {k: v[pick] for k, v in _carrier_names(*_version()).items()}
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


# ---- the editor's write ---------------------------------------------------------------------------

def confirm(enterprise_id: str, carrier_id: str | None, *, unit_id: str | None = None,
            expected_version: int | None = None, reason: str | None = None) -> dict:
    """Say where an enterprise is (``carrier_id`` None: in no carrier), as the logged-in editor; audited
    and undoable. A change since ``expected_version`` is a :class:`spatial.errors.ConflictError`, a
    refusal a :class:`spatial.errors.SpaceMapError`; nothing is written then."""
    from geodata.stewardship.economy import confirm_placement

    result = confirm_placement(enterprise_id, carrier_id, by=session.who(), unit_id=unit_id, location=data.store(),
                               expected_version=expected_version, reason=reason or None)
    data.forget()
    return result


# ---- the cells as the pages show them -----------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def number_text(field: str, value, lang: str) -> str:
    """A known figure as shown: money in 万元 (10k CNY), rates in %, the rest with thousands separators."""
    value = float(value)
    if field in MONEY:
        return f"{value / 1e4:,.1f}"
    if field == "occupancy":
        return f"{value:.1%}"
    if field in RATE_FIELDS:
        return f"{value:+.1%}"
    return f"{value:,.0f}"


def cell_text(field: str, value, withheld, lang: str) -> str:
    """One cell: ``保密 / withheld`` when the disclosure rule holds it back, ``未知 / unknown`` when no
    enterprise states it, else the figure (:func:`number_text`)."""
    if field in (withheld or ()):
        return t("ind_suppressed_cell", lang)
    if _missing(value):
        return t("unknown", lang)
    return number_text(field, value, lang)


def industries_text(codes, lang: str) -> str:
    """``;``-separated industry codes as their labels."""
    if _missing(codes) or not str(codes).strip():
        return ""
    return t("list_sep", lang).join(INDUSTRIES[c].label(lang) if c in INDUSTRIES else c for c in split_codes(codes))


def _basis_text(basis, lang: str) -> str:
    return "" if _missing(basis) else (UNIT_AREA_BASES[basis].label(lang) if basis in UNIT_AREA_BASES else str(basis))


def display_table(result: dict, lang: str) -> pd.DataFrame:
    """The indicator rows and the total as texts for the screen, headers with their units."""
    name = "name_zh" if lang == "zh" else "name_en"
    total = {**result["total"], name: t("unit_total", lang)}
    records = [*result["rows"].to_dict("records"), total]
    out = {INDICATOR_COLUMNS["unit"].get(lang): [str(r.get(name) or r.get("unit") or "") for r in records]}
    for field in FIELDS:
        out[INDICATOR_COLUMNS[field].get(lang)] = [cell_text(field, r.get(field), r.get("suppressed"), lang)
                                                  for r in records]
    out[INDICATOR_COLUMNS["occupancy_basis"].get(lang)] = [_basis_text(r.get("occupancy_basis"), lang)
                                                          for r in records]
    out[INDICATOR_COLUMNS["industries"].get(lang)] = [
        t("ind_suppressed_cell", lang) if "industries" in (r.get("suppressed") or ()) else
        industries_text(r.get("industries"), lang) for r in records]
    return pd.DataFrame(out)


def sources_table(result: dict, figures: dict, lang: str) -> pd.DataFrame:
    """The XLSX's sources sheet: the years, the disclosure rule, the measures, the data used, and the
    documents' reported figures with their sources (reported, not computed)."""
    from layers.popups import cite, provenance

    prov = provenance(data.frames(), data.today())
    years = result.get("years")
    rule = result.get("rule") or {}
    rows = [(t("ec_src_years", lang), "" if years is None else f"{years[0]}–{years[1]}"),
            (t("ec_src_rule", lang), t("ec_src_rule_public", lang, min=rule.get("min_enterprises", ""),
                                       share=f"{rule.get('dominance', 0):.0%}") if result.get("public") else
             t("ec_src_rule_staff", lang)),
            (t("ec_src_money", lang), t("ec_src_money_value", lang)),
            (t("ec_src_measure", lang), t("ec_per_m2_note", lang)),
            (t("ec_src_data", lang), t("ec_src_data_value", lang))]
    reported = [(t("ec_reported_high_tech", lang, date=r["date"], value=f"{r['value']:,}"), r["source"])
                for r in figures.get("high_tech_enterprises", [])]
    reported += [(t("ec_reported_target", lang, year=r["year"], value=f"{r['value']:,}"), r["source"])
                 for r in figures.get("high_tech_target", [])]
    rows += [(t("ec_src_reported", lang), f"{text} · {cite(source, lang, prov) or ''}") for text, source in reported]
    return pd.DataFrame(rows, columns=[t("ec_src_item", lang), t("ec_src_value", lang)])
