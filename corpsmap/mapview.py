"""The campaign map as a folium map: offline vector base, the eight zones, labels, legend, selection.

The map built here depends only on language, base map and zone colours, never on the selected zone:
streamlit-folium remounts the map whenever its script changes, so the selection is drawn by a separate
feature group (`selection_layer`) that st_folium swaps in place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement, Template
from folium.utilities import JsCode

from corpsmap import geo
from corpsmap.assets import geodata_url, localize
from corpsmap.basemaps import BaseMap, as_basemap, point_to_display, to_display
from corpsmap.i18n import name_of, t

XIAOSHAN_CENTER = (30.17, 120.32)
LEGEND_FOLD_BELOW_PX = 500  # a map narrower than this (a phone) shows the legend folded to its title

# Colours per platform: ETDZ blues (five zones, so the shades differ), the other three platforms apart.
PLATFORM_COLORS = {"etdz": "#2b6cb0", "airport": "#dd6b20", "century": "#b83280", "xianghu": "#2f855a"}
ETDZ_SHADES = ["#1e4e8c", "#2b6cb0", "#3f83c8", "#5a9bd8", "#7fb3e3"]
# Near-black, not red: red means "behind" when zones are coloured by status.
SELECTED_STYLE = {"color": "#111827", "weight": 4, "fillOpacity": 0.12, "fillColor": "#111827", "opacity": 1}
# A white band under the outline: over imagery or a dark zone colour a dark line alone gets lost (issue 11).
SELECTED_HALO_STYLE = {"color": "#ffffff", "weight": 9, "opacity": 0.9, "fill": False}
# The base map and the zones as Leaflet path options (weights in CSS px); the briefing pack's static maps
# (staticmap.py) draw with the same.
BACKGROUND = "#f7f7f2"
XIAOSHAN_STYLE = {"color": "#4a5568", "weight": 2.5, "fillColor": "#ffffff", "fillOpacity": 0.9}
NEIGHBOUR_STYLE = {"color": "#a0aec0", "weight": 1, "fillColor": "#edf2f7", "fillOpacity": 0.9}
WATER_STYLE = {"color": "#63b3ed", "weight": 1, "fillColor": "#bee3f8", "fillOpacity": 0.9}
RIVER_LINE_WEIGHT = 3
ZONE_STYLE = {"color": "#ffffff", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.72}
# Official boundaries are drawn solid: the dashes are what says "schematic" on the map and in its legend.
OFFICIAL_ZONE_STYLE = {k: v for k, v in ZONE_STYLE.items() if k != "dashArray"}
NO_FILL = "#718096"  # a zone the colouring has no colour for


_CSS = """
<style>
.corps-label{font:600 14px/1.2 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1a202c;
  text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;white-space:nowrap;pointer-events:none;
  transform:translate(-50%,-50%);display:inline-block}
.district-label{font:12px/1.2 "Noto Sans CJK SC",sans-serif;color:#718096;white-space:nowrap;
  pointer-events:none;transform:translate(-50%,-50%);display:inline-block;letter-spacing:2px}
.district-label.thinned{visibility:hidden}
@media (max-width:500px){.corps-label{font-size:12px}.district-label{font-size:11px;letter-spacing:1px}}
.corps-legend{background:rgba(255,255,255,.92);padding:8px 10px;border-radius:6px;
  font:13px/1.5 "Noto Sans CJK SC",sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:240px}
.corps-legend i{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px;
  border:1px solid rgba(0,0,0,.25)}
