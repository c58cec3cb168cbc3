"""Reading an uploaded spreadsheet (.csv or .xlsx) safely, as text cells, within fixed limits.

Whatever a planner's spreadsheet holds, the app works on text: every cell becomes a trimmed string, the way it
reads in Excel, and the schema in `corpsmap.data` (or the report parser) decides what the text means. Anything
that cannot be read faithfully is refused with a `DataError` naming the file, and where it applies the sheet,
row, column and value: an upload is never silently changed or partly read.

Limits are checked before the expensive work, so an oversized file or a zip bomb is refused from its size and
its zip directory alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count, islice
from xml.etree.ElementTree import Element
from xml.parsers import expat

from openpyxl import Workbook, load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, STRIP_RE, builtin_format_code
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from corpsmap.data import DataError, Message, Problem, ProblemLog

MB = 1024 * 1024
MAX_BYTES = 10 * MB  # an upload larger than this is refused unread
MAX_ROWS = 100_000  # rows per sheet, the header included
MAX_COLUMNS = 200
# An .xlsx is a zip of XML: these bound what opening it may unpack, checked from the zip directory first.
MAX_UNPACKED_BYTES = 40 * MB  # a real report or table is far below; bounds the time a hostile file costs (~10 s)
MAX_RATIO = 200  # unpacked : packed, for members over RATIO_FLOOR; real sheets compress about 5-20 : 1
RATIO_FLOOR = 1 * MB
LINE_PREVIEW = 80  # characters of a raw CSV line quoted in a problem

_UTF8 = "utf-8"
_GB18030 = "gb18030"
# Surrounding whitespace is trimmed, including what Chinese input methods and web pages add: the full-width
# space U+3000 and NBSP (both Unicode whitespace) plus zero-width spaces and stray BOMs (which are not).
_EDGE_SPACE = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
# Control characters never occur in a spreadsheet's text; finding them means the bytes were not text.
_VALUE = re.compile(r"[^\s,]")  # anything in CSV text besides separators and blanks
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff]")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx files saved with a password
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Sheet:
    """One worksheet (or the one table of a CSV) as trimmed text cells.

    `rows[0]` is spreadsheet row 1; every row has the same length, trailing empty rows and columns are dropped.
    Empty cells are "". A CSV's sheet is named after the file; `encoding` is what its bytes were read as
    ("utf-8", with or without a BOM, or "gb18030" for the GBK CSV that Chinese Excel saves); an .xlsx is
    always "utf-8".
    """

    name: str
    rows: tuple[tuple[str, ...], ...]
    encoding: str = _UTF8

    def csv_text(self) -> str:
        """The sheet as CSV text (what the data tables are parsed from)."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(self.rows)
        return buffer.getvalue()


def read_upload(content: bytes, filename: str) -> list[Sheet]:
    """Every sheet of an uploaded .xlsx, or the one table of a .csv; DataError naming the file if unsafe."""
    file = _base_name(filename)
    if len(content) > MAX_BYTES:
        raise _error(file, Message(f"the file is larger than the {MAX_BYTES // MB} MB limit ({len(content):,} bytes)",
                                   f"文件超过 {MAX_BYTES // MB} MB 的上限（{len(content):,} 字节）"))
    suffix = file.rpartition(".")[2].lower() if "." in file else ""
    if suffix == "csv":
        return [read_csv(content, file)]
    if suffix == "xlsx":
        return read_xlsx(content, file)
    if suffix == "xls":
        raise _error(file, Message("an old Excel .xls workbook: open it in Excel and save it as .xlsx (Excel Workbook)",
                                   "这是旧版 Excel .xls 工作簿：请用 Excel 打开，另存为 .xlsx（Excel 工作簿）"))
    raise _error(file, Message("only .csv and .xlsx files can be uploaded", "只能上传 .csv 或 .xlsx 文件"))


def trim(text: str) -> str:
    """`text` without surrounding whitespace, including full-width and non-breaking spaces."""
    return _EDGE_SPACE.sub("", text)


