"""The monthly cycle with people in it: a change is worked out, checked against who asks, submitted, published
or rejected, and versions are rolled back. No Streamlit here.

Every action checks its permission here, on the server, against what the change really touches (the zones
of every row it adds, changes or removes), not against what the page offered: a 临空 editor's file that
carries 益农 rows is refused whole and nothing is stored. Every action, allowed or refused, is recorded in
the audit trail.

A change is kept as data (`ChangeSpec` plus the uploaded file), so a submission can be worked out again on
whatever version is current when an admin publishes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from corpsmap import changes, report
from corpsmap.accounts.audit import AuditEntry, audit_entries, insert_entry, record
from corpsmap.accounts.permissions import Action, PermissionDenied, Role, User, can, require
from corpsmap.data import TABLES, DataError, Dataset, Message, Problem
from corpsmap.store import NoChange, Store, StoreError, Upload, Version
from corpsmap.store.schema import submissions
from corpsmap.uploads import read_upload

# Tables whose rows belong to one zone (by `zone_id`); a change to any other table is corps-wide: admins only.
ZONE_TABLES = ("projects", "observations", "targets")
SPEC_KINDS = ("monthly_report", "projects", "table")
STATUSES = ("waiting", "published", "rejected")


@dataclass(frozen=True)
class ChangeSpec:
    """A change as data: a monthly report file, a table file, or a project form's rows."""

    kind: str  # one of SPEC_KINDS (also the kind of the version it becomes)
    label: str
    filename: str = ""  # the uploaded file; its content travels beside the spec
    table: str | None = None  # kind "table" (and a projects sheet): the table the file replaces
    zone_ids: tuple[str, ...] = ()  # kind "monthly_report": the zones the uploader chose
    rows: tuple[dict, ...] = ()  # kind "projects" from the form: whole project rows

    def __post_init__(self) -> None:
        if self.kind not in SPEC_KINDS:
            raise ValueError(f"unknown kind of change {self.kind!r}")
        if self.table is not None and self.table not in TABLES:
            raise ValueError(f"unknown table {self.table!r}")
        object.__setattr__(self, "zone_ids", tuple(self.zone_ids))
        object.__setattr__(self, "rows", tuple(self.rows))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ChangeSpec:
        return cls(**json.loads(text))


@dataclass
class Worked:
    """A change worked out on one version: the result, what it changes, and which zones that touches."""

    spec: ChangeSpec
    based_on: int
    after: Dataset
    diffs: dict[str, changes.TableDiff]
    zones: frozenset[str]  # zone ids of every touched row (targets' corps-wide rows count as "corps")
    corps_tables: tuple[str, ...]  # touched tables that belong to no zone
    warnings: list[Problem] = field(default_factory=list)
    month: str | None = None


def apply(spec: ChangeSpec, content: bytes, current: Dataset, today: date | None = None
          ) -> tuple[Dataset, list[Problem], str | None]:
    """(new data set, warnings, report month) of `spec` on `current`; DataError names every bad cell."""
    if spec.kind == "monthly_report":
        parsed = report.parse_report(read_upload(content, spec.filename), spec.filename, current,
                                     zone_ids=list(spec.zone_ids) or None, today=today or date.today())
        updated = changes.upsert(current, "observations", parsed.observations, spec.filename)
        return changes.upsert(updated, "projects", parsed.projects, spec.filename), parsed.warnings, parsed.month
    if spec.rows:  # a project form
        row = pd.DataFrame(list(spec.rows))[[c.name for c in TABLES["projects"].columns]]
        return changes.upsert(current, "projects", row, spec.label), [], None
    sheets = read_upload(content, spec.filename)
    notes = [] if sheets[0].encoding == "utf-8" else [  # a spreadsheet saved as GBK, say: worth a look
        Problem(spec.filename, None, None, sheets[0].encoding, Message(f"read as {sheets[0].encoding}",
                                                                       f"已按 {sheets[0].encoding} 编码读取"))]
    table = spec.table or "projects"
    return changes.replace_from_text(current, table, sheets[0].csv_text(), spec.filename), notes, None


