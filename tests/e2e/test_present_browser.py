"""The presentation view (`?present=1`) in real Chromium at 1920×1080 and 3840×2160: no Streamlit chrome, the map
filling the screen, large figures, the zone tour with the keyboard (also with the focus in the map), auto-advance,
and nothing asked of an outside host. Writes review screenshots to test-artifacts/present-*.png."""

from __future__ import annotations

import pytest

from corpsmap import geo, progress, summary
from corpsmap.data import CORPS, load_dataset
from tests.browser import ARTIFACTS, MAP_IFRAME, click_latlng, outside_requests, wait_for_map
from tests.e2e.conftest import recording_page

DATA = load_dataset()
TABLE = progress.progress_table(DATA)
MONTH = progress.latest_month(DATA)
ZONES = progress.zone_order(DATA)  # along the river, west to east: the tour
NAMES = DATA.zones.set_index("zone_id")
POINTS = geo.label_points(geo.load_zone_shapes())
HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
CHROME = ["[data-testid=stSidebar]", "[data-testid=stHeader]", "[data-testid=stToolbar]",
          "[data-testid=stSidebarCollapsedControl]", "[data-testid=stExpandSidebarButton]", ".st-key-version_line"]

# The smallest font size (px) among the elements each selector matches, in the shown panel.
MIN_FONT = """(selectors) => Object.fromEntries(selectors.map((s) => [s, Math.min(...Array.from(
  document.querySelectorAll('[class*=st-key-present-panel-] ' + s))
  .map((e) => parseFloat(getComputedStyle(e).fontSize)))]))"""

LEGEND_SAYS = """([frames, text]) => Array.from(document.querySelectorAll(frames)).some((f) => {
  const legend = f.contentDocument && f.contentDocument.querySelector('.corps-legend');
  return legend && f.getBoundingClientRect().height > 0 && legend.textContent.includes(text); })"""


def figure(zone_id: str, indicator: str = "investment", month: str = MONTH) -> str:
    """A zone's figure as the panel prints its number ('23.82' of '23.82 亿元')."""
    row = next(r for r in summary.headline_rows(TABLE, DATA, zone_id, month, "zh") if r.indicator_id == indicator)
    return row.actual.split(" ")[0]


def panel(page, zone_id: str | None):
    """The panel once it shows `zone_id` (the overview for None). Its container's key changes a moment before its
    content does, so this waits for the content's own zone."""
    locator = page.locator(f".st-key-present-panel-{zone_id or 'corps'}:has(.pz-head[data-zone='{zone_id or CORPS}'])")
    locator.wait_for(timeout=15_000)
    return locator


def open_presentation(page, app_url: str, query: str = "") -> None:
    page.goto(f"{app_url}/map?present=1{query}")
    wait_for_map(page)
    panel(page, _zone_in(query))
    page.wait_for_timeout(300)


def _zone_in(query: str) -> str | None:
    for part in query.split("&"):
        if part.startswith("zone="):
            return part[5:]
    return None


# The zone outlined in the map (drawn in the map's frame by the presentation's own script), or None.
SELECTED = """() => window.corpsSelection ? window.corpsSelection.toGeoJSON().features[0].properties.zone_id : null"""


def map_frame(page):
    return page.locator(MAP_IFRAME).element_handle().content_frame()


def assert_zone_shown(page, zone_id: str) -> None:
    text = panel(page, zone_id).inner_text()
    assert NAMES.loc[zone_id, "name_zh"] in text
    assert figure(zone_id) in text
    assert f"zone={zone_id}" in page.url.split("?")[1].split("&")
    assert map_frame(page).evaluate(SELECTED) == zone_id


def assert_fits_the_screen(page) -> None:
    """The map fills the screen beside the panel; nothing needs scrolling, in the page or in the panel."""
    size = page.viewport_size
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box["width"] >= 0.5 * size["width"] and box["height"] >= 0.8 * size["height"], box
    assert box["y"] + box["height"] <= size["height"]
    assert page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                         " return m.scrollHeight <= m.clientHeight + 1; }")
    assert page.evaluate("() => { const p = document.querySelector('[class*=st-key-present-panel-]');"
                         " return p.scrollHeight <= p.clientHeight + 1 && p.scrollWidth <= p.clientWidth + 1; }")
    # and no figure, label or table cell is cut at its card's or the panel's edge
    assert page.evaluate("""() => Array.from(document.querySelectorAll(
        '[class*=st-key-present-panel-] .pz-card, [class*=st-key-present-panel-] .pz-table'))
        .every((e) => e.scrollWidth <= e.clientWidth + 1)""")


