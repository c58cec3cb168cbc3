"""审计日志 (admins): every sign-in, download of internal data, upload, submission, publish, rejection, rollback
and account change, filtered and exported as CSV. Read-only: the app offers no way to change an entry."""

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from corpsmap import workflow
from corpsmap.accounts import AUDIT_ACTIONS, OUTCOMES, PermissionDenied, audit_csv
from corpsmap.i18n import t
from corpsmap.ui import frame, versions

lang = frame.lang()
st.title(t("page_audit", lang), anchor=False)
user = frame.current_user()
today = datetime.now(frame.DISPLAY_TZ).date()
left, middle, right, last = st.columns(4)
period = left.date_input(t("audit_period", lang), (today - timedelta(days=30), today), key="audit_period",
                         max_value=today)
since, until = (period[0], period[-1]) if period else (today, today)  # while one end is picked: that day
actor = middle.text_input(t("audit_actor", lang), key="audit_actor", max_chars=200).strip().lower() or None
action = right.selectbox(t("audit_action", lang), [None, *AUDIT_ACTIONS], key="audit_action",
                         format_func=lambda a: t("audit_any", lang) if a is None else a)
outcome = last.selectbox(t("audit_outcome", lang), [None, *OUTCOMES], key="audit_outcome",
                         format_func=lambda o: t("audit_any", lang) if o is None else o)
try:
    entries = workflow.read_audit(
        frame.store(), user, actor=actor, action=action, outcome=outcome, limit=5000,
        since=datetime.combine(since, time.min, frame.DISPLAY_TZ),
        until=datetime.combine(until + timedelta(days=1), time.min, frame.DISPLAY_TZ))
except PermissionDenied as exc:  # app.py lists this page for admins only; a stale session lands here
    versions.show_refusal(exc, lang)
    st.stop()
st.caption(t("audit_count", lang, count=len(entries)))
table = pd.DataFrame([{
    t("audit_at", lang): e.at.astimezone(frame.DISPLAY_TZ).strftime("%Y-%m-%d %H:%M:%S"),
    t("audit_actor", lang): e.actor, t("audit_client", lang): e.client, t("audit_action", lang): e.action,
    t("audit_outcome", lang): e.outcome, t("version_number", lang): e.version, t("zone", lang): e.zone_id,
    t("month", lang): e.month, t("audit_file", lang): e.filename, t("audit_detail", lang): e.detail,
} for e in entries])
st.dataframe(table, hide_index=True, width="stretch", height=560, placeholder="")
st.download_button(t("audit_export", lang), frame.recorded(lambda: audit_csv(entries), "audit.csv"),
                   file_name="audit.csv", mime="text/csv", key="audit_csv", icon=":material/download:",
                   on_click="ignore")
