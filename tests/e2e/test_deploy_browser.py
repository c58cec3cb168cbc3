"""Two servers behind nginx (deploy/nginx/corpsmap.conf), on one store, in Chromium: a session works through
nginx, a version published through one server shows on the other, and when a visitor's server dies their next
interaction lands on the other, with the view their URL names.

The store is a throwaway PostgreSQL database when CORPSMAP_TEST_POSTGRES_URL names a server (as in CI), else a
SQLite file both servers share."""

from __future__ import annotations

import os
import re
import time
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from corpsmap import geo
from corpsmap.accounts.audit import audit_entries
from corpsmap.changes import to_csv_text
from corpsmap.data import load_dataset
from corpsmap.store import open_store
from corpsmap.ui.frame import VERSION_CHECK_SECONDS
from tests.browser import MAP_IFRAME, SESSION_SECRET, click_latlng, sign_in, wait_for_map, wait_for_rerun
from tests.deploy import start_cluster
from tests.postgres import POSTGRES_ENV, throwaway_database

POINTS = geo.label_points(geo.load_zone_shapes())
ADMIN = "planner"


@pytest.fixture(scope="module")
def cluster():
    import subprocess
    import sys
    from contextlib import ExitStack

    from tests.browser import PASSWORD, ROOT

    with ExitStack() as stack:
        admin_url = os.environ.get(POSTGRES_ENV)
        database_url = stack.enter_context(throwaway_database(admin_url)) if admin_url else None
        env = {"CORPSMAP_MODE": "intranet", "CORPSMAP_SESSION_SECRET": SESSION_SECRET}
        if database_url:  # the CLI below makes the account in the store both servers then use
            env["CORPSMAP_DATABASE_URL"] = database_url
        else:
            import tempfile

            env["CORPSMAP_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='corpsmap-store-')}/store.sqlite"
        subprocess.run([sys.executable, "-m", "corpsmap", "users", "add", ADMIN, "--role", "admin",
                        "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, cwd=ROOT,
                       env={**os.environ, **env}, capture_output=True)
        cluster = start_cluster(2, env["CORPSMAP_DATABASE_URL"], env)
        stack.callback(cluster.stop)
        yield cluster


def served_by(cluster, since: int = 0) -> set[str]:
    """The servers ("127.0.0.1:PORT") nginx passed the page's requests to, from log line `since` (nginx logs a
    websocket only when it closes, so the page's other requests tell; health checks are not the page's)."""
    answered = [line.split(" ", 2)[2].rsplit(", ", 1)[-1] for line in cluster.nginx.access_log()[since:]
                if not line.startswith("/_stcore/health")]  # the last server tried is the one that answered
    return {server for server in answered if server != "-"}


def test_a_session_works_through_nginx(cluster, page):
    page.goto(cluster.url + "/?zone=linkong&lang=en")
    frame = wait_for_map(page)
    expect(page.locator(".st-key-panel-linkong .zone-facts")).to_be_visible(timeout=30_000)
    click_latlng(page, frame, *POINTS["kejicheng"])
    expect(page.locator(".st-key-panel-kejicheng .zone-facts")).to_be_visible(timeout=30_000)
    assert "zone=kejicheng" in page.url
    # Sticky: the visitor got nginx's routing cookie, and one server holds their session.
    assert any(c["name"] == "corpsmap_route" for c in page.context.cookies())
    assert len(served_by(cluster)) == 1
    # Leaflet and the base-map geodata come from nginx, cacheable; the app's health check answers through it.
    leaflet = page.request.get(cluster.url + "/app/static/vendor/leaflet/leaflet.js")
    assert leaflet.ok and leaflet.headers["server"].startswith("nginx") and "public" in leaflet.headers["cache-control"]
    geo_urls = [u for u in page.requests if "/app/static/geo/" in u]
    assert geo_urls
    layer = page.request.get(geo_urls[0], headers={"Accept-Encoding": "gzip"})
    assert layer.ok and "immutable" in layer.headers["cache-control"]
    with urllib.request.urlopen(cluster.url + "/_stcore/health", timeout=5) as r:
        assert r.status == 200 and r.read() == b"ok"
    assert page.get_by_text("Traceback").count() == 0


def test_over_https_the_site_speaks_http2_and_the_sign_in_cookie_is_secure(cluster, browser):
    # HTTP/2 is what makes a phone's first visit fast (docs/performance.md); browsers use it only over TLS.
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN", ignore_https_errors=True)
    page = context.new_page()
    try:
        page.goto(cluster.nginx.tls_url + "/?zone=linkong")
        frame = wait_for_map(page)
        expect(page.locator(".st-key-panel-linkong .zone-facts")).to_be_visible(timeout=30_000)
        click_latlng(page, frame, *POINTS["kejicheng"])
        expect(page.locator(".st-key-panel-kejicheng .zone-facts")).to_be_visible(timeout=30_000)
        protocols = page.evaluate("() => [...new Set(performance.getEntriesByType('resource')"
                                  ".filter((e) => e.name.includes('/static/')).map((e) => e.nextHopProtocol))]")
        assert protocols == ["h2"]
        sign_in(page, ADMIN)
        session = next(c for c in context.cookies() if c["name"] == "corpsmap_session")
        assert session["secure"]  # set by the page with "; Secure" when it was loaded over https
        # The audit log has the browser's address as nginx saw it (X-Forwarded-For), not an empty one.
        store = open_store(cluster.database_url)
        try:
            (entry, *_) = audit_entries(store, actor=ADMIN, action="login_ok")
        finally:
            store.engine.dispose()
        assert entry.client == "127.0.0.1"
    finally:
        context.close()


def publish_sources_change(page, base: str, marker: str) -> None:
    """Signed in as the admin on the server at `base`: replace the sources table with one changed row, publish."""
    page.goto(base + "/?lang=en")
    sign_in(page, ADMIN, lang="en")
    page.goto(base + "/data?lang=en")
    page.get_by_role("tab", name="Tables").click()
    page.get_by_text("Upload a replacement for").locator("visible=true").wait_for()
    text = to_csv_text("sources", load_dataset().sources).replace("Illustrative demo values",
                                                                  f"Illustrative demo values ({marker})")
    uploader = page.locator("[data-testid=stFileUploader]").filter(has_text="Upload a replacement for")
    uploader.locator("input[type=file]").set_input_files(
        files=[{"name": "sources.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    page.get_by_text("sources: 0 added · 1 changed · 0 removed").wait_for(timeout=30_000)
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published as version 2.").wait_for(timeout=30_000)


def test_a_version_published_through_one_server_is_shown_by_the_other(cluster, page, browser):
    (_, first), (_, second) = cluster.servers
    visitor = browser.new_page()
    try:
        visitor.goto(second + "/about?lang=en")  # open on the second server before the publish
        visitor.get_by_text("Data as of Jun 2022 · version 1").wait_for(timeout=30_000)
        publish_sources_change(page, first, "published on the first server")
        published = time.monotonic()
        # Each server looks for a newer version at most every VERSION_CHECK_SECONDS: a page loaded on the
        # second server after that (plus a second for the clocks) shows the new version.
        visitor.wait_for_timeout(max(0.0, published + VERSION_CHECK_SECONDS + 1 - time.monotonic()) * 1000)
        visitor.reload()
        line = visitor.get_by_text(re.compile(r"Data as of Jun 2022 · version \d+")).first
        line.wait_for(timeout=30_000)
        assert "version 2" in line.inner_text()
    finally:
        visitor.close()


def test_when_a_visitors_server_dies_the_next_interaction_lands_on_the_other_with_their_view(cluster, page):
    view = "/?zone=linkong&lang=en&color=status&ind=investment&month=2022-03"
    mark = len(cluster.nginx.access_log())
    page.goto(cluster.url + view)
    wait_for_map(page)
    expect(page.locator(".st-key-panel-linkong .zone-facts")).to_be_visible(timeout=30_000)
    (own,) = served_by(cluster, mark)
    victim = next(proc for proc, base in cluster.servers if base.endswith(":" + own.rsplit(":", 1)[1]))
    victim.kill()
    victim.wait(timeout=10)
    mark = len(cluster.nginx.access_log())

    # The page notices, reconnects through nginx (which skips the dead server) and reruns on the other server
    # with its URL and widget values; the next click is then answered there.
    deadline = time.monotonic() + 60
    while not served_by(cluster, mark):
        assert time.monotonic() < deadline, "the page did not reconnect"
        page.wait_for_timeout(200)
    try:  # the rerun the reconnect asks for (corpsmap/ui/failover.py), unless it is over already
        page.locator("[data-testid=stStatusWidget]").wait_for(timeout=10_000)
    except PlaywrightTimeout:
        pass
    wait_for_rerun(page)
    (survivor,) = served_by(cluster, mark)
    assert survivor != own
    click_latlng(page, wait_for_map(page), *POINTS["kejicheng"])
    expect(page.locator(".st-key-panel-kejicheng .zone-facts")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Science & Technology City")).to_be_visible()
    for part in ("zone=kejicheng", "lang=en", "color=status", "ind=investment", "month=2022-03"):
        assert part in page.url, page.url

    # A reload (a new session, on the surviving server) rebuilds the same view from the URL alone.
    page.reload()
    expect(page.locator(".st-key-panel-kejicheng .zone-facts")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Science & Technology City")).to_be_visible()
    expect(page.frame_locator(MAP_IFRAME).first.locator(".corps-legend")).to_contain_text("Investment")
    expect(page.frame_locator(MAP_IFRAME).first.locator(".corps-legend")).to_contain_text("2022-03")
    assert served_by(cluster, mark) == {survivor}
