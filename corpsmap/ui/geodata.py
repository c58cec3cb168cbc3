"""The geodata a map page draws, its zone ids checked against the zones of the version the page shows."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from corpsmap import geo
from corpsmap.data import Dataset
from corpsmap.i18n import t
from corpsmap.ui import frame


def map_geodata(dataset: Dataset, lang: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(zone shapes, districts, river) as `frame.geodata` loads them; stops with an error naming the file, feature
    and value if a shape's zone_id is not a zone of `dataset` (the map would otherwise fail with a KeyError)."""
    shapes, districts, river = frame.geodata()
    try:
        geo.check_zone_ids(shapes, dataset.zones["zone_id"])
    except geo.GeodataError as exc:
        st.error(t("map_error", lang))
        st.code(str(exc), language=None)
        st.stop()
    return shapes, districts, river
