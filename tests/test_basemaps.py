"""Base maps: what is offered with and without configuration, and that the app's layers line up with each."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
from shapely.geometry import Point

from corpsmap import basemaps
from corpsmap.basemaps import GCJ02, WGS84, available, by_id, point_from_display, point_to_display, to_display
from corpsmap.config import ROOT

# The airport's aerodrome reference point in WGS-84 (docs/research/zone_anchors_wgs84.geojson).
AIRPORT = next(f["geometry"]["coordinates"] for f in json.loads(
    (ROOT / "docs/research/zone_anchors_wgs84.geojson").read_text(encoding="utf-8"))["features"]
    if f["properties"]["name"].startswith("杭州萧山国际机场"))
# Where GCJ-02 maps draw real places in Xiaoshan, measured independently of our formula: the best fit of the
# AMap-derived district coastline onto the GSHHG WGS-84 shoreline (docs/research/geodata.md): ~430 m east and
# ~270 m south.
GCJ02_SHIFT_EAST_M, GCJ02_SHIFT_NORTH_M = 430.0, -270.0


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """(east, north) in metres from point 1 to point 2 (local flat approximation, fine over a kilometre)."""
    return ((lon2 - lon1) * 111_320 * math.cos(math.radians(lat1)), (lat2 - lat1) * 110_574)


def test_the_offline_map_is_the_default_and_calls_no_host():
    maps = available({})
    assert maps[0] is basemaps.OFFLINE and not maps[0].online and maps[0].tiles == ()
    assert by_id(maps, None) is basemaps.OFFLINE and by_id(maps, "nonsense") is basemaps.OFFLINE


def test_tianditu_without_a_key_is_offered_greyed_with_the_reason():
    maps = {m.id: m for m in available({})}
    assert maps["tianditu_vector"].unavailable == "tianditu_no_key"
    assert by_id(list(maps.values()), "tianditu_vector") is basemaps.OFFLINE  # cannot be picked
    keyed = {m.id: m for m in available({"tianditu_key": "abc123", "tianditu_review_number": "GS(2024)0000号"})}
    vector = keyed["tianditu_vector"]
    assert not vector.unavailable and vector.datum == WGS84
    assert [t.url.split("/")[3].split("?")[0] for t in vector.tiles] == ["vec_w", "cva_w"]  # map + its labels
    assert all("tk=abc123" in t.url and "{z}" in t.url for t in vector.tiles)
    assert [t.url.split("/")[3].split("?")[0] for t in keyed["tianditu_imagery"].tiles] == ["img_w", "cia_w"]
    assert vector.credit() == "天地图 © 国家地理信息公共服务平台 Tianditu · GS(2024)0000号"


def test_every_online_map_has_an_attribution_and_amap_is_gcj02():
    for basemap in available({"tianditu_key": "k", "custom": {"url": "https://tiles.intra/{z}/{x}/{y}.png",
                                                               "attribution": "萧山区规划和自然资源局"}}):
        if basemap.online:
            assert basemap.attribution, basemap.id
    maps = {m.id: m for m in available({})}
    assert maps["amap_road"].datum == maps["amap_imagery"].datum == GCJ02


@pytest.mark.parametrize("custom, problem", [
    ({"url": "tiles.intra/{z}/{x}/{y}.png"}, "url must be"),
    ({"url": "https://tiles.intra/{z}/{x}.png"}, "url must be"),
    ({"url": "https://tiles.intra/{z}/{x}/{y}.png", "datum": "bd09"}, "datum must be"),
])
def test_a_bad_custom_tile_service_is_refused_naming_the_setting(custom, problem):
    with pytest.raises(ValueError, match=problem):
        available({"custom": custom})


def test_a_custom_tile_service_takes_its_datum_and_credits_from_config():
    custom = available({"custom": {"url": "/tiles/{z}/{x}/{y}.png", "name_zh": "区规资局底图", "datum": "gcj02",
                                   "attribution": "萧山区规划和自然资源局", "review_number": "浙S(2023)12号"}})[-1]
    assert (custom.id, custom.name("zh"), custom.datum) == ("custom", "区规资局底图", GCJ02)
    assert custom.credit() == "萧山区规划和自然资源局 · 浙S(2023)12号"


@pytest.mark.parametrize("basemap", available({"tianditu_key": "k", "custom": {
    "url": "https://tiles.intra/{z}/{x}/{y}.png", "datum": "gcj02"}}), ids=lambda b: b.id)
def test_the_airport_lands_within_50_m_of_where_each_base_map_draws_it(basemap):
    lon, lat = AIRPORT
    shown_lat, shown_lon = point_to_display(lat, lon, basemap)
    east, north = metres(lat, lon, shown_lat, shown_lon)
    # Where this base map draws the airport, relative to its WGS-84 position.
    expected = (GCJ02_SHIFT_EAST_M, GCJ02_SHIFT_NORTH_M) if basemap.datum == GCJ02 else (0.0, 0.0)
    assert math.hypot(east - expected[0], north - expected[1]) <= 50, (basemap.id, east, north)
    # A click on the map at that spot is stored back at the airport (to a few centimetres).
    back_lat, back_lon = point_from_display(shown_lat, shown_lon, basemap)
    assert math.hypot(*metres(lat, lon, back_lat, back_lon)) < 0.05
    # Shapes go through the same shift as points.
    shape = to_display(gpd.GeoDataFrame(geometry=[Point(lon, lat)], crs=4326), basemap).geometry.iloc[0]
    assert math.hypot(*metres(shown_lat, shown_lon, shape.y, shape.x)) < 0.01
