"""Who is at the browser: the server's mode, sign-in (local accounts, or single sign-on where `[auth]` is set)
and the signed cookie that keeps a sign-in across a refresh.

`CORPSMAP_MODE=public` (the default) is the sealed public demo: everyone is a visitor, there is no sign-in at
all. `CORPSMAP_MODE=intranet` offers sign-in; until then a person is a visitor there too. Who may do what is
decided in `corpsmap.accounts` and `corpsmap.workflow`; this module only finds out who is asking.
"""

from __future__ import annotations

import json
import os

import streamlit as st

from corpsmap.accounts import (
    VISITOR,
    LoginFailed,
    User,
    authenticate,
    issue_token,
    record,
    user_for_email,
    verify_token,
)
from corpsmap.i18n import t

MODES = ("public", "intranet")
MODE = os.environ.get("CORPSMAP_MODE", "public").strip().lower() or "public"
if MODE not in MODES:  # a typo must not open the intranet's pages, nor silently seal them
    raise SystemExit(f"CORPSMAP_MODE must be one of {', '.join(MODES)}, not {MODE!r}")
INTRANET = MODE == "intranet"
COOKIE = "corpsmap_session"
DEFAULT_TTL_HOURS = 12.0


def secrets_section(name: str) -> dict:
    """A section of .streamlit/secrets.toml, or {} when there is no such file or section."""
    try:
        return dict(st.secrets.get(name, {}))
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def session_secret() -> str | None:
    """The key that signs session cookies: CORPSMAP_SESSION_SECRET, else `[session] secret` in secrets.toml."""
    return os.environ.get("CORPSMAP_SESSION_SECRET") or secrets_section("session").get("secret")


def session_hours() -> float:
    return float(secrets_section("session").get("ttl_hours", DEFAULT_TTL_HOURS))


def sso_configured() -> bool:
    """Single sign-on through st.login is offered when secrets.toml has an `[auth]` section."""
    return bool(secrets_section("auth"))


LOOPBACK = frozenset({"", "127.0.0.1", "::1"})  # Streamlit gives no address (None) for a local connection


def forwarded_client(direct: str, forwarded_for: str | None, trusted: frozenset[str]) -> str:
    """The browser's address: the last one in X-Forwarded-For when the connection comes from a proxy we trust
    (this host, or `trusted`), else the connection's own address.

    Why the last: the nginx site appends the address it saw ($proxy_add_x_forwarded_for), while everything before
    it came from the browser, which can write anything there. A browser that reaches a server directly cannot
    make its own header count, as its connection is not a trusted proxy's.
    """
    if (direct in LOOPBACK or direct in trusted) and forwarded_for:
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last[:100]
    return direct


def client() -> str:
    """The browser's address for the audit log and login records, through the deploy/ nginx too (its servers
    see only nginx's address); proxies on other hosts are listed in `[session] trusted_proxies`."""
    address = st.context.ip_address
    direct = address if isinstance(address, str) else ""  # None on localhost (and not a str under AppTest)
    headers = st.context.headers
    forwarded = headers.get("X-Forwarded-For") if headers else None
    trusted = frozenset(str(a) for a in secrets_section("session").get("trusted_proxies", []))
    return forwarded_client(direct, forwarded if isinstance(forwarded, str) else None, trusted)


def _store():
    from corpsmap.ui import frame  # frame imports this module

    return frame.store()


def identify() -> User:
    """Work out who is asking, once per run (app.py calls it first): a visitor, or a signed-in account read
    afresh from the store, so a disabled account is out at its next action."""
    user = VISITOR
    if INTRANET:
        user = _from_sso() or _from_token() or VISITOR
    st.session_state["_user"] = user
    return user


def current() -> User:
    """The person of this run (see `identify`)."""
    return st.session_state.get("_user", VISITOR)


