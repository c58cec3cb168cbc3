"""Loading and validating the CSV files in `data/` (see data/README.md for the dictionary).

Every file is read as text and checked column by column against a small schema, so that a planner who
breaks a spreadsheet gets one error listing every bad cell by file, row, column and value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import islice
from pathlib import Path

import pandas as pd

from corpsmap.config import DATA_DIR

STATUSES = ("planned", "signed", "started", "under_construction", "in_operation", "not_stated")
PROVENANCES = ("article", "illustrative", "reported")
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
# ASCII digits, a dot for decimals, no separators: float() alone would also take '1_000', 'inf' and '１２'.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)

MAX_NUMBER = 1e12  # no figure of a district comes near; two in range can never sum to infinity
MAX_TEXT = 2_000  # characters in one cell
MAX_PROBLEMS = 200  # problems a DataError carries; the rest are only counted
_PREVIEW = 80  # characters of an over-long value quoted in a problem


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
    may_be_empty: bool = False  # the app works without rows (projects, observations, targets)

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
                           Column("note_en", required=False), *_prov()), ("project_id",), may_be_empty=True),
        Table("indicators", (Column("indicator_id", "id"), Column("name_zh"), Column("name_en"),
                             Column("unit"), Column("unit_en", required=False),
                             Column("kind", "enum", choices=INDICATOR_KINDS),
                             Column("cumulative", "bool"), Column("additive", "bool"),
                             Column("higher_is_better", "bool"), Column("decimals", "int"),
                             Column("headline", "bool"), *_prov()), ("indicator_id",)),
        Table("observations", (Column("zone_id", "ref", ref="zones", extra=(CORPS,)),
                               Column("indicator_id", "ref", ref="indicators"), Column("month", "month"),
                               Column("value", "number"), *_prov(), Column("note", required=False)),
              ("zone_id", "indicator_id", "month"), may_be_empty=True),
        Table("targets", (Column("zone_id", "ref", ref="zones", extra=(CORPS,)),
                          Column("indicator_id", "ref", ref="indicators"), Column("year", "int"),
                          Column("target", "number"), *_prov()), ("zone_id", "indicator_id", "year"),
              may_be_empty=True),
    ]
}
# Values that may be negative: growth rates fall below zero in a bad year.
_SIGNED_NUMBERS = {("observations", "value"), ("targets", "target")}


class Message(str):
    """A problem's message in English (the string itself: the CLI, logs and tests read it) and in Chinese (`zh`).

    Written where the problem is found, both languages side by side: `Message("duplicate id", "编号重复")`.
    """

    zh: str

    def __new__(cls, en: str, zh: str) -> Message:
        message = super().__new__(cls, en)
        message.zh = zh
        return message

    def __getnewargs__(self) -> tuple[str, str]:  # pickle and copy keep the Chinese
        return str(self), self.zh


def in_lang(message: str, lang: str) -> str:
    """`message` in `lang`: a Message's Chinese for "zh", else (and for a plain string) the English."""
    return message.zh if lang == "zh" and isinstance(message, Message) else str(message)


