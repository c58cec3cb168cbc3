"""Writes the illustrative parts of observations.csv and targets.csv (run once; the CSVs are the source).

The article gives only corps-wide first-half 2022 figures. For a working demo every zone needs values,
monthly series and targets; these are invented here, deterministically, and every row is marked
`illustrative`. Additive amounts are split so that the eight zones sum exactly to the article's totals.
Re-running overwrites planners' edits to those two files, so do it only to regenerate the demo.
"""

import csv
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ZONES = ["sanjiang", "xianghu", "shijicheng", "shibei", "qiaonan", "kejicheng", "linkong", "yinong"]
MONTHS = [f"2022-{m:02d}" for m in range(1, 7)]

# The article's corps-wide figures for the first half of 2022, exactly as printed.
REPORTED = {
    "industrial_va_growth": "6.8",
    "fai_growth": "10.8",
    "budget_revenue_growth": "5.5",
    "major_project_completion": "62.9",
    "industrial_va_share": "41.7",
    "investment": "170.16",
    "investment_share": "65.3",
    "industrial_investment_share": "50.5",
    "service_va": "83.82",
    "service_va_share": "71.2",
    "service_va_growth": "12.3",
}

# Invented weights for splitting additive totals among the zones (west to east).
WEIGHTS = {
    "investment": [0.07, 0.05, 0.14, 0.10, 0.12, 0.20, 0.22, 0.10],
    "service_va": [0.06, 0.08, 0.34, 0.12, 0.08, 0.12, 0.15, 0.05],
}
# 61 of 97 projects = 62.9% (rounded), the article's completion rate.
PROJECTS_JUNE = [3, 2, 12, 8, 10, 11, 11, 4]
PROJECTS_TARGET = [9, 6, 13, 12, 15, 18, 16, 8]


def split_exact(total: Decimal, weights: list[float]) -> list[Decimal]:
    """Split `total` by weights into 2-decimal parts that sum to it exactly."""
    parts = [(total * Decimal(str(w))).quantize(Decimal("0.01"), ROUND_HALF_UP) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def cumulative_path(rng: random.Random, june: Decimal, decimals: int) -> list[Decimal]:
    """Year-to-date values Jan..Jun rising to exactly `june`."""
    shares = [*sorted(rng.uniform(0.08, 0.95) for _ in range(5)), 1.0]
    q = Decimal(1).scaleb(-decimals)
    return [(june * Decimal(str(s))).quantize(q, ROUND_HALF_UP) for s in shares[:-1]] + [june]


def main() -> None:
    rng = random.Random(20220630)
    obs: list[dict] = []
    targets: list[dict] = []

    def add_obs(zone: str, ind: str, month: str, value, prov: str, note: str = "") -> None:
        source = "article" if prov == "article" else "illustrative"
        obs.append(dict(zone_id=zone, indicator_id=ind, month=month, value=str(value),
                        provenance=prov, source_id=source, note=note))

    for ind, value in REPORTED.items():
        add_obs("all", ind, "2022-06", value, "article")
    add_obs("qiaonan", "key_project_start_rate", "2022-06", "91", "article",
            "91%的亿元以上重点产业项目已开工建设(共34个)")

    for ind, weights in WEIGHTS.items():
        june_parts = split_exact(Decimal(REPORTED[ind]), weights)
        for zone, june in zip(ZONES, june_parts):
            for month, value in zip(MONTHS, cumulative_path(rng, june, 2)):
                add_obs(zone, ind, month, value, "illustrative")
            # Annual target: June should be roughly 34-62% of it, so zones differ in 序时进度.
            share = Decimal(str(rng.uniform(0.34, 0.62)))
            targets.append(dict(zone_id=zone, indicator_id=ind, year=2022,
                                target=str((june / share).quantize(Decimal("0.01"))),
                                provenance="illustrative", source_id="illustrative"))

    for zone, june, target in zip(ZONES, PROJECTS_JUNE, PROJECTS_TARGET):
        for month, value in zip(MONTHS, cumulative_path(rng, Decimal(june), 0)):
            add_obs(zone, "major_projects_attracted", month, value, "illustrative")
        targets.append(dict(zone_id=zone, indicator_id="major_projects_attracted", year=2022,
                            target=str(target), provenance="illustrative", source_id="illustrative"))

    for ind, centre, target_centre in [("industrial_va_growth", 6.8, 8.0), ("fai_growth", 10.8, 10.0),
                                       ("budget_revenue_growth", 5.5, 6.0),
                                       ("service_va_growth", 12.3, 11.0)]:
        for zone in ZONES:
            level = centre + rng.uniform(-4, 4)
            for month in MONTHS:
                level += rng.uniform(-1.2, 1.2)
                add_obs(zone, ind, month, round(level, 1), "illustrative")
            targets.append(dict(zone_id=zone, indicator_id=ind, year=2022,
                                target=str(round(target_centre + rng.choice([-1, 0, 0, 1, 2]), 1)),
                                provenance="illustrative", source_id="illustrative"))

    for name, rows in [("observations.csv", obs), ("targets.csv", targets)]:
        with open(HERE / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