def read_csv(content: bytes, file: str) -> Sheet:
    """The one table of a CSV file (UTF-8 with or without BOM, or GB18030/GBK); DataError if it is not one."""
    text, encoding = decode_csv(content, file)
    rows = csv_rows(text, file)
    if not rows:
        raise _error(file, Message("the file is empty", "文件是空的"))
    return Sheet(file, rows, encoding)


def decode_csv(content: bytes, file: str, *, allow_gb18030: bool = True) -> tuple[str, str]:
    """(text, encoding) of CSV bytes: UTF-8 (a BOM is dropped), else GB18030 if it decodes cleanly."""
    if content.startswith(_UTF16_BOMS):
        raise _error(file, Message("UTF-16 text (Excel's 'Unicode text'): save it as CSV UTF-8",
                                   "这是 UTF-16 文本（Excel 的“Unicode 文本”）：请另存为 CSV UTF-8"))
    if b"\x00" in content:
        kind = (Message("an Excel workbook", "Excel 工作簿") if content.startswith((b"PK\x03\x04", _OLE_SIGNATURE))
                else Message("a binary file", "二进制文件"))
        raise _error(file, Message(f"contains NUL bytes: {kind}, not a text CSV (save it as CSV UTF-8)",
                                   f"含有 NUL 字节：这是{kind.zh}，不是文本 CSV（请另存为 CSV UTF-8）"))
    try:
        return content.decode("utf-8-sig"), _UTF8
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        where = Message(f"byte 0x{content[exc.start]:02x} on line {line}",
                        f"第 {line} 行的字节 0x{content[exc.start]:02x}")
    gbk = _gb18030(content)
    if allow_gb18030 and gbk is not None:
        return gbk, _GB18030
    if allow_gb18030:
        raise _error(file, Message(f"not a text CSV (neither UTF-8 nor GBK: {where}): save it as CSV UTF-8",
                                   f"不是文本 CSV（既不是 UTF-8 也不是 GBK：{where.zh}）：请另存为 CSV UTF-8"))
    looks = Message("", "") if gbk is None else Message("; it reads as GBK, as Chinese Excel saves CSV",
                                                        "；按 GBK 可以读，中文版 Excel 保存的 CSV 就是 GBK")
    raise _error(file, Message(f"not UTF-8 text ({where}{looks}): data files must be UTF-8 (a BOM is fine); "
                               "save it as CSV UTF-8",
                               f"不是 UTF-8 文本（{where.zh}{looks.zh}）：数据文件必须是 UTF-8 编码（带 BOM 也可以）；"
                               "请另存为 CSV UTF-8"))


def _gb18030(content: bytes) -> str | None:
    """The text of GB18030 (or GBK) bytes, or None if they do not decode cleanly."""
    try:
        text = content.decode(_GB18030)
    except UnicodeDecodeError:
        return None
    # GB18030 maps almost any pair of high bytes to some character, so only text free of control and
    # private-use characters is taken for what Chinese Excel wrote.
    return None if _CONTROL.search(text) else text


