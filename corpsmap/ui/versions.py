"""Versions in the UI: what a change does (old → new, lights that change), publishing it, and history.

A change waiting to be published is a `Pending` kept in the session: it is worked out once, when the file
arrives, and shown until the user publishes, submits or discards it, so a rerun never reads the file again.
Who may do which is checked in `corpsmap.workflow`; the buttons here only follow what it allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd
import streamlit as st

from corpsmap import changes, summary, workflow
from corpsmap.accounts import Action, PermissionDenied, can
from corpsmap.data import CORPS, DataError, Dataset, Problem
from corpsmap.i18n import month_label, name_of, t
from corpsmap.progress import progress_table, status_changes
from corpsmap.store import NoChange, StaleVersion, StoreError, Version
from corpsmap.ui import frame, session
from corpsmap.workflow import ChangeSpec, Worked

# Removing more rows than this needs an explicit tick: a header-only file must not empty a table unnoticed.
REMOVALS_WITHOUT_CONFIRMATION = 3


@dataclass
class Pending:
    """A change worked out on version `worked.based_on`, waiting for publish, submit or discard."""

    spec: ChangeSpec
    content: bytes
    worked: Worked
    lights: pd.DataFrame
    comment: str = ""

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def based_on(self) -> int:
        return self.worked.based_on

    @property
    def diffs(self) -> dict[str, changes.TableDiff]:
        return self.worked.diffs

    @property
    def warnings(self) -> list[Problem]:
        return self.worked.warnings


def prepare(spec: ChangeSpec, content: bytes, based_on: int, comment: str = "") -> Pending:
    """Work out `spec` on version `based_on` for its preview; DataError for a bad file, PermissionDenied for a
    change outside the user's zones (both recorded in the audit log by corpsmap.workflow)."""
    worked = workflow.preview(frame.store(), frame.current_user(), spec, content, frame.full_dataset(based_on),
                              based_on, client=session.client())
    return Pending(spec, content, worked, lights_of(based_on, worked.after), comment)


def lights_of(based_on: int, after: Dataset) -> pd.DataFrame:
    """The lights of every zone and indicator before (version `based_on`) and after a change."""
    # The version's own table is cached (the pages use it too); only the changed data set is worked out anew.
    return status_changes(frame.full_progress(based_on), progress_table(after))


def problems_table(problems: list[Problem], lang: str, total: int | None = None) -> None:
    """Every problem by file, sheet, row, column and value, shown as data (never as Markdown)."""
    rows = [{t("data_file", lang): p.file, t("data_sheet", lang): p.sheet or "", t("data_row", lang): p.row,
             t("data_column", lang): p.column, t("data_value", lang): p.value, t("data_problem", lang): p.text(lang)}
            for p in problems]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if total and total > len(problems):
        st.caption(t("data_more_problems", lang, shown=len(problems), total=total))


def show_data_error(exc: DataError, lang: str, file: str) -> None:
    st.error(t("data_rejected", lang, file=frame.md_escape(file)))
    problems_table(exc.problems, lang, getattr(exc, "total", None))


def show_refusal(exc: PermissionDenied, lang: str) -> None:
    """A refused action: what was refused, in the person's words, and that nothing was stored."""
    st.error(t("permission_denied", lang, reason=frame.md_escape(str(exc))), icon=":material/block:")


def _cell(value: object) -> str:
    value = changes.plain(value)
    return "—" if value is None else str(value)


def diff_view(diffs: dict[str, changes.TableDiff], lang: str) -> None:
    """Per table: rows added, each changed cell old → new, rows removed."""
    if not diffs:
        st.info(t("diff_nothing", lang))
        return
    for name, diff in diffs.items():
        counts = diff.counts()
        with st.expander(t("diff_table", lang, table=name, **counts), expanded=sum(counts.values()) <= 50):
            if diff.changed:
                st.caption(t("diff_changed", lang))
                cells = pd.DataFrame(diff.cell_changes()).map(_cell)
                st.dataframe(cells.rename(columns={"key": t("diff_key", lang), "column": t("data_column", lang),
                                                   "old": t("diff_old", lang), "new": t("diff_new", lang)}),
                             hide_index=True, width="stretch")
            for label, rows in (("diff_added", diff.added), ("diff_removed", diff.removed)):
                if rows:
                    st.caption(t(label, lang))
                    st.dataframe(pd.DataFrame(rows).map(_cell), hide_index=True, width="stretch")


