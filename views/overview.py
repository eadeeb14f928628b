"""Data overview page: every layer with counts, stated area sums, sources and validation."""
from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from layers.catalogue import LAYERS
from messages import pick, problem_text, t
from layers.popups import NO_PROVENANCE, cite, provenance
from layers.planning_text import reports_table
from views import data, session
from views.chrome import current_lang
from views.shared import shared
from views.tables import frame_table

_AREA_COLUMNS = (
    ("land_area_m2", "col_land"),
    ("floor_area_m2", "col_floor"),
    ("usable_area_m2", "col_usable"),
    ("space_area_m2", "col_space"),
    ("incubation_area_m2", "col_incubation"),
    ("available_area_m2", "col_available"),
)


NOT_APPLICABLE = "—"
OVERVIEW_NUMERIC = frozenset({3, 4, 11})
"""The overview table's count, located and computed-area columns: right-aligned figures."""
OVERVIEW_CSS = ("<style>.sm-overview{overflow-x:auto}.sm-overview table{min-width:1100px}"
                ".sm-overview th,.sm-overview th.num{vertical-align:bottom;white-space:normal}"
                ".sm-overview td:nth-child(2),.sm-overview td:nth-child(3){white-space:nowrap}"
                ".sm-overview td:first-child,.sm-overview th:first-child{position:sticky;left:0;background:#fff;"
                "min-width:8em;z-index:1}.sm-overview th:first-child{background:#f6f6f8;z-index:2}</style>")
LAYER_SOURCES_CSS = "<style>.sm-layer-sources td:first-child{white-space:nowrap;width:12em}</style>"
"""Every cell's text in full (area cells wrap before their count of stated figures), the layer column kept
in view when a narrow screen scrolls the table sideways."""


def _stated_cell(total: dict, lang: str) -> str:
    if total["sum"] is None:
        return t("unknown", lang)
    return f"{total['sum']:,.0f} ({t('stated_of', lang, known=total['known'])})"


def overview_table(rows: list[dict], problems: list[dict], lang: str, prov=NO_PROVENANCE) -> pd.DataFrame:
    """Build the overview table in ``lang`` from :func:`geodata.reports.overview.layer_overview` rows."""
    per_layer = Counter(p["layer"] for p in problems)
    records = []
    for r in rows:
        n = per_layer.get(r["key"], 0)
        rec = {
            t("col_layer", lang): pick(r["title_zh"], r["title_en"], lang),
            t("col_key", lang): r["key"],
            t("col_role", lang): t(f"role_{r['role']}", lang),
            t("col_count", lang): r["feature_count"],
            t("col_located", lang): str(r["located_count"]) if "located_count" in r else NOT_APPLICABLE,
        }
        for field, label in _AREA_COLUMNS:
            rec[t(label, lang)] = (_stated_cell(r["stated_areas_m2"][field], lang) if "stated_areas_m2" in r
                                   else NOT_APPLICABLE)
        computed = r.get("computed_area_m2")
        rec[t("col_computed", lang)] = f"{computed / 1e6:,.2f}" if computed is not None else NOT_APPLICABLE
        rec[t("col_status", lang)] = t("status_ok", lang) if n == 0 else t("status_problems", lang, n=n)
        rec[t("col_sources", lang)] = "; ".join(dict.fromkeys(cite(s, lang, prov) for s in r["sources"]))
        records.append(rec)
    return pd.DataFrame.from_records(records)


def problems_table(problems: list[dict], lang: str) -> pd.DataFrame:
    """Validation problems (``Problem.as_dict`` rows) with headers, layer titles and messages in ``lang``."""
    return pd.DataFrame({
        t("pr_layer", lang): [LAYERS[p["layer"]].title(lang) if p["layer"] in LAYERS else p["layer"] for p in problems],
        t("pr_id", lang): [p["id"] for p in problems],
        t("pr_field", lang): [p["field"] for p in problems],
        t("pr_value", lang): ["" if p["value"] is None else str(p["value"]) for p in problems],
        t("pr_message", lang): [problem_text(p["message"], lang) for p in problems],
    })


