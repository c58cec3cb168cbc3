"""The briefing pack's button: the PDF is made only when asked for (a few seconds, with a spinner), then offered
for download; a pack once made is kept by version, rows shown, month, zone and language."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from corpsmap import briefing
from corpsmap.data import Dataset
from corpsmap.i18n import month_label, t
from corpsmap.store import Version
from corpsmap.ui import frame


@st.cache_data(max_entries=16, show_spinner=False)
def _pdf(number: int, internal: bool, month: str | None, zone: str | None, lang: str, _dataset: Dataset,
         _version: Version, _table: pd.DataFrame, _shapes: gpd.GeoDataFrame) -> bytes:
    # A version never changes, so its number and whether non-public rows are in it fix the data and the zone
    # boundaries: the underscored arguments (not hashed) are what those name.
    return briefing.briefing_pdf(_dataset, _version, month, lang, zone, _table, _shapes)


def _asked(flag: str, what: tuple) -> None:
    st.session_state[flag] = what


def pack_button(lang: str, month: str | None, zone: str | None = None) -> None:
    """'Make the briefing pack (PDF)' for the shown version at `month` (one zone's pages with `zone`); once
    asked for, a button to download it, kept while the version, rows, month and language stay the same. Public
    rows only for visitors, as `frame.dataset()` gives them."""
    dataset, version = frame.dataset(), frame.version_info()
    what = (version.number, frame.sees_internal(), month, zone, lang)
    shown = month_label(month, lang) if month else "—"
    suffix = "_zone" if zone else ""
    key = f"briefing_{zone or 'corps'}"
    # A callback, not the button's return value: the request outlives a rerun, and the download button stays
    # for this pack (a click on it does not rerun; a pack for another month or language has to be asked for).
    st.button(t(f"briefing_make{suffix}", lang), key=f"{key}_make", icon=":material/picture_as_pdf:",
              help=t(f"briefing_help{suffix}", lang, month=shown, number=version.number),
              on_click=_asked, args=(f"{key}_asked", what))
    if st.session_state.get(f"{key}_asked") != what:
        return
    with st.spinner(t("briefing_making", lang, month=shown)):
        pdf = _pdf(*what, dataset, version, frame.progress(), frame.zone_shapes(version.number))
    name = briefing.file_name(version, month, lang, zone)
    st.download_button(t(f"briefing_download{suffix}", lang), frame.recorded(lambda: pdf, name, month=month,
                                                                             zone_id=zone, version=version.number),
                       file_name=name, mime="application/pdf", key=f"{key}_download", icon=":material/download:",
                       on_click="ignore", type="primary")
