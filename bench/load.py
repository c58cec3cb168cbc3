"""Many viewers: N concurrent sessions against one server (or several behind nginx), through Streamlit's own
websocket protocol, with a few real Chromium sessions beside them to check that a person sees the same.

`.venv/bin/python bench/load.py` (N = 1, 10, 30, 50, 100; ~25 min) or `--quick` (N = 1, 10; ~3 min). Each N
gets a fresh server; the figures go to the `load` section of docs/performance.md (`--no-write` to leave it).

* **A websocket session** is what a browser tab says to the server, with no rendering: an HTTP GET of the page
  and of `/_stcore/host-config`, then `/_stcore/stream` with the `streamlit` subprotocol, a `rerun_script`
  BackMsg for the page, and then zone clicks: a `rerun_script` for the map's fragment (the `fragment_id` of
  the map's deltas) carrying the st_folium component's value `{"last_active_drawing": <the zone's GeoJSON
  feature>}`, exactly what the map's click handler sends (`corpsmap.mapview._INSTANT_SELECT`). Like the
  browser it keeps the hashes of cacheable messages and sends them (`cached_message_hashes`), so the server
  refers to messages the session already holds instead of sending them again.
* **Load time**: from the GET of the page to the script's `script_finished`; the map's delta (the component)
  is noted on the way.
* **Click → panel**: from sending the click to the moment both the new panel's delta (`data-zone='<zone>'`,
  the zone facts the panel writes first) and `page_info_changed` with `zone=<zone>` have arrived; the
  fragment's `script_finished` is noted too (click → done).
* **Think time** 8–12 s (uniform) between a session's clicks, each click on another zone. Sessions arrive
  spread over `--ramp` seconds; clicks are counted in the steady window that opens once every session has
  its page and lasts `--duration` seconds. A click left unanswered for 60 s counts as failed.
* **Server CPU per click**: the server processes' CPU time (utime + stime from /proc/<pid>/stat) over the
  steady window divided by the clicks answered in it (websocket and browser clicks). **Memory**: VmRSS from
  /proc/<pid>/status at start, after the loads, at the end of the window, right after every session closed,
  and after the sessions have expired (the bench server keeps a disconnected session for 20 s, not the
  default 120 s, `server.disconnectedSessionTTL`; one more short visit then lets it drop them, since its
  session store expires entries when touched).
* **Chromium sessions** (`--browsers`, Debian's Chromium through Playwright, `tests.browser.CHROMIUM_ARGS`)
  open the page, then click zones with the same think time, timed in the page as bench/map_click.py does
  (pointer-down in the map → the frame that paints the new panel).
* Everything targets loopback only; the loops are bounded by `--duration` and per-request timeouts. The client
  shares the machine's CPUs with the server: its own CPU time is reported too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/load.py`: only bench/ is on the path
    sys.path.insert(0, str(ROOT))

import report  # noqa: E402  (bench/ is on sys.path)
import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

RAW = ROOT / "test-artifacts" / "bench-load.json"
START, END = "<!-- load:start -->", "<!-- load:end -->"
FULL_NS = (1, 10, 30, 50, 100)
QUICK_NS = (1, 10)
THINK_S = (8.0, 12.0)
CLICK_TIMEOUT_S = 60.0
LOAD_TIMEOUT_S = 180.0
SESSION_TTL_S = 20  # the bench server's server.disconnectedSessionTTL (default 120 s)
CLK_TCK = os.sysconf("SC_CLK_TCK")
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


def zone_features() -> dict[str, dict]:
    """Each zone's GeoJSON feature as Leaflet's `layer.toGeoJSON()` gives it to the click handler."""
    from corpsmap import geo, mapview
    from corpsmap.data import load_dataset

    data = load_dataset()
    shapes = geo.load_zone_shapes()
    features = json.loads(mapview.zone_features(shapes, data.zones, data.platforms, "zh")
                          [["zone_id", "boundary", "tooltip", "geometry"]].to_json())["features"]
    return {f["properties"]["zone_id"]: {"type": "Feature", "properties": f["properties"],
                                         "geometry": f["geometry"]} for f in features}


# --- the server's side: CPU and memory from /proc ----------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLK_TCK


def rss_mib(pids: list[int]) -> float:
    """VmRSS of the processes, in MiB."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


