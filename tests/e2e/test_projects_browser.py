"""The project library in real Chromium: filter through the UI, open projects, export, all offline.

Runs its own server on a copy of data/ with one more project whose names start with '=' and '@', so the
exported files can be checked for formula injection.
"""

from __future__ import annotations

import csv
import io
import shutil

import openpyxl
import pytest

from corpsmap import projects
from corpsmap.data import load_dataset
from tests.browser import ARTIFACTS, MAP_IFRAME, ROOT, click_latlng, outside_requests, start_app

FORMULA = {"project_id": "inj-formula", "zone_id": "qiaonan", "kind": "project", "name_zh": "=1+2 公式测试项目",
           "name_en": "@SUM(A1) formula test", "status": "planned", "industry_chain": "advanced_manufacturing",
           "investment_yi": "5", "amount_kind": "total", "start_date": "2022-07", "lat": "30.19", "lon": "120.30",
           "location_precision": "approximate", "public": "true", "note_zh": "-2+3", "note_en": "+cmd",
           "provenance": "illustrative", "source_id": "illustrative"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    for path in (ROOT / "data").glob("*.csv"):
        shutil.copy(path, folder)
    with open(folder / "projects.csv", "a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, fieldnames=list(FORMULA)).writerow(FORMULA)
    return folder


@pytest.fixture(scope="module")
def library_url(data_dir):
    proc, base = start_app(env={"CORPSMAP_DATA_DIR": str(data_dir)})
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def public(data_dir):
    data = load_dataset(data_dir)
    return data, data.projects[data.projects["public"]]


def open_library(page, url: str):
    """Open the page and wait until the points are drawn; returns the map iframe's Frame."""
    page.goto(url)
    page.locator(MAP_IFRAME).first.wait_for(timeout=30_000)
    frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
    frame.wait_for_function("() => window.corpsProjects && window.corpsProjects.ready", timeout=30_000)
    return frame


def wait_for_points(frame, key: str) -> None:
    frame.wait_for_function("key => window.corpsProjects && window.corpsProjects.key === key"
                            " && window.corpsProjects.ready", arg=key, timeout=15_000)


def map_ids(frame) -> set[str]:
    return set(frame.evaluate("() => window.corpsProjects.cluster.getLayers()"
                              ".map(l => l.feature.properties.project_id)"))


def table_rows(page) -> list[list[str]]:
    """The table's rows as cell texts, read from the grid's accessible table (the cells are drawn on a canvas)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"] table tr'))
        .slice(1).map(r => Array.from(r.querySelectorAll('td')).map(td => td.innerText.trim()))""")


def choose_zone(page, label: str) -> None:
    page.locator(".st-key-filter_zone").click()
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def test_zone_filter_limits_table_and_map(page, library_url, public):
    _, rows = public
    frame = open_library(page, library_url + "/projects")
    assert map_ids(frame) == set(rows.loc[rows["lat"].notna(), "project_id"])
    frame.evaluate("() => { window.map.projectsProbe = true; }")

    choose_zone(page, "桥南")
    page.wait_for_url("**/projects?zone=qiaonan")
    wait_for_points(frame, "zone=qiaonan")
    qiaonan = rows[rows["zone_id"] == "qiaonan"]
    assert map_ids(frame) == set(qiaonan.loc[qiaonan["lat"].notna(), "project_id"])
    page.wait_for_function("n => document.querySelectorAll('[data-testid=\"stDataFrame\"] table tr').length === n + 1",
                           arg=len(qiaonan))
    table = table_rows(page)
    assert {r[0] for r in table} == set(qiaonan["name_zh"])
    assert {r[1] for r in table} == {"桥南"}
    # The points were swapped inside the same Leaflet map: no remount, no flicker.
    assert frame.evaluate("() => window.map.projectsProbe === true")
    assert outside_requests(page, library_url) == []


def test_open_a_project_from_the_table_and_from_the_map(page, library_url, public):
    _, rows = public
    open_library(page, library_url + "/projects?zone=qiaonan")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stDataFrame\"] table tr').length > 1")
    first_name = table_rows(page)[0][0]
    first_id = rows.loc[rows["name_zh"] == first_name, "project_id"].item()
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    page.mouse.click(grid["x"] + 18, grid["y"] + 35 + 17)  # the selection box of the first row
    dialog = page.get_by_role("dialog")
    dialog.locator(f"table.project-card[data-project='{first_id}']").wait_for(timeout=15_000)
    assert f"project={first_id}" in page.url
    assert "桥南" in dialog.inner_text()

    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=15_000)
    page.wait_for_function("() => !location.search.includes('project=')")

    # Clicking into a half-visible iframe first scrolls the page to it, and the button comes up elsewhere.
    page.locator(MAP_IFRAME).first.scroll_into_view_if_needed()
    frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
    lat, lon = rows.set_index("project_id").loc["ex-qn-1", ["lat", "lon"]]
    click_latlng(page, frame, lat, lon)
    page.get_by_role("dialog").locator("table.project-card[data-project='ex-qn-1']").wait_for(timeout=15_000)
    assert "project=ex-qn-1" in page.url
    assert outside_requests(page, library_url) == []