@dataclass(frozen=True)
class Problem:
    """One bad cell (row is the spreadsheet row: the header is row 1); `message` is a Message where found."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    sheet: str | None = None  # the worksheet, for an .xlsx

    def text(self, lang: str) -> str:
        """The message alone, in `lang`."""
        return in_lang(self.message, lang)

    def describe(self, lang: str) -> str:
        """The problem as one sentence in `lang`: where (file, sheet, row, column), the value, what is wrong."""
        zh = lang == "zh"
        where = [self.file]
        if self.sheet is not None:
            where.append(f"工作表“{self.sheet}”" if zh else f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"第 {self.row} 行" if zh else f"row {self.row}")
        if self.column is not None:
            where.append(f"“{self.column}”列" if zh else f"column '{self.column}'")
        value = "" if self.value is None else f"：值“{self.value}”" if zh else f": value '{self.value}'"
        return ("，" if zh else ", ").join(where) + value + ("：" if zh else ": ") + self.text(lang)

    def __str__(self) -> str:
        return self.describe("en")


class DataError(ValueError):
    """Raised with every problem found, so a planner can fix a file in one go.

    It keeps the first MAX_PROBLEMS problems and `total`, the number found, so that a file of junk can
    neither fill the memory nor the screen; the message then ends with "… and N more".
    """

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = list(problems[:MAX_PROBLEMS])
        self.total = max(len(problems) if total is None else total, len(self.problems))
        super().__init__(self.describe("en"))

    def describe(self, lang: str) -> str:
        """Every problem kept, one a line, in `lang` (str(error) is the English)."""
        lines = [p.describe(lang) for p in self.problems]
        more = self.total - len(self.problems)
        if more > 0:
            lines.append(f"… 另有 {more:,} 个问题" if lang == "zh" else f"… and {more:,} more")
        return "\n".join(lines)

    @classmethod
    def capped(cls, problems: Iterable[Problem]) -> DataError:
        """A DataError from any number of problems (an iterator is only counted past the first MAX_PROBLEMS)."""
        iterator = iter(problems)
        kept = list(islice(iterator, MAX_PROBLEMS))
        return cls(kept, len(kept) + sum(1 for _ in iterator))


class ProblemLog:
    """Collects problems while reading: keeps the first MAX_PROBLEMS and counts the rest."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def absorb(self, error: DataError) -> None:
        """Take over the problems of `error`, and its count of those it did not keep."""
        self.extend(error.problems)
        self.total += error.total - len(error.problems)

    def raise_if_any(self) -> None:
        """Raise a DataError with everything collected, if anything was."""
        if self.total:
            raise DataError(self.problems, self.total)


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


# Messages that the report parser gives too.
OUT_OF_RANGE = Message(f"value out of range (at most {MAX_NUMBER:g} either side of zero)",
                       f"数值超出范围（正负都不能超过 {MAX_NUMBER:g}）")
NEGATIVE = Message("must not be negative", "不能为负数")
EXPECTED_MONTH = Message("expected a month as YYYY-MM", "月份应写作 YYYY-MM")


def _parse_cell(table: Table, col: Column, raw: str) -> tuple[object, str | None]:
    """Return (parsed value, error message or None) for one non-empty cell."""
    kind = col.kind
    if kind == "id":
        return raw, None if _ID.match(raw) else Message("an id is lower-case letters, digits, '_' or '-'",
                                                         "编号只能由小写字母、数字、“_”或“-”组成")
    if kind in ("number", "lat", "lon", "int"):
        if not _NUMBER.fullmatch(raw):
            return None, Message("not a number (digits 0-9, a dot for decimals, no separators)",
                                  "不是数字（只用数字 0-9，小数用点号，不加千位分隔符）")
        number = float(raw)
        if not abs(number) <= MAX_NUMBER:  # also catches 1e999, which float() reads as infinity
            return None, OUT_OF_RANGE
        if kind == "int":
            return (int(number), None) if number.is_integer() else (None, Message("not a whole number", "不是整数"))
        if kind == "lat" and not -90 <= number <= 90:
            return None, Message("latitude outside -90..90", "纬度超出 -90..90 的范围")
        if kind == "lon" and not -180 <= number <= 180:
            return None, Message("longitude outside -180..180", "经度超出 -180..180 的范围")
        if kind == "number" and number < 0 and (table.name, col.name) not in _SIGNED_NUMBERS:
            return None, NEGATIVE
        return number, None
    if kind == "bool":
        low = raw.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, Message("expected true or false", "应填 true 或 false（也可填“是”或“否”）")
    if kind == "month":
        return raw, None if _MONTH.match(raw) else EXPECTED_MONTH
    if kind == "date":
        if not _DATE.match(raw):
            return raw, Message("expected a date as YYYY-MM or YYYY-MM-DD", "日期应写作 YYYY-MM 或 YYYY-MM-DD")
        try:
            pd.Timestamp(raw)
        except ValueError:
            return raw, Message("not a real date", "日期不存在")
        return raw, None
    if kind == "enum":
        return raw, None if raw in col.choices else Message(f"expected one of {', '.join(col.choices)}",
                                                            f"应为以下值之一：{', '.join(col.choices)}")
    return raw, None


# The dtype of each kind of column. Without them a table with no rows would get float64 columns, and code
# such as `month.str[:4]` would fail on an empty observations table where it works on a full one.
_DTYPES = {"number": "float64", "lat": "float64", "lon": "float64", "int": "int64", "bool": "bool"}


