"""Signing in: password check with throttling, and the signed token that keeps a login across a refresh.

Every attempt is recorded twice: in `login_attempts` (what throttling reads; by a hash of the name typed and
by client) and in the audit log (what admins read). A failure says the same whether or not the account exists,
and takes as long.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, delete, insert, select, update

from corpsmap.accounts import users as accounts
from corpsmap.accounts.audit import Clock, as_utc, insert_entry, record, utc_now
from corpsmap.accounts.permissions import Role, User
from corpsmap.store import Store
from corpsmap.store.schema import login_attempts
from corpsmap.store.schema import users as users_table

GENERIC_FAILURE = "wrong username or password"
MIN_SECRET = 32  # characters (or bytes) of the token secret; `secrets.token_urlsafe(32)` gives 43
_PG_LOGIN_LOCK_KEY = 7_427_002  # not the publish lock's key: a long publish must not hold up logins
_TOKEN_CONTEXT = b"corpsmap-session-v1."  # a signature made for anything else never verifies here
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEEP_ATTEMPTS = timedelta(days=1)


class LoginFailed(Exception):
    """A refused login; `retry_after` (seconds) is set when it was throttled."""

    def __init__(self, message: str = GENERIC_FAILURE, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Throttle:
    """After `failures` failed logins in a run, each further attempt waits: `first_wait`, doubling, at most
    `max_wait`. A run ends at a successful login (for an account only) or after `window` without a failure."""

    failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_wait: timedelta = timedelta(seconds=30)
    max_wait: timedelta = timedelta(minutes=15)

    @property
    def lookback(self) -> int:
        """How many recent failures can matter: beyond this many the wait is at its cap anyway."""
        return self.failures + math.ceil(self.max_wait / self.first_wait).bit_length() + 1

    def wait(self, failures: Sequence[datetime], now: datetime) -> float:
        """Seconds still to wait after `failures` (newest first); 0 when an attempt may go ahead."""
        run, later = 0, now
        for at in failures:
            if later - at > self.window:
                break
            run, later = run + 1, at
        if run < self.failures:
            return 0.0
        wait = min(self.first_wait * 2 ** (run - self.failures), self.max_wait)
        return max(0.0, (failures[0] + wait - now).total_seconds())


THROTTLE = Throttle()


def authenticate(store: Store, username: str, password: str, client: str, *, clock: Clock = utc_now,
                 throttle: Throttle = THROTTLE) -> User:
    """The account `username` names if `password` is right; otherwise LoginFailed.

    Refused while the account or the client (an IP address; "" when unknown, then only the account counts)
    is throttled, even with the right password. Unknown, disabled and single-sign-on-only accounts fail
    with the same message as a wrong password, after the same hashing work.
    """
    now = clock()
    name = accounts.normalise_username(username)
    client = (client or "")[:100]
    with store.engine.connect() as conn:
        account = accounts.password_hash_of(conn, name)
    # Who the audit log names: an unknown name may be a password typed in the wrong field, so it is not kept.
    actor = name if account else "visitor"
    unknown = "" if account else "unknown account; "
    with _login_lock(store) as conn:  # check and count this attempt in one step, so parallel tries all count
        # Attempts older than a day can no longer matter (a run of failures ends 15 minutes after the last, and
        # the wait is at its cap after a dozen): drop them, so the table stays small. The audit log keeps all.
        conn.execute(delete(login_attempts).where(login_attempts.c.at < now - KEEP_ATTEMPTS))
        wait = _wait(conn, name, client, now, throttle)
        attempt_id = conn.execute(insert(login_attempts).values(
            at=now, account_key=_account_key(name), client=client, outcome="throttled" if wait else "failed",
        ).returning(login_attempts.c.attempt_id)).scalar_one()
    if wait:
        seconds = math.ceil(wait)
        record(store, actor, "login_throttled", "refused", client=client, at=now,
               detail=f"{unknown}too many failed logins, {seconds} s to wait")
        raise LoginFailed(f"too many failed logins: try again in {seconds} s", retry_after=seconds)

    password_hash, disabled = account or (None, False)
    if not accounts.verify_password(None if disabled else password_hash, password):
        reason = ("unknown account" if account is None else "account disabled" if disabled
                  else "no local password (single sign-on only)" if password_hash is None else "wrong password")
        record(store, actor, "login_failed", "refused", client=client, at=now, detail=reason)
        raise LoginFailed()
    with store.engine.begin() as conn:
        conn.execute(update(login_attempts).where(login_attempts.c.attempt_id == attempt_id).values(outcome="ok"))
        if accounts.needs_rehash(password_hash):  # the hashing parameters changed since it was set
            conn.execute(update(users_table).where(users_table.c.username == name)
                         .values(password_hash=accounts.hash_password(password)))
        insert_entry(conn, name, "login_ok", "ok", at=now, client=client)
    user = accounts.get_user(store, name)
    if user is None:  # cannot happen through this package: accounts are disabled, never deleted
        raise LoginFailed()
    return user


@contextmanager
def _login_lock(store: Store) -> Iterator[Connection]:
    with store.engine.connect() as conn:
        conn.execution_options(writer=True)  # SQLite: BEGIN IMMEDIATE (see corpsmap.store.store)
        with conn.begin():
            if store.backend == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOGIN_LOCK_KEY})")
            yield conn


def _account_key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _wait(conn: Connection, name: str, client: str, now: datetime, throttle: Throttle) -> float:
    """Seconds the account `name` or the `client` must still wait."""
    # A success resets an account's run, but not a client's: else one valid account would unlock guessing.
    wait = throttle.wait(_failures(conn, login_attempts.c.account_key == _account_key(name), throttle), now)
    if client:
        wait = max(wait, throttle.wait(_failures(conn, login_attempts.c.client == client, throttle,
                                                 success_resets=False), now))
    return wait


def _failures(conn: Connection, whose: ColumnElement[bool], throttle: Throttle, *,
              success_resets: bool = True) -> list[datetime]:
    """The latest failed attempts matching `whose`, newest first, back to the last success."""
    counted = ("failed", "ok") if success_resets else ("failed",)
    rows = conn.execute(select(login_attempts.c.at, login_attempts.c.outcome)
                        .where(whose & login_attempts.c.outcome.in_(counted))
                        .order_by(login_attempts.c.at.desc(), login_attempts.c.attempt_id.desc())
                        .limit(throttle.lookback)).all()
    failures = []
    for at, outcome in rows:
        if outcome == "ok":
            break
        failures.append(as_utc(at))
    return failures


def issue_token(user: User, secret: str | bytes, ttl_seconds: int, clock: Clock = utc_now) -> str:
    """A signed token naming `user`, valid for `ttl_seconds`, for a cookie that keeps the login across refreshes.

    It carries the time of the user's last password change, so a password reset ends every older session.
    """
    if user.role is Role.VISITOR or user.disabled:
        raise ValueError(f"no session for {user.describe()}")
    if ttl_seconds <= 0:
        raise ValueError(f"a session needs a positive lifetime, not {ttl_seconds} s")
    payload = {"u": user.username, "exp": int(clock().timestamp()) + int(ttl_seconds),
               "pw": _stamp(user.password_changed_at)}
    body = _encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_encode(_sign(secret, body))}"


def verify_token(store: Store, token: str, secret: str | bytes, clock: Clock = utc_now) -> User | None:
    """The user a token names, read afresh from the store; None if it is forged, expired or no longer valid
    (account disabled, or its password changed since the token was issued)."""
    _key(secret)  # a misconfigured secret is an error to see, not a silent "logged out"
    try:
        body, signature = token.split(".")
        if not hmac.compare_digest(_decode(signature), _sign(secret, body)):
            return None
        payload = json.loads(_decode(body))
        username, expires, stamp = payload["u"], payload["exp"], payload["pw"]
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        return None
    if not (isinstance(username, str) and isinstance(expires, int) and isinstance(stamp, int)):
        return None
    if clock().timestamp() >= expires:
        return None
    user = accounts.get_user(store, username)
    if user is None or user.disabled or _stamp(user.password_changed_at) != stamp:
        return None
    return user


def _key(secret: str | bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    if len(key) < MIN_SECRET:
        raise ValueError(f"the session secret needs at least {MIN_SECRET} characters")
    return key


def _sign(secret: str | bytes, body: str) -> bytes:
    return hmac.new(_key(secret), _TOKEN_CONTEXT + body.encode(), hashlib.sha256).digest()


def _stamp(moment: datetime | None) -> int:
    """A moment as whole microseconds since 1970 (exact, unlike a float timestamp); 0 for none."""
    return 0 if moment is None else (as_utc(moment) - _EPOCH) // timedelta(microseconds=1)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
