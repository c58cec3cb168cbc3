"""The versioned data store: read a published version, publish a change as a new version, roll back.

SQLite by default (one file outside the git tree); PostgreSQL by changing the URL alone. Publishing is one
transaction under a store-wide lock, so two people publishing at once get two versions in order, and a crash
or a killed server mid-publish leaves the previous version intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.engine import make_url

from corpsmap import changes
from corpsmap.data import TABLES, Dataset, typed_frame
from corpsmap.store.schema import DATA_TABLES, uploads, versions, zone_boundaries

KINDS = ("seed", "monthly_report", "projects", "table", "boundaries", "rollback")
# Any constant works; it only has to be the same for every server on one PostgreSQL database.
_PG_LOCK_KEY = 7_427_001
# A test sets this to stop a publish inside its transaction (to kill the process there).
_PAUSE_ENV = "CORPSMAP_TEST_PAUSE_IN_PUBLISH"
_BATCH = 500  # row ids per UPDATE … IN (…): well under SQLite's and PostgreSQL's parameter limits


class StoreError(RuntimeError):
    """A store problem to show the user as it is (no traceback)."""


class StaleVersion(StoreError):
    """The change was prepared against an older version than the current one."""

    def __init__(self, based_on: int, current: int):
        self.based_on, self.current = based_on, current
        super().__init__(f"prepared against version {based_on}, but version {current} is now current")


class NoChange(StoreError):
    """Publishing would not change any row."""


@dataclass(frozen=True)
class Version:
    number: int
    published_at: datetime
    author: str
    kind: str
    comment: str
    based_on: int | None
    restores: int | None
    upload_id: int | None
    data_month: str | None
    summary: dict[str, dict[str, int]]
    submitted_by: str | None = None  # the zone editor whose submission this version published


@dataclass(frozen=True)
class Upload:
    """A file as it was received, kept with the version it led to."""

    filename: str
    content: bytes
    received_by: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (the sqlite3 module's implicit one cannot be IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a publish
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A publish takes the write lock at its start, so two publishers queue instead of deadlocking.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writer") else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for `url`; a SQLite file's folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _frame(name: str, rows: list) -> pd.DataFrame:
    """Rows from the database as the frame `corpsmap.data.parse_table` makes from a CSV."""
    table = TABLES[name]
    return typed_frame(table, {c.name: [r[i] for r in rows] for i, c in enumerate(table.columns)})


class Store:
    """One database holding every version of the data."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # Reading ---------------------------------------------------------------------------------------------
    def current_number(self) -> int:
        """The latest version's number (0 for an empty store): one small query."""
        with self.engine.connect() as conn:
            return self._current(conn)

    @staticmethod
    def _current(conn: Connection) -> int:
        return conn.execute(select(func.coalesce(func.max(versions.c.number), 0))).scalar_one()

    def version(self, number: int) -> Version:
        with self.engine.connect() as conn:
            row = conn.execute(select(versions).where(versions.c.number == number)).mappings().first()
        if row is None:
            raise StoreError(f"there is no version {number}")
        return _version(row)

    def versions(self) -> list[Version]:
        """Every version, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(versions).order_by(versions.c.number.desc())).mappings().all()
        return [_version(r) for r in rows]

    def read(self, number: int) -> Dataset:
        """The whole data set as it was published at version `number`."""
        with self.engine.connect() as conn:
            if number < 1 or number > self._current(conn):
                raise StoreError(f"there is no version {number}")
            return self._read(conn, number)

    @staticmethod
    def _read(conn: Connection, number: int) -> Dataset:
        tables = {}
        for name, table in DATA_TABLES.items():
            columns = [table.c[c.name] for c in TABLES[name].columns]
            live = (table.c.valid_from <= number) & (table.c.valid_to.is_(None) | (table.c.valid_to > number))
            rows = conn.execute(select(*columns).where(live).order_by(table.c.position, table.c.row_id)).all()
            tables[name] = _frame(name, rows)
        return Dataset(**tables)

    def upload(self, upload_id: int) -> tuple[str, bytes]:
        """(file name, content) of a stored upload."""
        with self.engine.connect() as conn:
            row = conn.execute(select(uploads.c.filename, uploads.c.content)
                               .where(uploads.c.upload_id == upload_id)).first()
        if row is None:
            raise StoreError(f"there is no upload {upload_id}")
        return row.filename, row.content

    def diff(self, number: int) -> dict[str, changes.TableDiff]:
        """What version `number` changed, compared with the version before it."""
        after = self.read(number)
        before = self.read(number - 1) if number > 1 else _empty_like(after)
        return changes.diff_datasets(before, after)

    # Writing ---------------------------------------------------------------------------------------------
    def publish(self, change: Callable[[Dataset], Dataset], *, kind: str, author: str, comment: str = "",
                based_on: int | None = None, upload: Upload | int | None = None, restores: int | None = None,
                force: bool = False, submitted_by: str | None = None,
                then: Callable[[Connection, int, dict[str, changes.TableDiff]], None] | None = None,
                boundaries: Mapping[str, str] | None = None) -> Version:
        """Apply `change` to the current version and store the result as the next version.

        `change` gets the current data set and returns the new one, validated (it may raise DataError). If
        `based_on` is given and another version was published since, StaleVersion is raised unless `force`.
        Everything happens in one transaction: on any error nothing is stored. `upload` is the file the change
        came from, or the id of one stored already (`store_upload`, for a submission published later).
        `then(conn, number, diffs)` runs last inside the same transaction (an audit entry, a submission's
        status), so it lands with the version or not at all. `boundaries` ({zone_id: GeoJSON Feature text}, the
        complete set; {} for the shipped schematic shapes) replaces the zone boundaries; None leaves them.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown kind of version {kind!r}")
        author = author.strip()
        if not author:
            raise StoreError("a version needs an author")
        with self.engine.connect() as conn:
            conn.execution_options(writer=True)
            with conn.begin():
                self._lock(conn)
                current = self._current(conn)
                if based_on is not None and based_on != current and not force:
                    raise StaleVersion(based_on, current)
                old = self._read(conn, current) if current else None
                new = change(old)
                diffs = changes.diff_datasets(old if old is not None else _empty_like(new), new)
                live = self._live_boundaries(conn)
                shapes = _boundary_changes(live, boundaries) if boundaries is not None else {}
                if not diffs and not any(shapes.values()):
                    raise NoChange("this changes nothing: every value is the same as in the current version")
                number = current + 1
                upload_id = self._store_upload(conn, upload) if isinstance(upload, Upload) else upload
                summary = {name: d.counts() for name, d in diffs.items()}
                if any(shapes.values()):
                    summary["boundaries"] = {k: len(v) for k, v in shapes.items()}
                conn.execute(insert(versions).values(
                    number=number, published_at=_now(), author=author[:200], kind=kind, comment=comment.strip(),
                    based_on=based_on, restores=restores, upload_id=upload_id,
                    data_month=_data_month(new), submitted_by=submitted_by, summary=json.dumps(summary)))
                for name, diff in diffs.items():
                    self._write(conn, name, diff, number)
                if any(shapes.values()):
                    self._write_boundaries(conn, live, boundaries, shapes, number)
                if then is not None:
                    then(conn, number, diffs)
                if os.environ.get(_PAUSE_ENV):  # tests only: hold the transaction open to kill the process
                    Path(os.environ[_PAUSE_ENV]).write_text("in transaction")
                    time.sleep(60)
        return self.version(number)

    def rollback(self, to: int, *, author: str, comment: str = "") -> Version:
        """Publish a new version equal to version `to`: its data and its zone boundaries."""
        target = self.read(to)
        return self.publish(lambda _current: target, kind="rollback", author=author, restores=to,
                            comment=comment or f"rollback to version {to}", boundaries=self.boundary_features(to))

    # Zone boundaries ---------------------------------------------------------------------------------------
    def boundary_features(self, number: int) -> dict[str, str]:
        """{zone_id: GeoJSON Feature text} of the boundaries at version `number`; {} means the shipped ones."""
        live = (zone_boundaries.c.valid_from <= number) & (
            zone_boundaries.c.valid_to.is_(None) | (zone_boundaries.c.valid_to > number))
        with self.engine.connect() as conn:
            rows = conn.execute(select(zone_boundaries.c.zone_id, zone_boundaries.c.feature).where(live)
                                .order_by(zone_boundaries.c.row_id)).all()
        return dict(rows)

    def boundaries(self, number: int) -> str | None:
        """The boundaries at version `number` as GeoJSON FeatureCollection text; None for the shipped ones."""
        features = self.boundary_features(number)
        if not features:
            return None
        return '{"type":"FeatureCollection","features":[' + ",".join(features.values()) + "]}"

    def boundary_stamp(self, number: int) -> int:
        """The last version up to `number` that changed the boundaries (0: never): equal stamps, equal shapes."""
        with self.engine.connect() as conn:
            started = conn.execute(select(func.max(zone_boundaries.c.valid_from))
                                   .where(zone_boundaries.c.valid_from <= number)).scalar()
            ended = conn.execute(select(func.max(zone_boundaries.c.valid_to))
                                 .where(zone_boundaries.c.valid_to <= number)).scalar()
        return max(started or 0, ended or 0)

    @staticmethod
    def _live_boundaries(conn: Connection) -> dict[str, tuple[int, str]]:
        rows = conn.execute(select(zone_boundaries.c.zone_id, zone_boundaries.c.row_id, zone_boundaries.c.feature)
                            .where(zone_boundaries.c.valid_to.is_(None))).all()
        return {zone: (row_id, feature) for zone, row_id, feature in rows}

    @staticmethod
    def _write_boundaries(conn: Connection, live: dict[str, tuple[int, str]], new: Mapping[str, str],
                          shapes: dict[str, list[str]], number: int) -> None:
        closing = [live[zone][0] for zone in shapes["changed"] + shapes["removed"]]
        if closing:
            conn.execute(update(zone_boundaries).where(zone_boundaries.c.row_id.in_(closing))
                         .values(valid_to=number))
        rows = [{"zone_id": zone, "feature": new[zone], "valid_from": number}
                for zone in shapes["added"] + shapes["changed"]]
        if rows:
            conn.execute(insert(zone_boundaries), rows)

    def _lock(self, conn: Connection) -> None:
        if self.backend == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        # SQLite: BEGIN IMMEDIATE (see _sqlite_setup) already holds the database's write lock.

    def store_upload(self, upload: Upload) -> int:
        """Keep a file on its own (a submission's, before any version uses it); returns its id."""
        with self.engine.begin() as conn:
            return self._store_upload(conn, upload)

    @staticmethod
    def _store_upload(conn: Connection, upload: Upload) -> int:
        return conn.execute(insert(uploads).values(
            filename=upload.filename[:255], sha256=upload.sha256, size=len(upload.content),
            content=upload.content, received_at=_now(), received_by=upload.received_by[:200],
        ).returning(uploads.c.upload_id)).scalar_one()

    @staticmethod
    def _write(conn: Connection, name: str, diff: changes.TableDiff, number: int) -> None:
        """Close the rows this version changes or removes; insert its new and changed rows."""
        table = DATA_TABLES[name]
        key = TABLES[name].key
        live = conn.execute(select(table.c.row_id, table.c.position, *(table.c[k] for k in key))
                            .where(table.c.valid_to.is_(None))).all()
        by_key = {tuple(r[2:]): r for r in live}
        gone = [by_key[tuple(row[k] for k in key)] for row in diff.removed + [old for old, _new in diff.changed]]
        closing = [r.row_id for r in gone]
        for start in range(0, len(closing), _BATCH):
            conn.execute(update(table).where(table.c.row_id.in_(closing[start:start + _BATCH])).values(valid_to=number))
        # A changed row keeps its place in the table; added rows go after the last one.
        next_position = max((r.position for r in live), default=-1) + 1
        rows = [{**new, "position": by_key[tuple(new[k] for k in key)].position, "valid_from": number}
                for _old, new in diff.changed]
        rows += [{**new, "position": next_position + i, "valid_from": number} for i, new in enumerate(diff.added)]
        if rows:
            conn.execute(insert(table), rows)


def _boundary_changes(live: dict[str, tuple[int, str]], new: Mapping[str, str]) -> dict[str, list[str]]:
    """Zones whose boundary a new complete set adds, changes or removes."""
    return {"added": [z for z in new if z not in live],
            "changed": [z for z in new if z in live and live[z][1] != new[z]],
            "removed": [z for z in live if z not in new]}


def _empty_like(dataset: Dataset) -> Dataset:
    return Dataset(**{name: frame.iloc[0:0] for name, frame in dataset.tables.items()})


def _data_month(dataset: Dataset) -> str | None:
    months = dataset.observations["month"]
    return None if months.empty else str(months.max())


def _version(row) -> Version:
    published = row["published_at"]
    if published.tzinfo is None:  # SQLite keeps no time zone; we always write UTC
        published = published.replace(tzinfo=UTC)
    return Version(number=row["number"], published_at=published, author=row["author"],
                   kind=row["kind"], comment=row["comment"] or "", based_on=row["based_on"],
                   restores=row["restores"], upload_id=row["upload_id"], data_month=row["data_month"],
                   summary=json.loads(row["summary"] or "{}"), submitted_by=row["submitted_by"])
