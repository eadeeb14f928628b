"""Staff workspace: the enterprise demand pool (saved needs, delete, undo) and reverse matching
(which saved needs a carrier suits). Staff only: the page is in the navigation after login."""
from __future__ import annotations

import json

import streamlit as st

from messages import name_column, problem_text, t
from spatial.errors import SpaceMapError
from spatial.match import candidate_arrays
from spatial.match_explain import reverse_match
from spatial.need import need_from_dict
from views import data, session
from views.chrome import current_lang
from views.tables import html_table, md_escape


def _error(exc: Exception, lang: str) -> None:
    st.error(md_escape(problem_text(str(exc), lang)))


def _pool(lang: str, who: str) -> None:
    from layers.report import need_lines

    st.subheader(t("w_pool", lang))
    pool = data.pool_needs()
    if pool.empty:
        st.caption(t("w_pool_empty", lang))
    else:
        zones = {}
        rows = [[r.name, str(r.created_at)[:16].replace("T", " "), r.source or "",
                 "; ".join(need_lines(need_from_dict(json.loads(r.need_json)), lang, zones))]
                for r in pool.itertuples()]
        st.html(html_table([t("m_need_name", lang), t("w_created", lang), t("w_source", lang), t("w_need", lang)],
                           rows[::-1]))
        labels = dict(zip(pool["id"], pool["name"] + " · " + pool["created_at"].astype(str).str[:16]))
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        picked = c1.multiselect(t("w_delete_pick", lang), list(labels), format_func=labels.get, key="w_delete_ids",
                                placeholder=t("w_delete_placeholder", lang))
        if c2.button(t("w_delete", lang), key="w_delete", disabled=not picked):
            _write(lang, lambda: data.delete_needs(picked, who=who), "w_deleted")
    if st.button(t("w_undo", lang), key="w_undo", help=t("w_undo_help", lang)):
        _write(lang, lambda: data.undo_pool_change(who=who), "w_undone")


def _write(lang: str, action, done_key: str) -> None:
    try:
        result = action()
    except SpaceMapError as exc:
        _error(exc, lang)
    else:
        st.session_state["w_done"] = t(done_key, lang, **{k: v for k, v in result.items() if k == "undone"})
        st.session_state.pop("w_delete_ids", None)
        st.rerun()


def _reverse(lang: str) -> None:
    st.subheader(t("m_reverse", lang))
    st.caption(t("w_reverse_note", lang))
    pool = data.pool_needs()
    if pool.empty:
        st.caption(t("w_pool_empty", lang))
        return
    carriers = data.carriers()
    names = dict(zip(carriers["id"], carriers[name_column(lang)]))
    chosen = st.selectbox(t("m_reverse_pick", lang), list(names), format_func=names.get, key="w_reverse_pick")
    idx = int(carriers.index[carriers["id"] == chosen][0])
    one = candidate_arrays(carriers.iloc[[idx]])
    needs = [need_from_dict(json.loads(j)) for j in pool["need_json"]]
    ranked = reverse_match(one, needs, lang=lang)
    st.html(html_table([t("m_need_name", lang), t("m_score", lang), t("m_passes", lang), t("m_reasons", lang)],
                       [[pool["name"].iloc[r["index"]], r["score"], "✓" if r["passes"] else "✗", "; ".join(r["reasons"])]
                        for r in ranked]))


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_workspace", lang))
    if not session.allowed("staff"):
        st.info(t("staff_only", lang))
        return
    st.caption(t("w_intro", lang))
    done = st.session_state.pop("w_done", None)
    if done:
        st.success(done)
    _pool(lang, session.who())
    _reverse(lang)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
