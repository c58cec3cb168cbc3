"""The monthly report as an Excel round trip: a template to fill in, and the parser that checks it.

A zone's data clerk downloads a template (`build_template`) for one zone, or all, and one month, fills the yellow
cells in Excel and uploads the file back. `corpsmap.uploads.read_upload` turns it into sheets of text cells and
`parse_report` checks them against the data set: it returns the new observations and the changed projects, with
warnings, for the app to preview and publish, or raises `DataError` listing every problem by sheet, row, column
and value.

The template says what it was made for (zones, month, data version) in fixed cells of its instructions sheet, so
that the parser can tell 临空's July report from a June one or from any other spreadsheet. Every sheet is
protected with only the input cells unlocked, so that rows cannot be added, deleted or sorted by accident.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from corpsmap.data import (
    EXPECTED_MONTH,
    MAX_NUMBER,
    NEGATIVE,
    OUT_OF_RANGE,
    STATUSES,
    TABLES,
    DataError,
    Dataset,
    Message,
    Problem,
)
from corpsmap.export import FORMULA_STARTS, neutralise
from corpsmap.i18n import t
from corpsmap.progress import month_number, zone_order
from corpsmap.summary import format_number, with_unit
from corpsmap.uploads import Sheet

KIND = "corpsmap-monthly-report"
FORMAT_VERSION = "1"
ALL_ZONES = "all"
INSTRUCTIONS, REPORT, PROJECTS = "说明 Instructions", "月报 Report", "项目 Projects"
PROVENANCE, SOURCE_ID = "reported", "monthly_report"

# What a value of each indicator kind can be at all; the same ranges validate the input cells in Excel.
BOUNDS = {"growth_rate": (-100.0, 1000.0), "share": (0.0, 100.0), "amount": (0.0, MAX_NUMBER),
          "count": (0.0, MAX_NUMBER)}
PLAUSIBLE_GROWTH = (-50.0, 200.0)  # a growth rate outside is possible but worth a second look
JUMP_FACTOR = 5  # a monthly step this many times the usual one is worth a second look
NOTE_LIMIT = 200
_KIND_ZH = {"growth_rate": "增速", "share": "占比", "amount": "金额", "count": "个数"}

# Metadata: field → (row of the instructions sheet, label in column A); the value is in column B.
META = {
    "kind": (3, "模板类型 Template kind"),
    "format": (4, "格式版本 Format version"),
    "zones": (5, "兵团 Zones"),
    "month": (6, "月份 Month"),
    "based_on": (7, "数据版本 Data version"),
    "generated": (8, "生成时间 Generated"),
}
REPORT_COLUMNS = {
    "zone_id": "兵团 Zone id",
    "zone": "兵团 Zone",
    "indicator_id": "指标代码 Indicator id",
    "indicator": "指标 Indicator",
    "unit": "单位 Unit",
    "cumulative": "累计 Cumulative (year to date)",
    "month": "月份 Month",
    "target": "年度目标 Annual target",
    "last": "上月值 Last month",
    "last_progress": "上月序时进度 Last month vs schedule",
    "last_status": "上月状态 Last month's status",
    "value": "本月值 This month",
    "note": "备注 Note",
}
PROJECT_COLUMNS = {
    "project_id": "项目编号 Project id",
    "zone_id": "兵团 Zone id",
    "name": "项目 Project",
    "status": "当前状态 Current status",
    "new_status": "新状态 New status",
    "investment_yi": "投资额 Investment (亿元)",
    "start_date": "开工日期 Start date",
}
REPORT_INPUTS = ("value", "note")
PROJECT_INPUTS = ("new_status", "investment_yi", "start_date")
_TEXT_INPUTS = ("note", "new_status", "start_date")  # formatted as text, so Excel does not turn 2022-05 into a date
_WIDTHS = {"zone": 24, "indicator": 40, "name": 44, "last_progress": 30, "last_status": 24, "note": 40,
           "status": 30, "cumulative": 16, "investment_yi": 16, "start_date": 16}

INSTRUCTION_LINES = (
    "填写说明 How to fill in",
    "1. 只填写黄色单元格，其余单元格已锁定。 Fill in only the yellow cells; the others are locked.",
    "2. 累计类指标填写截至月末的本年累计值。 Cumulative indicators: the year-to-date value at the month's end.",
    "3. 增速、占比以百分数填写（6.8 表示 6.8%）。 Growth rates and shares in percent (6.8 means 6.8%).",
    "4. 未报送的指标请留空。 Leave a cell empty if the indicator is not reported.",
    "5. 请勿增加、删除或调整行的顺序。 Do not add, delete or reorder rows.",
    "6. 项目表：新状态从下拉列表中选择；投资额以亿元计；开工日期写作 YYYY-MM 或 YYYY-MM-DD；留空表示不变。"
    " Projects: pick the new status from the list; investment in 亿元; start date as YYYY-MM or YYYY-MM-DD;"
    " an empty cell keeps the current value.",
    "7. 填好后在“数据更新”页面上传本文件。 Upload this file on the 数据更新 Update data page.",
    "",
    "项目状态 Project statuses",
    *(f"{code} — {t(f'project_status_{code}', 'zh')} {t(f'project_status_{code}', 'en')}" for code in STATUSES),
)

# As in corpsmap.data: ASCII digits and a dot, no separators ('1_000', 'inf' and '１２' are text).
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_MIDNIGHT = re.compile(r"[ T]00:00:00$")  # a date Excel stored as a date-time
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Report:
    """A parsed monthly report, ready to preview; `observations` and `projects` hold only what changes."""

    zone_ids: tuple[str, ...]
    month: str
    based_on: int  # the data version the template was made from
    observations: pd.DataFrame  # the columns of TABLES["observations"]
    projects: pd.DataFrame  # full rows of the changed projects, with their new values
    warnings: list[Problem]


def report_filename(zone_ids: list[str], month: str) -> str:
    """'report-linkong-2022-07.xlsx' (ASCII, so every browser saves it under that name)."""
    zones = ALL_ZONES if list(zone_ids) == [ALL_ZONES] else "_".join(zone_ids)
    return f"report-{zones}-{month}.xlsx"


def build_template(dataset: Dataset, table: pd.DataFrame, zone_ids: list[str], month: str, version: int) -> bytes:
    """The .xlsx template for `zone_ids` (or ['all']) and `month`; `table` is `progress_table(dataset)`."""
    zones = _zones(dataset, zone_ids)
    if not isinstance(month, str) or not _MONTH.match(month):
        raise ValueError(f"month {month!r} is not a month written as YYYY-MM")
    workbook = Workbook()
    workbook.remove(workbook.active)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS), _zones_text(dataset, zones), month, version)

    lines = _report_lines(dataset, table, zones, month)
    report = workbook.create_sheet(REPORT)
    _write_table(report, REPORT_COLUMNS, lines, REPORT_INPUTS, freeze="E2")
    value_column = _letter(REPORT_COLUMNS, "value")
    for kind, (low, high) in BOUNDS.items():
        rows = [n for n, line in enumerate(lines, start=2) if line["kind"] == kind]
        if rows:
            _add_validation(report, _decimal_validation(low, high), [f"{value_column}{n}" for n in rows])

    projects = _project_lines(dataset, zones)
    sheet = workbook.create_sheet(PROJECTS)
    _write_table(sheet, PROJECT_COLUMNS, projects, PROJECT_INPUTS, freeze="C2")
    if projects:
        last = len(projects) + 1
        column = _letter(PROJECT_COLUMNS, "new_status")
        statuses = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=True,
                                  showErrorMessage=True, errorTitle="状态 Status",
                                  error="请从列表中选择状态。 Pick a status from the list.")
        _add_validation(sheet, statuses, [f"{column}2:{column}{last}"])
        column = _letter(PROJECT_COLUMNS, "investment_yi")
        _add_validation(sheet, _decimal_validation(0.0, MAX_NUMBER), [f"{column}2:{column}{last}"])

    workbook.security = WorkbookProtection(lockStructure=True)  # no sheet added, renamed, hidden or deleted
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse_report(sheets: list[Sheet], filename: str, dataset: Dataset, *, zone_ids: list[str] | None,
                 today: date) -> Report:
    """Check a filled template read by `read_upload`; `zone_ids` is the uploader's choice (None: the template's).

    Raises DataError with every problem found; returns the report with its warnings otherwise.
    """
    by_name = {sheet.name: sheet for sheet in sheets}
    zones, month, based_on, problems = _read_meta(by_name.get(INSTRUCTIONS), filename, dataset)
    if problems:  # without knowing zones and month the rows cannot be judged
        raise DataError(problems)

    def meta_problem(field: str, message: str) -> Problem:
        row, label = META[field]
        return Problem(filename, row, label, _at(by_name[INSTRUCTIONS].rows, row, 2), message, sheet=INSTRUCTIONS)

    chosen = zones if zone_ids is None else _zones(dataset, zone_ids)
    if chosen != zones:
        problems.append(meta_problem("zones", Message(
            f"a template from another zone: this upload is for {_zones_text(dataset, chosen)}",
            f"这是其他兵团的模板：本次上传是为 {_zones_text(dataset, chosen)} 填报的")))
    if month > f"{today:%Y-%m}":
        problems.append(meta_problem("month", Message(f"the month is in the future (today is {today:%Y-%m-%d})",
                                                      f"月份是将来的月份（今天是 {today:%Y-%m-%d}）")))

    report_rows, found = _read_rows(by_name, REPORT, REPORT_COLUMNS, filename)
    problems += found
    project_rows, found = _read_rows(by_name, PROJECTS, PROJECT_COLUMNS, filename)
    problems += found
    observations, warnings, found = _parse_observations(report_rows, dataset, zones, month)
    problems += found
    projects, found = _parse_projects(project_rows, dataset, zones)
    problems += found
    if problems:
        raise DataError(problems)
    return Report(tuple(zones), month, based_on, observations, projects, warnings)


def _zones(dataset: Dataset, zone_ids: list[str]) -> list[str]:
    """The zone ids asked for, in river order; ['all'] (or every zone) means all of them.

    ValueError otherwise, with a Message as its argument.
    """
    order = zone_order(dataset)
    if list(zone_ids) == [ALL_ZONES]:
        return order
    unknown = [z for z in zone_ids if z not in order]
    if unknown or not zone_ids:
        raise ValueError(Message(f"unknown zone ids {unknown}", f"未知的兵团编号 {unknown}") if unknown
                         else Message("no zone given", "没有指定兵团"))
    return [z for z in order if z in zone_ids]


def _zones_text(dataset: Dataset, zones: list[str]) -> str:
    return ALL_ZONES if set(zones) == set(zone_order(dataset)) else ",".join(zones)


def _zone_indicators(dataset: Dataset, zone_id: str) -> list[str]:
    """The indicators a zone reports: those with an observation or a target for it, in indicators.csv order."""
    obs, targets = dataset.observations, dataset.targets
    known = set(obs.loc[obs["zone_id"] == zone_id, "indicator_id"]) | set(
        targets.loc[targets["zone_id"] == zone_id, "indicator_id"])
    return [i for i in dataset.indicators["indicator_id"] if i in known]


def _both(key: str) -> str:
    return f"{t(key, 'zh')} {t(key, 'en')}"


def _progress_text(row: pd.Series, cumulative: bool, decimals: int, unit: str) -> str:
    """'完成 Done 60.7% / 序时 Schedule 50.0%' for a cumulative indicator, '目标 Target 8.0%' for a rate."""
    if cumulative:
        if pd.isna(row["completion"]):
            return ""
        return f"完成 Done {row['completion']:.1f}% / 序时 Schedule {row['schedule']:.1f}%"
    if pd.isna(row["schedule"]):
        return ""
    return f"目标 Target {with_unit(format_number(row['schedule'], decimals), unit)}"


def _report_lines(dataset: Dataset, table: pd.DataFrame, zones: list[str], month: str) -> list[dict]:
    """One row per zone × indicator it reports: last month's standing, the target, and the stored value if any."""
    year, number = int(month[:4]), month_number(month)
    last_month = f"{year}-{number - 1:02d}" if number > 1 else None  # a year-to-date series restarts in January
    indicators = dataset.indicators.set_index("indicator_id")
    names = dataset.zones.set_index("zone_id")
    targets = dataset.targets.set_index(["zone_id", "indicator_id", "year"])["target"]
    stored = dataset.observations.set_index(["zone_id", "indicator_id", "month"])
    progress = table.set_index(["zone_id", "indicator_id", "month"])
    lines = []
    for zone in zones:
        for indicator in _zone_indicators(dataset, zone):
            ind = indicators.loc[indicator]
            last, now = _row(progress, (zone, indicator, last_month)), _row(stored, (zone, indicator, month))
            lines.append({
                "zone_id": zone,
                "zone": f"{names.at[zone, 'name_zh']} {names.at[zone, 'name_en']}",
                "indicator_id": indicator,
                "indicator": f"{ind['name_zh']} {ind['name_en']}",
                "unit": ind["unit"],
                "cumulative": _both("yes" if ind["cumulative"] else "no"),
                "month": month,
                "target": targets.get((zone, indicator, year)),
                "last": None if last is None else last["actual"],
                "last_progress": "" if last is None else _progress_text(last, bool(ind["cumulative"]),
                                                                        int(ind["decimals"]), ind["unit"]),
                "last_status": "" if last is None else _both(f"status_{last['status']}"),
                "value": None if now is None else now["value"],
                "note": None if now is None else now["note"],
                "kind": ind["kind"],
            })
    return lines


