"""The map page in real Chromium: clicking each zone shows its panel, offline, with instant feedback."""

import pytest

from corpsmap import geo
from corpsmap.data import load_dataset
from tests.browser import ARTIFACTS, click_latlng, outside_requests, start_app, wait_for_map

ZONES = list(load_dataset().zones.sort_values("river_order")["zone_id"])
POINTS = geo.label_points(geo.load_zone_shapes())

def test_click_each_zone_shows_its_panel(page, app_url):
    page.goto(app_url + "/")
    frame = wait_for_map(page)
    page.locator(".st-key-panel-corps").wait_for()
    frame.evaluate("() => { window.map.corpsProbe = true; }")
    for zone_id in ZONES:
        lat, lon = POINTS[zone_id]
        click_latlng(page, frame, lat, lon)
        page.locator(f".st-key-panel-{zone_id}").wait_for(timeout=15_000)
        assert page.url.endswith(f"zone={zone_id}")
        # Not remounted: the Leaflet map object marked before the first click is still the live one.
        assert frame.evaluate("() => window.map.corpsProbe === true")
    assert outside_requests(page, app_url) == []

def test_click_outlines_zone_in_map_at_once(page, app_url):
    page.goto(app_url + "/")
    frame = wait_for_map(page)
    lat, lon = POINTS["linkong"]
    click_latlng(page, frame, lat, lon)
    # The outline is drawn by the click handler in the browser, before any server round trip.
    # Two lines, the dark outline on its white halo (mapview.SELECTED_HALO_STYLE), both of 临空.
    drawn = frame.evaluate("() => window.corpsFeedback ? window.corpsFeedback.toGeoJSON().features"
                           ".map((f) => f.properties.zone_id) : null")
    assert drawn == ["linkong", "linkong"]
    page.locator(".st-key-panel-linkong").wait_for(timeout=15_000)

def test_one_click_sends_one_rerun_request(page, app_url):
    # The click is reported at once (no 250 ms debounce) and streamlit-folium's own report must not follow
    # it with a second rerun (see mapview._INSTANT_SELECT).
    page.add_init_script("""
        window.wsSends = [];
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
            window.wsSends.push(performance.now());
            return send.call(this, data);
        };
    """)
    page.goto(app_url + "/")
    frame = wait_for_map(page)
    page.locator(".st-key-panel-corps").wait_for()
    page.wait_for_timeout(1000)
    before = page.evaluate("() => window.wsSends.length")
    lat, lon = POINTS["qiaonan"]
    click_latlng(page, frame, lat, lon)
    page.locator(".st-key-panel-qiaonan").wait_for(timeout=15_000)
    page.wait_for_timeout(1500)  # well past streamlit-folium's 250 ms debounce
    assert page.evaluate("() => window.wsSends.length") - before == 1


def test_the_selection_follows_the_url_and_a_click_does_not_send_the_map_again(page, app_url):
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(
        f.encode() if isinstance(f, str) else f)))
    page.goto(app_url + "/?zone=linkong")
    frame = wait_for_map(page)
    page.locator(".st-key-panel-linkong").wait_for()
    selected = "() => window.corpsSelection ? window.corpsSelection.toGeoJSON().features[0].properties.zone_id : null"
    frame.wait_for_function(f"() => ({selected})() === 'linkong'")
    page.wait_for_timeout(1000)
    mark = len(frames)
    click_latlng(page, frame, *POINTS["kejicheng"])
    page.locator(".st-key-panel-kejicheng").wait_for(timeout=15_000)
    frame.wait_for_function(f"() => ({selected})() === 'kejicheng' && !window.corpsFeedback")
    page.wait_for_timeout(1000)
    # The map's script (it names its div map_div) came with the page, not with the click.
    assert any(b"map_div" in f for f in frames[:mark])
    assert not any(b"map_div" in f for f in frames[mark:])
    page.get_by_role("button", name="返回全部兵团").click()
    page.locator(".st-key-panel-corps").wait_for(timeout=15_000)
    frame.wait_for_function("() => !window.corpsSelection")


def test_deep_link_opens_zone_and_english(page, app_url):
    page.goto(app_url + "/?zone=yinong&lang=en")
    wait_for_map(page)
    panel = page.locator(".st-key-panel-yinong")
    panel.wait_for()
    assert "Green Smart-Manufacturing New City" in panel.inner_text()
    # The base layers come from the app's static files: districts and river are drawn in their panes.
    map_frame = page.frame_locator("iframe").first
    map_frame.locator(".leaflet-districts-pane path").nth(9).wait_for(state="attached")
    map_frame.locator(".leaflet-river-pane path").first.wait_for(state="attached")
    assert "Schematic boundaries / 示意范围" in page.frame_locator("iframe").first.locator(".corps-legend").inner_text()
    assert outside_requests(page, app_url) == []

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_for_review(page, app_url, lang):
    """Writes the four review screenshots; fails only if a page does not render."""

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_url}/?lang={lang}")
    wait_for_map(page)
    page.locator(".st-key-panel-corps").wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"map-{lang}-corps.png"))
    page.goto(f"{app_url}/?lang={lang}&zone=shijicheng")
    wait_for_map(page)
    page.locator(".st-key-panel-shijicheng").wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"map-{lang}-shijicheng.png"))


def test_deep_link_on_a_fresh_server_runs_inside_the_app(page):
    # Streamlit's pages-directory mode would run pages/about.py bare if it were the first page opened.
    proc, base = start_app()
    try:
        page.goto(base + "/about?lang=en")
        page.get_by_role("heading", name="Data & notes").wait_for()
        page.get_by_text("语言 / Language").wait_for()  # the shared sidebar is there
        assert page.title().startswith("萧山兵团会战作战图")  # app.py's page config ran
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(("path", "heading"), [
    ("/", "萧山兵团会战作战图"), ("/map", "萧山兵团会战作战图"), ("/map?zone=linkong", "临空"),
    ("/?zone=linkong", "临空"), ("/indicators", "指标与进度"), ("/projects", "项目库"), ("/about", "数据与说明"),
    ("/map?zone=shibei&lang=en", "Shibei"),
])
def test_every_documented_url_opens_its_page(page, app_url, path, heading):
    page.goto(app_url + path)
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=30_000)
    assert page.get_by_text("Page not found").count() == 0
    if "zone=" in path:
        page.locator(f".st-key-panel-{path.split('zone=')[1].split('&')[0]}").wait_for()


def test_a_link_to_the_map_from_another_page_opens_the_map(page, app_url):
    page.goto(app_url + "/projects?project=kj-land-eco-1")
    page.get_by_role("link", name="在作战图中查看").first.click()
    page.locator(".st-key-panel-kejicheng").wait_for(timeout=30_000)
    assert "/map?zone=kejicheng" in page.url
