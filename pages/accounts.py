"""账号管理 (admins): the accounts, and adding one, changing its role and zones, resetting its password,
disabling or enabling it. Each change is checked and audited by corpsmap.accounts (the same as the command line).
"""

import pandas as pd
import streamlit as st

from corpsmap.accounts import (
    ACCOUNT_ROLES,
    AccountError,
    PermissionDenied,
    add_user,
    list_users,
    reset_password,
    set_disabled,
    set_role_and_zones,
)
from corpsmap.i18n import name_of, t
from corpsmap.progress import zone_order
from corpsmap.ui import frame, session, versions

lang = frame.lang()
st.title(t("page_accounts", lang), anchor=False)
store, admin, client = frame.store(), frame.current_user(), session.client()
data = frame.dataset()
zones = zone_order(data)
zone_names = {r["zone_id"]: name_of(r, lang, "short") for r in data.zones.to_dict("records")}


def role_label(role) -> str:
    return t(f"role_{role.value if hasattr(role, 'value') else role}", lang)


notice = st.session_state.pop("accounts_notice", None)
if notice:
    st.success(frame.md_text(notice))
people = list_users(store)
st.dataframe(pd.DataFrame([{
    t("login_name", lang): u.username, t("accounts_display_name", lang): u.display_name,
    t("accounts_role", lang): role_label(u.role),
    t("accounts_zones", lang): "、".join(zone_names.get(z, z) for z in sorted(u.zones)),
    t("accounts_email", lang): u.email or "", t("accounts_disabled", lang): "✕" if u.disabled else "",
} for u in people]), hide_index=True, width="stretch")


def attempt(change, done: str) -> None:
    """Run an account change; a refusal (bad value, last admin, no permission) is shown and nothing changes."""
    try:
        change()
    except PermissionDenied as exc:
        versions.show_refusal(exc, lang)
        return
    except AccountError as exc:
        st.error(frame.md_escape(str(exc)))
        return
    st.session_state["accounts_notice"] = done
    st.rerun()


add_tab, edit_tab = st.tabs([t("accounts_add", lang), t("accounts_edit", lang)])
with add_tab, st.form("account_add"):
    username = st.text_input(t("login_name", lang), max_chars=64, key="new_username")
    display = st.text_input(t("accounts_display_name", lang), max_chars=200, key="new_display_name")
    role = st.selectbox(t("accounts_role", lang), ACCOUNT_ROLES, format_func=role_label, key="new_role")
    chosen = st.multiselect(t("accounts_zones", lang), zones, format_func=zone_names.get,
                            help=t("accounts_zones_help", lang), key="new_zones")
    email = st.text_input(t("accounts_email", lang), max_chars=254, help=t("accounts_email_help", lang),
                          key="new_email")
    password = st.text_input(t("accounts_password", lang), type="password", max_chars=200,
                             help=t("accounts_password_help", lang), key="new_password")
    if st.form_submit_button(t("accounts_add", lang), type="primary"):
        attempt(lambda: add_user(store, username, role, password=password or None, display_name=display,
                                 email=email or None, zones=chosen, actor=admin, client=client),
                t("accounts_done", lang, name=username))

with edit_tab:
    if people:
        name = st.selectbox(t("login_name", lang), [u.username for u in people], key="account_pick")
        person = next(u for u in people if u.username == name)
        with st.form(f"account_role_{name}"):
            new_role = st.selectbox(t("accounts_role", lang), ACCOUNT_ROLES, index=ACCOUNT_ROLES.index(person.role),
                                    format_func=role_label, key=f"role_{name}")
            new_zones = st.multiselect(t("accounts_zones", lang), zones, default=sorted(person.zones & set(zones)),
                                       format_func=zone_names.get, key=f"zones_{name}")
            if st.form_submit_button(t("accounts_save_role", lang)):
                attempt(lambda: set_role_and_zones(store, name, new_role, new_zones, actor=admin, client=client),
                        t("accounts_done", lang, name=name))
        with st.form(f"account_password_{name}"):
            new_password = st.text_input(t("accounts_password", lang), type="password", max_chars=200,
                                         key=f"password_{name}")
            if st.form_submit_button(t("accounts_reset_password", lang)):
                attempt(lambda: reset_password(store, name, new_password, actor=admin, client=client),
                        t("accounts_done", lang, name=name))
        label = "accounts_enable" if person.disabled else "accounts_disable"
        if st.button(t(label, lang), key="account_toggle"):
            attempt(lambda: set_disabled(store, name, not person.disabled, actor=admin, client=client),
                    t("accounts_done", lang, name=name))