def _row(frame: pd.DataFrame, key: tuple) -> pd.Series | None:
    return frame.loc[key] if key in frame.index else None


def _project_lines(dataset: Dataset, zones: list[str]) -> list[dict]:
    """Every project of the zones, public or not: the template is for the intranet."""
    projects = dataset.projects[dataset.projects["zone_id"].isin(zones)]
    return [{"project_id": p.project_id, "zone_id": p.zone_id, "name": p.name_zh,
             "status": f"{p.status} {_both(f'project_status_{p.status}')}", "new_status": p.status,
             "investment_yi": p.investment_yi, "start_date": p.start_date}
            for p in projects.itertuples(index=False)]


def _put(cell, value: object) -> None:
    """Write one value: missing → empty, text stored as inert text (never a formula)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return
    if isinstance(value, str):
        cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
    else:
        cell.value = float(value)


def _letter(columns: dict[str, str], key: str) -> str:
    return get_column_letter(list(columns).index(key) + 1)


def _write_table(sheet: Worksheet, columns: dict[str, str], lines: list[dict], inputs: tuple[str, ...],
                 freeze: str) -> None:
    """Header and rows; only the `inputs` columns are unlocked (and yellow); the sheet is protected."""
    for col, (key, header) in enumerate(columns.items(), start=1):
        cell = sheet.cell(1, col)
        _put(cell, header)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(key, 14)
        for row, line in enumerate(lines, start=2):
            cell = sheet.cell(row, col)
            _put(cell, line[key])
            if key in inputs:
                cell.protection, cell.fill = _UNLOCKED, _INPUT_FILL
            if key in _TEXT_INPUTS:
                cell.number_format = "@"
    sheet.freeze_panes = freeze
    _protect(sheet)


def _protect(sheet: Worksheet) -> None:
    # No password: the protection prevents accidents (inserting, deleting or sorting rows), not edits.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widening a column is harmless


def _write_instructions(sheet: Worksheet, zones: str, month: str, version: int) -> None:
    title = sheet.cell(1, 1)
    _put(title, f"萧山兵团会战 · 月报模板 Monthly report template · {month}")
    title.font = Font(bold=True, size=14)
    values = {"kind": KIND, "format": FORMAT_VERSION, "zones": zones, "month": month, "based_on": str(version),
              "generated": datetime.now().astimezone().isoformat(timespec="seconds")}
    for field, (row, label) in META.items():
        _put(sheet.cell(row, 1), label)
        sheet.cell(row, 1).font = Font(bold=True)
        _put(sheet.cell(row, 2), values[field])
    first = max(row for row, _ in META.values()) + 2
    for row, line in enumerate(INSTRUCTION_LINES, start=first):
        _put(sheet.cell(row, 1), line)
    sheet.cell(first, 1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 40
    _protect(sheet)


def _range_text(low: float, high: float) -> Message:
    """What to enter, in Chinese and English: Excel's input message shows both (`f"{text.zh} {text}"`)."""
    if high >= MAX_NUMBER:
        return Message(f"Enter a number of at least {low:g}.", f"请输入不小于 {low:g} 的数字。")
    return Message(f"Enter a number from {low:g} to {high:g}.", f"请输入 {low:g} 至 {high:g} 之间的数字。")


