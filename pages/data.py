"""数据更新: planners replace a table from a spreadsheet; saved only if the whole data set stays valid."""

import pandas as pd
import streamlit as st

from corpsmap.config import DATA_DIR
from corpsmap.data import TABLES, DataError, replace_table, upload_to_csv_text
from corpsmap.i18n import t
from corpsmap.ui import frame

lang = frame.lang()
st.title(t("page_data", lang), anchor=False)
if not frame.INTERNAL:
    st.info(t("data_read_only", lang))
    st.stop()

st.write(t("data_intro", lang))
name = st.selectbox(t("data_table", lang), list(TABLES), key="data_table", format_func=lambda n: f"{n}.csv")
st.download_button(t("data_download_current", lang), (DATA_DIR / TABLES[name].file).read_bytes(),
                   file_name=TABLES[name].file, mime="text/csv", key="data_download")
upload = st.file_uploader(t("data_file", lang), type=["csv", "xlsx"], key=f"upload_{name}")
if upload is not None:
    try:
        dataset = replace_table(name, upload_to_csv_text(upload.getvalue(), upload.name), file=upload.name)
    except DataError as exc:
        st.error(t("data_rejected", lang, file=frame.md_escape(upload.name)))
        st.dataframe(pd.DataFrame(
            [{t("data_file", lang): p.file, t("data_row", lang): p.row, t("data_column", lang): p.column,
              t("data_value", lang): p.value, t("data_problem", lang): p.message} for p in exc.problems]),
            hide_index=True, width="stretch")
    else:
        frame.reload_data()
        st.success(t("data_saved", lang, file=frame.md_escape(upload.name), rows=len(dataset.tables[name])))
