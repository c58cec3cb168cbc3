"""序时进度: progress toward annual targets, judged against the share of the year elapsed.

For a cumulative indicator (investment so far this year) completion = actual / annual target, and the
schedule (序时进度) is the share of the year elapsed at the month's end: 50% at the end of June.
For a rate (growth, share) there is nothing to accumulate, so the actual rate is compared with the target
rate directly. Every threshold lives in this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from corpsmap.data import CORPS, Dataset

AHEAD = "ahead"
SLIGHTLY_BEHIND = "slightly_behind"
BEHIND = "behind"
NO_TARGET = "no_target"
NO_DATA = "no_data"
STATUSES = (AHEAD, SLIGHTLY_BEHIND, BEHIND, NO_TARGET, NO_DATA)

# A cumulative indicator within this many percentage points below 序时进度 is "slightly behind"
# (the practice of publishing yellow lights "a little below schedule").
SLIGHTLY_BEHIND_POINTS = 10.0
# A rate within this many percentage points below its target rate is "slightly behind".
RATE_SLIGHTLY_BEHIND_POINTS = 2.0


@dataclass(frozen=True)
class Assessment:
    """One value judged against its target; percentages are in points (50.0 = 50%)."""

    completion: float | None  # actual / target, cumulative indicators only
    schedule: float | None  # 序时进度 for cumulative indicators; the target rate for rates
    gap: float | None  # completion - schedule, or actual - target rate; positive is good
    status: str


def month_number(month: str) -> int:
    """1..12 from 'YYYY-MM'."""
    return int(month[5:7])


def elapsed_share(month: str) -> float:
    """Share of the year elapsed at the end of `month`, in percent (June → 50.0)."""
    return month_number(month) / 12 * 100


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def assess(actual: float | None, target: float | None, month: str, *, cumulative: bool,
           higher_is_better: bool = True) -> Assessment:
    """Judge one value against its annual target at the end of `month`."""
    if _missing(actual):
        return Assessment(None, None, None, NO_DATA)
    if _missing(target):
        return Assessment(None, None, None, NO_TARGET)
    sign = 1 if higher_is_better else -1
    if cumulative:
        if target == 0:  # completion of a zero target is undefined, not infinite
            return Assessment(None, elapsed_share(month), None, NO_TARGET)
        completion = actual / target * 100
        schedule = elapsed_share(month)
        gap = sign * (completion - schedule)
        limit = SLIGHTLY_BEHIND_POINTS
    else:
        completion, schedule = None, target
        gap = sign * (actual - target)
        limit = RATE_SLIGHTLY_BEHIND_POINTS
    # Round before comparing so that 49.9999999 from float division does not read as behind.
    gap = round(gap, 9)
    status = AHEAD if gap >= 0 else SLIGHTLY_BEHIND if gap >= -limit else BEHIND
    return Assessment(completion, schedule, gap, status)


def months(dataset: Dataset) -> list[str]:
    """Every month with an observation, in order."""
    return sorted(dataset.observations["month"].unique())


def check_month(dataset: Dataset, month: str) -> None:
    """Raise ValueError with the data's range if `month` has no observations."""
    known = months(dataset)
    if month not in known:
        raise ValueError(f"month '{month}' is outside the data ({known[0]} to {known[-1]})")