# --- one websocket session -----------------------------------------------------------------------------------


@dataclass
class ClickSample:
    zone: str
    at: float  # monotonic time the click was sent
    panel_s: float | None  # None: not answered within CLICK_TIMEOUT_S
    done_s: float | None
    bytes_in: int


class WsSession:
    """One viewer's tab as the server sees it: page load, then zone clicks on the map's fragment."""

    # Content of cacheable messages by hash, shared by all sessions (content-addressed): a reference the
    # server sends instead of a message the session already holds is looked up here.
    cached: ClassVar[dict[str, bytes]] = {}

    def __init__(self, base: str, cookie: str | None = None):
        self.base = base
        self.cookie = cookie
        self.ws = None
        self.hashes: set[str] = set()
        self.page_hash = ""
        self.query = ""
        self.map_fragment = ""
        self.map_widget = ""
        self.bytes_in = 0
        self._waiter: tuple[str, asyncio.Future] | None = None  # (zone or "", future)
        self._panel = self._info = False
        self._marker = b""
        self._reader: asyncio.Task | None = None
        self.map_s: float | None = None

    def _headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}

    def _http_get(self, path: str) -> None:
        req = urllib.request.Request(self.base + path, headers=self._headers())
        with urllib.request.urlopen(req, timeout=LOAD_TIMEOUT_S) as r:
            r.read()

    async def load(self) -> float:
        """GET the page, open the websocket, run the page; seconds until its script finished."""
        t0 = time.monotonic()
        await asyncio.to_thread(self._http_get, "/")
        await asyncio.to_thread(self._http_get, "/_stcore/host-config")
        url = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                           additional_headers=self._headers(), open_timeout=LOAD_TIMEOUT_S,
                                           ping_interval=None, compression=None)
        self._reader = asyncio.create_task(self._read())
        done = self._expect("")
        await self._send_rerun(fragment="", widgets=None)
        await asyncio.wait_for(done, LOAD_TIMEOUT_S)
        if not self.map_widget:
            raise RuntimeError("the page has no map component")
        elapsed = time.monotonic() - t0
        self.map_s = None if self.map_s is None else self.map_s - t0
        return elapsed

    async def click(self, zone: str, feature: dict) -> ClickSample:
        """Click `zone` on the map as the browser reports it; times to the panel and to the fragment's end."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=self.map_widget, json_value=json.dumps({"last_active_drawing": feature}))
        bytes_before = self.bytes_in
        panel_at: list[float] = []
        t0 = time.monotonic()
        done = self._expect(zone, on_panel=lambda: panel_at.append(time.monotonic()))
        await self._send_rerun(fragment=self.map_fragment, widgets=[state])
        try:
            await asyncio.wait_for(done, CLICK_TIMEOUT_S)
        except TimeoutError:
            self._waiter = None
            return ClickSample(zone, t0, None, None, self.bytes_in - bytes_before)
        end = time.monotonic()
        return ClickSample(zone, t0, (panel_at[0] if panel_at else end) - t0, end - t0, self.bytes_in - bytes_before)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()

    # Waiting for an answer: the script's (or fragment's) end; for a click also the panel and the URL.

    def _expect(self, zone: str, on_panel=None) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiter = (zone, future)
        self._panel = self._info = not zone
        self._marker = f"data-zone='{zone}'".encode()
        self._on_panel = on_panel
        return future

    async def _send_rerun(self, fragment: str, widgets) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        state.fragment_id = fragment
        state.cached_message_hashes.extend(sorted(self.hashes))
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.timezone_offset = -480
        state.context_info.locale = "zh-CN"
        state.context_info.url = self.base + "/" + (f"?{self.query}" if self.query else "")
        if widgets:
            state.widget_states.widgets.extend(widgets)
        await self.ws.send(msg.SerializeToString())

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.bytes_in += len(data)
                self._handle(data)
        except websockets.ConnectionClosed:
            pass

    def _handle(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            content = self.cached.get(msg.ref_hash)
            if content is None:
                return
            data = content
            msg = ForwardMsg()
            msg.ParseFromString(content)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self.cached.setdefault(msg.hash, data)
            self.hashes.add(msg.hash)
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
            if self._waiter and self._waiter[0] and f"zone={self._waiter[0]}" in self.query.split("&"):
                self._info = True
        elif kind == "delta":
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                element = delta.new_element
                if element.WhichOneof("type") == "component_instance" and \
                        "st_folium" in element.component_instance.component_name:
                    self.map_widget = element.component_instance.id
                    self.map_fragment = delta.fragment_id
                    if self.map_s is None:
                        self.map_s = time.monotonic()
            if self._waiter and not self._panel and self._marker in data:
                self._panel = True
                if self._on_panel:
                    self._on_panel()
        elif kind == "script_finished":
            if self._waiter and msg.script_finished in FINISHED:
                zone, future = self._waiter
                if not future.done():
                    if not (self._panel and self._info):
                        future.set_exception(RuntimeError(f"run ended without the panel of {zone!r}"))
                    else:
                        future.set_result(None)
                self._waiter = None


# --- a run: N websocket sessions and a few browsers ----------------------------------------------------------


@dataclass
class BrowserClick:
    zone: str
    at: float
    panel_s: float


@dataclass
class Run:
    """One N: what the sessions saw and what the server spent."""

    n: int
    servers: int
    browsers: int
    duration_s: float
    loads_s: list[float] = field(default_factory=list)
    map_s: list[float] = field(default_factory=list)
    load_failures: int = 0
    clicks: list[ClickSample] = field(default_factory=list)
    failed_clicks: int = 0
    browser_loads_s: list[float] = field(default_factory=list)
    browser_clicks: list[BrowserClick] = field(default_factory=list)
    browser_errors: list[str] = field(default_factory=list)
    window_s: float = 0.0
    churn_loads_s: list[float] = field(default_factory=list)  # sessions that replaced one that left (--churn)
    rss_series: list[tuple[float, float]] = field(default_factory=list)  # (s into the window, MiB)
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    rss_mib: dict[str, float] = field(default_factory=dict)
    load_avg: dict[str, str] = field(default_factory=dict)


def _load_avg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def browser_sessions(base: str, count: int, features: dict[str, dict], stop: threading.Event,
                     loaded: threading.Event, run: Run) -> None:
    """`count` Chromium pages (one browser, a context each) load the map, then click zones with think time
    until `stop`; times taken in the page by bench/map_click.py's probes."""
    import map_click
    from playwright.sync_api import sync_playwright

    from corpsmap import geo
    from tests.browser import CHROMIUM_ARGS, chromium_path

    points = geo.label_points(geo.load_zone_shapes())
    rng = random.Random(7)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            pages = []
            for _ in range(count):
                _context, page, meter = map_click.new_page(browser)
                t0 = time.monotonic()
                try:
                    page.goto(base + "/", timeout=LOAD_TIMEOUT_S * 1000)
                    page.locator(".st-key-panel-corps").wait_for(timeout=LOAD_TIMEOUT_S * 1000)
                    map_click.settle(page, meter, timeout_s=LOAD_TIMEOUT_S)
                except Exception as exc:  # a page that never loads is reported, and the others go on
                    run.browser_errors.append(f"load: {type(exc).__name__}: {str(exc)[:200]}")
                    continue
                run.browser_loads_s.append(time.monotonic() - t0)
                pages.append([page, meter, None, time.monotonic() + rng.uniform(*THINK_S)])
            loaded.set()
            while not stop.is_set():
                for entry in pages:
                    page, meter, current, due = entry
                    if stop.is_set() or time.monotonic() < due:
                        continue
                    zone = rng.choice([z for z in features if z != current])
                    at = time.monotonic()
                    try:
                        c = map_click.measure_click(page, meter, "load", 0, zone, points[zone])
                        run.browser_clicks.append(BrowserClick(zone, at, c.panel_ms / 1000))
                    except Exception as exc:
                        run.browser_errors.append(f"{zone}: {type(exc).__name__}: {str(exc)[:200]}")
                    entry[2], entry[3] = zone, time.monotonic() + rng.uniform(*THINK_S)
                stop.wait(0.2)
        finally:
            loaded.set()
            browser.close()