def csv_rows(text: str, file: str) -> tuple[tuple[str, ...], ...]:
    """The trimmed cells of CSV text, one tuple per spreadsheet row, all as wide as the widest.

    A row with more or fewer fields than the header has a field too many or too few somewhere, so its cells
    would land in the wrong columns (an extra field with an empty last column looks just like a harmless
    trailing comma). Such a row is refused as one problem, quoting its start. Excel writes every row as wide as
    the header; blank lines are kept as empty rows.
    """
    if "\x00" in text:
        raise _error(file, Message("contains NUL characters: a binary file, not a text CSV",
                                   "含有 NUL 字符：这是二进制文件，不是文本 CSV"))
    source = io.StringIO(text, newline="")
    lines: list[str] = []

    def feed() -> Iterator[str]:
        # Remember the physical lines of each record, to quote a bad row as it stands in the file.
        for line in source:
            lines.append(line)
            yield line

    reader = csv.reader(feed())
    rows: list[tuple[str, ...]] = []
    log = ProblemLog()
    header = named = 0  # fields in the header; those up to its last name
    last = 0  # the last row with a value
    for number in count(1):
        lines.clear()
        try:
            record = next(reader, None)
        except csv.Error as exc:  # a cell over the csv module's size limit: an unclosed quote swallowed lines
            raise _error(file, Message(f"{exc}: a quote (\") is probably not closed",
                                       f"可能有引号（\"）没有闭合（错误信息：“{exc}”）"), row=number,
                         value=_preview("".join(lines))) from None
        if record is None:
            break
        fields = len(record)
        # Beyond MAX_COLUMNS only whether anything is there matters: a line of commas must not cost a cell each.
        beyond = fields > MAX_COLUMNS and any(islice(record, MAX_COLUMNS, None)) and any(
            map(trim, islice(record, MAX_COLUMNS, None)))
        cells = tuple(trim(cell) for cell in record[:MAX_COLUMNS])
        filled = MAX_COLUMNS + 1 if beyond else _filled_width(cells)
        if number > MAX_ROWS:
            if filled or _VALUE.search(text, source.tell()):
                limit = Problem(file, number, None, None, Message(
                    f"more than {MAX_ROWS:,} rows; at most {MAX_ROWS:,} rows are allowed (the header included)",
                    f"超过 {MAX_ROWS:,} 行；最多允许 {MAX_ROWS:,} 行（含表头）"))
                raise DataError([limit, *log.problems], log.total + 1)
            break  # only blank lines follow
        if number == 1:
            header, named = fields, filled
            if named > MAX_COLUMNS:
                raise _error(file, Message(f"the header has more than {MAX_COLUMNS} columns; at most {MAX_COLUMNS} "
                                           "are allowed", f"表头超过 {MAX_COLUMNS} 列；最多允许 {MAX_COLUMNS} 列"),
                             row=1)
        elif filled and fields != header:
            log.add(Problem(file, number, None, _preview("".join(lines)),
                            Message(f"row {number} has {fields:,} fields, the header has {header:,}",
                                    f"第 {number} 行有 {fields:,} 个字段，表头有 {header:,} 个")))
        if filled:
            if named == 0:
                raise _error(file, Message("the first row is empty: the header must be in row 1",
                                           "第一行是空的：表头必须在第 1 行"), row=1)
            last = number
        if not log.total:  # once a row is refused the result is never used: stop keeping rows
            rows.append(cells)
    log.raise_if_any()
    width = max((_filled_width(r) for r in rows[:last]), default=0)
    return tuple(_fit(r, width) for r in rows[:last])


def _filled_width(cells: tuple[str, ...]) -> int:
    """The number of cells up to and including the last non-empty one."""
    for i in range(len(cells), 0, -1):
        if cells[i - 1]:
            return i
    return 0


def _fit(cells: tuple[str, ...], width: int) -> tuple[str, ...]:
    if len(cells) == width:
        return cells
    return cells[:width] if len(cells) > width else cells + ("",) * (width - len(cells))


def _preview(line: str) -> str:
    line = line.rstrip("\r\n")
    return line if len(line) <= LINE_PREVIEW else line[:LINE_PREVIEW - 1] + "…"


def read_xlsx(content: bytes, file: str) -> list[Sheet]:
    """Every worksheet of an .xlsx, in workbook order; DataError naming the sheet, cell and value if refused."""
    archive = _open_zip(content, file)
    with archive:
        _check_members(archive, file)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors on a damaged workbook
        raise _error(file, Message(f"cannot be read as an Excel workbook ({type(exc).__name__}: {_short(exc)}); "
                                   "open it in Excel and save it again",
                                   f"无法作为 Excel 工作簿读取（错误信息：“{type(exc).__name__}: {_short(exc)}”）；"
                                   "请用 Excel 打开后重新保存")) from exc
    log = ProblemLog()
    sheets = []
    try:
        formats = _number_formats(workbook)
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                state = "very hidden" if ws.sheet_state == "veryHidden" else ws.sheet_state
                state_zh = "被深度隐藏" if state == "very hidden" else "被隐藏"
                log.add(Problem(file, None, None, None, Message(f"the sheet is {state}: unhide or delete it",
                                                                f"此工作表{state_zh}：请取消隐藏或删除它"),
                                sheet=ws.title))
                continue
            try:
                sheets.append(_read_worksheet(ws, workbook, formats, file, log))
            except DataError:
                raise
            except Exception as exc:  # as above: a damaged sheet must not surface as a traceback
                raise _error(file, Message(f"the sheet cannot be read ({type(exc).__name__}: {_short(exc)}); "
                                           "open it in Excel and save it again",
                                           f"无法读取此工作表（错误信息：“{type(exc).__name__}: {_short(exc)}”）；"
                                           "请用 Excel 打开后重新保存"), sheet=ws.title) from exc
    finally:
        workbook.close()
    log.raise_if_any()
    if not sheets:
        raise _error(file, Message("the workbook has no worksheets", "工作簿中没有工作表"))
    return sheets


