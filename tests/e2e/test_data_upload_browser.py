"""Planners' upload in intranet mode, in Chromium: bad files are reported cell by cell and change nothing."""

import shutil

import pytest

from corpsmap.config import DATA_DIR
from corpsmap.data import TABLES
from tests.browser import outside_requests, start_app


@pytest.fixture(scope="module")
def internal_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    for table in TABLES.values():
        shutil.copy(DATA_DIR / table.file, data_dir / table.file)
    proc, base = start_app(env={"CORPSMAP_INTERNAL": "1", "CORPSMAP_DATA_DIR": str(data_dir)})
    yield base, data_dir
    proc.terminate()
    proc.wait(timeout=10)


def upload(page, name: str, content: str) -> None:
    page.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode("utf-8")}])


def test_bad_upload_is_reported_and_keeps_the_stored_file(page, internal_app):
    base, data_dir = internal_app
    page.goto(base + "/data?lang=en")
    page.get_by_text("Upload a spreadsheet").wait_for()
    stored = (data_dir / "sources.csv").read_text(encoding="utf-8")
    bad = stored.replace("research,", "article,", 1)  # two rows now share the id 'article'
    upload(page, "my-sources.csv", bad)
    page.get_by_text("my-sources.csv was not saved").wait_for()
    table = page.locator("[data-testid=stDataFrame]").last
    table.wait_for()
    assert (data_dir / "sources.csv").read_text(encoding="utf-8") == stored
    assert outside_requests(page, base) == []


def test_good_upload_is_saved_and_shown(page, internal_app):
    base, data_dir = internal_app
    page.goto(base + "/data?lang=en")
    page.get_by_text("Upload a spreadsheet").wait_for()
    text = (data_dir / "sources.csv").read_text(encoding="utf-8").replace("Illustrative demo values",
                                                                        "Illustrative demo values (rev 2)")
    upload(page, "sources.csv", text)
    page.get_by_text("Saved sources.csv: 3 rows.").wait_for()
    assert "rev 2" in (data_dir / "sources.csv").read_text(encoding="utf-8")
    page.goto(base + "/about?lang=en")
    # st.dataframe draws on a canvas; its accessible grid cells are in the DOM but hidden.
    page.get_by_text("Illustrative demo values (rev 2)").first.wait_for(state="attached")
