"""Loading and validating the CSV files in `data/` (see data/README.md for the dictionary).

Every file is read as text and checked column by column against a small schema, so that a planner who
breaks a spreadsheet gets one error listing every bad cell by file, row, column and value.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from corpsmap.config import DATA_DIR

STATUSES = ("planned", "signed", "started", "under_construction", "in_operation", "not_stated")
PROVENANCES = ("article", "illustrative")
PROJECT_KINDS = ("project", "company", "initiative")
AMOUNT_KINDS = ("total", "financing", "at_least")
LOCATION_PRECISIONS = ("exact", "approximate", "none")
INDICATOR_KINDS = ("growth_rate", "amount", "share", "count")
CORPS = "all"  # zone_id of corps-wide rows in observations

_TRUE = {"true", "1", "yes", "是"}
_FALSE = {"false", "0", "no", "否"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Column:
    """One column: its kind decides how a cell is parsed and checked."""

    name: str
    kind: str = "text"  # id, text, number, int, bool, month, date, enum, ref, lat, lon
    required: bool = True
    choices: tuple[str, ...] = ()
    ref: str | None = None  # table whose key this column must name
    extra: tuple[str, ...] = ()  # values allowed besides the referenced keys


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _prov() -> tuple[Column, Column]:
    return Column("provenance", "enum", choices=PROVENANCES), Column("source_id", "ref", ref="sources")


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("sources", (Column("source_id", "id"), Column("title"), Column("publisher"),
                          Column("date", "date"), Column("location"),
                          Column("provenance", "enum", choices=PROVENANCES),
                          Column("note", required=False)), ("source_id",)),
        Table("platforms", (Column("platform_id", "id"), Column("name_zh"), Column("name_en"), *_prov()),
              ("platform_id",)),
        Table("industry_chains", (Column("chain_id", "id"), Column("name_zh"), Column("name_en"), *_prov()),
              ("chain_id",)),
        Table("zones", (Column("zone_id", "id"), Column("name_zh"), Column("name_en"),
                        Column("short_zh"), Column("short_en"),
                        Column("platform_id", "ref", ref="platforms"), Column("river_order", "int"),
                        Column("positioning_zh"), Column("positioning_en"),
                        Column("townships_zh", required=False), Column("size_km2", "number", required=False),
                        *_prov()), ("zone_id",)),
        Table("projects", (Column("project_id", "id"), Column("zone_id", "ref", ref="zones"),
                           Column("kind", "enum", choices=PROJECT_KINDS),
                           Column("name_zh"), Column("name_en"), Column("status", "enum", choices=STATUSES),
                           Column("industry_chain", "ref", ref="industry_chains"),
                           Column("investment_yi", "number", required=False),
                           Column("amount_kind", "enum", required=False, choices=AMOUNT_KINDS),
                           Column("start_date", "date", required=False),
                           Column("lat", "lat", required=False), Column("lon", "lon", required=False),
                           Column("location_precision", "enum", choices=LOCATION_PRECISIONS),
                           Column("public", "bool"), Column("note_zh", required=False),
                           Column("note_en", required=False), *_prov()), ("project_id",)),
        Table("indicators", (Column("indicator_id", "id"), Column("name_zh"), Column("name_en"),
                             Column("unit"), Column("unit_en", required=False),
                             Column("kind", "enum", choices=INDICATOR_KINDS),
                             Column("cumulative", "bool"), Column("additive", "bool"),
                             Column("higher_is_better", "bool"), Column("decimals", "int"),
                             Column("headline", "bool"), *_prov()), ("indicator_id",)),
        Table("observations", (Column("zone_id", "ref", ref="zones", extra=(CORPS,)),
                               Column("indicator_id", "ref", ref="indicators"), Column("month", "month"),
                               Column("value", "number"), *_prov(), Column("note", required=False)),
              ("zone_id", "indicator_id", "month")),
        Table("targets", (Column("zone_id", "ref", ref="zones", extra=(CORPS,)),
                          Column("indicator_id", "ref", ref="indicators"), Column("year", "int"),
                          Column("target", "number"), *_prov()), ("zone_id", "indicator_id", "year")),
    ]
}
# Values that may be negative: growth rates fall below zero in a bad year.
_SIGNED_NUMBERS = {("observations", "value"), ("targets", "target")}


@dataclass(frozen=True)
class Problem:
    """One bad cell (row is the spreadsheet row: the header is row 1)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    sheet: str | None = None  # the worksheet, for an .xlsx

    def __str__(self) -> str:
        where = self.file if self.sheet is None else f"{self.file}, sheet '{self.sheet}'"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f": value '{self.value}'"
        return f"{where}{value}: {self.message}"