async def drive(bases: list[str], pids: list[int], n: int, browsers: int, duration: float, ramp: float,
                features: dict[str, dict], log=print, cookies: bool = False, churn: float = 0) -> Run:
    """N websocket sessions (spread over `ramp` s, across `bases` in turn) and `browsers` Chromium pages."""
    run = Run(n=n, servers=len(pids), browsers=browsers, duration_s=duration)
    run.rss_mib["start"] = rss_mib(pids)
    run.load_avg["start"] = _load_avg()
    rng = random.Random(n)
    zones = list(features)
    sessions = [WsSession(bases[i % len(bases)], f"corpsmap_route={uuid.uuid4().hex}" if cookies else None)
                for i in range(n)]
    loaded = asyncio.Event()
    pending = [n]
    window: dict[str, float] = {}
    stop, browsers_loaded = threading.Event(), threading.Event()

    async def viewer(i: int, s: WsSession) -> None:
        await asyncio.sleep(ramp * i / max(n, 1))
        try:
            run.loads_s.append(await s.load())
            if s.map_s is not None:
                run.map_s.append(s.map_s)
        except Exception as exc:
            run.load_failures += 1
            log(f"  load failed: {type(exc).__name__}: {str(exc)[:200]}")
            return
        finally:
            pending[0] -= 1
            if pending[0] == 0:
                loaded.set()
        current, opened = None, time.monotonic()
        while True:
            await asyncio.sleep(rng.uniform(*THINK_S))
            if "end" in window and time.monotonic() >= window["end"]:
                return
            if churn and time.monotonic() - opened > churn:  # the viewer leaves; a new one arrives
                await s.close()
                s = WsSession(s.base, f"corpsmap_route={uuid.uuid4().hex}" if cookies else None)
                sessions.append(s)
                try:
                    run.churn_loads_s.append(await s.load())
                except Exception as exc:
                    run.load_failures += 1
                    log(f"  load failed: {type(exc).__name__}: {str(exc)[:200]}")
                    return
                current, opened = None, time.monotonic()
                continue
            zone = rng.choice([z for z in zones if z != current])
            try:
                sample = await s.click(zone, features[zone])
            except Exception as exc:
                log(f"  click failed: {type(exc).__name__}: {str(exc)[:200]}")
                sample = ClickSample(zone, time.monotonic(), None, None, 0)
            current = zone
            if "start" in window and window["start"] <= sample.at < window.get("end", float("inf")):
                if sample.panel_s is None:
                    run.failed_clicks += 1
                else:
                    run.clicks.append(sample)

    browser_thread = None
    if browsers:
        browser_thread = threading.Thread(target=browser_sessions, args=(bases[0], browsers, features, stop,
                                                                 browsers_loaded, run),
                                          daemon=True)
        browser_thread.start()
    tasks = [asyncio.create_task(viewer(i, s)) for i, s in enumerate(sessions)]
    await asyncio.wait_for(loaded.wait(), ramp + LOAD_TIMEOUT_S + 30)
    if browsers:
        await asyncio.to_thread(browsers_loaded.wait, LOAD_TIMEOUT_S * browsers)
    # The steady window opens once every websocket session has its page (browsers load in their own time).
    run.rss_mib["after_loads"] = rss_mib(pids)
    cpu0, client0 = cpu_seconds(pids), time.process_time()
    window["start"] = time.monotonic()
    window["end"] = window["start"] + duration
    log(f"  N={n}: all loaded (load p50 {_p(run.loads_s, 50)}, p95 {_p(run.loads_s, 95)}); "
        f"clicking for {duration:.0f} s")
    while time.monotonic() < window["end"]:
        run.rss_series.append((time.monotonic() - window["start"], rss_mib(pids)))
        await asyncio.sleep(min(30.0, max(window["end"] - time.monotonic(), 0)))
    run.window_s = time.monotonic() - window["start"]
    run.server_cpu_s = cpu_seconds(pids) - cpu0
    run.client_cpu_s = time.process_time() - client0
    run.rss_mib["end_of_window"] = rss_mib(pids)
    run.load_avg["end"] = _load_avg()
    stop.set()
    # Clicks in flight when the window closed finish (bounded by CLICK_TIMEOUT_S) but are not counted.
    await asyncio.wait(tasks, timeout=THINK_S[1] + CLICK_TIMEOUT_S + 5)
    for task in tasks:
        task.cancel()
    if browser_thread is not None:
        await asyncio.to_thread(browser_thread.join, 120)
    run.browser_clicks = [c for c in run.browser_clicks if window["start"] <= c.at < window["end"]]
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    await asyncio.sleep(2)
    run.rss_mib["closed"] = rss_mib(pids)
    return run


