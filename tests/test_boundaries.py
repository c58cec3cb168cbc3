"""Importing official zone boundaries (corpsmap.boundaries): files the tests build themselves from the shipped
schematic zones, written the way planning bureaus send them, each imported or refused as it should be."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from corpsmap import boundaries, geo
from corpsmap.__main__ import main
from corpsmap.boundaries import files, matching
from corpsmap.boundaries.crs import propose_crs, same_grid
from corpsmap.config import GEODATA_DIR
from corpsmap.coords import geometry_wgs84_to_gcj02
from corpsmap.data import DataError, load_dataset
from tests.chinese import assert_in_chinese

DATA = load_dataset()
SHIPPED = gpd.read_file(GEODATA_DIR / "zones.geojson")
ZONE_IDS = list(DATA.zones["zone_id"])
# How a bureau's file names the zones: full names with full-width brackets, suffixes, prefixes.
BUREAU_NAMES = {"sanjiang": "三江创智新城", "xianghu": "湘湖国家旅游度假区", "shijicheng": "钱江世纪城",
                "shibei": "市北区块", "qiaonan": "桥南区块", "kejicheng": "萧山科技城", "linkong": "临空经济示范区",
                "yinong": "绿色智造产业新城（益农）"}
METRIC = "EPSG:4549"


def bureau_layer(ids: list[str] | None = None) -> gpd.GeoDataFrame:
    """The shipped zones (WGS-84) with a bureau's attribute table: 名称 (name), 编码 (a code) and 面积."""
    zones = SHIPPED if ids is None else SHIPPED.set_index("zone_id").loc[ids].reset_index()
    return gpd.GeoDataFrame({"名称": zones["zone_id"].map(BUREAU_NAMES), "编码": [f"BT{i:02d}" for i in
                                                                              range(1, len(zones) + 1)],
                             "面积": zones["area_km2"]}, geometry=zones.geometry.values, crs="EPSG:4326")