def _open_zip(content: bytes, file: str) -> zipfile.ZipFile:
    if content.startswith(_OLE_SIGNATURE):
        raise _error(file, Message("not an Excel .xlsx file: an old .xls workbook or a password-protected one; "
                                   "remove the password and save it as .xlsx (Excel Workbook)",
                                   "不是 Excel .xlsx 文件：是旧版 .xls 工作簿或设了密码的工作簿；"
                                   "请取消密码，另存为 .xlsx（Excel 工作簿）"))
    if not zipfile.is_zipfile(io.BytesIO(content)):
        if content.startswith(b"PK"):
            raise _error(file, Message("the .xlsx file is damaged (a broken zip archive): open it in Excel and "
                                       "save it again",
                                       ".xlsx 文件已损坏（zip 压缩包损坏）：请用 Excel 打开后重新保存"))
        raise _error(file, Message("not an Excel .xlsx file: save it from Excel as .xlsx (Excel Workbook)",
                                   "不是 Excel .xlsx 文件：请在 Excel 中另存为 .xlsx（Excel 工作簿）"))
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError) as exc:
        raise _error(file, Message(f"the .xlsx file is damaged ({_short(exc)}): open it in Excel and save it again",
                                   f".xlsx 文件已损坏（错误信息：“{_short(exc)}”）：请用 Excel 打开后重新保存")
                     ) from exc


def _check_members(archive: zipfile.ZipFile, file: str) -> None:
    """Refuse from the zip directory alone what would unpack too large, and what is not a workbook.

    The sizes in the directory can lie, but zipfile never returns more than a member's stated size (it
    fails the CRC check instead), so what openpyxl can unpack is bounded by these very numbers.
    """
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise _error(file, Message(f"the workbook unpacks to {_mb(total)} (limit {_mb(MAX_UNPACKED_BYTES)}): "
                                   "too large, or a zip bomb",
                                   f"工作簿解压后有 {_mb(total)}（上限 {_mb(MAX_UNPACKED_BYTES)}）：文件太大，"
                                   "或是恶意的“zip 炸弹”"))
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise _error(file, Message(f"part {m.filename} unpacks to {_mb(m.file_size)} from {m.compress_size:,} "
                                       f"bytes (more than {MAX_RATIO}:1): not a spreadsheet Excel wrote, probably a "
                                       "zip bomb",
                                       f"部件 {m.filename} 由 {m.compress_size:,} 字节解压为 {_mb(m.file_size)}"
                                       f"（压缩比超过 {MAX_RATIO}:1）：不是 Excel 保存的表格，很可能是“zip 炸弹”"))
        if m.flag_bits & 0x1:
            raise _error(file, Message("the workbook is encrypted: remove the password and save it again",
                                       "工作簿已加密：请取消密码后重新保存"))
        if m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _error(file, Message(f"part {m.filename} uses an unsupported compression: save it again from "
                                       "Excel", f"部件 {m.filename} 使用了不支持的压缩方式：请用 Excel 重新保存"))
    names = {m.filename for m in members}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise _error(file, Message("not an Excel .xlsx file (a zip archive without a workbook): save it from "
                                   "Excel as .xlsx",
                                   "不是 Excel .xlsx 文件（zip 压缩包中没有工作簿）：请在 Excel 中另存为 .xlsx"))
    for m in members:
        if m.filename.endswith((".xml", ".rels", ".vml")) and _has_doctype(archive, m):
            # Office files never declare a DTD; one here can only be there to expand entities.
            raise _error(file, Message(f"part {m.filename} declares a DTD, which Excel never writes: refused",
                                       f"部件 {m.filename} 声明了 DTD（Excel 从不写入 DTD）：拒绝读取"))


