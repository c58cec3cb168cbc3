"""The intranet's data page: the monthly report round trip, project edits and table replacements.

Each section turns what the user gives (a filled template, a form, a sheet) into a `versions.Pending` change
once, shows its preview, and publishes it as a new version (admins), submits it for publication (zone
editors) or discards it. A zone editor is offered their own zones only; corpsmap.workflow refuses the rest.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import partial

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from corpsmap import basemaps, changes, report, workflow
from corpsmap.accounts import Action, PermissionDenied, Role, can
from corpsmap.data import (
    AMOUNT_KINDS,
    LOCATION_PRECISIONS,
    PROJECT_KINDS,
    STATUSES,
    TABLES,
    DataError,
    Dataset,
)
from corpsmap.export import XLSX_MIME
from corpsmap.i18n import month_label, name_of, t
from corpsmap.progress import months, next_month, zone_order
from corpsmap.project_map import project_base_map
from corpsmap.store import StaleVersion, StoreError
from corpsmap.ui import frame, session, versions
from corpsmap.ui.geodata import map_geodata
from corpsmap.workflow import ChangeSpec

CSV_BOM = "\ufeff"  # Excel opens a CSV as UTF-8 only with it


@st.cache_data(max_entries=16, show_spinner=False)
def _template(number: int, zone_ids: tuple[str, ...], month: str) -> bytes:
    return report.build_template(frame.full_dataset(number), frame.full_progress(number), list(zone_ids), month,
                                 number)


@st.cache_data(max_entries=16, show_spinner=False)
def _table_csv(number: int, name: str) -> bytes:
    """Table `name` of version `number` as a CSV file Excel opens (written once, not on every rerun)."""
    return (CSV_BOM + changes.to_csv_text(name, frame.full_dataset(number).tables[name])).encode("utf-8")


def _show_failure(exc: Exception, lang: str, file: str) -> None:
    if isinstance(exc, DataError):
        versions.show_data_error(exc, lang, file)
    else:
        versions.show_refusal(exc, lang)


def _take_file(key: str, upload, lang: str, spec: ChangeSpec) -> None:
    """Turn an uploaded file into a pending change once (a rerun shows the first outcome again)."""
    content = upload.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    seen = st.session_state.get(f"{key}_seen")
    if seen and seen[0] == digest:  # the same file on a rerun: do not read it again
        if seen[1] is not None:
            _show_failure(seen[1], lang, upload.name)
        return
    try:
        pending = versions.prepare(spec, content, frame.latest_version(), comment=spec.label)
    except (DataError, PermissionDenied) as exc:
        st.session_state[f"{key}_seen"] = (digest, exc)
        _show_failure(exc, lang, upload.name)
        return
    st.session_state[f"{key}_seen"] = (digest, None)
    versions.set_pending(key, pending)


def my_zones(dataset: Dataset) -> list[str]:
    """The zones this person reports for, along the river: all for an admin, their own for a zone editor."""
    user = frame.current_user()
    return [z for z in zone_order(dataset) if can(user, Action.UPLOAD_REPORT, z)]


def report_section(dataset: Dataset, number: int, lang: str) -> None:
    """Template download and upload of the monthly report, for one zone or all."""
    key = "report"
    st.write(t("report_intro", lang))
    versions.published_notice(key, lang)
    user = frame.current_user()
    zones = my_zones(dataset)
    names = {r["zone_id"]: name_of(r, lang) for r in dataset.zones.to_dict("records")}
    everything = [report.ALL_ZONES] if user.role is Role.ADMIN else []
    choice = st.selectbox(t("report_zone", lang), [*everything, *zones], key="report_zone",
                          format_func=lambda z: t("report_all_zones", lang) if z == report.ALL_ZONES else names[z])
    chosen = zones if choice == report.ALL_ZONES else [choice]
    known = months(dataset)
    options = _report_months(known)
    month = st.selectbox(t("report_month", lang), options, index=len(options) - 1, key="report_month",
                         format_func=lambda m: month_label(m, lang))
    workflow.check_template(user, chosen)  # the options above are the user's; this guards the rest
    filename = report.report_filename([choice], month)
    content = _template(number, tuple(chosen), month)
    st.download_button(t("report_download", lang),
                       frame.recorded(lambda: content, filename, "download_template", zone_id=",".join(chosen),
                                      month=month, version=number),
                       file_name=filename, mime=XLSX_MIME, key="report_template", icon=":material/download:",
                       on_click="ignore")
    file = st.file_uploader(t("report_upload", lang), type=["xlsx"], key=versions.uploader_key(key))
    if file is not None and versions.pending(key) is None:
        label = t("report_label", lang, zones=", ".join(names[z] for z in chosen), month=month_label(month, lang),
                  file=file.name)
        _take_file(key, file, lang, ChangeSpec("monthly_report", label, filename=file.name, zone_ids=tuple(chosen)))
    pending = versions.pending(key)
    if pending is not None:
        versions.review(pending, key, lang)


def _report_months(known: list[str]) -> list[str]:
    """Months a report can be for: those of the latest data year up to the month after the latest data."""
    if not known:
        return [date.today().strftime("%Y-%m")]
    last = known[-1]
    upcoming = next_month(last)
    year = upcoming[:4]
    return [m for m in known if m.startswith(year)] + [upcoming]


def _table_upload(key: str, name: str, lang: str, label_key: str) -> None:
    """Upload of a whole table (CSV or .xlsx), previewed and published as a new version."""
    file = st.file_uploader(t(label_key, lang, file=TABLES[name].file), type=["csv", "xlsx"],
                            key=versions.uploader_key(key))
    if file is not None and versions.pending(key) is None:
        kind = "projects" if name == "projects" else "table"
        _take_file(key, file, lang, ChangeSpec(kind, f"{TABLES[name].file} ← {file.name}", filename=file.name,
                                               table=name))
    pending = versions.pending(key)
    if pending is not None:
        versions.review(pending, key, lang)


def tables_section(number: int, lang: str) -> None:
    """Download any table of the latest version as CSV; replace it from a spreadsheet."""
    st.write(t("tables_intro", lang))
    name = st.selectbox(t("data_table", lang), list(TABLES), key="data_table", format_func=lambda n: f"{n}.csv")
    versions.published_notice(f"tables_{name}", lang)
    st.download_button(t("data_download_current", lang),
                       frame.recorded(partial(_table_csv, number, name), TABLES[name].file, version=number),
                       file_name=TABLES[name].file, mime="text/csv", key="data_download", icon=":material/download:",
                       on_click="ignore")
    _table_upload(f"tables_{name}", name, lang, "tables_upload")


def _position_picker(dataset: Dataset, lat: float | None, lon: float | None, lang: str) -> tuple | None:
    """A small map on the chosen base map; a click returns (lat, lon) in WGS-84 (shifted back from GCJ-02
    where the base map is drawn in it)."""
    shapes, districts, river = map_geodata(dataset, lang)
    online = frame.online_tiles()
    m = project_base_map(shapes, dataset.zones, districts, river, lang, online_tiles=online)
    if lat is not None and lon is not None:
        folium.CircleMarker(basemaps.point_to_display(lat, lon, online), radius=8, color="#c53030", weight=3,
                            fill=True).add_to(m)
    st.caption(t("projects_map_hint", lang))
    clicked = st_folium(m, key="project_position_map", height=360, use_container_width=True,
                        returned_objects=["last_clicked"])
    point = (clicked or {}).get("last_clicked")
    if not point:
        return None
    lat, lon = basemaps.point_from_display(point["lat"], point["lng"], online)
    return round(lat, 6), round(lon, 6)


def projects_section(dataset: Dataset, number: int, lang: str) -> None:
    """Add or edit one project in a form (position by a click on the map), or upload the project sheet."""
    key = "project_form"
    st.write(t("projects_intro", lang))
    versions.published_notice(key, lang)
    mine = dataset.projects["zone_id"].isin(my_zones(dataset))
    projects = dataset.projects[mine].set_index("project_id", drop=False)
    new = "__new__"
    picked = st.selectbox(t("projects_pick", lang), [new, *projects.index], key="project_pick",
                          format_func=lambda p: t("projects_new", lang) if p == new else
                          f"{p} · {projects.at[p, 'name_zh']}")
    row = {c.name: None for c in TABLES["projects"].columns} if picked == new else projects.loc[picked].to_dict()
    row = {k: changes.plain(v) for k, v in row.items()}
    position_key = f"project_position_{picked}"
    if position_key not in st.session_state:
        st.session_state[position_key] = (row["lat"], row["lon"])
    clicked = _position_picker(dataset, *st.session_state[position_key], lang)
    if clicked and clicked != st.session_state[position_key]:
        st.session_state[position_key] = clicked
        st.rerun()
    lat, lon = st.session_state[position_key]
    if versions.pending(key) is None:
        with st.form(f"project_form_{picked}"):
            values = _project_fields(dataset, row, lang)
            no_position = st.checkbox(t("projects_clear_position", lang), value=lat is None)
            submitted = st.form_submit_button(t("projects_form_submit", lang), type="primary")
        if submitted:
            _submit_project(key, values, None if no_position else (lat, lon), number, lang)
    pending = versions.pending(key)
    if pending is not None:
        versions.review(pending, key, lang)
    st.divider()
    versions.published_notice("projects_sheet", lang)
    _table_upload("projects_sheet", "projects", lang, "projects_upload")


def _submit_project(key: str, values: dict, position: tuple | None, number: int, lang: str) -> None:
    """Turn the form's values (and the map's position, or none) into a pending change of one project."""
    lat, lon = position if position and position[0] is not None else (None, None)
    values = {**values, "lat": lat, "lon": lon}
    if lat is None:
        values["location_precision"] = "none"
    elif values["location_precision"] in (None, "none"):
        values["location_precision"] = "approximate"  # placed by a click on a small map
    row = {c.name: values[c.name] for c in TABLES["projects"].columns}
    label = t("projects_label", lang, project=values["project_id"] or "?")
    try:
        versions.set_pending(key, versions.prepare(ChangeSpec("projects", label, rows=(row,)), b"", number))
    except (DataError, PermissionDenied) as exc:
        _show_failure(exc, lang, label)


def _project_fields(dataset: Dataset, row: dict, lang: str) -> dict:
    """The form's inputs, prefilled from `row`; returns the row's new values as text the validator checks."""
    def choice(label: str, options: list[str], value: object, fmt=str) -> str:
        index = options.index(value) if value in options else 0
        return st.selectbox(label, options, index=index, format_func=fmt)

    zones = my_zones(dataset)
    zone_names = {r["zone_id"]: name_of(r, lang, "short") for r in dataset.zones.to_dict("records")}
    chains = list(dataset.industry_chains["chain_id"])
    chain_names = {r["chain_id"]: name_of(r, lang) for r in dataset.industry_chains.to_dict("records")}
    left, right = st.columns(2)
    with left:
        project_id = row["project_id"] or st.text_input(t("col_project_id", lang), max_chars=60)
        if row["project_id"]:
            st.text_input(t("col_project_id", lang), value=row["project_id"], disabled=True)
        values = {
            "project_id": (project_id or "").strip(),
            "zone_id": choice(t("zone", lang), zones, row["zone_id"], lambda z: zone_names[z]),
            "kind": choice(t("col_kind", lang), list(PROJECT_KINDS), row["kind"], lambda k: t(f"kind_{k}", lang)),
            "name_zh": st.text_input(t("col_name_zh", lang), value=row["name_zh"] or "", max_chars=200),
            "name_en": st.text_input(t("col_name_en", lang), value=row["name_en"] or "", max_chars=200),
            "status": choice(t("status", lang), list(STATUSES), row["status"],
                             lambda s: t(f"project_status_{s}", lang)),
            "industry_chain": choice(t("col_industry_chain", lang), chains, row["industry_chain"],
                                     lambda c: chain_names[c]),
        }
    with right:
        values.update({
            "investment_yi": st.text_input(t("col_investment_yi", lang), value=_text(row["investment_yi"])),
            "amount_kind": choice(t("col_amount_kind", lang), ["", *AMOUNT_KINDS], row["amount_kind"] or "",
                                  lambda k: t(f"amount_kind_{k}", lang) if k else "—"),
            "start_date": st.text_input(t("col_start_date", lang), value=row["start_date"] or ""),
            "location_precision": choice(t("col_location_precision", lang), list(LOCATION_PRECISIONS),
                                         row["location_precision"] or "none",
                                         lambda p: t(f"precision_{p}", lang)),
            "public": st.checkbox(t("col_public", lang), value=bool(row["public"]) if row["public"] is not None
                                  else True),
            "note_zh": st.text_area(t("col_note_zh", lang), value=row["note_zh"] or "", max_chars=2000),
            "note_en": st.text_area(t("col_note_en", lang), value=row["note_en"] or "", max_chars=2000),
            "provenance": row["provenance"] or "reported",
            "source_id": row["source_id"] or "monthly_report",
        })
    return values


def _text(value: object) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


@st.cache_data(max_entries=8, show_spinner=False)
def _worked_submission(number: int, latest: int) -> tuple[workflow.Worked, object]:
    """A submission worked out on the latest version, for the admin's preview (once per version)."""
    submission = workflow.get_submission(frame.store(), number)
    content = workflow.submission_content(frame.store(), submission)
    worked = workflow.work_out(submission.spec, content, frame.full_dataset(latest), latest)
    return worked, versions.lights_of(latest, worked.after)


