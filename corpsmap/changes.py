"""Changes to the data set as pure functions: apply rows, compare two versions, re-validate.

A change is always worked out on whole `Dataset`s: the new data set is built in memory, validated with the
same rules as the CSVs (`corpsmap.data`), and compared with the old one row by row on each table's key.
The store writes exactly that comparison, and the preview and the history show it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from dataclasses import dataclass, replace

import pandas as pd

from corpsmap.data import TABLES, DataError, Dataset, validate_texts

Key = tuple


def plain(value: object) -> object:
    """A cell as a plain Python value, so equal values compare equal (NaN and NA are None)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows_by_key(name: str, frame: pd.DataFrame) -> dict[Key, dict[str, object]]:
    """Every row of table `name` as {key: {column: value}}."""
    table = TABLES[name]
    columns = [c.name for c in table.columns]
    out: dict[Key, dict[str, object]] = {}
    for values in frame[columns].itertuples(index=False, name=None):
        row = dict(zip(columns, (plain(v) for v in values)))
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
    """The non-empty differences per table, in the order of `TABLES`."""
    diffs = {name: diff_table(name, old.tables[name], new.tables[name]) for name in TABLES}
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
    writer.writerows([_csv_cell(v) for v in row] for row in frame[columns].itertuples(index=False, name=None))
    return out.getvalue()


def validated(tables: dict[str, pd.DataFrame]) -> Dataset:
    """The data set made of `tables`, checked by the same rules as the CSV files (DataError if not valid)."""
    return validate_texts({name: to_csv_text(name, frame) for name, frame in tables.items()})


def upsert(dataset: Dataset, name: str, rows: pd.DataFrame) -> Dataset:
    """`dataset` with `rows` of table `name` replacing rows of the same key and appended otherwise.

    The result is not validated; pass its tables to `validated` before storing it.
    """
    key = list(TABLES[name].key)
    current = dataset.tables[name]
    if rows.empty:
        return dataset
    incoming = set(map(tuple, rows[key].itertuples(index=False, name=None)))
    keep = [k not in incoming for k in current[key].itertuples(index=False, name=None)]
    merged = pd.concat([current[keep], rows[current.columns]], ignore_index=True)
    return replace(dataset, **{name: merged})


def replace_table(dataset: Dataset, name: str, frame: pd.DataFrame) -> Dataset:
    """`dataset` with table `name` replaced by `frame` (not validated)."""
    return replace(dataset, **{name: frame})


def replace_from_text(dataset: Dataset, name: str, text: str, file: str) -> Dataset:
    """`dataset` with table `name` replaced by the CSV `text` of an uploaded `file`, validated with the rest.

    Problems in the new table name the uploaded file, so the planner knows which file to fix.
    """
    texts = {n: to_csv_text(n, f) for n, f in dataset.tables.items()}
    texts[name] = text.lstrip("\ufeff")
    try:
        return validate_texts(texts)
    except DataError as exc:
        ours = TABLES[name].file
        renamed = [dataclasses.replace(p, file=file) if p.file == ours else p for p in exc.problems]
        raise DataError(renamed, exc.total) from None
