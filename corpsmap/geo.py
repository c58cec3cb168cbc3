"""Load the shipped geodata (WGS-84 GeoJSON built by `geodata/build.py`), validated, once per process."""

import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from corpsmap.config import GEODATA_DIR, ROOT

ZONES_FILE = GEODATA_DIR / "zones.geojson"
DISTRICTS_FILE = GEODATA_DIR / "districts.geojson"
RIVER_FILE = GEODATA_DIR / "river.geojson"

ZONE_COLUMNS = ["zone_id", "boundary", "area_km2", "basis", "geometry"]
# A zone's `boundary`: "official" where it comes from the planning bureau, "schematic" where the app drew it.
OFFICIAL, SCHEMATIC = "official", "schematic"
BOUNDARY_KINDS = (OFFICIAL, SCHEMATIC)


class GeodataError(ValueError):
    """A geodata file the app cannot draw; the message names the file, the feature and the value."""


def _shown(path: Path) -> str:
    """The file as a message names it: relative to the checkout when it lies inside."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _read_wgs84(path: Path | str, required: list[str], gdf: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON file (or take `gdf`, read elsewhere and named `path`) and check CRS, columns and geometry."""
    gdf = gpd.read_file(path) if gdf is None else gdf
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
    return _checked_zones(_read_wgs84(ZONES_FILE, ZONE_COLUMNS), _shown(ZONES_FILE))


def zone_shapes_from_geojson(text: str, source: str) -> gpd.GeoDataFrame:
    """Zone polygons from GeoJSON text (boundaries kept in the store), checked like zones.geojson; `source`
    names them in messages (e.g. "boundaries of version 7")."""
    gdf = gpd.read_file(io.StringIO(text))
    if gdf.crs is None:  # RFC 7946 GeoJSON carries no CRS and is WGS-84 by definition
        gdf = gdf.set_crs(4326)
    return _checked_zones(_read_wgs84(source, ZONE_COLUMNS, gdf), source)


def _checked_zones(gdf: gpd.GeoDataFrame, file: str) -> gpd.GeoDataFrame:
    problems = []
    for number, (zone_id, boundary) in enumerate(zip(gdf["zone_id"], gdf["boundary"]), start=1):
        if pd.isna(zone_id) or not str(zone_id).strip():
            problems.append(f"{file}, feature {number}: zone_id is empty")
        if boundary not in BOUNDARY_KINDS:
            problems.append(f"{file}, feature {number}: boundary '{boundary}' is neither "
                            f"{' nor '.join(BOUNDARY_KINDS)}")
    if problems:
        raise GeodataError("\n".join(problems))
    duplicated = gdf.loc[gdf["zone_id"].duplicated(), "zone_id"].tolist()
    if duplicated:
        raise GeodataError(f"{file}: duplicate zone_id {duplicated}")
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
    """The shipped zone polygons (geodata/zones.geojson): zone_id, boundary (official or schematic), area_km2,
    basis, geometry (EPSG:4326). The app draws the store's boundaries of a version where it has any."""
    return _zone_shapes().copy()


def load_districts() -> gpd.GeoDataFrame:
    """Xiaoshan and neighbouring district outlines: adcode, name_zh, name_en, is_xiaoshan, geometry."""
    return _districts().copy()


def load_river() -> gpd.GeoDataFrame:
    """Qiantang water polygon and Fuchun river line: kind, name_zh, name_en, geometry."""
    return _river().copy()


def check_zone_ids(shapes: gpd.GeoDataFrame, zone_ids: Iterable[str], source: str | Path | None = None) -> None:
    """GeodataError naming the file, feature and value of every shape whose zone_id the zones table lacks.

    The map looks each shape's zone up in the zones table, so an id only the geodata knows (a bureau's own code
    such as `keji`) must be reported here rather than fail as a KeyError deep in the drawing.
    """
    known = list(dict.fromkeys(zone_ids))
    where = _shown(Path(source)) if source is not None else _shown(ZONES_FILE)
    unknown = [f"{where}, feature {number}: zone_id '{zone_id}' is not a zone of the zones table"
               for number, zone_id in enumerate(shapes["zone_id"], start=1) if zone_id not in set(known)]
    if unknown:
        raise GeodataError("\n".join([*unknown, f"(the zones are: {', '.join(known)}; use these ids, as in "
                                                  "data/zones.csv)"]))


def official_zones(shapes: gpd.GeoDataFrame) -> frozenset[str]:
    """The zones whose boundary is official; every other zone is drawn and labelled as schematic."""
    return frozenset(shapes.loc[shapes["boundary"] == OFFICIAL, "zone_id"])


def label_points(gdf: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """(lat, lon) of a point inside each shape, keyed by zone_id (or adcode), for map labels."""
    key = "zone_id" if "zone_id" in gdf.columns else "adcode"
    points = gdf.geometry.representative_point()
    return {str(k): (p.y, p.x) for k, p in zip(gdf[key], points, strict=True)}
