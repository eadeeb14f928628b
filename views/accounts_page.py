"""Accounts page (admins): every account with its role and state; add an account, disable or
enable one, change a role or a password. Every change is audited with the admin's name."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from messages import problem_text, t
from spatial.errors import SpaceMapError
from views import data, session
from views.chrome import current_lang
from views.tables import frame_table, md, md_escape

ROLES = ("staff", "editor", "admin", "operator")
ACTIONS = ("disable", "enable", "role", "carriers", "password")


def _when(stamp) -> str:
    """An ISO time stamp as ``YYYY-MM-DD HH:MM UTC`` (the store keeps UTC)."""
    return f"{str(stamp)[:16].replace('T', ' ')} UTC" if stamp else ""


def accounts_table(rows: list[dict], lang: str) -> pd.DataFrame:
    """The accounts (never their hashes) with headers and roles in ``lang``."""
    return pd.DataFrame({
        t("a_name", lang): [a["name"] for a in rows],
        t("a_role", lang): [t(f"role_name_{a['role']}", lang) for a in rows],
        t("a_state", lang): [t("a_disabled" if a["disabled"] else "a_active", lang) for a in rows],
        t("a_created", lang): [f"{_when(a['created_at'])} · {a['created_by']}" for a in rows],
        t("a_changed", lang): [f"{_when(a['changed_at'])} · {a['changed_by']}" if a.get("changed_at") else ""
                               for a in rows],
        t("a_carriers", lang): ["; ".join(a.get("carriers") or []) for a in rows],
    })


def _apply(lang: str, action: str, name: str, **values) -> None:
    try:
        data.change_account(action, name, who=session.who(), **values)
    except SpaceMapError as exc:
        st.error(md_escape(problem_text(str(exc), lang)))
    else:
        st.session_state["a_done"] = md("a_done", lang, name=name, action=t(f"a_action_{action}", lang))
        st.rerun()


def _add_form(lang: str) -> None:
    with st.form("a_add_form"):
        st.markdown(f"**{t('a_add', lang)}**")
        c1, c2 = st.columns(2)
        name = c1.text_input(t("a_name", lang), key="a_add_name", max_chars=40, help=t("a_name_help", lang))
        role = c2.selectbox(t("a_role", lang), ROLES, format_func=lambda r: t(f"role_name_{r}", lang), key="a_add_role")
        first = c1.text_input(t("a_password", lang), type="password", key="a_add_pw", max_chars=1024)
        again = c2.text_input(t("a_password_again", lang), type="password", key="a_add_pw2", max_chars=1024)
        carriers = _carrier_pick(lang, "a_add_carriers")
        if st.form_submit_button(t("a_add_button", lang)):
            if first != again:
                st.error(t("a_password_differs", lang))
            else:
                _apply(lang, "add", name, role=role, password=first, carriers=carriers)


def _carrier_pick(lang: str, key: str) -> list[str]:
    """The carriers an operator runs (names in ``lang``; only for the operator role)."""
    names = data.carrier_names(lang)
    return st.multiselect(t("a_carriers", lang), list(names), format_func=lambda i: names.get(i, i), key=key,
                          help=t("a_carriers_help", lang))


def _change_form(lang: str, rows: list[dict]) -> None:
    with st.form("a_change_form"):
        st.markdown(f"**{t('a_change', lang)}**")
        c1, c2 = st.columns(2)
        name = c1.selectbox(t("a_name", lang), [a["name"] for a in rows], key="a_change_name")
        action = c2.selectbox(t("a_action", lang), ACTIONS, format_func=lambda a: t(f"a_action_{a}", lang),
                              key="a_change_action")
        role = c1.selectbox(t("a_role", lang), ROLES, format_func=lambda r: t(f"role_name_{r}", lang),
                            key="a_change_role", help=t("a_role_help", lang))
        password = c2.text_input(t("a_password", lang), type="password", key="a_change_pw", max_chars=1024,
                                 help=t("a_password_help", lang))
        carriers = _carrier_pick(lang, "a_change_carriers")
        if st.form_submit_button(t("a_change_button", lang)) and name:
            if name == session.who() and action in ("disable", "role"):
                st.error(t("a_not_yourself", lang))
            else:
                _apply(lang, action, name, role=role, password=password, carriers=carriers)


def render() -> None:
    """Draw the page."""
    lang = current_lang()
    st.header(t("page_accounts", lang))
    if not session.allowed("admin"):
        st.info(t("admin_only", lang))
        return
    st.caption(t("a_intro", lang))
    done = st.session_state.pop("a_done", None)
    if done:
        st.success(done)
    rows = data.accounts()
    st.html(frame_table(accounts_table(rows, lang)))
    left, right = st.columns(2, gap="medium")
    with left:
        _add_form(lang)
    with right:
        if rows:
            _change_form(lang, rows)


if __name__ == "__main__":  # run as a page by st.navigation
    render()