def test_exports_hold_exactly_the_filtered_rows_with_formulas_inert(page, library_url, public):
    data, rows = public
    open_library(page, library_url + "/projects?zone=qiaonan&band=1-10,unknown")
    expected = projects.apply(rows, data.zones, projects.ProjectFilter(zones=("qiaonan",), bands=("1-10", "unknown")))
    assert "inj-formula" in set(expected["project_id"])

    with page.expect_download() as download:
        page.locator(".st-key-export_csv button").click()
    assert download.value.suggested_filename == "projects.csv"
    raw = download.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert table[0][:2] == ["项目编号", "名称（中文）"]
    assert sorted(r[0] for r in table[1:]) == sorted(expected["project_id"])
    injected = next(r for r in table if r[0] == "inj-formula")
    assert injected[1:3] == ["'=1+2 公式测试项目", "'@SUM(A1) formula test"]

    with page.expect_download() as download:
        page.locator(".st-key-export_xlsx button").click()
    assert download.value.suggested_filename == "projects.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sorted(r[0].value for r in sheet.iter_rows(min_row=2)) == sorted(expected["project_id"])
    injected = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "inj-formula")
    assert (injected[1].value, injected[1].data_type) == ("'=1+2 公式测试项目", "s")
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    assert outside_requests(page, library_url) == []


def test_english_export_has_english_headers(page, library_url):
    open_library(page, library_url + "/projects?zone=yinong&lang=en")
    with page.expect_download() as download:
        page.locator(".st-key-export_xlsx button").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [c.value for c in sheet[1]][:4] == ["Project ID", "Name (Chinese)", "Name (English)", "Zone"]


def test_cluster_assets_come_from_the_app(page, library_url):
    open_library(page, library_url + "/projects")
    own = [u for u in page.requests if "/app/static/vendor/leaflet-markercluster/" in u]
    assert any(u.endswith("leaflet.markercluster.js") for u in own)
    assert any(u.endswith("MarkerCluster.css") for u in own)
    assert outside_requests(page, library_url) == []


def test_empty_result_offers_to_clear(page, library_url):
    page.goto(library_url + "/projects?zone=qiaonan&band=100-plus")
    box = page.locator(".st-key-no_results")
    box.wait_for(timeout=30_000)
    box.get_by_role("button").click()
    page.locator(MAP_IFRAME).first.wait_for(timeout=30_000)
    assert "zone=" not in page.url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_for_review(page, library_url, lang):
    """Writes review screenshots of the filtered view and of an open project; fails only if a page breaks."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_library(page, f"{library_url}/projects?lang={lang}&zone=shibei,qiaonan,shijicheng")
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"projects-{lang}.png"))
    open_library(page, f"{library_url}/projects?lang={lang}&project=yn-transfar")
    page.get_by_role("dialog").wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"projects-{lang}-project.png"))
