"""The side panel of the map page: one zone's details, or the corps-wide summary when none is selected."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

import streamlit as st
import streamlit.components.v1 as components

from corpsmap import summary
from corpsmap.data import CORPS, Dataset
from corpsmap.i18n import month_label, name_of, t
from corpsmap.progress import latest_month
from corpsmap.ui import briefing_pack, frame

PANEL_PROJECTS = 12  # projects listed in a zone's panel; the project library has them all

_CSS = """
<style>
.table-scroll{overflow-x:auto}
.corps-table{width:100%;border-collapse:collapse;font-size:0.95rem}
.corps-table th{text-align:left;color:#4a5568;font-weight:600;border-bottom:2px solid #cbd5e0;padding:4px 6px}
.corps-table td{border-bottom:1px solid #e2e8f0;padding:6px;vertical-align:top}
.corps-table td.status{white-space:nowrap}
.corps-table td.num{text-align:right;font-variant-numeric:tabular-nums;word-break:keep-all}
.corps-table td.big{font-size:1.15rem;font-weight:700}
.badge{display:inline-block;font-size:0.72rem;padding:0 6px;border-radius:8px;margin-left:4px;
  background:#edf2f7;color:#4a5568;border:1px solid #cbd5e0;white-space:nowrap;font-weight:400}
.badge.illus{background:#fffaf0;color:#9c4221;border-color:#fbd38d}
.light{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:5px;vertical-align:-1px}
.figure{border:1px solid #e2e8f0;border-radius:8px;padding:8px 10px;margin-bottom:8px;background:#fff}
.figure .v{font-size:1.7rem;font-weight:700;color:#1a365d;font-variant-numeric:tabular-nums}
.figure .l{font-size:0.85rem;color:#4a5568}
</style>
"""


def _badge(text: str, illustrative: bool = False) -> str:
    return f'<span class="badge{" illus" if illustrative else ""}">{escape(text)}</span>'


def _html(markup: str) -> None:
    frame.html(markup, _CSS)


def headline_table(rows: list[summary.HeadlineRow], lang: str) -> None:
    """Indicators against target and 序时进度 with status lights, illustrative values badged."""
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("indicator", "actual", "target", "completion",
                                                               "schedule", "status"))
    body = []
    for r in rows:
        badges = _badge(t("illustrative", lang), True) if r.illustrative else ""
        if r.derived:
            badges += _badge(t("derived", lang))
        body.append(
            f"<tr><td>{escape(r.label)}{badges}</td><td class='num big'>{escape(r.actual)}</td>"
            f"<td class='num'>{escape(r.target)}</td><td class='num'>{escape(r.completion)}</td>"
            f"<td class='num'>{escape(r.schedule)}</td>"
            f"<td class='status' data-status='{escape(r.indicator_id)}'>"
            f"<span class='light' style='background:{r.color}'></span>"
            f"{escape(r.status)}</td></tr>")
    _html(f"<div class='table-scroll'><table class='corps-table'><tr>{head}</tr>{''.join(body)}</table></div>")


def _month_param(dataset: Dataset, month: str | None) -> dict[str, str]:
    """`month` for a link, unless it is the latest (the default everywhere: links stay short)."""
    return {"month": month} if month and month != latest_month(dataset) else {}


@dataclass(frozen=True)
class _ZoneData:
    """What a zone's panel shows from the data, worked out once per version, rows shown, zone, language and
    month and shared by every session (plain values: nothing in it is changed after it is made)."""

    zone: dict
    platform: dict
    month: str | None  # the month shown: the one asked for, else the latest
    latest: str | None
    headline: tuple[summary.HeadlineRow, ...]
    projects: tuple[dict, ...]  # the first PANEL_PROJECTS
    total_projects: int
    any_article: bool


@st.cache_resource(max_entries=512, show_spinner=False)
def _zone_data(version: int, internal: bool, zone_id: str, lang: str, month: str | None, _dataset: Dataset,
               _table) -> _ZoneData:
    # A version never changes, so its number and whether non-public rows are in it fix the data: the
    # underscored arguments (not hashed) are what those name. Building this was most of a click's panel.
    latest = latest_month(_dataset)
    month = month or latest  # the indicators page opens on the latest too: the same lights
    projects = summary.zone_projects(_dataset, zone_id)
    return _ZoneData(
        zone=_dataset.zones.set_index("zone_id").loc[zone_id].to_dict(),
        platform=_dataset.platforms.set_index("platform_id").loc[
            _dataset.zones.set_index("zone_id").loc[zone_id, "platform_id"]].to_dict(),
        month=month, latest=latest,
        headline=tuple(summary.headline_rows(_table, _dataset, zone_id, month, lang)) if month else (),
        projects=tuple(p._asdict() for p in projects.head(PANEL_PROJECTS).itertuples()),
        total_projects=len(projects), any_article=bool((projects["provenance"] == "article").any()))


def zone_panel(dataset: Dataset, table, zone_id: str, lang: str, month: str | None = None,
               schematic: bool = True) -> None:
    """Names, platform, positioning, headline indicators vs target, projects, links; a "schematic" badge unless
    the zone's boundary is official."""
    data = _zone_data(frame.shown_version(), frame.sees_internal(), zone_id, lang, month, dataset, table)
    zone, platform, month = data.zone, data.platform, data.month
    st.subheader(frame.md_text(name_of(zone, lang)), anchor=False)
    other = zone["name_en"] if lang == "zh" else zone["name_zh"]
    facts = [f"<b>{escape(t('platform', lang))}</b>: {escape(name_of(platform, lang))}",
             f"<b>{escape(t('positioning', lang))}</b>: {escape(name_of(zone, lang, 'positioning'))}"]
    if zone["townships_zh"]:
        facts.append(f"<b>{escape(t('townships', lang))}</b>: {escape(zone['townships_zh'])}")
    size = zone["size_km2"]
    if size == size and size is not None:  # not NaN
        facts.append(f"<b>{escape(t('size', lang))}</b>: {escape(t('size_value', lang, value=f'{size:g}'))}")
    badge = _badge(t("schematic", lang)) if schematic else ""
    _html(f"<div class='zone-facts' data-zone='{escape(zone_id)}'><i>{escape(other)}</i> "
          f"{badge}<br>{'<br>'.join(facts)}</div>")

    month_param = {"month": month} if month and month != data.latest else {}  # links stay short
    if month is None:
        st.caption(t("no_observations", lang))
    else:
        st.markdown(f"**{t('indicators', lang)}** · {t('as_of', lang, month=month_label(month, lang))}")
        headline_table(list(data.headline), lang)
    st.page_link("pages/indicators.py", label=t("more_indicators", lang), icon=":material/monitoring:",
                 query_params=frame.link_params(zone=zone_id, **month_param))

    st.markdown(f"**{t('projects', lang)}**")
    if not data.total_projects:
        st.caption(t("no_projects", lang))
    else:
        rows = []
        # The article's projects first, then the largest: a zone may hold hundreds, and the panel is a summary
        # (every one of 625 made each click send 147 KB and take 0.6 s to draw; docs/performance.md).
        for p in data.projects:
            badge = _badge(t("illustrative", lang), True) if p["provenance"] == "illustrative" else ""
            rows.append(
                f"<tr><td>{escape(name_of(p, lang))}{badge}</td>"
                f"<td>{escape(t('project_status_' + p['status'], lang))}</td>"
                f"<td class='num'>{escape(summary.amount_text(p['investment_yi'], p['amount_kind'], lang))}</td></tr>")
        head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("name", "status", "investment"))
        _html(f"<table class='corps-table'><tr>{head}</tr>{''.join(rows)}</table>")
        if data.total_projects > PANEL_PROJECTS:
            st.caption(t("more_projects_count", lang, shown=PANEL_PROJECTS, total=data.total_projects))
        if not data.any_article:
            st.caption(t("no_projects", lang))
    st.page_link("pages/projects.py", label=t("more_projects", lang), icon=":material/list_alt:",
                 query_params=frame.link_params(zone=zone_id, **month_param))
    briefing_pack.pack_button(lang, month, zone_id)


def corps_summary(dataset: Dataset, table, lang: str, month: str | None = None) -> None:
    """The article's first-half figures, exactly as printed, plus the derived progress of additive ones."""
    st.subheader(t("corps_summary", lang), anchor=False)
    st.caption(t("corps_summary_source", lang))
    figures = summary.reported_figures(dataset, lang)
    cards = [f"<div class='figure' data-indicator='{escape(f.indicator_id)}'><div class='v'>{escape(f.value)}</div>"
             f"<div class='l'>{escape(f.label)}{_badge(t('reported', lang))}</div></div>" for f in figures]
    half = (len(cards) + 1) // 2
    left, right = st.columns(2)
    with left:
        _html("".join(cards[:half]))
    with right:
        _html("".join(cards[half:]))
    month = month or latest_month(dataset)
    rows = [] if month is None else [
        r for r in summary.headline_rows(table, dataset, CORPS, month, lang, headline_only=False) if r.derived]
    if month is None:
        st.caption(t("no_observations", lang))
    elif rows:
        st.markdown(f"**{t('indicators', lang)}** · {t('as_of', lang, month=month_label(month, lang))}")
        headline_table(rows, lang)
    st.page_link("pages/indicators.py", label=t("more_indicators", lang), icon=":material/monitoring:",
                 query_params=frame.link_params(**_month_param(dataset, month)))
    st.caption(t("click_hint", lang))


def scroll_into_view_on_phone(key: str) -> None:
    """After a tap on the map of a phone, where the panel sits below the map, bring the panel into view."""
    selector = json.dumps(f".st-key-{key}")  # a key of ours (zone ids are checked), quoted for JavaScript
    # A component's frame has the page's origin, so its script can reach the page (st.html's did not run here).
    components.html("<script>setTimeout(function(){var w=window.parent;if(w.innerWidth<640){"
                    f"var e=w.document.querySelector({selector});"
                    "if(e){e.style.scrollMarginTop='64px';e.scrollIntoView({behavior:'smooth',block:'start'});}"
                    "}},100);</script>", height=0)
