"""The shapes of an import: repaired, merged per zone, and checked against Xiaoshan, each other, the zones' known
sizes and the projects' positions. Every function returns `Check`s; none raises on bad data."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from corpsmap.boundaries.checks import ERROR, INFO, WARNING, Check
from corpsmap.boundaries.matching import FeatureMatch

AREA_CRS = "EPSG:4549"  # CGCS2000 / 3° Gauss-Krüger CM 120°E: metres, as geodata/README.md measures areas
PRECISION_DEG = 1e-5  # coordinates are stored to 5 decimals (~1 m), as the shipped geodata
# Xiaoshan's outline runs down the middle of the river, so official zones should lie inside it; this much beyond
# it is allowed for the differences between the bureau's survey and the simplified AMap outline. A GCJ-02 shift
# (~500 m) or a wrong CRS goes well past it.
XIAOSHAN_TOLERANCE_M = 200.0
MIN_OVERLAP_KM2 = 0.01  # slivers below this are digitising noise, not overlapping zones
AREA_TOLERANCE = 0.25  # relative difference from a zone's known size that earns a warning
MAX_LISTED_PROJECTS = 50

_POLYGONAL = ("Polygon", "MultiPolygon")
_NOT_AREAS = ("Point", "MultiPoint", "LineString", "MultiLineString", "LinearRing")


def _flat_parts(geometry: BaseGeometry) -> list[BaseGeometry]:
    """Every single part of a geometry, collections and multi-geometries opened."""
    parts = []
    for part in shapely.get_parts(geometry):
        if part.geom_type.startswith("Multi") or part.geom_type == "GeometryCollection":
            parts += _flat_parts(part)
        else:
            parts.append(part)
    return parts


def polygonal(geometry: BaseGeometry | None, where: str, feature: int) -> tuple[BaseGeometry | None, list[Check]]:
    """The feature's area as a valid (Multi)Polygon, repaired with make_valid if need be, or None and an error."""
    if geometry is None or geometry.is_empty:
        return None, [Check(ERROR, "empty_feature", f"{where} has no geometry", feature=feature)]
    if geometry.geom_type in _NOT_AREAS:
        return None, [Check(ERROR, "not_polygon", f"{where} is a {geometry.geom_type}, not an area: zone "
                                                  "boundaries must be polygons", feature=feature)]
    checks = []
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        geometry = shapely.make_valid(geometry)
        checks.append(Check(WARNING, "repaired", f"{where}: invalid geometry ({reason}) repaired with make_valid; "
                                                 "check its shape in the preview", feature=feature))
    parts = _flat_parts(geometry)
    areas = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    others = sorted({p.geom_type for p in parts if p.geom_type != "Polygon" and not p.is_empty})
    if not areas:
        return None, [*checks, Check(ERROR, "not_polygon", f"{where} holds no polygon (only "
                                     f"{', '.join(others) or 'empty parts'}): zone boundaries must be polygons",
                                     feature=feature)]
    if others:
        checks.append(Check(INFO, "dropped_parts", f"{where}: its {', '.join(others)} parts were dropped; only "
                                                   "areas are kept", feature=feature))
    return shapely.union_all(areas), checks


