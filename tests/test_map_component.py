"""A map rendered once and shown many times reaches the component exactly as st_folium would send it."""

from unittest import mock

import pytest
import streamlit_folium

from corpsmap import geo, mapview
from corpsmap.data import load_dataset
from corpsmap.ui import map_component

DATA = load_dataset()
SHAPES, DISTRICTS, RIVER = geo.load_zone_shapes(), geo.load_districts(), geo.load_river()


def build(lang: str, online: bool):
    features = mapview.zone_features(SHAPES, DATA.zones, DATA.platforms, lang)
    legend = mapview.legend_html("图例", [mapview.LegendItem("示意范围", dashed=True)])
    return mapview.build_map(features, mapview.platform_colors(DATA.zones), DISTRICTS, RIVER, legend, lang,
                             online_tiles=online)


def sent(call) -> dict:
    """The arguments the component received, less the callback (a new function each time)."""
    captured = {}
    with mock.patch.object(streamlit_folium, "_component_func", lambda **kw: captured.update(kw)):
        call()
    captured.pop("on_change")
    return captured


@pytest.mark.parametrize(("lang", "online", "zone"), [("zh", False, None), ("en", False, "linkong"),
                                                       ("zh", True, "kejicheng")])
def test_show_sends_what_st_folium_sends(lang, online, zone):
    expected = sent(lambda: streamlit_folium.st_folium(
        build(lang, online), key="zone_map", height=680, use_container_width=True,
        returned_objects=["last_active_drawing"], feature_group_to_add=mapview.selection_layer(SHAPES, zone)))
    drawn = map_component.render(build(lang, online), "zone_map")
    actual = sent(lambda: map_component.show(
        drawn, height=680, returned_objects=["last_active_drawing"],
        feature_group=map_component.feature_group_script(mapview.selection_layer(SHAPES, zone))))
    assert actual == expected


def test_a_rendered_map_is_shown_again_unchanged():
    drawn = map_component.render(build("zh", False), "zone_map")
    first = sent(lambda: map_component.show(drawn, height=680, returned_objects=["last_active_drawing"]))
    again = sent(lambda: map_component.show(drawn, height=680, returned_objects=["last_active_drawing"]))
    assert first == again
    assert first["key"] == drawn.hash_key and first["script"] == drawn.script


def test_the_callback_keeps_the_value_under_the_maps_key():
    drawn = map_component.render(build("zh", False), "zone_map")
    captured, called = {}, []
    state = {drawn.hash_key: {"last_active_drawing": {"properties": {"zone_id": "linkong"}}}}
    with mock.patch.object(streamlit_folium, "_component_func", lambda **kw: captured.update(kw)), \
            mock.patch.object(map_component.st, "session_state", state):
        map_component.show(drawn, height=680, returned_objects=["last_active_drawing"],
                           on_change=lambda: called.append(True))
        captured["on_change"]()
    assert state["zone_map"] == {"last_active_drawing": {"properties": {"zone_id": "linkong"}}}
    assert called == [True]