def _p(values: list[float], pct: int) -> str:
    if not values:
        return "–"
    v = statistics.median(values) if pct == 50 else report.p95(values)
    return f"{v:.2f} s"


# --- servers -------------------------------------------------------------------------------------------------


def bench_env(gc: bool | None = None) -> dict[str, str]:
    env = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
           "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(SESSION_TTL_S)}
    if gc is not None:
        env["STREAMLIT_RUNNER_POST_SCRIPT_GC"] = "true" if gc else "false"
    return env


def after_expiry(bases: list[str], pids: list[int]) -> float:
    """RSS once closed sessions have expired: wait past their TTL, then one short visit per server (the
    session store drops expired sessions when it is next touched)."""
    time.sleep(SESSION_TTL_S + 10)

    async def visit(base: str) -> None:
        s = WsSession(base)
        await s.load()
        await s.close()

    for base in bases:
        asyncio.run(visit(base))
    time.sleep(2)
    return rss_mib(pids)


def start_servers(count: int, app_dir: Path, env: dict[str, str]):
    """`count` servers of the app in `app_dir` on one new SQLite store; with more than one, nginx in front
    (tests/deploy.py). Returns (base URLs the sessions use, each server's (process, URL), nginx or None)."""
    import tempfile

    from tests.browser import start_app

    env = {**env, "CORPSMAP_DATABASE_URL": f"sqlite:///{tempfile.mkdtemp(prefix='corpsmap-load-')}/store.sqlite"}
    if count > 1:  # as deploy/systemd/corpsmap-prepare.service: migrated and seeded once, before the servers
        from tests.deploy import prepare_store

        prepare_store(env["CORPSMAP_DATABASE_URL"], env)
    servers = [start_app(env=env, cwd=app_dir) for _ in range(count)]
    if count == 1:
        return [servers[0][1]], servers, None
    from tests.deploy import start_nginx

    nginx = start_nginx([base for _, base in servers], static_dir=app_dir / "static")
    return [nginx.url], servers, nginx


