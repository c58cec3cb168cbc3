"""The sections of the indicators page (指标与进度): the article's figures, the status matrix, ranking, trends.

Sized for a meeting-room screen. Every data value that reaches HTML goes through html.escape here.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from corpsmap import charts, progress, summary
from corpsmap.data import CORPS, Dataset
from corpsmap.i18n import month_label, name_of, t
from corpsmap.ui import frame

_CSS = """
<style>
.ind-cards-head{font-size:1.05rem;margin:2px 0 6px}
.ind-cards-head span{color:#718096;font-size:0.85rem;margin-left:8px}
.ind-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(122px,1fr));gap:8px;margin-bottom:6px}
.ind-card{border:1px solid #e2e8f0;border-radius:8px;padding:6px 8px;background:#fff;min-width:0}
.ind-card .v{font-size:1.45rem;font-weight:700;color:#1a365d;font-variant-numeric:tabular-nums;line-height:1.2}
.ind-card .v small{font-size:0.95rem;font-weight:600;white-space:nowrap}
.ind-card .l{font-size:0.8rem;color:#2d3748;line-height:1.25;min-height:2.5em;margin-top:2px}
.ind-card .s{font-size:0.7rem;color:#718096;margin-top:3px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.ind-badge{display:inline-block;font-size:0.75rem;padding:0 6px;border-radius:8px;margin:0 4px 0 0;
  background:#edf2f7;color:#4a5568;border:1px solid #cbd5e0;white-space:nowrap;font-weight:400}
.ind-badge.illus{background:#fffaf0;color:#9c4221;border-color:#fbd38d}
.ind-light{display:inline-block;width:16px;height:16px;border-radius:50%;margin-right:6px;vertical-align:-2px;
  box-shadow:0 0 0 1px rgba(0,0,0,.18)}
.ind-legend{font-size:1rem;margin:0 0 4px}
.ind-legend span{margin-right:22px;white-space:nowrap}
.status-matrix,.rank-table{width:100%;border-collapse:collapse}
.status-matrix th,.rank-table th{color:#4a5568;font-weight:600;border-bottom:2px solid #cbd5e0;padding:6px;
  font-size:0.95rem;vertical-align:bottom}
.status-matrix th{text-align:center}
.status-matrix th .sub{display:block;font-weight:400;font-size:0.78rem;color:#718096}
.status-matrix td{border-bottom:1px solid #e2e8f0;padding:3px 6px;text-align:center;white-space:nowrap}
.status-matrix td.zone,.status-matrix th.zone{text-align:left;font-weight:700;font-size:1.15rem}
.status-matrix .big{font-size:1.25rem;line-height:1.35;font-weight:700;font-variant-numeric:tabular-nums}
.status-matrix .small{display:block;font-size:0.8rem;line-height:1.2;color:#4a5568;font-variant-numeric:tabular-nums}
.status-matrix tr.corps td{background:#f7fafc;border-top:2px solid #a0aec0}
.status-matrix tr.hl td,.rank-table tr.hl td{background:#fefcbf}
.rank-table td{border-bottom:1px solid #e2e8f0;padding:7px 6px;font-size:1.1rem}
.rank-table td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.rank-table .up{color:#2f855a;font-weight:700}.rank-table .down{color:#c53030;font-weight:700}
.rank-table .same{color:#718096}
</style>
"""


def _html(markup: str) -> None:
    frame.html(markup, _CSS)


def _badge(text: str, illustrative: bool = False) -> str:
    return f'<span class="ind-badge{" illus" if illustrative else ""}">{escape(text)}</span>'


def _light(status: str) -> str:
    return f'<span class="ind-light" style="background:{summary.STATUS_COLORS[status]}"></span>'


def zone_names(dataset: Dataset, lang: str) -> dict[str, str]:
    """Short zone names, and the corps' name for the corps-wide rows."""
    names = {r["zone_id"]: name_of(r, lang, "short") for r in dataset.zones.to_dict("records")}
    return {**names, CORPS: t("corps_row", lang)}


def _indicators(dataset: Dataset) -> dict[str, dict]:
    return {r["indicator_id"]: r for r in dataset.indicators.to_dict("records")}


def measure_text(value: float | None, ind: dict, lang: str) -> str:
    """The judged value as shown: completion '57.5%' for cumulative indicators, else the rate itself."""
    if ind["cumulative"] and not pd.isna(value):
        return summary.with_unit(summary.format_number(value, 1), "%")
    return value_text(value, ind, lang)


def value_text(value: float | None, ind: dict, lang: str) -> str:
    """An actual or target value with the indicator's decimals and unit, '—' if missing."""
    if pd.isna(value):
        return "—"
    return summary.with_unit(summary.format_number(value, int(ind["decimals"])), summary.unit_of(ind, lang))


def rank_change_text(change: float | None) -> tuple[str, str]:
    """('↑2', 'up'), ('↓1', 'down'), ('→', 'same'), or ('—', 'same') when there is no earlier rank."""
    if pd.isna(change):
        return "—", "same"
    if change > 0:
        return f"↑{int(change)}", "up"
    if change < 0:
        return f"↓{int(-change)}", "down"
    return "→", "same"


def reconcile_warnings(dataset: Dataset, lang: str) -> None:
    """Warn if the zones no longer add up to a corps-wide figure the article prints."""
    inds = _indicators(dataset)
    for m in progress.reconcile(dataset):
        ind = inds[m.indicator_id]
        st.warning(t("reconcile_mismatch", lang, indicator=frame.md_text(name_of(ind, lang)), month=m.month,
                     derived=value_text(m.derived, ind, lang), reported=value_text(m.reported, ind, lang)))


def _figure_sources(dataset: Dataset, lang: str) -> dict[str, str]:
    """'2022-07 萧山日报 …' for each indicator the article reports corps-wide."""
    obs = dataset.observations
    reported = obs[(obs["zone_id"] == CORPS) & (obs["provenance"] == "article")].sort_values("month")
    sources = dataset.sources.set_index("source_id")
    out = {}
    for r in reported.itertuples(index=False):
        source = sources.loc[r.source_id]
        out[r.indicator_id] = t("source_short", lang, publisher=source["publisher"], date=source["date"])
    return out


def _figure_value(text: str) -> str:
    """'170.16 亿元' as a large number and a smaller unit, so a long English unit wraps instead of overflowing."""
    number, _, unit = text.partition(" ")
    return escape(number) + (f" <small>{escape(unit)}</small>" if unit else "")


def headline_cards(dataset: Dataset, lang: str) -> None:
    """The article's corps-wide first-half figures exactly as printed, each with its source."""
    sources = _figure_sources(dataset, lang)
    # One compact row: on a 1080p screen the status matrix below must still fit without scrolling.
    cards = [f"<div class='ind-card' data-indicator='{escape(f.indicator_id)}'>"
             f"<div class='v'>{_figure_value(f.value)}</div><div class='l'>{escape(f.label)}</div>"
             f"<div class='s' title='{escape(sources.get(f.indicator_id, ''))}'>"
             f"{escape(sources.get(f.indicator_id, ''))}</div></div>"
             for f in summary.reported_figures(dataset, lang)]
    head = (f"<div class='ind-cards-head'><b>{escape(t('corps_summary', lang))}</b> {_badge(t('reported', lang))}"
            f"<span>{escape(t('corps_summary_source', lang))}</span></div>")
    _html(f"{head}<div class='ind-cards'>{''.join(cards)}</div>")


def _status_legend(lang: str) -> str:
    items = [f"<span>{_light(s)}{escape(t(f'status_{s}', lang))}</span>" for s in progress.STATUSES[:4]]
    return f"<div class='ind-legend'>{''.join(items)}</div>"


def _cell(row: pd.Series, ind: dict, zone: str, lang: str) -> str:
    """One matrix cell: the light, the judged value large, the value or the target small."""
    status = row["status"]
    if status == progress.NO_DATA:
        big, small = "—", ""
    elif ind["cumulative"]:
        big, small = measure_text(row["completion"], ind, lang), value_text(row["actual"], ind, lang)
        if big == "—":  # no target, so no completion: show the value itself
            big, small = small, ""
    else:
        big = value_text(row["actual"], ind, lang)
        small = "" if pd.isna(row["target"]) else t("target_short", lang, value=value_text(row["target"], ind, lang))
    if zone == CORPS and status != progress.NO_DATA:
        small = t("derived" if row["derived"] else "reported", lang) if not small else \
            f"{small} · {t('derived' if row['derived'] else 'reported', lang)}"
    title = t(f"status_{status}", lang)
    if not pd.isna(row["schedule"]):
        title += f"; {_reference_title(ind, lang)}: {measure_text(row['schedule'], ind, lang)}"
    light = "" if status == progress.NO_DATA else _light(status)
    return (f"<td data-zone='{escape(zone)}' data-indicator='{escape(ind['indicator_id'])}' "
            f"data-status='{escape(status)}' title='{escape(title)}'>{light}"
            f"<span class='big'>{escape(big)}</span><span class='small'>{escape(small)}</span></td>")


def status_matrix(dataset: Dataset, table: pd.DataFrame, month: str, zones: list[str], lang: str,
                  highlight: str | None = None) -> None:
    """Zones (river order, then the corps) × indicators with zone data: a status light and value per cell."""
    st.subheader(t("matrix_title", lang, month=month_label(month, lang)), anchor=False)
    indicators = progress.zone_indicators(dataset)
    inds = _indicators(dataset)
    cells = progress.matrix(table, month, indicators, zones)
    names = zone_names(dataset, lang)
    head = [f"<th class='zone'>{escape(t('zone', lang))}</th>"]
    for i in indicators:
        ind = inds[i]
        column = cells[(cells["indicator_id"] == i) & (cells["zone_id"] != CORPS) & (cells["status"] != "no_data")]
        badges = _badge(t("illustrative", lang), True) if column["illustrative"].any() else ""
        if (~column["illustrative"]).any():
            badges += _badge(t("reported", lang))
        sub = t("matrix_sub_cumulative" if ind["cumulative"] else "matrix_sub_rate", lang)
        head.append(f"<th data-indicator='{escape(i)}'>{escape(name_of(ind, lang))}{badges}"
                    f"<span class='sub'>{escape(sub)}</span></th>")
    body = []
    for zone in [*zones, CORPS]:
        rows = cells[cells["zone_id"] == zone].set_index("indicator_id")
        css = "corps" if zone == CORPS else "hl" if zone == highlight else ""
        tds = "".join(_cell(rows.loc[i], inds[i], zone, lang) for i in indicators)
        body.append(f"<tr class='{css}' data-zone='{escape(zone)}'><td class='zone'>{escape(names[zone])}</td>"
                    f"{tds}</tr>")
    # The container's key becomes the CSS class st-key-status-matrix: a stable hook for browser tests.
    with st.container(key="status-matrix"):
        _html(_status_legend(lang) + f"<table class='status-matrix'><thead><tr>{''.join(head)}</tr></thead>"
              f"<tbody>{''.join(body)}</tbody></table>")
    st.caption(t("matrix_caption", lang, points=f"{progress.SLIGHTLY_BEHIND_POINTS:g}",
                 rate_points=f"{progress.RATE_SLIGHTLY_BEHIND_POINTS:g}"))


def _status_labels(lang: str) -> dict[str, str]:
    return {s: t(f"status_{s}", lang) for s in progress.STATUSES}


def _provenance_badges(rows: pd.DataFrame, lang: str) -> None:
    """'Illustrative' and/or 'As reported' badges, on one line, for the values a chart shows."""
    known = rows[rows["status"] != progress.NO_DATA]
    badges = []
    if known["illustrative"].any():
        badges.append(f":orange-badge[{t('illustrative', lang)}]")
    if (~known["illustrative"] & ~known["derived"]).any():
        badges.append(f":gray-badge[{t('reported', lang)}]")
    if badges:
        st.markdown(" ".join(badges))


def ranking_section(dataset: Dataset, table: pd.DataFrame, indicator: str, month: str, zones: list[str],
                    lang: str, highlight: str | None = None) -> None:
    """赛马: the zones ranked on one indicator at `month`, a bar chart and a table with rank changes."""
    ind = _indicators(dataset)[indicator]
    st.subheader(t("ranking_title", lang, indicator=frame.md_text(name_of(ind, lang)), month=month_label(month, lang)),
                 anchor=False)
    rows = progress.ranking(table, indicator, month, zones)
    _provenance_badges(rows, lang)
    names = zone_names(dataset, lang)
    labels, table_rows = [], []
    for r in rows.to_dict("records"):
        change, css = rank_change_text(r["rank_change"])
        rank = "—" if pd.isna(r["rank"]) else str(int(r["rank"]))
        # Cumulative: completion, then the amount behind it; rates: the rate, then its target.
        second = value_text(r["actual"] if ind["cumulative"] else r["target"], ind, lang)
        labels.append((f"{rank}  {names[r['zone_id']]}", f"{measure_text(r['measure'], ind, lang)}  {change}"))
        table_rows.append(
            f"<tr class='{'hl' if r['zone_id'] == highlight else ''}' data-zone='{escape(r['zone_id'])}'>"
            f"<td class='num'>{escape(rank)}</td><td>{_light(r['status'])}{escape(names[r['zone_id']])}</td>"
            f"<td class='num'><b>{escape(measure_text(r['measure'], ind, lang))}</b></td>"
            f"<td class='num'>{escape(second)}</td>"
            f"<td class='num {css}'>{escape(change)}</td></tr>")
    chart_rows = rows.assign(zone=[z for z, _ in labels], label=[lbl for _, lbl in labels])
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart = charts.ranking_chart(chart_rows, measure_title=_measure_title(ind, lang),
                                     schedule_title=_reference_title(ind, lang), status_title=t("status", lang),
                                     status_labels=_status_labels(lang))
        st.altair_chart(chart, width="stretch")
        st.caption(t("ranking_caption_cumulative" if ind["cumulative"] else "ranking_caption_rate", lang))
    with right:
        fourth = "actual" if ind["cumulative"] else "target"
        head = "".join(f"<th>{escape(t(k, lang))}</th>"
                       for k in ("rank", "zone", "completion" if ind["cumulative"] else "actual", fourth,
                                 "rank_change"))
        with st.container(key="ranking-table"):
            _html(f"<table class='rank-table'><tr>{head}</tr>{''.join(table_rows)}</table>")


def _measure_title(ind: dict, lang: str) -> str:
    if ind["cumulative"]:
        return t("completion_axis", lang)
    return t("rate_axis", lang, unit=summary.unit_of(ind, lang))


def _reference_title(ind: dict, lang: str) -> str:
    return t("schedule" if ind["cumulative"] else "target_rate", lang)


def trend_section(dataset: Dataset, table: pd.DataFrame, indicator: str, month: str, zones: list[str],
                  lang: str) -> None:
    """Monthly series per zone (and the corps) against 序时进度 or the target, over the chosen month's year.

    One year: year-to-date values and 序时进度 start again each January, and the months read as 1月 … 12月.
    """
    ind = _indicators(dataset)[indicator]
    st.subheader(t("trend_title", lang, indicator=frame.md_text(name_of(ind, lang)), year=month[:4]), anchor=False)
    rows = progress.trend(table, indicator, zones, year=month[:4])
    _provenance_badges(rows, lang)
    names = zone_names(dataset, lang)
    ordered = list(dict.fromkeys(rows["zone_id"]))
    all_months = sorted(rows["month"].unique())
    data = rows.assign(panel=rows["zone_id"].map(names), month=rows["month"].map(lambda m: month_label(m, lang, True)))
    # A full grid reads best: eight zones in 4 × 2, eight plus the corps in 3 × 3.
    columns = 3 if len(ordered) == 9 else min(4, len(ordered))
    chart = charts.trend_chart(data, months=[month_label(m, lang, True) for m in all_months],
                               panels=[names[z] for z in ordered], measure_title=_measure_title(ind, lang),
                               reference_title=_reference_title(ind, lang), status_title=t("status", lang),
                               status_labels=_status_labels(lang), columns=columns,
                               panel_width=1380 // columns - 60)
    st.altair_chart(chart, width="content")
    st.caption(t("trend_caption_cumulative" if ind["cumulative"] else "trend_caption_rate", lang))
