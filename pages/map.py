"""作战图: the eight zones on the map; click one for its panel. The selection lives in `?zone=`, the colouring
in `?color=` and `?ind=`."""

import streamlit as st
from streamlit_folium import st_folium

from corpsmap import geo, mapview
from corpsmap.i18n import t
from corpsmap.ui import controls, frame, panel
from corpsmap.ui.geodata import map_geodata

lang = frame.lang()
data = frame.dataset()
table = frame.progress()
shapes, districts, river = map_geodata(data, lang)
official = geo.official_zones(shapes)
known = set(data.zones["zone_id"])

st.title(t("app_title", lang), anchor=False)
st.caption(t("app_subtitle", lang))


def _select_from_map() -> None:
    # Runs before the fragment reruns, so the map and the panel are drawn once, already with the new zone.
    zone_id = mapview.zone_from_click(st.session_state.get("zone_map"), known)
    if zone_id:
        st.query_params["zone"] = zone_id
        st.session_state["map_panel_first"] = True


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
            else:
                panel.corps_summary(data, table, lang, controls.map_month(data))

    def zone_map() -> None:
        with left:
            # A new colouring changes the map's script, so the map remounts; a zone click does not.
            colours = controls.map_colouring(data, table, lang, official)
            features = mapview.zone_features(shapes, data.zones, data.platforms, lang)
            m = mapview.build_map(features, colours.fills, districts, river, colours.legend_html(), lang,
                                  online_tiles=frame.online_tiles())
            st_folium(m, key="zone_map", height=680, use_container_width=True,
                      returned_objects=["last_active_drawing"], on_change=_select_from_map,
                      feature_group_to_add=mapview.selection_layer(shapes, selected))

    # Streamlit streams elements as they are made, so the order matters (docs/performance.md). After a zone
    # click the panel goes first and is not held up by the ~0.1 s map rebuild (the click drew its outline in
    # the browser already); otherwise the map goes first, so that on a page load its iframe starts sooner.
    panel_first = st.session_state.pop("map_panel_first", False)
    for part in (zone_panel, zone_map) if panel_first else (zone_map, zone_panel):
        part()


campaign_map()
