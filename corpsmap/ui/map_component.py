"""A folium map rendered once into the strings st_folium's component receives, then shown many times.

`st_folium(m, …)` renders the whole map on every call (folium's templates, streamlit-folium's variable
renaming, a hash of the script), which was most of a zone click's server work (docs/performance.md). The
campaign map depends only on the version, language, colouring and base map, so pages/map.py renders it once
per such combination (`rendered`) and `show` hands the same strings to the same component with the same
arguments and key that `st_folium` would, so the browser sees no difference. The cache holds strings, never
a folium object: nothing shared between sessions can be changed by one of them.

Leans on streamlit-folium 0.27's module functions (pinned in requirements.txt);
tests/test_map_component.py checks that `show` sends exactly what `st_folium` sends.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf


@dataclass(frozen=True)
class RenderedMap:
    """What st_folium derives from a map before it calls its component (all plain strings and numbers)."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: tuple[tuple[float | None, float | None], tuple[float | None, float | None]]
    zoom: float | None
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    component_key: str  # st_folium's `key`, and the component's own key made from it and the script
    hash_key: str


def _assets(m: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # As st_folium collects them: every element's default_css/default_js, in order, without repeats.
    css, js = [], []

    def walk(element):
        if isinstance(element, branca.colormap.ColorMap):
            # st_folium would add d3 from two CDNs here; the app runs offline, so its legends are its own.
            raise ValueError("branca colormaps need d3 from a CDN: draw the legend with mapview.legend_html")
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def render(m: folium.Map, component_key: str) -> RenderedMap:
    """Render `m` as `st_folium(m, key=component_key)` does (it changes `m`: element ids are renamed, so use it
    for nothing else)."""
    m.get_root().render()
    m.render()
    html, header = sf._get_html(m), sf._get_header(m)
    script = sf._get_map_string(m)
    try:
        (south, west), (north, east) = m.get_bounds()
    except AttributeError:
        south = west = north = east = None
    css, js = _assets(m)
    return RenderedMap(script=script, header=header, html=html, map_id=sf.get_full_id(m),
                       bounds=((south, west), (north, east)), zoom=m.options.get("zoom"), css_links=css, js_links=js,
                       component_key=component_key, hash_key=sf.generate_js_hash(script, component_key, False))


def feature_group_script(group: folium.FeatureGroup) -> str:
    """The script st_folium makes of `feature_group_to_add=group` (rendered against a throwaway map)."""
    return sf._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)


@st.cache_resource(max_entries=64, show_spinner=False)
def _rendered(key: Hashable, component_key: str, _build: Callable[[], folium.Map]) -> RenderedMap:
    return render(_build(), component_key)


def rendered(key: Hashable, build: Callable[[], folium.Map], component_key: str) -> RenderedMap:
    """The map `build()` makes, rendered once per `key` for the whole server (every session and rerun), for
    `show(…, key=component_key)`.

    `key` must name everything the map depends on (version, rows shown, language, colouring, base map).
    """
    return _rendered(key, component_key, build)


@st.cache_resource(max_entries=256, show_spinner=False)
def _feature_group(key: Hashable, _build: Callable[[], folium.FeatureGroup]) -> str:
    return feature_group_script(_build())


def feature_group(key: Hashable, build: Callable[[], folium.FeatureGroup]) -> str:
    """The script of the feature group `build()` makes, rendered once per `key` for the whole server."""
    return _feature_group(key, build)


def show(rendered_map: RenderedMap, *, height: int, returned_objects: Iterable[str],
         feature_group: str | None = None, on_change: Callable[[], None] | None = None,
         use_container_width: bool = True, width: int | None = 500):
    """Show a rendered map through st_folium's component, exactly as `st_folium(m, key=…, …)` would with the
    map's `component_key` (the value returned, and kept in `st.session_state[component_key]`)."""
    key, hash_key = rendered_map.component_key, rendered_map.hash_key
    returned = list(returned_objects)
    (south, west), (north, east) = rendered_map.bounds
    defaults = {
        "last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None, "last_object_clicked_popup": None, "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": rendered_map.zoom, "last_circle_radius": None, "last_circle_polygon": None,
        "selected_layers": None, "selected_tags": None, "last_geocoder_result": None,
    }
    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    return sf._component_func(
        script=rendered_map.script, header=rendered_map.header, html=rendered_map.html, id=rendered_map.map_id,
        key=hash_key, height=height, width=None if use_container_width else width, returned_objects=returned,
        default={k: v for k, v in defaults.items() if k in returned}, zoom=None, center=None,
        feature_group=feature_group, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(rendered_map.css_links), js_links=list(rendered_map.js_links), on_change=_on_change,
        wrap_longitude=False)