def sources_table(sources: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The source registry: each document's title, issuer, number and date, in ``lang``."""
    return pd.DataFrame({
        t("src_title", lang): [pick(zh, en, lang) for zh, en in zip(sources["title_zh"], sources["title_en"])],
        t("src_kind", lang): [t(f"src_kind_{k}", lang) for k in sources["kind"]],
        t("src_issuer", lang): [pick(zh or "", en or "", lang) for zh, en in zip(sources["issuer_zh"], sources["issuer_en"])],
        t("src_number", lang): sources["doc_number"].fillna(""),
        t("col_date", lang): [str(d or "") + (f"（{n}）" if n and lang == "zh" else f" ({n})" if n else "")
                              for d, n in zip(sources["date"].fillna(""), sources["date_note"].fillna(""))],
    })


def targets_table(targets: pd.DataFrame, lang: str, prov=NO_PROVENANCE) -> pd.DataFrame:
    """The plan targets with localised headers."""
    return pd.DataFrame({
        t("col_year", lang): targets["year"].astype(str),
        t("col_area_m2", lang): targets["area_m2"].map("{:,.0f}".format),
        t("col_kind", lang): targets["kind"].map(lambda k: t(f"kind_{k}", lang)),
        t("col_sources", lang): [cite(s, lang, prov) for s in targets["source"]],
    })


def visible(rows: list[dict], problems: list[dict], *, staff: bool) -> tuple[list[dict], list[dict]]:
    """The overview rows and problems a session may see: public layers for visitors, and for
    staff the staff tables too; never the accounts."""
    def shown(key: str) -> bool:
        access = LAYERS[key].access if key in LAYERS else "public"
        return access == "public" or (staff and access == "staff")
    return [r for r in rows if shown(r["key"])], [p for p in problems if shown(p["layer"])]


def _view(lang: str, staff: bool) -> dict:
    """What the page shows a visitor (``staff`` false) or staff in ``lang``: the same for every such session
    of a store revision and date, so built once (:func:`views.shared.shared`) and read-only."""
    rows, problems = visible(*data.overview(), staff=staff)
    frames = data.frames()
    prov = provenance(frames, data.today())
    table = overview_table(rows, problems, lang, prov)
    sources = t("col_sources", lang)  # long citation lists: a table of their own below, not row-high cells
    cited = table.loc[table[sources] != "", [t("col_layer", lang), sources]]
    within = sum(r["stated_areas_m2"][f]["within_parent"] for r in rows if "stated_areas_m2" in r
                 for f in r["stated_areas_m2"])
    has_sources = "sources" in frames and len(frames["sources"])
    return {"rows": rows, "problems": problems, "within": within,
            "table": frame_table(table.drop(columns=[sources]), css_class="sm-overview", numeric=OVERVIEW_NUMERIC)
            + OVERVIEW_CSS,
            "problems_table": problems_table(problems, lang) if problems else None,
            "reports": reports_table(frames["incubation_reports"], lang, prov),
            "targets": targets_table(frames["targets"], lang, prov),
            "cited": frame_table(cited, css_class="sm-layer-sources") + LAYER_SOURCES_CSS,
            "sources": sources_table(frames["sources"], lang) if has_sources else None}


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_overview", lang))
    st.caption(t("overview_intro", lang))
    staff = session.allowed("staff")
    view = shared("overview", (*data.revision(), data.today(), lang, staff), lambda: _view(lang, staff))
    rows, problems = view["rows"], view["problems"]
    if problems:
        st.error(t("validation_failed", lang, n=len(problems)))
    else:
        st.success(t("validation_ok", lang, features=sum(r["feature_count"] for r in rows), layers=len(rows)))
    st.html(view["table"])
    st.caption(t("within_parent_note", lang, n=view["within"]))
    st.info(t("approximate_note", lang))
    if problems:
        with st.expander(t("problems_title", lang), expanded=True):
            st.dataframe(view["problems_table"], hide_index=True, width="stretch")
    st.subheader(t("reports_title", lang))
    left, right = st.columns([3, 2])
    left.dataframe(view["reports"], hide_index=True, width="stretch")
    right.dataframe(view["targets"], hide_index=True, width="stretch")
    st.subheader(t("ov_layer_sources", lang))
    st.html(view["cited"])
    if view["sources"] is not None:
        st.subheader(t("src_registry", lang))
        st.dataframe(view["sources"], hide_index=True, width="stretch")
    st.caption(t(f"store_info_{data.store_kind()}", lang))  # never the server's path


if __name__ == "__main__":  # run as a page by st.navigation
    render()
