"""Campaign map benchmark: the app (pages/map.py) against a naive baseline (bench/baseline_map_app.py).

Every time is taken inside Chromium, so Playwright's round trips and polling never enter a number:

* click → panel: a capture-phase `pointerdown` listener in the map iframe stamps the click; a
  MutationObserver in the page notes when `.st-key-panel-<zone> .zone-facts` is in the DOM with a non-zero
  box, and the requestAnimationFrame callback that follows stamps the frame that paints it.
* click → feedback: from the same `pointerdown` to the first animation frame in which the map's click
  handler has set `window.corpsFeedbackAt` (the outline drawn in the browser, no server round trip).
* click → server outline: to the first animation frame in which the server's outline is in the map: the
  selection layer has cleared the click feedback (app) or a remounted map has drawn its polygons (baseline).
* Breakdown of a click: the rerun request leaving the page (a wrapped `WebSocket.send`), and the last
  websocket message that arrived before the panel was in the DOM.
* page load → map painted: from navigation start (`performance.timeOrigin` of the page) to the first
  animation frame in which the map iframe holds a `path.leaflet-interactive`; a fresh browser context
  (empty HTTP cache) per load, against a warm server.
* Stamps from different frames are compared as `performance.timeOrigin + performance.now()` (one clock for
  the page and its same-origin iframe); Chromium coarsens `performance.now()` to 0.1 ms, and animation
  frames come every 16.7 ms, the real resolution of the painted stamps.
* Payload: websocket frames the page receives on a cold load and per click (the server negotiates no
  websocket compression, so these are the bytes on the wire); in Python, the arguments st_folium sends for
  the app's map, and `len(m.get_root().render())`.
* Both servers run with Streamlit's file watcher off; the baseline runs from a launcher in a temporary
  folder that links to the app's static/ and pages/ (see `serve`).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/run.py`: only bench/ is on the path
    sys.path.insert(0, str(ROOT))

import report  # noqa: E402  (bench/ is on sys.path)

from tests.browser import (  # noqa: E402
    CHROMIUM_ARGS,
    MAP_IFRAME,
    chromium_path,
    click_latlng,
    start_app,
    wait_for_map,
)

APPS = ("app", "baseline")
VIEWPORT = {"width": 1600, "height": 1000}
IDLE_S = 1.0  # a page counts as settled after this long without a websocket frame
TARGETS = {"click_median_ms": 350.0, "speedup": 2.5, "feedback_p95_ms": 100.0, "payload_bytes": 300_000}

# Installed in the page before its own scripts run. Playwright's init scripts reach only the iframe's
# initial about:blank document, not the component page that replaces it, so the iframe is watched from the
# page here and hooked with HOOK_CLICK before each click.
INIT_SCRIPT = """
(() => {
  if (window !== window.top) return;
  const epoch = () => performance.timeOrigin + performance.now();
  const b = window.__bench = {expect: null};
  window.__benchReset = (zone) => Object.assign(b, {
    expect: zone, clickAt: null, sentAt: null, lastMsgAt: null, panelAt: null, panelPaintAt: null,
    feedbackPaintAt: null, feedbackHandlerMs: null, outlineAt: null});
  window.__benchReset(null);
  b.mapPaintAt = null;

  // The rerun request leaving the page, and the messages of the answer that arrive before the panel.
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (b.clickAt !== null && b.sentAt === null) b.sentAt = epoch();
    if (!this.__benchHooked) {
      this.__benchHooked = true;
      this.addEventListener('message', () => {
        if (b.sentAt !== null && b.panelAt === null) b.lastMsgAt = epoch();
      });
    }
    return send.call(this, data);
  };

  new MutationObserver(() => {
    if (!b.expect || b.panelAt !== null) return;
    const el = document.querySelector('.st-key-panel-' + b.expect + ' .zone-facts');
    if (el && el.getBoundingClientRect().height > 0) {
      b.panelAt = epoch();
      requestAnimationFrame(() => { b.panelPaintAt = epoch(); });
    }
  }).observe(document, {childList: true, subtree: true, attributes: true});

  const mapDocument = () => {
    const f = document.querySelector('MAP_IFRAME');
    try { return f && f.contentWindow ? [f.contentWindow, f.contentWindow.document] : [null, null]; }
    catch (e) { return [null, null]; }
  };
  const seek = () => {
    const [, d] = mapDocument();
    if (d && d.querySelector('path.leaflet-interactive')) b.mapPaintAt = epoch(); else requestAnimationFrame(seek);
  };
  requestAnimationFrame(seek);

  // After a click in map window `win`: the first frame showing the server's outline, drawn in place (the
  // selection layer's script clears the click feedback) or by a remounted map.
  window.__benchWatch = (win) => {
    const t0 = performance.now();
    const poll = () => {
      const [w, d] = mapDocument();
      const remounted = w && w !== win && d && d.querySelector('path.leaflet-interactive');
      const inPlace = w === win && b.feedbackPaintAt !== null && !win.corpsFeedback;
      if (remounted || inPlace) b.outlineAt = epoch();
      else if (performance.now() - t0 < 10000) requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  };
})();
""".replace("MAP_IFRAME", MAP_IFRAME.replace('"', '\\"'))

# Evaluated in the map iframe before each click: stamps the pointerdown, then watches frame by frame for the
# map's click handler to set window.corpsFeedbackAt.
HOOK_CLICK = """
() => {
  if (window.__benchHooked) return;
  window.__benchHooked = true;
  window.addEventListener('pointerdown', () => {
    const b = window.top.__bench, t0 = performance.now();
    b.clickAt = performance.timeOrigin + t0;
    window.top.__benchWatch(window);
    const poll = () => {
      if (typeof window.corpsFeedbackAt === 'number' && window.corpsFeedbackAt >= t0) {
        b.feedbackHandlerMs = window.corpsFeedbackAt - t0;
        b.feedbackPaintAt = performance.timeOrigin + performance.now();
      } else if (performance.now() - t0 < 3000) {
        requestAnimationFrame(poll);
      }
    };
    requestAnimationFrame(poll);
  }, true);
}
"""


@dataclass
class Click:
    """One measured click; times in ms from the pointerdown."""

    app: str
    round: int
    zone: str
    panel_ms: float  # the new panel painted
    panel_dom_ms: float  # the new panel in the DOM
    sent_ms: float | None  # the rerun request sent (streamlit-folium debounces clicks by 250 ms)
    last_msg_ms: float | None  # the last websocket message before the panel was in the DOM
    feedback_ms: float | None  # the click feedback painted in the map
    feedback_handler_ms: float | None  # the map's click handler ran
    outline_ms: float | None  # the server's outline painted in the map
    ws_bytes: int  # websocket bytes received until the page settled
    ws_frames: int
    remounted: bool  # the Leaflet map was replaced (the iframe remounted)


@dataclass
class Load:
    """One cold page load (fresh browser context, warm server)."""

    app: str
    map_painted_ms: float
    ws_bytes: int  # every websocket byte received until the page settled
    map_frame_bytes: int  # the websocket frame(s) carrying the map's script


@dataclass
class Results:
    """Everything one run measured, plus where and with what."""

    rounds: int
    clicks: list[Click] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    python_payload: dict[str, int] = field(default_factory=dict)
    static_bytes: dict[str, int] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)


def zone_order() -> tuple[list[str], dict[str, tuple[float, float]]]:
    """The eight zones in an order that hops across the map (every third along the river), with click points."""
    from corpsmap import geo
    from corpsmap.data import load_dataset

    zones = list(load_dataset().zones.sort_values("river_order")["zone_id"])
    order = [zones[(3 * i) % len(zones)] for i in range(len(zones))]
    return order, geo.label_points(geo.load_zone_shapes())


@contextmanager
def serve(app: str) -> Iterator[str]:
    """Start the app or the baseline with tests.browser.start_app; yields the base URL, stops the server."""
    with tempfile.TemporaryDirectory(prefix="corpsmap-bench-") as tmp:
        script = "app.py"
        if app == "baseline":
            # Streamlit serves <main script folder>/static and resolves page paths (st.Page, st.page_link)
            # against the main script's folder, so the baseline is run by a launcher in a folder that links to
            # the app's static/ (Leaflet) and pages/ (the panel links to other pages).
            for name in ("static", "pages"):
                (Path(tmp) / name).symlink_to(ROOT / name, target_is_directory=True)
            script = str(Path(tmp) / "baseline_map_app.py")
            Path(script).write_text(f"import runpy\nrunpy.run_path({str(ROOT / 'bench' / 'baseline_map_app.py')!r})\n")
        # No file watcher: colleagues editing the tree during a run would otherwise add work to the servers.
        proc, base = start_app(env={"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}, script=script)
        try:
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except Exception:
                proc.kill()
                proc.wait()


class WsMeter:
    """Collects the websocket frames a page receives."""

    def __init__(self, page):
        self.frames: list[bytes] = []
        self.last = time.monotonic()
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload: bytes | str) -> None:
        self.frames.append(payload.encode() if isinstance(payload, str) else payload)
        self.last = time.monotonic()

    def quiet_for(self) -> float:
        return time.monotonic() - self.last


def settle(page, meter: WsMeter, timeout_s: float = 30.0) -> None:
    """Wait until the map is drawn and no websocket frame has come for IDLE_S (every rerun is over)."""
    deadline = time.monotonic() + timeout_s
    wait_for_map(page)
    while meter.quiet_for() < IDLE_S:
        if time.monotonic() > deadline:
            raise TimeoutError("the page kept receiving websocket frames")
        page.wait_for_timeout(100)  # also lets Playwright deliver the websocket events
    error = page.locator('[data-testid="stException"]')
    if error.count():
        raise RuntimeError(f"the page shows an exception: {error.first.inner_text()[:500]}")


def new_page(browser):
    """A page in a fresh context (empty cache) with the probes installed and its websocket metered."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    return context, page, WsMeter(page)