def _has_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True if the XML part has a <!DOCTYPE>; reads only up to its first element."""

    class Found(Exception):
        def __init__(self, doctype: bool):
            self.doctype = doctype

    def doctype(*_: object) -> None:
        raise Found(True)

    def start(*_: object) -> None:
        raise Found(False)

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except Found as found:
        return found.doctype
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False  # not XML, or damaged: openpyxl's own reading reports it
    return False


class _CellParser(WorkSheetParser):
    """openpyxl's streaming sheet parser (the one its read-only worksheets use), keeping formulas too.

    It is driven directly, not through `iter_rows`, for three reasons: one pass yields both a formula and the
    value Excel stored for it; the merged ranges (which read-only worksheets drop) are parsed on the way; and
    only cells that exist are seen, so a formatted empty cell in column XFD cannot make 16,384-wide rows.
    """

    def parse_cell(self, element: Element) -> dict:
        cell = super().parse_cell(element)  # with data_only: the stored value of a formula
        if element.find(FORMULA_TAG) is not None:
            cell["formula"] = _formula_text(self.parse_formula(element))
            # openpyxl reads a stored empty string and no stored value alike as None; only the latter is refused.
            # An empty <v/> is a stored value only for a text result: a number cannot be empty (and openpyxl
            # itself writes <v/> for formulas it could not calculate).
            stored = element.find(VALUE_TAG)
            cell["stored"] = stored is not None and (bool(stored.text) or element.get("t") == "str")
        return cell


def _formula_text(formula: object) -> str:
    if isinstance(formula, ArrayFormula):
        return formula.text or "="
    if isinstance(formula, DataTableFormula):
        return "=TABLE(…)"
    return str(formula)


def _read_worksheet(ws: ReadOnlyWorksheet, workbook: Workbook, formats: list[str | None], file: str,
                    log: ProblemLog) -> Sheet:
    """One visible worksheet, streamed; only cells that hold a value count toward the limits."""
    parser = _CellParser(ws._get_source(), ws._shared_strings, data_only=True, epoch=workbook.epoch,
                         date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
    rows: dict[int, tuple[str, ...]] = {}  # only rows with a value, each as wide as its last value
    header: dict[int, str] = {}
    try:
        for number, cells in parser.parse():
            values: dict[int, str] = {}
            for cell in cells:
                if "formula" in cell or cell["data_type"] == "e":
                    text = _checked_text(cell, formats, ws.title, file, header, log)
                elif cell["value"] is None:
                    continue
                else:
                    text = _text(cell["value"], formats, cell["style_id"])
                if text:
                    values[cell["column"]] = text
            if not values:
                continue
            if number > MAX_ROWS:
                raise _error(file, Message(f"data in row {number:,}; at most {MAX_ROWS:,} rows are allowed "
                                           "(the header included)",
                                           f"第 {number:,} 行有数据；最多允许 {MAX_ROWS:,} 行（含表头）"),
                             sheet=ws.title, row=number)
            if max(values) > MAX_COLUMNS:
                column = get_column_letter(max(values))
                raise _error(file, Message(f"data in column {column} ({max(values)}); at most {MAX_COLUMNS} "
                                           "columns are allowed",
                                           f"{column} 列（第 {max(values)} 列）有数据；最多允许 {MAX_COLUMNS} 列"),
                             sheet=ws.title, row=number)
            if number == 1:
                header = values
            rows[number] = tuple(values.get(c, "") for c in range(1, max(values) + 1))
    finally:
        parser.source.close()
    merged = parser.merged_cells.mergeCell if parser.merged_cells else ()
    for cell_range in merged:
        first = re.match(r"\$?[A-Z]+\$?(\d+)", cell_range.ref)
        log.add(Problem(file, int(first.group(1)) if first else None, None, cell_range.ref,
                        Message(f"merged cells {cell_range.ref}: unmerge them and put each value in its own cell",
                                f"合并单元格 {cell_range.ref}：请取消合并，每个值各占一个单元格"), sheet=ws.title))
    width = max(map(len, rows.values()), default=0)
    empty = ("",) * width
    grid = tuple(_fit(rows[n], width) if n in rows else empty for n in range(1, max(rows, default=0) + 1))
    return Sheet(ws.title, grid)


def _checked_text(cell: dict, formats: list[str | None], sheet: str, file: str, header: dict[int, str],
                  log: ProblemLog) -> str:
    """The text of a formula or error cell; a formula without a stored value or an error is logged ("")."""
    value = cell["value"]
    formula = cell.get("formula")
    row, column = cell["row"], cell["column"]
    where = f"{get_column_letter(column)}{row}"
    name = header.get(column, get_column_letter(column))
    if formula is not None and not cell["stored"]:
        log.add(Problem(file, row, name, formula,
                        Message(f"the formula in cell {where} has no value saved with it: open the file in Excel, "
                                "let it calculate and save it again (or paste the values)",
                                f"单元格 {where} 的公式没有保存计算结果：请用 Excel 打开文件，计算完成后重新保存"
                                "（或粘贴为数值）"), sheet=sheet))
        return ""
    if cell["data_type"] == "e":
        source = Message(f" (from the formula {formula})", f"（来自公式 {formula}）") if formula else Message("", "")
        log.add(Problem(file, row, name, str(value), Message(f"cell {where} holds the Excel error {value}{source}",
                                                             f"单元格 {where} 是 Excel 错误值 {value}{source.zh}"),
                        sheet=sheet))
        return ""
    return _text(value, formats, cell["style_id"])


def _text(value: object, formats: list[str | None], style_id: int) -> str:
    """A cell value as the text a planner sees in Excel, in the formats data/README.md uses."""
    if isinstance(value, float):  # first: by far the most common
        return _number_text(value)
    if isinstance(value, str):
        return trim(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.strftime("%Y-%m") if _month_only(formats, style_id) else value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return trim(str(value))


def _number_text(value: float) -> str:
    """15.0 → '15', 170.16 → '170.16'; at Excel's 15 significant digits, so 0.1 + 0.2 reads 0.3 as in Excel."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if len(text) <= 16 or not math.isfinite(value):  # at most 15 digits already: the common case, and fast
        return text
    return _number_text(float(f"{value:.15g}"))


