"""Local accounts in the store: add, list, disable, reset a password, change a role and zones.

Every change is written with its audit entry in one transaction; a refused change is audited too. An actor
given as a `User` must hold `manage_users`; an actor given as a name (the command line, "cli:ops") is trusted,
since whoever runs it can reach the database anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from corpsmap.accounts.audit import Clock, as_utc, insert_entry, record, utc_now
from corpsmap.accounts.permissions import ACCOUNT_ROLES, Action, PermissionDenied, Role, User, require
from corpsmap.store import Store
from corpsmap.store.schema import DATA_TABLES, user_zones, users

# argon2id with the library's defaults (RFC 9106's low-memory profile); when they change in an update, each
# stored hash is renewed at its owner's next successful login.
HASHER = PasswordHasher()
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing stays cheap; nobody types more
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
_RESERVED = {"visitor", "system"}  # actor names the audit log uses for people without an account
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


class AccountError(ValueError):
    """An account change that cannot be made, with a message to show as it is (never containing a password)."""


def normalise_username(username: str) -> str:
    """The stored form of a username: trimmed and lowercased, so 'Li' and 'li' are one account."""
    return username.strip().lower()


def check_password(password: str, username: str = "") -> None:
    """Raise AccountError unless `password` meets the policy: 10 to 1,024 characters, not the username."""
    if len(password) < MIN_PASSWORD or not password.strip():
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password may have at most {MAX_PASSWORD} characters")
    if username and password.strip().lower() == normalise_username(username):
        raise AccountError("a password may not be the username")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, still spends one verification so timing tells nothing."""
    try:
        return HASHER.verify(password_hash or _dummy_hash(HASHER), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than `HASHER`'s (renew it at the next login)."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash with the current parameters, to verify against when there is no account (or no password)."""
    return hasher.hash("no account has this password")


def get_user(store: Store, username: str) -> User | None:
    """The account named `username` (any case), disabled or not; None if there is none."""
    with store.engine.connect() as conn:
        return _get(conn, normalise_username(username))


def password_hash_of(conn: Connection, name: str) -> tuple[str | None, bool] | None:
    """(password hash, disabled) of an account, for the login; None if there is no such account."""
    row = conn.execute(select(users.c.password_hash, users.c.disabled).where(users.c.username == name)).first()
    return None if row is None else (row.password_hash, bool(row.disabled))


def user_for_email(store: Store, email: str) -> User | None:
    """The account with this e-mail (any case), as single sign-on finds it; None if there is none."""
    with store.engine.connect() as conn:
        name = conn.execute(select(users.c.username).where(users.c.email == email.strip().lower())).scalar()
        return _get(conn, name) if name else None


def list_users(store: Store) -> list[User]:
    """Every account, by username."""
    with store.engine.connect() as conn:
        return _load(conn)


def add_user(store: Store, username: str, role: Role | str, *, password: str | None = None,
             display_name: str = "", email: str | None = None, zones: Iterable[str] = (),
             actor: User | str, client: str = "", clock: Clock = utc_now) -> User:
    """Create an account. Without a password it can only sign in through single sign-on."""
    name = normalise_username(username)

    def change(conn: Connection, now: datetime) -> tuple[User, str]:
        if not _USERNAME.fullmatch(name) or name in _RESERVED:
            raise AccountError(f"{username!r} cannot be a username: use 1–64 of a-z 0-9 . _ @ - "
                               "(not visitor or system)")
        new_role = _role(role)
        zone_ids = _zones(conn, new_role, zones)
        mail = _email(email)
        if password is not None:
            check_password(password, name)
        if _user_id(conn, name) is not None:
            raise AccountError(f"user {name!r} exists already")
        if mail and conn.execute(select(users.c.user_id).where(users.c.email == mail)).first():
            raise AccountError(f"another account has the e-mail {mail}")
        user_id = conn.execute(insert(users).values(
            username=name, display_name=display_name.strip()[:200], role=new_role.value,
            password_hash=hash_password(password) if password is not None else None, email=mail,
            disabled=False, created_at=now, updated_at=now,
            password_changed_at=now if password is not None else None,
        ).returning(users.c.user_id)).scalar_one()
        _set_zones(conn, user_id, zone_ids)
        login = "password" if password is not None else "single sign-on only"
        return _get(conn, name), f"{name}: role {_role_text(new_role, zone_ids)}, {login}"

    return _change(store, "user_add", name, change, actor=actor, client=client, clock=clock)


def set_disabled(store: Store, username: str, disabled: bool, *, actor: User | str, client: str = "",
                 clock: Clock = utc_now) -> User:
    """Disable an account (it is out at its next action) or enable it again."""
    name = normalise_username(username)

    def change(conn: Connection, now: datetime) -> tuple[User, str]:
        user = _existing(conn, name)
        if disabled and user.role is Role.ADMIN and not user.disabled:
            _keep_an_admin(conn, name)
        conn.execute(update(users).where(users.c.username == name).values(disabled=disabled, updated_at=now))
        return _get(conn, name), name

    return _change(store, "user_disable" if disabled else "user_enable", name, change, actor=actor, client=client,
                   clock=clock)


def reset_password(store: Store, username: str, password: str, *, actor: User | str, client: str = "",
                   clock: Clock = utc_now) -> User:
    """Set a new password; every session signed in before now ends."""
    name = normalise_username(username)

    def change(conn: Connection, now: datetime) -> tuple[User, str]:
        _existing(conn, name)
        check_password(password, name)
        conn.execute(update(users).where(users.c.username == name).values(
            password_hash=hash_password(password), password_changed_at=now, updated_at=now))
        return _get(conn, name), name

    return _change(store, "user_reset_password", name, change, actor=actor, client=client, clock=clock)


def set_role_and_zones(store: Store, username: str, role: Role | str, zones: Iterable[str] = (), *,
                       actor: User | str, client: str = "", clock: Clock = utc_now) -> User:
    """Give an account a new role and, for a zone editor, the zones it reports for."""
    name = normalise_username(username)

    def change(conn: Connection, now: datetime) -> tuple[User, str]:
        user = _existing(conn, name)
        new_role = _role(role)
        zone_ids = _zones(conn, new_role, zones)
        if user.role is Role.ADMIN and new_role is not Role.ADMIN and not user.disabled:
            _keep_an_admin(conn, name)
        user_id = _user_id(conn, name)
        conn.execute(update(users).where(users.c.user_id == user_id).values(role=new_role.value, updated_at=now))
        _set_zones(conn, user_id, zone_ids)
        return _get(conn, name), (f"{name}: {_role_text(user.role, user.zones)} → "
                                  f"{_role_text(new_role, zone_ids)}")

    return _change(store, "user_role", name, change, actor=actor, client=client, clock=clock)


def _change(store: Store, action: str, target: str, change: Callable[[Connection, datetime], tuple[User, str]], *,
            actor: User | str, client: str, clock: Clock) -> User:
    """Run `change` and audit it in one transaction; audit a refusal in its own and raise it again."""
    now = clock()
    try:
        if isinstance(actor, User):
            require(actor, Action.MANAGE_USERS)
        with store.engine.begin() as conn:
            user, detail = change(conn, now)
            insert_entry(conn, actor, action, "ok", at=now, client=client, detail=detail)
        return user
    except (AccountError, PermissionDenied) as exc:
        record(store, actor, action, "refused", client=client, detail=f"{target}: {exc}", at=now)
        raise
    except IntegrityError as exc:  # two admins adding one name (or e-mail) at once: the database kept the first
        error = AccountError(f"user {target!r} or its e-mail exists already")
        record(store, actor, action, "refused", client=client, detail=f"{target}: {error}", at=now)
        raise error from exc


def _role(role: Role | str) -> Role:
    if role not in {r.value for r in ACCOUNT_ROLES}:
        raise AccountError(f"unknown role {role!r} (roles: {', '.join(ACCOUNT_ROLES)})")
    return Role(role)


def _zones(conn: Connection, role: Role, zones: Iterable[str]) -> frozenset[str]:
    """The zones an account of `role` is bound to, checked against the current version's zones."""
    wanted = frozenset(z.strip() for z in zones if z.strip())
    if role is not Role.ZONE_EDITOR:
        if wanted:
            raise AccountError(f"only zone editors are bound to zones; a {role.value} sees every zone")
        return wanted
    if not wanted:
        raise AccountError("a zone editor needs at least one zone")
    zones_table = DATA_TABLES["zones"]
    known = set(conn.execute(select(zones_table.c.zone_id).where(zones_table.c.valid_to.is_(None))).scalars())
    unknown = sorted(wanted - known)
    if unknown:
        raise AccountError(f"unknown zone {', '.join(unknown)} (zones: {', '.join(sorted(known)) or 'none yet'})")
    return wanted


def _email(email: str | None) -> str | None:
    mail = (email or "").strip().lower()
    if not mail:
        return None
    if len(mail) > 254 or not _EMAIL.fullmatch(mail):
        raise AccountError(f"{email!r} is not an e-mail address")
    return mail


def _role_text(role: Role, zones: Iterable[str]) -> str:
    zone_ids = sorted(zones)
    return f"{role.value} ({', '.join(zone_ids)})" if zone_ids else role.value


def _keep_an_admin(conn: Connection, leaving: str) -> None:
    """Refuse a change that would leave no enabled admin (nobody could manage accounts from the app)."""
    others = conn.execute(select(func.count()).select_from(users).where(
        (users.c.role == Role.ADMIN.value) & users.c.disabled.is_(False) & (users.c.username != leaving))).scalar_one()
    if not others:
        raise AccountError(f"{leaving!r} is the last enabled admin; add or enable another admin first")


def _user_id(conn: Connection, name: str) -> int | None:
    return conn.execute(select(users.c.user_id).where(users.c.username == name)).scalar()


def _existing(conn: Connection, name: str) -> User:
    user = _get(conn, name)
    if user is None:
        raise AccountError(f"there is no user {name!r}")
    return user


def _set_zones(conn: Connection, user_id: int, zones: frozenset[str]) -> None:
    conn.execute(delete(user_zones).where(user_zones.c.user_id == user_id))
    if zones:
        conn.execute(insert(user_zones), [{"user_id": user_id, "zone_id": z} for z in sorted(zones)])


def _get(conn: Connection, name: str) -> User | None:
    found = _load(conn, name)
    return found[0] if found else None


def _load(conn: Connection, name: str | None = None) -> list[User]:
    query = select(users).order_by(users.c.username)
    if name is not None:
        query = query.where(users.c.username == name)
    rows = conn.execute(query).mappings().all()
    zone_query = select(user_zones.c.user_id, user_zones.c.zone_id)
    if name is not None:
        zone_query = zone_query.where(user_zones.c.user_id.in_([r["user_id"] for r in rows]))
    zones: dict[int, set[str]] = {}
    for user_id, zone_id in conn.execute(zone_query):
        zones.setdefault(user_id, set()).add(zone_id)
    return [_user(row, zones.get(row["user_id"], ())) for row in rows]


def _user(row, zones: Iterable[str]) -> User:
    changed = row["password_changed_at"]
    return User(username=row["username"], display_name=row["display_name"], role=Role(row["role"]),
                zones=frozenset(zones), disabled=bool(row["disabled"]), email=row["email"],
                password_changed_at=as_utc(changed) if changed is not None else None)
