"""Run the benchmarks (`make bench`): print the results and update their section of docs/performance.md.

Benchmarks, not tests: they measure, print and record; a missed target is reported, never raised.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import map_click  # bench/ is on sys.path when this file is run as a script
import report

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "test-artifacts" / "bench-map-click.json"
START, END = "<!-- map-click:start -->", "<!-- map-click:end -->"


def _ms(s: dict[str, float], name: str, stat: str = "median") -> str:
    value = s.get(f"{name}_{stat}")
    return "–" if value is None else f"{value:.0f} ms"


def _kb(value: float) -> str:
    return f"{value / 1000:.0f} KB"


def section(results: map_click.Results) -> str:
    """The generated part of this benchmark's section of docs/performance.md, markers included."""
    s = map_click.summary(results)
    app, base = s["app"], s["baseline"]
    m, py, static = results.machine, results.python_payload, results.static_bytes
    rows = [
        ("**Click → panel painted, median**", _ms(app, "panel"), _ms(base, "panel"),
         f"**{base['panel_median'] / app['panel_median']:.2f}×**"),
        ("Click → panel painted, p95", _ms(app, "panel", "p95"), _ms(base, "panel", "p95"),
         f"{base['panel_p95'] / app['panel_p95']:.2f}×"),
        ("Click → panel painted, min – max", f"{_ms(app, 'panel', 'min')} – {_ms(app, 'panel', 'max')}",
         f"{_ms(base, 'panel', 'min')} – {_ms(base, 'panel', 'max')}", ""),
        ("… of which: click → rerun request sent, median", _ms(app, "sent"), _ms(base, "sent"), ""),
        ("… of which: click → last message before the panel, median", _ms(app, "last_msg"),
         _ms(base, "last_msg"), ""),
        ("Click → feedback outline in the map, median / p95",
         f"{app['feedback_median']:.1f} / {app['feedback_p95']:.1f} ms",
         f"{base['feedback_median']:.1f} / {base['feedback_p95']:.1f} ms ¹", ""),
        ("Click → server's outline in the map, median", _ms(app, "outline"), _ms(base, "outline"), ""),
        ("Clicks that remounted the map", f"{app['remounts']:.0f} of {app['clicks']:.0f}",
         f"{base['remounts']:.0f} of {base['clicks']:.0f}", ""),
        ("Websocket bytes received per click, median", _kb(app["click_ws_median"]), _kb(base["click_ws_median"]),
         ""),
        ("Page load → map painted, median / p95", f"{_ms(app, 'load')} / {_ms(app, 'load', 'p95')}",
         f"{_ms(base, 'load')} / {_ms(base, 'load', 'p95')}", ""),
        ("Websocket bytes on load: the map's frame / all", f"{_kb(app['load_map_ws_max'])} / "
         f"{_kb(app['load_ws_median'])}", f"{_kb(base['load_map_ws_max'])} / {_kb(base['load_ws_median'])}", ""),
    ]
    table = ["| Measure | App (pages/map.py) | Naive baseline | Baseline ÷ app |", "|---|---:|---:|---:|"]
    table += [f"| {' | '.join(r)} |" for r in rows]
    targets = ["| Target | Measured | Met? |", "|---|---:|:---:|"]
    targets += [f"| {name} | {value} | {'yes' if ok else '**no**'} |"
                for name, (value, ok) in map_click.verdicts(s).items()]
    method = map_click.__doc__.split("\n", 2)[2].strip()
    return f"""{START}
## Campaign map: click → panel (issue 2)

Measured on {m['date']} by `make bench`: {results.rounds} rounds × 8 zones = {app['clicks']:.0f} clicks per app and
{app['loads']:.0f} cold page loads per app, the app and the baseline taking turns. The section down to the end
marker is rewritten by each run; raw samples are in `test-artifacts/bench-map-click.json`.

{chr(10).join(targets)}

{chr(10).join(table)}

¹ The baseline draws the same in-browser outline (it reuses the map), but it vanishes when its map remounts.

**Map payload in Python** (zh, as pages/map.py calls st_folium): {_kb(py['st_folium_args'])} of arguments
({_kb(py['st_folium_args_gzip'])} gzipped), of which the Leaflet script is {_kb(py['script'])} and the
selection layer {py['selection_layer'] / 1000:.1f} KB; the same map as a standalone folium page
(`len(m.get_root().render())`) is {_kb(py['folium_html'])}. Leaflet itself ({_kb(static['leaflet.js'])} JS,
{_kb(static['leaflet.css'])} CSS) is a static file, fetched once per browser and then cached.

**Machine.** {m['cpus']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}, Python {m['python']};
{m['versions']}, headless with `tests.browser.CHROMIUM_ARGS`. Both servers, Chromium and the Playwright
driver share these CPUs; load average {m['load_before']} at the start, {m['load_after']} at the end
(1, 5, 15 min), so other work on the machine is in the numbers too.

**Compared.** *App*: pages/map.py as it is: the map in an `@st.fragment`, a stable key,
`returned_objects=["last_active_drawing"]`, the selection sent as `feature_group_to_add`, and after a click
the panel written before the map. *Baseline*:
bench/baseline_map_app.py: the same map, colouring, data and panel, with the selected zone's outline baked
into the map and `st_folium(m)` with default arguments; every interaction reruns the whole script, and a click
adds an `st.rerun()` so that map and panel agree.

**Method.** {method}
{END}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4, help="passes over the eight zones per app (default 4)")
    parser.add_argument("--loads", type=int, default=5, help="cold page loads per app (default 5)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--from-raw", action="store_true",
                        help=f"measure nothing: rebuild the section from {RAW.relative_to(ROOT)} (the last run)")
    args = parser.parse_args(argv)

    if args.from_raw:
        raw = json.loads(RAW.read_text(encoding="utf-8"))
        results = map_click.Results(**{**raw, "clicks": [map_click.Click(**c) for c in raw["clicks"]],
                                       "loads": [map_click.Load(**lo) for lo in raw["loads"]]})
    else:
        results = map_click.run(rounds=args.rounds, loads=args.loads)
        report.save_raw(RAW, asdict(results))
    report.publish(section(results), START, END, write=not args.no_write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