def light_view(lights: pd.DataFrame, dataset: Dataset, lang: str) -> None:
    """The status lights a change turns another colour (e.g. 临空 投资额 yellow → green), and new values."""
    if lights is None or lights.empty:
        st.caption(t("lights_none", lang))
        return
    zones = {r["zone_id"]: name_of(r, lang, "short") for r in dataset.zones.to_dict("records")}
    zones[CORPS] = t("corps_row", lang)
    indicators = {r["indicator_id"]: r for r in dataset.indicators.to_dict("records")}
    colour = summary.STATUS_COLORS
    # A light "moves" when its colour does (no target → no data stays grey); those first, zones before the corps.
    moved_first = lights.assign(
        moved=[colour[b] != colour[a] for b, a in zip(lights["status_before"], lights["status_after"])],
        corps=lights["zone_id"] == CORPS,
    ).sort_values(["moved", "corps"], ascending=[False, True], kind="stable")
    body = []
    for r in moved_first.itertuples(index=False):
        ind = indicators.get(r.indicator_id)
        decimals = int(ind["decimals"]) if ind else 2
        body.append(
            f"<tr{' class=moved' if r.moved else ''}><td>{escape(zones.get(r.zone_id, r.zone_id))}</td>"
            f"<td>{escape(name_of(ind, lang) if ind else r.indicator_id)}</td>"
            f"<td>{escape(_months(r.month_before, r.month_after, lang))}</td>"
            f"<td class=num>{escape(summary.format_number(r.actual_before, decimals))} → "
            f"{escape(summary.format_number(r.actual_after, decimals))}</td>"
            f"<td>{_light(r.status_before, lang)} → {_light(r.status_after, lang)}</td></tr>")
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("zone", "indicator", "month", "actual", "status"))
    st.caption(t("lights_moved", lang, moved=int(moved_first["moved"].sum()), values=len(lights)))
    frame.html(f"<div class='table-scroll'><table class='lights'><tr>{head}</tr>{''.join(body)}</table></div>",
               _CSS)


_CSS = """<style>
.lights{border-collapse:collapse;width:100%;font-size:.92rem}
.lights th{text-align:left;border-bottom:2px solid #cbd5e0;padding:3px 6px;color:#4a5568}
.lights td{border-bottom:1px solid #e2e8f0;padding:4px 6px}
.lights tr.moved td{background:#fffbea;font-weight:600}
.lights td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.lights .dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:4px;vertical-align:-1px}
</style>"""


def _months(before: object, after: object, lang: str) -> str:
    labels = [month_label(m, lang) if isinstance(m, str) else "—" for m in (before, after)]
    return labels[0] if labels[0] == labels[1] else f"{labels[0]} → {labels[1]}"


def _light(status: str, lang: str) -> str:
    colour = summary.STATUS_COLORS.get(status, "#a0aec0")
    return f"<span class=dot style='background:{colour}'></span>{escape(t('status_' + status, lang))}"


def change_preview(worked: Worked, lights: pd.DataFrame, lang: str) -> None:
    """Warnings, the lights a change turns another colour, and its rows old → new."""
    if worked.warnings:
        st.warning(t("preview_warnings", lang, count=len(worked.warnings)), icon=":material/warning:")
        problems_table(worked.warnings, lang)
    light_view(lights, frame.full_dataset(worked.based_on), lang)
    diff_view(worked.diffs, lang)


def _confirmed(diffs: dict[str, changes.TableDiff], key: str, lang: str) -> bool:
    """Removing many rows needs a tick."""
    removed = sum(len(d.removed) for d in diffs.values())
    if removed <= REMOVALS_WITHOUT_CONFIRMATION:
        return True
    st.error(t("preview_removes", lang, rows=removed))
    return st.checkbox(t("preview_confirm_removal", lang, rows=removed), key=f"{key}_confirm_removal")


