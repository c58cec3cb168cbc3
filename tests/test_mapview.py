"""The generated Leaflet map: offline assets, escaped data, stable script, selection and click parsing."""

import re
from dataclasses import replace

import branca
import folium
import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string

from corpsmap import geo, mapview
from corpsmap.assets import LOCAL_ASSETS, localize
from corpsmap.data import load_dataset

DATA = load_dataset()
SHAPES, DISTRICTS, RIVER = geo.load_zone_shapes(), geo.load_districts(), geo.load_river()
URL = re.compile(r"""https?://[^\s"'<>)]+""")


def build(lang="zh", zones=None, online=False):
    features = mapview.zone_features(SHAPES, DATA.zones if zones is None else zones, DATA.platforms, lang)
    legend = mapview.legend_html("图例", [mapview.LegendItem("示意范围", dashed=True)])
    return mapview.build_map(features, mapview.platform_colors(DATA.zones), DISTRICTS, RIVER, legend, lang,
                             online_tiles=online)


def all_assets(m):
    """Every (key, url) asset of the map and its children, as streamlit-folium collects them."""
    found, stack = [], [m]
    while stack:
        element = stack.pop()
        found += list(getattr(element, "default_js", [])) + list(getattr(element, "default_css", []))
        stack += list(element._children.values())
    return found


def test_offline_map_references_no_outside_host():
    m = build()
    assert URL.findall(m.get_root().render()) == []
    assets = all_assets(m)
    assert ("leaflet", "/app/static/vendor/leaflet/leaflet.js") in assets
    assert all(url.startswith("/app/static/vendor/") for _, url in assets)


def test_online_base_map_is_the_only_outside_host():
    hosts = {re.sub(r"https?://([^/]+).*", r"\1", u) for u in URL.findall(build(online=True).get_root().render())}
    assert hosts == {"tile.openstreetmap.org"}


def test_every_local_asset_exists_once_installed(tmp_path):
    from corpsmap.assets import install_static_assets

    install_static_assets(tmp_path)
    for path in filter(None, LOCAL_ASSETS.values()):
        assert (tmp_path / "vendor" / path).is_file(), path


def _install_when_all_are_ready(barrier, folder) -> None:
    from corpsmap.assets import install_static_assets

    barrier.wait()  # after the imports, so that the installs overlap
    install_static_assets(folder)


