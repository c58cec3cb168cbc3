"""GCJ-02 ⇄ WGS-84 conversion.

GCJ-02 is the obfuscated datum that AMap/高德 and Tencent use for their data and tiles. The forward
formula is the published one (Krasovsky ellipsoid constants); the inverse has no closed form, so it
is solved by fixed-point iteration. Functions accept floats or NumPy arrays (lon, lat order).
"""

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

ArrayOrFloat = TypeVar("ArrayOrFloat", float, np.ndarray)
GeometryT = TypeVar("GeometryT", bound=BaseGeometry)

_A = 6378245.0  # semi-major axis of Krasovsky 1940, as used by the formula
_EE = 0.00669342162296594323  # its first eccentricity squared
_INVERSE_TOLERANCE_DEG = 1e-9  # ~0.1 mm
_INVERSE_MAX_ITERATIONS = 20


def _outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Rough bounding box in which the GCJ-02 offset is applied at all."""
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84, in degrees, at a WGS-84 position."""
    x = lon - 105.0
    y = lat - 35.0
    wave_x = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat += wave_x
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon += wave_x
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0

    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = _outside_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def _restore_type(value: np.ndarray, like: ArrayOrFloat) -> ArrayOrFloat:
    return float(value) if np.ndim(like) == 0 else value


def wgs84_to_gcj02(lon: ArrayOrFloat, lat: ArrayOrFloat) -> tuple[ArrayOrFloat, ArrayOrFloat]:
    """Shift WGS-84 lon/lat to GCJ-02; positions outside China come back unchanged."""
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    d_lon, d_lat = _offset(lon_a, lat_a)
    return _restore_type(lon_a + d_lon, lon), _restore_type(lat_a + d_lat, lat)


def gcj02_to_wgs84(lon: ArrayOrFloat, lat: ArrayOrFloat) -> tuple[ArrayOrFloat, ArrayOrFloat]:
    """Invert `wgs84_to_gcj02` iteratively (error well below 0.5 m)."""
    gcj_lon = np.asarray(lon, dtype=float)
    gcj_lat = np.asarray(lat, dtype=float)
    wgs_lon, wgs_lat = gcj_lon.copy(), gcj_lat.copy()
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fwd_lon, fwd_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        err_lon = np.asarray(fwd_lon) - gcj_lon
        err_lat = np.asarray(fwd_lat) - gcj_lat
        wgs_lon = wgs_lon - err_lon
        wgs_lat = wgs_lat - err_lat
        if np.max(np.abs(err_lon), initial=0.0) < _INVERSE_TOLERANCE_DEG and (
            np.max(np.abs(err_lat), initial=0.0) < _INVERSE_TOLERANCE_DEG
        ):
            break
    return _restore_type(wgs_lon, lon), _restore_type(wgs_lat, lat)


def _transform_xy(geometry: GeometryT, func: Callable) -> GeometryT:
    """Apply a vectorised (lon, lat) -> (lon, lat) function to all vertices."""

    def apply(coords: np.ndarray) -> np.ndarray:
        new_lon, new_lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([new_lon, new_lat])

    return shapely.transform(geometry, apply)


def geometry_gcj02_to_wgs84(geometry: GeometryT) -> GeometryT:
    """Convert every vertex of a shapely geometry from GCJ-02 to WGS-84."""
    return _transform_xy(geometry, gcj02_to_wgs84)


def geometry_wgs84_to_gcj02(geometry: GeometryT) -> GeometryT:
    """Convert every vertex of a shapely geometry from WGS-84 to GCJ-02 (e.g. for AMap tiles)."""
    return _transform_xy(geometry, wgs84_to_gcj02)
