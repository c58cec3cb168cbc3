"""演示模式: the campaign map for a meeting-room or lobby screen, opened with `?present=1` on the map's URL.

No sidebar or Streamlit chrome; the map fills the screen beside the selected zone's headline figures (or the
corps overview), in type that scales with the screen. Everything shown lives in the URL (zone, colouring,
indicator, month, language, `auto`), so a meeting's view can be prepared as a link. Keys (tour.KEYS) are
caught by a small script in the page and in the map's frame, which sends the view to move to; the zone
buttons along the bottom and the colouring and month buttons along the top do the same with a click.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from branca.element import Element, MacroElement, Template

from corpsmap import colouring, geo, mapview, progress, summary, tour
from corpsmap.data import CORPS, Dataset
from corpsmap.i18n import month_label, name_of, t
from corpsmap.store import Version
from corpsmap.ui import controls, frame, map_component
from corpsmap.ui.geodata import map_geodata

PARAM = "present"
AUTO_PARAM = "auto"
LONG_NAME = 18  # characters: a longer zone name is set smaller, so that it and its badge fit on a line or two
PANEL_PROJECTS = 3  # the zone's first projects (the article's, then the largest); the map page lists more
_PANEL_FIRST = "present_panel_first"
_KEYS = "present_keys"
_SEQ = "present_keys_answered"  # the number of the last message from the key script that this session applied
_MAP = "present_map"

# Type scales with the screen: the root size is 1/120 of the viewport's width (16 px at 1920, 32 px at 3840),
# and every size here is in rem, so a 4K screen shows the 1080p layout at twice the size. At 1080p: key figures
# 3.1rem = 50 px, body 1.3rem = 21 px; the small print is 0.8rem = 13 px.
_CSS = """
<style>
html{font-size:max(16px,0.8333vw)!important}
[data-testid=stSidebar],[data-testid=stSidebarCollapsedControl],[data-testid=stExpandSidebarButton],
[data-testid=stHeader],[data-testid=stToolbar],[data-testid=stDecoration],.st-key-present_keys,
[data-testid=stLayoutWrapper]:has(> .st-key-version_line){display:none!important}
[data-testid=stMainBlockContainer]{padding:.5rem 1.2rem 0!important;max-width:none!important}
[data-testid=stElementContainer][data-stale=true]{opacity:1!important;transition:none!important}
.st-key-present,.st-key-present [data-testid=stVerticalBlock]{gap:.5rem}
.st-key-present-map iframe{height:calc(100vh - 9.4rem)!important;width:100%!important;border-radius:.3rem;display:block}
[class*=st-key-present-panel-]{max-height:calc(100vh - 9.4rem);overflow:hidden auto}
.st-key-present .stMarkdown{margin-bottom:0}.st-key-present [data-testid=stMarkdownContainer]{margin-bottom:0!important}
.st-key-present button{min-height:2.5rem;padding:.25rem .85rem;border-radius:.4rem}
.st-key-present button p{font-size:1.2rem!important;line-height:1.3;white-space:nowrap}
.st-key-present [data-testid=stBaseButton-primary]{background:#1a365d;border-color:#1a365d;color:#fff}
.st-key-present [data-testid=stBaseButton-primary]:hover{background:#2a4a7f;border-color:#2a4a7f}
.st-key-present_indicator button{max-width:20rem}
.st-key-present_indicator button p{overflow:hidden;text-overflow:ellipsis}
.st-key-present-exit button p{font-size:1rem!important}
.st-key-present-exit button{min-height:2.2rem;color:#4a5568}
.pt-title{font-size:1.75rem;font-weight:700;color:#1a202c;line-height:1.3;white-space:nowrap;overflow:hidden;
  text-overflow:ellipsis}
.pt-sub{font-size:1.05rem;font-weight:400;color:#4a5568;margin-left:1rem}
.pt-sub b{color:#1a365d}
.pt-notice{font-size:1rem;color:#9c4221;background:#fffaf0;border:1px solid #fbd38d;border-radius:.3rem;
  padding:.1rem .5rem;margin-top:.2rem}
.pt-month{font-size:1.3rem;font-weight:700;color:#1a365d;padding:0 .3rem;white-space:nowrap;line-height:2.5rem}
.pt-keys{font-size:.8rem;color:#4a5568;line-height:1.5;text-align:right;white-space:nowrap}
.pt-keys kbd{font:inherit;border:1px solid #cbd5e0;border-bottom-width:2px;border-radius:.25rem;padding:0 .25rem;
  background:#f7fafc;color:#1a202c}
.pt-small{font-size:.8rem;color:#4a5568;line-height:1.35}
.pz-kicker{font-size:1.3rem;color:#4a5568;line-height:1.35;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.pz-title{font-size:2.4rem;font-weight:800;color:#1a202c;line-height:1.15}
.pz-name{font-size:3.1rem;font-weight:800;color:#1a202c;line-height:1.15}
.pz-name.long{font-size:2.4rem}
.pz-body{font-size:1.3rem;color:#1a202c;line-height:1.35;display:-webkit-box;-webkit-line-clamp:2;
  -webkit-box-orient:vertical;overflow:hidden}
.pz-body i{color:#4a5568}
.pz-asof{font-size:1.3rem;color:#1a365d;font-weight:700;margin:.4rem 0 .3rem}
.pz-grid{display:grid;grid-template-columns:1fr 1fr;gap:.45rem}
.pz-grid.pz-figures{grid-template-columns:1fr 1fr 1fr;margin-top:.4rem}
.pz-card{border:1px solid #e2e8f0;border-radius:.5rem;padding:.35rem .7rem .4rem;background:#fff;
  box-shadow:0 1px 2px rgba(0,0,0,.05);min-width:0}
.pz-label{font-size:1.3rem;color:#2d3748;line-height:1.3}
.pz-value{font-size:3.1rem;font-weight:800;color:#1a365d;line-height:1.1;font-variant-numeric:tabular-nums;
  display:flex;flex-wrap:wrap;align-items:baseline;column-gap:.3rem}
.pz-value .n,.pz-value .u{white-space:nowrap}
.pz-value .u{font-size:1.3rem;font-weight:600;color:#4a5568;line-height:1.3}
.pz-status{font-size:1.3rem;font-weight:700;line-height:1.4;white-space:nowrap}
.pz-light{display:inline-block;width:1.3rem;height:1.3rem;border-radius:50%;vertical-align:-.2rem;margin-right:.4rem;
  box-shadow:0 0 0 2px rgba(0,0,0,.08)}
.pz-detail{font-size:1.3rem;color:#4a5568;line-height:1.35;font-variant-numeric:tabular-nums}
.pz-projects{font-size:1.3rem;line-height:1.35;margin-top:.4rem;color:#1a202c}
.pz-projects b{color:#1a365d}
.pz-projects ul{margin:.1rem 0 0;padding:0;list-style:none}
.pz-projects li{margin:0;padding:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.pz-projects li::before{content:"▪";color:#718096;margin-right:.4rem}
.pz-badge{display:inline-block;font-size:.85rem;font-weight:400;padding:0 .4rem;border-radius:.6rem;margin-left:.35rem;
  background:#edf2f7;color:#4a5568;border:1px solid #cbd5e0;white-space:nowrap;vertical-align:.2rem;
  font-style:normal;line-height:1.5}
.pz-table{border-collapse:collapse;font-size:1.3rem;line-height:1.35;width:100%;margin:0}
.pz-table th{font-weight:400;font-size:1.05rem;color:#4a5568;text-align:left;border-bottom:2px solid #cbd5e0;
  padding:.1rem .4rem}
.pz-table th{white-space:nowrap}
.pz-table td{border-bottom:1px solid #e2e8f0;padding:.2rem .4rem;white-space:nowrap}
.pz-table td:first-child{white-space:normal}
.pz-table td.num{text-align:right;font-variant-numeric:tabular-nums}
.pz-table td.st{font-weight:700}
.pz-badge.illus{background:#fffaf0;color:#9c4221;border-color:#fbd38d}
</style>
"""

# The map in presentation: bigger labels and legend, scaled with the frame's width (vw inside the map's frame),
# no zoom buttons (the mouse wheel still zooms); the map fills its frame.
_MAP_CSS = """
<style>
#map_div{height:100vh!important}
.corps-label{font-size:max(16px,1.9vw)!important}
.district-label{font-size:max(13px,1.15vw)!important}
.corps-legend{font-size:max(14px,1.4vw)!important;max-width:none!important;padding:.6em .8em!important}
.corps-legend i{width:1em!important;height:1em!important}
.corps-legend div[style]{font-size:.8em!important}
.leaflet-control-zoom{display:none}
.leaflet-tooltip{font-size:max(14px,1.2vw)}
.leaflet-control-scale-line{font-size:max(11px,.9vw)!important}
.leaflet-control-attribution{font-size:max(12px,.8vw)!important}
</style>
"""


class _RefitOnResize(MacroElement):
    """Frames the zones again when the screen changes size (e.g. the browser goes full screen)."""

    _template = Template("""{% macro script(this, kwargs) %}
(function (map) {
  var timer = null;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { map.invalidateSize(); map.fitBounds({{ this.bounds|tojson }}); }, 150);
  });
})({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "RefitOnResize"
        self.bounds = bounds


class _Selection(MacroElement):
    """The selected zone's outline, drawn in the browser: `window.corpsSelect(zone_id)` in the map's frame.

    Why not streamlit-folium's `feature_group_to_add`, as on the map page: a new feature group is a new render of
    the map's component, and each render leaves something behind in its frame (streamlit-component-lib adds a
    <style> element per render, and older render events stay reachable: ~60 KB of heap per zone measured), which
    a lobby screen advancing every 20 s for days would pile up. So the map's arguments stay the same from zone
    to zone (no render at all), and the page's key script (_KEYS_JS) calls corpsSelect; a new map (another
    colouring) takes the zone from that script's state when it starts.
    """

    _template = Template("""{% macro script(this, kwargs) %}
(function (map) {
  var features = {};
  map.eachLayer(function (layer) {
    var p = layer.feature && layer.feature.properties;
    if (p && p.zone_id && layer.feature.geometry) features[p.zone_id] = layer.feature;
  });
  window.corpsSelect = function (zoneId) {
    if (window.corpsSelection) { map.removeLayer(window.corpsSelection); window.corpsSelection = null; }
    if (window.corpsFeedback) { map.removeLayer(window.corpsFeedback); window.corpsFeedback = null; }
    if (zoneId && features[zoneId]) {
      // as thick on a 4K screen as at 1080p
      window.corpsSelection = window.corpsOutline(features[zoneId], Math.max(1, window.innerWidth / 1100))
        .addTo(map);
    }
  };
  var state = window.parent.corpsPresent;  // the page's key script, same origin
  window.corpsSelect(state && state.view ? state.view.zone : null);
})({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self):
        super().__init__()
        self._name = "Selection"


# Runs in the app's page (Streamlit components v2, no iframe). The page keeps one state object across the
# script's reruns: the listeners are added once, and each rerun hands it the view now shown. A key moves on from
# the view it last asked for, so two quick presses go two zones on. Keys pressed while the map's frame has the
# focus are caught there too (the frame is on the same origin), before Leaflet would pan the map with them.
_KEYS_JS = """
function actionOf(keys, key) {
  for (const name in keys) { if (keys[name].includes(key)) return {name: name}; }
  if (/^[1-9]$/.test(key)) return {name: 'jump', number: Number(key)};
  return null;
}

function stepIn(list, current, by) {
  const at = Math.max(list.indexOf(current), 0);
  return list[(at + by + list.length) % list.length];
}

function shiftIn(list, current, by) {
  const at = list.indexOf(current);
  if (at < 0) return list[list.length - 1];
  return list[Math.min(Math.max(at + by, 0), list.length - 1)];
}

function act(s, action) {
  const d = s.data, v = s.view, change = {};
  switch (action.name) {
    case 'next': change.zone = stepIn(d.tour, v.zone, 1); break;
    case 'previous': change.zone = stepIn(d.tour, v.zone, -1); break;
    case 'overview': change.zone = ''; break;
    case 'jump': if (action.number < d.tour.length) change.zone = d.tour[action.number]; break;
    case 'colour': if (d.indicators.length) change.color = stepIn(d.modes, v.color, 1); break;
    case 'indicator':
      if (!d.indicators.length) break;
      if (v.color === d.modes[0]) { change.color = d.modes[1]; change.ind = v.ind; }
      else change.ind = stepIn(d.indicators, v.ind, 1);
      break;
    case 'month_back': if (d.months.length) change.month = shiftIn(d.months, v.month, -1); break;
    case 'month_forward': if (d.months.length) change.month = shiftIn(d.months, v.month, 1); break;
    case 'fullscreen':
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
      return;
  }
  for (const k of Object.keys(change)) { if (change[k] === undefined || change[k] === v[k]) delete change[k]; }
  if (!Object.keys(change).length) return;
  Object.assign(v, change);
  if ('zone' in change) showSelection(s);  // the outline moves at once; the figures follow from the server
  s.seq += 1;
  s.pending.push({seq: s.seq, at: performance.now(), change: change});
  s.send('go', Object.assign({seq: s.seq}, v));  // the whole view: if two messages merge, the later holds both
  arm(s);
}

function showSelection(s) {
  document.querySelectorAll('iframe').forEach((iframe) => {
    let win = null;
    try { win = iframe.contentWindow; } catch (e) { return; }
    if (win && typeof win.corpsSelect === 'function') win.corpsSelect(s.view.zone);
  });
}

function onKey(s, event) {
  if (!s.active || event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
    return;
  }
  const target = event.target;
  if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
  const action = actionOf(s.data.keys, event.key);
  if (!action) return;
  event.preventDefault();
  event.stopPropagation();
  act(s, action);
}

function watch(s, iframe) {
  let doc = null;
  try { doc = iframe.contentDocument; } catch (e) { return; }  // another origin: not ours to listen to
  if (doc && !doc.corpsKeys) {
    doc.corpsKeys = true;
    doc.addEventListener('keydown', s.onKey, true);
  }
}

function arm(s) {
  clearTimeout(s.timer);
  if (!s.active || !s.data.auto) return;
  s.timer = setTimeout(() => { act(s, {name: 'next'}); arm(s); }, s.data.auto * 1000);
}

export default function (component) {
  const s = window.corpsPresent || (window.corpsPresent = {generation: 0});
  if (!s.onKey) {
    s.onKey = (event) => onKey(s, event);
    s.onLoad = (event) => { if (event.target && event.target.tagName === 'IFRAME') watch(s, event.target); };
  }
  const generation = ++s.generation;
  s.data = component.data;
  // The server's view, plus the keys it has not answered yet (a rerun started before a key was pressed still
  // shows the view from before it); a key it never answers (a lost connection) is dropped after a while.
  const now = performance.now();
  s.seq = s.seq || 0;
  s.pending = (s.pending || []).filter((p) => p.seq > component.data.seq && now - p.at < 5000);
  s.view = Object.assign({}, component.data.view, ...s.pending.map((p) => p.change));
  s.send = component.setTriggerValue;
  s.active = true;
  document.addEventListener('keydown', s.onKey, true);  // the same listener twice is added once
  document.addEventListener('load', s.onLoad, true);  // a frame's load, caught on its way down
  document.querySelectorAll('iframe').forEach((iframe) => watch(s, iframe));
  showSelection(s);
  arm(s);
  return () => {
    if (s.generation !== generation) return;  // a newer mount owns the listeners now
    s.active = false;
    clearTimeout(s.timer);
    document.removeEventListener('keydown', s.onKey, true);
    document.removeEventListener('load', s.onLoad, true);
  };
}
"""

_keyboard = st.components.v2.component("corpsmap_presentation_keys", js=_KEYS_JS)


def requested() -> bool:
    """Whether the URL asks for the presentation view (`?present=1`)."""
    return st.query_params.get(PARAM) in ("1", "true")


@dataclass(frozen=True)
class Choices:
    """What a presentation of this data can show: its tour, colourings, indicators and months."""

    tour: list[str]
    modes: list[str]
    indicators: list[str]
    months: list[str]

    @property
    def default_indicator(self) -> str | None:
        return controls.default_indicator(self.indicators) if self.indicators else None

    @property
    def latest_month(self) -> str | None:
        return self.months[-1] if self.months else None


@dataclass(frozen=True)
class View:
    """What the presentation shows, read from the URL; `notices` say which of the link's values were dropped."""

    zone: str | None
    mode: str
    indicator: str | None  # the indicator of a status or value colouring (the default one when by platform)
    month: str | None
    auto: int | None
    notices: list[str] = field(default_factory=list)


def choices(dataset: Dataset) -> Choices:
    """The presentation's choices for `dataset`: only platforms colour the map when no zone has data."""
    indicators = progress.zone_indicators(dataset)
    modes = list(colouring.MODES) if indicators else [colouring.PLATFORM]
    return Choices(tour.sequence(dataset), modes, indicators, progress.months(dataset))


def _read_view(options: Choices, dataset: Dataset, lang: str) -> View:
    """The view in the URL; a value the data does not hold is dropped from the URL and noted, never raised."""
    params, notices = st.query_params, []

    def dropped(param: str, text: str) -> None:
        notices.append(text)
        params.pop(param, None)

    zone = params.get("zone") or None
    if zone is not None and zone not in options.tour:
        dropped("zone", t("unknown_zone", lang, value=zone[:80]))
        zone = None
    mode = params.get("color", colouring.PLATFORM)
    if mode not in options.modes:
        if mode in colouring.MODES:  # a good link to a version without values: the panel says so
            params.pop("color", None)
        else:
            dropped("color", t("bad_link_value", lang, name=t("color_by", lang), value=mode[:80],
                               default=t("color_platform", lang)))
        mode = colouring.PLATFORM
    if not options.months:  # a version without values: nothing to pick an indicator or month from
        params.pop("ind", None)
        params.pop("month", None)
    indicator = params.get("ind") or options.default_indicator
    if indicator not in options.indicators and options.indicators:
        label = controls.indicator_label(dataset, lang)
        dropped("ind", t("bad_link_value", lang, name=t("indicator", lang), value=indicator[:80],
                         default=label(options.default_indicator)))
        indicator = options.default_indicator
    month = params.get("month") or options.latest_month
    if month not in options.months and options.months:
        dropped("month", t("bad_link_value", lang, name=t("month", lang), value=month[:80],
                           default=month_label(options.latest_month, lang)))
        month = options.latest_month
    try:
        auto = tour.auto_seconds(params.get(AUTO_PARAM))
    except ValueError:
        dropped(AUTO_PARAM, t("present_bad_auto", lang, value=params.get(AUTO_PARAM, "")[:80],
                              low=tour.AUTO_MIN_SECONDS, high=tour.AUTO_MAX_SECONDS))
        auto = None
    return View(zone, mode, indicator, month, auto, notices)


def _apply(options: Choices, zone: str | None = None, color: str | None = None, ind: str | None = None,
           month: str | None = None) -> None:
    """Write the asked-for parts of a view to the URL (values outside `options` are ignored); defaults are left
    out to keep links short, as on the map page."""
    params = st.query_params
    if zone is not None and zone in options.tour:
        if zone == tour.OVERVIEW:
            params.pop("zone", None)
        else:
            params["zone"] = zone
    if color is not None and color in options.modes:
        if color == colouring.PLATFORM:
            params.pop("color", None)
            params.pop("ind", None)
        else:
            params["color"] = color
            if params.get("ind") not in options.indicators:
                params["ind"] = options.default_indicator
    if ind is not None and ind in options.indicators and params.get("color", colouring.PLATFORM) != colouring.PLATFORM:
        params["ind"] = ind
    if month is not None and month in options.months:
        if month == options.latest_month:
            params.pop("month", None)
        else:
            params["month"] = month
    st.session_state[_PANEL_FIRST] = True


def _keys_pressed(options: Choices) -> None:
    # The script's message: the whole view it asks for ({"zone", "color", "ind", "month"}, each checked by
    # _apply) and its number, which goes back to the script with the next run.
    asked = (st.session_state.get(_KEYS) or {}).get("go")
    if not isinstance(asked, dict):
        return
    if isinstance(asked.get("seq"), int):
        st.session_state[_SEQ] = asked["seq"]
    _apply(options, **{k: v for k, v in asked.items() if k in ("zone", "color", "ind", "month") and isinstance(v, str)})


def _select_from_map(options: Choices) -> None:
    zone = mapview.zone_from_click(st.session_state.get(_MAP), set(options.tour) - {tour.OVERVIEW})
    if zone:
        _apply(options, zone=zone)


def enter() -> None:
    """The map page's button: the same URL, so the same zone, colouring and month, as a presentation."""
    st.query_params[PARAM] = "1"


def _exit() -> None:
    st.query_params.pop(PARAM, None)
    st.query_params.pop(AUTO_PARAM, None)
    # The map page's pickers keep their value in the session; forget them so they start from the URL's.
    for key in ("map_color", "map_indicator", "map_month"):
        st.session_state.pop(key, None)


def _badge(text: str, illustrative: bool = False) -> str:
    return f'<span class="pz-badge{" illus" if illustrative else ""}">{escape(text)}</span>'


def _value_html(text: str) -> str:
    """'170.16 亿元' as a big number and its unit at body size; '6.8%' stays whole."""
    number, _, unit = text.partition(" ")
    if not unit:
        return f"<span class='n'>{escape(text)}</span>"
    return f"<span class='n'>{escape(number)}</span><span class='u'>{escape(unit)}</span>"


def _detail(row: summary.HeadlineRow, lang: str) -> str:
    """'完成率 60.7% · 序时进度 50.0% · 年度目标 61.71 亿元', or for a rate '年度目标 8.0%'."""
    parts = [f"{t(key, lang)} {value}" for key, value in (("completion", row.completion), ("schedule", row.schedule),
                                                          ("target", row.target)) if value != "—"]
    return " · ".join(parts)


def _card(row: summary.HeadlineRow, lang: str) -> str:
    badge = _badge(t("illustrative", lang), True) if row.illustrative else ""
    return (f"<div class='pz-card' data-indicator='{escape(row.indicator_id)}'>"
            f"<div class='pz-label'>{escape(row.label)}{badge}</div>"
            f"<div class='pz-value'>{_value_html(row.actual)}</div>"
            f"<div class='pz-status'><span class='pz-light' style='background:{escape(row.color)}'></span>"
            f"{escape(row.status)}</div>"
            f"<div class='pz-detail'>{escape(_detail(row, lang))}</div></div>")


def _project_line(project, lang: str) -> str:
    """'省交通集团金融中心 · 已开工 · 15 亿元' (no amount where the source gives none)."""
    parts = [name_of(project._asdict(), lang), t(f"project_status_{project.status}", lang)]
    amount = summary.amount_text(project.investment_yi, project.amount_kind, lang)
    return " · ".join(parts if amount == "—" else [*parts, amount])


def zone_markup(dataset: Dataset, table: pd.DataFrame, zone_id: str, number: int, lang: str, month: str | None,
                schematic: bool) -> str:
    """A zone's name, platform and positioning, its headline figures with their 序时进度 lights, its first
    projects; every data value escaped."""
    zone = dataset.zones.set_index("zone_id").loc[zone_id]
    platform = dataset.platforms.set_index("platform_id").loc[zone["platform_id"]]
    other = zone["name_en"] if lang == "zh" else zone["name_zh"]
    badge = _badge(t("schematic", lang)) if schematic else ""
    kicker = f"{t('present_zone_of', lang, number=number, total=len(dataset.zones))} · {name_of(platform, lang)}"
    name = name_of(zone, lang)
    size = " long" if len(name) > LONG_NAME else ""
    parts = [f"<div class='pz-head' data-zone='{escape(zone_id)}'>",
             f"<div class='pz-kicker'>{escape(kicker)}</div>",
             f"<div class='pz-name{size}'>{escape(name)}{badge}</div>",
             f"<div class='pz-body'><i>{escape(other)}</i> · {escape(name_of(zone, lang, 'positioning'))}</div>"
             "</div>"]
    if month is None:
        parts.append(f"<div class='pz-body'>{escape(t('no_observations', lang))}</div>")
    else:
        rows = summary.headline_rows(table, dataset, zone_id, month, lang)
        parts.append(f"<div class='pz-asof'>{escape(t('indicators', lang))} · "
                     f"{escape(t('as_of', lang, month=month_label(month, lang)))}</div>")
        parts.append(f"<div class='pz-grid'>{''.join(_card(r, lang) for r in rows)}</div>")
    projects = summary.zone_projects(dataset, zone_id).head(PANEL_PROJECTS)
    if not projects.empty:
        items = "".join(f"<li>{escape(_project_line(p, lang))}</li>" for p in projects.itertuples())
        parts.append(f"<div class='pz-projects'><b>{escape(t('projects', lang))}</b><ul>{items}</ul></div>")
    return "".join(parts)


def overview_markup(dataset: Dataset, table: pd.DataFrame, lang: str, month: str | None) -> str:
    """The article's corps-wide figures, exactly as printed, and the lights of the figures summed from the zones."""
    figures = summary.reported_figures(dataset, lang)
    cards = "".join(
        f"<div class='pz-card pz-figure' data-indicator='{escape(f.indicator_id)}'>"
        f"<div class='pz-value'>{_value_html(f.value)}</div><div class='pz-label'>{escape(f.label)}</div></div>"
        for f in figures)
    parts = [f"<div class='pz-head' data-zone='{escape(CORPS)}'>",
             f"<div class='pz-title'>{escape(t('corps_summary', lang))}</div>",
             f"<div class='pz-kicker'>{escape(t('corps_summary_source', lang))}{_badge(t('reported', lang))}</div>"
             "</div>",
             f"<div class='pz-grid pz-figures'>{cards}</div>"]
    if month is not None:
        rows = [r for r in summary.headline_rows(table, dataset, CORPS, month, lang, headline_only=False)
                if r.derived]
        if rows:
            body = "".join(
                f"<tr data-indicator='{escape(r.indicator_id)}'><td>{escape(r.label)}</td><td class='st'>"
                f"<span class='pz-light' style='background:{escape(r.color)}'></span>{escape(r.status)}</td>"
                f"<td class='num'>{escape(r.completion)}</td><td class='num'>{escape(r.schedule)}</td>"
                f"<td class='num'>{escape(r.target)}</td></tr>" for r in rows)
            head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("indicator", "status", "completion", "schedule",
                                                                     "target"))
            parts.append(f"<div class='pz-asof'>{escape(t('briefing_corps_progress', lang))} · "
                         f"{escape(t('as_of', lang, month=month_label(month, lang)))}</div>"
                         f"<table class='pz-table'><tr>{head}</tr>{body}</table>")
    return "".join(parts)


@st.cache_resource(max_entries=512, show_spinner=False)
def _panel_markup(version: int, internal: bool, zone_id: str | None, month: str | None, lang: str, schematic: bool,
                  _dataset: Dataset, _table: pd.DataFrame) -> str:
    # Once per version and view for the whole server: a version never changes, so its number and whether
    # non-public rows are in it fix the underscored arguments (not hashed). A string: safe to share.
    if zone_id is None:
        return overview_markup(_dataset, _table, lang, month)
    return zone_markup(_dataset, _table, zone_id, tour.sequence(_dataset).index(zone_id), lang, month, schematic)


@st.cache_resource(max_entries=256, show_spinner=False)
def _colouring(version: int, internal: bool, mode: str, indicator: str | None, month: str | None, lang: str,
               official: frozenset[str], _dataset: Dataset, _table: pd.DataFrame) -> colouring.Colouring:
    # As _panel_markup: once per version and choice; shared between sessions, so treated as read-only.
    return colouring.colouring(mode, _table, _dataset, indicator, month, lang, official)


def presentation_map(dataset: Dataset, shapes: gpd.GeoDataFrame, districts: gpd.GeoDataFrame,
                     river: gpd.GeoDataFrame, fills: dict[str, str], legend: str, lang: str,
                     online_tiles: bool = False) -> folium.Map:
    """The campaign map as mapview builds it, with labels and legend sized for a big screen, no zoom buttons,
    the zones framed again when the screen changes size, and the selection drawn in the browser (_Selection)."""
    features = mapview.zone_features(shapes, dataset.zones, dataset.platforms, lang)
    m = mapview.build_map(features, fills, districts, river, legend, lang, online_tiles=online_tiles)
    m.get_root().header.add_child(Element(_MAP_CSS))
    west, south, east, north = features.total_bounds
    m.add_child(_RefitOnResize([[south - 0.03, west - 0.03], [north + 0.03, east + 0.03]]))
    m.add_child(_Selection())
    return m


def _title(version: Version, view: View, lang: str) -> str:
    sub = escape(frame.version_text(version, lang))
    if view.auto:
        sub += f" · <b>{escape(t('present_auto', lang, seconds=view.auto))}</b>"
    notices = "".join(f"<div class='pt-notice'>{escape(n)}</div>" for n in view.notices)
    return f"<div class='pt-title'>{escape(t('app_title', lang))}<span class='pt-sub'>{sub}</span></div>{notices}"


def _keys_hint(lang: str) -> str:
    return f"<div class='pt-keys'>{t('present_keys', lang)}</div>"  # a fixed string of ours, with <kbd> markup


def _footer(dataset: Dataset, official: frozenset[str], lang: str) -> str:
    notes = [t("corps_summary_source", lang), t("illustrative_note", lang)]
    if set(dataset.zones["zone_id"]) - official:
        notes.append(t("schematic_note", lang))
    notes.append(t("briefing_map_credit", lang))
    return f"<div class='pt-small'>{escape(' · '.join(notes))}</div>"


def _button(label: str, key: str, on_click: Callable, *, primary: bool = False, help: str | None = None,
            disabled: bool = False, **kwargs) -> None:
    st.button(label, key=key, on_click=on_click, kwargs=kwargs, type="primary" if primary else "secondary",
              help=help, disabled=disabled)


@dataclass(frozen=True)
class _Shown:
    """What the presentation shows from: the shown version's data, its geodata, and whose rows."""

    dataset: Dataset
    table: pd.DataFrame
    shapes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    river: gpd.GeoDataFrame
    official: frozenset[str]
    version: Version
    internal: bool


@st.fragment
def _presentation(shown: _Shown, lang: str) -> None:
    dataset, version, official = shown.dataset, shown.version, shown.official
    if not requested():  # left with the exit button: the whole page reruns, as the map page
        st.rerun()
    options = choices(dataset)
    view = _read_view(options, dataset, lang)
    _keyboard(key=_KEYS, on_go_change=lambda: _keys_pressed(options), height=0, data={
        "tour": options.tour, "modes": options.modes, "indicators": options.indicators, "months": options.months,
        "keys": tour.KEYS, "auto": view.auto or 0, "seq": st.session_state.get(_SEQ, 0),
        "view": {"zone": view.zone or tour.OVERVIEW, "color": view.mode, "ind": view.indicator,
                 "month": view.month}})
    indicator_name = controls.indicator_label(dataset, lang)

    # The layout first, filled below in the order that shows a new zone soonest (see pages/map.py).
    top = st.container(key="present-top", horizontal=True, vertical_alignment="center", gap="small")
    main_map, side = st.columns([57, 43], gap="medium")
    bottom = st.container(key="present-strip", horizontal=True, vertical_alignment="center", gap="small")
    footer = st.container(key="present-footer")

    def title_bar() -> None:
        with top:
            with st.container(key="present-title", width="stretch"):
                frame.html(_title(version, view, lang))
            for mode in options.modes:
                _button(t(f"color_{mode}", lang), f"present_color_{mode}", _apply, primary=mode == view.mode,
                        options=options, color=mode)
            if options.indicators:
                _button(frame.md_text(indicator_name(view.indicator)) + " ⟳", "present_indicator", _apply,
                        help=t("present_next_indicator", lang), disabled=view.mode == colouring.PLATFORM,
                        options=options, ind=tour.cycle(options.indicators, view.indicator))
            if view.month is not None:
                earlier, later = tour.shift(options.months, view.month, -1), tour.shift(options.months, view.month, 1)
                _button("◀", "present_month_back", _apply, help=t("present_month_back", lang),
                        disabled=earlier == view.month, options=options, month=earlier)
                frame.html(f"<div class='pt-month'>{escape(month_label(view.month, lang))}</div>")
                _button("▶", "present_month_forward", _apply, help=t("present_month_forward", lang),
                        disabled=later == view.month, options=options, month=later)
            with st.container(key="present-exit", width="content"):
                st.button(t("present_exit", lang), key="present_exit", on_click=_exit)

    def panel() -> None:
        with side, st.container(key=f"present-panel-{view.zone or 'corps'}"):
            frame.html(_panel_markup(version.number, shown.internal, view.zone, view.month, lang,
                                     view.zone not in official, dataset, shown.table))

    def zone_strip() -> None:
        with bottom:
            zones = dataset.zones.set_index("zone_id")
            for number, zone_id in enumerate(options.tour):
                label = t("present_overview", lang) if zone_id == tour.OVERVIEW else \
                    name_of(zones.loc[zone_id], lang, "short")
                _button(f"{number} {frame.md_text(label)}", f"present_zone_{zone_id or 'corps'}", _apply,
                        primary=zone_id == (view.zone or tour.OVERVIEW), options=options, zone=zone_id)
            with st.container(width="stretch"):
                frame.html(_keys_hint(lang))
        with footer:
            frame.html(_footer(dataset, official, lang))

    def zone_map() -> None:
        mode = view.mode if view.month is not None else colouring.PLATFORM
        colours = _colouring(version.number, shown.internal, mode, view.indicator, view.month, lang, official,
                             dataset, shown.table)
        online, legend = frame.online_tiles(), colours.legend_html()
        # Rendered once per server for what it shows; the same arguments from zone to zone, so a key press does
        # not render the map's component again (the outline is drawn in the browser: _Selection).
        drawn = map_component.rendered(
            ("present", version.number, shown.internal, lang, online, tuple(sorted(colours.fills.items())), legend),
            lambda: presentation_map(dataset, shown.shapes, shown.districts, shown.river, colours.fills, legend,
                                     lang, online),
            component_key=_MAP)
        with main_map, st.container(key="present-map"):
            map_component.show(drawn, height=700, returned_objects=["last_active_drawing"],
                               on_change=lambda: _select_from_map(options))

    # After a key or a click the new zone's figures go first; on a page load the map does, so that its frame
    # starts loading sooner.
    panel_first = st.session_state.pop(_PANEL_FIRST, False)
    for part in (panel, title_bar, zone_strip, zone_map) if panel_first else (title_bar, zone_map, panel, zone_strip):
        part()


def show(lang: str) -> None:
    """The presentation view of the shown version (see the module's docstring)."""
    dataset = frame.dataset()
    shapes, districts, river = map_geodata(dataset, lang)
    shown = _Shown(dataset, frame.progress(), shapes, districts, river, geo.official_zones(shapes),
                   frame.version_info(), frame.sees_internal())
    st.html(_CSS)
    with st.container(key="present"):
        _presentation(shown, lang)