def measure_load(browser, app: str, url: str) -> Load:
    """One cold load: navigation start → first polygon painted in the map iframe, and the websocket bytes."""
    context, page, meter = new_page(browser)
    try:
        page.goto(url + "/")
        painted = page.wait_for_function("() => window.__bench.mapPaintAt", timeout=60_000).json_value()
        nav_start = page.evaluate("() => performance.timeOrigin")
        settle(page, meter)
        map_frames = [f for f in meter.frames if b"map_div" in f]  # the component's script names its div
        return Load(app, painted - nav_start, sum(map(len, meter.frames)), sum(map(len, map_frames)))
    finally:
        context.close()


def measure_click(page, meter: WsMeter, app: str, round_no: int, zone: str,
                  point: tuple[float, float]) -> Click:
    """Click one zone, wait for its panel and for the page to settle; the stamps are read afterwards."""
    frame = wait_for_map(page)
    frame.evaluate(HOOK_CLICK)
    frame.evaluate("() => { window.map.__benchProbe = true; }")
    page.evaluate("(zone) => window.__benchReset(zone)", zone)
    mark = len(meter.frames)
    click_latlng(page, frame, *point)
    page.wait_for_function("() => window.__bench.panelPaintAt !== null", timeout=30_000)
    settle(page, meter)
    b = page.evaluate("() => window.__bench")
    remounted = not wait_for_map(page).evaluate("() => window.map.__benchProbe === true")
    frames = meter.frames[mark:]

    def since_click(stamp: str) -> float | None:
        return b[stamp] - b["clickAt"] if b[stamp] is not None else None

    return Click(app=app, round=round_no, zone=zone, panel_ms=since_click("panelPaintAt"),
                 panel_dom_ms=since_click("panelAt"), sent_ms=since_click("sentAt"),
                 last_msg_ms=since_click("lastMsgAt"), feedback_ms=since_click("feedbackPaintAt"),
                 feedback_handler_ms=b["feedbackHandlerMs"], outline_ms=since_click("outlineAt"),
                 ws_bytes=sum(map(len, frames)), ws_frames=len(frames), remounted=remounted)