.corps-legend i.dashed{border:2px dashed #4a5568;background:none}
.corps-legend i.solid{border:2px solid #4a5568;background:none}
.corps-legend b{display:block;margin-bottom:2px}
.corps-legend.folded{cursor:pointer}.corps-legend.folded>:not(b){display:none}
.corps-legend.folded b::after{content:" ▸";color:#718096}
.leaflet-container{background:#f7f7f2}
.leaflet-interactive:focus{outline:none}
</style>
"""

# The selected zone's outline (a dark line on a white halo) as one Leaflet layer, for every script that draws a
# selection: the click feedback, the map page's selection from the URL and the presentation's. `scale` thickens
# both lines for big screens.
_OUTLINE_JS = """
window.corpsOutline = function (feature, scale) {
  var halo = Object.assign({}, HALO), line = Object.assign({}, LINE);
  halo.weight *= scale || 1; line.weight *= scale || 1;
  return L.featureGroup([L.geoJSON(feature, {interactive: false, style: halo}),
                         L.geoJSON(feature, {interactive: false, style: line})]);
};
""".replace("HALO", json.dumps(SELECTED_HALO_STYLE)).replace("LINE", json.dumps(SELECTED_STYLE))

# On click, outline the clicked zone at once in the browser; the server's selection layer replaces it when
# the rerun arrives (see _CLEAR_FEEDBACK).
_CLICK_FEEDBACK = JsCode(
    """
function(feature, layer) {
  layer.on('click', function() {
    var map = layer._map;
    if (window.corpsFeedback) { map.removeLayer(window.corpsFeedback); }
    window.corpsFeedback = window.corpsOutline(feature).addTo(map);
    window.corpsFeedbackAt = performance.now();
  });
}
"""
)

# Reports a zone click to Streamlit at once: streamlit-folium sends it only after a 250 ms debounce meant
# for pans and zooms, which was most of a click's latency. The message is the components API's
# setComponentValue with the value exactly as streamlit-folium 0.27 builds it for
# returned_objects=["last_active_drawing"]; recording it as streamlit-folium's previous value makes its own
# debounced message a no-op instead of a second rerun. The pin in requirements.txt keeps the two in step and
# tests/e2e/test_map_browser.py checks one click sends one message.
_INSTANT_SELECT = JsCode(
    """
function(feature, layer) {
  layer.on('click', function() {
    var value = {last_active_drawing: layer.toGeoJSON()};
    if (window.__GLOBAL_DATA__) { window.__GLOBAL_DATA__.previous_data = value; }
    window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
                               value: value, dataType: "json"}, "*");
  });
}
"""
)


class _FocusWithoutScrolling(MacroElement):
    """Leaflet's first mousedown on the map focuses it without scrolling the page around the iframe.

    Why: a zone click that scrolled the page was lost. Leaflet's keyboard handler focuses the map container on
    the first mousedown (a tap's emulated one too) with a plain `focus()`, and restores only the scroll of the
    iframe's own window. The browser also scrolls the parent page so that the whole focused 680 px map is in
    view, so whenever the map's bottom lies below the viewport, as at 390x844 or 360x740 where st.columns
    stacks it under the title and the colouring controls, the page scrolls between mousedown and mouseup
    (measured at 390x844: Streamlit's stMain scrollTop 0 -> 277). The mouseup then lands on another element (a
    legend row), so the click goes to the map container instead of the zone: the layer's click handlers
    (_CLICK_FEEDBACK, _INSTANT_SELECT, streamlit-folium's own) never run, and no value is sent. What looked
    like an outline was the hover highlight. At 1600x1000 the map fits the viewport, so nothing scrolls; at
    1600x700 a click fails the same way. Re-binding the handler with `focus({preventScroll: true})` keeps
    keyboard panning and zooming and leaves the page where it is.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  var keyboard = map.keyboard;
  if (!keyboard) { return; }
  keyboard.disable();  // unbinds the mousedown listener Leaflet bound to the prototype's _onMouseDown
  keyboard._onMouseDown = function () {
    if (!this._focused) { this._map._container.focus({preventScroll: true}); }
  };
  keyboard.enable();
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self):
        super().__init__()
        self._name = "FocusWithoutScrolling"


class _ThinLabels(MacroElement):
    """Hides the labels that would overlap others at the current zoom and size, and shows them again when there is
    room (on a phone the district names ran into the zones' names).

    Zone names come first and are never hidden: they are what the map is for, and the eight short names fit
    side by side even at 360 px. District names are kept in order of size where they touch nothing already kept.
    A hidden label gets the class `thinned` (the browser tests count them).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  var GAP = 3;  // px kept clear around a label
  function thin() {
    var container = map.getContainer();
    var zones = container.querySelectorAll('.corps-label'), districts = container.querySelectorAll('.district-label');
    var kept = [];
    function box(el) { var r = el.getBoundingClientRect(); return r.width ? r : null; }
    function clear(r) {
      return kept.every(function (k) {
        return r.right + GAP <= k.left || r.left >= k.right + GAP || r.bottom + GAP <= k.top || r.top >= k.bottom + GAP;
      });
    }
    zones.forEach(function (el) { el.classList.remove('thinned'); var r = box(el); if (r) kept.push(r); });
    districts.forEach(function (el) {
      el.classList.remove('thinned');
      var r = box(el);
      if (r && !clear(r)) { el.classList.add('thinned'); } else if (r) { kept.push(r); }
    });
  }
  map.on('zoomend moveend resize', thin);
  setTimeout(thin, 0);  // once the labels added after this script are on the map
  if (document.fonts) { document.fonts.ready.then(thin); }  // the names' width changes when the CJK font arrives
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self):
        super().__init__()
        self._name = "ThinLabels"


class _Script(MacroElement):
    """A bit of JS run when the parent element is added to the map."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "Script"
        self.code = code


_CLEAR_FEEDBACK = """
if (window.corpsFeedback) { window.corpsFeedback.remove(); window.corpsFeedback = null; }
"""


class _SelectionFromUrl(MacroElement):
    """The selected zone's outline, drawn in the browser from the page's `?zone=` (the map's frame has the page's
    origin), and the click's own outline cleared once the URL names the zone.

    Why not a feature group sent with each rerun: the map's component arguments would change with every click,
    so Streamlit would send the whole unchanged map again (~34 KB of a click's ~47 KB; docs/performance.md).
    With the arguments the same from click to click, it sends a reference to the message the browser holds.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  var features = {}, shown;
  map.eachLayer(function (layer) {
    var p = layer.feature && layer.feature.properties;
    if (p && p.zone_id && layer.feature.geometry) features[p.zone_id] = layer.feature;
  });
  function zoneInUrl() {
    try { return new URLSearchParams(window.parent.location.search).get('zone'); } catch (e) { return null; }
  }
  function sync() {
    var zone = zoneInUrl();
    if (zone === shown) return;
    shown = zone;
    if (window.corpsSelection) { map.removeLayer(window.corpsSelection); window.corpsSelection = null; }
    if (window.corpsFeedback) { map.removeLayer(window.corpsFeedback); window.corpsFeedback = null; }
    if (zone && features[zone]) {
      window.corpsSelection = window.corpsOutline(features[zone]).addTo(map);
    }
  }
  sync();
  setInterval(sync, 100);  // Streamlit changes the URL with history.replaceState, which fires no event
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self):
        super().__init__()
        self._name = "SelectionFromUrl"


class _StaticLayer(MacroElement):
    """A non-interactive GeoJSON layer fetched from the app's static files, styled by one property."""

    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  if (!map.getPane({{ this.pane|tojson }})) {
    map.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index }};
  }
  var styles = {{ this.styles|tojson }};
  fetch({{ this.url|tojson }}).then(function (r) { return r.json(); }).then(function (data) {
    L.geoJSON(data, {pane: {{ this.pane|tojson }}, interactive: false, style: function (f) {
      return styles[String(f.properties[{{ this.key|tojson }}])];
    }}).addTo(map);
  });
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, url: str, pane: str, z_index: int, key: str, styles: dict[str, dict]):
        super().__init__()
        self._name = "StaticLayer"
        self.url, self.pane, self.z_index, self.key, self.styles = url, pane, z_index, key, styles


