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


# A phone's browser says so in its user agent ("Mobile"); the map page lays itself out for it (pages/map.py).
PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.0.0 Mobile Safari/537.36")

# The label boxes in the map's frame: each zone name, and the district names not thinned away.
_LABELS = """() => {
  const map = document.getElementById('map_div').getBoundingClientRect();
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {text: el.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom}; };
  return {map: {l: map.left, r: map.right, t: map.top, b: map.bottom},
          zones: [...document.querySelectorAll('.corps-label')].map(box),
          districts: [...document.querySelectorAll('.district-label:not(.thinned)')].map(box),
          thinned: [...document.querySelectorAll('.district-label.thinned')].map((el) => el.textContent)};
}"""


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]]


@pytest.mark.parametrize("size", [(390, 844), (360, 740)], ids=["390x844", "360x740"])
def test_on_a_phone_the_map_fits_the_first_screen_with_every_zone_named(browser, app_url, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, is_mobile=True,
                                  user_agent=PHONE_AGENT, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(app_url + "/map")
        frame = wait_for_map(page)
        page.wait_for_timeout(500)  # the labels are thinned once the fonts are in
        box = page.locator(MAP_IFRAME).first.bounding_box()
        assert box["y"] + box["height"] <= height, "the map must fit the first screen, title included"
        expect(page.get_by_role("heading", name="萧山兵团会战作战图")).to_be_in_viewport()

        labels = frame.evaluate(_LABELS)
        assert sorted(z["text"] for z in labels["zones"]) == sorted(
            ["三江创智", "湘湖", "世纪城", "市北", "桥南", "科技城", "临空", "益农"])
        for z in labels["zones"]:
            assert labels["map"]["l"] <= z["l"] and z["r"] <= labels["map"]["r"], f"{z['text']} is cut off"
        assert _overlapping(labels["zones"] + labels["districts"]) == []
        assert labels["districts"], "district names that have room stay"
        assert frame.locator(".corps-legend.folded").count() == 1, "the legend starts folded to a button"

        # Thinning follows the zoom: names hidden for want of room come back when the map is zoomed in.
        frame.evaluate("() => window.map.setZoom(window.map.getZoom() + 2, {animate: false})")
        page.wait_for_timeout(300)
        zoomed = frame.evaluate(_LABELS)
        assert _overlapping(zoomed["zones"] + zoomed["districts"]) == []
        assert labels["thinned"], "at phone width some district name collides with a zone's"
        assert set(labels["thinned"]) & {d["text"] for d in zoomed["districts"]}, "none came back"
        frame.evaluate("() => window.map.setZoom(window.map.getZoom() - 2, {animate: false})")
        page.wait_for_timeout(300)

        # A tap on a zone: its panel (below the map on a phone) is brought into view.
        x, y = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
                              " return [p.x, p.y]; }", list(POINTS["linkong"]))
        page.touchscreen.tap(box["x"] + x, box["y"] + y)
        heading = page.locator(".st-key-panel-linkong").get_by_role("heading", name="临空")
        expect(heading).to_be_in_viewport(timeout=15_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"review-phone-map-{width}x{height}.png"))
        page.get_by_role("button", name="全部兵团").scroll_into_view_if_needed()
        page.locator(MAP_IFRAME).first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"review-phone-map-linkong-{width}x{height}.png"))
    finally:
        context.close()