class DataError(ValueError):
    """Raised with every problem found, so a planner can fix a file in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Dataset:
    """All tables, parsed and validated; the fields are named after the tables."""

    sources: pd.DataFrame
    platforms: pd.DataFrame
    industry_chains: pd.DataFrame
    zones: pd.DataFrame
    projects: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    targets: pd.DataFrame

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _parse_cell(table: Table, col: Column, raw: str) -> tuple[object, str | None]:
    """Return (parsed value, error message or None) for one non-empty cell."""
    kind = col.kind
    if kind == "id":
        return raw, None if _ID.match(raw) else "an id is lower-case letters, digits, '_' or '-'"
    if kind in ("number", "lat", "lon", "int"):
        try:
            number = float(raw)
        except ValueError:
            return None, "not a number"
        if number != number or number in (float("inf"), float("-inf")):
            return None, "not a finite number"
        if kind == "int":
            return (int(number), None) if number.is_integer() else (None, "not a whole number")
        if kind == "lat" and not -90 <= number <= 90:
            return None, "latitude outside -90..90"
        if kind == "lon" and not -180 <= number <= 180:
            return None, "longitude outside -180..180"
        if kind == "number" and number < 0 and (table.name, col.name) not in _SIGNED_NUMBERS:
            return None, "must not be negative"
        return number, None
    if kind == "bool":
        low = raw.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, "expected true or false"
    if kind == "month":
        return raw, None if _MONTH.match(raw) else "expected a month as YYYY-MM"
    if kind == "date":
        if not _DATE.match(raw):
            return raw, "expected a date as YYYY-MM or YYYY-MM-DD"
        try:
            pd.Timestamp(raw)
        except ValueError:
            return raw, "not a real date"
        return raw, None
    if kind == "enum":
        return raw, None if raw in col.choices else f"expected one of {', '.join(col.choices)}"
    return raw, None


def parse_table(table: Table, text: str, file: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one CSV text against its schema; references to other tables are checked later."""
    file = file or table.file
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return pd.DataFrame(), [Problem(file, None, None, None, f"not a readable CSV file ({exc})")]
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c.name for c in table.columns if c.name not in raw.columns]
    if missing:
        return pd.DataFrame(), [Problem(file, 1, name, None, "column is missing") for name in missing]

    problems: list[Problem] = []
    parsed: dict[str, list] = {c.name: [] for c in table.columns}
    for i, record in enumerate(raw.to_dict("records")):
        row = i + 2  # spreadsheet row: header is row 1
        for col in table.columns:
            cell = str(record[col.name]).strip()
            if cell == "":
                parsed[col.name].append(None)
                if col.required:
                    problems.append(Problem(file, row, col.name, "", "a value is required"))
                continue
            value, error = _parse_cell(table, col, cell)
            parsed[col.name].append(value)
            if error:
                problems.append(Problem(file, row, col.name, cell, error))
    frame = pd.DataFrame(parsed, columns=[c.name for c in table.columns])
    frame.index = range(2, len(frame) + 2)  # index = spreadsheet row, for later messages
    dup = frame.duplicated(list(table.key), keep="first") & frame[list(table.key)].notna().all(axis=1)
    for row in frame.index[dup]:
        value = "/".join(str(frame.at[row, k]) for k in table.key)
        problems.append(Problem(file, int(row), "/".join(table.key), value, "duplicate id"))
    problems += _row_rules(table, frame, file)
    return frame, problems


