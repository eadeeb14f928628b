"""Streamlit entry point: page config, language switch, login, navigation. Nothing else.

Anonymous visitors get the public portal (map, match, tally, progress, overview); the staff
pages appear in the navigation only after login, each for the roles it serves."""
from pathlib import Path

import streamlit as st

from views import chrome, session
from messages import t

st.set_page_config(page_title="福田科技空间地图 · Futian tech-space map", page_icon=str(Path(__file__).parent / "static" / "icon.png"), layout="wide")
# Many visitors at once: a few page runs at a time, the others in line with a notice, staff first.
with chrome.admitted(chrome.current_lang(), staff=session.allowed("staff")):
    title_slot = st.sidebar.container()
    lang = chrome.language_switch()
    chrome.scope_switch(lang)
    chrome.header(lang, title_slot)
    session.login_box(lang)
    public = [
        st.Page("views/map_page.py", title=t("page_map", lang), icon=":material/map:", url_path="home", default=True),
        st.Page("views/match_page.py", title=t("page_match", lang), icon=":material/join_inner:", url_path="match"),
        st.Page("views/tally_page.py", title=t("page_tally", lang), icon=":material/bar_chart:", url_path="tally"),
        st.Page("views/progress_page.py", title=t("page_progress", lang), icon=":material/trending_up:",
                url_path="progress"),
        st.Page("views/overview.py", title=t("page_overview", lang), icon=":material/table_view:", url_path="overview"),
    ]
    pages = []  # the pages of a logged-in account: one menu of their own in the navigation bar
    if session.allowed("staff"):
        pages += [
            st.Page("views/workspace_page.py", title=t("page_workspace", lang), icon=":material/work:",
                    url_path="workspace"),
            st.Page("views/data_page.py", title=t("page_data", lang), icon=":material/database:", url_path="data"),
            st.Page("views/enquiries_page.py", title=t("page_enquiries", lang), icon=":material/contact_mail:",
                    url_path="enquiries"),
            st.Page("views/funnel_page.py", title=t("page_funnel", lang), icon=":material/filter_alt:", url_path="funnel"),
        ]
    if session.allowed("staff") or session.allowed("operator"):  # operators: their own units only
        pages.append(st.Page("views/units_page.py", title=t("page_my_units" if session.role() == "operator" else
                                                           "page_units", lang), icon=":material/meeting_room:",
                             url_path="units"))
    if session.allowed("editor"):
        pages.append(st.Page("views/placements_page.py", title=t("page_placements", lang), icon=":material/where_to_vote:",
                             url_path="placements"))
    if session.allowed("admin"):
        pages.append(st.Page("views/accounts_page.py", title=t("page_accounts", lang), icon=":material/group:",
                             url_path="accounts"))
    # The Map is the default page, at "/"; its own address /map (bookmarks, links) leads there, not to "page not found".
    public.append(st.Page(lambda: st.switch_page(public[0], query_params=st.query_params.to_dict()),
                          title=t("page_map", lang), url_path="map", visibility="hidden"))
    # Public pages as links; an account's pages under one menu (a flat bar of 12 overflows into Streamlit's
    # untranslated "2 more").
    chrome.run_page(st.navigation({"": public, t("nav_staff", lang): pages} if pages else public, position="top"), lang)
