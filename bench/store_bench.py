"""The versioned data store at realistic size: 10 years of monthly reports for 8 zones × 30 indicators and
5,000 projects, on SQLite and (when a server is given) PostgreSQL, and the app running on it.

* Data: bench/bigdata.py writes a copy of data/ to a temporary folder with 30 indicators (the 13 real ones and
  17 illustrative ones of the same kinds), observations for every zone × indicator × month from 2013-01 to
  2022-12 plus the article's corps-wide rows, targets for every zone × indicator × year, and 5,000 projects
  from bench/projects_filter.py's generator; `corpsmap.data.load_dataset` (the app's own validation) must
  accept it.
* Store, per backend: a new SQLite file in a temporary folder; PostgreSQL when CORPSMAP_TEST_POSTGRES_URL
  names a server (an admin URL: a throwaway database is created for the run and dropped after it).
  Seed = `open_store(url, data_dir)` (migrations, the CSVs validated, version 1 written). Size: the SQLite
  file after a WAL checkpoint; `pg_database_size` on PostgreSQL.
* Publish a month: the next months' reports (2023-01, 2023-02, …), all 8 zones × 30 indicators = 240 new
  observation rows each, applied as the app applies a monthly report:
  `store.publish(lambda cur: changes.upsert(cur, "observations", rows), …)`, timed
  whole. The same calls are split into phases by timers wrapped around the functions publish calls (in this
  process only; app code is unchanged): read of the current version (`Store._read`), the incoming rows
  written as CSV text (`changes.to_csv_text`) and parsed by the CSV rules (`data.parse_valid`), references
  checked (`data.check_references`), `changes.diff_datasets`, the rows written (`Store._write`); the rest
  is connecting, the lock, the version
  row, the commit and reading the new version's row back. One more month is published under cProfile (not
  counted) to find where the time goes inside the phases.
* Read: `store.read(latest)` 5 times (median) and `store.read(1)`; `corpsmap.progress.progress_table` of the
  latest version 3 times (median): what a server computes once per version, on the first page after a start
  or a publish. The preview of a monthly report, as `corpsmap.ui.versions.prepare` works it out on upload
  (the change applied, the diff, `progress_table` before and after, `status_changes`), twice (median).
* App: `tests.browser.start_app` with CORPSMAP_DATA_DIR set to the generated folder (a new SQLite store,
  seeded by the server itself) and Streamlit's file watcher off. The first page after the start (the server
  seeds the store, reads the version and computes its progress table): navigation start → map painted
  (in-browser stamp) and → corps panel shown (wall clock in Python). Then bench/map_click.py's own
  `measure_click` on that page, rounds × 8 zones (click → panel painted, stamped in Chromium). Then
  /indicators in a fresh browser context per load (empty cache, warm server; one load first, not counted):
  from navigation start to the animation frame after the status matrix (`.st-key-status-matrix
  table.status-matrix`) and the ranking chart (the first Vega-Lite chart's canvas) are in the DOM with a
  size, stamped by a MutationObserver and requestAnimationFrame in the page; the trend chart (the second)
  likewise; also the first websocket message (the server has begun to answer) and the last one before the
  matrix was in the DOM (a wrapped `WebSocket`). For reference, a second server on the seed data (data/)
  takes turns with it, load for load; then a few loads of the big data in one context (a returning browser,
  its HTTP cache warm).
* Memory: VmRSS and VmHWM (peak) of the server process from /proc/<pid>/status, at start, after the first
  page, and after all clicks and page loads.

Run: `.venv/bin/python bench/store_bench.py` (part of `make bench`; `--no-write` only prints, `--from-raw`
rewrites the doc section from the last raw samples, `--no-app` measures the store only). Benchmarks, not tests:
a missed target is reported, never raised.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/store_bench.py`: only bench/ is on the path
    sys.path.insert(0, str(ROOT))

import bigdata  # noqa: E402  (bench/ is on sys.path)
import map_click  # noqa: E402
import report  # noqa: E402

RAW = ROOT / "test-artifacts" / "bench-store.json"
START, END = "<!-- store:start -->", "<!-- store:end -->"
POSTGRES_ENV = "CORPSMAP_TEST_POSTGRES_URL"
TARGETS = {"publish_s": 2.0, "click_median_ms": 350.0, "indicators_ms": 1000.0}
VIEWPORT = {"width": 1920, "height": 1080}  # the meeting-room screen the indicators page is laid out for
PHASES = ("read", "csv_text", "parse_validate", "references", "diff", "write", "rest")
PHASE_LABELS = {
    "read": "read the current version (`Store._read`)",
    "csv_text": "the incoming rows written as CSV text (`changes.to_csv_text`)",
    "parse_validate": "… parsed and checked by the CSV rules (`data.parse_valid`)",
    "references": "every reference checked across the tables (`data.check_references`)",
    "diff": "compare old and new (`changes.diff_datasets`)",
    "write": "write the rows (`Store._write`)",
    "rest": "the rest: connect, lock, version row, commit, read it back",
}

# Installed in every page before its scripts run: stamps (ms since navigation start) of the animation frame
# after the status matrix, the ranking chart (first Vega-Lite chart) and the trend chart (second) are in the DOM
# with a size.
INDICATORS_INIT = """
(() => {
  if (window !== window.top) return;
  const s = window.__ind = {matrix: null, ranking: null, trend: null, exception: null, firstMsg: null,
                             matrixMsg: null, rankingMsg: null, clickAt: null};
  // In-app navigation: the click on a link to the page (the page is not reloaded, so the stamps go on).
  document.addEventListener('pointerdown', () => { if (s.clickAt === null) s.clickAt = performance.now(); },
                            {capture: true});
  const dom = {};
  // The first websocket message (the server has begun to answer) and the last one before the matrix was in
  // the DOM (the server had sent it): what is left until the stamp is the browser's.
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!this.__indHooked) {
      this.__indHooked = true;
      this.addEventListener('message', () => {
        const now = performance.now();
        if (s.firstMsg === null) s.firstMsg = now;
        if (!dom.matrix) s.matrixMsg = now;
        if (!dom.ranking) s.rankingMsg = now;
      });
    }
    return send.call(this, data);
  };
  const sized = (el) => !!el && el.getBoundingClientRect().height > 0;
  const chart = (i) => {
    const c = document.querySelectorAll('[data-testid="stVegaLiteChart"]')[i];
    return c && c.querySelector('canvas, svg');
  };
  const stamp = (name, el) => {
    if (dom[name] || !sized(el)) return;
    dom[name] = true;
    requestAnimationFrame(() => { s[name] = performance.now(); });
  };
  new MutationObserver(() => {
    stamp('matrix', document.querySelector('.st-key-status-matrix table.status-matrix'));
    stamp('ranking', chart(0));
    stamp('trend', chart(1));
    const error = document.querySelector('[data-testid="stException"]');
    if (error && s.exception === null) s.exception = error.innerText.slice(0, 500);
  }).observe(document, {childList: true, subtree: true, attributes: true});
})();
"""


def _perf() -> float:
    return time.perf_counter()


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = _perf()
    out = fn()
    return _perf() - t0, out


# Store ------------------------------------------------------------------------------------------------------
class Phases:
    """Seconds spent in each phase of a publish, from timers wrapped around the functions it calls."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(PHASES[:-1], 0.0)

    def _wrap(self, name: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            t0 = _perf()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += _perf() - t0
        return timed

    @contextmanager
    def patched(self) -> Iterator[Phases]:
        from corpsmap import changes
        from corpsmap.store.store import Store

        with ExitStack() as stack:
            for cls_or_module, attr, name, static in (
                    (Store, "_read", "read", True), (Store, "_write", "write", True),
                    (changes, "to_csv_text", "csv_text", False), (changes, "parse_valid", "parse_validate", False),
                    (changes, "check_references", "references", False), (changes, "diff_datasets", "diff", False)):
                wrapped = self._wrap(name, getattr(cls_or_module, attr))
                stack.enter_context(mock.patch.object(cls_or_module, attr,
                                                      staticmethod(wrapped) if static else wrapped))
            yield self

    def result(self, total: float) -> dict[str, float]:
        return {**self.seconds, "rest": total - sum(self.seconds.values())}


def upcoming_months(n: int) -> list[str]:
    """The `n` months after the generated data: the reports the benchmark publishes."""
    from corpsmap.progress import next_month

    out = [next_month(bigdata.LAST_MONTH)]
    while len(out) < n:
        out.append(next_month(out[-1]))
    return out


def publish_month(store, rows) -> object:
    """The monthly report of `rows` published as the app publishes it (corpsmap/ui/data_entry.py)."""
    from corpsmap import changes

    return store.publish(lambda cur: changes.upsert(cur, "observations", rows),
                         kind="monthly_report", author="bench", comment=f"bench: {rows['month'].iloc[0]}")


def _where(filename: str) -> str:
    """A profile entry's file, short: relative to the checkout or to site-packages."""
    for marker in (str(ROOT) + os.sep, "site-packages" + os.sep):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return Path(filename).name


def profile_rows(profile: cProfile.Profile, limit: int = 25) -> dict[str, list[dict]]:
    """The top functions of a profile by own time, and the app's functions by cumulative time."""
    stats = pstats.Stats(profile).stats
    rows = [{"function": f"{_where(file)}:{line}({name})", "calls": nc, "own_s": round(tt, 4), "cum_s": round(ct, 4),
             "app": file.startswith(str(ROOT))}
            for (file, line, name), (_cc, nc, tt, ct, _callers) in stats.items()]
    own = sorted(rows, key=lambda r: -r["own_s"])[:limit]
    cumulative = sorted((r for r in rows if r["app"]), key=lambda r: -r["cum_s"])[:limit]
    return {"own": own, "cumulative_app": cumulative}


def store_size(store, url: str) -> int:
    """Bytes on disk: the SQLite file after a WAL checkpoint (plus what is left in the WAL), or the database."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    if store.backend == "sqlite":
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(make_url(url).database)
        wal = path.with_name(path.name + "-wal")
        return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()


def server_info(store) -> dict[str, str]:
    from sqlalchemy import text

    if store.backend == "sqlite":
        return {"version": f"SQLite {sqlite3.sqlite_version}", "settings": "WAL, synchronous=FULL (default)"}
    with store.engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
        settings = ", ".join(f"{s}={conn.execute(text(f'SHOW {s}')).scalar_one()}"
                             for s in ("fsync", "synchronous_commit", "shared_buffers"))
    return {"version": f"PostgreSQL {version}", "settings": settings}


def measure_store(url: str, data_dir: Path, publishes: int, log: Callable[[str], None]) -> dict:
    """Seed, publish `publishes` months (+1 profiled), read: the numbers of one backend."""
    from corpsmap.store import open_store

    series = bigdata.series_for(data_dir)
    upcoming = upcoming_months(publishes + 1)
    out: dict = {}
    seconds, store = _timed(lambda: open_store(url, data_dir))
    try:
        out |= {"server": server_info(store), "seed_s": seconds, "size_after_seed": store_size(store, url),
                "publishes": []}
        log(f"  seed {seconds:6.2f} s, {out['size_after_seed'] / 1e6:.1f} MB")
        for month in upcoming[:publishes]:
            rows = series.month_rows(month)
            phases = Phases()
            with phases.patched():
                cpu = time.process_time()
                seconds, version = _timed(lambda rows=rows: publish_month(store, rows))
                cpu = time.process_time() - cpu
            out["publishes"].append({"month": month, "version": version.number, "s": seconds, "cpu_s": cpu,
                                     "phases": phases.result(seconds), "summary": version.summary})
            log(f"  publish {month} → version {version.number}: {seconds:5.2f} s (CPU {cpu:5.2f} s)  "
                + "  ".join(f"{k} {v:.2f}" for k, v in phases.result(seconds).items()))
        rows = series.month_rows(upcoming[publishes])
        profile = cProfile.Profile()
        profile.enable()
        seconds, _version = _timed(lambda: publish_month(store, rows))
        profile.disable()
        out |= {"profiled_publish_s": seconds, "profile": profile_rows(profile)}
        log(f"  publish {upcoming[publishes]} under cProfile: {seconds:5.2f} s")
        latest = store.current_number()
        out["read_s"] = [_timed(lambda: store.read(latest))[0] for _ in range(5)]
        out["read_v1_s"] = _timed(lambda: store.read(1))[0]
        out["size_after"] = store_size(store, url)
        out["versions"] = latest
        log(f"  read v{latest} median {statistics.median(out['read_s']):.2f} s, v1 {out['read_v1_s']:.2f} s; "
            f"size after {out['size_after'] / 1e6:.1f} MB")
    finally:
        store.engine.dispose()
    return out


def postgres_database(admin_url: str):
    """A new database on the server of `admin_url`, dropped afterwards (as the tests use)."""
    from tests.postgres import throwaway_database

    return throwaway_database(admin_url, prefix="corpsmap_bench")


def measure_python(data_dir: Path, log: Callable[[str], None]) -> dict:
    """Backend-independent work on the big data set: validation, progress table, the monthly report preview."""
    from corpsmap import progress
    from corpsmap.data import load_dataset

    out: dict = {}
    out["load_dataset_s"], data = _timed(lambda: load_dataset(data_dir))
    out["dataset_bytes"] = int(sum(f.memory_usage(deep=True).sum() for f in data.tables.values()))
    out["progress_s"] = []
    for _ in range(3):
        seconds, table = _timed(lambda: progress.progress_table(data))
        out["progress_s"].append(seconds)
    out["progress_rows"], out["progress_bytes"] = len(table), int(table.memory_usage(deep=True).sum())
    log(f"  load_dataset {out['load_dataset_s']:.2f} s; progress_table median "
        f"{statistics.median(out['progress_s']):.2f} s ({len(table):,} rows)")
    # What corpsmap.ui.versions.prepare does when a monthly report is uploaded (before anything is published).
    rows = bigdata.series_for(data_dir).month_rows(upcoming_months(1)[0])
    out["preview"] = [preview(data, rows) for _ in range(2)]
    for step in out["preview"]:
        log("  preview " + "  ".join(f"{k} {v:.2f}" for k, v in step.items()))
    return out


def preview(data, rows) -> dict[str, float]:
    """Seconds for each step of what `corpsmap.ui.versions.prepare` works out when a monthly report arrives."""
    from corpsmap import changes, progress

    t0 = _perf()
    after = changes.upsert(data, "observations", rows)
    t1 = _perf()
    changes.diff_datasets(data, after)
    t2 = _perf()
    before_table = progress.progress_table(data)
    t3 = _perf()
    after_table = progress.progress_table(after)
    t4 = _perf()
    step = {"change": t1 - t0, "diff": t2 - t1, "progress_before": t3 - t2, "progress_after": t4 - t3}
    status_changes = getattr(progress, "status_changes", None)  # new in the work on versions; may be absent
    if status_changes is not None:
        status_changes(before_table, after_table)
        step["status_changes"] = _perf() - t4
    step["total"] = sum(step.values())
    return step


# App --------------------------------------------------------------------------------------------------------
def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def _quiet(page, meter, timeout_s: float = 60.0) -> None:
    """Wait until no websocket frame has come for map_click.IDLE_S (every rerun is over)."""
    deadline = time.monotonic() + timeout_s
    while meter.quiet_for() < map_click.IDLE_S:
        if time.monotonic() > deadline:
            raise TimeoutError("the page kept receiving websocket frames")
        page.wait_for_timeout(100)


def indicators_load(browser, base: str, context=None) -> dict:
    """One load of /indicators, in a fresh context unless `context` is given (then its HTTP cache is warm); ms
    from navigation start to the status matrix, the ranking chart and the trend chart painted."""
    own = context is None
    if own:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        context.add_init_script(INDICATORS_INIT)
    page = context.new_page()
    try:
        meter = map_click.WsMeter(page)
        page.goto(base + "/indicators")
        page.wait_for_function("() => (window.__ind.matrix !== null && window.__ind.ranking !== null)"
                               " || window.__ind.exception !== null", timeout=120_000)
        page.wait_for_function("() => window.__ind.trend !== null || window.__ind.exception !== null",
                               timeout=120_000)
        _quiet(page, meter)
        s = page.evaluate("() => window.__ind")
        if s["exception"]:
            raise RuntimeError(f"the indicators page shows an exception: {s['exception']}")
        return {"matrix_ms": s["matrix"], "ranking_ms": s["ranking"], "trend_ms": s["trend"],
                "first_msg_ms": s["firstMsg"], "matrix_msg_ms": s["matrixMsg"], "ranking_msg_ms": s["rankingMsg"],
                "painted_ms": max(s["matrix"], s["ranking"]), "ws_bytes": sum(map(len, meter.frames))}
    finally:
        page.close()
        if own:
            context.close()


def indicators_navigation(browser, base: str) -> dict:
    """In-app navigation: the map page loaded, then its corps panel's link to the indicators page clicked; ms
    from the click to the status matrix, the ranking chart and the trend chart painted."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.add_init_script(INDICATORS_INIT)
    try:
        page = context.new_page()
        meter = map_click.WsMeter(page)
        page.goto(base + "/")
        map_click.settle(page, meter, timeout_s=120)
        link = page.locator('.st-key-panel-corps a[href*="indicators"]').first
        link.wait_for(timeout=60_000)
        mark = len(meter.frames)
        link.click()
        page.wait_for_function("() => (window.__ind.matrix !== null && window.__ind.ranking !== null)"
                               " || window.__ind.exception !== null", timeout=120_000)
        page.wait_for_function("() => window.__ind.trend !== null || window.__ind.exception !== null",
                               timeout=120_000)
        _quiet(page, meter)
        s = page.evaluate("() => window.__ind")
        if s["exception"]:
            raise RuntimeError(f"the indicators page shows an exception: {s['exception']}")
        t0 = s["clickAt"]
        return {"matrix_ms": s["matrix"] - t0, "ranking_ms": s["ranking"] - t0, "trend_ms": s["trend"] - t0,
                "first_msg_ms": None, "matrix_msg_ms": s["matrixMsg"] - t0, "ranking_msg_ms": s["rankingMsg"] - t0,
                "painted_ms": max(s["matrix"], s["ranking"]) - t0, "ws_bytes": sum(map(len, meter.frames[mark:]))}
    finally:
        context.close()


def _log_load(log: Callable[[str], None], label: str, load: dict) -> None:
    log(f"  /indicators {label:28} matrix {load['matrix_ms']:5.0f} ms (first msg {map_click._fmt(load['first_msg_ms'])}"
        f", matrix msg {load['matrix_msg_ms']:5.0f}), ranking {load['ranking_ms']:5.0f} ms (msg "
        f"{load['ranking_msg_ms']:5.0f}), trend "
        f"{load['trend_ms']:5.0f} ms, ws {load['ws_bytes'] / 1000:4.0f} KB")


@contextmanager
def serve(data_dir: Path, folder: str) -> Iterator[tuple[object, str]]:
    """The app on `data_dir` with a new SQLite store in `folder`; yields (process, base URL), stops it after."""
    from tests.browser import start_app

    env = {"CORPSMAP_DATA_DIR": str(data_dir), "CORPSMAP_DATABASE_URL": f"sqlite:///{folder}/store.sqlite",
           # No file watcher: colleagues editing the tree during a run would otherwise add work to the server.
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    proc, base = start_app(env=env)
    try:
        yield proc, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def first_page(browser, base: str):
    """Open / in a new page and wait until the corps panel is there; returns (context, page, meter, times)."""
    context, page, meter = map_click.new_page(browser)
    t0 = time.monotonic()
    page.goto(base + "/")
    painted = page.wait_for_function("() => window.__bench.mapPaintAt", timeout=180_000).json_value()
    map_ms = painted - page.evaluate("() => performance.timeOrigin")
    page.locator(".st-key-panel-corps").wait_for(timeout=180_000)
    panel_s = time.monotonic() - t0
    map_click.settle(page, meter, timeout_s=120)
    return context, page, meter, {"first_map_ms": map_ms, "first_panel_s": panel_s}


def measure_app(data_dir: Path, rounds: int, loads: int, log: Callable[[str], None]) -> dict:
    """The app on the big data set: first page, clicks → panel, /indicators loads, server memory; /indicators
    also on the seed data (data/) for reference, the two servers taking turns."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path

    zones, points = map_click.zone_order()
    out: dict = {"clicks": [], "indicators": [], "indicators_seed": [], "indicators_warm": [], "indicators_nav": []}
    with (tempfile.TemporaryDirectory(prefix="corpsmap-bench-store-") as tmp,
          serve(data_dir, tmp) as (proc, base), sync_playwright() as p):
        out["memory_start"] = memory(proc.pid)
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            out["chromium"] = browser.version
            context, page, meter, times = first_page(browser, base)
            out |= times
            out["memory_first_page"] = memory(proc.pid)
            log(f"  first page: map painted {out['first_map_ms']:.0f} ms, corps panel {out['first_panel_s']:.1f} s")
            for r in range(rounds):
                for zone in zones:
                    c = map_click.measure_click(page, meter, "app", r, zone, points[zone])
                    out["clicks"].append(asdict(c))
                    log(f"  click r{r} {zone:11} panel {c.panel_ms:5.0f} ms (in the DOM {c.panel_dom_ms:5.0f}, sent "
                        f"{map_click._fmt(c.sent_ms)}, last msg {map_click._fmt(c.last_msg_ms)})"
                        f"  ws {c.ws_bytes / 1000:4.0f} KB{'  remounted' if c.remounted else ''}")
            context.close()
            with tempfile.TemporaryDirectory(prefix="corpsmap-bench-seed-") as seed_tmp, \
                    serve(ROOT / "data", seed_tmp) as (_seed_proc, seed_base):
                seed_context, *_rest = first_page(browser, seed_base)  # leaves pages-directory mode; warms
                seed_context.close()
                for i in range(loads + 1):  # the first of each is not counted
                    for label, url, series in (("big", base, "indicators"), ("seed", seed_base, "indicators_seed")):
                        load = indicators_load(browser, url) | {"counted": i > 0}
                        out[series].append(load)
                        _log_load(log, f"{label}, fresh{'' if i else ' (not counted)'}", load)
            for _ in range(min(loads, 3)):
                load = indicators_navigation(browser, base) | {"counted": True}
                out["indicators_nav"].append(load)
                _log_load(log, "big, in-app link from the map", load)
            context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
            context.add_init_script(INDICATORS_INIT)
            for i in range(min(loads, 3) + 1):
                load = indicators_load(browser, base, context) | {"counted": i > 0}
                out["indicators_warm"].append(load)
                _log_load(log, f"big, cached{'' if i else ' (not counted)'}", load)
            context.close()
        finally:
            browser.close()
        out["memory_end"] = memory(proc.pid)
        log(f"  server memory: {out['memory_end']}")
    return out


def measure_app_retrying(data_dir: Path, rounds: int, loads: int, wait_minutes: float,
                         log: Callable[[str], None]) -> dict:
    """measure_app, tried again every minute for up to `wait_minutes` if the app does not start or errs (others
    may be editing it); {"error": …} if it never works."""
    deadline = time.monotonic() + wait_minutes * 60
    attempt = 0
    while True:
        attempt += 1
        try:
            return measure_app(data_dir, rounds, loads, log) | {"attempts": attempt}
        except Exception as exc:  # a benchmark reports what it could not measure, and goes on
            error = f"{type(exc).__name__}: {exc}".strip()[:1000]
            log(f"  app attempt {attempt} failed: {error}")
            traceback.print_exc()
            if time.monotonic() + 60 > deadline:
                return {"error": error, "attempts": attempt}
            time.sleep(60)


# Run and report ---------------------------------------------------------------------------------------------
def chromium_version() -> str:
    try:
        from tests.browser import chromium_path

        text_ = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True, timeout=30).stdout
        return re.search(r"([\d.]+\d)", text_).group(1)
    except Exception:
        return "unknown"


def run(args: argparse.Namespace, log: Callable[[str], None] = print) -> dict:
    result: dict = {"generated_at": time.strftime("%Y-%m-%d %H:%M"), "publishes": args.publishes,
                    "machine": map_click.machine(chromium_version()), "backends": {}}
    with tempfile.TemporaryDirectory(prefix="corpsmap-bench-bigdata-") as tmp:
        data_dir = Path(tmp) / "data"
        seconds, rows = _timed(lambda: bigdata.build(data_dir))
        result |= {"rows": rows, "csv_bytes": sum(p.stat().st_size for p in data_dir.glob("*.csv")),
                   "generate_s": seconds}
        log(f"data set in {seconds:.1f} s: {rows}")
        log("python (no database)")
        result["python"] = measure_python(data_dir, log)
        log("sqlite")
        result["backends"]["sqlite"] = measure_store(f"sqlite:///{tmp}/store.sqlite", data_dir, args.publishes, log)
        admin = os.environ.get(POSTGRES_ENV)
        if admin:
            log("postgresql")
            with postgres_database(admin) as url:
                result["backends"]["postgresql"] = measure_store(url, data_dir, args.publishes, log)
        if not args.no_app:
            log("app (Chromium, SQLite store)")
            result["app"] = measure_app_retrying(data_dir, args.rounds, args.loads, args.app_wait, log)
    result["machine"]["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return result


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f} s"


def _ms(ms: float | None) -> str:
    return "–" if ms is None else f"{ms:,.0f} ms"


def _mb(n: float | None) -> str:
    return "–" if n is None else f"{n / 1e6:.1f} MB"


def _yes(ok: bool | None) -> str:
    return "not measured" if ok is None else "yes" if ok else "**no**"


def summary(result: dict) -> dict:
    """The numbers the doc shows, per backend and for the app."""
    out: dict = {"backends": {}}
    for name, b in result["backends"].items():
        times = [p["s"] for p in b["publishes"]]
        out["backends"][name] = {
            "publish_median": _median(times), "publish_max": max(times), "publish_min": min(times),
            "phases": {k: _median([p["phases"][k] for p in b["publishes"]]) for k in PHASES},
            "read_median": _median(b["read_s"]),
        }
    app = result.get("app") or {}
    if app and "error" not in app:
        panel = [c["panel_ms"] for c in app["clicks"]]
        counted = [lo for lo in app["indicators"] if lo["counted"]]
        out["app"] = {
            "clicks": len(panel), "panel_median": _median(panel), "panel_p95": report.p95(panel),
            "panel_min": min(panel), "panel_max": max(panel),
            "sent_median": _median([c["sent_ms"] for c in app["clicks"] if c["sent_ms"] is not None]),
            "last_msg_median": _median([c["last_msg_ms"] for c in app["clicks"] if c["last_msg_ms"] is not None]),
            "click_ws_median": _median([c["ws_bytes"] for c in app["clicks"]]),
            "remounts": sum(c["remounted"] for c in app["clicks"]),
            "loads": len(counted),
            "painted_max": max(lo["painted_ms"] for lo in counted),
            "panel_dom_median": _median([c["panel_dom_ms"] for c in app["clicks"]]),
            "loads_series": {series: _load_stats(app.get(series, [])) for series in LOAD_SERIES},
        }
        out["app"] |= {f"{k}_median": v for k, v in out["app"]["loads_series"]["indicators"].items()
                       if k in ("painted", "matrix", "ranking", "trend")}
    return out


LOAD_SERIES = {"indicators": "big data, fresh browser context (the target)",
               "indicators_seed": "seed data (data/), fresh context, for reference",
               "indicators_warm": "big data, returning browser (one context: HTTP cache warm)",
               "indicators_nav": "big data, in-app: the map page's link clicked (ms from the click)"}


def _load_stats(loads: list[dict]) -> dict[str, float]:
    """Medians of the counted loads of one series (empty if there were none)."""
    counted = [lo for lo in loads if lo["counted"]]
    if not counted:
        return {}
    keys = ("first_msg", "matrix_msg", "matrix", "ranking_msg", "ranking", "trend", "painted")
    return {"n": len(counted), **{k: _median([lo[f"{k}_ms"] for lo in counted]) if counted[0][f"{k}_ms"] is not None
                                  else None for k in keys},
            "max": max(lo["painted_ms"] for lo in counted), "ws": _median([lo["ws_bytes"] for lo in counted])}


def verdicts(result: dict, s: dict) -> list[tuple[str, str, str, str]]:
    """(target, SQLite, PostgreSQL, met?) rows."""
    rows = []
    pub = s["backends"]
    cells, oks = [], []
    for name in ("sqlite", "postgresql"):
        if name in pub:
            b = pub[name]
            cells.append(f"{_s(b['publish_median'])} (max {_s(b['publish_max'])})")
            oks.append(b["publish_median"] <= TARGETS["publish_s"])
        else:
            cells.append("not measured")
    met = ", ".join(f"{n}: {_yes(ok)}" for n, ok in zip([n for n in ("sqlite", "postgresql") if n in pub], oks))
    rows.append((f"Publish a month for all zones (240 rows), median ≤ {TARGETS['publish_s']:.0f} s", *cells, met))
    app = s.get("app")
    click = app["panel_median"] if app else None
    rows.append((f"Click → panel, median ≤ {TARGETS['click_median_ms']:.0f} ms", _ms(click), "(app on SQLite)",
                 _yes(None if click is None else click <= TARGETS["click_median_ms"])))
    painted = app["painted_median"] if app else None
    rows.append((f"Indicators page: matrix and ranking chart painted, median ≤ {TARGETS['indicators_ms']:.0f} ms",
                 _ms(painted) + (f" (max {_ms(app['painted_max'])})" if app else ""), "(app on SQLite)",
                 _yes(None if painted is None else painted <= TARGETS["indicators_ms"])))
    return rows


def _kb(kb: int | None) -> str:
    return "–" if kb is None else f"{kb / 1024:,.0f} MiB"


def section(result: dict) -> str:
    s = summary(result)
    m, rows, py = result["machine"], result["rows"], result["python"]
    backends = result["backends"]
    pg = backends.get("postgresql")
    sq = backends["sqlite"]

    def both(fn: Callable[[dict], str]) -> tuple[str, str]:
        return fn(sq), (fn(pg) if pg else "not measured")

    n = result["publishes"]
    targets = ["| Target | SQLite | PostgreSQL | Met? |", "|---|---:|---:|:---:|"]
    targets += [f"| {' | '.join(r)} |" for r in verdicts(result, s)]

    bs = s["backends"]
    store_rows = [
        ("Seed: `open_store(url, data_dir)` (migrations, CSVs validated, version 1 written)",
         *both(lambda b: _s(b["seed_s"]))),
        ("Store size after the seed / after all publishes", *both(
            lambda b: f"{_mb(b['size_after_seed'])} / {_mb(b['size_after'])}")),
        (f"**Publish a month (240 observation rows), median** of {n}",
         *both(lambda b: f"**{_s(_median([p['s'] for p in b['publishes']]))}**")),
        ("… min – max", *both(lambda b: f"{_s(min(p['s'] for p in b['publishes']))} – "
                                         f"{_s(max(p['s'] for p in b['publishes']))}")),
        ("… CPU time of the publishing process, median (less sensitive to other work on the machine)",
         *both(lambda b: _s(_median([p["cpu_s"] for p in b["publishes"]])))),
        ("Read a whole version (`store.read(latest)`), median of 5",
         *both(lambda b: _s(_median(b["read_s"])))),
        ("Read version 1 (`store.read(1)`)", *both(lambda b: _s(b["read_v1_s"]))),
    ]
    store_table = ["| Measure | SQLite | PostgreSQL |", "|---|---:|---:|"]
    store_table += [f"| {' | '.join(r)} |" for r in store_rows]

    phase_table = ["| Phase of a publish (median of each) | SQLite | share | PostgreSQL | share |",
                   "|---|---:|---:|---:|---:|"]
    for k in PHASES:
        cells = []
        for name in ("sqlite", "postgresql"):
            if name in bs:
                v, total = bs[name]["phases"][k], sum(bs[name]["phases"].values())
                cells += [_s(v), f"{v / total:.0%}"]
            else:
                cells += ["–", ""]
        phase_table.append(f"| {PHASE_LABELS[k]} | {' | '.join(cells)} |")

    hot = sq["profile"]["own"][:10]
    hot_table = ["| Function (own time, cProfile, SQLite) | calls | own | cumulative |", "|---|---:|---:|---:|"]
    hot_table += [f"| `{h['function']}` | {h['calls']:,} | {_s(h['own_s'])} | {_s(h['cum_s'])} |" for h in hot]
    app_fns = [h for h in sq["profile"]["cumulative_app"] if "store_bench" not in h["function"]][:12]
    cum_table = ["| App function (cumulative time, cProfile, SQLite) | calls | cumulative |", "|---|---:|---:|"]
    cum_table += [f"| `{h['function']}` | {h['calls']:,} | {_s(h['cum_s'])} |" for h in app_fns]

    prev = py["preview"]
    prev_keys = [k for k in prev[0] if k != "total"]
    preview = ", ".join(f"{k.replace('_', ' ')} {_s(_median([p[k] for p in prev]))}" for k in prev_keys)
    python_rows = [
        ("`load_dataset` of the generated CSVs (read and validate)", _s(py["load_dataset_s"])),
        ("`progress_table(dataset)`, median of 3 (once per version and server, on its first page)",
         f"{_s(_median(py['progress_s']))} ({py['progress_rows']:,} rows)"),
        ("Monthly report preview on upload (`versions.prepare`'s work), median of 2",
         f"{_s(_median([p['total'] for p in prev]))}: {preview}"),
        ("A version in memory: the data set / its progress table (pandas, deep)",
         f"{_mb(py['dataset_bytes'])} / {_mb(py['progress_bytes'])}"),
    ]
    python_table = ["| In Python, no database | |", "|---|---:|"]
    python_table += [f"| {a} | {b} |" for a, b in python_rows]

    app = result.get("app") or {}
    a = s.get("app")
    if a:
        app_rows = [
            ("First page after the server starts (it seeds the store, reads the version, computes progress): "
             "map painted / corps panel shown", f"{_ms(app['first_map_ms'])} / {_s(app['first_panel_s'])}"),
            (f"**Click → panel painted, median** ({a['clicks']} clicks)", f"**{_ms(a['panel_median'])}**"),
            ("… p95 / min – max", f"{_ms(a['panel_p95'])} / {_ms(a['panel_min'])} – {_ms(a['panel_max'])}"),
            ("… click → rerun request sent / → last message before the panel, median",
             f"{_ms(a['sent_median'])} / {_ms(a['last_msg_median'])}"),
            ("… websocket bytes received per click, median; clicks that remounted the map",
             f"{a['click_ws_median'] / 1000:,.0f} KB; {a['remounts']} of {a['clicks']}"),
            ("… in the DOM (median); the rest is painting it", _ms(a["panel_dom_median"])),
            ("Server memory (VmRSS): at start / after the first page / after all clicks and loads",
             f"{_kb(app['memory_start'].get('VmRSS'))} / {_kb(app['memory_first_page'].get('VmRSS'))} / "
             f"{_kb(app['memory_end'].get('VmRSS'))}"),
            ("… peak (VmHWM)", _kb(app["memory_end"].get("VmHWM"))),
        ]
        app_table = ["| App on the big store (SQLite) | |", "|---|---:|"]
        app_table += [f"| {x} | {y} |" for x, y in app_rows]
        load_table = ["| /indicators, ms from navigation start (medians) | loads | first websocket message | "
                      "last message before the matrix | matrix painted | last message before the ranking chart | "
                      "ranking chart painted | trend chart painted | **matrix and ranking painted** (max) | "
                      "websocket bytes |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for series, label in LOAD_SERIES.items():
            st = a["loads_series"][series]
            if st:
                load_table.append(
                    f"| {label} | {st['n']} | {_ms(st['first_msg'])} | {_ms(st['matrix_msg'])} | {_ms(st['matrix'])} "
                    f"| {_ms(st['ranking_msg'])} | {_ms(st['ranking'])} | {_ms(st['trend'])} "
                    f"| **{_ms(st['painted'])}** ({_ms(st['max'])}) "
                    f"| {st['ws'] / 1000:,.0f} KB |")
        app_text = "\n".join(app_table) + "\n\n" + "\n".join(load_table)
        big, seed = a["loads_series"]["indicators"], a["loads_series"]["indicators_seed"]
        if big and seed:
            app_text += (
                f"\n\nAgainst the seed data the big data set changes the median by "
                f"{big['painted'] - seed['painted']:+,.0f} ms (matrix and ranking painted) and "
                f"{big['matrix_msg'] - seed['matrix_msg']:+,.0f} ms (the server's messages up to the matrix); "
                f"on this shared machine such medians move by a second or more from run to run. In a fresh "
                f"context the first "
                f"websocket message comes {_ms(big['first_msg'])} after navigation start (Streamlit starting in "
                f"the browser and connecting, before the page's script has sent anything), and the ranking chart "
                f"is painted {_ms(big['ranking'] - big['ranking_msg'])} after the last message before it (Vega "
                f"drawing in the browser).")
    else:
        app_text = (f"**The app could not be measured** ({app.get('attempts', 0)} attempts): "
                    f"`{app.get('error', 'not run (--no-app)')}`")

    largest = sorted(((bs["sqlite"]["phases"][k], k) for k in PHASES), reverse=True)[:3]
    total = sum(bs["sqlite"]["phases"].values())
    largest_text = "; ".join(f"{PHASE_LABELS[k].removeprefix('… ')} {v / total:.0%}" for v, k in largest)
    servers = "; ".join(f"{b['server']['version']} ({b['server']['settings']})" for b in backends.values())
    method = __doc__.split("\n\n", 1)[1].split("\n\nRun:", 1)[0].strip()
    return f"""{START}
## Data store at realistic size: 10 years × 8 zones × 30 indicators

Measured on {m['date']} with `.venv/bin/python bench/store_bench.py` (part of `make bench`): a generated data
set of {rows['observations']:,} observations (8 zones × 30 indicators × 120 months, 2013-01 … 2022-12, and the
article's corps-wide rows), {rows['targets']:,} targets, {rows['projects']:,} projects and {rows['indicators']}
indicators ({_mb(result['csv_bytes'])} of CSV), then {n} monthly publishes of 240 rows each. The section down to
the end marker is rewritten by each run; raw samples are in `test-artifacts/bench-store.json`.

{chr(10).join(targets)}

{chr(10).join(store_table)}

**Where a publish spends its time** (each publish reads the whole current version, checks the 240 incoming
rows by the CSV rules and every reference again, compares old and new in the one table it touched, then
writes the 240 new rows). Until 2026-12-02 it re-validated every table through CSV text and compared all
eight: 3.5 s on SQLite, 2.9 s on PostgreSQL. Largest on
SQLite: {largest_text}.

{chr(10).join(phase_table)}

{chr(10).join(hot_table)}

{chr(10).join(cum_table)}

One more publish under cProfile took {_s(sq['profiled_publish_s'])} (profiling slows it); raw profiles of both
backends are in the raw samples.

{chr(10).join(python_table)}

{app_text}

**Machine.** {m['cpus']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}, Python {m['python']};
{m['versions']}, headless with `tests.browser.CHROMIUM_ARGS`; {servers}. The database server, the app
server, Chromium and Playwright share these CPUs with other work; load average {m['load_before']} at the start,
{m.get('load_after', '–')} at the end (1, 5, 15 min).

**Method.**

{method}
{END}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--publishes", type=int, default=5, help="months published and timed (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the eight zones (default 2: 16 clicks)")
    parser.add_argument("--loads", type=int, default=5, help="/indicators loads counted (default 5)")
    parser.add_argument("--app-wait", type=float, default=0, metavar="MINUTES",
                        help="if the app fails, try again every minute for this long (default 0: once)")
    parser.add_argument("--no-app", action="store_true", help="measure the store only (no browser)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--from-raw", action="store_true", help=f"rewrite the section from {RAW.name} without "
                                                                "measuring again")
    args = parser.parse_args(argv)
    if args.from_raw:
        result = json.loads(RAW.read_text(encoding="utf-8"))
    else:
        result = run(args, log=lambda line: print(line, flush=True))
        report.save_raw(RAW, result)
    report.publish(section(result), START, END, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