def python_payload() -> dict[str, int]:
    """Sizes of the app's map (zh) in Python: what st_folium sends for it, called as pages/map.py calls it in
    bare mode with the component function stubbed out, and the same map as a standalone folium page."""
    import streamlit_folium

    from corpsmap import geo, mapview
    from corpsmap.data import load_dataset

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext" in bare mode
    data = load_dataset()
    shapes, districts, river = geo.load_zone_shapes(), geo.load_districts(), geo.load_river()

    def build():
        features = mapview.zone_features(shapes, data.zones, data.platforms, "zh")
        legend = mapview.legend_html("图例", [mapview.LegendItem("x", "#000")])
        return mapview.build_map(features, mapview.platform_colors(data.zones), districts, river, legend, "zh")

    sent: dict = {}
    with mock.patch.object(streamlit_folium, "_component_func", lambda **kw: sent.update(kw)):
        streamlit_folium.st_folium(build(), key="zone_map", height=680, use_container_width=True,
                                   returned_objects=["last_active_drawing"],
                                   feature_group_to_add=mapview.selection_layer(shapes, shapes["zone_id"].iloc[0]))
    args = json.dumps({k: v for k, v in sent.items() if k != "on_change"}, ensure_ascii=False).encode()
    return {
        "st_folium_args": len(args),
        "st_folium_args_gzip": len(gzip.compress(args)),
        "script": len(sent["script"].encode()),
        "selection_layer": len((sent["feature_group"] or "").encode()),
        "folium_html": len(build().get_root().render().encode()),
    }


