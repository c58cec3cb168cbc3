"""序时进度: progress toward annual targets, judged against the share of the year elapsed.

For a cumulative indicator (investment so far this year) completion = actual / annual target, and the
schedule (序时进度) is the share of the year elapsed at the month's end: 50% at the end of June.
For a rate (growth, share) there is nothing to accumulate, so the actual rate is compared with the target
rate directly. Every threshold lives in this module.

Corps-wide rows use the zone id `CORPS`. Where an indicator is additive they are the sum of the eight zones
(`derived`); otherwise they are the article's figure as reported.
"""

from __future__ import annotations

import math
import re
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

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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


def next_month(month: str) -> str:
    """'2022-12' → '2023-01'."""
    year, number = int(month[:4]), month_number(month)
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"


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


def latest_month(dataset: Dataset) -> str | None:
    """The month every view opens on (the map panel and the indicators page agree on it); None with no data."""
    known = months(dataset)
    return known[-1] if known else None


def _check_in(month: object, known: list[str]) -> None:
    if not isinstance(month, str) or not _MONTH.match(month):
        raise ValueError(f"month {month!r} is not a month written as YYYY-MM")
    if not known:
        raise ValueError(f"month '{month}' is outside the data (there are no observations)")
    if month not in known:
        raise ValueError(f"month '{month}' is outside the data ({known[0]} to {known[-1]})")


def check_month(dataset: Dataset, month: str) -> None:
    """Raise ValueError with the data's range if `month` has no observations."""
    _check_in(month, months(dataset))


def zone_order(dataset: Dataset) -> list[str]:
    """The zone ids along the river, west to east: the order of every list and chart."""
    return list(dataset.zones.sort_values("river_order")["zone_id"])


def zone_indicators(dataset: Dataset) -> list[str]:
    """Indicators observed in at least one zone (not only corps-wide), in the order of indicators.csv."""
    obs = dataset.observations
    observed = set(obs.loc[obs["zone_id"] != CORPS, "indicator_id"])
    return [i for i in dataset.indicators["indicator_id"] if i in observed]


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


@dataclass(frozen=True)
class Mismatch:
    """A corps-wide figure the article reports that the sum of the zones does not reproduce."""

    indicator_id: str
    month: str
    reported: float
    derived: float


def reconcile(dataset: Dataset) -> list[Mismatch]:
    """Reported additive corps figures that differ from the zones' sum at the indicator's printed decimals."""
    decimals = dataset.indicators.set_index("indicator_id")["decimals"]
    derived = corps_totals(dataset).set_index(["indicator_id", "month"])["actual"]
    obs = dataset.observations
    reported = obs[(obs["zone_id"] == CORPS) & (obs["provenance"] == "article")]
    out = []
    for r in reported.itertuples(index=False):
        total = derived.get((r.indicator_id, r.month))
        if total is not None and round(total, decimals[r.indicator_id]) != round(r.value, decimals[r.indicator_id]):
            out.append(Mismatch(r.indicator_id, r.month, r.value, total))
    return out


def progress_table(dataset: Dataset) -> pd.DataFrame:
    """Every zone (and the corps) × indicator × month with actual, target, 序时进度, status and rank.

    Corps-wide rows are derived from the zones where the indicator is additive (`derived` = True) and
    otherwise are the reported figure (`derived` = False). A reported additive figure stays when the zones
    cannot be summed that month. `measure` is what is judged and ranked: completion % for cumulative
    indicators, the rate itself otherwise.
    """
    ind = dataset.indicators.set_index("indicator_id")
    obs = dataset.observations.copy()
    obs["illustrative"] = obs["provenance"] == "illustrative"
    obs["derived"] = False
    obs = obs.rename(columns={"value": "actual"})
    derived = corps_totals(dataset)
    summed = set(zip(derived["indicator_id"], derived["month"]))
    replaced = [z == CORPS and (i, m) in summed for z, i, m in zip(obs["zone_id"], obs["indicator_id"], obs["month"])]
    frame = pd.concat([obs[~pd.Series(replaced, index=obs.index, dtype=bool)], derived], ignore_index=True)

    # Plain dicts: a pandas lookup per row made this the slowest step at ten years of data.
    tgt = dataset.targets
    keys = list(zip(tgt["zone_id"], tgt["indicator_id"], tgt["year"].astype(int)))
    targets = dict(zip(keys, tgt["target"].tolist()))
    target_prov = dict(zip(keys, tgt["provenance"].tolist()))
    cumulative_of = {i: bool(v) for i, v in ind["cumulative"].items()}
    higher_of = {i: bool(v) for i, v in ind["higher_is_better"].items()}
    rows = []
    for r in frame.itertuples(index=False):
        key = (r.zone_id, r.indicator_id, int(r.month[:4]))
        target = r.target if r.zone_id == CORPS and r.derived else targets.get(key)
        cumulative = cumulative_of[r.indicator_id]
        a = assess(r.actual, target, r.month, cumulative=cumulative, higher_is_better=higher_of[r.indicator_id])
        rows.append(dict(zone_id=r.zone_id, indicator_id=r.indicator_id, month=r.month, actual=r.actual,
                         target=target, completion=a.completion, schedule=a.schedule, gap=a.gap,
                         status=a.status, measure=a.completion if cumulative else r.actual,
                         derived=bool(r.derived),
                         illustrative=bool(r.illustrative) or target_prov.get(key) == "illustrative"))
    columns = ["zone_id", "indicator_id", "month", "actual", "target", "completion", "schedule", "gap", "status",
               "measure", "derived", "illustrative"]
    table = pd.DataFrame(rows, columns=columns).astype(
        {c: float for c in ("actual", "target", "completion", "schedule", "gap", "measure")})
    return add_ranks(table, ind)


