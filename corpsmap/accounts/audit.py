"""The audit trail: when, who, from where, what and with which outcome. Rows are added, never changed.

This module offers no update or delete, and nothing else in the package writes `audit_log`, so the app cannot
edit the trail; only someone with direct access to the database can.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from corpsmap.accounts.permissions import User
from corpsmap.export import neutralise
from corpsmap.store import Store
from corpsmap.store.schema import audit_log

Clock = Callable[[], datetime]

AUDIT_ACTIONS = (
    "login_ok", "login_failed", "login_throttled", "logout",
    "download_internal", "download_template", "upload", "submit", "publish", "reject", "rollback",
    "import_boundaries",
    "user_add", "user_disable", "user_enable", "user_reset_password", "user_role",
)
OUTCOMES = ("ok", "refused", "error")
_MONTH = re.compile(r"\d{4}-\d{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_DETAIL = 4000


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one (as SQLite returns them) is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    at: datetime
    actor: str
    client: str
    action: str
    outcome: str
    version: int | None
    zone_id: str | None
    month: str | None
    filename: str | None
    sha256: str | None
    detail: str


def actor_name(actor: User | str) -> str:
    """How an actor is recorded: a user's username, or the given name ("system", "cli:ops")."""
    return actor.username if isinstance(actor, User) else actor


def insert_entry(conn: Connection, actor: User | str, action: str, outcome: str, *, at: datetime,
                 client: str = "", version: int | None = None, zone_id: str | None = None,
                 month: str | None = None, filename: str | None = None, sha256: str | None = None,
                 detail: str = "") -> None:
    """Add one entry on `conn`, inside the caller's transaction (so a change and its entry land together)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if month is not None and not _MONTH.fullmatch(month):
        raise ValueError(f"month {month!r} is not YYYY-MM")
    if sha256 is not None and not _SHA256.fullmatch(sha256):
        raise ValueError(f"{sha256!r} is not a lowercase hex SHA-256")
    conn.execute(insert(audit_log).values(
        at=as_utc(at), actor=actor_name(actor)[:200], client=(client or "")[:100], action=action, outcome=outcome,
        version=version, zone_id=zone_id[:100] if zone_id else zone_id,
        month=month, filename=filename[:255] if filename else filename, sha256=sha256,
        detail=(detail or "")[:_MAX_DETAIL]))


def record(store: Store, actor: User | str, action: str, outcome: str, *, client: str = "",
           version: int | None = None, zone_id: str | None = None, month: str | None = None,
           filename: str | None = None, sha256: str | None = None, detail: str = "",
           at: datetime | None = None) -> None:
    """Add one entry to the audit log (its own transaction). Never put a password or a file's content in it."""
    with store.engine.begin() as conn:
        insert_entry(conn, actor, action, outcome, at=at or utc_now(), client=client, version=version,
                     zone_id=zone_id, month=month, filename=filename, sha256=sha256, detail=detail)


def audit_entries(store: Store, *, since: datetime | None = None, until: datetime | None = None,
                  actor: str | None = None, action: str | None = None, outcome: str | None = None,
                  limit: int = 1000) -> list[AuditEntry]:
    """Entries from `since` (inclusive) to `until` (exclusive), newest first, at most `limit`."""
    query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.audit_id.desc()).limit(max(0, limit))
    if since is not None:
        query = query.where(audit_log.c.at >= as_utc(since))
    if until is not None:
        query = query.where(audit_log.c.at < as_utc(until))
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    if outcome is not None:
        query = query.where(audit_log.c.outcome == outcome)
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [AuditEntry(**{**row, "at": as_utc(row["at"])}) for row in rows]


def audit_csv(entries: Iterable[AuditEntry]) -> bytes:
    """The entries as CSV for a spreadsheet: UTF-8 with BOM, times in UTC, formula-like text made inert."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f.name for f in fields(AuditEntry)])
    for entry in entries:
        writer.writerow([_csv_cell(value) for value in astuple(entry)])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return neutralise(value)