def static_payload() -> dict[str, int]:
    """Leaflet's files as the app serves them (fetched once per browser, then cached)."""
    from corpsmap.assets import install_static_assets
    from corpsmap.config import STATIC_DIR

    install_static_assets()
    files = {"leaflet.js": "leaflet/leaflet.js", "leaflet.css": "leaflet/leaflet.css"}
    return {name: (STATIC_DIR / "vendor" / rel).stat().st_size for name, rel in files.items()}


def machine(browser_version: str) -> dict[str, str]:
    """The machine and versions the numbers were taken on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("streamlit", "folium", "streamlit-folium",
                                                                 "playwright"))
    return {
        "cpus": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": f"{versions}, Chromium {browser_version}",
        "date": time.strftime("%Y-%m-%d"),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def run(rounds: int = 4, loads: int = 5, log: Callable[[str], None] = print) -> Results:
    """Start both apps; measure `loads` cold loads and `rounds` × 8 clicks per app, app and baseline taking
    turns (and turns at going first), so that drift in the machine's load hits both alike."""
    from playwright.sync_api import sync_playwright

    zones, points = zone_order()
    results = Results(rounds=rounds, python_payload=python_payload(), static_bytes=static_payload())
    with serve("app") as app_url, serve("baseline") as baseline_url, sync_playwright() as p:
        urls = {"app": app_url, "baseline": baseline_url}
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            results.machine = machine(browser.version)
            for app in APPS:  # warms the servers' caches; not counted
                measure_load(browser, app, urls[app])
            for i in range(loads):
                for app in APPS if i % 2 == 0 else APPS[::-1]:
                    load = measure_load(browser, app, urls[app])
                    results.loads.append(load)
                    log(f"load  {app:8} map painted {load.map_painted_ms:5.0f} ms  ws {load.ws_bytes / 1000:4.0f} KB")
            pages = {}
            for app in APPS:
                _, page, meter = new_page(browser)  # closed with the browser
                page.goto(urls[app] + "/")
                page.locator(".st-key-panel-corps").wait_for(timeout=60_000)
                settle(page, meter)
                pages[app] = (page, meter)
            for r in range(rounds):
                for app in APPS if r % 2 == 0 else APPS[::-1]:
                    page, meter = pages[app]
                    for zone in zones:
                        c = measure_click(page, meter, app, r, zone, points[zone])
                        results.clicks.append(c)
                        log(f"click {app:8} r{r} {zone:11} panel {c.panel_ms:5.0f} ms (sent {_fmt(c.sent_ms)},"
                            f" last msg {_fmt(c.last_msg_ms)})  feedback {_fmt(c.feedback_ms, 1)}"
                            f"  outline {_fmt(c.outline_ms)}  ws {c.ws_bytes / 1000:4.0f} KB"
                            f"{'  remounted' if c.remounted else ''}")
        finally:
            results.machine["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
            browser.close()
    return results


def _fmt(ms: float | None, digits: int = 0) -> str:
    return "-" if ms is None else f"{ms:.{digits}f}"


def summary(results: Results) -> dict[str, dict[str, float]]:
    """Per app: count, median, p95, min and max of each series, remounts and payloads."""
    out: dict[str, dict[str, float]] = {}
    for app in APPS:
        clicks = [c for c in results.clicks if c.app == app]
        loads = [lo for lo in results.loads if lo.app == app]
        s: dict[str, float] = {"clicks": len(clicks), "loads": len(loads),
                               "remounts": sum(c.remounted for c in clicks),
                               "feedback_missing": sum(c.feedback_ms is None for c in clicks)}
        series = {name: [getattr(c, f"{name}_ms") for c in clicks if getattr(c, f"{name}_ms") is not None]
                  for name in ("panel", "panel_dom", "sent", "last_msg", "feedback", "outline")}
        series["load"] = [lo.map_painted_ms for lo in loads]
        series["click_ws"] = [c.ws_bytes for c in clicks]
        series["load_ws"] = [lo.ws_bytes for lo in loads]
        series["load_map_ws"] = [lo.map_frame_bytes for lo in loads]
        for name, values in series.items():
            if values:
                s |= {f"{name}_median": statistics.median(values), f"{name}_p95": report.p95(values),
                      f"{name}_min": min(values), f"{name}_max": max(values)}
        out[app] = s
    return out


def verdicts(s: dict[str, dict[str, float]]) -> dict[str, tuple[str, bool]]:
    """Each target: (the measured value as text, met?)."""
    app, base = s["app"], s["baseline"]
    speedup = base["panel_median"] / app["panel_median"]
    feedback_p95 = app.get("feedback_p95", float("inf"))
    feedback_ok = app["feedback_missing"] == 0 and feedback_p95 <= TARGETS["feedback_p95_ms"]
    return {
        f"Click → panel, median ≤ {TARGETS['click_median_ms']:.0f} ms":
            (f"{app['panel_median']:.0f} ms", app["panel_median"] <= TARGETS["click_median_ms"]),
        f"Click → panel at least {TARGETS['speedup']}× faster than the baseline (medians)":
            (f"{speedup:.2f}×", speedup >= TARGETS["speedup"]),
        f"Click → feedback in the map, p95 ≤ {TARGETS['feedback_p95_ms']:.0f} ms":
            (f"{feedback_p95:.1f} ms", feedback_ok),
        f"Map payload ≤ {TARGETS['payload_bytes'] // 1000} KB (its websocket frame on a cold load)":
            (f"{app['load_map_ws_max'] / 1000:.0f} KB", app["load_map_ws_max"] <= TARGETS["payload_bytes"]),
    }
