"""Who is using this session: the logged-in account (name, role), the sidebar login and logout,
and the 30-minute idle timeout. Anonymous visitors have no account and no role."""
from __future__ import annotations

import math
import time

import streamlit as st

from messages import t
from views import data
from views.tables import md

ACCOUNT_KEY = "account"
SEEN_KEY = "account_seen"
NOTICE_KEY = "account_notice"


def account() -> dict | None:
    """The logged-in account of this session (``{"name", "role"}``), or None. Checked on every
    run: a session idle for 30 minutes, or whose account was disabled or removed, is logged out;
    a changed role takes effect at once."""
    held = st.session_state.get(ACCOUNT_KEY)
    if not held:
        return None
    now = time.time()
    if now - st.session_state.get(SEEN_KEY, 0.0) > data.IDLE_TIMEOUT_S:
        logout("idle")
        return None
    current = data.account(held["name"])
    if current is None:
        logout("disabled")
        return None
    if held.get("epoch") is not None and current.get("epoch") != held.get("epoch"):
        logout("password")  # the password changed since this session logged in
        return None
    st.session_state[ACCOUNT_KEY] = current
    st.session_state[SEEN_KEY] = now
    return current


def role() -> str | None:
    """The session's role, or None for an anonymous visitor."""
    current = account()
    return current["role"] if current else None


def allowed(needed: str) -> bool:
    """True when the session's account may do what role ``needed`` may."""
    return data.allows(role(), needed)


def who() -> str:
    """The logged-in account's name, recorded as "who" in the audit log (never typed by hand)."""
    current = account()
    if current is None:
        raise PermissionError("not logged in")
    return current["name"]


def logout(why: str | None = None) -> None:
    """End the session's login (``why``: ``idle`` or ``disabled`` shows a notice next time)."""
    for key in (ACCOUNT_KEY, SEEN_KEY):
        st.session_state.pop(key, None)
    for key in [k for k in st.session_state if str(k).startswith(("d_", "w_", "a_"))]:
        st.session_state.pop(key, None)  # forms and previews of the staff pages
    if why:
        st.session_state[NOTICE_KEY] = why


def login_box(lang: str) -> dict | None:
    """The sidebar's login form (or the account and a logout button); the account after it."""
    box = st.sidebar.container(border=True)
    current = account()  # may end the login (idle, disabled) and leave a notice
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        box.info(t(f"login_notice_{notice}", lang))
    if current:
        box.markdown(md("login_as", lang, name=current["name"], role=t(f"role_name_{current['role']}", lang)),
                     help=t("login_idle_note", lang))
        if box.button(t("logout", lang), key="logout"):
            logout()
            st.rerun()
        return current
    with box.expander(t("login_title", lang)), st.form("login", border=False):
        name = st.text_input(t("login_name", lang), key="login_name", max_chars=40)
        password = st.text_input(t("login_password", lang), type="password", key="login_password", max_chars=1024)
        if st.form_submit_button(t("login_button", lang)):
            result = data.login(name, password)
            if result.account:
                st.session_state[ACCOUNT_KEY] = result.account
                st.session_state[SEEN_KEY] = time.time()
                st.rerun()
            elif result.wait_s > 0:
                st.error(t("login_wait", lang, seconds=str(math.ceil(result.wait_s))))
            else:
                st.error(t("login_failed", lang))
    return None