def _number_formats(workbook: Workbook) -> list[str | None]:
    """The number format code of each cell style, by style index."""
    custom = list(workbook._number_formats)
    codes = []
    for style in workbook._cell_styles:
        number = style.numFmtId
        codes.append(custom[number - BUILTIN_FORMATS_MAX_SIZE] if number >= BUILTIN_FORMATS_MAX_SIZE
                     and number - BUILTIN_FORMATS_MAX_SIZE < len(custom) else builtin_format_code(number))
    return codes


def _month_only(formats: list[str | None], style_id: int) -> bool:
    """True for a date shown without its day (e.g. 'mmm-yy', 'yyyy"年"m"月"'): Excel turns a typed 2022-06
    into such a date, and the planner meant the month."""
    code = formats[style_id] if 0 <= style_id < len(formats) else None
    if not code:
        return False
    code = STRIP_RE.sub("", code.split(";")[0])
    return re.search(r"(?<![_\\])[yY]", code) is not None and re.search(r"(?<![_\\])[dDhHsS]", code) is None


def _error(file: str, message: Message, *, sheet: str | None = None, row: int | None = None,
           value: str | None = None) -> DataError:
    """A DataError with one problem: the reason the whole file is refused."""
    return DataError([Problem(file, row, None, value, message, sheet=sheet)])


def _base_name(filename: str) -> str:
    """The file's own name: browsers send one, but a path must never reach a message."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1] or filename


def _mb(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= 10 * MB else f"{size / MB:,.1f} MB"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text[:120]

