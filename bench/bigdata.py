"""A realistic-size data set for benchmarks: 10 years of monthly reports for 8 zones × 30 indicators.

* indicators: the 13 of data/indicators.csv plus 17 illustrative ones in the same mix of kinds (growth rates,
  shares, amounts, counts), 30 in all;
* observations: every zone × indicator × month from FIRST_MONTH to LAST_MONTH (8 × 30 × 120 = 28,800 rows),
  plus the article's corps-wide rows of data/observations.csv. Cumulative indicators (amounts, counts) are
  year-to-date values rising through each year; rates wander around a level per zone. The real rows of
  data/observations.csv take precedence on their keys, and the generated 2022 year-to-date paths are scaled to
  meet them, so the article's corps totals still reconcile with the zones;
* targets: every zone × indicator × year (2,400 rows), the real 2022 targets taking precedence;
* projects: 5,000, from bench/projects_filter.py's `generate_projects`.

Everything is drawn from fixed seeds, so two runs write the same files. `month_rows(month)` gives the next
months' reports (the 240 rows a monthly publish adds) from the same series.
"""

from __future__ import annotations

import shutil
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from bench/: only bench/ is on the path
    sys.path.insert(0, str(ROOT))

FIRST_YEAR, LAST_YEAR = 2013, 2022
FIRST_MONTH, LAST_MONTH = f"{FIRST_YEAR}-01", f"{LAST_YEAR}-12"
SEED = 20130101
SOURCE = {"provenance": "illustrative", "source_id": "illustrative"}

# (id, name_zh, name_en, unit, unit_en, kind, decimals, headline): with the 13 real indicators, 30 in all, in
# about the real mix of kinds (real: 4 growth rates, 6 shares, 2 amounts, 1 count; added: 5, 7, 3, 2).
EXTRA_INDICATORS = [
    ("retail_sales_growth", "社会消费品零售总额增速", "Retail sales growth", "%", "%", "growth_rate", 1, True),
    ("export_growth", "出口总额增速", "Export growth", "%", "%", "growth_rate", 1, False),
    ("high_tech_va_growth", "高新技术产业增加值增速", "High-tech industry value added growth", "%", "%",
     "growth_rate", 1, False),
    ("digital_core_growth", "数字经济核心产业增加值增速", "Digital economy core industries growth", "%", "%",
     "growth_rate", 1, False),
    ("rd_spending_growth", "研发经费支出增速", "R&D spending growth", "%", "%", "growth_rate", 1, False),
    ("high_tech_va_share", "高新技术产业增加值占比", "Share of high-tech industry in value added", "%", "%",
     "share", 1, False),
    ("strategic_industry_share", "战略性新兴产业增加值占比", "Share of strategic emerging industries", "%", "%",
     "share", 1, False),
    ("rd_institution_rate", "规上工业企业研发机构设置率", "Industrial firms with an R&D institution", "%", "%",
     "share", 1, False),
    ("land_supply_completion", "工业用地供应完成率", "Industrial land supplied: share of plan", "%", "%", "share",
     1, False),
    ("relocation_completion", "征迁完成率", "Relocation completed: share of plan", "%", "%", "share", 1, False),
    ("green_building_share", "新建绿色建筑占比", "Share of new green buildings", "%", "%", "share", 1, False),
    ("key_project_progress", "重点项目形象进度", "Key projects: physical progress", "%", "%", "share", 0, False),
    ("industrial_investment", "工业投资", "Industrial investment", "亿元", "(100M yuan)", "amount", 2, False),
    ("tax_revenue", "税收收入", "Tax revenue", "亿元", "(100M yuan)", "amount", 2, True),
    ("fdi_utilized", "实际利用外资", "Foreign direct investment utilized", "亿美元", "(100M US$)", "amount", 2,
     False),
    ("new_large_enterprises", "新增规上工业企业数", "New industrial enterprises above designated size", "家",
     "firms", "count", 0, False),
    ("invention_patents", "发明专利授权数", "Invention patents granted", "件", "patents", "count", 0, False),
]
CUMULATIVE_KINDS = ("amount", "count")