def _both_texts(text: Message) -> str:
    return f"{text.zh} {text}"


def _decimal_validation(low: float, high: float) -> DataValidation:
    return DataValidation(type="decimal", operator="between", formula1=f"{low:.0f}", formula2=f"{high:.0f}",
                          allow_blank=True, showErrorMessage=True, errorTitle="数字 Number",
                          error=_both_texts(_range_text(low, high)))


def _add_validation(sheet: Worksheet, validation: DataValidation, ranges: list[str]) -> None:
    sheet.add_data_validation(validation)
    for cells in ranges:
        validation.add(cells)


@dataclass(frozen=True)
class _Rows:
    """The non-empty data rows of one sheet as {column key: text}, with where each came from."""

    file: str
    sheet: str
    headers: dict[str, str]
    records: list[tuple[int, dict[str, str]]]  # (spreadsheet row, cells)

    def problem(self, row: int, key: str, value: str, message: str) -> Problem:
        return Problem(self.file, row, self.headers[key], value, message, sheet=self.sheet)


def _at(rows: tuple[tuple[str, ...], ...], row: int, col: int) -> str:
    """The text at spreadsheet row `row`, column `col` (both from 1); '' beyond the sheet's edge."""
    return rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""


def _read_meta(sheet: Sheet | None, file: str, dataset: Dataset) -> tuple[list[str], str, int, list[Problem]]:
    """(zones, month, data version, problems) from the metadata block of the instructions sheet."""
    if sheet is None:
        return [], "", 0, [Problem(file, None, None, None, Message(
            f"not a monthly report template (no sheet '{INSTRUCTIONS}'); download one on the data page",
            f"不是月报模板（没有“{INSTRUCTIONS}”工作表）；请在数据页面下载模板"))]
    value = {field: _at(sheet.rows, row, 2) for field, (row, _) in META.items()}

    def problem(field: str, message: str) -> Problem:
        return Problem(file, META[field][0], META[field][1], value[field], message, sheet=sheet.name)

    if value["kind"] != KIND:
        return [], "", 0, [problem("kind", Message(f"not a monthly report template (expected '{KIND}')",
                                                   f"不是月报模板（应为“{KIND}”）"))]
    if value["format"] != FORMAT_VERSION:
        return [], "", 0, [problem("format", Message(
            f"an old or unknown template format (expected {FORMAT_VERSION}); download a new template",
            f"模板格式过旧或无法识别（应为 {FORMAT_VERSION}）；请下载新模板"))]
    problems = []
    names = value["zones"].split(",")
    try:
        zones = _zones(dataset, [z.strip() for z in names])
    except ValueError as exc:
        zones = []
        problems.append(problem("zones", exc.args[0]))
    if not _MONTH.match(value["month"]):
        problems.append(problem("month", EXPECTED_MONTH))
    based_on = int(value["based_on"]) if value["based_on"].isdigit() else 0
    if not value["based_on"].isdigit():
        problems.append(problem("based_on", Message("expected a whole number", "应为整数")))
    return zones, value["month"], based_on, problems