def _column(col: Column, values: list) -> pd.Series:
    dtype = _DTYPES.get(col.kind, "str")
    if dtype in ("int64", "bool") and None in values:
        dtype = "object"  # a bad cell was left empty; the frame comes with problems and is not used
    return pd.Series(values, dtype=dtype)


def typed_frame(table: Table, values: dict[str, list], index: list[int] | None = None) -> pd.DataFrame:
    """A frame of `table`'s columns with the dtypes of a parsed file, whatever the number of rows (even 0).

    `values` holds each column's parsed values (None where empty); `index` the spreadsheet rows (default 2…).
    """
    frame = pd.DataFrame({c.name: _column(c, list(values.get(c.name, []))) for c in table.columns})
    frame.index = index if index is not None else range(2, len(frame) + 2)
    return frame


def _empty_frame(table: Table) -> pd.DataFrame:
    return typed_frame(table, {})


def parse_table(table: Table, text: str, file: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one CSV text against its schema; references to other tables are checked later.

    The frame's index is the spreadsheet row (the header is row 1). At most MAX_PROBLEMS problems are returned.
    """
    log = ProblemLog()
    frame = _parse_table(table, text, file or table.file, log)
    return frame, log.problems


def parse_valid(table: Table, text: str, file: str | None = None) -> pd.DataFrame:
    """Parse one CSV text against its schema; DataError with every problem (references are checked apart)."""
    log = ProblemLog()
    frame = _parse_table(table, text, file or table.file, log)
    log.raise_if_any()
    return frame


def _parse_table(table: Table, text: str, file: str, log: ProblemLog) -> pd.DataFrame:
    from corpsmap.uploads import csv_rows  # uploads imports this module's DataError: import it late

    try:
        rows = csv_rows(text, file)
    except DataError as exc:  # a row that does not fit the header: its cells cannot be told apart
        log.absorb(exc)
        return _empty_frame(table)
    if not rows:
        log.add(Problem(file, None, None, None, Message("the file is empty (it needs the header row)",
                                                        "文件是空的（至少要有表头行）")))
        return _empty_frame(table)
    header = rows[0]
    missing = [c.name for c in table.columns if c.name not in header]
    if missing:
        sep = next((sep for sep in (";", "\t") if len(header) == 1 and sep in header[0]), None)
        missing_column = Message("column is missing", "缺少此列") if sep is None else Message(
            f"column is missing (the file seems to use '{sep}' between columns; use commas)",
            f"缺少此列（文件中各列似乎用“{sep}”分隔，请改用英文逗号）")
        log.extend(Problem(file, 1, name, None, missing_column) for name in missing)
        return _empty_frame(table)
    twice = [c.name for c in table.columns if header.count(c.name) > 1]
    if twice:
        twice_message = Message("the column appears more than once", "此列出现了不止一次")
        log.extend(Problem(file, 1, name, None, twice_message) for name in twice)
        return _empty_frame(table)

    position = {c.name: header.index(c.name) for c in table.columns}
    # Blank lines are skipped, as a planner would expect, but rows keep their spreadsheet numbers.
    records = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    if not records and not table.may_be_empty:
        log.add(Problem(file, None, None, None, Message("file has no rows (the app needs at least one)",
                                                        "文件没有数据行（至少需要一行）")))
    parsed: dict[str, list] = {c.name: [] for c in table.columns}
    for number, row in records:
        for col in table.columns:
            cell = row[position[col.name]]
            value, error = None, None
            if cell == "":
                if col.required:
                    error = Message("a value is required", "此项必须填写")
            elif len(cell) > MAX_TEXT:
                error = Message(f"longer than {MAX_TEXT:,} characters", f"超过 {MAX_TEXT:,} 个字符")
                cell = cell[:_PREVIEW - 1] + "…"
            else:
                value, error = _parse_cell(table, col, cell)
            parsed[col.name].append(value)
            if error:
                log.add(Problem(file, number, col.name, cell, error))
    frame = typed_frame(table, parsed, [number for number, _ in records])  # index: rows, for later messages
    dup = frame.duplicated(list(table.key), keep="first") & frame[list(table.key)].notna().all(axis=1)
    for row in frame.index[dup]:
        value = "/".join(str(frame.at[row, k]) for k in table.key)
        log.add(Problem(file, int(row), "/".join(table.key), value, Message("duplicate id", "编号重复")))
    log.extend(_row_rules(table, frame, file))
    return frame


def _row_rules(table: Table, frame: pd.DataFrame, file: str) -> Iterator[Problem]:
    """Rules that span columns of one row."""
    if table.name == "projects":
        for row, r in frame.iterrows():
            has_lat, has_lon = pd.notna(r["lat"]), pd.notna(r["lon"])
            if has_lat != has_lon:
                col = "lon" if has_lat else "lat"
                yield Problem(file, int(row), col, "", Message("give both lat and lon, or neither",
                                                               "lat 和 lon 要么都填，要么都不填"))
            elif has_lat and r["location_precision"] == "none":
                yield Problem(file, int(row), "location_precision", "none",
                              Message("a located project needs exact or approximate",
                                      "已填坐标的项目应为 exact 或 approximate"))
            elif not has_lat and r["location_precision"] in ("exact", "approximate"):
                yield Problem(file, int(row), "location_precision", r["location_precision"],
                              Message("no lat/lon given; use none", "未填 lat/lon，应填 none"))
            if pd.isna(r["investment_yi"]) != pd.isna(r["amount_kind"]):
                amount_kind = "" if pd.isna(r["amount_kind"]) else r["amount_kind"]
                yield Problem(file, int(row), "amount_kind", amount_kind,
                              Message("give investment_yi and amount_kind together",
                                      "investment_yi 和 amount_kind 应同时填写"))


def _reference_problems(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    for name, table in TABLES.items():
        frame = tables[name]
        for col in table.columns:
            if col.kind != "ref" or frame.empty:
                continue
            ref_table = TABLES[col.ref]
            known = set(tables[col.ref][ref_table.key[0]].dropna()) | set(col.extra)
            values = frame[col.name]
            unknown = values.notna() & ~values.isin(known)  # vectorised: tables reach tens of thousands of rows
            for row, value in values[unknown].items():
                yield Problem(table.file, int(row), col.name, value,
                              Message(f"unknown {ref_table.key[0]} (not in {ref_table.file})",
                                      f"未知的 {ref_table.key[0]}（{ref_table.file} 中没有）"))


def check_references(dataset: Dataset) -> None:
    """Raise DataError if a row names a key that its referenced table does not have."""
    log = ProblemLog()
    log.extend(_reference_problems(dataset.tables))
    log.raise_if_any()


def validate_texts(texts: dict[str, str]) -> Dataset:
    """Parse and cross-check the CSV texts of every table; raise DataError listing all problems."""
    tables: dict[str, pd.DataFrame] = {}
    log = ProblemLog()
    for name, table in TABLES.items():
        if name not in texts:
            log.add(Problem(table.file, None, None, None, Message("file is missing", "缺少此文件")))
            tables[name] = _empty_frame(table)
            continue
        tables[name] = _parse_table(table, texts[name], table.file, log)
    if not log.total:
        log.extend(_reference_problems(tables))
    log.raise_if_any()
    return Dataset(**tables)


def read_texts(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The text of each table's file that exists; DataError naming each file that is not UTF-8.

    A BOM, as Excel writes it, is dropped. Unlike an upload, a data file is never guessed to be GBK: the files
    in data/ are UTF-8 by definition (data/README.md), and one that is not was saved wrongly.
    """
    from corpsmap.uploads import decode_csv

    texts: dict[str, str] = {}
    log = ProblemLog()
    for name, table in TABLES.items():
        path = data_dir / table.file
        if path.exists():
            try:
                texts[name] = decode_csv(path.read_bytes(), table.file, allow_gb18030=False)[0]
            except DataError as exc:
                log.absorb(exc)
    log.raise_if_any()
    return texts


def load_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Load and validate every table in `data_dir`."""
    return validate_texts(read_texts(data_dir))


def upload_to_csv_text(content: bytes, filename: str) -> str:
    """The CSV text of an uploaded .csv or of the first sheet of an .xlsx (see `corpsmap.uploads`)."""
    from corpsmap.uploads import read_upload

    return read_upload(content, filename)[0].csv_text()
