"""First visit on a phone: page load → the eight zones painted, over an emulated 4G link (9 Mbit/s down,
170 ms latency), in Chromium at 390×844 with touch and a phone's user agent.

Measures three ways of serving the app, each started here: `streamlit run` with no proxy; the nginx site of
deploy/ over plain HTTP/1.1 (gzip); and the same site over HTTPS, where the browser speaks HTTP/2 (a
self-signed certificate, as tests/deploy.py makes it). Prints, per way: load → map painted (median and max of
RUNS cold visits, each in a new browser context so nothing is cached), bytes received over HTTP (as sent:
compressed where the server compressed), and the websocket's payload (as decoded). A benchmark, not a test.
`--url` measures a server that is already running instead.
Usage: .venv/bin/python bench/phone_load.py [--runs N] [--url http://host:port]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import CHROMIUM_ARGS, MAP_IFRAME, chromium_path, start_app
from tests.deploy import start_cluster

PHONE_AGENT = ("Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.0.0 Mobile Safari/537.36")

DOWN_BITS = 9_000_000
UP_BITS = 9_000_000
LATENCY_MS = 170
TARGET_S = 3.0


def one_visit(browser, base: str) -> tuple[float, int, int]:
    """(seconds to the zones painted, HTTP bytes, websocket bytes received) of one cold visit."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  device_scale_factor=3, locale="zh-CN", user_agent=PHONE_AGENT,
                                  ignore_https_errors=True)  # nginx's test certificate is self-signed
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


def measure(base: str, runs: int) -> dict:
    """RUNS cold visits to `base`, after one to warm the server's caches (visitors after the first find them warm)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        one_visit(browser, base)
        visits = [one_visit(browser, base) for _ in range(runs)]
        browser.close()
    times = [v[0] for v in visits]
    return {"median_s": statistics.median(times), "max_s": max(times),
            "http_kb": statistics.median(v[1] for v in visits) / 1000,
            "ws_kb": statistics.median(v[2] for v in visits) / 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", default=None, help="a running server to measure (default: start them here)")
    args = parser.parse_args()
    print(f"phone 390×844, 4G emulation ({DOWN_BITS / 1e6:.0f} Mbit/s, {LATENCY_MS} ms), {args.runs} cold visits")
    print("server | load → map painted, median / max | HTTP received | websocket payload (decoded)")
    with ExitStack() as stack:
        if args.url:
            targets = [(args.url, args.url)]
        else:
            proc, direct = start_app()
            stack.callback(proc.terminate)
            cluster = start_cluster(1)  # the deploy/ site in front of one server of its own
            stack.callback(cluster.stop)
            targets = [("streamlit run, no proxy", direct), ("nginx (deploy/), HTTP/1.1 + gzip", cluster.url),
                       ("nginx (deploy/), HTTPS + HTTP/2 + gzip", cluster.nginx.tls_url)]
        for name, base in targets:
            r = measure(base, args.runs)
            verdict = "met" if r["median_s"] <= TARGET_S else "NOT met"
            print(f"{name} | {r['median_s']:.2f} s / {r['max_s']:.2f} s ({verdict}, target {TARGET_S:.0f} s) | "
                  f"{r['http_kb']:.0f} KB | {r['ws_kb']:.0f} KB", flush=True)


if __name__ == "__main__":
    main()