def _read_rows(by_name: dict[str, Sheet], name: str, columns: dict[str, str], file: str
               ) -> tuple[_Rows | None, list[Problem]]:
    sheet = by_name.get(name)
    if sheet is None:
        return None, [Problem(file, None, None, None, Message("sheet is missing", "缺少此工作表"), sheet=name)]
    header = sheet.rows[0] if sheet.rows else ()
    missing = [h for h in columns.values() if h not in header]
    if missing:
        return None, [Problem(file, 1, h, None, Message("column is missing", "缺少此列"), sheet=name) for h in missing]
    index = {key: header.index(h) + 1 for key, h in columns.items()}
    records = [(n, {key: _at(sheet.rows, n, col) for key, col in index.items()})
               for n in range(2, len(sheet.rows) + 1) if any(sheet.rows[n - 1])]
    return _Rows(file, name, columns, records), []


def _number(text: str) -> tuple[float | None, str | None]:
    if not _NUMBER.fullmatch(text):
        return None, Message("text in a number cell: enter a number (e.g. 12.5) or leave the cell empty",
                             "数字单元格里填了文字：请填数字（如 12.5），或留空")
    number = float(text)
    if not abs(number) <= MAX_NUMBER:  # also 1e999, which float() reads as infinity
        return None, OUT_OF_RANGE
    return number, None


