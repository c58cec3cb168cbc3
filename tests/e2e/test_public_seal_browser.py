"""The public demo stays sealed: a visitor who opens every page, clicks every zone, previews old versions by URL
and exports the project list never receives a non-public row, in any page, websocket frame, HTTP response,
static file or export; and the intranet's pages and the sign-in form do not exist there."""

from __future__ import annotations

import csv
import shutil

import pytest

from corpsmap.data import load_dataset
from tests.browser import ROOT, outside_requests, start_app, wait_for_map, wait_for_rerun

# Made non-public for this test, beside the seed's own internal project: one with a position on the map, one
# in 临空 beside public ones, one article project.
HIDDEN = {"ex-xh-1", "ex-lk-2", "sjc-tax-return"}


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    for path in (ROOT / "data").glob("*.csv"):
        shutil.copy(path, folder)
    with open(folder / "projects.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["project_id"] in HIDDEN:
            row["public"] = "false"
    with open(folder / "projects.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    projects = load_dataset(folder).projects
    hidden = projects[~projects["public"]]
    assert set(hidden["project_id"]) >= HIDDEN | {"ex-internal-1"}
    # Every distinctive text of a hidden row: its id, both names and both notes (each unique to that row).
    secrets = {str(v) for column in ("project_id", "name_zh", "name_en", "note_zh", "note_en")
               for v in hidden[column].dropna() if str(v) not in set(projects[projects["public"]][column].astype(str))}
    proc, base = start_app(env={"CORPSMAP_DATA_DIR": str(folder), "CORPSMAP_MODE": "public"})
    yield base, secrets, projects[projects["public"]]
    proc.terminate()
    proc.wait(timeout=10)


def _listen(page) -> list[bytes]:
    """Collect every websocket frame the page receives and every response body from the app."""
    seen: list[bytes] = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: seen.append(payload if isinstance(payload, bytes)
                                                          else payload.encode()))

    def on_response(response):
        try:
            seen.append(response.body())
        except Exception:  # redirects and aborted requests have no body
            pass

    page.on("websocket", on_socket)
    page.on("response", on_response)
    return seen


def test_no_non_public_row_reaches_a_visitor(page, sealed, tmp_path):
    base, secrets, public = sealed
    seen = _listen(page)
    page.goto(base + "/")
    frame = wait_for_map(page)
    for zone in load_dataset().zones["zone_id"]:
        page.goto(f"{base}/?zone={zone}")
        page.locator(f".st-key-panel-{zone}").wait_for(timeout=30_000)
    frame = wait_for_map(page)
    assert frame is not None
    for path in ("/indicators", "/about", "/projects", "/projects?lang=en", "/?lang=en&zone=linkong",
                 "/?version=1&zone=linkong", "/projects?project=ex-internal-1", "/projects?q=示例"):
        page.goto(base + path)
        page.get_by_role("heading").first.wait_for(timeout=30_000)
        wait_for_rerun(page, 1500)
    assert page.get_by_text("正在预览").count() == 0  # no version preview for visitors
    page.goto(base + "/projects")
    page.get_by_role("button", name="导出 CSV").wait_for(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 CSV").click()
    exported = download.value.path().read_bytes()
    seen.append(exported)
    assert len(exported.decode("utf-8-sig").splitlines()) == len(public) + 1  # every public row, no other

    # What the server keeps for browsers to fetch directly: the static folder.
    # (Files being installed by another test's server, named ".<name>.<pid>.tmp", are not served; skip them.)
    static = [p.read_bytes() for p in (ROOT / "static").rglob("*")
              if p.is_file() and not any(part.endswith(".tmp") for part in p.parts)]
    leaks = sorted({s for s in secrets for blob in [*seen, *static] if s.encode() in blob})
    assert len(seen) > 50  # the listeners did hear the session
    assert leaks == [], leaks
    assert outside_requests(page, base) == []


@pytest.mark.parametrize("path", ["/data", "/history", "/audit"])
def test_intranet_pages_and_sign_in_do_not_exist_in_public_mode(page, sealed, path):
    base, _secrets, _public = sealed
    page.goto(base + path)
    page.get_by_role("heading").first.wait_for(timeout=30_000)
    wait_for_rerun(page, 1000)
    assert page.get_by_role("heading", name="数据更新").count() == 0
    assert page.get_by_role("heading", name="版本历史").count() == 0
    assert page.get_by_role("heading", name="审计日志").count() == 0
    assert page.get_by_label("密码", exact=True).count() == 0 and page.get_by_text("登录").count() == 0
