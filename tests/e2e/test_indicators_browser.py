"""The indicators page and the map's colouring in real Chromium: lights, charts, fills, and nothing fetched outside."""

import pytest

from corpsmap import colouring, geo, progress
from corpsmap.data import load_dataset
from corpsmap.summary import STATUS_COLORS
from tests.browser import ARTIFACTS, MAP_IFRAME, click_latlng, outside_requests, wait_for_map

DATA = load_dataset()
ZONES = list(DATA.zones.sort_values("river_order")["zone_id"])
TABLE = progress.progress_table(DATA)
POINTS = geo.label_points(geo.load_zone_shapes())
LIGHTS_JS = """() => [...document.querySelectorAll('.st-key-status-matrix tr[data-zone]')].map(tr => [
  tr.dataset.zone,
  [...tr.querySelectorAll('.ind-light')].map(l => getComputedStyle(l).backgroundColor)])"""
FILLS_JS = "() => [...document.querySelectorAll('path.leaflet-interactive')].map(p => p.getAttribute('fill'))"


@pytest.fixture(scope="module", autouse=True)
def entry_page_first(browser, app_url):
    """Open "/" once: until a session has run the entry script, Streamlit answers a deep link such as
    /indicators as a v1 multipage app from pages/ (no page config, no shared sidebar)."""
    warm = browser.new_page()
    warm.goto(app_url + "/")
    wait_for_map(warm)
    warm.close()


def rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def zone_fills(page) -> list[str]:
    return sorted(wait_for_map(page).evaluate(FILLS_JS))


def choose_colouring(page, label: str, before: list[str]) -> list[str]:
    """Click a "colour zones by" option and wait for the remounted map to show other fills."""
    page.locator(".st-key-map_color button", has_text=label).click()
    page.wait_for_function(
        "([sel, before]) => { const f = document.querySelector(sel); const d = f && f.contentDocument;"
        " if (!d) return false; const now = [...d.querySelectorAll('path.leaflet-interactive')]"
        ".map(p => p.getAttribute('fill')).sort(); return now.length > 0 && now.join() !== before.join(); }",
        arg=[MAP_IFRAME, before], timeout=20_000)
    return zone_fills(page)


def test_matrix_shows_the_eight_zones_with_lights(page, app_url):
    page.goto(app_url + "/indicators?month=2022-06&ind=investment")
    page.locator(".st-key-status-matrix table.status-matrix").wait_for(timeout=30_000)
    rows = dict(page.evaluate(LIGHTS_JS))
    assert list(rows) == [*ZONES, "all"]
    lights = {rgb(c) for c in STATUS_COLORS.values()}
    expected = progress.matrix(TABLE, "2022-06", ["investment"], ZONES).set_index("zone_id")["status"]
    for zone in ZONES:
        assert rows[zone] and set(rows[zone]) <= lights, zone
        cell = page.locator(f".st-key-status-matrix td[data-zone='{zone}'][data-indicator='investment']")
        assert cell.get_attribute("data-status") == expected[zone]
        assert rgb(STATUS_COLORS[expected[zone]]) in cell.locator(".ind-light").evaluate(
            "l => getComputedStyle(l).backgroundColor")
    # Both Vega-Lite charts drew, from the copy of Vega that Streamlit bundles.
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").nth(1).wait_for()
    assert outside_requests(page, app_url) == []


def test_switching_the_map_colouring_recolours_the_zones(page, app_url):
    page.goto(app_url + "/")
    platform = zone_fills(page)
    assert len(platform) == len(ZONES)
    status = choose_colouring(page, "进度状态", platform)
    cells = progress.matrix(TABLE, progress.latest_month(DATA), ["investment"], ZONES)
    cells = cells[cells["zone_id"].isin(ZONES)]
    assert status == sorted(STATUS_COLORS[s] for s in cells["status"])  # the same lights as the indicators page
    assert "color=status" in page.url and "ind=investment" in page.url
    value = choose_colouring(page, "数值分级", status)
    assert set(value) <= set(colouring.VALUE_COLORS) and len(set(value)) > 2
    assert outside_requests(page, app_url) == []


def test_zone_click_does_not_remount_a_recoloured_map(page, app_url):
    page.goto(app_url + "/?color=status&ind=service_va")
    frame = wait_for_map(page)
    page.locator(".st-key-panel-corps").wait_for()
    frame.evaluate("() => { window.map.corpsProbe = true; }")
    lat, lon = POINTS["shibei"]
    click_latlng(page, frame, lat, lon)
    page.locator(".st-key-panel-shibei").wait_for(timeout=15_000)
    assert frame.evaluate("() => window.map.corpsProbe === true")
    assert "color=status" in page.url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_indicator_screenshots_for_review(page, app_url, lang):
    """Writes the review screenshots (first screen and whole page); fails only if the page does not render."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}/indicators?lang={lang}&month=2022-06&ind=investment")
    page.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / f"indicators-{lang}.png"))
    page.set_viewport_size({"width": 1920, "height": 3000})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"indicators-{lang}-full.png"))
