"""The store's tables: one per data table (rows kept for every version) plus versions and uploads.

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
