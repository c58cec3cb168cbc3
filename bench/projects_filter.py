"""Project library benchmark: pages/projects.py against a naive baseline (bench/baseline_projects_app.py),
both on a generated set of 5,000 projects across the eight zones.

* Data: data/ copied to a temporary folder with projects.csv replaced by `generate_projects` (positions drawn
  inside the schematic zone polygons, 10 % without a position, amounts, statuses, chains and years drawn at
  random with a fixed seed); both servers read it through CORPSMAP_DATA_DIR.
* Filter change → view updated: in Chromium, the zone filter is changed through its widget, alternately
  adding one zone (5,000 → ~625 projects) and removing it again (→ 5,000), for every zone. A capture-phase
  `pointerdown` listener stamps the click on the option (or the chip's remove button); a requestAnimationFrame
  loop stamps the first frame in which both the table holds the new row count (the grid's `aria-rowcount`)
  and the map shows the new points (app: `window.corpsProjects` carries the new filter key and has finished
  adding its markers; baseline: the map iframe holds one `path.leaflet-interactive` per located project).
  Both stamps are `performance.now()` of the page, so Playwright's round trips never enter a number.
  A zone is added by typing its name and clicking the one option left: the option list is virtualized, and
  an option that first has to be scrolled into view can lose the click on a loaded machine. Each change
  starts with Streamlit idle. A click the widget did not take (its chips unchanged) is done once more,
  measured from its own click, and counted as a retry in the output.
* Payload: (1) in Python, the arguments st_folium sends for the map (script, header, html, feature group),
  built as each page builds it, for all 5,000 projects and for one zone; also `len(m.get_root().render())`,
  the same map as a standalone folium page; (2) in Chromium, the websocket bytes the page receives per filter
  change (Playwright reports frames decompressed).

Run: `.venv/bin/python bench/projects_filter.py` (writes its section of docs/performance.md; `--no-write`
only prints). Benchmarks, not tests: a missed target is reported, never raised.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/projects_filter.py`: only bench/ is on the path
    sys.path.insert(0, str(ROOT))

import report  # noqa: E402  (bench/ is on sys.path)
from map_click import WsMeter, machine  # noqa: E402

from tests.browser import CHROMIUM_ARGS, MAP_IFRAME, chromium_path, start_app  # noqa: E402

RAW = ROOT / "test-artifacts" / "bench-projects-filter.json"
START, END = "<!-- projects-filter:start -->", "<!-- projects-filter:end -->"
N_PROJECTS = 5000
TARGETS = {"filter_median_ms": 1000.0, "payload_bytes": 1_000_000}
VIEWPORT = {"width": 1920, "height": 1080}
APPS = ("app", "baseline")
STATUS = "[data-testid=stStatusWidget]"
QUIET_S = 1.0  # Streamlit counts as idle after this long without a status widget or a websocket frame
CHIPS_MS = 15_000  # how long a click may take to show in the widget before it counts as lost

# Installed before each change: stamps the click, then watches frame by frame for table and map to agree
# with `expect` ({rows, mapped, key}).
ARM = """
([expect, mode]) => {
  const s = window.__pf = {t0: null, t1: null};
  document.addEventListener('pointerdown', () => { if (s.t0 === null) s.t0 = performance.now(); },
                            {capture: true, once: true});
  const updated = () => {
    const table = document.querySelector('[data-testid="stDataFrame"] table');
    if (!table || Number(table.getAttribute('aria-rowcount')) !== expect.rows + 1) return false;
    const f = document.querySelector('MAP_IFRAME');
    const w = f && f.contentWindow;
    if (!w) return false;
    if (mode === 'app') {
      return !!w.corpsProjects && w.corpsProjects.key === expect.key && w.corpsProjects.ready;
    }
    return w.document.querySelectorAll('path.leaflet-interactive').length === expect.mapped;
  };
  const poll = () => {
    if (s.t0 !== null && updated()) { s.t1 = performance.now(); } else { requestAnimationFrame(poll); }
  };
  requestAnimationFrame(poll);
}
""".replace("MAP_IFRAME", MAP_IFRAME.replace('"', '\\"'))

# True when the zone widget shows exactly the chips `want`.
SHOWS = """
(want) => JSON.stringify([...document.querySelectorAll('.st-key-filter_zone [data-tag]')]
                         .map(e => e.getAttribute('aria-label'))) === JSON.stringify(want)
