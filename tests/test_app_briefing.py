"""AppTest: the briefing pack's buttons on the indicators page and in a zone's panel make the PDF only when asked,
from the rows a visitor may see."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corpsmap.store import open_store
from corpsmap.ui import briefing_pack

ROOT = Path(__file__).resolve().parents[1]
INTERNAL_PROJECT = "【示例·内部】未公开洽谈项目"  # public = false in data/projects.csv

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")


def run_app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at.run()


def downloads(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def made(month: str, zone: str | None, lang: str) -> str:
    """The text of the pack the app has made for a visitor (read back from its cache: a pack not made fails)."""
    number = open_store().current_number()
    pdf = briefing_pack._pdf(number, False, month, zone, lang, None, None, None)
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return info + text


def test_indicators_page_makes_the_whole_pack_for_its_month_on_click():
    at = run_app("pages/indicators.py", month="2022-04")
    assert not at.exception and downloads(at) == []  # nothing is made until asked for
    at.button(key="briefing_corps_make").click().run()
    assert not at.exception, at.exception
    assert downloads(at) == ["下载作战简报（PDF）"]
    text = made("2022-04", None, "zh")
    assert "Pages:           10" in text and "2022年4月" in text
    assert INTERNAL_PROJECT not in text  # a visitor's pack: public rows only
    at.run()  # another rerun keeps the pack on offer
    assert downloads(at) == ["下载作战简报（PDF）"]


def test_zone_panel_makes_that_zones_pdf_in_its_language():
    at = run_app(zone="linkong", lang="en")
    assert not at.exception and downloads(at) == []
    at.button(key="briefing_linkong_make").click().run()
    assert not at.exception, at.exception
    assert downloads(at) == ["Download this zone's briefing (PDF)"]
    text = made("2022-06", "linkong", "en")
    assert "Pages:           2" in text and "Airport Economy Zone" in text
    assert "Undisclosed project" not in text
