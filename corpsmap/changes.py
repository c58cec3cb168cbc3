"""Changes to the data set as pure functions: apply rows, replace a table, compare two versions.

A change is worked out on whole `Dataset`s: the new data set is built in memory, and only what changed is
checked again: the incoming rows or table with the same rules as the CSVs (`corpsmap.data`), then every
reference across the tables. Tables a change does not touch stay the same objects, so comparing old and new
(row by row on each table's key) skips them. The store writes exactly that comparison, and the preview and
the history show it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass, replace

import pandas as pd

from corpsmap.data import TABLES, DataError, Dataset, check_references, parse_valid

Key = tuple


def plain(value: object) -> object:
    """A cell as a plain Python value, so equal values compare equal (NaN and NA are None)."""
    if value is None or value is pd.NA or value != value:  # NaN is the one value unequal to itself
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows_by_key(name: str, frame: pd.DataFrame) -> dict[Key, dict[str, object]]:
    """Every row of table `name` as {key: {column: value}}."""
    table = TABLES[name]
    columns = [c.name for c in table.columns]
    # Whole columns as Python lists: iterating a frame row by row is many times slower at 30,000 rows.
    values = zip(*([plain(v) for v in frame[c].tolist()] for c in columns))
    out: dict[Key, dict[str, object]] = {}
    for row in (dict(zip(columns, v)) for v in values):
        out[tuple(row[k] for k in table.key)] = row
    return out


@dataclass(frozen=True)
class TableDiff:
    """What changed in one table between two versions, by key."""

    table: str
    added: list[dict[str, object]]  # whole new rows
    removed: list[dict[str, object]]  # whole old rows
    changed: list[tuple[dict[str, object], dict[str, object]]]  # (old row, new row)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed)}

    def cell_changes(self) -> list[dict[str, object]]:
        """One entry per changed cell: the row's key, the column, old and new value."""
        key = TABLES[self.table].key
        out = []
        for old, new in self.changed:
            for column, before in old.items():
                if new[column] != before:
                    out.append({"key": " / ".join(str(new[k]) for k in key), "column": column,
                                "old": before, "new": new[column]})
        return out


def diff_table(name: str, old: pd.DataFrame, new: pd.DataFrame) -> TableDiff:
    """Rows added, removed and changed (same key, another value) from `old` to `new`."""
    before, after = rows_by_key(name, old), rows_by_key(name, new)
    return TableDiff(
        name,
        added=[row for key, row in after.items() if key not in before],
        removed=[row for key, row in before.items() if key not in after],
        changed=[(before[key], row) for key, row in after.items() if key in before and before[key] != row],
    )


def diff_datasets(old: Dataset, new: Dataset) -> dict[str, TableDiff]:
    """The non-empty differences per table, in the order of `TABLES`; a table that is the same object is skipped."""
    diffs = {name: diff_table(name, old.tables[name], new.tables[name])
             for name in TABLES if old.tables[name] is not new.tables[name]}
    return {name: d for name, d in diffs.items() if not d.empty}


def _csv_cell(value: object) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv_text(name: str, frame: pd.DataFrame) -> str:
    """Table `name` as CSV text in the documented format (data/README.md)."""
    columns = [c.name for c in TABLES[name].columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*([_csv_cell(v) for v in frame[c].tolist()] for c in columns)))
    return out.getvalue()


def _renamed(exc: DataError, name: str, file: str | None) -> DataError:
    """`exc` with problems of table `name` naming the file the user gave (`file`), not ours."""
    if not file:
        return exc
    ours = TABLES[name].file
    return DataError([dataclasses.replace(p, file=file) if p.file == ours else p for p in exc.problems], exc.total)


def upsert(dataset: Dataset, name: str, rows: pd.DataFrame, file: str | None = None) -> Dataset:
    """`dataset` with `rows` of table `name` replacing rows of the same key and appended otherwise.

    The rows are checked by the CSV rules and every reference is checked again; DataError (naming `file`, if
    given) on any problem. Only the incoming rows are parsed: a month's report does not re-read ten years.
    """
    if rows.empty:
        return dataset
    table = TABLES[name]
    try:
        incoming = parse_valid(table, to_csv_text(name, rows), table.file)
    except DataError as exc:
        raise _renamed(exc, name, file) from None
    key = list(table.key)
    current = dataset.tables[name]
    replaced = set(zip(*(incoming[k].tolist() for k in key)))
    keep = [k not in replaced for k in zip(*(current[k].tolist() for k in key))]
    merged = pd.concat([current[keep], incoming], ignore_index=True)
    merged.index = range(2, len(merged) + 2)  # spreadsheet rows, as parsed from a CSV
    result = replace(dataset, **{name: merged})
    try:
        check_references(result)
    except DataError as exc:
        raise _renamed(exc, name, file) from None
    return result


def replace_from_text(dataset: Dataset, name: str, text: str, file: str) -> Dataset:
    """`dataset` with table `name` replaced by the CSV `text` of an uploaded `file`, validated with the rest.

    Problems in the new table name the uploaded file, so the planner knows which file to fix.
    """
    try:
        frame = parse_valid(TABLES[name], text.lstrip("\ufeff"), TABLES[name].file)
        result = replace(dataset, **{name: frame})
        check_references(result)
    except DataError as exc:
        raise _renamed(exc, name, file) from None
    return result
