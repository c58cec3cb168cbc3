"""Where a zone click's server CPU goes: py-spy samples a server while one websocket session clicks zones.

`.venv/bin/python bench/profile_click.py [--clicks 64] [--idle N] [--gc on|off] [--app-dir DIR]` starts a
server (as bench/load.py does), warms it, then has one session (bench/load.py's WsSession) click the eight
zones in turn, back to back (`--idle N` other sessions open beside it), while `py-spy record`
(requirements-dev.txt) samples every thread of the server at 200 Hz. It prints the server's CPU per click
and the share of samples under each of a list of functions (inclusive: a sample counts for every listed
function on its stack), and keeps the collapsed stacks in test-artifacts/profile-click.txt for a flame graph.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import load  # noqa: E402  (bench/ is on sys.path)

OUT = ROOT / "test-artifacts" / "profile-click.txt"

# (label, a substring of a collapsed stack frame "function (file:line)"); inclusive shares.
PARTS = [
    ("the fragment's script (all of pages/map.py's campaign_map)", "campaign_map (map.py"),
    ("… the panel (corpsmap/ui/panel.py zone_panel)", "zone_panel (corpsmap/ui/panel.py"),
    ("… … the briefing button (briefing_pack.pack_button)", "pack_button (corpsmap/ui/briefing_pack.py"),
    ("… the map's colouring controls (controls.map_colouring)", "map_colouring (corpsmap/ui/controls.py"),
    ("… zone features (mapview.zone_features)", "zone_features (corpsmap/mapview.py"),
    ("… building the folium map (mapview.build_map)", "build_map (corpsmap/mapview.py"),
    ("… st_folium: rendering the map to HTML/JS", "st_folium (streamlit_folium/__init__.py"),
    ("… the selection layer (mapview.selection_layer)", "selection_layer (corpsmap/mapview.py"),
    ("… the cached map (corpsmap/ui/map_component.py)", "corpsmap/ui/map_component.py"),
    ("st.cache_data returning a value (unpickling a copy)", "read_result (streamlit/runtime/caching"),
    ("Streamlit's full garbage collection after each run (runner.postScriptGC)", "_on_script_finished ("),
    ("Streamlit: sending messages (serialise, hash, queue)", "_enqueue_forward_msg"),
    ("Streamlit: running the script (script_runner._run_script)", "_run_script (streamlit"),
    ("the server's event loop (websocket, starlette)", "run_forever"),
]

# Leaf frames where a thread waits rather than works (py-spy cannot always tell a sleeping thread apart).
IDLE = ("(idle)", "EpollSelector.select", "polling_path_watcher.py:90", "Condition.wait", "Event.wait",
        "_worker (concurrent/futures/thread.py:81)", "Queue.get", "time.sleep")


def profile(clicks: int, app_dir: Path, gc: bool | None, rate: int = 200, idle: int = 0) -> dict:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    features = load.zone_features()
    _, servers, nginx = load.start_servers(1, app_dir, load.bench_env(gc))
    (proc, base), = servers
    try:
        asyncio.run(load._warm(base, features))
        session = load.WsSession(base)
        zones = list(features)

        async def run(spy_proc) -> tuple[float, float]:
            others = [load.WsSession(base) for _ in range(idle)]  # open, holding their state, not clicking
            cpu_loads = load.cpu_seconds([proc.pid])
            for other in others:
                await other.load()
            cpu_loads = load.cpu_seconds([proc.pid]) - cpu_loads
            await session.load()
            for zone, feature in features.items():  # not counted: the session's first clicks
                await session.click(zone, feature)
            cpu0, t0 = load.cpu_seconds([proc.pid]), time.monotonic()
            for i in range(clicks):
                zone = zones[(3 * i) % len(zones)]
                await session.click(zone, features[zone])
            cpu = load.cpu_seconds([proc.pid]) - cpu0
            await session.close()
            for other in others:
                await other.close()
            return cpu, time.monotonic() - t0, cpu_loads

        OUT.parent.mkdir(exist_ok=True)
        spy_proc = subprocess.Popen([spy, "record", "--pid", str(proc.pid), "--rate", str(rate), "--format", "raw",
                                     "--output", str(OUT), "--nonblocking", "--threads"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        cpu, wall, cpu_loads = asyncio.run(run(spy_proc))
        spy_proc.send_signal(2)  # SIGINT: py-spy writes its output and exits
        spy_proc.wait(timeout=30)
    finally:
        load.stop_servers(servers, nginx)
    return {"clicks": clicks, "cpu_per_click": cpu / clicks, "wall_per_click": wall / clicks,
            "cpu_per_load": cpu_loads / idle if idle else None}


def shares(path: Path = OUT) -> tuple[int, dict[str, float], list[tuple[str, float]]]:
    """(samples on a CPU, inclusive share per PARTS label, own-time share of the top frames)."""
    total, counts, own = 0, collections.Counter(), collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        n = int(n)
        frames = stack.split(";")
        if any(idle in frames[-1] for idle in IDLE):
            continue
        total += n
        for label, needle in PARTS:
            if any(needle in f for f in frames):
                counts[label] += n
        own[frames[-1]] += n
    if not total:
        return 0, {}, []
    return (total, {label: counts[label] / total for label, _ in PARTS},
            [(frame, n / total) for frame, n in own.most_common(15)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=64)
    parser.add_argument("--gc", choices=["on", "off"])
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--idle", type=int, default=0, help="other sessions open (page loaded) during the clicks")
    args = parser.parse_args(argv)
    result = profile(args.clicks, args.app_dir.resolve(), None if args.gc is None else args.gc == "on",
                     idle=args.idle)
    total, parts, top = shares()
    print(f"{result['clicks']} clicks ({args.idle} other sessions open): "
          f"server CPU {result['cpu_per_click'] * 1000:.0f} ms per click, "
          f"{result['wall_per_click'] * 1000:.0f} ms apart; {total} samples on a CPU")
    if result["cpu_per_load"] is not None:
        print(f"page loads of the other sessions, one after another: {result['cpu_per_load'] * 1000:.0f} ms of "
              "server CPU each")
    for label, share in parts.items():
        print(f"  {share * 100:5.1f} %  {label}")
    print("own time, top frames:")
    for frame, share in top:
        print(f"  {share * 100:5.1f} %  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
