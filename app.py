"""Entry point: page setup, the shared sidebar and the list of pages (`make run` starts it)."""

import streamlit as st

from corpsmap.accounts import Action, can
from corpsmap.assets import install_static_assets
from corpsmap.config import ROOT
from corpsmap.i18n import t
from corpsmap.ui import failover, frame, memory, session

st.set_page_config(page_title="萧山兵团会战作战图 · Xiaoshan Corps Campaign Map",
                   page_icon=str(ROOT / "assets" / "icon.png"), layout="wide")  # a local icon: no font CDN
install_static_assets()  # cheap when the files are already in place

lang = frame.lang()
user = session.identify()  # who is asking decides which pages exist for them: others are "not found"
pages = [
    st.Page("pages/map.py", title=t("page_map", lang), icon=":material/map:", url_path="home", default=True),
    st.Page("pages/indicators.py", title=t("page_indicators", lang), icon=":material/monitoring:",
            url_path="indicators"),
    st.Page("pages/projects.py", title=t("page_projects", lang), icon=":material/list_alt:", url_path="projects"),
    st.Page("pages/about.py", title=t("page_about", lang), icon=":material/description:", url_path="about"),
]
if can(user, Action.UPLOAD_REPORT, next(iter(user.zones), None)):  # zone editors and admins
    pages.append(st.Page("pages/data.py", title=t("page_data", lang), icon=":material/upload_file:", url_path="data"))
if can(user, Action.VIEW_INTERNAL):
    pages.append(st.Page("pages/history.py", title=t("page_history", lang), icon=":material/history:",
                         url_path="history"))
if can(user, Action.READ_AUDIT):
    pages.append(st.Page("pages/audit.py", title=t("page_audit", lang), icon=":material/policy:", url_path="audit"))
if can(user, Action.IMPORT_BOUNDARIES):
    pages.append(st.Page("pages/boundaries.py", title=t("page_boundaries", lang), icon=":material/polyline:",
                         url_path="boundaries"))
if can(user, Action.MANAGE_USERS):
    pages.append(st.Page("pages/accounts.py", title=t("page_accounts", lang), icon=":material/group:",
                         url_path="accounts"))
# The map is the home page ("/"); the same page also answers at "/map" so that links of both forms work.
pages.append(st.Page("pages/map.py", title=t("page_map", lang), icon=":material/map:",
                     url_path=frame.MAP_URL_PATH, visibility="hidden"))
navigation = st.navigation(pages)
frame.sidebar()
failover.rebuild_after_reconnect()  # after losing its server, the page is rebuilt on another from its URL
navigation.run()
# Once per version and process: what lives as long as the process is kept out of the collection Streamlit runs
# after every run (corpsmap/ui/memory.py), the largest part of a click's server work until then.
memory.freeze_long_lived(frame.latest_version())
