"""Which coordinate system an uploaded layer is in, and turning it into WGS-84 (EPSG:4326).

The file's own CRS is taken where it has one that its coordinates fit. Without one, a CRS is proposed from the
coordinate ranges: the first of the usual systems of Hangzhou data under which the layer lands near Xiaoshan.
The proposal is an error until someone confirms it (`--crs`), because CGCS2000, Xian 1980 and Beijing 1954 share
their grids and the coordinates alone cannot tell them apart. GCJ-02 (AMap, Tencent) has no EPSG code: a flag
says the longitudes and latitudes are GCJ-02, and `corpsmap.coords` converts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from corpsmap.boundaries.checks import ERROR, INFO, WARNING, Check
from corpsmap.coords import geometry_gcj02_to_wgs84

WGS84 = CRS.from_epsg(4326)
# Xiaoshan's extent in WGS-84 (geodata/README.md), and how far from it a layer may land and still be "near".
XIAOSHAN_BOUNDS = (120.07, 29.85, 120.65, 30.30)
NEAR_DEGREES = 0.5
# Tried in this order when a layer has no CRS; zone-numbered Gauss-Krüger grids are added from the eastings.
# 4549: CGCS2000 3° CM 120°E, the usual grid of Hangzhou planning data; 4510/4509: the 6° grids either side
# (Xiaoshan lies in 6° zone 21, CM 123°E); 4548/4550: the neighbouring 3° zones; 3857: Web Mercator.
_PROPOSALS = (4549, 4510, 4509, 4548, 4550, 3857)
_CGCS2000_DATUM = "China 2000"


@dataclass(frozen=True)
class CrsChoice:
    """The CRS the layer's coordinates are read in, and why; `crs` is None when nothing fits."""

    crs: CRS | None
    source: str  # "file", "given" (--crs, or --gcj02 for longitudes/latitudes), "proposed", "unknown"
    gcj02: bool = False

    @property
    def confirmed(self) -> bool:
        return self.source in ("file", "given")

    @property
    def label(self) -> str:
        if self.crs is None:
            return "unknown"
        if self.gcj02:
            return "GCJ-02 (AMap/Tencent) longitude/latitude, converted with corpsmap.coords"
        return describe(self.crs)


def describe(crs: CRS) -> str:
    """'EPSG:4549 CGCS2000 / 3-degree Gauss-Kruger CM 120E', or the CRS's name if it has no EPSG code."""
    code = crs.to_epsg()
    return f"EPSG:{code} {crs.name}" if code else crs.name


def parse_crs(text: str) -> CRS:
    """A CRS from what a person types: 'EPSG:4549', '4549', or WKT/PROJ text; ValueError naming the value."""
    value = text.strip()
    try:
        return CRS.from_epsg(int(value)) if value.isdigit() else CRS.from_user_input(value)
    except (CRSError, ValueError) as exc:
        raise ValueError(f"'{text}' is not a coordinate system pyproj knows (e.g. EPSG:4549)") from exc


def choose_crs(frame: gpd.GeoDataFrame, given: str | CRS | None = None, gcj02: bool = False
               ) -> tuple[CrsChoice, list[Check]]:
    """The CRS to read the layer in: `given`, else the file's if its coordinates fit it, else a proposal."""
    bounds = tuple(float(b) for b in frame.total_bounds)
    if not np.isfinite(bounds).all():  # no geometry at all: nothing to place; the checks say so per feature
        return CrsChoice(frame.crs or WGS84, "file" if frame.crs else "unknown", gcj02), []
    file_crs = frame.crs
    checks: list[Check] = []
    if given is not None:
        crs = given if isinstance(given, CRS) else parse_crs(given)
        if file_crs is not None and not file_crs.equals(crs):
            checks.append(Check(INFO, "crs_given", f"the file says {describe(file_crs)}; read as the given "
                                                   f"{describe(crs)}"))
        choice = CrsChoice(crs, "given", gcj02)
    elif gcj02 and (file_crs is None or file_crs.is_geographic) and _lonlat(bounds):
        choice = CrsChoice(file_crs or WGS84, "given", True)  # the flag itself says: GCJ-02 longitudes/latitudes
    elif file_crs is not None and _fits(file_crs, bounds):
        choice = CrsChoice(file_crs, "file", gcj02)
        if not near_xiaoshan(file_crs, bounds):
            better = [c for c in propose_crs(bounds) if not c.equals(file_crs)]
            if better:
                checks.append(Check(WARNING, "crs_suspect", f"in the file's {describe(file_crs)} the layer lies "
                                    f"far from Xiaoshan, but its coordinates ({ranges(bounds)}) fit "
                                    f"{describe(better[0])}: if the .prj is wrong, import with "
                                    f"--crs EPSG:{better[0].to_epsg()}"))
    else:
        if file_crs is None:
            why = "the file has no coordinate system (no .prj, or none declared)"
        else:
            why = f"the file says {describe(file_crs)}, which its coordinates do not fit"
        proposals = propose_crs(bounds)
        if proposals:
            crs = proposals[0]
            choice = CrsChoice(crs, "proposed", gcj02)
            checks.append(Check(ERROR, "crs_proposed", f"{why}; its coordinates ({ranges(bounds)}) look like "
                                f"{describe(crs)}{same_grid_note(crs)}. The checks below assume it: confirm "
                                f"with --crs EPSG:{crs.to_epsg()}, or give the right one"))
        else:
            choice = CrsChoice(None, "unknown", gcj02)
            checks.append(Check(ERROR, "crs_unknown", f"{why}, and its coordinates ({ranges(bounds)}) fit none "
                                f"of the usual coordinate systems near Xiaoshan: give it with --crs EPSG:NNNN"))
    if gcj02 and choice.crs is not None and not choice.crs.is_geographic:
        checks.append(Check(ERROR, "gcj02_projected", f"GCJ-02 coordinates are longitudes and latitudes, but the "
                                                      f"layer is in {describe(choice.crs)}: leave out --gcj02"))
    return choice, checks