def _note(text: str) -> tuple[str | None, str | None]:
    """(note, warning): a leading ' the template added to inert text is dropped; long notes are cut."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    if len(text) > NOTE_LIMIT:
        return text[:NOTE_LIMIT], Message(f"note longer than {NOTE_LIMIT} characters; only the first {NOTE_LIMIT} "
                                          "are kept", f"备注超过 {NOTE_LIMIT} 个字符，只保留前 {NOTE_LIMIT} 个")
    return text or None, None


def _text_or_none(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _check_value(value: float, indicator: pd.Series, history: pd.Series, month: str) -> tuple[list[str], list[str]]:
    """(errors, warnings) for one reported value; `history` is the stored series of the same year, by month."""
    kind = indicator["kind"]
    low, high = BOUNDS[kind]
    if not low <= value <= high:
        enter = _range_text(low, high)
        return [Message(f"impossible for a {kind.replace('_', ' ')}: {_both_texts(enter)}",
                        f"{_KIND_ZH[kind]}不可能是这个值：{enter.zh}")], []
    if kind == "count" and not value.is_integer():
        return [Message("a count is a whole number", "个数应为整数")], []
    if not indicator["cumulative"]:
        if kind == "growth_rate" and not PLAUSIBLE_GROWTH[0] <= value <= PLAUSIBLE_GROWTH[1]:
            least, most = PLAUSIBLE_GROWTH
            return [], [Message(f"unusual growth rate (outside {least:g}..{most:g}%); please check",
                                f"增速异常（超出 {least:g}..{most:g}%）；请核对")]
        return [], []
    before, after = history[history.index < month], history[history.index > month]
    errors = []
    if len(before) and value < before.iloc[-1]:
        errors.append(Message(f"lower than the stored {before.index[-1]} value {before.iloc[-1]:g}: "
                              "a year-to-date value cannot fall",
                              f"低于已存的 {before.index[-1]} 数值 {before.iloc[-1]:g}：本年累计值不会下降"))
    if len(after) and value > after.iloc[0]:
        errors.append(Message(f"higher than the stored {after.index[0]} value {after.iloc[0]:g}: "
                              "a year-to-date value cannot fall",
                              f"高于已存的 {after.index[0]} 数值 {after.iloc[0]:g}：本年累计值不会下降"))
    if errors or before.empty:
        return errors, []
    last_month, last = before.index[-1], before.iloc[-1]
    usual = last / month_number(last_month)  # year to date starts from 0 in January
    step = (value - last) / (month_number(month) - month_number(last_month))
    warnings = []
    if usual > 0 and step > JUMP_FACTOR * usual:
        warnings.append(Message(f"a step of {step:g} in a month, more than {JUMP_FACTOR}× the usual {usual:g} "
                                "this year; please check",
                                f"一个月增加了 {step:g}，超过今年平均月增量 {usual:g} 的 {JUMP_FACTOR} 倍；请核对"))
    if value == last and (np.diff([0.0, *before]) > 0).mean() > 0.5:
        warnings.append(Message(f"the same as {last_month} although this value usually grows; please check",
                                f"与 {last_month} 的数值相同，而这个值通常逐月增长；请核对"))
    return [], warnings


def _parse_observations(rows: _Rows | None, dataset: Dataset, zones: list[str], month: str
                        ) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """(new or changed observations, warnings, errors) from the report sheet."""
    columns = [c.name for c in TABLES["observations"].columns]
    out, warnings, errors = [], [], []
    expected = {(z, i) for z in zones for i in _zone_indicators(dataset, z)}
    indicators = dataset.indicators.set_index("indicator_id")
    obs = dataset.observations
    same_year = obs[obs["month"].str[:4] == month[:4]]
    seen: dict[tuple[str, str], int] = {}
    for row, cells in rows.records if rows else []:
        key = (cells["zone_id"], cells["indicator_id"])
        if key not in expected or cells["month"] != month:
            column = "zone_id" if key[0] not in zones else "indicator_id" if key not in expected else "month"
            errors.append(rows.problem(row, column, cells[column], Message(
                f"wrong zone or month: not a row of this template ({','.join(zones)}, {month})",
                f"兵团或月份不对：不是本模板中的行（{','.join(zones)}，{month}）")))
            continue
        if key in seen:
            errors.append(rows.problem(row, "indicator_id", cells["indicator_id"],
                                       Message(f"duplicated row: {key[0]} / {key[1]} is already in row {seen[key]}",
                                               f"重复的行：{key[0]} / {key[1]} 已在第 {seen[key]} 行")))
            continue
        seen[key] = row
        note, note_warning = _note(cells["note"])
        if not cells["value"]:  # not reported
            if note:
                warnings.append(rows.problem(row, "note", cells["note"], Message(
                    "a note without a value is not saved", "没有填数值，备注不会保存")))
            continue
        value, message = _number(cells["value"])
        if message:
            errors.append(rows.problem(row, "value", cells["value"], message))
            continue
        series = same_year[(same_year["zone_id"] == key[0]) & (same_year["indicator_id"] == key[1])]
        history = series.set_index("month")["value"].sort_index()
        stored = series[series["month"] == month].to_dict("records")
        if stored and stored[0]["value"] == value and _text_or_none(stored[0]["note"]) == note:
            continue  # a prefilled value left as it was
        found, warned = _check_value(value, indicators.loc[key[1]], history, month)
        errors += [rows.problem(row, "value", cells["value"], m) for m in found]
        warnings += [rows.problem(row, "value", cells["value"], m) for m in warned]
        if note_warning:
            warnings.append(rows.problem(row, "note", cells["note"], note_warning))
        out.append(dict(zone_id=key[0], indicator_id=key[1], month=month, value=value, provenance=PROVENANCE,
                        source_id=SOURCE_ID, note=note))
    return pd.DataFrame(out, columns=columns).astype({"value": float}), warnings, errors


def _project_changes(cells: dict[str, str], current: pd.Series) -> tuple[pd.Series, list[tuple[str, str]]]:
    """The project row with the sheet's new values, and (column key, message) for every bad cell."""
    new, errors = current.copy(), []
    if cells["new_status"] in STATUSES:
        new["status"] = cells["new_status"]
    elif cells["new_status"]:
        errors.append(("new_status", Message(f"unknown status: expected one of {', '.join(STATUSES)}",
                                             f"未知的状态：应为以下之一：{', '.join(STATUSES)}")))
    if cells["investment_yi"]:
        number, message = _number(cells["investment_yi"])
        if message is None and number < 0:
            message = NEGATIVE
        if message:
            errors.append(("investment_yi", message))
        elif pd.isna(current["investment_yi"]) or number != current["investment_yi"]:
            new["investment_yi"] = number
            new["amount_kind"] = current["amount_kind"] if pd.notna(current["amount_kind"]) else "total"
    start = _MIDNIGHT.sub("", cells["start_date"])
    if start and _real_date(start):
        new["start_date"] = start
    elif start:
        errors.append(("start_date", Message("bad date: expected YYYY-MM or YYYY-MM-DD",
                                             "日期有误：应写作 YYYY-MM 或 YYYY-MM-DD")))
    return new, errors


