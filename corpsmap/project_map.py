"""The project library's map: zone outlines on the shared base map, projects as clustered circles.

The base map (`project_base_map`) depends only on language and base-map choice, never on the filter, so
streamlit-folium keeps the same Leaflet map while the filter changes; the projects travel in a feature
group (`project_layer`) that st_folium swaps in place. Points are sent as compact rows and turned into
`L.circleMarker`s in the browser, so 5,000 projects stay far below 1 MB.
"""

from __future__ import annotations

import json
import math
from html import escape

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import MarkerCluster
from folium.template import Template

from corpsmap import basemaps, geo, mapview
from corpsmap.assets import localize
from corpsmap.basemaps import BaseMap
from corpsmap.coords import wgs84_to_gcj02
from corpsmap.data import AMOUNT_KINDS, STATUSES, Dataset
from corpsmap.i18n import name_of, t
from corpsmap.projects import display_names

# From idea to operation: violet → blue → teal → orange → green; grey where the source does not say.
STATUS_COLORS = {"planned": "#805ad5", "signed": "#3182ce", "started": "#319795", "under_construction": "#dd6b20",
                 "in_operation": "#2f855a", "not_stated": "#718096"}
SELECTED_COLOR = "#c53030"
POINT_PANE = "projects"
# Up to this many points every project is drawn on its own; above it they are clustered.
CLUSTER_ABOVE = 200
MIN_ZOOM, MAX_ZOOM = 9, 17  # as mapview.base_map asks for them


def radius_of(investment: float | None) -> int:
    """Circle radius in pixels: area grows with the amount (1 亿 → 6 px, 100 亿 and above → 18 px); 5 px if none."""
    if investment is None or (isinstance(investment, float) and math.isnan(investment)):
        return 5
    return round(min(18.0, 5 + 1.3 * math.sqrt(max(investment, 0.0))))


