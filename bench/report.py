"""What every benchmark does with its results: percentiles, the raw samples, its section of the doc."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
DOC_HEADER = """# Performance

Benchmarks, not tests: they measure the app in a real browser on the machine at hand and record the numbers
here; they never pass or fail a build. Run them with `make bench`.
"""


def p95(values: list[float]) -> float:
    """95th percentile (inclusive method); the value itself for a single sample."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def save_raw(path: Path, results: object) -> None:
    """Keep the raw samples, so a section can be rewritten later without measuring again (--from-raw)."""
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def write_section(text: str, start: str, end: str, doc: Path = DOC) -> None:
    """Replace the part of the doc between `start` and `end` (or append it); everything else is kept."""
    doc.parent.mkdir(exist_ok=True)
    current = doc.read_text(encoding="utf-8") if doc.exists() else DOC_HEADER
    if start in current and end in current:
        before, rest = current.split(start, 1)
        current = before + text + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(current, encoding="utf-8")


def publish(text: str, start: str, end: str, write: bool) -> None:
    """Print a benchmark's section and, unless told not to, put it in docs/performance.md."""
    print(text)
    if write:
        write_section(text, start, end)
        print(f"\nUpdated {DOC.relative_to(ROOT)}")