class _Legend(MacroElement):
    """A legend control drawn by the app (branca colormaps would pull d3 from a CDN)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var legend_{{ this.get_name() }} = L.control({position: 'bottomright'});
legend_{{ this.get_name() }}.onAdd = function (map) {
  var div = L.DomUtil.create('div', 'corps-legend');
  div.innerHTML = {{ this.html|tojson }};
  // On a narrow map (a phone) the legend would cover the zones: it starts folded to its title, a tap opens it.
  if (map.getSize().x < {{ this.fold_below }}) {
    div.classList.add('folded');
    L.DomEvent.on(div, 'click', function (e) { div.classList.toggle('folded'); L.DomEvent.stop(e); });
  }
  L.DomEvent.disableClickPropagation(div);
  return div;
};
legend_{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, html: str, fold_below: int = LEGEND_FOLD_BELOW_PX):
        super().__init__()
        self._name = "Legend"
        self.html, self.fold_below = html, fold_below


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a colour swatch (or a dashed or solid outline) and an already plain-text label."""

    label: str
    color: str | None = None
    dashed: bool = False
    solid: bool = False


def legend_html(title: str, items: list[LegendItem], notes: list[str] = ()) -> str:
    """Legend markup with every label escaped."""
    rows = [f"<b>{escape(title)}</b>"]
    for item in items:
        if item.dashed or item.solid:
            swatch = f'<i class="{"dashed" if item.dashed else "solid"}"></i>'
        else:
            swatch = f'<i style="background:{escape(item.color or "")}"></i>'
        rows.append(f"<div>{swatch}{escape(item.label)}</div>")
    rows += [f'<div style="color:#718096;font-size:11px">{escape(n)}</div>' for n in notes]
    return "".join(rows)