"""


def generate_projects(data_dir: Path, n: int = N_PROJECTS, seed: int = 7) -> pd.DataFrame:
    """Write `n` generated projects over the eight zones to data_dir/projects.csv; returns them as written."""
    from corpsmap import geo
    from corpsmap.data import load_dataset

    data = load_dataset(data_dir)
    rng = np.random.default_rng(seed)
    zones = data.zones.set_index("zone_id")
    chains = data.industry_chains.set_index("chain_id")
    shapes = geo.load_zone_shapes().set_index("zone_id")
    zone_of = rng.choice(list(zones.index), n)
    chain_of = rng.choice(list(chains.index), n)
    statuses = ["planned", "signed", "started", "under_construction", "in_operation", "not_stated"]
    status_of = rng.choice(statuses, n, p=[0.15, 0.25, 0.15, 0.25, 0.15, 0.05])
    amount = np.round(rng.lognormal(np.log(8), 1.2, n), 2)
    has_amount = rng.random(n) > 0.2
    kind = rng.choice(["total", "at_least", "financing"], n, p=[0.9, 0.05, 0.05])
    located = rng.random(n) > 0.1
    dated = rng.random(n) > 0.15
    positions = {}
    for zone_id in zones.index:
        count = int((zone_of == zone_id).sum())
        points = shapes.loc[[zone_id]].geometry.sample_points(count, rng=rng).iloc[0]
        positions[zone_id] = iter(getattr(points, "geoms", [points]))
    rows = []
    for i in range(n):
        z, c = zones.loc[zone_of[i]], chains.loc[chain_of[i]]
        point = next(positions[zone_of[i]])
        rows.append({
            "project_id": f"gen-{i:05d}", "zone_id": zone_of[i], "kind": "project",
            "name_zh": f"【生成】{z['short_zh']}{c['name_zh']}项目{i:04d}",
            "name_en": f"[Generated] {z['short_en']} {c['name_en']} project {i:04d}",
            "status": status_of[i], "industry_chain": chain_of[i],
            "investment_yi": amount[i] if has_amount[i] else None, "amount_kind": kind[i] if has_amount[i] else None,
            "start_date": f"{rng.integers(2019, 2024)}-{rng.integers(1, 13):02d}" if dated[i] else None,
            "lat": round(point.y, 5) if located[i] else None, "lon": round(point.x, 5) if located[i] else None,
            "location_precision": "approximate" if located[i] else "none", "public": "true",
            "note_zh": "生成数据，仅供性能测试", "note_en": "Generated for the benchmark",
            "provenance": "illustrative", "source_id": "illustrative",
        })
    frame = pd.DataFrame(rows)
    frame.to_csv(data_dir / "projects.csv", index=False)
    load_dataset(data_dir)  # the generated file must pass the app's own validation
    return frame


@contextmanager
def serve(app: str, data_dir: Path) -> Iterator[str]:
    """Start the app or the baseline on `data_dir`; yields the base URL and stops the server afterwards."""
    script = "app.py"
    with tempfile.TemporaryDirectory(prefix="corpsmap-bench-") as tmp:
        if app == "baseline":
            # Streamlit serves static/ next to the main script: a launcher in a folder linking the app's static/
            # gives the baseline the same local Leaflet files.
            (Path(tmp) / "static").symlink_to(ROOT / "static", target_is_directory=True)
            script = str(Path(tmp) / "baseline_projects_app.py")
            Path(script).write_text(
                f"import runpy\nrunpy.run_path({str(ROOT / 'bench' / 'baseline_projects_app.py')!r})\n")
        proc, base = start_app(env={"CORPSMAP_DATA_DIR": str(data_dir)}, script=script)
        try:
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def changes(data_dir: Path, rounds: int) -> list[dict]:
    """The filter changes in order: add a zone, then remove it again, for every zone, `rounds` times."""
    from corpsmap import projects
    from corpsmap.data import load_dataset
    from corpsmap.i18n import name_of

    data = load_dataset(data_dir)
    every = {"rows": len(data.projects), "mapped": int(data.projects["lat"].notna().sum()), "key": ""}
    steps = []
    for _ in range(rounds):
        for zone in data.zones.sort_values("river_order").itertuples():
            f = projects.ProjectFilter(zones=(zone.zone_id,))
            found = projects.apply(data.projects, data.zones, f)
            label = name_of(zone._asdict(), "zh", "short")
            one = {"rows": len(found), "mapped": int(found["lat"].notna().sum()),
                   "key": f"zone={zone.zone_id}"}
            steps += [{"action": "add", "label": label, **one}, {"action": "remove", "label": label, **every}]
    return steps


def open_page(browser, app: str, base: str):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    meter = WsMeter(page)
    page.goto(base + ("/projects" if app == "app" else "/"))
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=120_000)
    wait_idle(page, meter)
    return context, page, meter


def wait_idle(page, meter: WsMeter, timeout_s: float = 180.0) -> None:
    """Wait until Streamlit runs no script: no status widget and no websocket frame for QUIET_S.

    The status widget alone is not enough: it appears only 500 ms into a run, and a run can follow the last
    one by itself (the baseline's map sends its value back once drawn, which reruns the script).
    """
    deadline = time.monotonic() + timeout_s
    while meter.quiet_for() < QUIET_S or page.locator(STATUS).count():
        if time.monotonic() > deadline:
            status = page.locator(STATUS).all_inner_texts()
            raise TimeoutError(f"Streamlit not idle after {timeout_s:.0f} s: status widget {status}, "
                               f"last websocket frame {meter.quiet_for():.1f} s ago")
        page.wait_for_timeout(100)  # also lets Playwright deliver the websocket events


def click_change(page, app: str, step: dict) -> None:
    """Arm the stamps, then make the change with one click (on the zone's option, or its chip's remove button)."""
    widget = page.locator(".st-key-filter_zone")
    if step["action"] == "add":
        widget.locator("input").fill(step["label"])  # leaves one option, at the top: nothing to scroll
        target = page.get_by_role("option", name=step["label"], exact=True)
        target.wait_for()
    else:
        target = widget.get_by_role("button", name=f"Remove {step['label']}")
    page.evaluate(ARM, [step, app])  # after the typing, so the next pointerdown is this click's
    target.click()


def measure(page, meter: WsMeter, app: str, step: dict) -> dict:
    """One filter change through the zone widget; ms from the click to table and map both updated.

    A click the widget does not show within CHIPS_MS is done once more after Streamlit is idle again; the
    time is then from the second click (ARM starts the stamps afresh) and `retries` is 1.
    """
    want = [step["label"]] if step["action"] == "add" else []
    for retries in range(2):
        wait_idle(page, meter)
        mark = len(meter.frames)
        click_change(page, app, step)
        try:
            page.wait_for_function(SHOWS, arg=want, timeout=CHIPS_MS)
            break
        except PlaywrightTimeout:
            if retries:
                raise RuntimeError(f"{app}: {step['action']} {step['label']}: the widget took neither click") from None
            print(f"{app:8} {step['action']:6} {step['label']}: the widget did not take the click, clicking again",
                  flush=True)
    page.wait_for_function("() => window.__pf.t1 !== null", timeout=180_000)
    stamps = page.evaluate("() => window.__pf")
    if step["action"] == "add":
        page.keyboard.press("Escape")  # close the option list
    wait_idle(page, meter)  # every rerun of this change is over: its websocket bytes are all in
    return {"app": app, **step, "ms": stamps["t1"] - stamps["t0"], "retries": retries,
            "ws_bytes": sum(map(len, meter.frames[mark:]))}


def python_payload(data_dir: Path) -> dict[str, dict[str, int]]:
    """What st_folium is sent for each page's map, all projects and one zone, built as the pages build them."""
    import folium
    from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string

    from corpsmap import geo, mapview, project_map, projects
    from corpsmap.assets import localize
    from corpsmap.data import load_dataset
    from corpsmap.i18n import name_of

    data = load_dataset(data_dir)
    shapes, districts, river = geo.load_zone_shapes(), geo.load_districts(), geo.load_river()
    sizes: dict[str, dict[str, int]] = {}
    for name, f in (("all", projects.ProjectFilter()), ("one_zone", projects.ProjectFilter(zones=("qiaonan",)))):
        found = projects.apply(data.projects, data.zones, f)
        m = project_map.project_base_map(shapes, data.zones, districts, river, "zh")
        m.get_root().render()
        args = len(_get_map_string(m).encode()) + len(_get_header(m).encode()) + len(_get_html(m).encode())
        layer = len(_get_feature_group_string(project_map.project_layer(found, data, "zh", name), m).encode())
        sizes[f"app_{name}"] = {"args": args + layer, "layer": layer, "folium_html": len(m.get_root().render())}

        b = mapview.base_map(districts, river, "zh")
        for p in found[found["lat"].notna()].itertuples():
            folium.CircleMarker((p.lat, p.lon), radius=project_map.radius_of(p.investment_yi), weight=1, fill=True,
                                color="#ffffff", fill_color=project_map.STATUS_COLORS[p.status], fill_opacity=0.85,
                                tooltip=name_of(p._asdict(), "zh")).add_to(b)
        localize(b).get_root().render()
        args = len(_get_map_string(b).encode()) + len(_get_header(b).encode()) + len(_get_html(b).encode())
        sizes[f"baseline_{name}"] = {"args": args, "layer": 0, "folium_html": len(b.get_root().render())}
    return sizes


def summary(samples: list[dict]) -> dict[str, dict[str, float]]:
    out = {}
    for app in APPS:
        mine = [s for s in samples if s["app"] == app]
        ms = [s["ms"] for s in mine]
        out[app] = {"n": len(ms), "median": statistics.median(ms), "p95": report.p95(ms),
                    "retries": sum(s.get("retries", 0) for s in mine),
                    "min": min(ms), "max": max(ms),
                    "add_median": statistics.median(s["ms"] for s in mine if s["action"] == "add"),
                    "remove_median": statistics.median(s["ms"] for s in mine if s["action"] == "remove"),
                    "ws_add_median": statistics.median(s["ws_bytes"] for s in mine if s["action"] == "add"),
                    "ws_remove_median": statistics.median(s["ws_bytes"] for s in mine if s["action"] == "remove")}
    return out


def section(result: dict) -> str:
    s, py, m = result["summary"], result["python_payload"], result["machine"]
    app, base = s["app"], s["baseline"]

    def ms(v: float) -> str:
        return f"{v:,.0f} ms"

    def kb(v: float) -> str:
        return f"{v / 1000:,.0f} KB"

    rows = [
        ("**Filter change → table and map updated, median**", ms(app["median"]), ms(base["median"]),
         f"**{base['median'] / app['median']:.1f}×**"),
        ("… p95", ms(app["p95"]), ms(base["p95"]), f"{base['p95'] / app['p95']:.1f}×"),
        ("… min – max", f"{ms(app['min'])} – {ms(app['max'])}", f"{ms(base['min'])} – {ms(base['max'])}", ""),
        ("… median, adding a zone (5,000 → ~625 projects)", ms(app["add_median"]), ms(base["add_median"]), ""),
        ("… median, removing it (→ 5,000 projects)", ms(app["remove_median"]), ms(base["remove_median"]), ""),
        ("Map payload, all 5,000 projects (st_folium arguments)", kb(py["app_all"]["args"]),
         kb(py["baseline_all"]["args"]), f"{py['baseline_all']['args'] / py['app_all']['args']:.1f}×"),
        ("… of which the points (app: the feature group)", kb(py["app_all"]["layer"]), "(in the map script)", ""),
        ("Map payload, one zone", kb(py["app_one_zone"]["args"]), kb(py["baseline_one_zone"]["args"]), ""),
        ("Same map as a standalone folium page (`len(m.get_root().render())`), all projects",
         kb(py["app_all"]["folium_html"]), kb(py["baseline_all"]["folium_html"]), ""),
        ("Websocket bytes received per change, median: adding / removing a zone",
         f"{kb(app['ws_add_median'])} / {kb(app['ws_remove_median'])}",
         f"{kb(base['ws_add_median'])} / {kb(base['ws_remove_median'])}", ""),
    ]
    table = ["| Measure | App (pages/projects.py) | Naive baseline | Baseline ÷ app |", "|---|---:|---:|---:|"]
    table += [f"| {' | '.join(r)} |" for r in rows]
    payload = py["app_all"]["args"]
    targets = ["| Target (5,000 projects) | Measured | Met? |", "|---|---:|:---:|",
               f"| Filter → updated view, median ≤ 1 s | {ms(app['median'])} | "
               f"{'yes' if app['median'] <= TARGETS['filter_median_ms'] else '**no**'} |",
               f"| Map payload ≤ 1 MB | {kb(payload)} | {'yes' if payload <= TARGETS['payload_bytes'] else '**no**'} |"]
    method = __doc__.split("\n\n", 1)[1].split("\n\nRun:", 1)[0].strip()
    outside = result["outside_requests"]
    return f"""{START}
## Project library (issue 3)

Measured on {m['date']} with `.venv/bin/python bench/projects_filter.py`: {app['n']} filter changes per app on
{result['projects']:,} generated projects ({result['mapped']:,} with a position). The section down to the end
marker is rewritten by each run; raw samples are in `test-artifacts/bench-projects-filter.json`.

{chr(10).join(targets)}

{chr(10).join(table)}

Requests to outside hosts during the run: app {len(outside['app'])}, baseline {len(outside['baseline'])}.
Clicks the widget did not take and that were done again: app {app['retries']}, baseline {base['retries']}.
Going back to all 5,000 projects costs few websocket bytes because Streamlit's message cache lets the
server refer to messages the page already holds (the full table and points came with the first page load);
the time is spent building and drawing them, not sending them.

**Machine.** {m['cpus']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}, Python {m['python']};
{m['versions']}, headless with `tests.browser.CHROMIUM_ARGS`. Servers, Chromium and Playwright share
these CPUs; load average {m['load_before']} at the start (1, 5, 15 min).

**Compared.** *App*: pages/projects.py as it is: the base map (districts, river, zone outlines, legend) never
changes, so streamlit-folium keeps it; the filtered points travel as `feature_group_to_add`, compact rows
turned into `L.circleMarker`s in a marker cluster in the browser; `returned_objects=["last_active_drawing"]`.
*Baseline*: bench/baseline_projects_app.py: the same data, filter and table, every located project a
`folium.CircleMarker` with a tooltip added to the map, `st_folium(m)` with default arguments.

**Method.**

{method}
{END}"""


def run(rounds: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="corpsmap-bench-data-") as tmp:
        data_dir = Path(tmp)
        for path in (ROOT / "data").glob("*.csv"):
            shutil.copy(path, data_dir)
        generated = generate_projects(data_dir)
        print(f"generated {len(generated)} projects in {data_dir}", flush=True)
        steps = changes(data_dir, rounds)
        samples, outside = [], {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            info = machine(browser.version)
            for app in APPS:
                with serve(app, data_dir) as base:
                    context, page, meter = open_page(browser, app, base)
                    for step in steps:
                        sample = measure(page, meter, app, step)
                        print(f"{app:8} {step['action']:6} {step['label']:4} {sample['ms']:8.0f} ms "
                              f"{sample['ws_bytes'] / 1000:8.0f} KB"
                              + (f"  (retried {sample['retries']}×)" if sample["retries"] else ""), flush=True)
                        samples.append(sample)
                    from tests.browser import outside_requests

                    outside[app] = outside_requests(page, base)
                    context.close()
            browser.close()
        return {"projects": len(generated), "mapped": int(generated["lat"].notna().sum()), "samples": samples,
                "summary": summary(samples), "python_payload": python_payload(data_dir), "machine": info,
                "outside_requests": outside, "generated_at": time.strftime("%Y-%m-%d %H:%M")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the eight zones per app (default 2: "
                                                              "32 changes)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--from-raw", action="store_true", help=f"rewrite the section from {RAW.name} without "
                                                                "measuring again")
    args = parser.parse_args(argv)
    if args.from_raw:
        result = json.loads(RAW.read_text(encoding="utf-8"))
    else:
        result = run(args.rounds)
        report.save_raw(RAW, result)
    report.publish(section(result), START, END, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
