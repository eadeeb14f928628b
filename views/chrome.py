"""Page chrome shared by every page: language switch and header. Drawn once, in app.py."""
from __future__ import annotations

import logging
import secrets
from contextlib import contextmanager

import streamlit as st

import settings
from messages import DEFAULT_LANG, LANG_NAMES, LANGS, t
from views import admission, portal_data
from views.tables import md

log = logging.getLogger("spacemap.pages")


def _session_choice(key: str, options, default: str) -> str:
    """This session's choice for ``key``: kept in the session, first taken from ``?key=`` in the URL."""
    value = st.session_state.get(key)
    if value not in options:
        wanted = st.query_params.get(key, default)
        value = wanted if wanted in options else default
        st.session_state[key] = value
    return value


def current_lang() -> str:
    """The interface language of this session ('zh' by default)."""
    return _session_choice("lang", LANGS, DEFAULT_LANG)


def language_switch() -> str:
    """Draw the language switch in the sidebar and return the chosen language."""
    current = current_lang()
    choice = st.sidebar.radio(
        f"{t('language', 'zh')} / {t('language', 'en')}",
        options=list(LANGS),
        index=list(LANGS).index(current),
        format_func=LANG_NAMES.get,
        horizontal=True,
        key="lang_switch",
    )
    if choice != current:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
    return choice


def current_scope() -> str:
    """Futian or all of Shenzhen for this session ('futian' by default, or ``?scope=`` in the URL)."""
    from spatial.scope import DEFAULT_SCOPE, SCOPES

    return _session_choice("scope", SCOPES, DEFAULT_SCOPE)


def scope_switch(lang: str) -> str:
    """Draw the scope switch (Futian / all Shenzhen) in the sidebar and return the choice."""
    from spatial.scope import SCOPES

    current = current_scope()
    choice = st.sidebar.radio(t("scope", lang), options=list(SCOPES), index=list(SCOPES).index(current),
                              format_func=lambda s: t(f"scope_{s}", lang), horizontal=True, key="scope_switch")
    if choice != current:
        st.session_state["scope"] = choice
        st.query_params["scope"] = choice
    return choice


def header(lang: str, slot) -> None:
    """The product title, drawn into ``slot`` (a sidebar container above the switch)."""
    slot.title(t("app_title", lang))
    slot.caption(t("app_tagline", lang))


def demo_banner(lang: str) -> None:
    """On a demo store (its metadata says ``demo``), a warning above every page that the data are
    synthetic; nothing on a real store."""
    label = portal_data.demo()
    if label:
        st.warning(md("demo_banner", lang, label=label), icon=":material/science:")


def run_page(navigation, lang: str) -> None:
    """Run the chosen page below the demo banner (on a demo store). An unexpected error shows a short
    message with an error id; the traceback goes to the server log only (``SPACEMAP_DEBUG=1``: raised
    as it is, for developers)."""
    try:
        demo_banner(lang)
        navigation.run()
    except Exception:  # noqa: BLE001 - the last line of defence of every page
        if settings.debug():
            raise
        error_id = secrets.token_hex(4)
        log.exception("page failed, error id %s", error_id)
        st.error(t("page_error", lang, id=error_id))


def flash(key: str, kind: str, text: str) -> None:
    """Keep a message (``kind``: success, error, …) to show after the rerun a write triggers."""
    st.session_state[key] = (kind, text)


def show_flash(key: str) -> None:
    """Show the message :func:`flash` kept under ``key``, once."""
    kind, text = st.session_state.pop(key, (None, None))
    if kind:
        getattr(st, kind)(text)


@contextmanager
def admitted(lang: str, *, staff: bool):
    """Run the page when the process has room for it (:mod:`views.admission`): at once when it has; else,
    after :data:`~views.admission.NOTICE_AFTER_S`, a notice with the place in line (updated every second,
    removed when the page starts). Every update is also where Streamlit stops a closed or rerun session,
    which then leaves the line."""
    gate = admission.GATE
    ticket = gate.enter(admission.STAFF if staff else admission.VISITOR)
    notice = None
    try:
        wait = admission.NOTICE_AFTER_S
        while not gate.wait(ticket, wait):
            notice = notice or st.empty()
            notice.info(t("busy_wait", lang, n=gate.position(ticket)), icon=":material/hourglass_top:")
            wait = 1.0
    except BaseException:
        gate.cancel(ticket)
        raise
    try:
        if notice is not None:
            notice.empty()
        yield
    finally:
        gate.leave()
