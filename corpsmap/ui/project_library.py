"""Widgets of the project library: the filter bar synced with the URL, counts by status, one project's record."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import pandas as pd
import streamlit as st

from corpsmap import projects
from corpsmap.data import Dataset
from corpsmap.i18n import name_of, t
from corpsmap.project_map import STATUS_COLORS
from corpsmap.ui import frame

# Filter field → the i18n key of its label; its widget key is filter_<URL parameter>.
TITLES = {"keyword": "filter_keyword", "zones": "zone", "statuses": "status", "bands": "filter_band",
          "platforms": "platform", "chains": "filter_chain", "years": "filter_year"}
KEYS = {field: f"filter_{param}" for param, field in projects.PARAMS.items()}

_CSS = """
<style>
.project-card{width:100%;border-collapse:collapse;font-size:0.95rem}
.project-card th{text-align:left;color:#4a5568;font-weight:600;padding:5px 12px 5px 0;vertical-align:top;
  white-space:nowrap;width:9em}
.project-card td{padding:5px 0;border-bottom:1px solid #edf2f7;vertical-align:top}
.status-chips{display:flex;flex-wrap:wrap;gap:6px 16px;margin:2px 0 6px;font-size:0.92rem}
.status-chips i{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:5px;vertical-align:-1px}
.status-chips b{font-variant-numeric:tabular-nums}
.unmapped{margin:0;padding-left:1.2em;font-size:0.92rem;columns:2}
.unmapped span{color:#718096}
</style>
"""


def _html(markup: str) -> None:
    frame.html(markup, _CSS)


def _formatters(dataset: Dataset, lang: str) -> dict[str, Callable[[str], str]]:
    zones = dataset.zones.set_index("zone_id")
    platforms = dataset.platforms.set_index("platform_id")
    chains = dataset.industry_chains.set_index("chain_id")
    return {
        "zones": lambda z: name_of(zones.loc[z], lang, "short"),
        "platforms": lambda p: name_of(platforms.loc[p], lang),
        "statuses": lambda s: t(f"project_status_{s}", lang),
        "chains": lambda c: name_of(chains.loc[c], lang),
        "bands": lambda b: t(f"band_{b}", lang),
        "years": lambda y: t("year_unknown", lang) if y == projects.UNKNOWN else y,
    }


def clear_filters() -> None:
    """Widget callback: every filter back to "any"."""
    for field, key in KEYS.items():
        st.session_state[key] = "" if field == "keyword" else []


def filter_bar(dataset: Dataset, lang: str) -> projects.ProjectFilter:
    """The filter widgets, seeded from the URL and written back to it; unknown URL values are reported.

    The widgets take the URL's values only when they are new (first visit, or a link from another page);
    after that the widgets lead and the URL follows, so every view stays a link a planner can send.
    """
    choices = projects.filter_choices(dataset)
    requested, problems = projects.from_query({p: st.query_params.get_all(p) for p in st.query_params}, choices)
    for field, key in KEYS.items():
        if key not in st.session_state:
            value = getattr(requested, field)
            st.session_state[key] = value if isinstance(value, str) else list(value)

    formatters = _formatters(dataset, lang)
    # On a phone the eight filters would fill the first screen: they fold into an expander there.
    folded = st.expander(t("filters_title", lang), icon=":material/filter_alt:") if frame.on_phone() else st.container()
    with folded, st.container(key="project_filters"):
        first = st.columns(4, vertical_alignment="bottom")
        second = st.columns(4, vertical_alignment="bottom")
        first[0].text_input(t(TITLES["keyword"], lang), key=KEYS["keyword"], max_chars=projects.KEYWORD_MAX,
                            placeholder=t("filter_keyword_placeholder", lang))
        for column, field in zip([*first[1:], *second[:3]], ["zones", "statuses", "bands", "platforms", "chains",
                                                             "years"]):
            column.multiselect(t(TITLES[field], lang), getattr(choices, field), key=KEYS[field],
                               format_func=formatters[field], placeholder=t("filter_any", lang))
        second[3].button(t("clear_filters", lang), icon=":material/filter_alt_off:", key="clear_filters",
                         on_click=clear_filters, width="stretch")

    for problem in problems:
        if problem.reason == "too_long":
            st.warning(t("keyword_too_long", lang, count=projects.KEYWORD_MAX))
        else:
            label = t(TITLES[projects.PARAMS[problem.param]], lang)
            st.warning(t("unknown_filter_value", lang, param=label, value=frame.md_escape(problem.value)))

    chosen = projects.ProjectFilter(
        **{field: tuple(v for v in getattr(choices, field) if v in st.session_state[key])  # display order
           for field, key in KEYS.items() if field != "keyword"},
        keyword=" ".join(st.session_state[KEYS["keyword"]].split()),
    )
    query = projects.to_query(chosen)
    for param in projects.PARAMS:
        if param not in query:
            st.query_params.pop(param, None)
        elif st.query_params.get(param) != query[param]:
            st.query_params[param] = query[param]
    return chosen


def select_row(key: str, ids: list[str], project_id: str | None) -> None:
    """Highlight `project_id`'s row in the table `key` (no row if it is not listed), before the table is drawn.

    The table keeps its key across filters (so it updates in place and keeps its sorting); this keeps its
    selection pointing at the open project, whether it was opened from the table, the map or a link.
    """
    wanted = [ids.index(project_id)] if project_id in ids else []
    state = st.session_state.get(key)
    if (list(state["selection"]["rows"]) if state else []) != wanted:
        st.session_state[key] = {"selection": {"rows": wanted, "columns": []}}


def totals(found: pd.DataFrame, lang: str) -> None:
    """Count, total investment (a minimum if some amounts are 'at least'), financing apart, counts by status."""
    total = projects.totals(found)
    metrics = st.columns(4)
    metrics[0].metric(t("metric_projects", lang), t("count_value", lang, value=total.count))
    metrics[1].metric(t("metric_investment", lang),
                      t("amount_at_least" if total.lower_bound else "amount_total", lang,
                        value=projects.format_yi(total.investment_yi)), help=t("totals_note", lang))
    metrics[2].metric(t("metric_financing", lang),
                      t("amount_total", lang, value=projects.format_yi(total.financing_yi))
                      if total.financing_yi else "—")
    metrics[3].metric(t("metric_without_amount", lang), t("count_value", lang, value=total.without_amount))
    chips = [f"<span data-status='{escape(s)}'><i style='background:{STATUS_COLORS[s]}'></i>"
             f"{escape(t(f'project_status_{s}', lang))} <b>{status.count}</b></span>"
             for s, status in projects.summary_by_status(found).items()]
    _html(f"<div class='status-chips'>{''.join(chips)}</div>")


def unmapped_list(rows: pd.DataFrame, lang: str, limit: int = 100) -> None:
    """The filtered projects without a position, named rather than placed at a made-up spot."""
    with st.expander(t("not_mapped_title", lang, count=len(rows))):
        st.caption(t("not_mapped_note", lang))
        items = [f"<li>{escape(r.name)} <span>· {escape(r.zone)} · {escape(r.status)}</span></li>"
                 for r in rows.head(limit).itertuples()]
        _html(f"<ul class='unmapped'>{''.join(items)}</ul>")
        if len(rows) > limit:
            st.caption(t("not_mapped_more", lang, count=len(rows) - limit))


def _coordinate(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def project_card(dataset: Dataset, project_id: str, lang: str) -> None:
    """Every field of one project, its source and provenance, and a link to its zone on the map."""
    raw = dataset.projects.set_index("project_id").loc[project_id]
    row = projects.project_rows(dataset.projects[dataset.projects["project_id"] == project_id], dataset,
                                lang).iloc[0]
    source = dataset.sources.set_index("source_id").loc[raw["source_id"]]
    illustrative = raw["provenance"] == "illustrative"
    st.badge(row["provenance"], color="orange" if illustrative else "blue",
             icon=":material/info:" if illustrative else ":material/article:")
    if pd.notna(raw["lat"]):
        location = t("location_value", lang, lat=_coordinate(raw["lat"]), lon=_coordinate(raw["lon"]),
                     precision=row["location_precision"])
    else:
        location = row["location_precision"]
    fields = [
        ("col_project_id", project_id),
        ("zone", f"{row['zone']} · {row['platform']}"),
        ("col_kind", row["kind"]),
        ("status", row["status"]),
        ("col_industry_chain", row["industry_chain"]),
        ("investment", row["amount"] if pd.isna(row["amount_kind"]) else f"{row['amount']} · {row['amount_kind']}"),
        ("col_start_date", "—" if pd.isna(row["start_date"]) else row["start_date"]),
        ("project_location", location),
        ("col_note_zh" if lang == "zh" else "col_note_en", name_of(raw, lang, "note") if pd.notna(raw["note_zh"])
         else "—"),
        ("source", t("source_value", lang, title=source["title"], publisher=source["publisher"], date=source["date"])),
        ("col_provenance", row["provenance"]),
    ]
    if frame.sees_internal():  # a visitor sees public rows only; the field matters to signed-in people
        fields.append(("col_public", row["public"]))
    other = raw["name_en"] if lang == "zh" else raw["name_zh"]
    body = "".join(f"<tr><th>{escape(t(key, lang))}</th><td>{escape(str(value))}</td></tr>" for key, value in fields)
    _html(f"<p><i>{escape(str(other))}</i></p>"
          f"<table class='project-card' data-project='{escape(project_id)}'>{body}</table>")
    st.page_link(frame.map_page(), label=t("show_zone_on_map", lang, zone=frame.md_text(row["zone"])),
                 icon=":material/map:", query_params=frame.link_params(zone=raw["zone_id"]))
