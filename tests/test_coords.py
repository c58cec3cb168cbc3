"""GCJ-02 ⇄ WGS-84 conversion against published values and geometry."""

import numpy as np
import pytest
import shapely
from pyproj import Geod

from corpsmap.coords import gcj02_to_wgs84, geometry_gcj02_to_wgs84, geometry_wgs84_to_gcj02, wgs84_to_gcj02

GEOD = Geod(ellps="WGS84")
AIRPORT = (120.431944, 30.237111)  # lon, lat (WGS-84)

# (wgs lon, wgs lat, gcj lon, gcj lat): the test vectors published with the eviltransform project.
PUBLISHED = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), PUBLISHED)
def test_forward_matches_published_values(lon: float, lat: float, gcj_lon: float, gcj_lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == pytest.approx((gcj_lon, gcj_lat), abs=1e-9)


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), PUBLISHED)
def test_inverse_of_published_values_within_half_a_metre(
    lon: float, lat: float, gcj_lon: float, gcj_lat: float
) -> None:
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert GEOD.inv(lon, lat, back_lon, back_lat)[2] < 0.5


def test_round_trip_on_a_grid_over_xiaoshan() -> None:
    lon, lat = np.meshgrid(np.linspace(119.9, 120.9, 21), np.linspace(29.8, 30.4, 13))
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon.ravel(), lat.ravel()))
    errors_m = GEOD.inv(lon.ravel(), lat.ravel(), back_lon, back_lat)[2]
    assert errors_m.max() < 0.5


def test_offset_in_xiaoshan_is_about_430_m_east_and_270_m_south() -> None:
    gcj_lon, gcj_lat = wgs84_to_gcj02(*AIRPORT)
    east_m = GEOD.inv(AIRPORT[0], AIRPORT[1], gcj_lon, AIRPORT[1])[2]
    south_m = GEOD.inv(AIRPORT[0], AIRPORT[1], AIRPORT[0], gcj_lat)[2]
    assert gcj_lon > AIRPORT[0] and gcj_lat < AIRPORT[1]
    assert 380 < east_m < 480
    assert 220 < south_m < 320


@pytest.mark.parametrize(("lon", "lat"), [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688)])
def test_outside_china_is_unchanged(lon: float, lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_scalar_in_scalar_out() -> None:
    lon, lat = wgs84_to_gcj02(*AIRPORT)
    assert isinstance(lon, float) and isinstance(lat, float)


def test_geometry_round_trip_keeps_shape_and_type() -> None:
    square = shapely.box(120.2, 30.1, 120.3, 30.2)
    shifted = geometry_wgs84_to_gcj02(square)
    assert shifted.geom_type == "Polygon"
    assert not shapely.equals_exact(shifted, square, tolerance=1e-4)
    back = geometry_gcj02_to_wgs84(shifted)
    assert shapely.equals_exact(back, square, tolerance=1e-7)
