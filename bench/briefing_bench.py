"""Briefing pack benchmark: how long the PDF and the map PNG take (target: the whole pack ≤ 10 s on 2 cores).

* Cold, as a scheduled job runs it: `python -m corpsmap briefing --out` in a new process on a SQLite store
  seeded from data/ beforehand (so the time is the command's own: start, imports, reading the version, the
  fonts, nine maps, the PDF), wall clock, median of ROUNDS.
* Warm, as the app's button runs it in a server process that has made one before: briefing_pdf for the whole
  pack in Chinese and in English, one zone, and map_png at 1920×1080, median of ROUNDS each, with the share
  spent drawing maps.
* The same warm pack on ten years of data (bench/bigdata.py: 28,800 observations, 5,000 projects).

Run: `.venv/bin/python bench/briefing_bench.py` (prints; `--no-big` skips the ten-year data). A benchmark, not
a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/briefing_bench.py`: only bench/ is on the path
    sys.path.insert(0, str(ROOT))

from corpsmap import briefing, progress, staticmap  # noqa: E402
from corpsmap.data import DATA_DIR, Dataset, load_dataset  # noqa: E402
from corpsmap.store import Version, open_store  # noqa: E402

ROUNDS = 5
TARGET_SECONDS = 10.0


def public(dataset: Dataset) -> Dataset:
    return replace(dataset, projects=dataset.projects[dataset.projects["public"]])


def timed(fn, rounds: int = ROUNDS) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds of this process) over `rounds` calls."""
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def cold(url: str, out: Path, rounds: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "corpsmap", "briefing", "--url", url, "--out", str(out)], env=env,
                       check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def map_share(dataset: Dataset, version: Version, table) -> float:
    """Seconds of one warm pack spent in staticmap.render_png (nine maps)."""
    spent = [0.0]
    render = staticmap.render_png

    def counted(*args, **kwargs):
        start = time.perf_counter()
        try:
            return render(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    staticmap.render_png = counted
    try:
        briefing.briefing_pdf(dataset, version, table=table)
    finally:
        staticmap.render_png = render
    return spent[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--no-big", action="store_true", help="skip the ten-year data set")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'store.sqlite'}"
        store = open_store(url, DATA_DIR)
        version = store.version(store.current_number())
        dataset = public(store.read(version.number))
        store.engine.dispose()
        times = cold(url, Path(tmp) / "pack.pdf", args.rounds)
        pages = subprocess.run(["pdfinfo", str(Path(tmp) / "pack.pdf")], capture_output=True, text=True).stdout
        print(f"cold: python -m corpsmap briefing --out (new process, seed data): median {statistics.median(times):.2f}"
              f" s, min {min(times):.2f}, max {max(times):.2f} ({args.rounds} runs; "
              f"{next(x for x in pages.splitlines() if x.startswith('Pages')).split()[-1]} pages)")

    table = progress.progress_table(dataset)
    briefing.briefing_pdf(dataset, version, table=table)  # fonts, geodata and matplotlib warmed up, as in a server
    for label, fn in [
        ("warm: whole pack, zh", lambda: briefing.briefing_pdf(dataset, version, table=table)),
        ("warm: whole pack, en", lambda: briefing.briefing_pdf(dataset, version, lang="en", table=table)),
        ("warm: one zone (linkong), zh", lambda: briefing.briefing_pdf(dataset, version, zone="linkong",
                                                                       table=table)),
        ("warm: map PNG 1920x1080", lambda: briefing.map_png(dataset, table=table)),
    ]:
        wall, cpu = timed(fn, args.rounds)
        print(f"{label}: median {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"warm: of the whole pack, drawing its nine maps: {map_share(dataset, version, table):.2f} s")

    if not args.no_big:
        import bigdata  # bench/ is on sys.path

        with tempfile.TemporaryDirectory() as tmp:
            counts = bigdata.build(Path(tmp))
            big = public(load_dataset(Path(tmp)))
            start = time.perf_counter()
            big_table = progress.progress_table(big)
            table_s = time.perf_counter() - start
            wall, cpu = timed(lambda: briefing.briefing_pdf(big, version, table=big_table), args.rounds)
            print(f"ten years ({counts}): progress table {table_s:.2f} s (the app caches it per version); "
                  f"whole pack median {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"target: whole pack <= {TARGET_SECONDS:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