def platform_colors(zones: pd.DataFrame) -> dict[str, str]:
    """Fill colour per zone_id: its platform's colour, ETDZ zones in shades of blue along the river."""
    colors, etdz = {}, 0
    for z in zones.sort_values("river_order").itertuples():
        if z.platform_id == "etdz":
            colors[z.zone_id] = ETDZ_SHADES[etdz % len(ETDZ_SHADES)]
            etdz += 1
        else:
            colors[z.zone_id] = PLATFORM_COLORS.get(z.platform_id, "#718096")
    return colors


def zone_features(shapes: gpd.GeoDataFrame, zones: pd.DataFrame, platforms: pd.DataFrame,
                  lang: str) -> gpd.GeoDataFrame:
    """The zone polygons with only what the browser needs: id, boundary kind, escaped label and tooltip HTML.

    Only a zone whose boundary is not official says "schematic" in its tooltip. A shape whose zone_id the zones
    table lacks raises geo.GeodataError naming it.
    """
    geo.check_zone_ids(shapes, zones["zone_id"])
    info = zones.set_index("zone_id")
    plat = platforms.set_index("platform_id")
    rows = []
    for zone_id, boundary in zip(shapes["zone_id"], shapes["boundary"]):
        z = info.loc[zone_id]
        name = name_of(z, lang)
        platform = name_of(plat.loc[z["platform_id"]], lang)
        schematic = "" if boundary == geo.OFFICIAL else f"<br><i>{escape(t('schematic', lang))}</i>"
        rows.append({
            "zone_id": zone_id,
            "boundary": boundary,
            "label": escape(name_of(z, lang, "short")),
            "tooltip": f"<b>{escape(name)}</b><br>{escape(t('platform', lang))}: {escape(platform)}{schematic}",
        })
    return gpd.GeoDataFrame(rows, geometry=shapes.geometry.values, crs=shapes.crs)


def zone_style(boundary: str) -> dict:
    """Leaflet path options of a zone: dashed where its boundary is schematic, solid where it is official."""
    return OFFICIAL_ZONE_STYLE if boundary == geo.OFFICIAL else ZONE_STYLE


def base_map(districts: gpd.GeoDataFrame, river: gpd.GeoDataFrame, lang: str,
             online_tiles: bool | BaseMap = False) -> folium.Map:
    """The offline vector base every map page shares: districts with names, the river, and the tiles of an
    online base map if one was picked (`online_tiles`: a BaseMap, or True for OpenStreetMap).

    Over a base map drawn in GCJ-02 every layer is shifted to GCJ-02 so that it lines up (corpsmap.basemaps).
    Call `localize` on the finished map (build_map does) so every asset is served by the app.
    """
    basemap = as_basemap(online_tiles)
    m = folium.Map(location=XIAOSHAN_CENTER, zoom_start=11, tiles=None, control_scale=True,
                   zoom_snap=0.25, min_zoom=9, max_zoom=17)
    for tiles in basemap.tiles:  # a map and its label layer: every layer credits the provider once
        folium.TileLayer(tiles.url, attr=escape(basemap.credit()) if tiles is basemap.tiles[0] else " ",
                         name=basemap.name(lang), subdomains=tiles.subdomains, max_zoom=tiles.max_zoom,
                         max_native_zoom=tiles.max_zoom).add_to(m)
    m.get_root().header.add_child(Element(_CSS))
    # The base layers are static files the browser fetches (and caches) once: embedded, they made every
    # rerun resend and re-render ~130 KB (docs/performance.md). Panes keep them under the zones whatever
    # order the fetches finish in.
    fill = 0 if online_tiles else 0.9  # over online tiles only the outlines are drawn
    m.add_child(_StaticLayer(geodata_url("districts", basemap.datum), pane="districts", z_index=350,
                             key="is_xiaoshan", styles={"true": {**XIAOSHAN_STYLE, "fillOpacity": fill},
                                                        "false": {**NEIGHBOUR_STYLE, "fillOpacity": fill}}))
    m.add_child(_StaticLayer(geodata_url("river", basemap.datum), pane="river", z_index=360, key="kind",
                             styles={"water": WATER_STYLE, "river_line": {**WATER_STYLE, "weight": RIVER_LINE_WEIGHT}}))
    name_field = "name_en" if lang == "en" else "name_zh"
    labels = folium.FeatureGroup(name="district labels", control=False)
    for adcode, (lat, lon) in district_label_points(districts, river).items():
        text = districts.loc[districts["adcode"] == adcode, name_field].iloc[0]
        folium.Marker(point_to_display(lat, lon, basemap),
                      icon=folium.DivIcon(html=f'<span class="district-label">{escape(text)}</span>'),
                      interactive=False).add_to(labels)
    labels.add_to(m)
    m.add_child(_FocusWithoutScrolling())  # or the first click on a partly scrolled-out map is lost
    m.add_child(_ThinLabels())
    # In the map's script, not its header: streamlit-folium inserts the header without running its scripts.
    m.add_child(_Script(_OUTLINE_JS))
    return m


