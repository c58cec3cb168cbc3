"""The store's tables: one per data table (rows kept for every version), versions and uploads, and the
accounts, login attempts and audit log of `corpsmap.accounts`.

Versioning is row-level: a data row is valid from the version that added it (`valid_from`) until the version
that changed or removed it (`valid_to`, empty while it is current). Nothing is updated but `valid_to`, and
nothing is deleted, so every version can be read back exactly.

The data tables are generated from `corpsmap.data.TABLES`, the one schema of the CSVs; migrations in
`corpsmap/store/migrations` freeze them, and a test checks that the two agree.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from corpsmap import data

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"})

uploads = Table(
    "uploads", metadata,
    Column("upload_id", Integer, primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),  # the file exactly as it was received
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("received_by", String(200), nullable=False),
)

versions = Table(
    "versions", metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("author", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("based_on", Integer, nullable=True),  # the version the change was prepared against
    Column("restores", Integer, nullable=True),  # for a rollback: the version it equals
    Column("upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=True),
    Column("data_month", String(7), nullable=True),  # latest month with observations at this version
    Column("summary", Text, nullable=False, default="{}"),  # JSON: rows added/changed/removed per table
    Column("submitted_by", String(200), nullable=True),  # a zone editor whose submission an admin published
)

users = Table(
    "users", metadata,
    Column("user_id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),  # lowercased, so the match ignores case
    Column("display_name", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(255), nullable=True),  # argon2; empty for single-sign-on-only users
    Column("email", String(254), nullable=True, unique=True),  # lowercased; several NULLs are allowed
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=True),  # ends sessions signed before it
)

user_zones = Table(
    "user_zones", metadata,
    Column("user_id", Integer, ForeignKey("users.user_id"), nullable=False),
    # No foreign key: zones are versioned rows, and an account outlives the version it was bound in.
    Column("zone_id", String(100), nullable=False),
    PrimaryKeyConstraint("user_id", "zone_id"),
)

# Zone boundaries, versioned like the data rows: one GeoJSON Feature (WGS-84) per zone and version range. No
# rows live at a version means the schematic shapes shipped in geodata/zones.geojson.
zone_boundaries = Table(
    "zone_boundaries", metadata,
    Column("row_id", Integer, primary_key=True),
    Column("valid_from", Integer, ForeignKey("versions.number"), nullable=False),
    Column("valid_to", Integer, ForeignKey("versions.number"), nullable=True),
    Column("zone_id", String(100), nullable=False),
    Column("feature", Text, nullable=False),
    Index("ix_zone_boundaries_valid", "valid_from", "valid_to"),
)

# Changes a zone editor submitted, waiting for an admin to publish or reject them. `spec` (JSON) and the upload
# are enough to work the change out again on whatever version is current when it is published.
submissions = Table(
    "submissions", metadata,
    Column("submission_id", Integer, primary_key=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("label", Text, nullable=False),
    Column("spec", Text, nullable=False),
    Column("zone_ids", String(1000), nullable=False),  # the zones it touches, comma-separated
    Column("month", String(7), nullable=True),
    Column("based_on", Integer, nullable=False),
    Column("upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=True),
    Column("comment", Text, nullable=False, default=""),
    Column("status", String(12), nullable=False),  # waiting, published, rejected, withdrawn
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decision_note", Text, nullable=False, default=""),
    Column("version", Integer, ForeignKey("versions.number"), nullable=True),
    Index("ix_submissions_status", "status", "submitted_at"),
)

# What login throttling reads: every attempt, by the name typed (known or not) and by client.
login_attempts = Table(
    "login_attempts", metadata,
    Column("attempt_id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    # SHA-256 of the lowercased name typed, never the text: a password typed into the name field stays out.
    Column("account_key", String(64), nullable=False),
    Column("client", String(100), nullable=False),
    Column("outcome", String(10), nullable=False),  # ok, failed, throttled
    Index("ix_login_attempts_account_key", "account_key", "at"),
    Index("ix_login_attempts_client", "client", "at"),
)

# Append-only: corpsmap.accounts inserts rows and never updates or deletes them.
audit_log = Table(
    "audit_log", metadata,
    Column("audit_id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("client", String(100), nullable=False, default=""),
    Column("action", String(40), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("version", Integer, nullable=True),
    Column("zone_id", String(100), nullable=True),
    Column("month", String(7), nullable=True),
    Column("filename", String(255), nullable=True),
    Column("sha256", String(64), nullable=True),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_audit_log_at", "at"),
)

_TYPES = {"number": Float, "lat": Float, "lon": Float, "int": Integer, "bool": Boolean}


def _column(col: data.Column) -> Column:
    kind = _TYPES.get(col.kind)
    if kind is not None:
        return Column(col.name, kind(), nullable=True)
    # Text cells are bounded in data.py; ids, months and codes are short.
    long_text = col.kind == "text"
    return Column(col.name, Text() if long_text else String(100), nullable=True)


def _data_table(table: data.Table) -> Table:
    return Table(
        f"data_{table.name}", metadata,
        Column("row_id", Integer, primary_key=True),
        Column("position", Integer, nullable=False),  # the row's place in the table, for a stable order
        Column("valid_from", Integer, ForeignKey("versions.number"), nullable=False),
        Column("valid_to", Integer, ForeignKey("versions.number"), nullable=True),
        *(_column(c) for c in table.columns),
        Index(f"ix_data_{table.name}_valid", "valid_from", "valid_to"),
    )


DATA_TABLES: dict[str, Table] = {name: _data_table(t) for name, t in data.TABLES.items()}
