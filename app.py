"""Streamlit entry point: page config, language switch, navigation. Nothing else."""
from pathlib import Path

import streamlit as st

from views import chrome
from messages import t

st.set_page_config(page_title="福田科技空间地图 · Futian tech-space map", page_icon=str(Path(__file__).parent / "static" / "icon.png"), layout="wide")
title_slot = st.sidebar.container()
lang = chrome.language_switch()
chrome.scope_switch(lang)
chrome.header(lang, title_slot)
pages = [
    st.Page("views/map_page.py", title=t("page_map", lang), icon=":material/map:", url_path="map", default=True),
    st.Page("views/match_page.py", title=t("page_match", lang), icon=":material/join_inner:", url_path="match"),
    st.Page("views/tally_page.py", title=t("page_tally", lang), icon=":material/bar_chart:", url_path="tally"),
    st.Page("views/progress_page.py", title=t("page_progress", lang), icon=":material/trending_up:",
            url_path="progress"),
    st.Page("views/data_page.py", title=t("page_data", lang), icon=":material/database:", url_path="data"),
    st.Page("views/overview.py", title=t("page_overview", lang), icon=":material/table_view:", url_path="overview"),
]
chrome.run_page(st.navigation(pages, position="top"), lang)