def stop_servers(servers, nginx) -> None:
    if nginx is not None:
        nginx.stop()
    for proc, _ in servers:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except Exception:
            proc.kill()
            proc.wait()


def measure(ns: tuple[int, ...], duration: float, ramp: float, browsers: int, servers: int,
            app_dir: Path = ROOT, gc: bool | None = None, log=print, churn: float = 0) -> list[Run]:
    """For each N: fresh servers (one, or `servers` behind nginx), warmed by one session, then one run."""
    features = zone_features()
    runs = []
    for n in ns:
        bases, procs, nginx = start_servers(servers, app_dir, bench_env(gc))
        try:
            pids = [p.pid for p, _ in procs]
            fresh = rss_mib(pids)
            for _, base in procs:  # every server's caches warm before the run: not counted
                asyncio.run(_warm(base, features))
            log(f"N={n}: {servers} server(s), {browsers} browser(s)")
            run = asyncio.run(drive(bases, pids, n, browsers, duration, ramp, features, log,
                                    cookies=nginx is not None, churn=churn))
            run.rss_mib = {"fresh": fresh, **run.rss_mib,
                           "expired": after_expiry([b for _, b in procs], pids)}
            runs.append(run)
            log("  " + _line(run))
        finally:
            stop_servers(procs, nginx)
    return runs


