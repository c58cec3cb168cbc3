"""Benchmark baseline: the project library done the naive way, to compare pages/projects.py against.

The same data, zone filter (same widget key) and table, but every located project is its own
`folium.CircleMarker` with a tooltip, added to the map, and the map is rendered with `st_folium(m)` and
default arguments: the points are part of the map's script, so each filter change remounts the map and
sends all of it again, and every pan or zoom reruns the script.

Started by bench/projects_filter.py (with CORPSMAP_DATA_DIR pointing at the generated data); not part of the app.
"""

import sys
from html import escape
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the repository root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from corpsmap import mapview, project_map, projects  # noqa: E402
from corpsmap.assets import install_static_assets, localize  # noqa: E402
from corpsmap.i18n import name_of  # noqa: E402
from corpsmap.ui import frame  # noqa: E402

st.set_page_config(page_title="baseline · project library", layout="wide")
install_static_assets()

lang = frame.lang()
data = frame.dataset()
shapes, districts, river = frame.geodata()
choices = projects.filter_choices(data)
zones = data.zones.set_index("zone_id")

chosen = st.multiselect("兵团", choices.zones, key="filter_zone", format_func=lambda z: name_of(zones.loc[z], lang,
                                                                                                   "short"))
found = projects.apply(data.projects, data.zones, projects.ProjectFilter(zones=tuple(chosen)))

left, right = st.columns(2)
with left:
    m = mapview.base_map(districts, river, lang)
    for p in found[found["lat"].notna()].itertuples():
        folium.CircleMarker((p.lat, p.lon), radius=project_map.radius_of(p.investment_yi), weight=1, fill=True,
                            color="#ffffff", fill_color=project_map.STATUS_COLORS[p.status], fill_opacity=0.85,
                            tooltip=escape(name_of(p._asdict(), lang))).add_to(m)
    mapview.fit_to(m, shapes)
    st_folium(localize(m))
with right:
    st.dataframe(projects.project_rows(found, data, lang)[["name", "zone", "status", "investment_yi", "start_date"]],
                 hide_index=True, height=600)
