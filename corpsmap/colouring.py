"""How the map colours its zones: by platform, by the status light of an indicator, or by its value.

Each mode returns fills per zone id and the items of a legend the app draws itself (a branca colormap
would make streamlit-folium load d3 from a CDN).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import pairwise

import pandas as pd

from corpsmap import mapview
from corpsmap.data import Dataset
from corpsmap.i18n import name_of, t
from corpsmap.progress import (
    NO_DATA,
    RATE_SLIGHTLY_BEHIND_POINTS,
    SLIGHTLY_BEHIND_POINTS,
    STATUSES,
    matrix,
    zone_order,
)
from corpsmap.summary import STATUS_COLORS, format_number, unit_of, with_unit

PLATFORM, STATUS, VALUE = "platform", "status", "value"
MODES = (PLATFORM, STATUS, VALUE)

# ColorBrewer "Blues" without its palest shade, which would vanish on the light base map; one hue, so
# darker reads as more and nothing suggests the red/amber/green of the status lights.
VALUE_COLORS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA_COLOR = STATUS_COLORS[NO_DATA]


@dataclass(frozen=True)
class Colouring:
    """Fills per zone id and the legend that explains them."""

    fills: dict[str, str]
    title: str
    items: list[mapview.LegendItem]
    notes: list[str] = field(default_factory=list)

    def legend_html(self) -> str:
        """The legend markup for `mapview.build_map`, every label escaped."""
        return mapview.legend_html(self.title, self.items, self.notes)


def boundary_items(zone_ids: Collection[str], official: Collection[str], lang: str) -> list[mapview.LegendItem]:
    """What the zones' outlines mean: dashed for schematic boundaries, solid for official ones (each if shown)."""
    items = []
    if any(z not in official for z in zone_ids):
        items.append(mapview.LegendItem(t("legend_schematic", lang), dashed=True))
    if any(z in official for z in zone_ids):
        items.append(mapview.LegendItem(t("legend_official", lang), solid=True))
    return items


def _boundaries(dataset: Dataset, official: Collection[str], lang: str) -> list[mapview.LegendItem]:
    return boundary_items(list(dataset.zones["zone_id"]), official, lang)


def platform_colouring(dataset: Dataset, lang: str, official: Collection[str] = frozenset()) -> Colouring:
    """Each zone in its platform's colour (ETDZ zones in shades of blue); `official`: zones with official
    boundaries (the legend's outline rows follow them)."""
    platforms = dataset.platforms.set_index("platform_id")
    items = [mapview.LegendItem(name_of(platforms.loc[p], lang), color)
             for p, color in mapview.PLATFORM_COLORS.items() if p in platforms.index]
    return Colouring(mapview.platform_colors(dataset.zones), t("legend_title", lang),
                     [*items, *_boundaries(dataset, official, lang)], [t("illustrative_note", lang)])


def _indicator(dataset: Dataset, indicator: str) -> dict:
    rows = dataset.indicators[dataset.indicators["indicator_id"] == indicator]
    if rows.empty:
        raise ValueError(f"unknown indicator '{indicator}'")
    return rows.iloc[0].to_dict()


def _cells(table: pd.DataFrame, dataset: Dataset, indicator: str, month: str) -> pd.DataFrame:
    zones = zone_order(dataset)
    cells = matrix(table, month, [indicator], zones)
    return cells[cells["zone_id"].isin(zones)]


def status_colouring(table: pd.DataFrame, dataset: Dataset, indicator: str, month: str, lang: str,
                     official: Collection[str] = frozenset()) -> Colouring:
    """Each zone in the colour of its status light on `indicator` at `month` (as on the indicators page)."""
    ind = _indicator(dataset, indicator)
    cells = _cells(table, dataset, indicator, month)
    fills = {z: STATUS_COLORS[s] for z, s in zip(cells["zone_id"], cells["status"])}
    shown = set(cells["status"])
    # The three lights always, so a map that is all green still says what yellow and red would mean.
    items = [mapview.LegendItem(t(f"status_{s}", lang), STATUS_COLORS[s]) for s in STATUSES[:3]]
    items += [mapview.LegendItem(t(f"status_{s}", lang), STATUS_COLORS[s]) for s in STATUSES[3:] if s in shown]
    notes = [t("legend_status_rule" if ind["cumulative"] else "legend_status_rule_rate", lang,
               points=f"{SLIGHTLY_BEHIND_POINTS:g}", rate_points=f"{RATE_SLIGHTLY_BEHIND_POINTS:g}")]
    if cells["illustrative"].any():
        notes.append(t("illustrative_note", lang))
    title = f"{name_of(ind, lang)} · {t('as_of', lang, month=month)}"
    return Colouring(fills, title, [*items, *_boundaries(dataset, official, lang)], notes)


