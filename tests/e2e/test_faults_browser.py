"""Faults a visitor may meet, in Chromium: a clear message, never a traceback or a server path."""

import tomllib

from corpsmap.config import ROOT
from tests.browser import start_app


def test_an_unreachable_store_gives_a_short_message(page):
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    proc, base = start_app(env={"CORPSMAP_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    try:
        page.goto(base + "/")
        page.get_by_text("数据库暂时无法连接，请稍后再试或联系管理员。").wait_for(timeout=30_000)
        shown = page.locator("body").inner_text()
        assert "Traceback" not in shown and str(ROOT) not in shown and "psycopg" not in shown
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_uncaught_errors_show_no_details_in_the_browser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
