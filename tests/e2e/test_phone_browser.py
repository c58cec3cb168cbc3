"""The map page at phone size in real Chromium: a tap (or a click) on a zone selects it.

Issue 11: at 390x844 a tap on a zone drew its hover highlight but selected nothing. Leaflet focused the map on
the first mousedown and the browser scrolled the page to bring the whole map into view, so the mouseup, and
with it the click, landed on another element (see mapview._FocusWithoutScrolling). It happens whenever the
map's bottom is below the fold, as on any phone, so these tests tap a zone that is on screen while the map
runs past the bottom of the screen, the way a visitor sees it.
"""

import pytest
from playwright.sync_api import expect

from corpsmap import geo
from tests.browser import ARTIFACTS, MAP_IFRAME, wait_for_map

POINTS = geo.label_points(geo.load_zone_shapes())

# The nearest ancestor of the map's iframe that scrolls (Streamlit's main area), found as a browser would.
_SCROLLER = """(el) => {
  for (let n = el.parentElement; n; n = n.parentElement) {
    const y = getComputedStyle(n).overflowY;
    if ((y === 'auto' || y === 'scroll') && n.scrollHeight > n.clientHeight) { return n; }
  }
  return document.scrollingElement;
}"""


@pytest.fixture
def phone_page(browser, request):
    width, height, touch = request.param  # touch: a phone that taps (has_touch, is_mobile), else a mouse
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch,
                                  locale="zh-CN")
    page = context.new_page()
    yield page, touch
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    context.close()


def _zone_on_screen(page, frame, zone_id: str, from_bottom: int = 120) -> tuple[float, float]:
    """Scroll the page until the zone's label point is `from_bottom` px above the bottom of the screen, as a
    visitor scrolls to a zone; returns that point in page pixels (computed like tests.browser.click_latlng)."""
    lat, lon = POINTS[zone_id]
    point = ("([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
             " const r = document.getElementById('map_div').getBoundingClientRect();"
             " return [p.x + r.left, p.y + r.top]; }")
    iframe = page.locator(MAP_IFRAME).first
    x, y = frame.evaluate(point, [lat, lon])
    box = iframe.bounding_box()
    scroll_by = box["y"] + y - (page.viewport_size["height"] - from_bottom)
    iframe.evaluate(f"(el, dy) => ({_SCROLLER})(el).scrollBy(0, dy)", scroll_by)
    page.wait_for_timeout(300)
    box = iframe.bounding_box()
    x, y = frame.evaluate(point, [lat, lon])
    return box["x"] + x, box["y"] + y


PHONES = [pytest.param((390, 844, True), id="390x844-tap"), pytest.param((390, 844, False), id="390x844-mouse"),
          pytest.param((360, 740, True), id="360x740-tap"), pytest.param((360, 740, False), id="360x740-mouse"),
          # Not only phones: any window where the map runs below the fold, e.g. a 1366x768 laptop.
          pytest.param((1366, 768, False), id="1366x768-mouse")]


@pytest.mark.parametrize("phone_page", PHONES, indirect=True)
def test_tap_on_a_zone_shows_its_panel(phone_page, app_url):
    page, touch = phone_page
    page.goto(app_url + "/")
    frame = wait_for_map(page)
    page.locator(".st-key-panel-corps").wait_for()
    x, y = _zone_on_screen(page, frame, "linkong")
    box = page.locator(MAP_IFRAME).first.bounding_box()
    viewport = page.viewport_size
    assert 0 < x < viewport["width"] and 0 < y < viewport["height"], "the zone must be on screen to be tapped"
    # The case of the bug: the map's bottom edge is below the fold, so focusing all of it would scroll the page.
    assert box["y"] + box["height"] > viewport["height"]
    if touch:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)
    page.locator(".st-key-panel-linkong").wait_for(timeout=15_000)
    assert "zone=linkong" in page.url
    if viewport["width"] < 640:  # the panel is below the map there: the page brings it into view
        heading = page.locator(".st-key-panel-linkong").get_by_role("heading", name="临空")
        expect(heading).to_be_in_viewport(timeout=5_000)