def add_ranks(table: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Rank the zones (not the corps) per indicator and month; 1 is best, ties share the better rank.

    Zones rank on `measure` (completion for cumulative indicators, as they all share one 序时进度; the rate
    otherwise); a zone without a measure gets no rank. rank_change is positive when a zone climbed since the
    previous calendar month, and empty when either month has no rank (the first month, a missing month).
    """
    table = table.copy()
    better_high = table["indicator_id"].map(indicators["higher_is_better"]).astype(bool)
    score = table["measure"].where(better_high, -table["measure"])
    zones = table["zone_id"] != CORPS
    table["rank"] = score[zones].groupby([table["indicator_id"], table["month"]]).rank(ascending=False, method="min")
    ranked = table.loc[zones, ["indicator_id", "zone_id", "month", "rank"]]
    previous = ranked.assign(month=ranked["month"].map(next_month)).rename(columns={"rank": "previous_rank"})
    table = table.merge(previous, on=["indicator_id", "zone_id", "month"], how="left")
    table["rank_change"] = table["previous_rank"] - table["rank"]
    return (table.drop(columns="previous_rank").sort_values(["indicator_id", "month", "zone_id"])
            .reset_index(drop=True))


def zone_progress(table: pd.DataFrame, zone_id: str, month: str) -> pd.DataFrame:
    """The rows of one zone (or the corps) at one month."""
    return table[(table["zone_id"] == zone_id) & (table["month"] == month)]


def _grid(table: pd.DataFrame, zones: list[str], indicators: list[str], months_: list[str]) -> pd.DataFrame:
    """Rows for every zone × indicator × month asked for, in that order; pairs without data are no_data."""
    grid = pd.MultiIndex.from_product([zones, indicators, months_], names=["zone_id", "indicator_id", "month"])
    out = grid.to_frame(index=False).merge(table, on=["zone_id", "indicator_id", "month"], how="left")
    return out.fillna({"status": NO_DATA, "derived": False, "illustrative": False}).astype(
        {"derived": bool, "illustrative": bool})


def _check_indicator(table: pd.DataFrame, indicator: str) -> None:
    if indicator not in set(table["indicator_id"]):
        raise ValueError(f"indicator '{indicator}' has no data")


def matrix(table: pd.DataFrame, month: str, indicators: list[str], zones: list[str]) -> pd.DataFrame:
    """The status of every zone (in the given order, then the corps) × indicator at `month`."""
    _check_in(month, sorted(table["month"].unique()))
    return _grid(table, [*zones, CORPS], indicators, [month])


def ranking(table: pd.DataFrame, indicator: str, month: str, zones: list[str]) -> pd.DataFrame:
    """The zones on one indicator at `month`, best first; zones without a rank last, in the given order."""
    _check_in(month, sorted(table["month"].unique()))
    _check_indicator(table, indicator)
    rows = _grid(table, zones, [indicator], [month])
    rows["order"] = range(len(rows))
    return rows.sort_values(["rank", "order"], na_position="last").drop(columns="order").reset_index(drop=True)


def trend(table: pd.DataFrame, indicator: str, zones: list[str], year: str | None = None) -> pd.DataFrame:
    """Monthly rows of one indicator for the zones (and the corps if it has any): every month of the table, or
    of one `year` ('2022'), as year-to-date values and 序时进度 start again each January.

    Months a zone lacks are kept with empty values so a chart breaks its line instead of bridging the gap.
    """
    _check_indicator(table, indicator)
    months_ = sorted(m for m in table["month"].unique() if year is None or m.startswith(f"{year}-"))
    has_corps = ((table["zone_id"] == CORPS) & (table["indicator_id"] == indicator)).any()
    return _grid(table, [*zones, CORPS] if has_corps else zones, [indicator], months_)



def _differs(frame: pd.DataFrame) -> pd.Series:
    same_value = (frame["actual_before"] == frame["actual_after"]) | (
        frame["actual_before"].isna() & frame["actual_after"].isna())
    return ~same_value | (frame["status_before"] != frame["status_after"])


def status_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """What a change does to the lights people see, from two progress tables (before and after it).

    First, per zone (and corps) × indicator, the value and light the map and panel show (each table's latest
    month) where they differ: a new month's report turns 临空's investment from June's yellow to July's green.
    Then corrections to earlier months, compared month by month. Columns: zone_id, indicator_id, month_before,
    month_after, actual_before/after, status_before/after (no_data where a side has no row).
    """
    keys = ["zone_id", "indicator_id"]
    columns = [*keys, "month", "actual", "status"]
    latest_before = before["month"].max() if len(before) else None
    latest_after = after["month"].max() if len(after) else None
    shown = before.loc[before["month"] == latest_before, columns].merge(
        after.loc[after["month"] == latest_after, columns], on=keys, how="outer", suffixes=("_before", "_after"))
    earlier = before[columns].merge(after[columns], on=[*keys, "month"], how="outer", suffixes=("_before", "_after"))
    earlier = earlier[(earlier["month"] != latest_after) & (earlier["month"] != latest_before)]
    earlier = earlier.assign(month_before=earlier["month"], month_after=earlier["month"]).drop(columns="month")
    out = pd.concat([shown, earlier], ignore_index=True)
    out = out.fillna({"status_before": NO_DATA, "status_after": NO_DATA})
    out = out[_differs(out)]
    order = ["zone_id", "indicator_id", "month_before", "month_after", "actual_before", "actual_after",
             "status_before", "status_after"]
    return out[order].reset_index(drop=True)
