"""Base maps in Chromium: nothing is requested from outside until an online base map is picked; AMap's tiles come
with the zones shifted to GCJ-02 (so they line up with it) and its credit; Tianditu without a key is offered but
cannot be picked; a click on the project form's map over AMap is stored back in WGS-84."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.browser import MAP_IFRAME, outside_requests, wait_for_map, wait_for_rerun

# Longitude/latitude of the middle of 临空's zone outline as Leaflet holds it (what the map draws).
_LINKONG_CENTRE = """() => {
  let centre = null;
  window.map.eachLayer(l => {
    if (l.feature && l.feature.properties && l.feature.properties.zone_id === 'linkong' && l.getBounds && !centre) {
      const c = l.getBounds().getCenter(); centre = [c.lng, c.lat];
    }
  });
  return centre;
}"""


def pick_basemap(page, name: str) -> None:
    page.get_by_role("combobox", name="底图").click()
    page.get_by_role("option", name=name).click()
    wait_for_rerun(page, 1500)


def test_amap_draws_the_zones_shifted_to_gcj02_and_nothing_goes_out_before(page, app_url):
    page.goto(app_url + "/")
    frame = wait_for_map(page)
    page.wait_for_timeout(1500)
    assert outside_requests(page, app_url) == []  # the offline map: no outside host at all
    offline = frame.evaluate(_LINKONG_CENTRE)

    pick_basemap(page, "高德 道路（需联网）")
    page.frame_locator(MAP_IFRAME).first.locator("img.leaflet-tile").first.wait_for(state="attached",
                                                                                 timeout=30_000)
    frame = wait_for_map(page)
    amap = frame.evaluate(_LINKONG_CENTRE)
    east_m = (amap[0] - offline[0]) * 111_320 * 0.864  # cos(30.2°)
    north_m = (amap[1] - offline[1]) * 110_574
    # GCJ-02 draws Xiaoshan ~430 m east and ~270 m south of WGS-84 (docs/research/geodata.md).
    assert 380 <= east_m <= 480 and -320 <= north_m <= -200, (east_m, north_m)
    hosts = {urlparse(u).netloc for u in outside_requests(page, app_url)}
    assert hosts and all(h.endswith("is.autonavi.com") for h in hosts), hosts  # AMap's tiles, nothing else
    assert "高德地图" in page.frame_locator(MAP_IFRAME).first.locator(".leaflet-control-attribution").inner_text()
    page.get_by_text("在线底图会向外部服务器请求瓦片。").wait_for()


def test_tianditu_without_a_key_is_offered_with_the_reason_and_stays_offline(page, app_url):
    page.goto(app_url + "/")
    wait_for_map(page)
    pick_basemap(page, "天地图 矢量（需联网）（未配置天地图密钥）")
    page.get_by_text("未配置天地图密钥").first.wait_for()
    page.wait_for_timeout(1500)
    assert outside_requests(page, app_url) == []
