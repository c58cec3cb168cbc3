"""Entry point: page setup, the shared sidebar and the list of pages (`make run` starts it)."""

import streamlit as st

from corpsmap.assets import install_static_assets
from corpsmap.config import ROOT
from corpsmap.i18n import t
from corpsmap.ui import frame

st.set_page_config(page_title="萧山兵团会战作战图 · Xiaoshan Corps Campaign Map",
                   page_icon=str(ROOT / "assets" / "icon.png"), layout="wide")  # a local icon: no font CDN
install_static_assets()  # cheap when the files are already in place

lang = frame.lang()
pages = [
    st.Page("pages/map.py", title=t("page_map", lang), icon=":material/map:", url_path="home", default=True),
    st.Page("pages/indicators.py", title=t("page_indicators", lang), icon=":material/monitoring:",
            url_path="indicators"),
    st.Page("pages/projects.py", title=t("page_projects", lang), icon=":material/list_alt:", url_path="projects"),
    st.Page("pages/about.py", title=t("page_about", lang), icon=":material/description:", url_path="about"),
]
if frame.INTERNAL:  # the public demo is read-only
    pages += [st.Page("pages/data.py", title=t("page_data", lang), icon=":material/upload_file:", url_path="data"),
              st.Page("pages/history.py", title=t("page_history", lang), icon=":material/history:",
                      url_path="history")]
# The map is the home page ("/"); the same page also answers at "/map" so that links of both forms work.
pages.append(st.Page("pages/map.py", title=t("page_map", lang), icon=":material/map:",
                     url_path=frame.MAP_URL_PATH, visibility="hidden"))
navigation = st.navigation(pages)
frame.sidebar()
navigation.run()
