"""Placement review, for editors: the enterprises the automatic placement was unsure of, each with its
candidate carriers and a form to confirm one, pick another carrier or say it is in none. Every
confirmation is audited with the logged-in account and undoable; a changed row (its ``row_version``)
is refused with a message, nothing written."""
from __future__ import annotations

import streamlit as st

from layers.vocab import PLACEMENT_METHODS
from messages import problem_text, t
from spatial.errors import ConflictError, SpaceMapError
from views import economy_data, session
from views.chrome import current_lang, flash, show_flash
from views.tables import html_table, md, md_escape

PAGE_SIZE = 15
FLASH = "w_pl_flash"
REVIEW_CSS = "<style>.sm-placements td:nth-child(-n+3){white-space:nowrap}</style>"
NONE = "__none__"
"""The choice "not in any carrier"."""


def _flash(kind: str, text: str) -> None:
    flash(FLASH, kind, text)


def _show_flash() -> None:
    show_flash(FLASH)


def _score(value) -> str:
    return "—" if value is None or value != value else f"{float(value):.2f}"


def _method(code, lang: str) -> str:
    return PLACEMENT_METHODS[code].label(lang) if code in PLACEMENT_METHODS else str(code or "")


def _candidates_text(row: dict, names: dict[str, str], lang: str) -> str:
    return t("list_sep", lang).join(
        t("pl_candidate", lang, name=names.get(str(c.get("carrier_id")), c.get("name_zh") or c.get("carrier_id")),
          score=_score(c.get("score"))) for c in row["candidates"])


def review_table(rows: list[dict], names: dict[str, str], lang: str) -> str:
    """The review list as an escaped HTML table: enterprise, address, method, confidence, candidates."""
    heads = [t(k, lang) for k in ("pl_col_enterprise", "pl_col_address", "pl_col_method", "pl_col_confidence",
                                  "pl_col_candidates")]
    return html_table(heads, [[r["name"] or r["enterprise_id"], r["address"] or "—", _method(r["method"], lang),
                               _score(r["confidence"]), _candidates_text(r, names, lang)] for r in rows],
                      numeric={3}, max_height=420, css_class="sm-placements") + REVIEW_CSS


def choices(row: dict, names: dict[str, str]) -> list[str]:
    """The form's options: the candidates (best first), "in none", then every other carrier by name."""
    first = [str(c["carrier_id"]) for c in sorted(row["candidates"], key=lambda c: -(c.get("score") or 0))
             if c.get("carrier_id") is not None]
    first = list(dict.fromkeys(first))
    return [*first, NONE, *(c for c in names if c not in set(first))]


def _label(option: str, row: dict, names: dict[str, str], lang: str) -> str:
    if option == NONE:
        return t("pl_option_none", lang)
    scores = {str(c.get("carrier_id")): c.get("score") for c in row["candidates"]}
    name = names.get(option, option)
    return t("pl_option_candidate", lang, name=name, score=_score(scores[option])) if option in scores else name


def _confirm(lang: str, row: dict, choice: str, reason: str, names: dict[str, str]) -> None:
    carrier = None if choice == NONE else choice
    who = row["name"] or row["enterprise_id"]
    try:
        result = economy_data.confirm(row["enterprise_id"], carrier, expected_version=row["row_version"],
                                      reason=reason.strip() or None)
    except ConflictError:
        _flash("error", md("pl_conflict", lang, name=who))
    except SpaceMapError as exc:
        st.error(md("pl_refused", lang, why=problem_text(str(exc), lang)))
        return
    else:
        where = t("pl_option_none", lang) if carrier is None else names.get(carrier, carrier)
        _flash("success", md("pl_done", lang, name=who, carrier=where, audit=result.get("audit_id") or ""))
    st.rerun()


def _form(lang: str, row: dict, names: dict[str, str]) -> None:
    """One placement's form (in its expander)."""
    key = f"w_pl_{row['id']}"
    with st.form(f"{key}_form", border=False):
        options = choices(row, names)
        choice = st.selectbox(t("pl_choice", lang), options, key=f"{key}_choice",
                              format_func=lambda o: _label(o, row, names, lang))
        reason = st.text_input(t("pl_reason", lang), key=f"{key}_reason", max_chars=200)
        if st.form_submit_button(t("pl_confirm", lang), type="primary"):
            _confirm(lang, row, choice, reason, names)


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_placements", lang))
    if not session.allowed("editor"):
        st.warning(t("pl_editors_only", lang))
        return
    st.caption(t("pl_intro", lang))
    _show_flash()
    rows = economy_data.review()
    if not rows:
        st.info(t("pl_nothing", lang))
        return
    names = economy_data.carrier_names(lang)
    st.markdown(f"**{t('pl_count', lang, n=len(rows))}**")
    st.html(review_table(rows, names, lang))
    pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    page = st.columns([1, 4])[0].selectbox(t("pl_page", lang), range(1, pages + 1), key="w_pl_page") if pages > 1 else 1
    for row in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        title = " · ".join(md_escape(v) for v in (row["name"] or row["enterprise_id"], row["address"]) if v)
        with st.expander(title):
            _form(lang, row, names)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