def merge_zones(shapes: gpd.GeoSeries, matches: list[FeatureMatch], where: Callable[[FeatureMatch], str],
                zone_name: Callable[[str], str]) -> tuple[dict[str, BaseGeometry], dict[str, list[int]], list[Check]]:
    """Each matched zone's shape in WGS-84 (its features' polygons merged, on a 1e-5° grid) and its features."""
    pieces: dict[str, list[BaseGeometry]] = {}
    features: dict[str, list[int]] = {}
    checks: list[Check] = []
    for match in matches:
        if match.zone_id is None:
            continue
        features.setdefault(match.zone_id, []).append(match.feature)
        geometry, found = polygonal(shapes.iloc[match.feature - 1], where(match), match.feature)
        checks += found
        if geometry is not None:
            pieces.setdefault(match.zone_id, []).append(geometry)
    merged: dict[str, BaseGeometry] = {}
    for zone_id, numbers in features.items():
        shape = shapely.union_all(pieces.get(zone_id, []))
        # On the grid the stored file uses; set_precision keeps the result valid (collapsed slivers vanish).
        shape = shapely.set_precision(shape, PRECISION_DEG) if not shape.is_empty else shape
        parts = [p for p in _flat_parts(shape) if p.geom_type == "Polygon" and not p.is_empty]
        if not parts:
            checks.append(Check(ERROR, "empty_zone", f"{zone_name(zone_id)}: its feature(s) "
                                f"{_numbers(numbers)} leave no area", zone_id=zone_id))
            continue
        merged[zone_id] = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
        if len(numbers) > 1:
            kind = "one Polygon" if len(parts) == 1 else f"a MultiPolygon of {len(parts)} parts"
            checks.append(Check(INFO, "merged", f"{zone_name(zone_id)}: features {_numbers(numbers)} merged into "
                                                f"{kind}", zone_id=zone_id))
    return merged, features, checks


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def to_metric(geometries: Mapping[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    series = gpd.GeoSeries(list(geometries.values()), index=list(geometries), crs="EPSG:4326").to_crs(AREA_CRS)
    return dict(series.items())


def area_km2(geometry_wgs84: BaseGeometry) -> float:
    return float(gpd.GeoSeries([geometry_wgs84], crs="EPSG:4326").to_crs(AREA_CRS).area.iloc[0] / 1e6)


def beyond(geometry_m: BaseGeometry, outline_m: BaseGeometry) -> tuple[float, float]:
    """(farthest distance in m, area in km²) of the part of a shape outside an outline, both in metres."""
    outside = geometry_m.difference(outline_m)
    if outside.is_empty:
        return 0.0, 0.0
    points = shapely.points(shapely.get_coordinates(outside))
    return float(shapely.distance(points, outline_m).max()), outside.area / 1e6


def location_checks(imported: Mapping[str, BaseGeometry], xiaoshan_wgs84: BaseGeometry,
                    zone_name: Callable[[str], str],
                    alternative: Callable[[BaseGeometry], BaseGeometry] | None = None,
                    alternative_hint: str = "") -> list[Check]:
    """A zone wholly outside Xiaoshan is an error; one reaching beyond it by more than the tolerance, a warning.

    `alternative` re-reads a WGS-84 shape the other way round as to GCJ-02; where that would fit Xiaoshan, the
    message ends with `alternative_hint`.
    """
    if not imported:
        return []
    outline = gpd.GeoSeries([xiaoshan_wgs84], crs="EPSG:4326").to_crs(AREA_CRS).iloc[0]
    metric = to_metric(imported)
    checks = []
    for zone_id, shape in metric.items():
        hint = ""
        if alternative is not None:
            other = to_metric({zone_id: alternative(imported[zone_id])})[zone_id]
            if beyond(other, outline)[0] <= XIAOSHAN_TOLERANCE_M:
                hint = f" {alternative_hint}"
        if not shape.intersects(outline):
            checks.append(Check(ERROR, "outside_xiaoshan", f"{zone_name(zone_id)} lies wholly outside Xiaoshan, "
                                f"{shape.distance(outline) / 1000:,.1f} km from it: a wrong coordinate system?{hint}",
                                zone_id=zone_id))
            continue
        distance, area = beyond(shape, outline)
        if distance > XIAOSHAN_TOLERANCE_M:
            checks.append(Check(WARNING, "beyond_xiaoshan", f"{zone_name(zone_id)} reaches up to {distance:,.0f} m "
                                f"beyond Xiaoshan's boundary ({area:.2f} km² outside; the river explains up to "
                                f"{XIAOSHAN_TOLERANCE_M:.0f} m): the usual sign of a wrong coordinate system or a "
                                f"GCJ-02 shift (about 500 m here).{hint}", zone_id=zone_id))
    return checks


def overlap_checks(shapes: Mapping[str, BaseGeometry], imported: set[str], zone_name: Callable[[str], str],
                   kept_note: Callable[[str], str]) -> list[Check]:
    """Pairs of zones (at least one of them imported) that overlap by more than MIN_OVERLAP_KM2."""
    metric = to_metric(shapes)
    checks = []
    for a, b in itertools.combinations(metric, 2):
        if a not in imported and b not in imported:
            continue
        overlap = metric[a].intersection(metric[b]).area / 1e6
        if overlap >= MIN_OVERLAP_KM2:
            note = "".join(kept_note(z) for z in (a, b) if z not in imported)
            checks.append(Check(WARNING, "overlap", f"{zone_name(a)} and {zone_name(b)} overlap by {overlap:.2f} "
                                                    f"km²{note}", zone_id=a))
    return checks


def area_checks(areas: Mapping[str, float], sizes: Mapping[str, float | None],
                zone_name: Callable[[str], str]) -> list[Check]:
    """Each imported zone's area, and a warning where it differs from the known size by more than 25 %."""
    checks = []
    for zone_id, area in areas.items():
        size = sizes.get(zone_id)
        if size is None or pd.isna(size) or size <= 0:
            checks.append(Check(INFO, "area", f"{zone_name(zone_id)}: {area:,.2f} km² (no known size to compare)",
                                zone_id=zone_id))
            continue
        change = area / size - 1
        if abs(change) > AREA_TOLERANCE:
            checks.append(Check(WARNING, "area_differs", f"{zone_name(zone_id)}: {area:,.2f} km², but its known size "
                                f"is {size:g} km² ({change:+.0%})", zone_id=zone_id))
        else:
            checks.append(Check(INFO, "area", f"{zone_name(zone_id)}: {area:,.2f} km² (known size {size:g} km², "
                                              f"{change:+.0%})", zone_id=zone_id))
    return checks


def project_checks(imported: Mapping[str, BaseGeometry], projects: pd.DataFrame,
                   zone_name: Callable[[str], str]) -> list[Check]:
    """Located projects of an imported zone that lie outside its new boundary, with their distance from it."""
    located = projects[projects["zone_id"].isin(list(imported)) & projects["lat"].notna() & projects["lon"].notna()]
    if located.empty:
        return []
    points = gpd.GeoSeries(gpd.points_from_xy(located["lon"], located["lat"]), index=located.index, crs="EPSG:4326")
    metric_points = points.to_crs(AREA_CRS)
    metric_zones = to_metric(imported)
    outside = []
    for row, zone_id, point, point_m in zip(located.index, located["zone_id"], points, metric_points):
        if not imported[zone_id].covers(point):
            outside.append((zone_id, float(metric_zones[zone_id].distance(point_m)), row))
    checks = []
    for zone_id, distance, row in sorted(outside, key=lambda o: (o[0], -o[1]))[:MAX_LISTED_PROJECTS]:
        p = located.loc[row]
        precision = " (position approximate)" if p.get("location_precision") == "approximate" else ""
        checks.append(Check(WARNING, "project_outside", f"project {p['project_id']} '{p['name_zh']}' lies "
                            f"{distance:,.0f} m outside {zone_name(zone_id)}'s new boundary{precision}",
                            zone_id=zone_id))
    if len(outside) > MAX_LISTED_PROJECTS:
        checks.append(Check(WARNING, "project_outside", f"… and {len(outside) - MAX_LISTED_PROJECTS} more projects "
                                                        "outside their zone's new boundary"))
    return checks


def rounded(geometry: BaseGeometry, decimals: int = 5) -> BaseGeometry:
    """The shape with coordinates rounded for writing (they are on the 1e-5° grid already)."""
    return shapely.transform(geometry, lambda xy: np.round(xy, decimals))
