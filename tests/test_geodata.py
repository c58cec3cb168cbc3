"""Checks on the shipped geodata files (not on the build script)."""

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from corpsmap import geo
from corpsmap.config import DATA_DIR, GEODATA_DIR

SHIPPED = ["districts.geojson", "river.geojson", "zones.geojson"]
ZONE_IDS = {"sanjiang", "xianghu", "shijicheng", "shibei", "qiaonan", "kejicheng", "linkong", "yinong"}
METRIC_CRS = "EPSG:4549"
AIRPORT = Point(120.431944, 30.237111)  # lon, lat
WGS84_CRS_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return geo.load_zone_shapes()


@pytest.fixture(scope="module")
def zones_metric(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return zones.to_crs(METRIC_CRS)


@pytest.fixture(scope="module")
def xiaoshan() -> shapely.Geometry:
    districts = geo.load_districts()
    return shapely.union_all(districts.loc[districts["is_xiaoshan"], "geometry"].values)


@pytest.mark.parametrize("name", SHIPPED)
def test_file_is_wgs84_geojson(name: str) -> None:
    collection = json.loads((GEODATA_DIR / name).read_text(encoding="utf-8"))
    crs = collection.get("crs")
    if crs is not None:
        assert crs["properties"]["name"] in WGS84_CRS_NAMES
    gdf = gpd.read_file(GEODATA_DIR / name)
    assert gdf.crs.to_epsg() == 4326
    lon_min, lat_min, lon_max, lat_max = gdf.total_bounds
    assert lon_min >= 119 and lon_max <= 121, "longitudes outside 119-121: not WGS-84 degrees?"
    assert lat_min >= 29 and lat_max <= 31, "latitudes outside 29-31: not WGS-84 degrees?"


@pytest.mark.parametrize("name", SHIPPED)
def test_geometries_valid_and_rounded(name: str) -> None:
    gdf = gpd.read_file(GEODATA_DIR / name)
    assert len(gdf) > 0
    assert gdf.is_valid.all()
    assert not gdf.geometry.is_empty.any()
    coords = shapely.get_coordinates(gdf.geometry.values)
    assert abs(coords - coords.round(5)).max() < 1e-9


def test_shipped_files_total_at_most_150_kb() -> None:
    total = sum((GEODATA_DIR / name).stat().st_size for name in SHIPPED)
    assert total <= 150 * 1024


def test_gshhg_licence_is_shipped() -> None:
    text = (GEODATA_DIR / "LICENSE-GSHHG.txt").read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text


def test_zone_ids_exact(zones: gpd.GeoDataFrame) -> None:
    assert len(zones) == len(ZONE_IDS)
    assert set(zones["zone_id"]) == ZONE_IDS


def test_zone_ids_match_zones_csv(zones: gpd.GeoDataFrame) -> None:
    csv_path = DATA_DIR / "zones.csv"
    if not csv_path.exists():
        pytest.skip(f"{csv_path} not written yet")
    assert set(zones["zone_id"]) == set(pd.read_csv(csv_path)["zone_id"])


def test_zones_are_polygons_schematic_or_official(zones: gpd.GeoDataFrame) -> None:
    # The shipped file is schematic (one Polygon per zone, from build.py); an official file, as
    # `python -m corpsmap boundaries import … --out` writes it, may give a zone several parts.
    assert zones["boundary"].isin(["schematic", "official"]).all()
    schematic = zones[zones["boundary"] == "schematic"]
    assert (schematic.geom_type == "Polygon").all()
    assert zones.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert zones["basis"].str.len().gt(0).all()


def test_zone_area_property_matches_geometry(zones_metric: gpd.GeoDataFrame) -> None:
    measured = zones_metric.area / 1e6
    assert (abs(measured - zones_metric["area_km2"]) <= 0.1).all()


def test_zones_do_not_overlap(zones_metric: gpd.GeoDataFrame) -> None:
    rows = list(zones_metric.itertuples())
    for a, b in itertools.combinations(rows, 2):
        overlap_km2 = a.geometry.intersection(b.geometry).area / 1e6
        assert overlap_km2 < 0.01, f"{a.zone_id} overlaps {b.zone_id} by {overlap_km2:.3f} km²"


def test_zones_lie_inside_xiaoshan(zones_metric: gpd.GeoDataFrame, xiaoshan: shapely.Geometry) -> None:
    outline = gpd.GeoSeries([xiaoshan], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    for row in zones_metric.itertuples():
        outside = row.geometry.difference(outline).area
        assert outside < 0.01 * row.geometry.area, f"{row.zone_id} extends outside Xiaoshan"


def test_airport_in_xiaoshan_and_linkong(zones: gpd.GeoDataFrame, xiaoshan: shapely.Geometry) -> None:
    assert xiaoshan.contains(AIRPORT)
    containing = zones.loc[zones.contains(AIRPORT), "zone_id"].tolist()
    assert containing == ["linkong"]


def test_smile_curve_ends(zones_metric: gpd.GeoDataFrame) -> None:
    """The article: from the easternmost 益农 to the south-westernmost 三江."""
    centroids = zones_metric.set_index("zone_id").centroid.to_crs("EPSG:4326")
    assert (centroids.x + centroids.y).idxmin() == "sanjiang"
    assert centroids.y.idxmin() == "sanjiang"
    assert centroids.x.idxmin() == "sanjiang"
    assert centroids.x.idxmax() == "yinong"


def test_districts_properties() -> None:
    districts = geo.load_districts()
    assert districts["adcode"].is_unique
    assert districts.loc[districts["is_xiaoshan"], "adcode"].tolist() == ["330109"]
    assert {"330102", "330106", "330108", "330111", "330114", "330603", "330681"} <= set(districts["adcode"])
    assert districts["name_en"].str.len().gt(0).all()


def test_xiaoshan_outline_is_in_wgs84_not_gcj02(xiaoshan: shapely.Geometry) -> None:
    # The GCJ-02 source is shifted ~430 m east; the research notes give the WGS-84 bbox.
    lon_min, lat_min, lon_max, lat_max = xiaoshan.bounds
    assert lon_min == pytest.approx(120.072, abs=0.002)
    assert lon_max == pytest.approx(120.651, abs=0.002)
    assert lat_min == pytest.approx(29.848, abs=0.002)
    assert lat_max == pytest.approx(30.300, abs=0.002)


def test_river_has_water_and_fuchun_line() -> None:
    river = geo.load_river()
    water = river.loc[river["kind"] == "water"]
    line = river.loc[river["kind"] == "river_line"]
    assert water.geom_type.isin(["Polygon", "MultiPolygon"]).all() and len(water) >= 1
    assert line.geom_type.isin(["LineString", "MultiLineString"]).all() and len(line) >= 1
    assert "钱塘江" in set(water["name_zh"])
    assert "富春江" in set(line["name_zh"])


def test_label_points_inside_their_zone(zones: gpd.GeoDataFrame) -> None:
    labels = geo.label_points(zones)
    assert set(labels) == ZONE_IDS
    for row in zones.itertuples():
        lat, lon = labels[row.zone_id]
        assert row.geometry.contains(Point(lon, lat))


@pytest.fixture(scope="module")
def water() -> shapely.Geometry:
    river = geo.load_river()
    return shapely.union_all(river.loc[river["kind"] == "water", "geometry"].values)


# Land reclaimed from the estuary since GSHHG's survey, which GSHHG (and river.geojson before the
# schematic band east of 120.45 E) drew as water. (30.30 N, 120.55 E) was already land in GSHHG.
RECLAIMED_LAND = [
    pytest.param(30.33, 120.66, id="qiantang-east-qianjin"),
    pytest.param(30.25, 120.63, id="qiantang-by-xiaoshan-east-tip"),
    pytest.param(30.20, 120.70, id="keqiao-shore"),
    pytest.param(30.30, 120.55, id="qiantang-dajiangdong"),
]
RIVER_WATER = [
    pytest.param(30.2525, 120.345, id="xiaoshan-qiantang-line-gshhg"),  # on the district line
    pytest.param(30.391, 120.55, id="qiantang-haining-line-schematic"),  # on the district line
    pytest.param(30.30, 120.77, id="bay-haining-side"),
]


@pytest.mark.parametrize(("lat", "lon"), RECLAIMED_LAND)
def test_reclaimed_land_is_not_water(water: shapely.Geometry, lat: float, lon: float) -> None:
    assert not water.contains(Point(lon, lat))


@pytest.mark.parametrize(("lat", "lon"), RIVER_WATER)
def test_river_middle_is_water(water: shapely.Geometry, lat: float, lon: float) -> None:
    assert water.contains(Point(lon, lat))


@pytest.mark.parametrize("lon", [120.50, 120.55, 120.60])
def test_estuary_north_of_qiantang_is_river_wide(water: shapely.Geometry, lon: float) -> None:
    # GSHHG drew it 3.8-4.4 km wide here (old south bank); the Qiantang is ~1.5-3 km wide.
    across = shapely.LineString([(lon, 30.30), (lon, 30.40)]).intersection(water)
    width_km = gpd.GeoSeries([across], crs="EPSG:4326").to_crs(METRIC_CRS).length.iloc[0] / 1000
    assert 1.5 <= width_km <= 3.0


def test_xiaoshan_east_is_not_water(water: shapely.Geometry, xiaoshan: shapely.Geometry) -> None:
    east = shapely.box(120.45, 29.8, 120.8, 30.4)
    wet = gpd.GeoSeries([xiaoshan.intersection(water).intersection(east)], crs="EPSG:4326")
    assert wet.to_crs(METRIC_CRS).area.iloc[0] < 1e4  # m²; GSHHG covered 0.6 km² of 益农/党湾


def test_zones_are_on_land(zones_metric: gpd.GeoDataFrame, water: shapely.Geometry) -> None:
    water_metric = gpd.GeoSeries([water], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    for row in zones_metric.itertuples():
        assert row.geometry.intersection(water_metric).area < 1e4, f"{row.zone_id} overlaps the river"


def test_water_marks_its_schematic_part() -> None:
    river = geo.load_river().set_index("kind")
    assert bool(river.loc["water", "schematic"]) is True
    assert river.loc["water", "schematic_east_of"] == pytest.approx(120.45, abs=0.05)
    assert "GSHHG" in river.loc["water", "source"] and "schematic" in river.loc["water", "source"]
    assert bool(river.loc["river_line", "schematic"]) is False


@pytest.fixture
def zones_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the zone loader at a temporary file, with a fresh cache before and after."""
    path = tmp_path / "zones.geojson"
    monkeypatch.setattr(geo, "ZONES_FILE", path)
    geo._zone_shapes.cache_clear()
    yield path
    geo._zone_shapes.cache_clear()


def _write_zone(path: Path, geometry: shapely.Geometry, crs: str, zone_id: str | None = "x",
                boundary: str = "schematic") -> None:
    gdf = gpd.GeoDataFrame(
        {"zone_id": [zone_id], "boundary": [boundary], "area_km2": [1.0], "basis": ["b"]},
        geometry=[geometry],
        crs=crs,
    )
    gdf.to_file(path, driver="GeoJSON")


def test_loader_rejects_wrong_crs(zones_file: Path) -> None:
    _write_zone(zones_file, shapely.box(500_000, 3_340_000, 501_000, 3_341_000), METRIC_CRS)
    with pytest.raises(ValueError, match=r"zones\.geojson.*WGS-84"):
        geo.load_zone_shapes()


def test_loader_rejects_invalid_geometry(zones_file: Path) -> None:
    bowtie = shapely.Polygon([(120.0, 30.0), (120.1, 30.1), (120.1, 30.0), (120.0, 30.1)])
    _write_zone(zones_file, bowtie, "EPSG:4326")
    with pytest.raises(ValueError, match=r"zones\.geojson.*invalid"):
        geo.load_zone_shapes()


@pytest.mark.parametrize("name", ["districts.geojson", "river.geojson", "zones.geojson"])
def test_shipped_files_are_strict_json(name):
    # Browsers fetch these files and JSON.parse rejects NaN/Infinity, which Python's json writes by default.
    def refuse(constant):
        raise ValueError(f"{name}: {constant} is not JSON")

    json.loads((GEODATA_DIR / name).read_text(encoding="utf-8"), parse_constant=refuse)


def test_loader_rejects_an_unknown_boundary_kind(zones_file: Path) -> None:
    _write_zone(zones_file, shapely.box(120.2, 30.1, 120.3, 30.2), "EPSG:4326", boundary="approximate")
    with pytest.raises(geo.GeodataError, match=r"zones\.geojson, feature 1: boundary 'approximate'"):
        geo.load_zone_shapes()


def test_loader_rejects_an_empty_zone_id(zones_file: Path) -> None:
    _write_zone(zones_file, shapely.box(120.2, 30.1, 120.3, 30.2), "EPSG:4326", zone_id=None)
    with pytest.raises(geo.GeodataError, match=r"zones\.geojson, feature 1: zone_id is empty"):
        geo.load_zone_shapes()


def test_zone_ids_unknown_to_the_zones_table_are_named_by_file_feature_and_value(zones_file: Path) -> None:
    # A bureau's own code as zone_id: the map and projects pages used to fail with a KeyError on it.
    _write_zone(zones_file, shapely.box(120.2, 30.1, 120.3, 30.2), "EPSG:4326", zone_id="keji")
    shapes = geo.load_zone_shapes()
    zones = pd.read_csv(DATA_DIR / "zones.csv")["zone_id"]
    with pytest.raises(geo.GeodataError) as error:
        geo.check_zone_ids(shapes, zones, zones_file)
    assert f"{zones_file}, feature 1: zone_id 'keji' is not a zone of the zones table" in str(error.value)
    assert "kejicheng" in str(error.value)  # the ids to use instead


def test_shipped_zone_ids_pass_the_check(zones: gpd.GeoDataFrame) -> None:
    geo.check_zone_ids(zones, pd.read_csv(DATA_DIR / "zones.csv")["zone_id"])


def test_official_zones_are_read_from_the_boundary_property(zones: gpd.GeoDataFrame) -> None:
    assert geo.official_zones(zones) == frozenset()  # the shipped zones are schematic
    mixed = zones.assign(boundary=["official" if z in ("linkong", "yinong") else "schematic"
                                   for z in zones["zone_id"]])
    assert geo.official_zones(mixed) == {"linkong", "yinong"}
