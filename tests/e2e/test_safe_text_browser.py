"""Names from the data are shown as text in Chromium: no link, image or formatting reaches the page."""

import shutil

import pytest

from corpsmap.config import DATA_DIR
from tests.browser import start_app

PHISH = "[Shibei](https://example.invalid/phish)"
PROJECT = "[钓鱼](https://example.invalid) **粗体** www.example.invalid"


@pytest.fixture(scope="module")
def phishing_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    shutil.copytree(DATA_DIR, data_dir, dirs_exist_ok=True)
    zones = data_dir / "zones.csv"
    zones.write_text(zones.read_text(encoding="utf-8").replace("shibei,市北,Shibei,", f'shibei,市北,"{PHISH}",'),
                     encoding="utf-8")
    projects = data_dir / "projects.csv"
    text = projects.read_text(encoding="utf-8")
    name = text.split("kj-land-eco-1,kejicheng,project,")[1].split(",")[0]
    projects.write_text(text.replace(f"kj-land-eco-1,kejicheng,project,{name},", f"kj-land-eco-1,kejicheng,project,"
                                     f'"{PROJECT}",'), encoding="utf-8")
    proc, base = start_app(env={"CORPSMAP_DATA_DIR": str(data_dir)})
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_zone_name_in_the_panel_heading_is_text(page, phishing_app):
    page.goto(phishing_app + "/map?zone=shibei&lang=en")
    heading = page.locator(".st-key-panel-shibei h3").first
    heading.wait_for(timeout=30_000)
    assert heading.inner_text().replace("\u2060", "") == PHISH
    assert page.locator("a[href*='example.invalid']").count() == 0


def test_project_name_in_the_dialog_title_is_text(page, phishing_app):
    page.goto(phishing_app + "/projects?project=kj-land-eco-1")
    dialog = page.locator("[role=dialog]").first
    dialog.wait_for(timeout=30_000)
    assert PROJECT in dialog.inner_text().replace("\u2060", "")
    assert page.locator("a[href*='example.invalid']").count() == 0
    assert dialog.locator("strong").count() == 0