def ranges(bounds: tuple[float, ...]) -> str:
    x0, y0, x1, y1 = bounds
    if _lonlat(bounds):
        return f"longitudes {x0:.4f}–{x1:.4f}, latitudes {y0:.4f}–{y1:.4f}"
    return f"x {x0:,.0f}–{x1:,.0f}, y {y0:,.0f}–{y1:,.0f}"


def _lonlat(bounds: tuple[float, ...]) -> bool:
    x0, y0, x1, y1 = bounds
    return -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90


def _centre_lonlat(crs: CRS, bounds: tuple[float, ...]) -> tuple[float, float]:
    x0, y0, x1, y1 = bounds
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    return transformer.transform((x0 + x1) / 2, (y0 + y1) / 2, errcheck=False)


def _fits(crs: CRS, bounds: tuple[float, ...]) -> bool:
    """Whether coordinates with these bounds can be in `crs` at all (degrees in range; a finite position)."""
    if crs.is_geographic:
        return _lonlat(bounds)
    lon, lat = _centre_lonlat(crs, bounds)
    return bool(np.isfinite(lon) and np.isfinite(lat))


def near_xiaoshan(crs: CRS, bounds: tuple[float, ...]) -> bool:
    """Whether the layer's centre, read in `crs`, lies within NEAR_DEGREES of Xiaoshan."""
    if crs.is_geographic and not _lonlat(bounds):
        return False
    lon, lat = _centre_lonlat(crs, bounds)
    west, south, east, north = XIAOSHAN_BOUNDS
    return bool(west - NEAR_DEGREES <= lon <= east + NEAR_DEGREES and south - NEAR_DEGREES <= lat <= north
                + NEAR_DEGREES)


def propose_crs(bounds: tuple[float, ...]) -> list[CRS]:
    """The usual CRSs under which coordinates with these bounds land near Xiaoshan, likeliest first."""
    codes: list[int] = []
    if _lonlat(bounds):
        codes.append(4490)  # CGCS2000 longitude/latitude; WGS-84 is the same here within a metre
    centre_x = (bounds[0] + bounds[2]) / 2
    zone = int(centre_x // 1_000_000)
    if 25 <= zone <= 45:  # a 3° Gauss-Krüger easting with its zone number in front: 40,5xx,xxx is zone 40
        codes.append(4513 + zone - 25)
    elif 13 <= zone <= 23:  # the same for 6° zones
        codes.append(4491 + zone - 13)
    codes += _PROPOSALS
    return [crs for crs in map(CRS.from_epsg, codes) if _fits(crs, bounds) and near_xiaoshan(crs, bounds)]


def same_grid(code: int) -> tuple[int, int] | None:
    """(Xian 1980, Beijing 1954) EPSG codes on the same Gauss-Krüger grid as a CGCS2000 one, else None."""
    for first, last, xian, beijing in ((4513, 4533, 2349, 2401), (4534, 4554, 2370, 2422),
                                       (4491, 4501, 2327, 21413), (4502, 4512, 2338, 21453)):
        if first <= code <= last:
            return xian + code - first, beijing + code - first
    return None


def same_grid_note(crs: CRS) -> str:
    codes = same_grid(crs.to_epsg() or 0)
    if codes is None:
        return ""
    return (f" (assuming CGCS2000: Xian 1980, EPSG:{codes[0]}, and Beijing 1954, EPSG:{codes[1]}, use the same "
            "grid and put places tens of metres apart; ask the bureau which one)")


def to_wgs84(geometry: gpd.GeoSeries, choice: CrsChoice) -> tuple[gpd.GeoSeries, list[Check]]:
    """The shapes in WGS-84, and a note on how they were converted."""
    if choice.crs is None:
        raise ValueError("no CRS to convert from")
    checks: list[Check] = []
    if choice.gcj02:
        shapes = [None if g is None else geometry_gcj02_to_wgs84(g) for g in geometry.values]
        return gpd.GeoSeries(shapes, index=geometry.index, crs=WGS84), [
            Check(INFO, "crs_converted", "GCJ-02 longitudes/latitudes converted to WGS-84 (corpsmap.coords, "
                                         "error below 0.5 m)")]
    source = geometry.set_crs(choice.crs, allow_override=True)
    transformer = Transformer.from_crs(choice.crs, WGS84, always_xy=True)
    datum = choice.crs.geodetic_crs.datum.name if choice.crs.geodetic_crs else ""
    ballpark = "ballpark" in transformer.description.lower()
    if ballpark and datum != _CGCS2000_DATUM and not datum.startswith("World Geodetic System 1984"):
        checks.append(Check(WARNING, "datum_ignored", f"PROJ knows no transformation from {datum} to WGS-84, so "
                            "the datum shift was ignored: positions may be off by tens of metres. For exact "
                            "boundaries ask the bureau for CGCS2000 (e.g. EPSG:4549)"))
    elif not choice.crs.equals(WGS84):
        accuracy = f", accuracy about {transformer.accuracy:g} m" if transformer.accuracy > 0 else ""
        how = ("CGCS2000 and WGS-84 agree within a metre" if datum == _CGCS2000_DATUM
               else f"{transformer.description}{accuracy}")
        checks.append(Check(INFO, "crs_converted", f"converted from {describe(choice.crs)} to WGS-84 ({how})"))
    return source.to_crs(WGS84), checks