def shapefile_zip(layer: gpd.GeoDataFrame, crs: str | None, *, encoding: str = "gbk", cpg: bool = False,
                  prj: bool = True, name: str = "兵团范围", cpg_text: str | None = None) -> bytes:
    """A zipped Shapefile as ArcGIS or QGIS would send it; without .cpg and .prj unless asked."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (layer.to_crs(crs) if crs else layer).to_file(folder / f"{name}.shp", encoding=encoding)
        if cpg_text is not None:
            (folder / f"{name}.cpg").write_text(cpg_text)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                if (path.suffix == ".cpg" and not cpg and cpg_text is None) or (path.suffix == ".prj" and not prj):
                    continue
                archive.write(path, path.name)
        return buffer.getvalue()


def written(layer: gpd.GeoDataFrame, suffix: str, **kwargs) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"zones{suffix}"
        layer.to_file(path, **kwargs)
        return path.read_bytes()


def run(content: bytes, filename: str = "zones.zip", dataset=DATA, **kwargs) -> boundaries.BoundaryImport:
    return boundaries.import_boundaries(content, filename, dataset, current=geo.load_zone_shapes(), **kwargs)


def codes(result: boundaries.BoundaryImport, severity: str | None = None) -> list[str]:
    return [c.code for c in result.checks if severity is None or c.severity == severity]


def assert_same_shapes(result: boundaries.BoundaryImport, metres: float) -> None:
    """Every imported zone lies within `metres` of the shipped shape it was built from."""
    shipped = SHIPPED.set_index("zone_id").to_crs(METRIC)
    new = result.zones.set_index("zone_id").to_crs(METRIC)
    for zone_id in result.imported:
        distance = shapely.hausdorff_distance(shipped.geometry[zone_id], new.geometry[zone_id])
        assert distance < metres, f"{zone_id} moved by {distance:.1f} m"


# --- the files of the issue -------------------------------------------------------------------------------------

def test_gbk_shapefile_in_4549_without_cpg_imports_with_readable_names():
    result = run(shapefile_zip(bureau_layer(), METRIC))
    assert result.ok, result.errors
    assert result.source.format == files.SHAPEFILE
    assert (result.source.encoding, result.source.encoding_source) == ("gb18030", "detected")
    assert "encoding_detected" in codes(result, "info")
    assert result.source.preview()["名称"].tolist() == [BUREAU_NAMES[z] for z in SHIPPED["zone_id"]]
    assert result.crs.source == "file" and result.crs.crs.to_epsg() == 4549
    assert result.name_field == "名称"
    assert {m.value: m.zone_id for m in result.matches} == {v: k for k, v in BUREAU_NAMES.items()}
    assert set(result.imported) == set(ZONE_IDS)
    assert (result.zones["boundary"] == "official").all()
    assert list(result.zones.columns) == geo.ZONE_COLUMNS and result.zones.crs.to_epsg() == 4326
    assert_same_shapes(result, 2.0)
    # The shipped shapes were cut by the river and each other: the known sizes of two zones are far off.
    assert {c.zone_id for c in result.checks if c.code == "area_differs"} == {"kejicheng", "linkong"}


@pytest.mark.parametrize(("code", "grid"), [(2385, "CM 120E"), (2364, "zone 40")])
def test_xian_1980_prj_is_taken_from_the_file_and_its_datum_shift_flagged(code, grid):
    result = run(shapefile_zip(bureau_layer(), f"EPSG:{code}"))
    assert result.ok, result.errors
    assert result.crs.source == "file" and result.crs.crs.to_epsg() == code
    assert "Xian 1980" in result.crs.label and grid in result.crs.label
    assert "datum_ignored" in codes(result, "warning")
    assert_same_shapes(result, 2.0)


def test_geopackage_with_two_layers_reads_the_one_that_names_the_zones():
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "规划.gpkg"
        roads = gpd.GeoDataFrame({"名称": ["机场大道", "市心路"]},
                                 geometry=[shapely.LineString([(120.3, 30.1), (120.4, 30.2)]),
                                           shapely.LineString([(120.26, 30.15), (120.27, 30.2)])], crs="EPSG:4490")
        roads.to_file(path, layer="道路", driver="GPKG")
        bureau_layer().to_crs(METRIC).to_file(path, layer="兵团范围", driver="GPKG")
        townships = bureau_layer().to_crs(METRIC).assign(名称=[f"镇街{i}" for i in range(8)])
        townships.to_file(path, layer="镇街", driver="GPKG")
        content = path.read_bytes()
    result = run(content, "规划.gpkg")
    assert result.ok, result.errors
    assert result.source.format == files.GEOPACKAGE
    assert set(result.source.layers) == {"道路", "兵团范围", "镇街"}
    assert result.source.layer == "兵团范围"
    assert set(result.imported) == set(ZONE_IDS)
    chosen = next(c for c in result.checks if c.code == "layer_chosen")
    assert chosen.severity == "info" and "--layer" in chosen.text
    # Chosen by hand, the township layer names no zone: nothing to import, and that blocks.
    townships = run(content, "规划.gpkg", layer="镇街")
    assert not townships.ok and "nothing_matched" in codes(townships, "error")
    assert codes(townships).count("unmatched") == 8
    with pytest.raises(DataError, match=r"规划\.gpkg.*no layer '河流'.*道路"):
        run(content, "规划.gpkg", layer="河流")


def test_zip_with_two_shapefiles_reads_the_one_that_names_the_zones():
    zones = zipfile.ZipFile(io.BytesIO(shapefile_zip(bureau_layer(), METRIC, name="兵团范围")))
    roads = bureau_layer().assign(名称=[f"路{i}" for i in range(8)], geometry=lambda g: g.boundary)
    other = zipfile.ZipFile(io.BytesIO(shapefile_zip(roads, METRIC, name="道路")))
    content = zip_of({**{f"数据/{n}": zones.read(n) for n in zones.namelist()},
                      **{f"数据/{n}": other.read(n) for n in other.namelist()}})
    result = run(content)
    assert set(result.source.layers) == {"数据/兵团范围", "数据/道路"}
    assert result.source.layer == "数据/兵团范围" and result.ok


def test_kml_without_a_folder_is_named_after_the_upload():
    kml = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark>'
           "<name>萧山科技城</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
           + " ".join(f"{x},{y}" for x, y in SHIPPED.set_index("zone_id").geometry["kejicheng"].exterior.coords)
           + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>")
    result = run(kml.encode(), "科技城边界.kml")
    assert result.source.layer == "科技城边界" and result.imported == ("kejicheng",)


def test_lines_named_after_zones_are_refused_as_not_polygons():
    lines = bureau_layer().assign(geometry=lambda g: g.boundary)
    result = run(written(lines, ".geojson", driver="GeoJSON"), "lines.geojson")
    assert not result.ok
    assert codes(result, "error").count("not_polygon") == 8


def gcj02_geojson() -> bytes:
    layer = bureau_layer()
    layer["geometry"] = [geometry_wgs84_to_gcj02(g) for g in layer.geometry]
    return layer.to_json().encode()


def test_geojson_in_gcj02_is_converted_with_the_flag():
    result = run(gcj02_geojson(), "amap.geojson", gcj02=True)
    assert result.ok, result.errors
    assert result.crs.gcj02 and "GCJ-02" in result.crs.label
    assert "beyond_xiaoshan" not in codes(result)
    assert_same_shapes(result, 2.0)
    assert "GCJ-02" in result.zones["basis"].iloc[0]


def test_geojson_in_gcj02_without_the_flag_is_flagged_by_zone_and_distance():
    result = run(gcj02_geojson(), "amap.geojson")
    beyond = [c for c in result.checks if c.code == "beyond_xiaoshan"]
    assert beyond, "a ~500 m GCJ-02 shift must push a zone beyond Xiaoshan"
    assert all(c.severity == "warning" for c in beyond)
    for check in beyond:
        assert check.zone_id in check.text and " m beyond Xiaoshan" in check.text
        assert "--gcj02" in check.text  # shifted back, it would fit
    assert result.ok  # a warning: a zone may really reach past the simplified outline


def test_self_intersection_is_repaired_and_said():
    layer = bureau_layer()
    x0, y0, x1, y1 = layer.geometry[5].bounds  # kejicheng
    layer.loc[5, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])  # a bow tie
    result = run(shapefile_zip(layer, METRIC))
    repaired = [c for c in result.checks if c.code == "repaired"]
    assert [(c.severity, c.feature) for c in repaired] == [("warning", 6)]
    assert "Self-intersection" in repaired[0].text and "萧山科技城" in repaired[0].text
    assert result.ok
    kejicheng = result.zones.set_index("zone_id").geometry["kejicheng"]
    assert kejicheng.is_valid and kejicheng.geom_type == "MultiPolygon"  # the two triangles of the bow tie


def test_missing_zone_keeps_its_current_boundary_with_a_warning():
    ids = [z for z in ZONE_IDS if z != "xianghu"]
    result = run(shapefile_zip(bureau_layer(ids), METRIC))
    assert result.ok, result.errors
    missing = [c for c in result.checks if c.code == "zone_missing"]
    assert [(c.severity, c.zone_id) for c in missing] == [("warning", "xianghu")]
    zones = result.zones.set_index("zone_id")
    assert zones.loc["xianghu", "boundary"] == "schematic"
    assert (zones.drop(index="xianghu")["boundary"] == "official").all()
    assert list(result.zones["zone_id"]) == ZONE_IDS  # every zone still drawn, in the zones table's order


def test_shapefile_without_prj_gets_a_proposed_crs_to_confirm():
    content = shapefile_zip(bureau_layer(), METRIC, prj=False)
    proposed = run(content)
    assert proposed.crs.source == "proposed" and proposed.crs.crs.to_epsg() == 4549
    error = next(c for c in proposed.checks if c.code == "crs_proposed")
    assert error.severity == "error" and "--crs EPSG:4549" in error.text and "EPSG:2385" in error.text
    assert not proposed.ok
    assert_same_shapes(proposed, 2.0)  # the checks ran with the proposal
    confirmed = run(content, crs="EPSG:4549")
    assert confirmed.ok and confirmed.crs.source == "given"


@pytest.mark.parametrize(("crs", "expected"), [("EPSG:4528", 4528), ("EPSG:4490", 4490), ("EPSG:3857", 3857),
                                                ("EPSG:4510", 4510)])
def test_crs_proposed_from_coordinate_ranges(crs, expected):
    bounds = tuple(SHIPPED.to_crs(crs).total_bounds)
    assert propose_crs(bounds)[0].to_epsg() == expected


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_no_crs_and_no_fit_is_an_error_asking_for_one():
    far = bureau_layer().to_crs("EPSG:32633")  # UTM 33N: coordinates that fit nothing near Xiaoshan
    result = run(shapefile_zip(far.set_crs(None, allow_override=True), None, prj=False))
    assert result.crs.crs is None and "crs_unknown" in codes(result, "error")
    assert result.imported == () and list(result.zones["boundary"]) == ["schematic"] * 8


def test_prj_without_the_zone_number_for_coordinates_with_it_is_caught():
    # Coordinates with the zone number (40,5xx,xxx) under a .prj that says CM 120E (500,000): a common mix-up.
    layer = bureau_layer().to_crs("EPSG:4528").set_crs(METRIC, allow_override=True)
    result = run(shapefile_zip(layer, None))
    proposed = next(c for c in result.checks if c.code == "crs_proposed")
    assert "the file says EPSG:4549" in proposed.text and "--crs EPSG:4528" in proposed.text
    assert not result.ok and result.crs.crs.to_epsg() == 4528
    assert_same_shapes(result, 2.0)
    assert run(shapefile_zip(layer, None), crs="EPSG:4528").ok


def test_prj_of_a_neighbouring_grid_is_suspected_and_the_right_one_named():
    layer = bureau_layer().to_crs(METRIC).set_crs("EPSG:4548", allow_override=True)  # .prj says CM 117E
    result = run(shapefile_zip(layer, None))
    suspect = next(c for c in result.checks if c.code == "crs_suspect")
    assert suspect.severity == "warning" and "--crs EPSG:4549" in suspect.text
    assert not result.ok  # every zone lands ~290 km west of Xiaoshan
    assert codes(result, "error").count("outside_xiaoshan") == 8


def test_wrong_crs_puts_zones_outside_xiaoshan_with_the_distance():
    result = run(shapefile_zip(bureau_layer(), METRIC), crs="EPSG:4548")  # the 3° zone west of Hangzhou's
    outside = [c for c in result.checks if c.code == "outside_xiaoshan"]
    assert len(outside) == 8 and all(c.severity == "error" for c in outside)
    assert all(" km from it" in c.text for c in outside)


def test_gcj02_flag_on_projected_coordinates_is_an_error():
    result = run(shapefile_zip(bureau_layer(), METRIC), gcj02=True)
    assert "gcj02_projected" in codes(result, "error") and result.imported == ()


def test_kml_imports_by_its_name_field():
    result = run(written(bureau_layer().rename(columns={"名称": "Name"}), ".kml", driver="KML"), "zones.kml")
    assert result.ok, result.errors
    assert result.source.format == files.KML and result.name_field == "Name"
    assert set(result.imported) == set(ZONE_IDS)


def test_kmz_is_read_from_its_zip():
    kml = written(bureau_layer().rename(columns={"名称": "Name"}), ".kml", driver="KML")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml)
    result = run(buffer.getvalue(), "zones.kmz")
    assert result.ok and result.source.format == files.KML


# --- encodings --------------------------------------------------------------------------------------------------

def test_cpg_is_honoured():
    result = run(shapefile_zip(bureau_layer(), METRIC, encoding="utf-8", cpg=True))
    assert (result.source.encoding, result.source.encoding_source) == ("utf-8", ".cpg file")
    assert result.ok and "encoding_doubt" not in codes(result)


def test_gbk_cpg_with_gbk_text():
    result = run(shapefile_zip(bureau_layer(), METRIC, cpg_text="GBK"))
    assert (result.source.encoding, result.source.encoding_source) == ("gb18030", ".cpg file")
    assert "萧山科技城" in result.source.preview()["名称"].tolist()


def test_cpg_contradicted_by_the_text_is_flagged():
    result = run(shapefile_zip(bureau_layer(), METRIC, cpg_text="UTF-8"))  # GBK text, .cpg says UTF-8
    doubt = next(c for c in result.checks if c.code == "encoding_doubt")
    assert doubt.severity == "warning" and "says UTF-8" in doubt.text and "read as gb18030" in doubt.text
    assert (result.source.encoding, result.source.encoding_source) == ("gb18030", "detected")
    assert "萧山科技城" in result.source.preview()["名称"].tolist() and result.ok
    given = run(shapefile_zip(bureau_layer(), METRIC, cpg_text="UTF-8"), encoding="gbk")
    assert (given.source.encoding, given.source.encoding_source) == ("gb18030", "given") and given.ok


def test_utf8_shapefile_without_cpg_is_detected_as_utf8():
    result = run(shapefile_zip(bureau_layer(), METRIC, encoding="utf-8"))
    assert (result.source.encoding, result.source.encoding_source) == ("utf-8", "detected")
    assert result.ok


def test_zip_with_gbk_member_names_shows_them_readably():
    # Windows' built-in zip writes names in the local code page without the UTF-8 flag.
    content = shapefile_zip(bureau_layer(), METRIC, name="AAAAAAAA")
    content = content.replace(b"AAAAAAAA", "兵团范围".encode("gbk"))  # same length: the archive stays intact
    result = run(content)
    assert result.source.layer == "兵团范围" and result.ok


def test_gbk_geojson_is_read_with_a_warning():
    text = bureau_layer().to_json(ensure_ascii=False)
    result = run(text.encode("gbk"), "zones.geojson")
    assert result.ok and "encoding_detected" in codes(result, "warning")
    assert "萧山科技城" in set(m.value for m in result.matches)


# --- matching ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "zone_id", "how"), [
    ("绿色智造产业新城（益农）", "yinong", matching.BY_NAME),
    ("绿色智造产业新城(益农)", "yinong", matching.BY_NAME),
    ("益农兵团", "yinong", matching.BY_VARIANT),
    ("临空经济示范区", "linkong", matching.BY_VARIANT),
    ("杭州临空经济示范区", "linkong", matching.BY_VARIANT),
    ("萧山科技城", "kejicheng", matching.BY_VARIANT),
    (" 科技城 ", "kejicheng", matching.BY_NAME),
    ("ＫＥＪＩＣＨＥＮＧ", "kejicheng", matching.BY_ID),
    ("kejicheng", "kejicheng", matching.BY_ID),
    ("三江 创智 新城", "sanjiang", matching.BY_NAME),
    ("湘湖国家旅游度假区", "xianghu", matching.BY_VARIANT),
    ("钱江世纪城", "shijicheng", matching.BY_VARIANT),
    ("开发区市北区块", "shibei", matching.BY_VARIANT),
    ("Sci-Tech City", "kejicheng", matching.BY_NAME),
    ("科技城东片", "kejicheng", matching.PARTIAL),
])
def test_zone_names_match(value, zone_id, how):
    assert matching.match_value(value, matching.ZoneKeys.of(DATA.zones)) == (zone_id, how)


@pytest.mark.parametrize(("value", "how"), [("道路", matching.UNMATCHED), ("", matching.UNMATCHED),
                                            (None, matching.UNMATCHED), ("市北桥南", matching.AMBIGUOUS),
                                            ("keji", matching.UNMATCHED)])
def test_other_values_match_no_zone(value, how):
    assert matching.match_value(value, matching.ZoneKeys.of(DATA.zones)) == (None, how)


def test_name_field_is_proposed_from_the_attribute_that_names_most_zones():
    table = pd.DataFrame({"OBJECTID_1": ["1", "2"], "备注": ["科技城东片", "道路"], "名称": ["萧山科技城", "湘湖"]})
    assert matching.propose_name_field(table, DATA.zones) == "名称"
    assert matching.propose_name_field(table[["OBJECTID_1"]], DATA.zones) is None


def test_several_features_for_one_zone_merge_into_a_multipolygon():
    layer = bureau_layer()
    extra = gpd.GeoDataFrame({"名称": ["益农兵团"], "编码": ["BT09"], "面积": [1.0]},
                             geometry=[shapely.Point(120.62, 30.16).buffer(0.005)], crs="EPSG:4326")
    result = run(shapefile_zip(pd.concat([layer, extra], ignore_index=True), METRIC))
    assert result.ok, result.errors
    merged = next(c for c in result.checks if c.code == "merged")
    assert merged.zone_id == "yinong" and "features 8, 9" in merged.text
    assert result.zones.set_index("zone_id").geometry["yinong"].geom_type == "MultiPolygon"


def test_matches_can_be_overridden_and_unmatched_features_are_listed():
    layer = bureau_layer()
    layer.loc[5, "名称"] = "KJC-2023"  # the bureau's own code for 科技城
    plain = run(shapefile_zip(layer, METRIC))
    assert "kejicheng" not in plain.imported
    unmatched = next(c for c in plain.checks if c.code == "unmatched")
    assert unmatched.feature == 6 and "KJC-2023" in unmatched.text and "--match 6=" in unmatched.text
    fixed = run(shapefile_zip(layer, METRIC), overrides={6: "kejicheng", 2: None})
    assert "kejicheng" in fixed.imported and "xianghu" not in fixed.imported
    assert [m.how for m in fixed.matches if m.feature in (2, 6)] == [matching.DROPPED, matching.OVERRIDE]
    bad = run(shapefile_zip(layer, METRIC), overrides={6: "keji", 99: "linkong"})
    assert codes(bad, "error").count("bad_override") == 2


def test_unknown_name_field_is_refused_naming_the_attributes():
    with pytest.raises(DataError, match=r"zones\.zip.*no attribute 'NAME'.*名称") as refused:
        run(shapefile_zip(bureau_layer(), METRIC), name_field="NAME")
    assert_in_chinese(refused.value.problems)


# --- checks -----------------------------------------------------------------------------------------------------

def test_overlapping_zones_are_reported_with_their_area():
    layer = bureau_layer().to_crs(METRIC)
    layer.loc[5, "geometry"] = layer.geometry[5].buffer(1500)  # kejicheng spills into its neighbours
    result = run(shapefile_zip(layer, None))
    overlaps = [c for c in result.checks if c.code == "overlap"]
    assert overlaps and all(c.severity == "warning" and "科技城" in c.text and "km²" in c.text for c in overlaps)
    assert result.ok


def test_zone_near_its_known_size_passes_and_far_from_it_warns():
    layer = bureau_layer().to_crs(METRIC)
    target = 50.7e6  # 科技城's known size in m²: grow the shape until it is within a few per cent
    radius = 0.0
    while layer.geometry[5].buffer(radius).area < 0.97 * target:
        radius += 200
    layer.loc[5, "geometry"] = layer.geometry[5].buffer(radius)
    result = run(shapefile_zip(layer, None))
    assert "kejicheng" not in {c.zone_id for c in result.checks if c.code == "area_differs"}
    assert "linkong" in {c.zone_id for c in result.checks if c.code == "area_differs"}


def test_projects_outside_their_new_zone_are_listed():
    template = DATA.projects[DATA.projects["zone_id"] == "kejicheng"].iloc[0].to_dict()
    xianghu = SHIPPED.set_index("zone_id").geometry["xianghu"].representative_point()
    stray = {**template, "project_id": "stray-1", "name_zh": "错位项目", "lat": xianghu.y, "lon": xianghu.x,
             "location_precision": "exact"}
    dataset = replace(DATA, projects=pd.concat([DATA.projects, pd.DataFrame([stray])], ignore_index=True))
    result = run(shapefile_zip(bureau_layer(), METRIC), dataset=dataset)
    outside = [c for c in result.checks if c.code == "project_outside"]
    assert [c.zone_id for c in outside] == ["kejicheng"]
    assert "stray-1" in outside[0].text and "错位项目" in outside[0].text and " m outside " in outside[0].text


def test_zones_geojson_is_the_shipped_format():
    result = run(shapefile_zip(bureau_layer(), METRIC), basis="萧山区规划和自然资源局 2023-05")
    collection = json.loads(result.geojson(), parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert "crs" not in collection
    assert [f["properties"]["zone_id"] for f in collection["features"]] == ZONE_IDS
    for feature in collection["features"]:
        assert set(feature["properties"]) == {"zone_id", "boundary", "area_km2", "basis"}
        assert feature["properties"]["basis"].startswith("萧山区规划和自然资源局 2023-05; imported from zones.zip")
    coords = shapely.get_coordinates(shapely.from_geojson(json.dumps(collection)))
    assert abs(coords - coords.round(5)).max() < 1e-9


def test_imported_file_passes_the_geodata_loader(tmp_path, monkeypatch):
    path = tmp_path / "zones.geojson"
    path.write_text(run(shapefile_zip(bureau_layer(), METRIC)).geojson(), encoding="utf-8")
    monkeypatch.setattr(geo, "ZONES_FILE", path)
    geo._zone_shapes.cache_clear()
    try:
        loaded = geo.load_zone_shapes()
    finally:
        geo._zone_shapes.cache_clear()
    assert (loaded["boundary"] == "official").all() and set(loaded["zone_id"]) == set(ZONE_IDS)


# --- refusals ---------------------------------------------------------------------------------------------------

def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["../evil.shp", "a/../../evil.shp", "/tmp/evil.shp", "C:/evil.shp",
                                    "..\\evil.shp"])
def test_zip_path_traversal_is_refused(member):
    with pytest.raises(DataError, match=r"bad\.zip.*outside the archive") as refused:
        run(zip_of({member: b"x"}), "bad.zip")
    assert_in_chinese(refused.value.problems)


def test_zip_symlink_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("zones.shp")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(DataError, match="symbolic link"):
        run(buffer.getvalue(), "link.zip")


def test_zip_bomb_is_refused_from_its_directory():
    with pytest.raises(DataError, match=r"bomb\.zip.*zip bomb") as refused:
        run(zip_of({"zones.dbf": bytes(30 * files.MB)}), "bomb.zip")
    assert_in_chinese(refused.value.problems)


def test_zip_unpacking_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(DataError, match=r"zones\.zip.*unpacks to"):
        run(shapefile_zip(bureau_layer(), METRIC))


def test_too_large_and_too_many_features_are_refused(monkeypatch):
    content = shapefile_zip(bureau_layer(), METRIC)
    monkeypatch.setattr(files, "MAX_FEATURES", 5)
    with pytest.raises(DataError, match=r"zones\.zip.*8 features \(limit 5\)") as refused:
        run(content)
    assert_in_chinese(refused.value.problems)
    monkeypatch.setattr(files, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(DataError, match=r"zones\.zip.*larger than") as refused:
        run(content)
    assert_in_chinese(refused.value.problems)


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("zones.shp", b"\x00\x00\x27\x0a", "zip the .shp together"),
    ("zones.dxf", b"0\nSECTION\n", "DWG/DXF"),
    ("zones.xlsx", b"PK\x03\x04", "can be imported"),
    ("zones.zip", b"not a zip", "not a zip archive"),
    ("zones.gpkg", b"not sqlite", "not a GeoPackage"),
    ("zones.geojson", b"<html>", "not a GeoJSON"),
    ("zones.zip", None, "holds no .shp"),
    ("zones.zip", "no-dbf", "without its .dbf"),
    ("zones.geojson", b"", "empty"),
    ("zones.kml", b'<?xml version="1.0"?><kml><NetworkLink><Link><href>http://example.com/z.kml</href></Link>'
                  b"</NetworkLink></kml>", "NetworkLink"),
])
def test_other_files_are_refused_naming_the_file(filename, content, message):
    if content is None:
        content = zip_of({"readme.txt": b"boundaries to follow"})
    elif content == "no-dbf":
        full = zipfile.ZipFile(io.BytesIO(shapefile_zip(bureau_layer(), METRIC)))
        content = zip_of({n: full.read(n) for n in full.namelist() if not n.endswith(".dbf")})
    with pytest.raises(DataError, match=filename.replace(".", r"\.")) as refused:
        run(content, filename)
    assert message in str(refused.value)
    assert_in_chinese(refused.value.problems)


def test_work_happens_in_a_private_temporary_directory_that_is_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    run(shapefile_zip(bureau_layer(), METRIC))
    assert list(tmp_path.iterdir()) == []


def test_same_grid_codes_are_xian_1980_and_beijing_1954():
    from pyproj import CRS

    for code in (4528, 4549, 4499, 4510):
        xian, beijing = same_grid(code)
        grid = CRS.from_epsg(code).name.split(" / ")[1]
        assert CRS.from_epsg(xian).name == f"Xian 1980 / {grid}"
        assert CRS.from_epsg(beijing).name == f"Beijing 1954 / {grid}"


# --- command line -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    """A store seeded from data/ (the command line reads the zones and projects of its latest version)."""
    return f"sqlite:///{tmp_path_factory.mktemp('boundaries-store') / 'store.sqlite'}"


@pytest.fixture
def upload(tmp_path):
    def write(content: bytes, name: str = "兵团范围.zip") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)
    return write


def test_cli_dry_run_prints_what_it_detected_and_exits_0(store_url, upload, capsys):
    code = main(["boundaries", "import", upload(shapefile_zip(bureau_layer(), METRIC)), "--dry-run",
                 "--url", store_url])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "file: 兵团范围.zip (zipped Shapefile" in out
    assert "layer: 兵团范围" in out
    assert "coordinate system: EPSG:4549 CGCS2000 / 3-degree Gauss-Kruger CM 120E (from the file)" in out
    assert "text encoding: gb18030 (detected)" in out
    assert "绿色智造产业新城（益农）" in out and "BT08" in out  # the attribute table
    assert "feature 8\t绿色智造产业新城（益农）\t-> yinong\t(name)" in out
    assert "warning: 科技城 (kejicheng): 26.28 km², but its known size is 50.7 km² (-48%)" in out
    assert "result: 8 zone(s) with an official boundary" in out
    assert "dry run: nothing was written" in out


def test_cli_dry_run_exits_1_on_an_error_and_0_once_confirmed(store_url, upload, capsys):
    path = upload(shapefile_zip(bureau_layer(), METRIC, prj=False))
    assert main(["boundaries", "import", path, "--dry-run", "--url", store_url]) == 1
    captured = capsys.readouterr()
    assert "(PROPOSED, not confirmed)" in captured.out and "error: the file has no coordinate system" in captured.out
    assert "not imported: 1 error(s)" in captured.err
    assert main(["boundaries", "import", path, "--dry-run", "--crs", "EPSG:4549", "--url", store_url]) == 0


def test_cli_refused_file_exits_1_naming_it(store_url, upload, capsys):
    assert main(["boundaries", "import", upload(zip_of({"../x.shp": b""}), "bad.zip"), "--dry-run",
                 "--url", store_url]) == 1
    assert "bad.zip" in capsys.readouterr().err


def test_cli_writes_geojson_with_out_or_publishes_a_version(store_url, upload, tmp_path, capsys):
    from corpsmap.accounts import audit_entries
    from corpsmap.store import open_store

    path = upload(shapefile_zip(bureau_layer(), METRIC))
    out = tmp_path / "zones.geojson"
    assert main(["boundaries", "import", path, "--out", str(out), "--match", "2=", "--url", store_url]) == 0
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["boundary"] for f in collection["features"]].count("official") == 7
    store = open_store(store_url)
    assert store.current_number() == 1 and store.boundaries(1) is None  # --out wrote a file, published nothing
    capsys.readouterr()
    assert main(["boundaries", "import", path, "--url", store_url]) == 0
    assert "published version 2: 8 official zone(s)" in capsys.readouterr().out
    version = store.version(2)
    assert (version.kind, version.summary) == ("boundaries", {"boundaries": {"added": 8, "changed": 0, "removed": 0}})
    kept = json.loads(store.boundaries(2))
    assert {f["properties"]["boundary"] for f in kept["features"]} == {"official"}
    assert store.read(2).projects.equals(store.read(1).projects)  # the data is untouched
    entry = audit_entries(store, action="import_boundaries")[0]
    assert entry.actor.startswith("cli:") and entry.version == 2 and entry.filename == Path(path).name
    assert main(["boundaries", "import", path, "--url", store_url]) == 1  # the same again changes nothing
    assert "changes nothing" in capsys.readouterr().err
    store.engine.dispose()


def test_cli_rejects_a_malformed_match(upload):
    with pytest.raises(SystemExit):
        main(["boundaries", "import", upload(b"x"), "--match", "kejicheng", "--dry-run"])
