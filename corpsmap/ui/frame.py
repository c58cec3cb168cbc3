"""What every page shares: cached data, the language and base-map choice, the sidebar, error display."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.runtime.pages_manager import PagesManager

from corpsmap import basemaps, geo, workflow
from corpsmap.accounts import Action, User, can
from corpsmap.basemaps import BaseMap
from corpsmap.changes import TableDiff
from corpsmap.data import DataError, Dataset
from corpsmap.i18n import LANGS, month_label, name_of, normalize_lang, t
from corpsmap.progress import progress_table
from corpsmap.store import Store, Version, open_store
from corpsmap.ui import session

# How long a server trusts its idea of the latest version before asking the store again (one tiny query,
# shared by every session of the process): a version published by another server shows within this time.
VERSION_CHECK_SECONDS = 3.0


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return open_store()


def store() -> Store:
    """The store of this server process (migrated, and seeded from data/ when empty); stops on failure."""
    try:
        return _store()
    except DataError as exc:  # a bad seed file in data/: name it, never a traceback
        st.error(t("data_error", lang()))
        st.code(exc.describe(lang()), language=None)
        st.stop()
    except SQLAlchemyError:
        st.error(t("store_unavailable", lang()))
        st.stop()


@st.cache_data(ttl=VERSION_CHECK_SECONDS, show_spinner=False)
def _latest_number() -> int:
    return store().current_number()


@st.cache_data(max_entries=64, show_spinner=False)
def _version(number: int) -> Version:
    return store().version(number)


# A version's data and progress are shared by every session as they are (cache_resource), not copied out to
# each (cache_data): a copy per call and per open page made each session hold its own, and the collection
# after every run walk all of them (docs/performance.md, "Many viewers"). Read-only: pandas' copy-on-write
# keeps a frame derived from them from changing them.
@st.cache_resource(max_entries=4, show_spinner=False)
def _dataset(number: int, internal: bool) -> Dataset:
    # A whole version at once, cached by its number: reruns and other sessions reuse it with no query.
    dataset = store().read(number)
    if not internal:
        dataset = replace(dataset, projects=dataset.projects[dataset.projects["public"]])
    return dataset


def latest_version() -> int:
    """The number of the latest published version."""
    try:
        return _latest_number()
    except SQLAlchemyError:
        st.error(t("store_unavailable", lang()))
        st.stop()


def preview_version() -> int | None:
    """The older version asked for with `?version=N` (read-only preview, signed-in people only), or None."""
    raw = st.query_params.get("version")
    if raw is None:
        return None
    if not sees_internal():  # older versions may hold rows made non-public since: not for visitors
        st.query_params.pop("version")
        return None
    latest = latest_version()
    if not raw.isdigit() or not 1 <= int(raw) <= latest:
        st.warning(t("unknown_version", lang(), value=md_escape(raw), latest=latest))
        st.query_params.pop("version")  # said once: the rest of this run (and links) show the latest
        return None
    return None if int(raw) == latest else int(raw)


def shown_version() -> int:
    """The version every view on this page shows."""
    return preview_version() or latest_version()


def version_info(number: int | None = None) -> Version:
    return _version(number or shown_version())


@st.cache_data(max_entries=2, show_spinner=False)
def _history(latest: int) -> list[Version]:
    return store().versions()


def history() -> list[Version]:
    """Every version, newest first (read again only when a new one is published)."""
    return _history(latest_version())


@st.cache_data(max_entries=16, show_spinner=False)
def version_diff(number: int) -> dict[str, TableDiff]:
    """What version `number` changed (see Store.diff): a version never changes, so this is worked out once."""
    return store().diff(number)


@st.cache_data(max_entries=4, show_spinner=False)
def upload(upload_id: int) -> tuple[str, bytes]:
    """(file name, content) of a stored upload, read once rather than on every rerun."""
    return store().upload(upload_id)


def current_user() -> User:
    """Who is asking in this run: a visitor, or a signed-in account (see corpsmap.ui.session)."""
    return session.current()


def sees_internal() -> bool:
    """Whether this person sees non-public rows (signed in on the intranet)."""
    return can(current_user(), Action.VIEW_INTERNAL)


def dataset() -> Dataset:
    """The data of the shown version: every row for signed-in people, public rows only for visitors. Shared by
    every session: treat as read-only."""
    return _dataset(shown_version(), sees_internal())


def recorded(make: Callable[[], bytes], filename: str, action: str = "download_internal",
             **what) -> Callable[[], bytes]:
    """Data for st.download_button, recorded in the audit log when clicked if it holds internal data (a
    signed-in person's download); a visitor's downloads are public and go unrecorded."""
    if not sees_internal():
        return make
    store_, user, client = store(), current_user(), session.client()
    # Runs on click, on another thread: no Streamlit calls in here.
    return lambda: workflow.downloaded(store_, user, action, filename=filename, content=make(), client=client,
                                       **what)


def full_dataset(number: int) -> Dataset:
    """Every row of version `number`, non-public ones included: signed-in people only (checked here)."""
    if not sees_internal():
        raise PermissionError("non-public rows are for signed-in people only")
    return _dataset(number, True)


def full_progress(number: int) -> pd.DataFrame:
    """序时进度 of every row of version `number` (signed-in people only), cached like `progress`."""
    full_dataset(number)
    return _progress(number, True)


@st.cache_resource(max_entries=4, show_spinner=False)
def _progress(number: int, internal: bool) -> pd.DataFrame:
    return progress_table(_dataset(number, internal))


def progress() -> pd.DataFrame:
    """序时进度 for every zone × indicator × month of the shown version (see corpsmap.progress); shared, read-only."""
    return _progress(shown_version(), sees_internal())


def reload_data() -> None:
    """After a publish on this server: look up the latest version now rather than within a few seconds."""
    _latest_number.clear()


@st.cache_resource(show_spinner=False)
def _base_layers():
    return geo.load_districts(), geo.load_river()


@st.cache_data(max_entries=64, show_spinner=False)
def _boundary_stamp(number: int) -> int:
    return store().boundary_stamp(number)


@st.cache_resource(max_entries=4, show_spinner=False)
def _zone_shapes(stamp: int):
    # Keyed by the last version that changed the boundaries: versions of data alone share one frame.
    text = store().boundaries(stamp) if stamp else None
    return geo.zone_shapes_from_geojson(text, f"boundaries of version {stamp}") if text else geo.load_zone_shapes()


def zone_shapes(number: int | None = None):
    """The zone shapes of version `number` (default: the shown one): imported boundaries where the store has
    them, the shipped schematic ones otherwise. Shared: treat as read-only."""
    return _zone_shapes(_boundary_stamp(number or shown_version()))


def boundary_note(lang_: str) -> str:
    """What the zone outlines are: schematic, official, or some of each (named)."""
    try:
        shapes = zone_shapes()
    except ValueError:  # the pages say so in full
        return t("schematic_note", lang_)
    official = geo.official_zones(shapes)
    if not official:
        return t("schematic_note", lang_)
    if official >= set(shapes["zone_id"]):
        return t("official_note", lang_)
    names = {r["zone_id"]: name_of(r, lang_, "short") for r in dataset().zones.to_dict("records")}
    schematic = [md_text(names.get(z, z)) for z in shapes["zone_id"] if z not in official]  # a caption: Markdown
    return t("partly_official_note", lang_, zones="、".join(schematic) if lang_ == "zh" else ", ".join(schematic))


def geodata():
    """(zone shapes of the shown version, districts, river) as GeoDataFrames; treat as read-only."""
    try:
        return (zone_shapes(), *_base_layers())
    except ValueError as exc:
        st.error(t("map_error", lang()))
        st.code(error_text(exc, lang()), language=None)  # a DataError (a ValueError) in the page's language
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
    """Query parameters for a link to another page, keeping `lang=en` and a previewed `version`."""
    params = dict(params)
    if lang() == "en":
        params["lang"] = "en"
    preview = preview_version()
    if preview and "version" not in params:
        params["version"] = str(preview)
    return params


MAP_URL_PATH = "map"  # the map also answers at /map (app.py); the home page is "/"


def map_page() -> st.Page:
    """The map page as a link target. A link to the home page itself comes out as a bare "?zone=…", relative
    to the page it is on, so it would stay there; /map is the same page under a path of its own."""
    return st.Page("pages/map.py", url_path=MAP_URL_PATH, visibility="hidden")


def offered_basemaps() -> list[BaseMap]:
    """The base maps this server offers (`[basemaps]` in secrets.toml: Tianditu key, review numbers, an
    intranet tile service); a bad custom entry is reported in the sidebar and left out."""
    config = session.secrets_section("basemaps")
    try:
        return basemaps.available(config)
    except ValueError as exc:
        st.session_state["_basemap_config_error"] = str(exc)
        return basemaps.available({k: v for k, v in config.items() if k != "custom"})


def on_phone() -> bool:
    """Whether the browser says it is a phone (user agent "Mobi", as every mobile browser sends)."""
    agent = st.context.headers.get("User-Agent") if st.context.headers else None
    return isinstance(agent, str) and "Mobi" in agent


def online_tiles() -> BaseMap:
    """The base map the user picked: false (the offline one) unless they chose an online one, the only case
    where the app may call an outside host."""
    return basemaps.by_id(offered_basemaps(), st.session_state.get("base_map"))


# Less empty space above the title (on a 1080p meeting-room screen the map should get the height), but the
# version line, the first element, must clear Streamlit's 60 px header bar.
_PAGE_CSS = ("<style>[data-testid='stMainBlockContainer']{padding-top:3.9rem;padding-bottom:1rem}"
             ".st-key-version_line p{margin-bottom:0}"
             # Printing a page for the meeting folder: no sidebar, header or buttons; the page's full width;
             # tables wrap instead of being cut at the paper's edge.
             "@media print{[data-testid='stSidebar'],[data-testid='stHeader'],[data-testid='stToolbar'],"
             "[data-testid='stSidebarCollapsedControl'],.stButton,[data-testid='stBaseButton-secondary']"
             "{display:none!important}"
             "[data-testid='stMainBlockContainer']{padding:0!important;max-width:100%!important}"
             ".table-scroll{overflow:visible!important}table{page-break-inside:auto}"
             "tr{page-break-inside:avoid}}"
             # Phones: a title that leaves room for the map on the first screen, and narrower margins.
             "@media (max-width:640px){h1{font-size:1.9rem!important;line-height:1.25!important}"
             "[data-testid='stMainBlockContainer']{padding-left:.8rem;padding-right:.8rem}}</style>")


def sidebar() -> None:
    """Language switch, base-map choice and the demo notes, written once for every page."""
    current = lang()
    st.html(_PAGE_CSS)
    with st.sidebar:
        st.radio(t("language", current), LANGS, key="lang", horizontal=True,
                 format_func=lambda code: "中文" if code == "zh" else "English", on_change=_sync_lang_to_url)
        current = st.session_state["lang"]
        offered = {b.id: b for b in offered_basemaps()}
        st.selectbox(t("base_map", current), list(offered), key="base_map",
                     format_func=lambda b: offered[b].name(current) + (
                         f"（{t(offered[b].unavailable, current)}）" if offered[b].unavailable else ""))
        picked, shown = offered.get(st.session_state.get("base_map")), online_tiles()
        if picked is not None and picked.unavailable:
            st.warning(t(picked.unavailable, current))
        if "_basemap_config_error" in st.session_state:
            st.error(md_escape(st.session_state.pop("_basemap_config_error")))
        if shown:
            st.caption(t("base_online_note", current) + " " + md_text(shown.credit()))
        mode = "internal_mode" if sees_internal() else "intranet_visitor" if session.INTRANET else "public_demo"
        st.caption(t(mode, current))
        session.sidebar(current)
        st.caption(t("illustrative_note", current))
        st.caption(boundary_note(current))
    _sync_lang_to_url()
    version_banner(current)


# Shown in China Standard Time: the people who publish and read the data are in Hangzhou.
DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


def version_text(version: Version, lang_: str) -> str:
    """'数据截至 2022年6月 · 第 2 版 · 发布于 2026-12-02 12:31' / 'Data as of Jun 2022 · version 2 · …'."""
    as_of = month_label(version.data_month, lang_) if version.data_month else "—"
    published = version.published_at.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")
    return t("version_line", lang_, month=as_of, number=version.number, published=published)


def _show_latest() -> None:
    st.query_params.pop("version", None)


def version_banner(lang_: str) -> None:
    """Which data every page shows; a clear banner while an older version is previewed."""
    preview = preview_version()
    text = version_text(version_info(), lang_)
    if preview:
        st.warning(t("version_preview", lang_, number=preview, latest=latest_version()) + " · " + text,
                   icon=":material/history:")
        st.button(t("version_show_latest", lang_), key="show_latest_version", on_click=_show_latest)
    else:
        with st.container(key="version_line"):
            st.caption(text)


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:")


# GitHub-flavoured Markdown turns bare URLs and e-mail addresses into links even when their punctuation is
# escaped; an invisible word joiner after the scheme, "www" or "@" keeps them text.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?<=@)")
_WORD_JOINER = "\u2060"


def md_text(value: object) -> str:
    """A data value shown as text inside Streamlit markdown (headings, titles, labels): no links, images,
    formatting or HTML from data."""
    text = _AUTOLINK.sub(_WORD_JOINER, str(value))
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def error_text(exc: Exception, lang: str) -> str:
    """An error as a page shows it (in st.code): a DataError's problems in `lang`, anything else as it reads."""
    return exc.describe(lang) if isinstance(exc, DataError) else str(exc)


def md_escape(value: str) -> str:
    """A user-supplied value (from a URL or a file name) safe inside markdown, cut to 80 characters."""
    return md_text(str(value)[:80])


def html(markup: str, css: str = "") -> None:
    """Render `markup` (with its page's `css`); every data value in it must have been through html.escape.

    The one place the app renders raw HTML, so an audit of escaping starts at its callers.
    """
    # Markdown leaves markup starting with a block tag (<div>, <table>, <p>, …) alone only up to a blank line:
    # a value with line breaks (a multi-line spreadsheet cell) would end it there, and the rest of the markup,
    # data included, be read as Markdown (links, bold). In HTML a line break is only a space.
    st.markdown(css + re.sub(r"[\r\n]+", " ", markup), unsafe_allow_html=True)
