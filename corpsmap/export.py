"""The filtered projects as files a planner opens in a spreadsheet: CSV (UTF-8 with BOM) and Excel (.xlsx).

Both take the frame of `corpsmap.projects.project_rows` and write the columns of `COLUMNS` under headers in
the UI language. Text that a spreadsheet would run as a formula is made inert (OWASP "CSV injection").
"""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from corpsmap.i18n import t

# Column of project_rows → i18n key of its header. Both names are kept: a Chinese-English table serves both.
COLUMNS: dict[str, str] = {
    "project_id": "col_project_id",
    "name_zh": "col_name_zh",
    "name_en": "col_name_en",
    "zone": "zone",
    "platform": "platform",
    "kind": "col_kind",
    "status": "status",
    "industry_chain": "col_industry_chain",
    "investment_yi": "col_investment_yi",
    "amount_kind": "col_amount_kind",
    "start_date": "col_start_date",
    "location_precision": "col_location_precision",
    "lat": "col_lat",
    "lon": "col_lon",
    "public": "col_public",
    "note_zh": "col_note_zh",
    "note_en": "col_note_en",
    "provenance": "col_provenance",
    "source": "source",
}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDE = {"name_zh", "name_en", "note_zh", "note_en", "source"}  # columns given a wide cell in Excel
# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """`value` with a leading ' if it is text a spreadsheet would run as a formula; numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    """One exported value: missing → None (an empty cell), text neutralised."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return neutralise(value)


def export_frame(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The exported table: the columns of `COLUMNS` in order, headers in `lang`, every cell made safe."""
    table = rows[list(COLUMNS)].astype(object)
    table = table.map(_cell)
    table.columns = [t(key, lang) for key in COLUMNS.values()]
    return table


def to_csv_bytes(rows: pd.DataFrame, lang: str) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel reads the Chinese right), CRLF line ends as RFC 4180 has them."""
    return export_frame(rows, lang).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(rows: pd.DataFrame, lang: str) -> bytes:
    """An Excel workbook with one sheet: bold header row frozen at the top, text stored as text."""
    table = export_frame(rows, lang)
    workbook = Workbook(write_only=True)  # streams rows: a few thousand projects export in well under a second
    sheet = workbook.create_sheet(t("page_projects", lang))
    sheet.freeze_panes = "A2"
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = 40 if column in WIDE else 14
    header_font = Font(bold=True)
    sheet.append([_text_cell(sheet, h, header_font) for h in table.columns])
    for record in table.itertuples(index=False):
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in record])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, text: str, font: Font | None = None) -> WriteOnlyCell:
    # openpyxl stores any string starting with '=' as a formula; the explicit type keeps every text a string
    # even if neutralise() ever missed a case. Control characters are illegal in the XML and are dropped.
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell
