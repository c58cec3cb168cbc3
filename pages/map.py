"""作战图: the eight zones on the map; click one for its panel. The selection lives in `?zone=`, the colouring
in `?color=` and `?ind=`; `?present=1` shows it as a presentation (corpsmap/ui/presentation.py)."""

from contextlib import nullcontext

import streamlit as st

from corpsmap import geo, mapview
from corpsmap.i18n import t
from corpsmap.ui import controls, frame, map_component, panel, presentation
from corpsmap.ui.geodata import map_geodata

# Leaves the title above it on the first screen of a 360x740 phone, the smallest we test.
PHONE_MAP_HEIGHT = 470

lang = frame.lang()
if presentation.requested():
    presentation.show(lang)
    st.stop()
data = frame.dataset()
table = frame.progress()
shapes, districts, river = map_geodata(data, lang)
official = geo.official_zones(shapes)
known = set(data.zones["zone_id"])
version, internal = frame.shown_version(), frame.sees_internal()

st.title(t("app_title", lang), anchor=False)
if frame.on_phone():
    st.caption(t("app_subtitle", lang))
else:  # a phone is no meeting-room screen: no presentation button there
    subtitle, present = st.columns([5, 1], vertical_alignment="center")
    subtitle.caption(t("app_subtitle", lang))
    present.button(t("present_enter", lang), key="present_enter", icon=":material/slideshow:",
                   help=t("present_enter_help", lang), on_click=presentation.enter, width="stretch")


def _select_from_map() -> None:
    # Runs before the fragment reruns, so the map and the panel are drawn once, already with the new zone.
    zone_id = mapview.zone_from_click(st.session_state.get("zone_map"), known)
    if zone_id:
        st.query_params["zone"] = zone_id
        st.session_state["map_panel_first"] = True
        st.session_state["map_scroll_to_panel"] = True


def _clear_zone() -> None:
    st.query_params.pop("zone", None)
    st.session_state["map_panel_first"] = True


@st.fragment
def campaign_map() -> None:
    requested = st.query_params.get("zone")
    selected = requested if requested in known else None
    if requested and selected is None:
        st.warning(t("unknown_zone", lang, value=frame.md_escape(requested)))
    left, right = st.columns([3, 2], gap="medium")

    def zone_panel() -> None:
        # The container's key becomes the CSS class st-key-panel-<zone>: a stable hook for browser tests.
        with right, st.container(key=f"panel-{selected or 'corps'}"):
            if selected:
                st.button(t("all_corps", lang), icon=":material/arrow_back:", key="clear_zone",
                          on_click=_clear_zone)
                panel.zone_panel(data, table, selected, lang, controls.map_month(data),
                                 schematic=selected not in official)
                if st.session_state.pop("map_scroll_to_panel", False):
                    panel.scroll_into_view_on_phone(f"panel-{selected}")
            else:
                panel.corps_summary(data, table, lang, controls.map_month(data))

    def zone_map() -> None:
        with left:
            # On a phone the map comes first and is shorter, so that it fits the first screen; the colouring
            # and month controls follow it.
            phone = frame.on_phone()
            map_box = st.container() if phone else nullcontext()
            # A new colouring changes the map's script, so the map remounts; a zone click does not.
            colours = controls.map_colouring(data, table, lang, official)
            online, legend = frame.online_tiles(), colours.legend_html()
            # Rendered once per server for what it shows (the shapes and names come with the version), and
            # reused by every session and click: rendering it was most of a click's work (docs/performance.md).
            # The selected zone is outlined in the browser from ?zone=, so a click leaves the map's arguments
            # as they were and Streamlit sends a reference to the map the browser holds, not the map again.
            drawn = map_component.rendered(
                ("campaign", version, internal, lang, online, tuple(sorted(colours.fills.items())), legend),
                lambda: mapview.build_map(mapview.zone_features(shapes, data.zones, data.platforms, lang),
                                          colours.fills, districts, river, legend, lang, online_tiles=online,
                                          selection_from_url=True),
                component_key="zone_map")
            with map_box:
                map_component.show(drawn, height=PHONE_MAP_HEIGHT if phone else 680,
                                   returned_objects=["last_active_drawing"], on_change=_select_from_map)

    # Streamlit streams elements as they are made, so the order matters (docs/performance.md). After a zone
    # click the panel goes first and is not held up by the map (the click drew its outline in
    # the browser already); otherwise the map goes first, so that on a page load its iframe starts sooner.
    panel_first = st.session_state.pop("map_panel_first", False)
    for part in (zone_panel, zone_map) if panel_first else (zone_map, zone_panel):
        part()


campaign_map()