def test_no_sidebar_or_streamlit_chrome_and_large_type(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url)
    for selector in CHROME:
        assert not page.locator(selector).first.is_visible(), selector
    assert not page.get_by_text("语言 / Language").is_visible()
    assert not page.get_by_text("公开演示：只读，仅显示公开数据。").is_visible()
    assert_fits_the_screen(page)
    overview = panel(page, None).inner_text()
    for value in ("6.8%", "10.8%", "5.5%", "62.9%", "41.7%", "170.16", "65.3%", "50.5%", "83.82", "71.2%", "12.3%"):
        assert value in overview
    sizes = page.evaluate(MIN_FONT, [".pz-value", ".pz-label"])
    assert sizes[".pz-value"] >= 48 and sizes[".pz-label"] >= 20, sizes
    page.keyboard.press("7")
    panel(page, "linkong")
    sizes = page.evaluate(MIN_FONT, [".pz-value", ".pz-label", ".pz-status", ".pz-detail", ".pz-body",
                                     ".pz-projects li", ".pz-kicker"])
    assert sizes.pop(".pz-value") >= 48, sizes
    assert min(sizes.values()) >= 20, sizes
    assert "数据截至 2022年6月 · 第 1 版" in page.locator(".pt-title").inner_text()
    assert "示意数据" in page.locator(".pt-small").inner_text()  # the small print says what is illustrative
    assert outside_requests(page, app_url) == []


def test_tour_every_zone_with_the_keyboard(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url)
    map_frame(page).evaluate("() => { window.map.corpsProbe = true; }")
    for i, zone_id in enumerate(ZONES):  # → and PageDown, as a keyboard and a clicker send them
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "PageDown")
        assert_zone_shown(page, zone_id)
    page.keyboard.press("ArrowRight")  # after the last zone, round to the overview
    panel(page, None)
    assert "zone=" not in page.url
    page.keyboard.press("ArrowLeft")
    assert_zone_shown(page, ZONES[-1])
    page.keyboard.press("PageUp")
    assert_zone_shown(page, ZONES[-2])
    for number in (3, 1, 8, 5):
        page.keyboard.press(str(number))
        assert_zone_shown(page, ZONES[number - 1])
    for key, then in (("Escape", "2"), ("Home", "4"), ("0", None)):
        page.keyboard.press(key)
        panel(page, None)
        assert "zone=" not in page.url and "present=1" in page.url
        if then:
            page.keyboard.press(then)
            assert_zone_shown(page, ZONES[int(then) - 1])
    assert map_frame(page).evaluate(SELECTED) is None  # the overview outlines no zone
    # The whole tour in one map: never remounted (the probe set on the first Leaflet map is still there).
    assert map_frame(page).evaluate("() => window.map.corpsProbe === true")
    assert page.locator("[role=dialog]").count() == 0  # no Streamlit dialog took a key
    assert outside_requests(page, app_url) == []


def test_a_link_to_a_zone_opens_with_it_outlined(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url, "&zone=linkong&color=status")
    page.wait_for_function(f"() => {{ const f = document.querySelector('{MAP_IFRAME}');"
                           " return f && f.contentWindow.corpsSelection; }")
    assert_zone_shown(page, "linkong")


def test_two_quick_presses_go_two_zones_on(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url, "&zone=" + ZONES[0])
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert_zone_shown(page, ZONES[2])


def test_keys_work_with_the_focus_in_the_map(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url, "&zone=shibei")
    frame = wait_for_map(page)
    click_latlng(page, frame, 30.33, 120.18)  # north of the river, on no zone: the map takes the focus
    assert frame.evaluate("() => document.hasFocus() && document.activeElement.id === 'map_div'")
    centre = frame.evaluate("() => window.map.getCenter()")
    page.keyboard.press("ArrowRight")
    assert_zone_shown(page, ZONES[ZONES.index("shibei") + 1])
    page.keyboard.press("PageUp")
    assert_zone_shown(page, "shibei")
    assert frame.evaluate("() => window.map.getCenter()") == centre  # the arrows did not pan the map


