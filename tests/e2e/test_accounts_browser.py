"""Accounts in Chromium: a 临空 zone editor reports July and submits it, an admin publishes it, a visitor's map
shows July, and the audit log has every step; a refresh keeps a sign-in, sign-out ends it, and five wrong
passwords throttle the account."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.browser import PASSWORD, outside_requests, sign_in, start_intranet_app
from tests.e2e.conftest import recording_page
from tests.e2e.test_report_browser import _fill


@pytest.fixture(scope="module")
def intranet():
    proc, base = start_intranet_app({"li": ("zone_editor", ["linkong"]), "boss": ("admin", []),
                                     "leader": ("viewer", [])})
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_editor_submits_admin_publishes_visitor_sees_july_and_the_audit_has_it(browser, intranet, tmp_path):
    base = intranet
    editor = recording_page(browser, accept_downloads=True)
    editor.goto(base + "/")
    sign_in(editor, "li")
    editor.goto(base + "/data")
    editor.get_by_text("下载某兵团某月的报送模板").wait_for()
    zone = editor.get_by_role("combobox", name="兵团")
    zone.click()
    assert [o.inner_text() for o in editor.get_by_role("option").all()] == ["临空"]  # their zone only
    editor.keyboard.press("Escape")
    with editor.expect_download() as download:
        editor.get_by_role("button", name="下载报送模板").click()
    filled = tmp_path / "report-linkong-2022-07.xlsx"
    filled.write_bytes(_fill(download.value.path().read_bytes()))
    editor.locator("[data-testid=stFileUploader]").filter(has_text="上传填好的模板") \
        .locator("input[type=file]").set_input_files(str(filled))
    editor.get_by_text("预览：").first.wait_for(timeout=30_000)
    assert editor.get_by_role("button", name="发布", exact=True).count() == 0  # editors submit, never publish
    editor.get_by_role("button", name="提交审核").click()
    editor.get_by_text("已提交（第 1 号），等待管理员发布。").wait_for(timeout=30_000)
    editor.screenshot(path=str(tmp_path / "submitted.png"), full_page=True)

    visitor = recording_page(browser)
    visitor.goto(base + "/?zone=linkong")
    visitor.get_by_text("数据截至 2022年6月 · 第 1 版").wait_for(timeout=30_000)  # not published yet

    admin = recording_page(browser, accept_downloads=True)
    admin.goto(base + "/")
    sign_in(admin, "boss")
    admin.goto(base + "/data")
    admin.get_by_role("tab", name="待发布").click()
    waiting = admin.locator("[data-testid=stDataFrame]").filter(has_text="li").first
    waiting.wait_for(timeout=30_000)
    # The admin sees the same preview the editor saw: 临空's industrial growth turns from behind to on target.
    moved = admin.locator("table.lights tr.moved").filter(has_text="临空").filter(has_text="规上工业增加值增速")
    moved.first.wait_for(timeout=30_000)
    assert "略低于序时 → 达到序时" in moved.first.inner_text()
    admin.get_by_role("button", name="发布", exact=True).last.click()
    admin.get_by_text("已发布为第 2 版。").wait_for(timeout=30_000)
    admin.screenshot(path=str(tmp_path / "published.png"), full_page=True)

    visitor.goto(base + "/?zone=linkong")
    visitor.get_by_text("数据截至 2022年7月 · 第 2 版").wait_for(timeout=30_000)
    visitor.locator(".st-key-panel-linkong").get_by_text("2022年7月").first.wait_for()
    assert visitor.get_by_label("用户名").count() == 1  # still a visitor: the sign-in form is offered

    admin.goto(base + "/history")
    admin.get_by_text("li").first.wait_for()
    admin.goto(base + "/audit")
    table = admin.locator("[data-testid=stDataFrame]").first
    table.wait_for(timeout=30_000)
    admin.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
    with admin.expect_download() as download:
        admin.get_by_role("button", name="导出 CSV").click()
    audit = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(audit)))[1:]
    steps = [(r[2], r[4], r[5]) for r in reversed(rows)]  # actor, action, outcome; oldest first
    for step in [("li", "login_ok", "ok"), ("li", "download_template", "ok"), ("li", "upload", "ok"),
                 ("li", "submit", "ok"), ("boss", "login_ok", "ok"), ("boss", "publish", "ok")]:
        assert step in steps, (step, steps)
    assert steps.index(("li", "submit", "ok")) < steps.index(("boss", "publish", "ok"))
    published = next(r for r in rows if r[4] == "publish")
    assert published[6] == "2" and published[7] == "linkong" and published[8] == "2022-07"
    for page in (editor, visitor, admin):
        assert outside_requests(page, base) == []
        page.context.close()


def test_a_refresh_keeps_the_sign_in_and_sign_out_ends_it(page, intranet):
    page.goto(intranet + "/")
    sign_in(page, "leader")
    page.reload()
    page.get_by_text("已登录：leader（查看）").wait_for(timeout=30_000)
    page.goto(intranet + "/history")
    page.get_by_role("heading", name="版本历史").wait_for()
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=30_000)
    assert not [c for c in page.context.cookies() if c["name"] == "corpsmap_session"]
    page.reload()
    page.get_by_label("用户名").wait_for(timeout=30_000)
    page.goto(intranet + "/history")  # gone with the sign-in: the map instead, with Streamlit's notice
    page.get_by_label("用户名").wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="版本历史").count() == 0


def test_five_wrong_passwords_throttle_the_account_and_say_nothing_about_it(page, intranet):
    # Last in this module: from here on the client (127.0.0.1) is throttled for every account of this server.
    page.goto(intranet + "/")

    def attempt(name: str, password: str) -> None:
        page.get_by_label("用户名", exact=True).fill(name)
        field = page.get_by_label("密码", exact=True)
        field.fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(field).to_have_value("", timeout=30_000)  # emptied by the server: this attempt was handled

    for _ in range(5):
        attempt("boss", "not the password")
        page.get_by_text("用户名或密码错误。").wait_for(timeout=30_000)
    attempt("boss", PASSWORD)  # the right one, too late
    page.get_by_text("登录失败次数过多").wait_for(timeout=30_000)
    assert page.get_by_text("已登录：").count() == 0
