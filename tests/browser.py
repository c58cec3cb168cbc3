"""Shared by the browser tests and the benchmarks: start the app, launch Chromium, click the map."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
# As root Chromium needs --no-sandbox; the rest stop it calling Google's services from a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    """Debian's Chromium (Playwright's own browser download does not work offline); fails loudly if absent."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("No Chromium found for the browser tests. Install it with "
                    "`sudo apt-get install chromium fonts-noto-cjk`, or set CHROMIUM=/path/to/chromium.")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict[str, str] | None = None, script: str = "app.py", cwd: Path = ROOT
              ) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run <script>` on a free port and wait until it answers; returns (process, base URL).

    `cwd` is the checkout to run (the load benchmark runs a baseline from a git worktree).

    Unless `env` names a database, the server gets a new, empty SQLite store (seeded from data/ or
    CORPSMAP_DATA_DIR at its start), so no two servers of a test run share their data.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    env = dict(env or {})
    if "CORPSMAP_DATABASE_URL" not in env:
        env["CORPSMAP_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='corpsmap-store-')}/store.sqlite"
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")  # closed when the process ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
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


PASSWORD = "a good long password for tests"
SESSION_SECRET = "browser-test-session-secret-0123456789abcdef"


def start_intranet_app(users: dict[str, tuple[str, list[str]]], env: dict[str, str] | None = None
                       ) -> tuple[subprocess.Popen, str]:
    """An intranet server (CORPSMAP_MODE=intranet) on a new store holding `users` ({name: (role, zones)}), each
    with the password PASSWORD, created as an admin would: with the command line."""
    env = dict(env or {})
    env.setdefault("CORPSMAP_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='corpsmap-store-')}/store.sqlite")
    env.update(CORPSMAP_MODE="intranet", CORPSMAP_SESSION_SECRET=SESSION_SECRET)
    for name, (role, zones) in users.items():
        zone_args = [arg for zone in zones for arg in ("--zone", zone)]
        subprocess.run([sys.executable, "-m", "corpsmap", "users", "add", name, "--role", role, *zone_args,
                        "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, cwd=ROOT,
                       env={**os.environ, **env}, capture_output=True)
    return start_app(env)


def sign_in(page, username: str, password: str = PASSWORD, lang: str = "zh") -> None:
    """Sign in with the sidebar's form and wait until the sidebar says who is signed in."""
    zh = lang == "zh"
    page.get_by_label("用户名" if zh else "Username", exact=True).fill(username)
    page.get_by_label("密码" if zh else "Password", exact=True).fill(password)
    page.get_by_role("button", name="登录" if zh else "Sign in", exact=True).click()
    page.get_by_text(("已登录：" if zh else "Signed in: ") + username).wait_for(timeout=30_000)


def roll_back(page, base: str, number: int) -> None:
    """On the history page (signed in as an admin), roll back to version `number` (Chinese UI)."""
    page.goto(base + "/history")
    page.get_by_role("combobox", name="查看版本").click()
    page.get_by_role("option", name=f"第 {number} 版").click()
    wait_for_rerun(page)
    page.get_by_role("button", name=f"回滚到第 {number} 版").click()


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


def wait_for_rerun(page, settle_ms: int = 500) -> None:
    """After a widget change: wait until Streamlit shows no 'running' status, then let the page settle."""
    page.wait_for_timeout(150)  # the status widget appears only once the rerun request has been sent
    page.locator("[data-testid=stStatusWidget]").wait_for(state="detached", timeout=30_000)
    page.wait_for_timeout(settle_ms)