def submissions_section(lang: str) -> None:
    """Admins: submissions waiting, each previewed against the latest version, then published or rejected.
    Zone editors: their own submissions and what became of them."""
    user = frame.current_user()
    store = frame.store()
    versions.published_notice("submission", lang)
    everything = workflow.list_submissions(store, user)
    if not everything:
        st.info(t("submissions_none", lang))
        return
    st.dataframe(pd.DataFrame([{
        t("submission_number", lang): s.number,
        t("submission_at", lang): s.submitted_at.astimezone(frame.DISPLAY_TZ).strftime("%Y-%m-%d %H:%M"),
        t("submission_by", lang): s.submitted_by, t("submission_what", lang): s.label,
        t("submission_status", lang): t(f"submission_{s.status}", lang),
        t("submission_decided_by", lang): s.decided_by or "", t("submission_note", lang): s.decision_note,
        t("version_number", lang): s.version or ""} for s in everything]), hide_index=True, width="stretch")
    waiting = [s for s in everything if s.status == "waiting"]
    if not can(user, Action.PUBLISH) or not waiting:
        return
    number = st.selectbox(t("submission_open", lang), [s.number for s in waiting], key="submission_pick",
                          format_func=lambda n: next(f"#{s.number} · {s.submitted_by} · {s.label}"
                                                     for s in waiting if s.number == n))
    latest = frame.latest_version()
    try:
        worked, lights = _worked_submission(number, latest)
    except (DataError, StoreError) as exc:
        st.error(t("submission_no_longer_applies", lang))
        st.code(frame.error_text(exc, lang), language=None)
        worked = None
    if worked is not None:
        versions.change_preview(worked, lights, lang)
    left, right = st.columns(2)
    publish = left.button(t("publish", lang), type="primary", key="submission_publish", icon=":material/publish:",
                          disabled=worked is None or not worked.diffs)
    note = right.text_input(t("submission_reject_note", lang), key="submission_note", max_chars=500)
    reject = right.button(t("reject", lang), key="submission_reject", icon=":material/undo:")
    if not (publish or reject):
        return
    try:
        if publish:
            done = workflow.publish_submission(store, user, number, based_on=latest, client=session.client()).number
        else:
            workflow.reject_submission(store, user, number, note=note, client=session.client())
            done = None
    except (DataError, PermissionDenied) as exc:
        _show_failure(exc, lang, f"#{number}")
        return
    except StaleVersion as exc:  # another version came in while the admin looked: show the new preview
        st.warning(t("preview_stale", lang, based_on=exc.based_on, latest=exc.current))
        frame.reload_data()
        return
    except StoreError as exc:  # published or rejected by another admin meanwhile, or nothing left to change
        st.error(frame.md_escape(str(exc)))
        return
    frame.reload_data()
    if done:
        st.session_state["submission_published"] = done
    st.rerun()
