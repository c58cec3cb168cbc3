"""指标与进度: which corps are ahead of 序时进度 and which behind, rankings and trends.

The month and the indicator live in `?month=` and `?ind=`; `?zone=` highlights one zone (the map links here).
"""

import streamlit as st

from corpsmap import progress
from corpsmap.i18n import t
from corpsmap.ui import briefing_pack, controls, frame
from corpsmap.ui import indicators as view

lang = frame.lang()
data = frame.dataset()
table = frame.progress()
zones = progress.zone_order(data)

st.title(t("page_indicators", lang), anchor=False)
st.caption(t("indicators_caption", lang))
if not progress.months(data):
    st.info(t("no_observations", lang))
    st.stop()

notices = st.container()
month_col, indicator_col, pack_col = st.columns([1, 2, 3], vertical_alignment="bottom")
with month_col:
    month = controls.url_choice(st.selectbox, t("month", lang), progress.months(data), key="ind_month", param="month",
                                default=progress.latest_month(data), lang=lang, notices=notices, keep_default=True,
                                format_func=lambda m: view.month_label(m, lang))
with indicator_col:
    options = progress.zone_indicators(data)
    indicator = controls.url_choice(st.selectbox, t("indicator", lang), options, key="ind_indicator", param="ind",
                                    default=controls.default_indicator(options), lang=lang, notices=notices,
                                    keep_default=True, format_func=controls.indicator_label(data, lang))
highlight = controls.url_zone(zones, lang, notices)
with pack_col:
    briefing_pack.pack_button(lang, month)

with notices:
    view.reconcile_warnings(data, lang)
view.headline_cards(data, lang)
view.status_matrix(data, table, month, zones, lang, highlight)
view.ranking_section(data, table, indicator, month, zones, lang, highlight)
view.trend_section(data, table, indicator, month, zones, lang)
