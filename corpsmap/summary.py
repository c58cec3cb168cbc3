"""What the zone panel and the corps summary show, as plain rows of display strings."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from corpsmap.data import CORPS, Dataset
from corpsmap.i18n import name_of, t
from corpsmap.progress import zone_progress

STATUS_COLORS = {"ahead": "#2f855a", "slightly_behind": "#d69e2e", "behind": "#c53030", "no_target": "#a0aec0",
                 "no_data": "#a0aec0"}


def format_number(value: float | None, decimals: int) -> str:
    """Fixed decimals as the indicator defines them (so 170.16 prints as 170.16, never 170.2); '—' if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{decimals}f}"


def with_unit(text: str, unit: str) -> str:
    """'6.8%', '170.16 亿元'; no trailing space when the unit is empty."""
    return f"{text}{unit}" if unit in ("%", "") else f"{text} {unit}"


def unit_of(indicator: Mapping[str, object], lang: str) -> str:
    """The indicator's unit in `lang` (English may be empty, e.g. for counts)."""
    unit_en = indicator.get("unit_en")
    if lang == "en" and unit_en is not None and not pd.isna(unit_en):
        return str(unit_en)
    return str(indicator["unit"])


@dataclass(frozen=True)
class Figure:
    """One corps-wide figure as the article prints it."""

    indicator_id: str
    label: str
    value: str
    illustrative: bool


def reported_figures(dataset: Dataset, lang: str) -> list[Figure]:
    """The article's corps-wide figures, in the order of indicators.csv, formatted as printed."""
    obs = dataset.observations
    reported = obs[(obs["zone_id"] == CORPS) & (obs["provenance"] == "article")]
    figures = []
    for ind in dataset.indicators.itertuples():
        rows = reported[reported["indicator_id"] == ind.indicator_id].sort_values("month")
        if rows.empty:
            continue
        value = rows["value"].iloc[-1]
        figures.append(Figure(ind.indicator_id, name_of(ind._asdict(), lang),
                              with_unit(format_number(value, ind.decimals), unit_of(ind._asdict(), lang)), False))
    return figures


@dataclass(frozen=True)
class HeadlineRow:
    indicator_id: str
    label: str
    actual: str
    target: str
    completion: str  # completion for cumulative indicators; '—' for rates
    schedule: str  # 序时进度, or the target rate
    status: str
    color: str  # the status light
    illustrative: bool
    derived: bool


def headline_rows(table: pd.DataFrame, dataset: Dataset, zone_id: str, month: str, lang: str,
                  headline_only: bool = True) -> list[HeadlineRow]:
    """A zone's (or the corps') indicators at `month` against target and 序时进度, for display."""
    rows = zone_progress(table, zone_id, month).set_index("indicator_id")
    out = []
    for ind in dataset.indicators.itertuples():
        if (headline_only and not ind.headline) or ind.indicator_id not in rows.index:
            continue
        r = rows.loc[ind.indicator_id]
        pct, unit = "%", unit_of(ind._asdict(), lang)
        out.append(HeadlineRow(
            indicator_id=ind.indicator_id,
            label=name_of(ind._asdict(), lang),
            actual=with_unit(format_number(r["actual"], ind.decimals), unit),
            target="—" if pd.isna(r["target"]) else with_unit(format_number(r["target"], ind.decimals), unit),
            completion="—" if pd.isna(r["completion"]) else with_unit(format_number(r["completion"], 1), pct),
            # A rate is judged against its target rate (already in the target column), not 序时进度.
            schedule="—" if pd.isna(r["schedule"]) or not ind.cumulative
            else with_unit(format_number(r["schedule"], 1), pct),
            status=t(f"status_{r['status']}", lang),
            color=STATUS_COLORS[r["status"]],
            illustrative=bool(r["illustrative"]),
            derived=bool(r["derived"]),
        ))
    return out


def amount_text(investment: float | None, amount_kind: str | None, lang: str) -> str:
    """'15 亿元' / 'financing ¥15 亿' / '50 亿元以上', or '—' when the source gives no amount."""
    if investment is None or pd.isna(investment):
        return "—"
    value = f"{investment:g}"
    return t(f"amount_{amount_kind or 'total'}", lang, value=value)


def zone_projects(dataset: Dataset, zone_id: str) -> pd.DataFrame:
    """A zone's projects: the article's first, then the rest by investment, largest first."""
    projects = dataset.projects[dataset.projects["zone_id"] == zone_id]
    order = (projects["provenance"] != "article").astype(int)
    return projects.assign(_order=order).sort_values(["_order", "investment_yi"], ascending=[True, False],
                                                      na_position="last").drop(columns="_order")
