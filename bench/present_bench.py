"""Presentation benchmark: key press → the next zone's figures on screen, and memory over a long auto-advance.

    .venv/bin/python bench/present_bench.py                                   # key → panel, 4 tours of 9 keys
    .venv/bin/python bench/present_bench.py --soak-minutes 60 --interval 2    # a lobby screen left running

Prints its results and writes the raw samples to test-artifacts/bench-present.json; it does not touch
docs/performance.md (its "Presentation" section is written by hand from these numbers). Like every benchmark it
measures and reports; nothing passes or fails.

Method (every time is taken inside Chromium, so Playwright's round trips never enter a number):

* key → panel: a capture-phase keydown listener on the page's window stamps the key (it runs before the
  presentation's own listener); a MutationObserver notes when the panel's `.pz-head[data-zone=<next>]` is in the
  DOM with a non-zero box (the next zone's name and figures: they arrive in one element), and the
  requestAnimationFrame callback after it stamps the frame that paints it. Also stamped: the rerun request
  leaving the page (a wrapped WebSocket.send) and the first frame in which the map shows the new zone's outline
  (the presentation draws it in the map's frame at the key press: `window.corpsSelection` changes).
* soak: `?present=1&auto=N` on a fresh page; every `--sample` seconds Chromium collects garbage
  (HeapProfiler.collectGarbage) and reports its metrics (Performance.getMetrics: JS heap used, DOM nodes,
  event listeners, documents, frames); the server's resident set comes from /proc/<pid>/status. The slope
  over the second half of the run (after warm-up) is what is extrapolated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/present_bench.py`: only bench/ is on the path
    sys.path.insert(0, str(ROOT))

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, MAP_IFRAME, chromium_path, start_app, wait_for_map  # noqa: E402

RAW = ARTIFACTS / "bench-present.json"
VIEWPORT = {"width": 1920, "height": 1080}
TARGET_MS = 350.0

INIT_SCRIPT = """
(() => {
  if (window !== window.top) return;
  const b = window.__bench = {};
  window.__benchReset = (zone) => Object.assign(b, {expect: zone, keyAt: null, sentAt: null, domAt: null,
                                                    paintAt: null, outlineAt: null});
  window.__benchReset(null);
  window.__advances = 0;
  window.addEventListener('keydown', () => { if (b.expect !== null && b.keyAt === null) b.keyAt = performance.now(); },
                          true);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (b.keyAt !== null && b.sentAt === null) b.sentAt = performance.now();
    return send.call(this, data);
  };
  let shown = null;
  new MutationObserver(() => {
    const head = document.querySelector('[class*=st-key-present-panel-] .pz-head');
    const zone = head && head.getAttribute('data-zone');
    if (zone !== shown) { shown = zone; window.__advances += 1; }
    if (b.expect === null || b.domAt !== null) return;
    const el = document.querySelector('.pz-head[data-zone="' + b.expect + '"]');
    if (el && el.getBoundingClientRect().height > 0) {
      b.domAt = performance.now();
      requestAnimationFrame(() => { b.paintAt = performance.now(); });
    }
  }).observe(document, {childList: true, subtree: true, attributes: true});
  // The selected zone's outline in the map, drawn in the map's frame by the presentation's script
  // (window.corpsSelection is replaced, or cleared for the overview); stamped at the frame that paints it.
  window.__benchWatchOutline = () => {
    const f = document.querySelector('MAP_IFRAME');
    const before = f.contentWindow.corpsSelection;
    const t0 = performance.now();
    const poll = () => {
      if (f.contentWindow.corpsSelection !== before) b.outlineAt = performance.now();
      else if (performance.now() - t0 < 10000) requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  };
})();
""".replace("MAP_IFRAME", MAP_IFRAME.replace('"', '\\"'))


@dataclass
class Press:
    """One key press; times in ms from the keydown."""

    key: str
    zone: str  # the zone (or "all", the overview) the key moves to
    panel_ms: float  # its figures painted
    panel_dom_ms: float  # in the DOM
    sent_ms: float | None  # the rerun request sent
    outline_ms: float | None  # the map's outline of the zone painted


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def machine(browser_version: str) -> dict[str, str]:
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("streamlit", "streamlit-folium", "playwright"))
    return {"cpus": f"{os.cpu_count()} CPUs ({model})", "python": platform.python_version(), "packages": versions,
            "chromium": browser_version, "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def key_presses(page, base: str, rounds: int) -> list[Press]:
    from corpsmap import tour
    from corpsmap.data import CORPS, load_dataset

    stops = tour.sequence(load_dataset())
    page.goto(f"{base}/map?present=1")
    wait_for_map(page)
    page.locator(f".pz-head[data-zone='{CORPS}']").wait_for()
    page.wait_for_timeout(1500)
    presses, current = [], tour.OVERVIEW
    plan = [("ArrowRight" if i % 2 == 0 else "PageDown") for i in range(len(stops))] * rounds
    plan += [str(n) for n in (3, 7, 1, 8, 5, 2, 6, 4)]  # and jumps across the river
    for key in plan:
        target = tour.step(stops, current, 1) if not key.isdigit() else tour.jump(stops, int(key))
        shown = target or CORPS
        page.evaluate("(zone) => { window.__benchReset(zone); window.__benchWatchOutline(); }", shown)
        page.keyboard.press(key)
        page.wait_for_function("() => window.__bench.paintAt !== null", timeout=15_000)
        page.wait_for_timeout(1200)  # the map and the rest of the fragment follow the panel; let them settle
        b = page.evaluate("() => window.__bench")
        presses.append(Press(key, shown, b["paintAt"] - b["keyAt"], b["domAt"] - b["keyAt"],
                             None if b["sentAt"] is None else b["sentAt"] - b["keyAt"],
                             None if b["outlineAt"] is None else b["outlineAt"] - b["keyAt"]))
        current = target
    return presses


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def _slope_per_hour(samples: list[dict], field: str) -> float:
    """Least-squares slope of `field` against time over the second half of the run, per hour."""
    half = samples[len(samples) // 2:]
    xs, ys = [s["t_s"] for s in half], [s[field] for s in half]
    if len(xs) < 2:
        return float("nan")
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx * 3600 if sxx else float("nan")


def soak(page, base: str, server_pid: int, minutes: float, interval: int, sample_s: float) -> list[dict]:
    page.goto(f"{base}/map?present=1&auto={interval}")
    wait_for_map(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    samples, start = [], time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        cdp.send("HeapProfiler.collectGarbage")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        sample = {"t_s": round(elapsed, 1), "advances": page.evaluate("() => window.__advances"),
                  "js_heap_mb": metrics["JSHeapUsedSize"] / 1e6, "js_heap_total_mb": metrics["JSHeapTotalSize"] / 1e6,
                  "dom_nodes": int(metrics["Nodes"]), "listeners": int(metrics["JSEventListeners"]),
                  "documents": int(metrics["Documents"]), "frames": int(metrics["Frames"]),
                  "server_rss_mb": _rss_kb(server_pid) / 1024}
        samples.append(sample)
        print(f"  {sample['t_s']:7.0f} s  {sample['advances']:5d} zones  heap {sample['js_heap_mb']:6.1f} MB  "
              f"nodes {sample['dom_nodes']:6d}  listeners {sample['listeners']:5d}  docs {sample['documents']:3d}  "
              f"server {sample['server_rss_mb']:6.1f} MB", flush=True)
        if elapsed >= minutes * 60:
            return samples
        page.wait_for_timeout(sample_s * 1000)


def report_presses(presses: list[Press]) -> dict[str, float]:
    out = {}
    for name in ("panel_ms", "panel_dom_ms", "sent_ms", "outline_ms"):
        values = [getattr(p, name) for p in presses if getattr(p, name) is not None]
        if values:
            out |= {f"{name}_median": statistics.median(values), f"{name}_p95": _percentile(values, 0.95),
                    f"{name}_min": min(values), f"{name}_max": max(values), f"{name}_n": len(values)}
    print(f"\nKey press → next zone's figures painted ({len(presses)} presses, target ≤ {TARGET_MS:.0f} ms):")
    for name, label in (("panel_ms", "figures painted"), ("panel_dom_ms", "figures in the DOM"),
                        ("sent_ms", "rerun request sent"), ("outline_ms", "map outline painted")):
        if f"{name}_median" in out:
            print(f"  {label:22s} median {out[name + '_median']:6.0f} ms   p95 {out[name + '_p95']:6.0f} ms   "
                  f"min {out[name + '_min']:5.0f}   max {out[name + '_max']:5.0f}   (n={out[name + '_n']})")
    over = sum(p.panel_ms > TARGET_MS for p in presses)
    print(f"  presses over {TARGET_MS:.0f} ms: {over} of {len(presses)}")
    return out


def report_soak(samples: list[dict], interval: int) -> dict[str, float]:
    first, last = samples[0], samples[-1]
    out = {f"{f}_slope_per_hour": _slope_per_hour(samples, f) for f in ("js_heap_mb", "server_rss_mb", "dom_nodes",
                                                                          "listeners")}
    hours = last["t_s"] / 3600
    print(f"\nSoak: {last['t_s'] / 60:.0f} min with auto={interval} s, {last['advances']} zones shown "
          f"(≈ {last['advances'] * 20 / 3600:.1f} h of a lobby screen at auto=20)")
    for field, unit in (("js_heap_mb", "MB"), ("server_rss_mb", "MB"), ("dom_nodes", ""), ("listeners", ""),
                        ("documents", ""), ("frames", "")):
        peak = max(s[field] for s in samples)
        slope = out.get(f"{field}_slope_per_hour")
        extra = "" if slope is None else f"   second-half slope {slope:+.2f}{unit}/h"
        print(f"  {field:14s} start {first[field]:8.1f}  end {last[field]:8.1f}  peak {peak:8.1f}{extra}")
    out["hours"] = hours
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=4, help="tours of the nine stops by → and PageDown")
    parser.add_argument("--soak-minutes", type=float, default=0, help="run auto-advance this long instead")
    parser.add_argument("--interval", type=int, default=2, help="auto-advance interval for the soak, seconds")
    parser.add_argument("--sample", type=float, default=60, help="seconds between soak samples")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    proc, base = start_app({"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
            page.add_init_script(INIT_SCRIPT)
            results: dict = {"machine": machine(browser.version), "started": time.strftime("%Y-%m-%d %H:%M")}
            print(f"Machine: {results['machine']}")
            if args.soak_minutes:
                samples = soak(page, base, proc.pid, args.soak_minutes, args.interval, args.sample)
                results |= {"soak": samples, "soak_summary": report_soak(samples, args.interval),
                            "interval": args.interval}
            else:
                presses = key_presses(page, base, args.rounds)
                results |= {"presses": [asdict(x) for x in presses], "summary": report_presses(presses)}
            results["machine"]["load_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    ARTIFACTS.mkdir(exist_ok=True)
    name = RAW.with_name("bench-present-soak.json") if args.soak_minutes else RAW
    name.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"\nRaw samples: {name.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
