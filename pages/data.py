"""数据更新: the monthly report, project edits and table replacements, each previewed, then published by an
admin or submitted by a zone editor for an admin to publish; and the submissions waiting."""

import streamlit as st

from corpsmap.accounts import Action, can
from corpsmap.i18n import t
from corpsmap.ui import data_entry, frame

lang = frame.lang()
st.title(t("page_data", lang), anchor=False)
user = frame.current_user()
number = frame.latest_version()
dataset = frame.full_dataset(number) if frame.sees_internal() else None
if dataset is None or not data_entry.my_zones(dataset):  # app.py lists this page for editors and admins only
    st.info(t("data_read_only", lang))
    st.stop()

admin = can(user, Action.PUBLISH)
tabs = ["data_tab_report", "data_tab_projects", *(["data_tab_tables"] if admin else []), "data_tab_submissions"]
drawn = dict(zip(tabs, st.tabs([t(k, lang) for k in tabs])))
# Every tab is drawn on each run: the latest version is read once for all of them.
with drawn["data_tab_report"]:
    data_entry.report_section(dataset, number, lang)
with drawn["data_tab_projects"]:
    data_entry.projects_section(dataset, number, lang)
if admin:
    with drawn["data_tab_tables"]:
        data_entry.tables_section(number, lang)
with drawn["data_tab_submissions"]:
    data_entry.submissions_section(lang)
