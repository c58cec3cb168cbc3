"""Official boundaries in Chromium: an admin imports a bureau's zipped Shapefile (CGCS2000 3° Gauss-Krüger, GBK
names, no .cpg), sees the detected CRS, the matches, the checks and the preview, publishes; the map then draws the
new shapes without the "schematic" label, and the history can roll it back."""

from __future__ import annotations

from tests.browser import (
    MAP_IFRAME,
    outside_requests,
    roll_back,
    sign_in,
    start_intranet_app,
    wait_for_map,
    wait_for_rerun,
)
from tests.test_boundaries import METRIC, bureau_layer, shapefile_zip

SCHEMATIC = "示意范围"


def map_html(page) -> str:
    """The map iframe's document once its zones are drawn (looked up afresh: the iframe may be re-created)."""
    wait_for_map(page)
    return page.frame_locator(MAP_IFRAME).first.locator("html").inner_html()


def test_admin_imports_a_bureau_shapefile_and_the_map_loses_schematic(page, tmp_path):
    proc, base = start_intranet_app({"boss": ("admin", [])})
    try:
        zipped = tmp_path / "萧山兵团范围.zip"
        zipped.write_bytes(shapefile_zip(bureau_layer(), METRIC))
        page.goto(base + "/")
        assert SCHEMATIC in map_html(page)  # the shipped shapes are schematic
        sign_in(page, "boss")
        page.goto(base + "/boundaries")
        page.get_by_role("heading", name="边界导入").wait_for(timeout=30_000)
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(zipped))
        page.get_by_text("EPSG:4549").first.wait_for(timeout=60_000)  # the .prj's CRS, as detected
        page.get_by_text("绿色智造产业新城（益农）").first.wait_for(state="attached", timeout=30_000)  # GBK read right
        page.get_by_role("button", name="发布 8 个兵团的官方边界").wait_for(timeout=60_000)
        wait_for_rerun(page, 1500)
        page.screenshot(path=str(tmp_path / "import.png"), full_page=True)
        page.get_by_role("button", name="发布 8 个兵团的官方边界").click()
        page.get_by_text("已发布为第 2 版。").wait_for(timeout=60_000)

        page.goto(base + "/?zone=linkong")
        page.get_by_text("数据截至 2022年6月 · 第 2 版").wait_for(timeout=30_000)
        page.get_by_text("兵团范围为导入的官方边界。").wait_for()
        assert SCHEMATIC not in map_html(page)
        assert SCHEMATIC not in page.locator(".st-key-panel-linkong").inner_text()
        page.screenshot(path=str(tmp_path / "official.png"), full_page=True)

        roll_back(page, base, 1)
        page.get_by_text("数据截至 2022年6月 · 第 3 版").wait_for(timeout=30_000)
        page.goto(base + "/")
        assert SCHEMATIC in map_html(page)  # rolled back to the schematic shapes
        assert outside_requests(page, base) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
