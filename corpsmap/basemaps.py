"""The base maps a user can pick, and what each needs for the app's layers to line up with it. No Streamlit here.

The offline vector map is the default and calls no outside host. The online ones are requested only after the
user picks one. Tiles drawn in GCJ-02 (AMap/高德) place every real location some 500 m off its WGS-84
coordinates, so everything the app draws over them (zones, districts, river, labels, project points) is shifted
to GCJ-02 with `corpsmap.coords` first, and a click on such a map is shifted back before it is stored. Tianditu
is CGCS2000, which differs from WGS-84 by centimetres: no shift.

Configuration (`.streamlit/secrets.toml`, see the example): `[basemaps] tianditu_key`, optional review numbers
(审图号) per provider, and an intranet tile service under `[basemaps.custom]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd

from corpsmap.coords import gcj02_to_wgs84, geometry_wgs84_to_gcj02, wgs84_to_gcj02

WGS84, GCJ02 = "wgs84", "gcj02"  # CGCS2000 counts as WGS-84: they differ by centimetres
DATUMS = (WGS84, GCJ02)

_TIANDITU = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
             "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
             "&TILECOL={{x}}&tk={key}")
_AMAP_ROAD = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
_AMAP_IMAGERY = "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}"


@dataclass(frozen=True)
class Tiles:
    """One XYZ tile layer (Leaflet's `{s}`, `{x}`, `{y}`, `{z}` template)."""

    url: str
    subdomains: str = "abc"
    max_zoom: int = 18


@dataclass(frozen=True)
class BaseMap:
    """A base map: its tile layers (none for the offline one), the datum they are drawn in, and its credits."""

    id: str
    name_zh: str
    name_en: str
    tiles: tuple[Tiles, ...] = ()
    datum: str = WGS84
    attribution: str = ""
    review_number: str = ""  # 审图号, shown with the attribution where configured
    unavailable: str = ""  # why it cannot be picked (e.g. no key configured); "" when it can

    @property
    def online(self) -> bool:
        return bool(self.tiles)

    def __bool__(self) -> bool:  # "if online_tiles:" reads naturally where a base map is passed around
        return self.online

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def credit(self) -> str:
        """Attribution, with the review number where configured (plain text: escape before HTML)."""
        return " · ".join(part for part in (self.attribution, self.review_number) if part)


OFFLINE = BaseMap("offline", "离线矢量底图", "Offline vector map")
OSM = BaseMap("osm", "OpenStreetMap（需联网）", "OpenStreetMap (online)",
              (Tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png", subdomains="abc", max_zoom=19),),
              attribution="© OpenStreetMap contributors")


def available(config: Mapping | None = None) -> list[BaseMap]:
    """Every base map, in the order offered; those that cannot be used here say why in `unavailable`.

    `config` is the `[basemaps]` section of secrets.toml: `tianditu_key`, `tianditu_review_number`,
    `amap_review_number`, and a `custom` table (`url`, `name_zh`, `name_en`, `datum`, `attribution`,
    `review_number`, `subdomains`, `max_zoom`).
    """
    config = dict(config or {})
    key = str(config.get("tianditu_key") or "").strip()
    no_key = "" if key else "tianditu_no_key"
    tianditu_credit = {"attribution": "天地图 © 国家地理信息公共服务平台 Tianditu",
                       "review_number": str(config.get("tianditu_review_number") or "")}

    def tianditu(layer: str) -> Tiles:
        return Tiles(_TIANDITU.format(s="{s}", layer=layer, key=key), subdomains="01234567")

    amap = {"datum": GCJ02, "attribution": "© 高德地图 AutoNavi",
            "review_number": str(config.get("amap_review_number") or "")}
    maps = [
        OFFLINE,
        OSM,
        BaseMap("tianditu_vector", "天地图 矢量（需联网）", "Tianditu map (online)",
                (tianditu("vec"), tianditu("cva")), unavailable=no_key, **tianditu_credit),
        BaseMap("tianditu_imagery", "天地图 影像（需联网）", "Tianditu imagery (online)",
                (tianditu("img"), tianditu("cia")), unavailable=no_key, **tianditu_credit),
        BaseMap("amap_road", "高德 道路（需联网）", "AMap roads (online)", (Tiles(_AMAP_ROAD, "1234"),), **amap),
        BaseMap("amap_imagery", "高德 卫星（需联网）", "AMap satellite (online)", (Tiles(_AMAP_IMAGERY, "1234"),),
                **amap),
    ]
    custom = config.get("custom")
    if custom:
        maps.append(custom_basemap(custom))
    return maps


def custom_basemap(config: Mapping) -> BaseMap:
    """An intranet tile service from config; ValueError naming the setting that is wrong."""
    url = str(config.get("url") or "")
    if not url.startswith(("http://", "https://", "/")) or not all(part in url for part in ("{x}", "{y}", "{z}")):
        raise ValueError(f"[basemaps.custom] url must be an http(s) or /path template with {{x}}, {{y}} and "
                         f"{{z}}, not {url!r}")
    datum = str(config.get("datum") or WGS84).lower()
    if datum not in DATUMS:
        raise ValueError(f"[basemaps.custom] datum must be one of {', '.join(DATUMS)} (CGCS2000 is wgs84), "
                         f"not {datum!r}")
    name_zh = str(config.get("name_zh") or "内网底图")
    return BaseMap("custom", name_zh, str(config.get("name_en") or name_zh),
                   (Tiles(url, str(config.get("subdomains") or "abc"), int(config.get("max_zoom") or 18)),),
                   datum=datum, attribution=str(config.get("attribution") or ""),
                   review_number=str(config.get("review_number") or ""))


def by_id(maps: list[BaseMap], basemap_id: str | None) -> BaseMap:
    """The usable base map `basemap_id`, or the offline one (an unknown or unavailable id falls back)."""
    for basemap in maps:
        if basemap.id == basemap_id and not basemap.unavailable:
            return basemap
    return OFFLINE


def to_display(gdf: gpd.GeoDataFrame, basemap: BaseMap) -> gpd.GeoDataFrame:
    """`gdf` (WGS-84) in the coordinates the base map draws in: shifted to GCJ-02 for AMap-style tiles."""
    if basemap.datum != GCJ02:
        return gdf
    shifted = gdf.copy()
    shifted.geometry = [geometry_wgs84_to_gcj02(g) for g in gdf.geometry]
    return shifted


def point_to_display(lat: float, lon: float, basemap: BaseMap) -> tuple[float, float]:
    """A WGS-84 (lat, lon) where the base map draws it."""
    if basemap.datum != GCJ02:
        return lat, lon
    glon, glat = wgs84_to_gcj02(lon, lat)
    return glat, glon


def point_from_display(lat: float, lon: float, basemap: BaseMap) -> tuple[float, float]:
    """A (lat, lon) clicked on the base map, back in WGS-84 (how everything is stored)."""
    if basemap.datum != GCJ02:
        return lat, lon
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    return wlat, wlon


def as_basemap(online_tiles: bool | BaseMap) -> BaseMap:
    """A base map from what map builders are given: a BaseMap, or True for OpenStreetMap (older callers)."""
    if isinstance(online_tiles, BaseMap):
        return online_tiles
    return OSM if online_tiles else OFFLINE
