"""数据更新: the monthly report, project edits and table replacements, each previewed, then published."""

import streamlit as st

from corpsmap.i18n import t
from corpsmap.ui import data_entry, frame

lang = frame.lang()
st.title(t("page_data", lang), anchor=False)
if not frame.INTERNAL:
    st.info(t("data_read_only", lang))
    st.stop()

report_tab, projects_tab, tables_tab = st.tabs([t("data_tab_report", lang), t("data_tab_projects", lang),
                                                t("data_tab_tables", lang)])
# Every tab is drawn on each run: read the latest version once for all three.
number = frame.latest_version()
dataset = frame.full_dataset(number)
with report_tab:
    data_entry.report_section(dataset, number, lang)
with projects_tab:
    data_entry.projects_section(dataset, number, lang)
with tables_tab:
    data_entry.tables_section(number, lang)
