"""作战图: the eight zones on the map; click one for its panel. The selection lives in `?zone=`."""

import streamlit as st
from streamlit_folium import st_folium

from corpsmap import mapview
from corpsmap.i18n import name_of, t
from corpsmap.ui import frame, panel

lang = frame.lang()
data = frame.dataset()
table = frame.progress()
shapes, districts, river = frame.geodata()
known = set(data.zones["zone_id"])

st.title(t("app_title", lang), anchor=False)
st.caption(t("app_subtitle", lang))


def _legend() -> str:
    platforms = data.platforms.set_index("platform_id")
    items = [mapview.LegendItem(name_of(platforms.loc[p], lang), color)
             for p, color in mapview.PLATFORM_COLORS.items() if p in platforms.index]
    items.append(mapview.LegendItem(t("legend_schematic", lang), dashed=True))
    return mapview.legend_html(t("legend_title", lang), items, [t("illustrative_note", lang)])


def _select_from_map() -> None:
    # Runs before the fragment reruns, so the map and the panel are drawn once, already with the new zone.
    zone_id = mapview.zone_from_click(st.session_state.get("zone_map"), known)
    if zone_id:
        st.query_params["zone"] = zone_id


def _clear_zone() -> None:
    st.query_params.pop("zone", None)


@st.fragment
def campaign_map() -> None:
    requested = st.query_params.get("zone")
    selected = requested if requested in known else None
    if requested and selected is None:
        st.warning(t("unknown_zone", lang, value=frame.md_escape(requested)))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        features = mapview.zone_features(shapes, data.zones, data.platforms, lang)
        m = mapview.build_map(features, mapview.platform_colors(data.zones), districts, river, _legend(), lang,
                              online_tiles=frame.online_tiles())
        st_folium(m, key="zone_map", height=680, use_container_width=True,
                  returned_objects=["last_active_drawing"], on_change=_select_from_map,
                  feature_group_to_add=mapview.selection_layer(shapes, selected))
    # The container's key becomes the CSS class st-key-panel-<zone>: a stable hook for browser tests.
    with right, st.container(key=f"panel-{selected or 'corps'}"):
        if selected:
            st.button(t("all_corps", lang), icon=":material/arrow_back:", key="clear_zone", on_click=_clear_zone)
            panel.zone_panel(data, table, selected, lang)
        else:
            panel.corps_summary(data, table, lang)


campaign_map()