def fit_to(m: folium.Map, gdf: gpd.GeoDataFrame, margin: float = 0.03) -> None:
    """Frame the map on `gdf` with a margin in degrees."""
    west, south, east, north = gdf.total_bounds
    m.fit_bounds([[south - margin, west - margin], [north + margin, east + margin]])


def _on_each_zone(instant_select: bool) -> JsCode:
    handlers = [_CLICK_FEEDBACK, _INSTANT_SELECT] if instant_select else [_CLICK_FEEDBACK]
    calls = "".join(f"({h.js_code})(feature, layer);" for h in handlers)
    return JsCode(f"function(feature, layer) {{{calls}}}")


def build_map(features: gpd.GeoDataFrame, fills: dict[str, str], districts: gpd.GeoDataFrame,
              river: gpd.GeoDataFrame, legend: str, lang: str, online_tiles: bool | BaseMap = False,
              instant_select: bool = True, selection_from_url: bool = False) -> folium.Map:
    """The campaign map with every asset served locally. Zone ids travel in feature properties.

    `instant_select=False` leaves zone clicks to streamlit-folium's own debounced report (the benchmark's
    naive baseline uses it). `selection_from_url=True` outlines the zone the page's `?zone=` names, in the
    browser (the map page); otherwise `selection_layer` can be sent with the map.
    """
    m = base_map(districts, river, lang, online_tiles)
    features = to_display(features, as_basemap(online_tiles))
    folium.GeoJson(
        features[["zone_id", "boundary", "tooltip", "geometry"]].to_json(),
        name="zones",
        style_function=lambda f: {**zone_style(f["properties"]["boundary"]),
                                  "fillColor": fills.get(f["properties"]["zone_id"], NO_FILL)},
        highlight_function=lambda f: {"weight": 3.5, "color": "#1a202c", "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        on_each_feature=_on_each_zone(instant_select),
        control=False,
    ).add_to(m)
    labels = folium.FeatureGroup(name="zone labels", control=False)
    for label, point in zip(features["label"], features.geometry.representative_point()):
        folium.Marker((point.y, point.x), icon=folium.DivIcon(html=f'<span class="corps-label">{label}</span>'),
                      interactive=False).add_to(labels)
    labels.add_to(m)
    m.add_child(_Legend(legend))
    if selection_from_url:
        m.add_child(_SelectionFromUrl())  # after the zones: it looks their features up in the map
    # Frame the zones (the river band), not all of Xiaoshan: the south holds no zone.
    fit_to(m, features)
    return localize(m)


def district_label_points(districts: gpd.GeoDataFrame, river: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Label points for districts, on their land (outlines run to mid-river and across the bay); Xiaoshan first,
    then by size, the order in which _ThinLabels keeps names where they collide."""
    water = river[river["kind"] == "water"].union_all()
    land = districts.geometry.difference(water)
    order = sorted(range(len(districts)),
                   key=lambda i: (not bool(districts["is_xiaoshan"].iloc[i]), -land.iloc[i].area))
    points = land.representative_point()
    return {districts["adcode"].iloc[i]: (points.iloc[i].y, points.iloc[i].x) for i in order}


def selection_layer(shapes: gpd.GeoDataFrame, zone_id: str | None,
                    online_tiles: bool | BaseMap = False) -> folium.FeatureGroup:
    """A feature group outlining the selected zone (empty if none); it also clears the click feedback."""
    group = folium.FeatureGroup(name="selection", control=False)
    if zone_id is not None:
        selected = to_display(shapes[shapes["zone_id"] == zone_id], as_basemap(online_tiles))
        folium.GeoJson(selected[["zone_id", "geometry"]].to_json(), style_function=lambda f: SELECTED_STYLE,
                       interactive=False).add_to(group)
    group.add_child(_Script(_CLEAR_FEEDBACK))
    return group


def feature_id_from_click(value: dict | None, field: str, known: set[str]) -> str | None:
    """`properties[field]` of the feature last clicked in st_folium's return value, if it is a known id."""
    if not value:
        return None
    drawing = value.get("last_active_drawing") or {}
    feature_id = (drawing.get("properties") or {}).get(field)
    return feature_id if feature_id in known else None


def zone_from_click(value: dict | None, known: set[str]) -> str | None:
    """The zone id in st_folium's return value, if its last clicked feature is a known zone."""
    return feature_id_from_click(value, "zone_id", known)
