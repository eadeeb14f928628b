"""Streamlit entry point: page config, language switch, navigation. Nothing else."""
import streamlit as st

from views import chrome, map_page, overview
from views.text import t

st.set_page_config(page_title="福田科技空间地图 · Futian tech-space map", page_icon="🗺️", layout="wide")
title_slot = st.sidebar.container()
lang = chrome.language_switch()
chrome.header(lang, title_slot)
pages = [
    st.Page(map_page.render, title=t("page_map", lang), icon="🗺️", url_path="map", default=True),
    st.Page(overview.render, title=t("page_overview", lang), icon="📋", url_path="overview"),
]
st.navigation(pages, position="top").run()
