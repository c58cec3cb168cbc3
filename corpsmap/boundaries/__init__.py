"""Importing official zone boundaries from the files a planning bureau sends (issue 9).

`import_boundaries` reads an upload (zipped Shapefile, GeoPackage, GeoJSON, KML), settles its coordinate system
and text encoding, matches its features to the zones, builds the zones in WGS-84 and checks them. It returns a
`BoundaryImport`: what was detected, each feature's match, every check, and the zones as they would be published
(`zones`, the shape of geodata/zones.geojson; `geojson()` is its text). Nothing is stored here: the caller
publishes `zones` when `ok` is true. A file that cannot be read at all raises a DataError naming it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from corpsmap import geo
from corpsmap.boundaries import matching, validation
from corpsmap.boundaries.checks import ERROR, INFO, WARNING, Check, errors
from corpsmap.boundaries.crs import CrsChoice, choose_crs, to_wgs84
from corpsmap.boundaries.files import SourceLayer, read_boundary_file
from corpsmap.boundaries.matching import FeatureMatch
from corpsmap.coords import geometry_gcj02_to_wgs84, geometry_wgs84_to_gcj02
from corpsmap.data import DataError, Dataset, Message, Problem
from corpsmap.geo import OFFICIAL, SCHEMATIC

__all__ = ["ERROR", "INFO", "OFFICIAL", "SCHEMATIC", "WARNING", "BoundaryImport", "Check", "FeatureMatch",
           "import_boundaries", "zones_geojson"]


@dataclass
class BoundaryImport:
    """Everything an import found, and the zones it would publish."""

    source: SourceLayer
    crs: CrsChoice
    name_field: str | None
    matches: list[FeatureMatch]
    zones: gpd.GeoDataFrame  # zone_id, boundary, area_km2, basis, geometry (EPSG:4326): imported and kept zones
    imported: tuple[str, ...]  # the zones whose boundary comes from the file
    checks: list[Check] = field(default_factory=list)

    @property
    def errors(self) -> list[Check]:
        return errors(self.checks)

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True if nothing blocks publishing (warnings do not)."""
        return not self.errors

    def geojson(self) -> str:
        return zones_geojson(self.zones)