def _from_token() -> User | None:
    state = st.session_state
    token = state.get("_token")
    if token is None and not state.get("_signed_out"):
        token = st.context.cookies.get(COOKIE)  # the cookie the browser sent when this session connected
    secret = session_secret()
    if not token or not secret:
        return None
    user = verify_token(_store(), token, secret)
    if user is None:  # expired, forged, disabled or password changed: forget it, and drop the cookie
        state.pop("_token", None)
        state["_signed_out"] = True
        state["_cookie"] = ""
    else:
        state["_token"] = token
    return user


def _from_sso() -> User | None:
    if not sso_configured() or not st.user.is_logged_in:
        return None
    email = str(st.user.get("email") or "")
    user = user_for_email(_store(), email) if email else None
    state = st.session_state
    if user is None or user.disabled:
        if state.get("_sso_refused") != email:  # once per session, not on every rerun
            record(_store(), "visitor", "login_failed", "refused", client=client(),
                   detail="single sign-on: no enabled account for this e-mail")
        state["_sso_refused"] = email
        return None
    if state.get("_sso_user") != user.username:
        record(_store(), user, "login_ok", "ok", client=client(), detail="single sign-on")
        state["_sso_user"] = user.username
    return user


def _cookie_script(token: str) -> str:
    """JavaScript that stores (or, for "", removes) the session cookie in the browser."""
    max_age = int(session_hours() * 3600) if token else 0
    # The token is base64url and a dot, safe in a cookie; json.dumps quotes it for JavaScript anyway.
    return ("<script>document.cookie=" + json.dumps(f"{COOKIE}={token}; Path=/; Max-Age={max_age}; SameSite=Strict")
            + "+(location.protocol==='https:'?'; Secure':'');</script>")


def _sign_in(lang: str) -> None:
    state = st.session_state
    name, password = state.get("login_name", ""), state.get("login_password", "")
    state["login_password"] = ""  # never kept in the session after this attempt
    try:
        user = authenticate(_store(), name, password, client())
    except LoginFailed as exc:
        state["_login_error"] = (t("login_throttled", lang, seconds=exc.retry_after) if exc.retry_after
                                 else t("login_failed", lang))
        return
    token = issue_token(user, session_secret(), int(session_hours() * 3600))
    state.update(_token=token, _cookie=token, _signed_out=False, _user=user)
    state.pop("_login_error", None)


def _sign_out() -> None:
    state = st.session_state
    user = current()
    if user is not VISITOR:
        record(_store(), user, "logout", "ok", client=client())
    state.pop("_token", None)
    state.update(_signed_out=True, _cookie="", _user=VISITOR)
    if sso_configured() and st.user.is_logged_in:
        state.pop("_sso_user", None)
        st.logout()


def sidebar(lang: str) -> None:
    """The sign-in form, or who is signed in and a sign-out button (intranet only)."""
    state = st.session_state
    if "_cookie" in state:  # set or clear the cookie once, on the run after sign-in or sign-out
        st.html(_cookie_script(state.pop("_cookie")), unsafe_allow_javascript=True)
    if not INTRANET:
        return
    user = current()
    if user is not VISITOR:
        st.caption(t("signed_in_as", lang, name=user.name, role=t(f"role_{user.role.value}", lang)))
        st.button(t("logout", lang), key="logout", on_click=_sign_out, icon=":material/logout:")
        return
    if not session_secret():
        st.warning(t("login_no_secret", lang))
        return
    with st.expander(t("login_title", lang), expanded=True, icon=":material/login:"):
        with st.form("login", border=False):
            st.text_input(t("login_name", lang), key="login_name", max_chars=64, autocomplete="username")
            st.text_input(t("login_password", lang), key="login_password", type="password", max_chars=200,
                          autocomplete="current-password")
            st.form_submit_button(t("login", lang), on_click=_sign_in, args=(lang,), type="primary")
        if "_login_error" in state:
            st.error(state.pop("_login_error"))
        if sso_configured():
            st.button(t("login_sso", lang), key="login_sso", on_click=st.login, icon=":material/key:")
            if "_sso_refused" in state:
                st.error(t("login_sso_unknown", lang))