def touched(diffs: dict[str, changes.TableDiff]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(zones of every added, removed and changed row, before and after; corps-wide tables touched)."""
    zones: set[str] = set()
    corps = []
    for name, diff in diffs.items():
        if name not in ZONE_TABLES:
            corps.append(name)
            continue
        rows = diff.added + diff.removed + [r for pair in diff.changed for r in pair]
        zones.update(str(r["zone_id"]) for r in rows)
    return frozenset(zones), tuple(corps)


def work_out(spec: ChangeSpec, content: bytes, before: Dataset, based_on: int, today: date | None = None) -> Worked:
    """`spec` applied to `before` (version `based_on`), with its differences; DataError if it is invalid."""
    after, warnings, month = apply(spec, content, before, today)
    diffs = changes.diff_datasets(before, after)
    zones, corps = touched(diffs)
    return Worked(spec, based_on, after, diffs, zones, corps, warnings, month)


def check(user: User, action: Action, worked: Worked) -> None:
    """PermissionDenied unless `user` may do `action` for every zone and table the change touches."""
    if user.role is not Role.ZONE_EDITOR:  # admins may; visitors and viewers may not, whatever it touches
        require(user, action)
        return
    if worked.corps_tables:
        raise PermissionDenied(user, action, what="change the corps-wide table " + ", ".join(worked.corps_tables))
    for zone in sorted(worked.zones):
        require(user, action, zone)


def _zones_text(worked: Worked) -> str | None:
    return ",".join(sorted(worked.zones)) or None


def _refused(store: Store, user: User, action: str, exc: Exception, client: str, **what) -> None:
    record(store, user, action, "refused", client=client, detail=str(exc), **what)


def preview(store: Store, user: User, spec: ChangeSpec, content: bytes, before: Dataset, based_on: int, *,
            client: str = "", today: date | None = None) -> Worked:
    """Work out an uploaded change for its preview, checking the uploader may make it (audited as "upload").

    Raises DataError for a bad file and PermissionDenied for a change outside the user's zones.
    """
    sha = _sha(content)
    what = {"filename": spec.filename or None, "sha256": sha}
    if not can(user, Action.UPLOAD_REPORT, next(iter(user.zones), None)):
        exc = PermissionDenied(user, Action.UPLOAD_REPORT)
        _refused(store, user, "upload", exc, client, **what)
        raise exc
    try:
        worked = work_out(spec, content, before, based_on, today)
        check(user, Action.UPLOAD_REPORT, worked)
    except DataError as exc:
        record(store, user, "upload", "error", client=client, detail=f"{spec.label}: {exc}"[:4000], **what)
        raise
    except PermissionDenied as exc:
        _refused(store, user, "upload", exc, client, **what)
        raise
    record(store, user, "upload", "ok", client=client, zone_id=_zones_text(worked), month=worked.month,
           detail=spec.label, **what)
    return worked


def _sha(content: bytes) -> str | None:
    return hashlib.sha256(content).hexdigest() if content else None


def submit(store: Store, user: User, spec: ChangeSpec, content: bytes, *, comment: str = "",
           client: str = "", today: date | None = None) -> int:
    """Keep a change for an admin to publish; returns the submission's number.

    Worked out again on the latest version and checked there, so what is kept is what the user may submit.
    """
    based_on = store.current_number()
    worked = work_out(spec, content, store.read(based_on), based_on, today)
    try:
        check(user, Action.SUBMIT, worked)
    except PermissionDenied as exc:
        _refused(store, user, "submit", exc, client, filename=spec.filename or None, sha256=_sha(content))
        raise
    if not worked.diffs:
        raise NoChange("this changes nothing: every value is the same as in the current version")
    upload_id = store.store_upload(Upload(spec.filename, content, user.username)) if spec.filename else None
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        number = conn.execute(insert(submissions).values(
            submitted_at=now, submitted_by=user.username, kind=spec.kind, label=spec.label[:500], spec=spec.to_json(),
            zone_ids=",".join(sorted(worked.zones)), month=worked.month, based_on=based_on, upload_id=upload_id,
            comment=comment.strip()[:2000], status="waiting", decision_note="",
        ).returning(submissions.c.submission_id)).scalar_one()
        insert_entry(conn, user, "submit", "ok", at=now, client=client, zone_id=_zones_text(worked),
                     month=worked.month, filename=spec.filename or None, sha256=_sha(content),
                     detail=f"submission {number}: {spec.label}")
    return number


def publish(store: Store, user: User, spec: ChangeSpec, content: bytes, *, based_on: int, comment: str = "",
            force: bool = False, client: str = "", today: date | None = None) -> Version:
    """An admin publishes a change directly (StaleVersion if another was published since `based_on`)."""
    upload = Upload(spec.filename, content, user.username) if spec.filename else None
    return _publish(store, user, spec, content, upload=upload, based_on=based_on, comment=comment, force=force,
                    client=client, today=today)


def _publish(store: Store, user: User, spec: ChangeSpec, content: bytes, *, upload: Upload | int | None,
             based_on: int | None, comment: str, force: bool, client: str, today: date | None,
             submission: Submission | None = None) -> Version:
    """Publish `spec` as the next version; its audit entry (and the submission's new status) land with it."""
    what = {"filename": spec.filename or None, "sha256": _sha(content)}
    detail = f"submission {submission.number} by {submission.submitted_by}: " if submission else ""
    try:
        require(user, Action.PUBLISH)
    except PermissionDenied as exc:
        _refused(store, user, "publish", exc, client, **what)
        raise
    month: list[str | None] = [None]

    def change(current: Dataset) -> Dataset:
        after, _warnings, month[0] = apply(spec, content, current, today)
        return after

    def then(conn: Connection, number: int, diffs: dict[str, changes.TableDiff]) -> None:
        if submission is not None and not conn.execute(
                update(submissions).where((submissions.c.submission_id == submission.number)
                                          & (submissions.c.status == "waiting"))
                .values(status="published", version=number, decided_at=datetime.now(UTC),
                        decided_by=user.username)).rowcount:
            raise StoreError(f"submission {submission.number} is no longer waiting")
        insert_entry(conn, user, "publish", "ok", at=datetime.now(UTC), client=client, version=number,
                     zone_id=",".join(sorted(touched(diffs)[0])) or None, month=month[0],
                     detail=detail + spec.label, **what)

    try:
        return store.publish(change, kind=spec.kind, author=user.username, comment=comment or spec.label,
                             based_on=based_on, upload=upload, force=force,
                             submitted_by=submission.submitted_by if submission else None, then=then)
    except (DataError, StoreError) as exc:
        record(store, user, "publish", "error", client=client, detail=f"{detail}{exc}"[:4000], **what)
        raise


@dataclass(frozen=True)
class Submission:
    number: int
    submitted_at: datetime
    submitted_by: str
    kind: str
    label: str
    spec: ChangeSpec
    zone_ids: tuple[str, ...]
    month: str | None
    based_on: int
    upload_id: int | None
    comment: str
    status: str
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str
    version: int | None


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _submission(row) -> Submission:
    return Submission(row["submission_id"], _utc(row["submitted_at"]), row["submitted_by"], row["kind"],
                      row["label"], ChangeSpec.from_json(row["spec"]),
                      tuple(z for z in row["zone_ids"].split(",") if z), row["month"], row["based_on"],
                      row["upload_id"], row["comment"], row["status"], _utc(row["decided_at"]), row["decided_by"],
                      row["decision_note"], row["version"])


def list_submissions(store: Store, user: User, status: str | None = None) -> list[Submission]:
    """Newest first: every submission for an admin, a zone editor's own, nothing for anyone else."""
    query = select(submissions).order_by(submissions.c.submission_id.desc())
    if status is not None:
        query = query.where(submissions.c.status == status)
    if user.disabled or user.role not in (Role.ADMIN, Role.ZONE_EDITOR):
        return []
    if user.role is Role.ZONE_EDITOR:
        query = query.where(submissions.c.submitted_by == user.username)
    with store.engine.connect() as conn:
        return [_submission(r) for r in conn.execute(query).mappings()]


def get_submission(store: Store, number: int) -> Submission:
    with store.engine.connect() as conn:
        row = conn.execute(select(submissions).where(submissions.c.submission_id == number)).mappings().first()
    if row is None:
        raise StoreError(f"there is no submission {number}")
    return _submission(row)


def submission_content(store: Store, submission: Submission) -> bytes:
    return store.upload(submission.upload_id)[1] if submission.upload_id else b""


def publish_submission(store: Store, user: User, number: int, *, based_on: int | None = None, force: bool = False,
                       comment: str = "", client: str = "", today: date | None = None) -> Version:
    """An admin publishes a waiting submission; the version keeps who submitted it and who published it.

    `based_on` is the version the admin previewed it on (default: the one it was submitted on); StaleVersion
    if another was published since, unless `force`.
    """
    submission = get_submission(store, number)
    if submission.status != "waiting":
        raise StoreError(f"submission {number} is {submission.status}, not waiting")
    return _publish(store, user, submission.spec, submission_content(store, submission),
                    upload=submission.upload_id, based_on=based_on or submission.based_on,
                    comment=comment or submission.comment or submission.label, force=force, client=client,
                    today=today, submission=submission)


def reject_submission(store: Store, user: User, number: int, *, note: str = "", client: str = "") -> None:
    """An admin turns a waiting submission down, with a note for the submitter."""
    submission = get_submission(store, number)
    try:
        require(user, Action.REJECT)
    except PermissionDenied as exc:
        _refused(store, user, "reject", exc, client)
        raise
    with store.engine.begin() as conn:
        done = conn.execute(update(submissions).where((submissions.c.submission_id == number)
                                                      & (submissions.c.status == "waiting"))
                            .values(status="rejected", decided_at=datetime.now(UTC), decided_by=user.username,
                                    decision_note=note.strip()[:2000])).rowcount
    if not done:
        raise StoreError(f"submission {number} is no longer waiting")
    record(store, user, "reject", "ok", client=client, zone_id=",".join(submission.zone_ids) or None,
           month=submission.month, filename=submission.spec.filename or None,
           detail=f"submission {number} by {submission.submitted_by}: {note}".strip())


def rollback(store: Store, user: User, to: int, *, client: str = "") -> Version:
    """An admin publishes a version equal to version `to`."""
    try:
        require(user, Action.ROLLBACK)
    except PermissionDenied as exc:
        _refused(store, user, "rollback", exc, client)
        raise
    try:
        version = store.rollback(to, author=user.username)
    except NoChange:  # nothing happened: not worth an entry
        raise
    except StoreError as exc:
        record(store, user, "rollback", "error", client=client, detail=str(exc))
        raise
    record(store, user, "rollback", "ok", client=client, version=version.number, detail=f"rollback to version {to}")
    return version


def check_template(user: User, zone_ids: list[str]) -> None:
    """PermissionDenied unless `user` may have the report template of every zone in `zone_ids`."""
    if not zone_ids:
        require(user, Action.DOWNLOAD_TEMPLATE)
    for zone in zone_ids:
        require(user, Action.DOWNLOAD_TEMPLATE, None if zone == report.ALL_ZONES else zone)


def template(user: User, dataset: Dataset, progress: pd.DataFrame, zone_ids: list[str], month: str,
             version: int) -> bytes:
    """The monthly report template, for zones the user may report for (PermissionDenied otherwise)."""
    check_template(user, zone_ids)
    return report.build_template(dataset, progress, zone_ids, month, version)


def downloaded(store: Store, user: User, action: str, *, filename: str, content: bytes, client: str = "",
               zone_id: str | None = None, month: str | None = None, version: int | None = None) -> bytes:
    """Record a download of internal data (a template, an export with non-public rows) and hand it over."""
    record(store, user, action, "ok", client=client, filename=filename, sha256=_sha(content), zone_id=zone_id,
           month=month, version=version)
    return content


def read_audit(store: Store, user: User, **filters) -> list[AuditEntry]:
    """The audit log for an admin (filters as `audit_entries`); PermissionDenied for anyone else."""
    require(user, Action.READ_AUDIT)
    return audit_entries(store, **filters)


def boundary_features(geojson: str) -> dict[str, str]:
    """{zone_id: Feature text} of a zones FeatureCollection (as `corpsmap.boundaries` writes it)."""
    features = json.loads(geojson)["features"]
    return {f["properties"]["zone_id"]: json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features}


def publish_boundaries(store: Store, actor: User | str, geojson: str, *, filename: str, content: bytes,
                       based_on: int | None = None, comment: str = "", client: str = "") -> Version:
    """Publish checked zone boundaries (`BoundaryImport.geojson()`, every zone) as a new version.

    `actor` is an admin (checked: IMPORT_BOUNDARIES), or the command line's "cli:<user>", who has the database
    in hand anyway. The file is kept as received; the import is audited with it.
    """
    what = {"filename": filename or None, "sha256": _sha(content)}
    if isinstance(actor, User):
        try:
            require(actor, Action.IMPORT_BOUNDARIES)
        except PermissionDenied as exc:
            _refused(store, actor, "import_boundaries", exc, client, **what)
            raise
    features = boundary_features(geojson)
    official = sorted(z for z, f in features.items() if json.loads(f)["properties"].get("boundary") == "official")

    def then(conn: Connection, number: int, _diffs: dict) -> None:
        insert_entry(conn, actor, "import_boundaries", "ok", at=datetime.now(UTC), client=client, version=number,
                     zone_id=",".join(official) or None, detail=comment or f"official boundaries: {len(official)}",
                     **what)

    name = actor.username if isinstance(actor, User) else actor
    upload = Upload(filename, content, name) if filename else None
    return store.publish(lambda current: current, kind="boundaries", author=name,
                         comment=comment or f"boundaries from {filename}", based_on=based_on, upload=upload,
                         boundaries=features, then=then)
