"""The project map: compact escaped points, local assets, a base map that does not change with the filter."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string, generate_js_hash

from corpsmap import geo, project_map
from corpsmap.data import load_dataset

DATA = load_dataset()
SHAPES, DISTRICTS, RIVER = geo.load_zone_shapes(), geo.load_districts(), geo.load_river()
URL = re.compile(r"""https?://[^\s"'<>)\\]+""")


def base(lang="zh"):
    return project_map.project_base_map(SHAPES, DATA.zones, DISTRICTS, RIVER, lang)


def layer_script(projects: pd.DataFrame, lang="zh", selected=None) -> str:
    """The feature-group JS st_folium sends for `projects`, as the browser receives it."""
    return _get_feature_group_string(project_map.project_layer(projects, DATA, lang, "key", selected), base(lang))


def many(n: int) -> pd.DataFrame:
    """`n` located projects made from the real ones: new ids, positions spread around Xiaoshan."""
    located = DATA.projects[DATA.projects["lat"].notna()]
    frame = located.sample(n, replace=True, random_state=1).reset_index(drop=True)
    rng = np.random.default_rng(1)
    return frame.assign(project_id=[f"gen-{i:05d}" for i in range(n)],
                        name_zh=[f"【生成】萧山测试项目{i:05d}" for i in range(n)],
                        lat=frame["lat"] + rng.uniform(-0.03, 0.03, n), lon=frame["lon"] + rng.uniform(-0.03, 0.03, n))


@pytest.mark.parametrize(("amount", "radius"), [(None, 5), (float("nan"), 5), (0, 5), (1, 6), (10, 9), (50, 14),
                                                (100, 18), (5000, 18)])
def test_radius_grows_with_the_amount_and_is_capped(amount, radius):
    assert project_map.radius_of(amount) == radius


def test_only_located_projects_become_points():
    rows = project_map.point_rows(DATA.projects, list(DATA.zones["zone_id"]), "zh")
    located = DATA.projects[DATA.projects["lat"].notna()]
    assert [r[2] for r in rows] == list(located["project_id"])
    assert "kj-wanxiang" not in {r[2] for r in rows}  # no position: listed as not mapped, never placed


def test_names_reaching_the_tooltip_are_escaped():
    evil = DATA.projects[DATA.projects["project_id"] == "ex-qn-1"].assign(
        name_zh='<img src=x onerror="alert(1)">&')
    script = layer_script(evil)
    assert "<img" not in script and "onerror=\\\"" not in script
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;" in script


def test_labels_are_escaped_lookup_tables():
    labels = project_map.point_labels(DATA, list(DATA.zones["zone_id"]), "en")
    assert labels["amounts"][2] == "over ¥{value} 亿"
    assert len(labels["statuses"]) == len(labels["colors"]) == len(project_map.STATUS_COLORS)
    assert all("<" not in text for values in labels.values() for text in values)


def test_map_and_points_load_only_local_assets():
    m = base()
    layer = project_map.project_layer(DATA.projects, DATA, "zh", "key")
    _get_feature_group_string(layer, m)  # as st_folium does: the layer joins the map before assets are collected
    html = m.get_root().render()
    assert URL.findall(html) == []
    assert "/app/static/vendor/leaflet-markercluster/leaflet.markercluster.js" in html
    assert "/app/static/vendor/leaflet-markercluster/MarkerCluster.Default.css" in html


def sent(projects: pd.DataFrame, key: str) -> tuple[str, str]:
    """(map script, feature-group script) in the order st_folium makes them: the map's before the layer joins."""
    m = base()
    script = _get_map_string(m)
    return script, _get_feature_group_string(project_map.project_layer(projects, DATA, "zh", key), m)


def test_base_map_script_does_not_depend_on_the_filter():
    """streamlit-folium remounts the map when its script changes; the points travel apart, so it never does."""
    (first, few), (second, all_) = sent(DATA.projects.head(3), "a"), sent(DATA.projects, "b")
    assert generate_js_hash(first) == generate_js_hash(second)
    assert few != all_


def test_layer_holds_exactly_the_filtered_points():
    script = layer_script(DATA.projects[DATA.projects["zone_id"] == "qiaonan"])
    rows = json.loads(re.search(r"var rows = (\[.*?\]\]|\[\]);", script).group(1))
    assert [r[2] for r in rows] == ["ex-qn-1"]


def test_selected_project_gets_a_ring_only_when_mapped():
    located = DATA.projects.set_index("project_id", drop=False).loc["ex-qn-1"]
    assert "circle_marker" in layer_script(DATA.projects, selected=located)
    unlocated = DATA.projects.set_index("project_id", drop=False).loc["kj-wanxiang"]
    assert "circle_marker" not in layer_script(DATA.projects, selected=unlocated)


def test_clusters_only_when_there_are_many_points():
    assert '"disableClusteringAtZoom": 9' in layer_script(many(project_map.CLUSTER_ABOVE))
    assert '"disableClusteringAtZoom": 16' in layer_script(many(project_map.CLUSTER_ABOVE + 1))


def test_five_thousand_points_stay_well_under_a_megabyte():
    """The issue's payload budget (1 MB) for base map plus points; the benchmark measures the real thing."""
    script, layer = sent(many(5000), "k")
    assert len(script.encode()) + len(layer.encode()) < 1_000_000


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ({}, None),
    ({"last_active_drawing": None}, None),
    ({"last_active_drawing": {"type": "Feature"}}, None),
    ({"last_active_drawing": {"properties": {}}}, None),
    ({"last_active_drawing": {"properties": {"project_id": "nope"}}}, None),
    ({"last_active_drawing": {"properties": {"zone_id": "qiaonan"}}}, None),
    ({"last_active_drawing": {"properties": {"project_id": "ex-qn-1"}}}, "ex-qn-1"),
])
def test_project_from_click(value, expected):
    assert project_map.project_from_click(value, set(DATA.projects["project_id"])) == expected


def test_zone_outlines_are_dashed_only_where_schematic():
    shapes = SHAPES.copy()
    shapes["boundary"] = ["official" if z == "linkong" else "schematic" for z in shapes["zone_id"]]
    html = project_map.project_base_map(shapes, DATA.zones, DISTRICTS, RIVER, "zh").get_root().render()
    styles = re.findall(r'return (\{"color": "#[0-9a-f]{6}", .*?"weight": 1\.5\});', html)
    assert len(styles) == len(shapes)
    assert sum("dashArray" not in s for s in styles) == 1


def test_unknown_zone_id_is_a_clear_error():
    shapes = SHAPES.copy()
    shapes.loc[0, "zone_id"] = "keji"
    with pytest.raises(geo.GeodataError, match=r"feature 1: zone_id 'keji'"):
        project_map.project_base_map(shapes, DATA.zones, DISTRICTS, RIVER, "zh")