def test_a_click_on_a_zone_in_the_map_selects_it(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url)
    frame = wait_for_map(page)
    lat, lon = POINTS["qiaonan"]
    click_latlng(page, frame, lat, lon)
    assert_zone_shown(page, "qiaonan")


def test_colouring_indicator_and_month_keys_change_the_link(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url, "&zone=kejicheng")
    page.keyboard.press("c")
    page.wait_for_url("**color=status&ind=investment**")
    # The map's legend now shows the status lights (a new colouring is a new map frame; the old one lingers for a
    # moment, hidden, so each frame is looked in).
    page.wait_for_function(LEGEND_SAYS, arg=[MAP_IFRAME, "落后序时"], timeout=30_000)
    page.keyboard.press("i")
    page.wait_for_url("**ind=service_va**")
    page.keyboard.press("[")
    page.wait_for_url("**month=2022-05**")
    shown = panel(page, "kejicheng")
    shown.get_by_text("截至 2022年5月").wait_for()
    assert figure("kejicheng", month="2022-05") in shown.inner_text()
    page.keyboard.press("]")
    page.wait_for_function("() => !location.search.includes('month=')")
    page.keyboard.press("c")  # status → value
    page.wait_for_url("**color=value**")
    page.keyboard.press("c")  # value → platform: no indicator in the link
    page.wait_for_function("() => !location.search.includes('color=') && !location.search.includes('ind=')")
    assert "zone=kejicheng" in page.url
    assert page.locator("[role=dialog]").count() == 0  # "c" did not open Streamlit's clear-cache dialog


def test_auto_advance_moves_along_the_river(page, app_url):
    page.set_viewport_size(HD)
    page.goto(f"{app_url}/map?present=1&auto=2")
    wait_for_map(page)
    assert "2 秒" in page.locator(".pt-title").inner_text()
    for zone_id in ZONES[:3]:
        page.locator(f".pz-head[data-zone='{zone_id}']").wait_for(timeout=20_000)


def test_leaving_returns_to_the_map_page(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url, "&zone=linkong&color=status")
    page.get_by_role("button", name="退出演示").click()
    page.locator(".st-key-panel-linkong").wait_for(timeout=30_000)
    assert "present=" not in page.url and "color=status" in page.url
    page.locator("[data-testid=stSidebar]").wait_for(state="visible")  # once the presentation's style is gone


@pytest.mark.parametrize(("size", "lang", "zone_id"), [
    ("1080p", "zh", None), ("1080p", "zh", "linkong"), ("1080p", "en", "yinong"), ("1080p", "en", None),
    ("4k", "zh", "shijicheng"), ("4k", "en", None),
])
def test_screenshots_for_review(browser, app_url, size, lang, zone_id):
    """Writes test-artifacts/present-<size>-<lang>-<zone>.png, to be looked at; checks the layout fits."""
    page = recording_page(browser, viewport=HD if size == "1080p" else UHD)
    try:
        query = f"&lang={lang}" + (f"&zone={zone_id}" if zone_id else "") + \
            ("&color=status" if zone_id == "yinong" else "")
        open_presentation(page, app_url, query)
        page.wait_for_timeout(1000)  # the base map's layers come from static files
        assert_fits_the_screen(page)
        if size == "4k":  # the type scales with the screen: twice the 1080p sizes
            sizes = page.evaluate(MIN_FONT, [".pz-value", ".pz-label"])
            assert sizes[".pz-value"] >= 96 and sizes[".pz-label"] >= 40, sizes
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"present-{size}-{lang}-{zone_id or 'corps'}.png"))
        assert outside_requests(page, app_url) == []
    finally:
        page.context.close()


def test_every_zone_fits_in_english_at_1080p(page, app_url):
    page.set_viewport_size(HD)
    open_presentation(page, app_url, "&lang=en")
    for number, zone_id in enumerate(ZONES, start=1):
        page.keyboard.press(str(number))
        panel(page, zone_id)
        page.wait_for_timeout(200)
        assert_fits_the_screen(page)