def _row_rules(table: Table, frame: pd.DataFrame, file: str) -> list[Problem]:
    """Rules that span columns of one row."""
    problems = []
    if table.name == "projects":
        for row, r in frame.iterrows():
            has_lat, has_lon = pd.notna(r["lat"]), pd.notna(r["lon"])
            if has_lat != has_lon:
                col = "lon" if has_lat else "lat"
                problems.append(Problem(file, int(row), col, "", "give both lat and lon, or neither"))
            elif has_lat and r["location_precision"] == "none":
                problems.append(Problem(file, int(row), "location_precision", "none",
                                        "a located project needs exact or approximate"))
            elif not has_lat and r["location_precision"] in ("exact", "approximate"):
                problems.append(Problem(file, int(row), "location_precision", r["location_precision"],
                                        "no lat/lon given; use none"))
            if pd.isna(r["investment_yi"]) != pd.isna(r["amount_kind"]):
                problems.append(Problem(file, int(row), "amount_kind", r["amount_kind"] or "",
                                        "give investment_yi and amount_kind together"))
    return problems


def _reference_problems(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for name, table in TABLES.items():
        frame = tables[name]
        for col in table.columns:
            if col.kind != "ref" or frame.empty:
                continue
            ref_table = TABLES[col.ref]
            known = set(tables[col.ref][ref_table.key[0]].dropna()) | set(col.extra)
            for row, value in frame[col.name].items():
                if pd.notna(value) and value not in known:
                    problems.append(Problem(table.file, int(row), col.name, value,
                                            f"unknown {ref_table.key[0]} (not in {ref_table.file})"))
    return problems


def validate_texts(texts: dict[str, str]) -> Dataset:
    """Parse and cross-check the CSV texts of every table; raise DataError listing all problems."""
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, table in TABLES.items():
        if name not in texts:
            problems.append(Problem(table.file, None, None, None, "file is missing"))
            tables[name] = pd.DataFrame(columns=[c.name for c in table.columns])
            continue
        tables[name], found = parse_table(table, texts[name])
        problems += found
    if not problems:
        problems += _reference_problems(tables)
    if problems:
        raise DataError(problems)
    return Dataset(**tables)


def read_texts(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The raw text of each table's file that exists (utf-8-sig: spreadsheets add a BOM)."""
    return {
        name: (data_dir / t.file).read_text(encoding="utf-8-sig")
        for name, t in TABLES.items()
        if (data_dir / t.file).exists()
    }


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Load and validate every table in `data_dir`."""
    return validate_texts(read_texts(data_dir))


def upload_to_csv_text(content: bytes, filename: str) -> str:
    """The CSV text of an uploaded .csv (UTF-8, BOM allowed) or the first sheet of an .xlsx; DataError if unreadable."""
    try:
        if filename.lower().endswith(".xlsx"):
            sheet = pd.read_excel(io.BytesIO(content), dtype=str, keep_default_na=False)
            # Excel keeps whole numbers typed into text cells as '15'; floats come back as '15.0', still valid.
            return sheet.to_csv(index=False)
        return content.decode("utf-8-sig")
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise DataError([Problem(filename, None, None, None, f"cannot read the file ({exc})")]) from exc


def replace_table(name: str, new_text: str, data_dir: Path = DATA_DIR, file: str | None = None) -> Dataset:
    """Validate `new_text` as table `name` together with the stored tables; write it only if all is well.

    On any problem a DataError is raised and the stored file is left exactly as it was.
    """
    table = TABLES[name]
    texts = read_texts(data_dir)
    texts[name] = new_text.lstrip("\ufeff")
    try:
        dataset = validate_texts(texts)
    except DataError as exc:
        if file:  # name the file the planner uploaded, not ours
            exc.problems[:] = [p if p.file != table.file else Problem(file, p.row, p.column, p.value, p.message)
                               for p in exc.problems]
            exc.args = ("\n".join(str(p) for p in exc.problems),)
        raise
    target = data_dir / table.file
    tmp = target.with_suffix(".csv.tmp")
    tmp.write_text(texts[name], encoding="utf-8")
    tmp.replace(target)  # atomic: a crash mid-write cannot leave half a file
    return dataset
