"""Benchmark baseline: the campaign map done the naive way, to measure pages/map.py against.

Every run rebuilds the same map (corpsmap.mapview, the same data loaders, colouring and panel) with the
selected zone's outline baked into the map itself, and renders it with `st_folium(m)` and default arguments:
no fragment, no stable key, every object returned. A new outline changes the map's script, so the component
remounts on every click, and a click reruns the whole script twice (once to read it, once to redraw).

Started by bench/map_click.py through a launcher that gives it the app's static/ and pages/; not part of the app.
"""

import sys
from pathlib import Path

# `streamlit run` puts the launcher's folder on sys.path, not the repository root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from corpsmap import mapview  # noqa: E402
from corpsmap.assets import install_static_assets  # noqa: E402
from corpsmap.i18n import t  # noqa: E402
from corpsmap.ui import controls, frame, panel  # noqa: E402


def campaign_map_baseline() -> None:
    """The map page, naive: selection in session state, map and panel rebuilt by full reruns."""
    lang = frame.lang()
    data = frame.dataset()
    table = frame.progress()
    shapes, districts, river = frame.geodata()
    known = set(data.zones["zone_id"])
    selected = st.session_state.get("baseline_zone")

    st.title(t("app_title", lang), anchor=False)
    st.caption(t("app_subtitle", lang))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        colours = controls.map_colouring(data, table, lang)  # the same "colour zones by" choice as the app
        features = mapview.zone_features(shapes, data.zones, data.platforms, lang)
        m = mapview.build_map(features, colours.fills, districts, river, colours.legend_html(), lang,
                              online_tiles=frame.online_tiles(), instant_select=False)
        m.add_child(mapview.selection_layer(shapes, selected))  # baked in: the map's script changes per zone
        clicked = mapview.zone_from_click(st_folium(m), known)
        if clicked and clicked != selected:
            # The usual naive pattern: remember the click and rerun, so that map and panel agree.
            st.session_state["baseline_zone"] = clicked
            st.rerun()
    with right, st.container(key=f"panel-{selected or 'corps'}"):
        if selected:
            panel.zone_panel(data, table, selected, lang)
        else:
            panel.corps_summary(data, table, lang)


st.set_page_config(page_title="baseline · campaign map", layout="wide")
install_static_assets()
frame.lang()  # as app.py: first, because it may rerun the script
# The panel links to other pages with st.page_link, which finds only pages registered with st.navigation;
# the launcher's pages/ links to the app's.
others = [st.Page(f"pages/{p.name}") for p in sorted((ROOT / "pages").glob("*.py"))]
navigation = st.navigation([st.Page(campaign_map_baseline, title="baseline", default=True), *others],
                           position="hidden")
frame.sidebar()
navigation.run()