def months(first: str = FIRST_MONTH, last: str = LAST_MONTH) -> list[str]:
    """Every month from `first` to `last`, as 'YYYY-MM'."""
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def indicators(data_dir: Path) -> pd.DataFrame:
    """The real indicators of `data_dir` and the illustrative ones, as indicators.csv holds them."""
    real = pd.read_csv(data_dir / "indicators.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame([{
        "indicator_id": i, "name_zh": zh, "name_en": en, "unit": unit, "unit_en": unit_en, "kind": kind,
        "cumulative": str(kind in CUMULATIVE_KINDS).lower(), "additive": str(kind in CUMULATIVE_KINDS).lower(),
        "higher_is_better": "true", "decimals": str(decimals), "headline": str(headline).lower(), **SOURCE,
    } for i, zh, en, unit, unit_en, kind, decimals, headline in EXTRA_INDICATORS])
    return pd.concat([real, extra[real.columns]], ignore_index=True)


class Series:
    """The generated values of one data set: `year_path` and `target` for any zone × indicator × year."""

    def __init__(self, zones: list[str], indicators_: pd.DataFrame, real: pd.DataFrame | None = None):
        self.zones = zones
        self.ind = indicators_.set_index("indicator_id")
        # Real zone values on their key: cumulative 2022 paths are scaled to meet the last of them.
        self.real = {} if real is None else {
            (r.zone_id, r.indicator_id, r.month): float(r.value) for r in real.itertuples() if r.zone_id in zones}

    def _rng(self, zone: str, indicator: str, year: int) -> np.random.Generator:
        return np.random.default_rng([SEED, self.zones.index(zone), list(self.ind.index).index(indicator), year])

    def _level(self, zone: str, indicator: str) -> float:
        """A zone's own level for an indicator, constant over the years."""
        rng = np.random.default_rng([SEED, self.zones.index(zone), list(self.ind.index).index(indicator)])
        kind = self.ind.at[indicator, "kind"]
        return {"amount": rng.lognormal(np.log(25), 0.6), "count": rng.integers(4, 30),
                "growth_rate": rng.uniform(3, 12), "share": rng.uniform(25, 85)}[kind]

    @cache  # noqa: B019  (a benchmark's few thousand keys; the instance lives as long as the run)
    def year_path(self, zone: str, indicator: str, year: int) -> list[float]:
        """The twelve monthly values of one year (year-to-date for cumulative indicators), unrounded."""
        rng, kind = self._rng(zone, indicator, year), self.ind.at[indicator, "kind"]
        level = self._level(zone, indicator)
        if kind in CUMULATIVE_KINDS:
            annual = level * 1.08 ** (year - FIRST_YEAR) * rng.uniform(0.85, 1.15)
            if kind == "count":
                annual = max(round(annual), 1)
                path = [*np.sort(rng.integers(0, annual + 1, 11)).tolist(), annual]
            else:
                weights = rng.uniform(0.4, 1.6, 12)
                path = (np.cumsum(weights) / weights.sum() * annual).tolist()
            last_real = max((m for m in range(1, 13) if (zone, indicator, f"{year}-{m:02d}") in self.real),
                            default=None)
            if last_real:  # meet the real year-to-date value, keep the shape
                real, base = self.real[(zone, indicator, f"{year}-{last_real:02d}")], path[last_real - 1]
                path = [v * real / base for v in path] if base else [v + real for v in path]
            return path
        swing = rng.normal(0, 2.5 if kind == "growth_rate" else 4)  # this year's shift from the zone's level
        path = level + swing + np.cumsum(rng.normal(0, 0.6, 12))
        return np.clip(path, 0, 100).tolist() if kind == "share" else path.tolist()

    def target(self, zone: str, indicator: str, year: int) -> float:
        rng, kind = self._rng(zone, indicator, year + 10_000), self.ind.at[indicator, "kind"]
        if kind in CUMULATIVE_KINDS:
            return self.year_path(zone, indicator, year)[-1] / rng.uniform(0.85, 1.15)
        return float(np.clip(self._level(zone, indicator) + rng.normal(0, 2), 0, 100))

    def value_text(self, indicator: str, value: float) -> str:
        decimals = int(self.ind.at[indicator, "decimals"])
        return f"{round(value, decimals):.{decimals}f}"

    def month_rows(self, month: str) -> pd.DataFrame:
        """The report of every zone × indicator for `month`: the rows a monthly publish adds."""
        year, m = int(month[:4]), int(month[5:7])
        rows = [{"zone_id": z, "indicator_id": i, "month": month,
                 "value": self.value_text(i, self.year_path(z, i, year)[m - 1]), **SOURCE, "note": ""}
                for z in self.zones for i in self.ind.index]
        return pd.DataFrame(rows)

    def target_rows(self, year: int) -> pd.DataFrame:
        return pd.DataFrame([{"zone_id": z, "indicator_id": i, "year": str(year),
                              "target": self.value_text(i, self.target(z, i, year)), **SOURCE}
                             for z in self.zones for i in self.ind.index])


