"""Leaflet and plugin assets served by the app itself, so maps work on an intranet with no internet.

The files come from registry packages (XStatic-*) and are copied into `static/vendor/`, which Streamlit
serves at /app/static/ (server.enableStaticServing). Folium elements name their assets by key in
`default_js`/`default_css`; `localize` swaps each for the local copy and refuses any it does not know.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import branca
import folium
import geopandas as gpd
import shapely
import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster

from corpsmap.basemaps import DATUMS, WGS84
from corpsmap.config import GEODATA_DIR, STATIC_DIR, STATIC_URL
from corpsmap.coords import geometry_wgs84_to_gcj02

VENDOR = {
    "leaflet": (Path(xs_leaflet.BASE_DIR), xs_leaflet.VERSION),
    "leaflet-markercluster": (Path(xs_cluster.BASE_DIR), xs_cluster.VERSION),
}

# folium asset key → file under static/vendor/. Keys mapped to None are dropped: folium's Map asks for
# jQuery, Bootstrap and Font Awesome only for its Icon/popup styling, which this app does not use.
LOCAL_ASSETS: dict[str, str | None] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "leaflet-markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet-markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet-markercluster/MarkerCluster.Default.css",
    "jquery": None,
    "bootstrap": None,
    "awesome_markers": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
}


# Base-map layers the browser fetches once instead of receiving them inside every map script.
STATIC_GEODATA = ("districts", "river")


@cache
def _published_name(layer: str, datum: str = WGS84) -> str:
    # The content hash in the name lets browsers cache the file and still see a rebuilt one at once.
    digest = hashlib.sha256((GEODATA_DIR / f"{layer}.geojson").read_bytes()).hexdigest()[:12]
    return f"{layer}-{digest}.geojson" if datum == WGS84 else f"{layer}-{datum}-{digest}.geojson"


def geodata_url(layer: str, datum: str = WGS84) -> str:
    """URL of a shipped geodata layer as the app serves it (see install_static_assets), in WGS-84 or, for a
    base map drawn in GCJ-02, shifted to it."""
    return f"{STATIC_URL}/geo/{_published_name(layer, datum)}"


def _private_tmp(target: Path) -> Path:
    """A temporary name beside `target` that no other process uses: servers started together (systemd, the
    parallel tests) install the same files at the same moment."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _write_layer(layer: str, datum: str, target: Path) -> None:
    """The shipped layer as served: copied as it is, or shifted to GCJ-02 for AMap-style base maps."""
    tmp = _private_tmp(target)
    if datum == WGS84:
        shutil.copyfile(GEODATA_DIR / f"{layer}.geojson", tmp)
    else:
        gdf = gpd.read_file(GEODATA_DIR / f"{layer}.geojson")
        # Six decimals (~0.1 m), as the shipped files are written: full floats would double the download.
        gdf.geometry = [shapely.set_precision(geometry_wgs84_to_gcj02(g), 1e-6) for g in gdf.geometry]
        tmp.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
    os.replace(tmp, target)  # whole or not at all: a half-written file is never served


def install_static_assets(static_dir: Path = STATIC_DIR) -> None:
    """Copy the vendored packages and the base-map geodata into static/ unless already there."""
    geo_dir = static_dir / "geo"
    geo_dir.mkdir(parents=True, exist_ok=True)
    for layer in STATIC_GEODATA:
        for datum in DATUMS:
            target = geo_dir / _published_name(layer, datum)
            if not target.exists():
                _write_layer(layer, datum, target)
    for name, (source, version) in VENDOR.items():
        target = static_dir / "vendor" / name
        stamp = target / ".version"
        if stamp.exists() and stamp.read_text() == version:
            continue
        tmp = _private_tmp(target)
        shutil.copytree(source, tmp, ignore=shutil.ignore_patterns("*.map", "*.esm.js", "*-src.js"))
        (tmp / ".version").write_text(version)
        shutil.rmtree(target, ignore_errors=True)
        try:
            tmp.rename(target)  # swap in whole, so a half-copied folder is never served
        except OSError:
            # Another server starting at the same moment swapped in its copy first: the same files.
            shutil.rmtree(tmp, ignore_errors=True)
            if not (stamp.exists() and stamp.read_text() == version):
                raise


def _elements(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for child in element._children.values():
        yield from _elements(child)


def localize(m: folium.Map) -> folium.Map:
    """Point every asset of `m` and its children at the app's own copy; raise on an unknown asset."""
    for element in _elements(m):
        if isinstance(element, branca.colormap.ColorMap):
            # streamlit-folium loads d3 from a CDN for any branca colormap.
            raise ValueError("branca colormaps load d3 from a CDN; draw the legend with corpsmap.mapview")
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            local = []
            for key, url in assets:
                if key not in LOCAL_ASSETS:
                    raise ValueError(f"{type(element).__name__} needs asset '{key}' ({url}) with no local copy")
                if LOCAL_ASSETS[key] is not None:
                    local.append((key, f"{STATIC_URL}/vendor/{LOCAL_ASSETS[key]}"))
            setattr(element, attr, local)  # instance attribute: the class keeps folium's defaults
    return m