def corps_totals(dataset: Dataset) -> pd.DataFrame:
    """Corps-wide values derived from the zones for additive indicators, per month.

    A month where any zone lacks a value gets no total: a partial sum would pass for the real one.
    """
    ind = dataset.indicators.set_index("indicator_id")
    additive = ind.index[ind["additive"]]
    zones = set(dataset.zones["zone_id"])
    obs = dataset.observations
    obs = obs[obs["indicator_id"].isin(additive) & obs["zone_id"].isin(zones)]
    grouped = obs.groupby(["indicator_id", "month"]).agg(
        actual=("value", "sum"), n=("zone_id", "nunique"),
        illustrative=("provenance", lambda p: (p == "illustrative").any()))
    grouped = grouped[grouped["n"] == len(zones)].reset_index()
    tgt = dataset.targets
    tgt = tgt[tgt["indicator_id"].isin(additive) & tgt["zone_id"].isin(zones)]
    tsum = tgt.groupby(["indicator_id", "year"]).agg(target=("target", "sum"), n=("zone_id", "nunique"))
    tsum = tsum[tsum["n"] == len(zones)]["target"]
    grouped["year"] = grouped["month"].str[:4].astype(int)
    grouped["target"] = [tsum.get((i, y)) for i, y in zip(grouped["indicator_id"], grouped["year"])]
    grouped["zone_id"] = CORPS
    grouped["derived"] = True
    return grouped.drop(columns=["n", "year"])


def progress_table(dataset: Dataset) -> pd.DataFrame:
    """Every zone (and the corps) × indicator × month with actual, target, 序时进度, status and rank.

    Corps-wide rows are derived from the zones where the indicator is additive (`derived` = True) and
    otherwise are the reported figure (`derived` = False).
    """
    ind = dataset.indicators.set_index("indicator_id")
    obs = dataset.observations.copy()
    obs["illustrative"] = obs["provenance"] == "illustrative"
    obs["derived"] = False
    obs = obs.rename(columns={"value": "actual"})
    reported = obs[~((obs["zone_id"] == CORPS) & obs["indicator_id"].isin(ind.index[ind["additive"]]))]
    derived = corps_totals(dataset)
    frame = pd.concat([reported, derived], ignore_index=True)

    targets = dataset.targets.set_index(["zone_id", "indicator_id", "year"])["target"]
    target_prov = dataset.targets.set_index(["zone_id", "indicator_id", "year"])["provenance"]
    rows = []
    for r in frame.itertuples(index=False):
        key = (r.zone_id, r.indicator_id, int(r.month[:4]))
        target = r.target if r.zone_id == CORPS and r.derived else targets.get(key)
        a = assess(r.actual, target, r.month, cumulative=bool(ind.at[r.indicator_id, "cumulative"]),
                   higher_is_better=bool(ind.at[r.indicator_id, "higher_is_better"]))
        rows.append(dict(zone_id=r.zone_id, indicator_id=r.indicator_id, month=r.month, actual=r.actual,
                         target=target, completion=a.completion, schedule=a.schedule, gap=a.gap,
                         status=a.status, derived=bool(r.derived),
                         illustrative=bool(r.illustrative) or target_prov.get(key) == "illustrative"))
    table = pd.DataFrame(rows)
    return add_ranks(table, ind)


def add_ranks(table: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Rank the zones (not the corps) per indicator and month; 1 is best, ties share the better rank.

    Cumulative indicators rank on completion (all zones share one 序时进度), rates on the value itself.
    rank_change is positive when a zone climbed since the previous month, empty in the first month.
    """
    table = table.copy()
    cumulative = table["indicator_id"].map(indicators["cumulative"]).astype(bool)
    better_high = table["indicator_id"].map(indicators["higher_is_better"]).astype(bool)
    score = table["completion"].where(cumulative, table["actual"]).astype(float)
    table["score"] = score.where(better_high, -score)
    zones = table["zone_id"] != CORPS
    table["rank"] = (table[zones].groupby(["indicator_id", "month"])["score"]
                     .rank(ascending=False, method="min"))
    table = table.sort_values(["indicator_id", "zone_id", "month"])
    zones = table["zone_id"] != CORPS
    previous = table[zones].groupby(["indicator_id", "zone_id"])["rank"].shift(1)
    table["rank_change"] = previous - table["rank"]
    return table.drop(columns="score").sort_values(["indicator_id", "month", "zone_id"]).reset_index(drop=True)


def zone_progress(table: pd.DataFrame, zone_id: str, month: str) -> pd.DataFrame:
    """The rows of one zone (or the corps) at one month."""
    return table[(table["zone_id"] == zone_id) & (table["month"] == month)]
