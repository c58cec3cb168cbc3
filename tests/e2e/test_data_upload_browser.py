"""Planners' table upload in intranet mode, in Chromium: bad files are reported cell by cell and change nothing;
a good one is previewed, then published as a new version."""

import pytest
from playwright.sync_api import expect

from corpsmap.changes import to_csv_text
from corpsmap.data import load_dataset
from tests.browser import (
    ARTIFACTS,
    MAP_IFRAME,
    click_latlng,
    outside_requests,
    sign_in,
    start_intranet_app,
    wait_for_rerun,
)

SOURCES = to_csv_text("sources", load_dataset().sources)


@pytest.fixture(scope="module")
def internal_app():
    proc, base = start_intranet_app({"planner": ("admin", [])})
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def open_tables(page, base: str) -> None:
    page.goto(base + "/?lang=en")
    sign_in(page, "planner", lang="en")
    page.goto(base + "/data?lang=en")
    page.get_by_role("tab", name="Tables").click()
    page.get_by_text("Upload a replacement for").locator("visible=true").wait_for()


def upload(page, name: str, content: bytes, mime: str = "text/csv") -> None:
    uploader = page.locator("[data-testid=stFileUploader]").filter(has_text="Upload a replacement for")
    uploader.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": content}])


def test_bad_upload_is_reported_and_changes_nothing(page, internal_app):
    open_tables(page, internal_app)
    bad = SOURCES.replace("research,", "article,", 1)  # two rows now share the id 'article'
    upload(page, "my-sources.csv", bad.encode("utf-8"))
    page.get_by_text("my-sources.csv was not saved").wait_for()
    page.locator("[data-testid=stDataFrame]").last.wait_for()
    page.get_by_text("Data as of Jun 2022 · version 1").wait_for()
    assert outside_requests(page, internal_app) == []


def test_a_planner_reads_the_problems_in_chinese(page, internal_app):
    page.goto(internal_app + "/")
    sign_in(page, "planner")
    page.goto(internal_app + "/data")
    page.get_by_role("tab", name="数据表").click()
    uploader = page.locator("[data-testid=stFileUploader]").filter(has_text="上传替换")
    uploader.locator("input[type=file]").set_input_files(files=[{
        "name": "来源.csv", "mimeType": "text/csv", "buffer": SOURCES.replace("research,", "article,", 1).encode()}])
    page.get_by_text("来源.csv 未保存，原数据未改动").wait_for()
    page.locator("[data-testid=stDataFrame]").last.wait_for()
    # st.dataframe draws on a canvas; its accessible grid cells are in the DOM but hidden.
    page.get_by_text("编号重复", exact=True).first.wait_for(state="attached")
    assert page.get_by_text("duplicate", exact=False).count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-upload-problems-zh.png"))


def test_a_corrupt_xlsx_is_refused_with_a_message(page, internal_app):
    open_tables(page, internal_app)
    upload(page, "broken.xlsx", b"PK\x03\x04" + bytes(range(256)) * 20,
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    page.get_by_text("broken.xlsx was not saved").wait_for()
    assert page.get_by_text("Traceback").count() == 0


def test_good_upload_is_previewed_then_published(page, internal_app):
    open_tables(page, internal_app)
    text = SOURCES.replace("Illustrative demo values", "Illustrative demo values (rev 2)")
    upload(page, "sources.csv", text.encode("utf-8"))
    page.get_by_text("Preview: sources.csv ← sources.csv").wait_for()
    page.get_by_text("sources: 0 added · 1 changed · 0 removed").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published as version 2.").wait_for()
    page.goto(internal_app + "/about?lang=en")
    page.get_by_text("Data as of Jun 2022 · version 2").wait_for()
    # st.dataframe draws on a canvas; its accessible grid cells are in the DOM but hidden.
    page.get_by_text("Illustrative demo values (rev 2)").first.wait_for(state="attached")


def test_emptying_a_table_needs_a_confirmation(page, internal_app):
    open_tables(page, internal_app)
    page.get_by_role("combobox", name="Table").click()
    page.get_by_role("option", name="projects.csv").click()
    page.get_by_text("Upload a replacement for projects.csv").wait_for()  # drawn anew for the chosen table
    upload(page, "projects.csv", (to_csv_text("projects", load_dataset().projects).splitlines()[0] + "\n").encode())
    page.get_by_text("This change removes 36 rows.").wait_for()
    publish = page.get_by_role("button", name="Publish")
    expect(publish).to_be_disabled()
    page.get_by_text("I confirm removing these 36 rows").click()
    expect(publish).to_be_enabled()
    page.get_by_role("button", name="Discard").click()
    page.get_by_text("This change removes 36 rows.").wait_for(state="detached")


def test_project_form_edit_is_previewed_and_published(page, internal_app):
    open_tables(page, internal_app)
    page.get_by_role("tab", name="Projects").click()
    box = page.get_by_role("combobox", name="Project", exact=True)
    box.click()
    box.fill("ex-internal-1")
    page.keyboard.press("Enter")
    wait_for_rerun(page)
    # A click on the map sets the position: (30.24, 120.40) lies in 临空, where this project is.
    page.frame_locator(MAP_IFRAME).first.locator(".leaflet-overlay-pane path").first.wait_for(timeout=30_000)
    click_latlng(page, page.locator(MAP_IFRAME).first.element_handle().content_frame(), 30.24, 120.40)
    wait_for_rerun(page)
    page.get_by_label("Name (Chinese)").fill("【示例】改名后的项目")
    page.get_by_role("button", name="Preview the change").click()
    page.get_by_text("Preview: Project ex-internal-1").wait_for()
    page.get_by_text("projects: 0 added · 1 changed · 0 removed").wait_for()
    # the changed cells, old → new: the name, and the position the click set (approximate, from a small map)
    for cell in ("【示例】改名后的项目", "approximate"):
        page.get_by_text(cell, exact=True).first.wait_for(state="attached")
    assert page.get_by_text("30.24", exact=False).count() > 0
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published as version").wait_for()
    page.goto(internal_app + "/history?lang=en")
    page.get_by_text("【示例】改名后的项目").first.wait_for(state="attached")