def equal_intervals(values: list[float], classes: int, decimals: int) -> list[tuple[float, float]]:
    """Up to `classes` equal-width ranges from min to max, bounds rounded to the indicator's decimals.

    Equal intervals, not quantiles: with only eight zones, quantile classes hold one or two zones each
    whatever the values, so every map would look equally spread; equal widths keep the colour steps
    proportional to the differences a leader is reading. Ranges that rounding makes empty are dropped.
    """
    if not values:
        return []
    low, high = min(values), max(values)
    bounds = [round(low + (high - low) * i / classes, decimals) for i in range(classes + 1)]
    bounds[0], bounds[-1] = round(low, decimals), round(high, decimals)  # the data's extremes, exactly
    unique = sorted(set(bounds))
    if len(unique) == 1:
        return [(unique[0], unique[0])]
    return list(pairwise(unique))


def class_of(value: float, ranges: list[tuple[float, float]], decimals: int) -> int:
    """Index of the range holding `value`; a value on a bound belongs to the lower range."""
    value = round(value, decimals)
    for i, (_, upper) in enumerate(ranges):
        if value <= upper:
            return i
    return len(ranges) - 1


def value_colouring(table: pd.DataFrame, dataset: Dataset, indicator: str, month: str, lang: str,
                    classes: int = 5, official: Collection[str] = frozenset()) -> Colouring:
    """A choropleth of the indicator's value at `month` in equal-interval classes; zones without data grey."""
    ind = _indicator(dataset, indicator)
    cells = _cells(table, dataset, indicator, month)
    known = cells.dropna(subset=["actual"])
    decimals = int(ind["decimals"])
    ranges = equal_intervals(list(known["actual"]), classes, decimals)
    # Spread the shades over the classes actually used, so two classes are light and dark, not two pale blues.
    palette = [VALUE_COLORS[round(i * (len(VALUE_COLORS) - 1) / max(len(ranges) - 1, 1))] for i in range(len(ranges))]
    fills = {z: NO_DATA_COLOR for z in cells["zone_id"]}
    for zone_id, value in zip(known["zone_id"], known["actual"]):
        fills[zone_id] = palette[class_of(value, ranges, decimals)]
    unit = unit_of(ind, lang)
    items = []
    for (low, high), color in zip(ranges, palette):
        text = format_number(low, decimals) if low == high else \
            f"{format_number(low, decimals)} – {format_number(high, decimals)}"
        items.append(mapview.LegendItem(with_unit(text, unit), color))
    if len(known) < len(cells):
        items.append(mapview.LegendItem(t("status_no_data", lang), NO_DATA_COLOR))
    notes = [t("legend_equal_intervals", lang)]
    if known["illustrative"].any():
        notes.append(t("illustrative_note", lang))
    title = f"{name_of(ind, lang)} · {t('as_of', lang, month=month)}"
    return Colouring(fills, title, [*items, *_boundaries(dataset, official, lang)], notes)


def colouring(mode: str, table: pd.DataFrame, dataset: Dataset, indicator: str | None, month: str,
              lang: str, official: Collection[str] = frozenset()) -> Colouring:
    """The zones' colours and legend for one of `MODES`; `official`: the zones with official boundaries."""
    if mode == PLATFORM:
        return platform_colouring(dataset, lang, official)
    if indicator is None:
        raise ValueError(f"colouring by {mode} needs an indicator")
    if mode == STATUS:
        return status_colouring(table, dataset, indicator, month, lang, official)
    if mode == VALUE:
        return value_colouring(table, dataset, indicator, month, lang, official=official)
    raise ValueError(f"unknown colouring mode '{mode}' (expected one of {', '.join(MODES)})")