async def _warm(base: str, features: dict[str, dict]) -> None:
    """One session loads the page and clicks every zone: the server's caches are warm before a run."""
    s = WsSession(base)
    await s.load()
    for zone, feature in features.items():
        await s.click(zone, feature)
    await s.close()


# --- the report ----------------------------------------------------------------------------------------------


def stats(run: Run) -> dict[str, float | None]:
    panel = [c.panel_s for c in run.clicks if c.panel_s is not None]
    done = [c.done_s for c in run.clicks if c.done_s is not None]
    answered = len(panel) + len(run.browser_clicks)
    med = statistics.median
    return {
        "load_p50": med(run.loads_s) if run.loads_s else None,
        "load_p95": report.p95(run.loads_s) if run.loads_s else None,
        "panel_p50": med(panel) if panel else None,
        "panel_p95": report.p95(panel) if panel else None,
        "done_p50": med(done) if done else None,
        "done_p95": report.p95(done) if done else None,
        "clicks": len(panel),
        "clicks_per_s": len(panel) / run.window_s if run.window_s else None,
        "cpu_per_click": run.server_cpu_s / answered if answered else None,
        "server_cpu_share": run.server_cpu_s / run.window_s if run.window_s else None,
        "bytes_per_click": med([c.bytes_in for c in run.clicks]) if run.clicks else None,
        "browser_load_p50": med(run.browser_loads_s) if run.browser_loads_s else None,
        "browser_panel_p50": med([c.panel_s for c in run.browser_clicks]) if run.browser_clicks else None,
        "browser_panel_p95": report.p95([c.panel_s for c in run.browser_clicks]) if run.browser_clicks else None,
    }


def _s(v: float | None, digits: int = 2) -> str:
    return "–" if v is None else f"{v:.{digits}f} s"


def _load_1min(run: Run) -> str:
    # The machine's load average at the start and end of the run: other work on it is in the numbers too.
    return " → ".join(run.load_avg[k].split()[0] for k in ("start", "end") if k in run.load_avg)


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.0f} %"


def _line(run: Run) -> str:
    s = stats(run)
    return (f"load p50/p95 {_s(s['load_p50'])}/{_s(s['load_p95'])}; click→panel p50/p95 "
            f"{_s(s['panel_p50'])}/{_s(s['panel_p95'])} ({s['clicks']} clicks, {run.failed_clicks} failed); "
            f"CPU/click {_s(s['cpu_per_click'], 3)}; browsers p50/p95 {_s(s['browser_panel_p50'])}/"
            f"{_s(s['browser_panel_p95'])} ({len(run.browser_clicks)} clicks, {len(run.browser_errors)} errors); "
            f"RSS {run.rss_mib}")


