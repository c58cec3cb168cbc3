"""Choices that live in the URL (month, indicator, map colouring), so every view is a shareable link."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from corpsmap import colouring, progress
from corpsmap.data import Dataset
from corpsmap.i18n import month_label, name_of, t
from corpsmap.ui import frame

DEFAULT_INDICATOR = "investment"


def url_choice(widget: Callable, label: str, options: Sequence[str], *, key: str, param: str, default: str,
               lang: str, format_func: Callable[[str], str] = str, keep_default: bool = False,
               notices: DeltaGenerator | None = None, **kwargs) -> str:
    """A single-choice widget seeded from `?param=` and written back to it on every run.

    A value the options do not hold is reported in `notices` (escaped, with the default shown instead),
    never raised. The default is left out of the URL unless `keep_default`, to keep links short.
    """
    if st.session_state.get(key) not in options:  # first run on this page, or the options changed
        requested = st.query_params.get(param)
        if requested is not None and requested not in options:
            (notices or st).warning(t("bad_link_value", lang, name=label, value=frame.md_escape(requested),
                                      default=frame.md_text(format_func(default))))
        st.session_state[key] = requested if requested in options else default
    chosen = widget(label, options, key=key, format_func=format_func, **kwargs)
    if chosen not in options:  # the same page met under its other URL (/ and /map) can hand back None once
        chosen = default
    if chosen == default and not keep_default:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = chosen
    return chosen


def url_zone(zones: Sequence[str], lang: str, notices: DeltaGenerator | None = None) -> str | None:
    """The zone named by `?zone=` (the map links with it), or None; an unknown zone is reported and dropped."""
    requested = st.query_params.get("zone")
    if requested is None or requested in zones:
        return requested
    (notices or st).warning(t("unknown_zone", lang, value=frame.md_escape(requested)))
    st.query_params.pop("zone", None)
    return None


def indicator_label(dataset: Dataset, lang: str) -> Callable[[str], str]:
    """Formats an indicator id as its name in `lang`."""
    names = {r["indicator_id"]: name_of(r, lang) for r in dataset.indicators.to_dict("records")}
    return lambda indicator_id: names.get(indicator_id, indicator_id)


def default_indicator(options: Sequence[str]) -> str:
    """Investment if the data has it by zone (the figure leaders ask for first), else the first indicator."""
    return DEFAULT_INDICATOR if DEFAULT_INDICATOR in options else options[0]


def map_month(dataset: Dataset) -> str | None:
    """The month the map page shows (colours and panel): its picker's value, else `?month=`, else the latest."""
    known = progress.months(dataset)
    for candidate in (st.session_state.get("map_month"), st.query_params.get("month")):
        if candidate in known:
            return candidate
    return progress.latest_month(dataset)


def map_colouring(dataset: Dataset, table, lang: str, official: Collection[str] = frozenset()
                  ) -> colouring.Colouring:
    """The map's "colour zones by" choice (`?color=`, plus `?ind=` unless by platform), its month (`?month=`,
    the latest by default) and its colours; `official`: the zones with official boundaries, for the legend."""
    notices = st.container()
    mode_col, indicator_col, month_col = st.columns([5, 4, 2], vertical_alignment="bottom")
    with mode_col:
        mode = url_choice(st.segmented_control, t("color_by", lang), colouring.MODES, key="map_color",
                          param="color", default=colouring.PLATFORM, lang=lang, notices=notices,
                          format_func=lambda m: t(f"color_{m}", lang), required=True)
    indicator = None
    options = progress.zone_indicators(dataset)
    if mode != colouring.PLATFORM and not options:  # no observations at all: only platforms can colour the map
        notices.info(t("no_observations", lang))
        mode = colouring.PLATFORM
    if mode != colouring.PLATFORM:
        with indicator_col:
            indicator = url_choice(st.selectbox, t("indicator", lang), options, key="map_indicator", param="ind",
                                   default=default_indicator(options), lang=lang, notices=notices,
                                   format_func=indicator_label(dataset, lang), keep_default=True)
    else:
        st.query_params.pop("ind", None)
    known = progress.months(dataset)
    month = progress.latest_month(dataset)
    if known:
        with month_col:
            month = url_choice(st.selectbox, t("month", lang), known, key="map_month", param="month",
                               default=month, lang=lang, notices=notices, format_func=lambda m: month_label(m, lang))
    return _colouring(frame.shown_version(), frame.sees_internal(), mode, indicator, month, lang,
                      frozenset(official), dataset, table)


@st.cache_resource(max_entries=256, show_spinner=False)
def _colouring(version: int, internal: bool, mode: str, indicator: str | None, month: str | None, lang: str,
               official: frozenset[str], _dataset: Dataset, _table) -> colouring.Colouring:
    # Once per version and choice for the whole server: the version's number and rows fix the underscored
    # arguments (not hashed). Shared between sessions: treat the result as read-only.
    return colouring.colouring(mode, _table, _dataset, indicator, month, lang, official)
