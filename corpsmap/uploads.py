"""Reading an uploaded spreadsheet (.csv or .xlsx) safely, as text cells, within fixed limits.

Interface fixed first so that the report and table uploads can be written against it; see the docstrings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sheet:
    """One worksheet (or the one table of a CSV) as trimmed text cells.

    `rows[0]` is spreadsheet row 1. Empty cells are "". A CSV's sheet is named after the file.
    """

    name: str
    rows: tuple[tuple[str, ...], ...]


def read_upload(content: bytes, filename: str) -> list[Sheet]:
    """Every sheet of an uploaded .xlsx, or the one table of a .csv; DataError naming the file if unsafe."""
    raise NotImplementedError