def review(pending: Pending, key: str, lang: str) -> None:
    """Show what `pending` does, then publish it (admins), submit it for publication (zone editors) or discard
    it; the uploader sees this before anything is stored."""
    st.subheader(t("preview_title", lang, label=frame.md_text(pending.label)), anchor=False)
    latest = frame.latest_version()
    stale = latest != pending.based_on
    if stale:
        st.warning(t("preview_stale", lang, based_on=pending.based_on, latest=latest))
    change_preview(pending.worked, pending.lights, lang)
    confirmed = _confirmed(pending.diffs, key, lang)
    comment = st.text_input(t("version_comment", lang), value=pending.comment, key=f"{key}_comment", max_chars=500)
    user = frame.current_user()
    direct = can(user, Action.PUBLISH)
    force = direct and stale and st.checkbox(t("preview_publish_anyway", lang), key=f"{key}_force")
    left, right = st.columns(2)
    if direct:
        go = left.button(t("publish", lang), type="primary", key=f"{key}_publish", icon=":material/publish:",
                         disabled=not (confirmed and pending.diffs and (force or not stale)))
    else:
        st.caption(t("submit_explain", lang))
        go = left.button(t("submit", lang), type="primary", key=f"{key}_submit", icon=":material/send:",
                         disabled=not (confirmed and pending.diffs))
    if right.button(t("discard", lang), key=f"{key}_discard", icon=":material/delete:"):
        discard(key)
        st.rerun()
    if go:
        _act(pending, key, comment, force, direct, lang)


def _act(pending: Pending, key: str, comment: str, force: bool, direct: bool, lang: str) -> None:
    store, user, client = frame.store(), frame.current_user(), session.client()
    try:
        if direct:
            done = workflow.publish(store, user, pending.spec, pending.content, based_on=pending.based_on,
                                    comment=comment, force=force, client=client).number
        else:
            done = -workflow.submit(store, user, pending.spec, pending.content, comment=comment, client=client)
    except StaleVersion as exc:
        st.warning(t("preview_stale", lang, based_on=exc.based_on, latest=exc.current))
        frame.reload_data()
        return
    except NoChange:
        st.info(t("diff_nothing", lang))
        return
    except DataError as exc:
        show_data_error(exc, lang, pending.label)
        return
    except PermissionDenied as exc:
        show_refusal(exc, lang)
        return
    except StoreError as exc:
        st.error(frame.md_escape(str(exc)))
        return
    frame.reload_data()
    discard(key)
    st.session_state[f"{key}_published"] = done  # negative: a submission's number
    st.rerun()


def discard(key: str) -> None:
    """Forget the pending change and reset its file uploader."""
    st.session_state.pop(f"{key}_pending", None)
    st.session_state[f"{key}_uploader_round"] = st.session_state.get(f"{key}_uploader_round", 0) + 1


def uploader_key(key: str) -> str:
    """A file uploader's key that changes after publish or discard, so the widget starts empty again."""
    return f"{key}_file_{st.session_state.get(f'{key}_uploader_round', 0)}"


def pending(key: str) -> Pending | None:
    return st.session_state.get(f"{key}_pending")


def set_pending(key: str, value: Pending) -> None:
    st.session_state[f"{key}_pending"] = value


def published_notice(key: str, lang: str) -> None:
    """After a publish: say which version it became (once)."""
    number = st.session_state.pop(f"{key}_published", None)
    if number and number > 0:
        st.success(t("published", lang, number=number))
    elif number:
        st.success(t("submitted", lang, number=-number))


def version_rows(versions: list[Version], lang: str) -> pd.DataFrame:
    """The history as a table: newest first, with what each version changed."""
    rows = []
    for v in versions:
        changed = "; ".join(f"{name} +{c['added']} ~{c['changed']} −{c['removed']}" for name, c in v.summary.items())
        rows.append({t("version_number", lang): v.number,
                     t("version_published", lang): v.published_at.astimezone(frame.DISPLAY_TZ)
                     .strftime("%Y-%m-%d %H:%M"),
                     t("version_author", lang): v.author, t("version_submitted_by", lang): v.submitted_by or "",
                     t("version_kind", lang): t(f"kind_{v.kind}", lang),
                     t("version_data_month", lang): month_label(v.data_month, lang) if v.data_month else "—",
                     t("version_comment", lang): v.comment, t("version_changes", lang): changed})
    return pd.DataFrame(rows)
