"""First visit on a phone: page load → the eight zones painted, over an emulated 4G link (9 Mbit/s down,
170 ms latency), in Chromium at 390×844 with touch; once with Streamlit's websocket compression off and once on.

Prints, per setting: load → map painted (median and max of RUNS cold visits, each in a new browser context so
nothing is cached), bytes received over HTTP (as sent: compressed where the server compressed), and the
websocket's payload (as decoded: Chromium reports it after any permessage-deflate). A benchmark, not a test.
`--url` measures a server that is already running instead (e.g. the nginx of deploy/, which gzips).
Usage: .venv/bin/python bench/phone_load.py [--runs N] [--url http://host:port]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import CHROMIUM_ARGS, MAP_IFRAME, chromium_path, start_app

DOWN_BITS = 9_000_000
UP_BITS = 9_000_000
LATENCY_MS = 170
TARGET_S = 3.0


def one_visit(browser, base: str) -> tuple[float, int, int]:
    """(seconds to the zones painted, HTTP bytes, websocket bytes received) of one cold visit."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  device_scale_factor=3, locale="zh-CN")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": LATENCY_MS,
                                                  "downloadThroughput": DOWN_BITS / 8,
                                                  "uploadThroughput": UP_BITS / 8})
    http, ws = [0], [0]
    cdp.on("Network.loadingFinished", lambda e: http.__setitem__(0, http[0] + int(e.get("encodedDataLength", 0))))
    cdp.on("Network.webSocketFrameReceived",
           lambda e: ws.__setitem__(0, ws[0] + len(e["response"].get("payloadData", ""))))
    start = time.perf_counter()
    page.goto(base + "/", wait_until="commit")
    page.frame_locator(MAP_IFRAME).first.locator("path.leaflet-interactive").nth(7).wait_for(timeout=120_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed, http[0], ws[0]


def measure(compression: bool | None, runs: int, url: str | None = None) -> dict:
    """Visits to `url`, or to a server started here with websocket compression on or off."""
    flag = "true" if compression else "false"
    proc, base = (None, url) if url else start_app(env={"STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION": flag})
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            one_visit(browser, base)  # warm the server's caches: visitors after the first find them warm
            visits = [one_visit(browser, base) for _ in range(runs)]
            browser.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    times = [v[0] for v in visits]
    return {"compression": compression, "median_s": statistics.median(times), "max_s": max(times),
            "http_kb": statistics.median(v[1] for v in visits) / 1000,
            "ws_kb": statistics.median(v[2] for v in visits) / 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", default=None, help="a running server to measure (default: start two here)")
    args = parser.parse_args()
    print(f"phone 390×844, 4G emulation ({DOWN_BITS / 1e6:.0f} Mbit/s, {LATENCY_MS} ms), {args.runs} cold visits")
    print("server | load → map painted, median / max | HTTP received | websocket payload (decoded)")
    settings = [(None, args.url)] if args.url else [(False, None), (True, None)]
    for compression, url in settings:
        r = measure(compression, args.runs, url)
        verdict = "met" if r["median_s"] <= TARGET_S else "NOT met"
        name = url or f"streamlit run, websocket compression {'on' if compression else 'off'}"
        print(f"{name} | {r['median_s']:.2f} s / {r['max_s']:.2f} s ({verdict}, target {TARGET_S:.0f} s) | "
              f"{r['http_kb']:.0f} KB | {r['ws_kb']:.0f} KB")


if __name__ == "__main__":
    main()