def test_servers_starting_together_install_the_static_files_once_and_whole(tmp_path):
    # Several servers (systemd instances, the parallel test workers) start at the same moment on a fresh
    # checkout; each installs static/. None may fail, and what is left must be whole, with no temporary files.
    import multiprocessing

    from corpsmap.assets import install_static_assets

    install_static_assets(tmp_path / "alone")
    together = tmp_path / "together"
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    workers = [context.Process(target=_install_when_all_are_ready, args=(barrier, together)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * 4

    def files(root):
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert files(together) == files(tmp_path / "alone")
    assert not [p for p in together.rglob("*") if p.name.endswith(".tmp")]


def test_base_layers_are_fetched_from_the_app_not_embedded(tmp_path):
    from corpsmap.assets import STATIC_GEODATA, geodata_url, install_static_assets
    from corpsmap.config import GEODATA_DIR, STATIC_URL

    install_static_assets(tmp_path)
    script = _get_map_string(build())
    for layer in STATIC_GEODATA:
        url = geodata_url(layer)
        assert f'"{url}"' in script
        published = tmp_path / url.removeprefix(STATIC_URL + "/")
        assert published.read_bytes() == (GEODATA_DIR / f"{layer}.geojson").read_bytes()
    assert len(script.encode()) < 60_000  # the zones and labels only: the base geometry is not in it


def test_unknown_plugin_asset_is_refused():
    class Plugin(folium.MacroElement):
        default_js = (("fancy", "https://cdn.example.org/fancy.js"),)

    m = folium.Map(tiles=None)
    m.add_child(Plugin())
    with pytest.raises(ValueError, match="fancy"):
        localize(m)


def test_branca_colormap_is_refused():
    m = folium.Map(tiles=None)
    branca.colormap.LinearColormap(["red", "blue"]).add_to(m)
    with pytest.raises(ValueError, match="d3"):
        localize(m)


def test_all_eight_zones_are_drawn_with_their_ids():
    script = _get_map_string(build())
    for zone_id in DATA.zones["zone_id"]:
        assert f'"zone_id": "{zone_id}"' in script


def test_map_script_is_identical_across_reruns():
    # streamlit-folium remounts the map when its script changes: two builds must produce the same script.
    assert _get_map_string(build()) == _get_map_string(build())


def test_data_values_are_escaped_in_tooltips_and_labels():
    zones = DATA.zones.copy()
    zones.loc[zones["zone_id"] == "linkong", ["name_zh", "short_zh"]] = "<img src=x onerror=alert(1)>"
    script = _get_map_string(build(zones=zones))
    assert "<img src=x" not in script and "\\u003cimg src=x" not in script
    # Once in the tooltip (inside GeoJSON, where json.dumps writes & as \u0026) and once in the label.
    escaped = script.count("&lt;img src=x onerror=alert(1)&gt;") + script.count("\\u0026lt;img src=x")
    assert escaped == 2


def test_legend_escapes_labels():
    html = mapview.legend_html("<b>", [mapview.LegendItem("<script>", "#fff")], ["&note"])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;note" in html


def test_selection_layer_holds_only_the_selected_zone():
    group = mapview.selection_layer(SHAPES, "shibei")
    rendered = _get_feature_group_string(group, map=build())
    assert '"zone_id": "shibei"' in rendered
    assert '"zone_id": "qiaonan"' not in rendered
    assert "corpsFeedback" in rendered  # clears the click's instant outline once the server answers
    empty = mapview.selection_layer(SHAPES, None)
    assert [type(c).__name__ for c in empty._children.values()] == ["_Script"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ({}, None),
        ({"last_active_drawing": None}, None),
        ({"last_active_drawing": {"properties": {}}}, None),
        ({"last_active_drawing": {"properties": {"zone_id": "atlantis"}}}, None),
        ({"last_active_drawing": {"properties": {"adcode": "330109"}}}, None),
        ({"last_active_drawing": {"type": "Feature", "properties": {"zone_id": "linkong", "tooltip": "x"}}},
         "linkong"),
    ],
)
def test_zone_from_click(value, expected):
    assert mapview.zone_from_click(value, set(DATA.zones["zone_id"])) == expected


def test_platform_colours_tell_zones_apart():
    colors = mapview.platform_colors(DATA.zones)
    assert set(colors) == set(DATA.zones["zone_id"])
    etdz = DATA.zones.loc[DATA.zones["platform_id"] == "etdz", "zone_id"]
    assert len({colors[z] for z in etdz}) == len(etdz)
    assert colors["linkong"] == mapview.PLATFORM_COLORS["airport"]


def test_english_map_uses_english_names():
    script = _get_map_string(build(lang="en"))
    assert "Sci-Tech City" in script and "Xiaoshan" in script
    assert "科技城" not in script


def test_map_payload_stays_small():
    assert len(build().get_root().render().encode()) < 300_000


def test_dataset_copy_does_not_leak_into_cache():
    # zone_features must not alter the frames it is given (they are shared through Streamlit's cache).
    zones = DATA.zones.copy()
    before = zones.copy()
    mapview.zone_features(SHAPES, zones, DATA.platforms, "zh")
    assert zones.equals(before)
    assert replace(DATA).zones is DATA.zones


def with_boundaries(official: set[str], shapes=SHAPES):
    shapes = shapes.copy()
    shapes["boundary"] = ["official" if z in official else "schematic" for z in shapes["zone_id"]]
    return shapes


def test_only_zones_without_official_boundaries_say_schematic_in_their_tooltip():
    features = mapview.zone_features(with_boundaries({"kejicheng"}), DATA.zones, DATA.platforms, "zh")
    tooltips = dict(zip(features["zone_id"], features["tooltip"]))
    assert "示意范围" not in tooltips["kejicheng"]
    assert all("示意范围" in tip for zone, tip in tooltips.items() if zone != "kejicheng")
    english = mapview.zone_features(with_boundaries({"kejicheng"}), DATA.zones, DATA.platforms, "en")
    assert ["Schematic" in tip for tip in english["tooltip"]] == [z != "kejicheng" for z in english["zone_id"]]


def test_official_zones_are_drawn_solid_and_schematic_ones_dashed():
    shapes = with_boundaries({"kejicheng"})
    features = mapview.zone_features(shapes, DATA.zones, DATA.platforms, "zh")
    fills = mapview.platform_colors(DATA.zones)
    html = mapview.build_map(features, fills, DISTRICTS, RIVER, "", "zh").get_root().render()
    styles = re.findall(r"return (\{\"color\": \"#ffffff\".*?\});", html)
    assert len(styles) == len(SHAPES)
    solid = [s for s in styles if "dashArray" not in s]
    assert len(solid) == 1 and fills["kejicheng"] in solid[0]


def test_zone_with_an_id_the_zones_table_lacks_is_a_clear_error_not_a_key_error():
    shapes = SHAPES.copy()
    shapes.loc[shapes["zone_id"] == "kejicheng", "zone_id"] = "keji"
    with pytest.raises(geo.GeodataError, match=r"geodata/zones\.geojson, feature 6: zone_id 'keji'"):
        mapview.zone_features(shapes, DATA.zones, DATA.platforms, "zh")


def test_legend_shows_solid_outlines_for_official_boundaries():
    html = mapview.legend_html("图例", [mapview.LegendItem("示意范围", dashed=True),
                                        mapview.LegendItem("官方边界", solid=True)])
    assert '<i class="dashed"></i>示意范围' in html and '<i class="solid"></i>官方边界' in html


def test_the_map_page_outlines_the_zone_its_url_names_in_the_browser():
    features = mapview.zone_features(SHAPES, DATA.zones, DATA.platforms, "zh")
    legend = mapview.legend_html("图例", [])
    m = mapview.build_map(features, {}, DISTRICTS, RIVER, legend, "zh", selection_from_url=True)
    script = m.get_root().render()
    assert "new URLSearchParams(window.parent.location.search).get('zone')" in script
    assert "window.corpsFeedback" in script  # the click's own outline goes once the URL names the zone
    plain = mapview.build_map(features, {}, DISTRICTS, RIVER, legend, "zh").get_root().render()
    assert "window.parent.location.search" not in plain