def table(runs: list[Run]) -> str:
    """The results as a markdown table, one row per N."""
    rows = ["| N | load p50 / p95 | click → panel p50 / p95 | click → fragment done p50 / p95 | clicks (failed) "
            "| server CPU per click | server CPU busy | Chromium: click → panel p50 / p95 (clicks) "
            "| RSS MiB: fresh → warm → loaded → end → closed → expired | load average (1 min) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        s = stats(run)
        r = run.rss_mib
        rss = " → ".join(f"{r[k]:.0f}" for k in ("fresh", "start", "after_loads", "end_of_window", "closed",
                                                  "expired") if k in r)
        rows.append(
            f"| {run.n} | {_s(s['load_p50'])} / {_s(s['load_p95'])} | {_s(s['panel_p50'])} / {_s(s['panel_p95'])}"
            f" | {_s(s['done_p50'])} / {_s(s['done_p95'])}"
            f" | {s['clicks']} ({run.failed_clicks + run.load_failures}) | {_s(s['cpu_per_click'], 3)}"
            f" | {_pct(s['server_cpu_share'])}"
            f" | {_s(s['browser_panel_p50'])} / {_s(s['browser_panel_p95'])} ({len(run.browser_clicks)})"
            f" | {rss} | {_load_1min(run)} |")
    return "\n".join(rows)


def section(raw: dict) -> str:
    """Every labelled run in the raw file as a table (the generated part of the doc's load section)."""
    parts = [START, "## Many viewers: load benchmark (issue 12)", "",
             "Written by `bench/load.py` from `test-artifacts/bench-load.json` (one table per labelled run, "
             "the method in the script's docstring); times in seconds, RSS in MiB.", ""]
    for label, entry in raw.items():
        runs = [Run(**{**r, "clicks": [ClickSample(**c) for c in r["clicks"]],
                       "browser_clicks": [BrowserClick(**c) for c in r["browser_clicks"]]}) for r in entry["runs"]]
        churn = f"; a session leaves after {entry['churn']:.0f} s and another arrives" if entry.get("churn") else ""
        parts += [f"**{label}** ({entry['date']}; {entry['servers']} server(s); postScriptGC "
                  f"{entry['gc'] or 'as configured'}; {entry['duration']:.0f} s window{churn}):", "", table(runs), ""]
        for run in runs:
            if len(run.rss_series) > 3:
                series = ", ".join(f"{t / 60:.0f} min {mib:.0f}" for t, mib in run.rss_series[::2])
                parts += [f"RSS over the window (N = {run.n}, {len(run.churn_loads_s)} sessions replaced): "
                          f"{series} MiB.", ""]
    return "\n".join([*parts, END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 1, 10 with a 30 s window (a few minutes)")
    parser.add_argument("--n", type=int, nargs="+", help="session counts (default 1 10 30 50 100)")
    parser.add_argument("--duration", type=float, help="steady window per N in seconds (default 60, quick 30)")
    parser.add_argument("--ramp", type=float, default=10.0, help="sessions arrive over this many seconds")
    parser.add_argument("--browsers", type=int, help="Chromium sessions beside them (default 2, quick 1)")
    parser.add_argument("--servers", type=int, default=1, help="servers behind nginx (default 1: no nginx)")
    parser.add_argument("--gc", choices=["on", "off"], help="runner.postScriptGC for the servers (default: "
                                                            ".streamlit/config.toml)")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="run the app from this checkout (e.g. a git worktree of the baseline commit)")
    parser.add_argument("--churn", type=float, default=0,
                        help="a session leaves after this many seconds and a new one arrives (memory over time)")
    parser.add_argument("--label", default="app", help="name of this run in the raw file")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--from-raw", action="store_true",
                        help=f"measure nothing: rewrite the doc's section from {RAW.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.from_raw:
        report.write_section(section(json.loads(RAW.read_text(encoding="utf-8"))), START, END)
        return 0
    ns = tuple(args.n or (QUICK_NS if args.quick else FULL_NS))
    duration = args.duration or (30.0 if args.quick else 60.0)
    browsers = args.browsers if args.browsers is not None else (1 if args.quick else 2)
    gc = None if args.gc is None else args.gc == "on"
    runs = measure(ns, duration, args.ramp, browsers, args.servers, app_dir=args.app_dir.resolve(), gc=gc,
                   churn=args.churn)
    raw = json.loads(RAW.read_text(encoding="utf-8")) if RAW.exists() else {}
    raw[args.label] = {"runs": [asdict(r) for r in runs], "date": time.strftime("%Y-%m-%d %H:%M"),
                       "servers": args.servers, "gc": args.gc, "duration": duration, "ramp": args.ramp,
                       "churn": args.churn}
    report.save_raw(RAW, raw)
    print(table(runs))
    if not args.no_write:
        report.write_section(section(raw), START, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