def series_for(data_dir: Path) -> Series:
    """The series behind the data set in `data_dir` (as written by `build`)."""
    zones = pd.read_csv(data_dir / "zones.csv", dtype=str).sort_values("river_order")["zone_id"].tolist()
    real = pd.read_csv(ROOT / "data" / "observations.csv", dtype=str, keep_default_na=False)
    return Series(zones, pd.read_csv(data_dir / "indicators.csv", dtype=str, keep_default_na=False), real)


def _merge(generated: pd.DataFrame, real: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """`generated` with the real rows taking precedence on their key."""
    real = real[generated.columns]
    taken = set(map(tuple, real[key].itertuples(index=False, name=None)))
    keep = [k not in taken for k in generated[key].itertuples(index=False, name=None)]
    out = pd.concat([generated[keep], real], ignore_index=True)
    return out.sort_values(key, kind="stable").reset_index(drop=True)


def build(data_dir: Path, n_projects: int | None = None) -> dict[str, int]:
    """Write the whole data set to `data_dir` (a copy of data/ with the big tables); returns row counts.

    The result is checked with `corpsmap.data.load_dataset`, the app's own validation.
    """
    from projects_filter import N_PROJECTS, generate_projects  # bench/ is on sys.path

    from corpsmap.data import load_dataset

    data_dir.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "data").glob("*.csv"):
        shutil.copy(path, data_dir)
    indicators(data_dir).to_csv(data_dir / "indicators.csv", index=False)
    series = series_for(data_dir)
    real_obs = pd.read_csv(ROOT / "data" / "observations.csv", dtype=str, keep_default_na=False)
    observations = pd.concat([series.month_rows(m) for m in months()], ignore_index=True)
    observations = _merge(observations, real_obs, ["zone_id", "indicator_id", "month"])
    observations.to_csv(data_dir / "observations.csv", index=False)
    real_targets = pd.read_csv(ROOT / "data" / "targets.csv", dtype=str, keep_default_na=False)
    targets = pd.concat([series.target_rows(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)], ignore_index=True)
    _merge(targets, real_targets, ["zone_id", "indicator_id", "year"]).to_csv(data_dir / "targets.csv", index=False)
    generate_projects(data_dir, n_projects or N_PROJECTS)  # also runs load_dataset
    data = load_dataset(data_dir)
    return {name: len(frame) for name, frame in data.tables.items()}


if __name__ == "__main__":  # write the data set to a folder, e.g. to run the app on it by hand
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/bigdata")
    print(build(target), "written to", target)