def import_boundaries(content: bytes, filename: str, dataset: Dataset, *, current: gpd.GeoDataFrame | None = None,
                      layer: str | None = None, crs: str | CRS | None = None, gcj02: bool = False,
                      encoding: str | None = None, name_field: str | None = None,
                      overrides: Mapping[int, str | None] | None = None, basis: str | None = None,
                      xiaoshan: BaseGeometry | None = None) -> BoundaryImport:
    """Read, match, convert and check an uploaded boundary file against `dataset`'s zones and projects.

    `current` are the zone shapes in use (default: geodata/zones.geojson); zones the file does not cover keep
    theirs. `crs` confirms or overrides the file's CRS; `gcj02` says its longitudes/latitudes are GCJ-02;
    `overrides` maps feature numbers (1-based) to zone ids, or to None to leave a feature out; `basis` says where
    the boundaries come from (issuing office, document, date) and starts each imported zone's `basis`;
    `xiaoshan` is the district outline zones must lie in (default: geodata/districts.geojson's).
    Raises DataError naming the file when it cannot be read at all (or lacks `name_field`), ValueError for a
    `crs` pyproj does not know; everything else is a `Check` in the result.
    """
    zones = dataset.zones
    names = {z["zone_id"]: f"{z['name_zh']} ({z['zone_id']})" for z in zones.to_dict("records")}
    source = read_boundary_file(content, filename, layer=layer, encoding=encoding,
                                score=lambda table: matching.zones_named(table, zones))
    checks = list(source.notes)
    table = pd.DataFrame(source.frame.drop(columns=source.frame.geometry.name))
    field_, found = _name_field(table, name_field, zones, source.file)
    checks += found
    found, overrides = _checked_overrides(overrides or {}, len(table), names)
    checks += found
    matches = matching.match_features(table, field_, zones, overrides)
    checks += _match_checks(matches, names)

    choice, found = choose_crs(source.frame, crs, gcj02)
    checks += found
    current = geo.load_zone_shapes() if current is None else current
    if choice.crs is None or any(c.code == "gcj02_projected" for c in found):
        return BoundaryImport(source, choice, field_, matches, _frame(current), (), checks)
    shapes, found = to_wgs84(source.frame.geometry, choice)
    checks += found

    def where(match: FeatureMatch) -> str:
        value = f" '{match.value}'" if match.value else ""
        return f"feature {match.feature}{value} ({names.get(match.zone_id, match.zone_id)})"

    merged, features, found = validation.merge_zones(shapes, matches, where, names.__getitem__)
    checks += found
    if not features:
        checks.append(Check(ERROR, "nothing_matched", "no feature matched a zone, so nothing would be imported"))
    kept = current[~current["zone_id"].isin(list(merged))]
    for zone_id in zones["zone_id"]:
        if zone_id in features:
            continue
        row = current[current["zone_id"] == zone_id]
        keeps = (f"it keeps its current {row['boundary'].iloc[0]} boundary" if not row.empty
                 else "it has no boundary and is not drawn")
        checks.append(Check(WARNING, "zone_missing", f"no feature for {names[zone_id]}: {keeps}", zone_id=zone_id))

    outline = xiaoshan if xiaoshan is not None else _xiaoshan()
    geographic = bool(choice.crs.is_geographic)
    if choice.gcj02:
        alternative, hint = geometry_wgs84_to_gcj02, "Without the GCJ-02 conversion it would fit: leave out --gcj02."
    else:
        alternative = geometry_gcj02_to_wgs84
        hint = ("Shifted back from GCJ-02 it would fit: the file's longitudes/latitudes are probably AMap's; "
                "import with --gcj02." if geographic else
                "Shifted back from GCJ-02 it would fit: the shapes were probably traced on AMap/Tencent.")
    checks += validation.location_checks(merged, outline, names.__getitem__, alternative, hint)
    all_shapes = {**dict(zip(kept["zone_id"], kept.geometry)), **merged}
    checks += validation.overlap_checks(all_shapes, set(merged), names.__getitem__,
                                        lambda z: _kept_note(z, kept, names))
    areas = {z: validation.area_km2(g) for z, g in merged.items()}
    sizes = dict(zip(zones["zone_id"], zones["size_km2"])) if "size_km2" in zones else {}
    checks += validation.area_checks(areas, sizes, names.__getitem__)
    checks += validation.project_checks(merged, dataset.projects, names.__getitem__)

    rows = []
    for zone_id in zones["zone_id"]:
        if zone_id in merged:
            rows.append({"zone_id": zone_id, "boundary": OFFICIAL, "area_km2": round(areas[zone_id], 1),
                         "basis": _basis(basis, source, field_, choice, matches, zone_id),
                         "geometry": merged[zone_id]})
        elif zone_id in set(kept["zone_id"]):
            rows.append(kept[kept["zone_id"] == zone_id].iloc[0].to_dict())
    result = gpd.GeoDataFrame(rows, columns=geo.ZONE_COLUMNS, geometry="geometry", crs="EPSG:4326")
    return BoundaryImport(source, choice, field_, matches, result, tuple(merged), checks)


