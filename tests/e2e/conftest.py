"""Browser tests: the app served by a real Streamlit server, driven in Debian's Chromium via Playwright.

Every page fixture records the requests the page makes; `outside_requests(page)` lists those to any host
other than the app's own. A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
# As root Chromium needs --no-sandbox; the rest stop it calling Google's services from a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    """Debian's Chromium (Playwright's own browser download does not work offline)."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("No Chromium found for the browser tests. Install it with "
                    "`sudo apt-get install chromium fonts-noto-cjk`, or set CHROMIUM=/path/to/chromium.")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on a free port and wait until it answers; returns (process, base URL)."""
    port = _free_port()
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early; see {log.name}")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not start in 60 s; see {log.name}")


@pytest.fixture(scope="session")
def app_url():
    ARTIFACTS.mkdir(exist_ok=True)
    proc, base = start_app()
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.requests = []  # every URL the page asked for, frames included
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def outside_requests(page, base_url: str) -> list[str]:
    """Requests to any host but the app's own (data: and blob: URLs never leave the browser)."""
    own = urlparse(base_url).netloc
    return sorted({u for u in page.requests
                   if not u.startswith(("data:", "blob:", "about:")) and urlparse(u).netloc != own})


def wait_for_map(page, timeout: float = 30_000):
    """Wait until the zones are drawn in the map iframe; returns the iframe's Frame."""
    page.frame_locator(MAP_IFRAME).first.locator("path.leaflet-interactive").first.wait_for(timeout=timeout)
    return page.locator(MAP_IFRAME).first.element_handle().content_frame()


def click_latlng(page, frame, lat: float, lon: float) -> None:
    """A real mouse click at a geographic point of the map (Leaflet computes the pixel)."""
    x, y = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint([lat, lon]);"
                          " const r = document.getElementById('map_div').getBoundingClientRect();"
                          " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
