"""Load the shipped geodata (WGS-84 GeoJSON built by `geodata/build.py`), validated, once per process."""

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from corpsmap.config import GEODATA_DIR

ZONES_FILE = GEODATA_DIR / "zones.geojson"
DISTRICTS_FILE = GEODATA_DIR / "districts.geojson"
RIVER_FILE = GEODATA_DIR / "river.geojson"

ZONE_COLUMNS = ["zone_id", "boundary", "area_km2", "basis", "geometry"]


def _read_wgs84(path: Path, required: list[str]) -> gpd.GeoDataFrame:
    """Read a GeoJSON file and check CRS, columns and geometry validity."""
    gdf = gpd.read_file(path)
    # Folium/Leaflet take the coordinates as lon/lat degrees; anything else would be misplaced silently.
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError(f"{path}: CRS is {gdf.crs}, expected WGS-84 (EPSG:4326)")
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    invalid = gdf.index[~gdf.is_valid | gdf.geometry.is_empty].tolist()
    if invalid:
        raise ValueError(f"{path}: invalid or empty geometry in feature(s) {invalid}")
    return gdf


@lru_cache(maxsize=1)
def _zone_shapes() -> gpd.GeoDataFrame:
    gdf = _read_wgs84(ZONES_FILE, ZONE_COLUMNS)
    duplicated = gdf.loc[gdf["zone_id"].duplicated(), "zone_id"].tolist()
    if duplicated:
        raise ValueError(f"{ZONES_FILE}: duplicate zone_id {duplicated}")
    return gdf[ZONE_COLUMNS]


@lru_cache(maxsize=1)
def _districts() -> gpd.GeoDataFrame:
    gdf = _read_wgs84(DISTRICTS_FILE, ["adcode", "name_zh", "name_en", "is_xiaoshan", "geometry"])
    gdf["adcode"] = gdf["adcode"].astype(str)
    return gdf


@lru_cache(maxsize=1)
def _river() -> gpd.GeoDataFrame:
    return _read_wgs84(RIVER_FILE, ["kind", "name_zh", "name_en", "geometry"])


# The cached frames are shared; hand out copies so a caller's edits cannot leak into the next caller.
def load_zone_shapes() -> gpd.GeoDataFrame:
    """Schematic zone polygons: zone_id, boundary, area_km2, basis, geometry (EPSG:4326)."""
    return _zone_shapes().copy()


def load_districts() -> gpd.GeoDataFrame:
    """Xiaoshan and neighbouring district outlines: adcode, name_zh, name_en, is_xiaoshan, geometry."""
    return _districts().copy()


def load_river() -> gpd.GeoDataFrame:
    """Qiantang water polygon and Fuchun river line: kind, name_zh, name_en, geometry."""
    return _river().copy()


def label_points(gdf: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """(lat, lon) of a point inside each shape, keyed by zone_id (or adcode), for map labels."""
    key = "zone_id" if "zone_id" in gdf.columns else "adcode"
    points = gdf.geometry.representative_point()
    return {str(k): (p.y, p.x) for k, p in zip(gdf[key], points, strict=True)}
