"""边界导入 (admins): official zone boundaries from the planning bureau's file, checked, previewed, published."""

import streamlit as st

from corpsmap.i18n import t
from corpsmap.ui import boundary_import, frame

lang = frame.lang()
st.title(t("page_boundaries", lang), anchor=False)
boundary_import.import_section(lang)