def _script_json(value: object) -> str:
    """JSON for a <script>: UTF-8 kept (a third of the size of \\u escapes for Chinese), '<' and line separators
    escaped so no value can close the script or break the line."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class ProjectPoints(MarkerCluster):
    """Projects as circle markers in a marker cluster, built in the browser from compact rows.

    Each marker carries `feature.properties.project_id`, so a click comes back from st_folium as
    `last_active_drawing`. `window.corpsProjects` tells browser tests and benchmarks what is drawn.
    Uses MarkerCluster's assets (keys markerclusterjs/css), which `localize` maps to the vendored copies.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var rows = {{ this.rows_json }};
  var labels = {{ this.labels_json }};
  var state = {key: {{ this.key_json }}, count: rows.length, ready: rows.length === 0};
  var cluster = L.markerClusterGroup(L.extend({{ this.options|tojavascript }}, {
    chunkProgress: function (done, total) { if (done === total) { state.ready = true; } }
  }));
  cluster.options.iconCreateFunction = function (c) {
    var n = c.getChildCount(), size = n < 100 ? 34 : (n < 1000 ? 40 : 48);
    return L.divIcon({html: '<div><span>' + n + '</span></div>', className: 'marker-cluster project-cluster',
                      iconSize: L.point(size, size)});
  };
  // row: [lat, lon, project_id, escaped name, status index, zone index, amount or null, amount kind, radius]
  cluster.addLayers(rows.map(function (r) {
    var known = r[6] !== null, color = labels.colors[r[4]];
    var marker = L.circleMarker([r[0], r[1]], {pane: {{ this.pane_json }}, radius: r[8],
      color: known ? '#ffffff' : color, weight: known ? 1 : 2.5, fillColor: known ? color : '#ffffff',
      fillOpacity: known ? 0.85 : 0.9});
    marker.feature = {type: 'Feature', properties: {project_id: r[2]}};
    var amount = known ? ' · ' + labels.amounts[r[7]].replace('{value}', r[6]) : '';
    marker.bindTooltip('<b>' + r[3] + '</b><br>' + labels.zones[r[5]] + ' · ' + labels.statuses[r[4]] + amount);
    return marker;
  }));
  state.cluster = cluster;
  window.corpsProjects = state;
  // Frame the points when the filter changes, not when the same set is redrawn (e.g. for a selection).
  // On 'add': the feature group holding the cluster reaches the map only after this script.
  cluster.once('add', function () {
    if (rows.length && window.corpsProjectsFitted !== state.key) {
      cluster._map.fitBounds(L.latLngBounds(rows.map(function (r) { return [r[0], r[1]]; })),
                             {padding: [30, 30], maxZoom: 12});
      window.corpsProjectsFitted = state.key;
    }
  });
  return cluster;
})();
{% endmacro %}"""
    )

    def __init__(self, rows: list[list], labels: dict[str, list[str]], key: str):
        # Few points: never cluster (clustering is off from the lowest zoom up); many: cluster up to street level.
        few = len(rows) <= CLUSTER_ABOVE
        super().__init__(name="projects", control=False, chunked_loading=True, show_coverage_on_hover=False,
                         max_cluster_radius=45, disable_clustering_at_zoom=MIN_ZOOM if few else 16)
        self._name = "ProjectPoints"
        self.rows_json = _script_json(rows)
        self.labels_json = _script_json(labels)
        self.key_json = _script_json(key)
        self.pane_json = _script_json(POINT_PANE)


def point_rows(projects: pd.DataFrame, zone_ids: list[str], lang: str,
               basemap: BaseMap = basemaps.OFFLINE) -> list[list]:
    """The located projects as compact rows for `ProjectPoints`, where `basemap` draws them; names are
    HTML-escaped (tooltips are HTML)."""
    zone_index = {z: i for i, z in enumerate(zone_ids)}
    status_index = {s: i for i, s in enumerate(STATUSES)}
    kind_index = {k: i for i, k in enumerate(AMOUNT_KINDS)}
    located = projects[projects["lat"].notna()]
    if basemap.datum == basemaps.GCJ02:  # shifted as one array: thousands of points cost a few milliseconds
        lon, lat = wgs84_to_gcj02(located["lon"].to_numpy(float), located["lat"].to_numpy(float))
        located = located.assign(lon=lon, lat=lat)
    # Plain Python lists: iterating pandas' string arrays item by item costs more than all the rest here.
    amounts = [None if math.isnan(a) else (int(a) if a.is_integer() else a) for a in located["investment_yi"].tolist()]
    columns = (located["lat"].round(5).tolist(), located["lon"].round(5).tolist(), located["project_id"].tolist(),
               display_names(located, lang).tolist(), located["status"].tolist(), located["zone_id"].tolist(),
               amounts, located["amount_kind"].tolist())
    return [[lat, lon, project_id, escape(name), status_index[status], zone_index[zone], amount,
             kind_index.get(kind, 0), radius_of(amount)]
            for lat, lon, project_id, name, status, zone, amount, kind in zip(*columns)]


def point_labels(dataset: Dataset, zone_ids: list[str], lang: str) -> dict[str, list[str]]:
    """The lookup tables the rows index into, escaped: zone names, status names and colours, amount templates."""
    zones = dataset.zones.set_index("zone_id")
    return {
        "zones": [escape(name_of(zones.loc[z], lang)) for z in zone_ids],
        "statuses": [escape(t(f"project_status_{s}", lang)) for s in STATUSES],
        "colors": [STATUS_COLORS[s] for s in STATUSES],
        "amounts": [escape(t(f"amount_{k}", lang, value="{value}")) for k in AMOUNT_KINDS],
    }


def project_layer(projects: pd.DataFrame, dataset: Dataset, lang: str, key: str,
                  selected: pd.Series | None = None, online_tiles: bool | BaseMap = False) -> folium.FeatureGroup:
    """The feature group st_folium swaps in: the projects, plus a ring around the selected one if it is mapped.

    `key` names the filter; the map re-frames itself on the points only when it changes.
    """
    basemap = basemaps.as_basemap(online_tiles)
    zone_ids = list(dataset.zones["zone_id"])
    group = folium.FeatureGroup(name="project layer", control=False)
    ProjectPoints(point_rows(projects, zone_ids, lang, basemap), point_labels(dataset, zone_ids, lang),
                  key).add_to(group)
    if selected is not None and pd.notna(selected["lat"]):
        folium.CircleMarker(basemaps.point_to_display(selected["lat"], selected["lon"], basemap),
                            radius=radius_of(selected["investment_yi"]) + 6,
                            color=SELECTED_COLOR, weight=3, fill=False, interactive=False,
                            pane=POINT_PANE).add_to(group)
    return localize(group)


_CSS = """
<style>
.project-cluster{background:rgba(45,55,72,.25)}
.project-cluster div{background:rgba(45,55,72,.85);color:#fff;font:600 12px/1 sans-serif}
.project-cluster span{line-height:inherit}
.leaflet-marker-icon.project-cluster div{display:flex;align-items:center;justify-content:center}
</style>
"""


def status_legend(lang: str) -> str:
    """Legend markup: a swatch per status and what size, hollow circles and numbers mean.

    The schematic-boundary and illustrative-data notes are in the sidebar of every page; repeating them here
    would cover a fifth of the map.
    """
    items = [mapview.LegendItem(t(f"project_status_{s}", lang), STATUS_COLORS[s]) for s in STATUSES]
    return mapview.legend_html(t("legend_status", lang), items, [t("legend_size", lang)])


def project_base_map(shapes: gpd.GeoDataFrame, zones: pd.DataFrame, districts: gpd.GeoDataFrame,
                     river: gpd.GeoDataFrame, lang: str, online_tiles: bool | BaseMap = False) -> folium.Map:
    """The shared base map with light zone outlines (dashed where schematic), zone names and the status legend;
    assets local. A shape whose zone_id the zones table lacks raises geo.GeodataError naming it."""
    geo.check_zone_ids(shapes, zones["zone_id"])
    m = mapview.base_map(districts, river, lang, online_tiles)
    shapes = basemaps.to_display(shapes, basemaps.as_basemap(online_tiles))
    # Marker clusters need the map's own maxZoom; folium sets zoom limits only on tile layers, and the
    # offline base has none.
    m.options.update(minZoom=MIN_ZOOM, maxZoom=MAX_ZOOM)
    m.get_root().header.add_child(folium.Element(_CSS))
    fills = mapview.platform_colors(zones)
    folium.GeoJson(
        shapes[["zone_id", "boundary", "geometry"]].to_json(),
        style_function=lambda f: {"color": fills.get(f["properties"]["zone_id"], "#718096"), "weight": 1.5,
                                  "fillColor": fills.get(f["properties"]["zone_id"], "#718096"), "fillOpacity": 0.1,
                                  **({} if f["properties"]["boundary"] == geo.OFFICIAL else {"dashArray": "5 4"})},
        interactive=False, control=False,
    ).add_to(m)
    info = zones.set_index("zone_id")
    # Points get a pane above the zone names (Leaflet puts markers, i.e. the names, above vectors), so no name
    # hides a project; tooltips (650) stay on top.
    folium.map.CustomPane(POINT_PANE, z_index=640).add_to(m)
    labels = folium.FeatureGroup(name="zone labels", control=False)
    for zone_id, point in zip(shapes["zone_id"], shapes.geometry.representative_point()):
        label = escape(name_of(info.loc[zone_id], lang, "short"))
        folium.Marker((point.y, point.x), icon=folium.DivIcon(html=f'<span class="corps-label">{label}</span>'),
                      interactive=False).add_to(labels)
    labels.add_to(m)
    m.add_child(mapview._Legend(status_legend(lang)))
    mapview.fit_to(m, shapes)
    return localize(m)


def project_from_click(value: dict | None, known: set[str]) -> str | None:
    """The project id in st_folium's return value, if its last clicked feature is a known project."""
    return mapview.feature_id_from_click(value, "project_id", known)
