"""What every page shares: cached data, the language and base-map choice, the sidebar, error display."""

from __future__ import annotations

import os
from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from corpsmap import geo
from corpsmap.data import DataError, Dataset, load_dataset
from corpsmap.i18n import LANGS, normalize_lang, t
from corpsmap.progress import progress_table

# The public demo shows public rows only and offers no editing; set CORPSMAP_INTERNAL=1 on an intranet.
INTERNAL = os.environ.get("CORPSMAP_INTERNAL") == "1"


@st.cache_data(show_spinner=False)
def _dataset(internal: bool) -> Dataset:
    dataset = load_dataset()
    if not internal:
        dataset = replace(dataset, projects=dataset.projects[dataset.projects["public"]])
    return dataset


def dataset() -> Dataset:
    """The validated data (public rows only in the public demo); stops the page with the errors if invalid."""
    try:
        return _dataset(INTERNAL)
    except DataError as exc:
        st.error(t("data_error", lang()))
        st.code(str(exc), language=None)
        st.stop()


@st.cache_data(show_spinner=False)
def progress() -> pd.DataFrame:
    """序时进度 for every zone × indicator × month (see corpsmap.progress)."""
    return progress_table(dataset())


def reload_data() -> None:
    """Forget the cached data after a table was replaced, so every page shows the new values."""
    _dataset.clear()
    progress.clear()


@st.cache_resource(show_spinner=False)
def _geodata():
    return geo.load_zone_shapes(), geo.load_districts(), geo.load_river()


def geodata():
    """(zone shapes, districts, river) as GeoDataFrames, loaded once per server; treat as read-only."""
    try:
        return _geodata()
    except ValueError as exc:
        st.error(t("map_error", lang()))
        st.code(str(exc), language=None)
        st.stop()


def _leave_pages_directory_mode() -> None:
    """Make sure the page runs inside app.py's st.navigation.

    Streamlit treats a `pages/` folder as an old-style multipage app until st.navigation first runs in the
    server process, so a deep link opened first after a start would run its page bare (no page config, no
    sidebar). Switching the process to navigation mode and rerunning sends it through app.py.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def lang() -> str:
    """The UI language: from the sidebar switch, first seeded from `?lang=` so links keep their language.

    Every page and app.py call this first, so it also guards against Streamlit's pages-directory mode.
    """
    _leave_pages_directory_mode()
    if "lang" not in st.session_state:
        st.session_state["lang"] = normalize_lang(st.query_params.get("lang"))
    return st.session_state["lang"]


def _sync_lang_to_url() -> None:
    if st.session_state["lang"] == "en":
        st.query_params["lang"] = "en"
    else:
        st.query_params.pop("lang", None)


def link_params(**params: str) -> dict[str, str]:
    """Query parameters for a link to another page, with `lang=en` when in English so a copied link keeps it."""
    return {**params, "lang": "en"} if lang() == "en" else dict(params)


def online_tiles() -> bool:
    """True if the user chose an online base map (the only case where the app may call an outside host)."""
    return st.session_state.get("base_map") == "osm"


# Less empty space above the title: on a 1080p meeting-room screen the map should get the height.
_PAGE_CSS = "<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem;padding-bottom:1rem}</style>"


def sidebar() -> None:
    """Language switch, base-map choice and the demo notes, written once for every page."""
    current = lang()
    st.html(_PAGE_CSS)
    with st.sidebar:
        st.radio(t("language", current), LANGS, key="lang", horizontal=True,
                 format_func=lambda code: "中文" if code == "zh" else "English", on_change=_sync_lang_to_url)
        current = st.session_state["lang"]
        st.radio(t("base_map", current), ["offline", "osm"], key="base_map",
                 format_func=lambda b: t("base_offline" if b == "offline" else "base_osm", current))
        if online_tiles():
            st.caption(t("base_online_note", current))
        st.caption(t("internal_mode" if INTERNAL else "public_demo", current))
        st.caption(t("illustrative_note", current))
        st.caption(t("schematic_note", current))
    _sync_lang_to_url()


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


def md_escape(value: str) -> str:
    """A user-supplied value safe to show inside Streamlit markdown (no links, images or HTML)."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in str(value)[:80])


def html(markup: str, css: str = "") -> None:
    """Render `markup` (with its page's `css`); every data value in it must have been through html.escape.

    The one place the app renders raw HTML, so an audit of escaping starts at its callers.
    """
    st.markdown(css + markup, unsafe_allow_html=True)
