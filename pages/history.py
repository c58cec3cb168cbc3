"""版本历史: every published version, what each changed, a preview of the app at it, and rollback."""

import streamlit as st

from corpsmap import workflow
from corpsmap.accounts import Action, PermissionDenied, can
from corpsmap.i18n import t
from corpsmap.store import NoChange
from corpsmap.ui import frame, session, versions

lang = frame.lang()
st.title(t("page_history", lang), anchor=False)
if not frame.sees_internal():  # app.py lists this page for signed-in people only
    st.info(t("history_internal_only", lang))
    st.stop()
history = frame.history()
versions.published_notice("rollback", lang)
st.dataframe(versions.version_rows(history, lang), hide_index=True, width="stretch")

numbers = [v.number for v in history]
raw = st.query_params.get("v")
default = int(raw) if raw and raw.isdigit() and int(raw) in numbers else numbers[0]
number = st.selectbox(t("history_open", lang), numbers, index=numbers.index(default), key="history_version",
                      format_func=lambda n: t("version_n", lang, number=n))
st.query_params["v"] = str(number)
version = frame.version_info(number)
st.caption(frame.version_text(version, lang))
if version.upload_id:
    filename, content = frame.upload(version.upload_id)
    st.download_button(t("history_download_upload", lang, file=frame.md_text(filename)),
                       frame.recorded(lambda: content, filename, version=number),
                       file_name=filename, key="history_upload", on_click="ignore")
st.page_link(frame.map_page(), label=t("history_preview", lang, number=number), icon=":material/visibility:",
             query_params=frame.link_params(version=str(number)))
versions.diff_view(frame.version_diff(number), lang)

latest = frame.latest_version()
if number != latest and can(frame.current_user(), Action.ROLLBACK):
    st.subheader(t("rollback_title", lang, number=number), anchor=False)
    st.write(t("rollback_explain", lang, number=number, latest=latest))
    if st.button(t("rollback", lang, number=number), key="rollback", type="primary"):
        try:
            done = workflow.rollback(frame.store(), frame.current_user(), number, client=session.client())
        except NoChange:
            st.info(t("diff_nothing", lang))
        except PermissionDenied as exc:
            versions.show_refusal(exc, lang)
        else:
            frame.reload_data()
            st.session_state["rollback_published"] = done.number
            st.query_params["v"] = str(done.number)
            st.rerun()