def _frame(current: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(current[geo.ZONE_COLUMNS].copy(), geometry="geometry", crs=current.crs)


def _xiaoshan() -> BaseGeometry:
    districts = geo.load_districts()
    return shapely.union_all(districts.loc[districts["is_xiaoshan"], "geometry"].values)


def _kept_note(zone_id: str, kept: gpd.GeoDataFrame, names: Mapping[str, str]) -> str:
    boundary = kept.loc[kept["zone_id"] == zone_id, "boundary"]
    return f" ({names[zone_id]} keeps its current {boundary.iloc[0]} boundary)" if not boundary.empty else ""


def _name_field(table: pd.DataFrame, wanted: str | None, zones: pd.DataFrame,
                file: str) -> tuple[str | None, list[Check]]:
    columns = [str(c) for c in table.columns]
    if wanted is not None:
        if wanted not in table.columns:
            raise DataError([Problem(file, None, wanted, None, Message(
                f"no attribute '{wanted}'; the attributes are: {', '.join(columns) or 'none'}",
                f"没有属性“{wanted}”；现有属性：{', '.join(columns) or '无'}"))])
        return wanted, []
    proposed = matching.propose_name_field(table, zones)
    if proposed is None:
        return None, [Check(WARNING, "no_name_field", f"no attribute names a zone (attributes: "
                            f"{', '.join(columns) or 'none'}): choose one with --name-field, or assign features "
                            "with --match N=ZONE_ID")]
    return proposed, [Check(INFO, "name_field", f"features matched to zones by the attribute '{proposed}' "
                                                "(choose another with --name-field)")]


def _checked_overrides(overrides: Mapping[int, str | None], count: int,
                       names: Mapping[str, str]) -> tuple[list[Check], dict[int, str | None]]:
    checks, valid = [], {}
    for number, zone_id in overrides.items():
        if not 1 <= number <= count:
            checks.append(Check(ERROR, "bad_override", f"--match {number}={zone_id or ''}: there is no feature "
                                                       f"{number} (the layer has {count})"))
        elif zone_id and zone_id not in names:
            checks.append(Check(ERROR, "bad_override", f"--match {number}={zone_id}: no zone '{zone_id}' (zones: "
                                                       f"{', '.join(names)})", feature=number))
        else:
            valid[number] = zone_id or None
    return checks, valid


def _match_checks(matches: list[FeatureMatch], names: Mapping[str, str]) -> list[Check]:
    checks = []
    for m in matches:
        label = f"feature {m.feature}" + (f" '{m.value}'" if m.value else "")
        fix = f"(assign it with --match {m.feature}=ZONE_ID)"
        if m.how == matching.UNMATCHED:
            checks.append(Check(WARNING, "unmatched", f"{label} names no zone: not imported {fix}", feature=m.feature))
        elif m.how == matching.AMBIGUOUS:
            checks.append(Check(WARNING, "ambiguous", f"{label} could name several zones: not imported {fix}",
                                feature=m.feature))
        elif m.how == matching.PARTIAL:
            checks.append(Check(WARNING, "partial_match", f"{label} matched {names[m.zone_id]} by part of its "
                                f"name: check it (override with --match {m.feature}=ZONE_ID)",
                                zone_id=m.zone_id, feature=m.feature))
        elif m.how == matching.DROPPED:
            checks.append(Check(INFO, "dropped", f"{label} left out as asked", feature=m.feature))
    return checks


def _basis(basis: str | None, source: SourceLayer, field_: str | None, choice: CrsChoice,
           matches: list[FeatureMatch], zone_id: str) -> str:
    mine = [m for m in matches if m.zone_id == zone_id]
    numbers = ", ".join(str(m.feature) for m in mine)
    values = ", ".join(sorted({m.value for m in mine if m.value}))
    named = f" ({field_}: {values})" if field_ and values else ""
    layer = f", layer {source.layer}" if len(source.layers) > 1 else ""
    crs = f"EPSG:{choice.crs.to_epsg()}" if choice.crs is not None and choice.crs.to_epsg() else choice.label
    if choice.gcj02:
        crs = "GCJ-02"
    imported = f"imported from {source.file}{layer}, feature {numbers}{named}, {crs}"
    return f"{basis.strip()}; {imported}" if basis and basis.strip() else imported


def zones_geojson(zones: gpd.GeoDataFrame) -> str:
    """Compact RFC 7946 GeoJSON (no `crs` member, coordinates to 5 decimals), as geodata/zones.geojson is written."""
    if zones.crs is None or zones.crs.to_epsg() != 4326:
        raise ValueError(f"refusing to write zones in {zones.crs}: expected WGS-84 (EPSG:4326)")
    features = []
    for row in zones.to_dict("records"):
        # pandas turns a missing value into NaN, which is not JSON: write it as null.
        properties = {k: None if _missing(row[k]) else _plain(row[k]) for k in geo.ZONE_COLUMNS if k != "geometry"}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": mapping(validation.rounded(row["geometry"]))})
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value
