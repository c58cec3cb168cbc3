"""Altair charts of the progress engine's rows: the ranking (赛马) and the monthly trends.

Streamlit renders Vega-Lite with the copy of Vega it bundles and sends the rows inline, so these specs must
hold no remote data, image or font: nothing here names a URL (the `$schema` key is never fetched).
Callers pass display-ready rows (translated labels, formatted text); the charts only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from corpsmap.progress import STATUSES
from corpsmap.summary import STATUS_COLORS

# Large type: the charts are read on a meeting-room screen from across the table.
FONT_SIZE = 16
BAR_HEIGHT = 46
REFERENCE_COLOR = "#1a202c"
LINE_COLOR = "#2c5282"


def _status_scale(statuses: pd.Series, labels: Mapping[str, str]) -> alt.Scale:
    """Status labels → the status light colours, listing only the statuses present, in the engine's order."""
    shown = [s for s in STATUSES if s in set(statuses)]
    return alt.Scale(domain=[labels[s] for s in shown], range=[STATUS_COLORS[s] for s in shown])


def _large(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (chart.configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE - 1, labelLimit=260,
                                 labelColor=REFERENCE_COLOR)
            .configure_legend(labelFontSize=FONT_SIZE - 1, titleFontSize=FONT_SIZE - 1, orient="top")
            .configure_header(labelFontSize=FONT_SIZE + 1, labelFontWeight="bold")
            .configure_view(stroke=None))


def ranking_chart(rows: pd.DataFrame, *, measure_title: str, schedule_title: str, status_title: str,
                  status_labels: Mapping[str, str]) -> alt.TopLevelMixin:
    """Horizontal bars of the zones, best first, coloured by status, with 序时进度 (or each target) marked.

    `rows`: one per zone in rank order with `zone` (axis label), `measure`, `schedule`, `status` and `label`
    (the text printed at the bar's end, e.g. '60.7%  ↑2'). A shared 序时进度 is drawn as one line across the
    chart; targets that differ by zone (rates) as a tick on each bar.
    """
    data = rows.assign(status_label=rows["status"].map(status_labels))
    order = list(data["zone"])
    values = pd.concat([data["measure"], data["schedule"]]).dropna()
    high = max(values.max(), 0) if len(values) else 1
    low = min(values.min(), 0) if len(values) else 0
    # Room on the right for the value labels printed past the longest bar.
    x_scale = alt.Scale(domain=[low, high * 1.22 if high > 0 else 1], nice=False)
    y = alt.Y("zone:N", sort=order, title=None)
    base = alt.Chart(data)
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X("measure:Q", title=measure_title, scale=x_scale),
        y=y,
        color=alt.Color("status_label:N", title=status_title, scale=_status_scale(data["status"], status_labels)),
        tooltip=[alt.Tooltip("zone:N", title=" "), alt.Tooltip("label:N", title=measure_title),
                 alt.Tooltip("schedule:Q", title=schedule_title, format=".1f"),
                 alt.Tooltip("status_label:N", title=status_title)],
    )
    labels = base.mark_text(align="left", dx=6, fontSize=FONT_SIZE, fontWeight="bold", color=REFERENCE_COLOR).encode(
        x=alt.X("measure:Q", scale=x_scale), y=y, text="label:N")
    schedules = data["schedule"].dropna().unique()
    if len(schedules) == 1:
        value = float(schedules[0])
        line = pd.DataFrame({"schedule": [value], "text": [f"{schedule_title} {value:.1f}%"]})
        reference = alt.Chart(line).mark_rule(color=REFERENCE_COLOR, strokeDash=[6, 4], strokeWidth=2.5).encode(
            x=alt.X("schedule:Q", scale=x_scale))
        caption = alt.Chart(line).mark_text(align="left", dx=5, y=-10, fontSize=FONT_SIZE - 2,
                                            color=REFERENCE_COLOR).encode(x=alt.X("schedule:Q", scale=x_scale),
                                                                          text="text:N")
        layers = [bars, reference, caption, labels]
    else:
        ticks = base.mark_tick(color=REFERENCE_COLOR, thickness=3, size=BAR_HEIGHT * 0.8).encode(
            x=alt.X("schedule:Q", scale=x_scale), y=y)
        layers = [bars, ticks, labels]
    chart = alt.layer(*layers).properties(height=BAR_HEIGHT * max(len(data), 1))
    return _large(chart)


def trend_chart(rows: pd.DataFrame, *, months: list[str], panels: list[str], measure_title: str,
                reference_title: str, status_title: str, status_labels: Mapping[str, str],
                columns: int = 5, panel_width: int = 250, panel_height: int = 170) -> alt.TopLevelMixin:
    """One small panel per zone: the monthly measure with status-coloured points against a dashed reference.

    `rows`: `panel` (zone label), `month` (axis label, ordered as `months`), `measure`, `schedule` (序时进度
    or the target rate) and `status`. Missing months are rows with an empty measure: the line breaks there.
    """
    data = rows.assign(status_label=rows["status"].map(status_labels))
    x = alt.X("month:O", sort=months, title=None, axis=alt.Axis(labelAngle=0, labelFontSize=FONT_SIZE - 3))
    y = alt.Y("measure:Q", title=measure_title, scale=alt.Scale(zero=True))
    reference = alt.Chart().mark_line(color=REFERENCE_COLOR, strokeDash=[6, 4], strokeWidth=2).encode(
        x=x, y=alt.Y("schedule:Q"))
    line = alt.Chart().mark_line(color=LINE_COLOR, strokeWidth=3).encode(x=x, y=y)
    points = alt.Chart().mark_point(filled=True, size=110, opacity=1).encode(
        x=x, y=y,
        color=alt.Color("status_label:N", title=status_title, scale=_status_scale(data["status"], status_labels)),
        tooltip=[alt.Tooltip("panel:N", title=" "), alt.Tooltip("month:O", title=" "),
                 alt.Tooltip("measure:Q", title=measure_title, format=".1f"),
                 alt.Tooltip("schedule:Q", title=reference_title, format=".1f"),
                 alt.Tooltip("status_label:N", title=status_title)],
    )
    layered = alt.layer(reference, line, points, data=data).properties(width=panel_width, height=panel_height)
    chart = layered.facet(facet=alt.Facet("panel:N", sort=panels, title=None), columns=columns)
    return _large(chart.resolve_scale(y="shared"))
