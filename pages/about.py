"""数据与说明: where the data and geodata come from, what is illustrative, and the data files."""

import streamlit as st

from corpsmap.i18n import t
from corpsmap.ui import frame

lang = frame.lang()
data = frame.dataset()

st.title(t("page_about", lang), anchor=False)
st.markdown(t("about_body", lang))
st.subheader(t("about_sources", lang), anchor=False)
st.dataframe(data.sources, hide_index=True, width="stretch")
st.subheader(t("about_files", lang), anchor=False)
for name, frame_ in data.tables.items():
    with st.expander(f"{name}.csv · {len(frame_)}"):
        st.dataframe(frame_, hide_index=True, width="stretch")