def _real_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        pd.Timestamp(text)
    except ValueError:  # 2022-02-30
        return False
    return True


def _parse_projects(rows: _Rows | None, dataset: Dataset, zones: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """(full rows of the changed projects, errors) from the projects sheet."""
    projects = dataset.projects.set_index("project_id", drop=False)
    changed, errors, seen = [], [], {}
    for row, cells in rows.records if rows else []:
        project_id = cells["project_id"]
        if project_id not in projects.index or projects.at[project_id, "zone_id"] not in zones:
            errors.append(rows.problem(row, "project_id", project_id,
                                       Message(f"not a project of this template's zone ({','.join(zones)})",
                                               f"不是本模板所属兵团（{','.join(zones)}）的项目")))
            continue
        if project_id in seen:
            errors.append(rows.problem(row, "project_id", project_id,
                                       Message(f"duplicated row: already in row {seen[project_id]}",
                                               f"重复的行：已在第 {seen[project_id]} 行")))
            continue
        seen[project_id] = row
        current = projects.loc[project_id]
        new, found = _project_changes(cells, current)
        errors += [rows.problem(row, key, cells[key], message) for key, message in found]
        if not found and not new.equals(current):
            changed.append(new)
    frame = pd.DataFrame(changed, columns=dataset.projects.columns).astype(dataset.projects.dtypes.to_dict())
    return frame.reset_index(drop=True), errors
