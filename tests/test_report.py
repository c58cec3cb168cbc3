"""The monthly report round trip: what the template holds and protects, and every check of the parser."""

import dataclasses
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from corpsmap import report
from corpsmap.data import STATUSES, TABLES, DataError, load_dataset
from corpsmap.progress import progress_table, zone_order
from corpsmap.report import INSTRUCTIONS, META, PROJECT_COLUMNS, PROJECTS, REPORT, REPORT_COLUMNS
from corpsmap.uploads import Sheet, read_upload
from tests.chinese import assert_in_chinese

DATA = load_dataset()
TABLE = progress_table(DATA)
TODAY = date(2022, 8, 10)
VALUE, NOTE, ZONE_ID, MONTH = (REPORT_COLUMNS[k] for k in ("value", "note", "zone_id", "month"))
NEW_STATUS, INVESTMENT, START, PROJECT_ID = (PROJECT_COLUMNS[k] for k in
                                             ("new_status", "investment_yi", "start_date", "project_id"))
LINKONG_INDICATORS = ["industrial_va_growth", "fai_growth", "budget_revenue_growth", "major_projects_attracted",
                      "investment", "service_va", "service_va_growth"]


def template(zones=("linkong",), month="2022-07", dataset=DATA) -> bytes:
    table = TABLE if dataset is DATA else progress_table(dataset)
    return report.build_template(dataset, table, list(zones), month, 7)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _text(value: object) -> str:
    """A cell as the upload reader gives it: trimmed text, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_sheets(data: bytes) -> list[Sheet]:
    """The sheets of an .xlsx as the app reads them; openpyxl stands in until `read_upload` is implemented."""
    try:
        return read_upload(data, "report.xlsx")
    except NotImplementedError:
        return [Sheet(ws.title, tuple(tuple(_text(v) for v in row) for row in ws.iter_rows(values_only=True)))
                for ws in workbook(data)]


def column(rows, header: str) -> int:
    """1-based column of `header` in the first row."""
    return list(rows[0]).index(header) + 1


def row_of(rows, first: str, second: str | None = None) -> int:
    """The spreadsheet row whose first column is `first` (and third column `second`: zone id, indicator id)."""
    for n, row in enumerate(rows, start=1):
        if row[0] == first and (second is None or row[2] == second):
            return n
    raise AssertionError(f"no row {first} {second}")


def cells(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def filled(values: dict, zones=("linkong",), month="2022-07", projects: dict | None = None, dataset=DATA) -> bytes:
    """A template filled in Excel: {(zone, indicator): value or (value, note)}; {(project, header): value}."""
    wb = workbook(template(zones, month, dataset))
    ws = wb[REPORT]
    for (zone, indicator), value in values.items():
        value, note = value if isinstance(value, tuple) else (value, None)
        row = row_of(cells(ws), zone, indicator)
        ws.cell(row, column(cells(ws), VALUE)).value = value
        ws.cell(row, column(cells(ws), NOTE)).value = note
    ws = wb[PROJECTS]
    for (project_id, header), value in (projects or {}).items():
        ws.cell(row_of(cells(ws), project_id), column(cells(ws), header)).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parse(sheets, zone_ids=None, today=TODAY, dataset=DATA) -> report.Report:
    if isinstance(sheets, bytes):
        sheets = to_sheets(sheets)
    return report.parse_report(sheets, "report.xlsx", dataset, zone_ids=zone_ids, today=today)


def where(problem) -> tuple:
    return problem.sheet, problem.row, problem.column, problem.value


def sheet(sheets: list[Sheet], name: str) -> Sheet:
    return next(s for s in sheets if s.name == name)


def set_cell(sheets: list[Sheet], name: str, row: int, col: int | str, text: str) -> list[Sheet]:
    """A copy of `sheets` with one cell of sheet `name` changed; `col` is a number or a header of row 1."""
    out = []
    for s in sheets:
        if s.name == name:
            rows = [list(r) for r in s.rows]
            col = col if isinstance(col, int) else column(rows, col)
            rows[row - 1] += [""] * (col - len(rows[row - 1]))
            rows[row - 1][col - 1] = text
            s = Sheet(s.name, tuple(tuple(r) for r in rows))
        out.append(s)
    return out


def set_value(sheets, indicator: str, text: str, zone="linkong") -> list[Sheet]:
    return set_cell(sheets, REPORT, row_of(sheet(sheets, REPORT).rows, zone, indicator), VALUE, text)


def report_row(indicator: str, zone="linkong") -> int:
    return row_of(sheet(BLANK, REPORT).rows, zone, indicator)


BLANK = to_sheets(template())  # 临空, July 2022, nothing filled in


def test_template_has_three_sheets_and_a_locked_structure():
    wb = workbook(template())
    assert wb.sheetnames == [INSTRUCTIONS, REPORT, PROJECTS]
    assert wb.security.lockStructure


def test_metadata_block_says_what_the_template_is_for():
    ws = workbook(template())[INSTRUCTIONS]
    values = {field: ws.cell(row, 2).value for field, (row, _) in META.items()}
    assert [ws.cell(row, 1).value for row, _ in META.values()] == [label for _, label in META.values()]
    assert values | {"generated": None} == {"kind": "corpsmap-monthly-report", "format": "1", "zones": "linkong",
                                            "month": "2022-07", "based_on": "7", "generated": None}
    assert datetime.fromisoformat(values["generated"]).date() == date.today()


def test_instructions_name_every_status_code_with_its_chinese_label():
    text = "\n".join(str(v) for row in cells(workbook(template())[INSTRUCTIONS]) for v in row if v)
    for code, zh in [("planned", "谋划/编制中"), ("under_construction", "在建"), ("in_operation", "已投用/实施")]:
        assert f"{code} — {zh}" in text
    assert "年累计" in text and "year-to-date" in text and "留空" in text


@pytest.mark.parametrize("name, columns", [(REPORT, REPORT_COLUMNS), (PROJECTS, PROJECT_COLUMNS)])
def test_headers_are_bilingual(name, columns):
    header = cells(workbook(template())[name])[0]
    assert list(header) == list(columns.values())
    for text in header:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and any(ch.isascii() and ch.isalpha() for ch in text)


def test_linkong_july_is_prefilled_with_june_values_and_targets():
    rows = cells(workbook(template())[REPORT])
    records = [dict(zip(REPORT_COLUMNS, row)) for row in rows[1:]]
    assert [r["indicator_id"] for r in records] == LINKONG_INDICATORS  # no corps-wide 'all' rows
    assert {r["zone_id"] for r in records} == {"linkong"}
    by_id = {r["indicator_id"]: r for r in records}
    investment = by_id["investment"]
    assert (investment["month"], investment["target"], investment["last"]) == ("2022-07", 61.71, 37.44)
    assert investment["last_progress"] == "完成 Done 60.7% / 序时 Schedule 50.0%"  # 37.44 / 61.71
    assert investment["last_status"] == "达到序时 On track"
    assert investment["cumulative"] == "是 yes" and investment["unit"] == "亿元"
    growth = by_id["industrial_va_growth"]
    assert (growth["target"], growth["last"], growth["last_progress"]) == (8, 7.0, "目标 Target 8.0%")
    assert growth["last_status"] == "略低于序时 Slightly behind"
    assert all(r["value"] is None and r["note"] is None for r in records)  # July has no stored value


def test_january_template_has_no_last_month():
    records = [dict(zip(REPORT_COLUMNS, row)) for row in cells(workbook(template(month="2022-01"))[REPORT])[1:]]
    assert {(r["last"], r["last_progress"], r["last_status"]) for r in records} == {(None, None, None)}
    assert {r["indicator_id"]: r["value"] for r in records}["investment"] == 13.86  # stored: prefilled


def test_stored_values_are_prefilled_so_a_correction_is_an_edit():
    rows = cells(workbook(template(month="2022-06"))[REPORT])
    values = {row[2]: row[column(rows, VALUE) - 1] for row in rows[1:]}
    assert values["investment"] == 37.44 and values["fai_growth"] == 13.9


def test_a_zone_reports_what_it_has_observations_or_targets_for():
    rows = cells(workbook(template(["qiaonan"], "2022-06"))[REPORT])
    assert "key_project_start_rate" in [row[2] for row in rows[1:]]  # one article observation, no target
    assert "key_project_start_rate" not in [row[2] for row in cells(workbook(template())[REPORT])[1:]]


def validations_at(ws, coordinate: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


@pytest.mark.parametrize("indicator, low, high", [("fai_growth", "-100", "1000"), ("investment", "0", "1000000000000"),
                                                  ("major_projects_attracted", "0", "1000000000000")])
def test_this_month_cells_accept_only_numbers_the_indicator_can_take(indicator, low, high):
    ws = workbook(template())[REPORT]
    rows = cells(ws)
    row = row_of(rows, "linkong", indicator)
    (dv,) = validations_at(ws, f"{openpyxl.utils.get_column_letter(column(rows, VALUE))}{row}")
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", low, high)
    assert dv.showErrorMessage and "请输入" in dv.error and "Enter a number" in dv.error
    assert validations_at(ws, f"H{row}") == []  # the target is not an input


def test_a_share_is_validated_between_0_and_100():
    ws = workbook(template(["qiaonan"], "2022-07"))[REPORT]
    row = row_of(cells(ws), "qiaonan", "key_project_start_rate")
    (dv,) = validations_at(ws, f"L{row}")
    assert (dv.formula1, dv.formula2) == ("0", "100")


def test_project_status_is_a_dropdown_of_the_codes_and_investment_a_decimal():
    ws = workbook(template())[PROJECTS]
    (status,) = validations_at(ws, "E4")
    assert status.type == "list" and status.formula1 == '"' + ",".join(STATUSES) + '"'
    (investment,) = validations_at(ws, "F2")
    assert (investment.type, investment.formula1) == ("decimal", "0")


@pytest.mark.parametrize("name, inputs", [(INSTRUCTIONS, ()), (REPORT, ("value", "note")),
                                          (PROJECTS, ("new_status", "investment_yi", "start_date"))])
def test_sheets_are_protected_with_only_the_input_cells_unlocked(name, inputs):
    ws = workbook(template())[name]
    assert ws.protection.sheet and ws.protection.insertRows and ws.protection.deleteRows and ws.protection.sort
    columns = {REPORT: REPORT_COLUMNS, PROJECTS: PROJECT_COLUMNS}.get(name, {})
    unlocked = {list(columns).index(key) + 1 for key in inputs}
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.protection.locked == (cell.column not in unlocked), cell.coordinate
            assert (cell.fill.fgColor.rgb == "00FFF2CC") == (cell.column in unlocked), cell.coordinate
    if name != INSTRUCTIONS:
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2")


def test_projects_sheet_lists_every_project_of_the_zone_including_internal_ones():
    records = [dict(zip(PROJECT_COLUMNS, row)) for row in cells(workbook(template())[PROJECTS])[1:]]
    assert [r["project_id"] for r in records] == ["ex-lk-1", "ex-lk-2", "ex-internal-1"]
    lk2 = records[1]
    assert (lk2["new_status"], lk2["investment_yi"], lk2["start_date"]) == ("signed", 0.8, "2022-05")
    assert lk2["status"] == "signed 已签约/落户 Signed / settled"


def test_text_a_spreadsheet_would_run_is_made_inert():
    projects = DATA.projects.copy()
    projects.loc[projects["project_id"] == "ex-lk-1", "name_zh"] = '=HYPERLINK("http://x","y")'
    ws = workbook(template(dataset=dataclasses.replace(DATA, projects=projects)))[PROJECTS]
    cell = ws.cell(row_of(cells(ws), "ex-lk-1"), column(cells(ws), PROJECT_COLUMNS["name"]))
    assert cell.value == '\'=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_an_all_zones_template_covers_the_eight_zones():
    wb = workbook(template(["all"]))
    assert wb[INSTRUCTIONS].cell(META["zones"][0], 2).value == "all"
    rows = cells(wb[REPORT])[1:]
    assert {row[0] for row in rows} == set(zone_order(DATA)) and len(zone_order(DATA)) == 8
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), key=zone_order(DATA).index)
    assert {row[1] for row in cells(wb[PROJECTS])[1:]} == set(DATA.projects["zone_id"])


@pytest.mark.parametrize("zones, month", [(["nowhere"], "2022-07"), ([], "2022-07"), (["linkong"], "2022-13"),
                                          (["linkong"], "July")])
def test_build_template_rejects_unknown_zones_and_bad_months(zones, month):
    with pytest.raises(ValueError):
        report.build_template(DATA, TABLE, zones, month, 1)


@pytest.mark.parametrize("zones, name", [(["linkong"], "report-linkong-2022-07.xlsx"),
                                         (["all"], "report-all-2022-07.xlsx"),
                                         (["shibei", "linkong"], "report-shibei_linkong-2022-07.xlsx")])
def test_report_filename(zones, name):
    assert report.report_filename(zones, "2022-07") == name


def test_filled_cells_become_reported_observations_and_nothing_else():
    data = filled({("linkong", "investment"): (45.1, "含新开工项目"), ("linkong", "fai_growth"): 12.2,
                   ("linkong", "major_projects_attracted"): 12})
    result = parse(data, zone_ids=["linkong"])
    assert (result.zone_ids, result.month, result.based_on, result.warnings) == (("linkong",), "2022-07", 7, [])
    expected = pd.DataFrame({
        "zone_id": ["linkong"] * 3, "indicator_id": ["fai_growth", "major_projects_attracted", "investment"],
        "month": ["2022-07"] * 3, "value": [12.2, 12.0, 45.1], "provenance": ["reported"] * 3,
        "source_id": ["monthly_report"] * 3, "note": [None, None, "含新开工项目"]})
    assert list(result.observations.columns) == [c.name for c in TABLES["observations"].columns]
    pd.testing.assert_frame_equal(result.observations.astype(object), expected.astype(object))
    assert result.projects.empty and list(result.projects.columns) == list(DATA.projects.columns)


def test_round_trip_through_the_upload_reader():
    data = filled({("linkong", "investment"): 45.1})
    try:
        sheets = read_upload(data, "report-linkong-2022-07.xlsx")
    except NotImplementedError:
        pytest.skip("corpsmap.uploads.read_upload is not implemented yet")
    assert list(parse(sheets).observations["value"]) == [45.1]


def test_an_untouched_template_reports_nothing():
    result = parse(BLANK, zone_ids=["linkong"])
    assert result.observations.empty and result.projects.empty and result.warnings == []


def test_unchanged_prefilled_values_are_not_reported_again_but_a_correction_is():
    result = parse(filled({("linkong", "investment"): 37.5}, month="2022-06"))
    assert list(zip(result.observations["indicator_id"], result.observations["value"])) == [("investment", 37.5)]


def test_a_prefilled_note_made_inert_reads_back_unchanged():
    obs = DATA.observations.copy()
    at = (obs["zone_id"] == "linkong") & (obs["indicator_id"] == "investment") & (obs["month"] == "2022-06")
    obs.loc[at, "note"] = "-3 亿元：统计口径调整"
    dataset = dataclasses.replace(DATA, observations=obs)
    assert parse(filled({}, month="2022-06", dataset=dataset), dataset=dataset).observations.empty


def test_project_changes_come_back_as_full_rows():
    data = filled({}, projects={("ex-lk-2", NEW_STATUS): "started", ("ex-lk-2", START): "2022-07-15",
                                ("ex-internal-1", INVESTMENT): 6})
    result = parse(data)
    assert result.observations.empty
    changed = result.projects.set_index("project_id")
    before = DATA.projects.set_index("project_id")
    assert list(changed.index) == ["ex-lk-2", "ex-internal-1"]
    assert (changed.at["ex-lk-2", "status"], changed.at["ex-lk-2", "start_date"]) == ("started", "2022-07-15")
    assert changed.at["ex-internal-1", "investment_yi"] == 6.0
    untouched = changed.drop(columns=["status", "start_date", "investment_yi"])
    pd.testing.assert_frame_equal(untouched, before.loc[changed.index, untouched.columns])


def test_an_all_zones_report_takes_values_of_any_zone():
    data = filled({("yinong", "investment"): 30, ("sanjiang", "fai_growth"): 9.5}, zones=["all"])
    result = parse(data, zone_ids=["all"])
    assert result.zone_ids == tuple(zone_order(DATA))
    assert set(zip(result.observations["zone_id"], result.observations["value"])) == {("yinong", 30.0),
                                                                                     ("sanjiang", 9.5)}


def invest_row():
    return report_row("investment")


CASES = {
    # name: (edit of the blank linkong July sheets, parse keywords, expected (sheet, row, column, value), message)
    "wrong zone chosen": (lambda s: s, {"zone_ids": ["kejicheng"]}, lambda: (INSTRUCTIONS, 5, "兵团 Zones", "linkong"),
                          "a template from another zone"),
    "row of another zone": (lambda s: set_cell(set_value(s, "investment", "40"), REPORT, invest_row(), ZONE_ID,
                                               "kejicheng"), {},
                            lambda: (REPORT, invest_row(), ZONE_ID, "kejicheng"), "wrong zone or month"),
    "row of another month": (lambda s: set_cell(s, REPORT, invest_row(), MONTH, "2022-06"), {},
                             lambda: (REPORT, invest_row(), MONTH, "2022-06"), "wrong zone or month"),
    "unknown indicator": (lambda s: set_cell(s, REPORT, invest_row(), REPORT_COLUMNS["indicator_id"], "gdp"), {},
                          lambda: (REPORT, invest_row(), REPORT_COLUMNS["indicator_id"], "gdp"), "wrong zone"),
    "text in a number cell": (lambda s: set_value(s, "investment", "about 40"), {},
                              lambda: (REPORT, invest_row(), VALUE, "about 40"), "text in a number cell"),
    "not finite": (lambda s: set_value(s, "investment", "inf"), {},
                   lambda: (REPORT, invest_row(), VALUE, "inf"), "text in a number cell"),
    "thousands separator": (lambda s: set_value(s, "investment", "1,040"), {},
                            lambda: (REPORT, invest_row(), VALUE, "1,040"), "text in a number cell"),
    "too large": (lambda s: set_value(s, "investment", "2e12"), {},
                  lambda: (REPORT, invest_row(), VALUE, "2e12"), "out of range"),
    "cumulative lower than last month": (lambda s: set_value(s, "investment", "30"), {},
                                         lambda: (REPORT, invest_row(), VALUE, "30"), "cannot fall"),
    "growth rate 5000": (lambda s: set_value(s, "fai_growth", "5000"), {},
                         lambda: (REPORT, report_row("fai_growth"), VALUE, "5000"), "impossible for a growth rate"),
    "negative count": (lambda s: set_value(s, "major_projects_attracted", "-1"), {},
                       lambda: (REPORT, report_row("major_projects_attracted"), VALUE, "-1"), "impossible"),
    "count not whole": (lambda s: set_value(s, "major_projects_attracted", "12.5"), {},
                        lambda: (REPORT, report_row("major_projects_attracted"), VALUE, "12.5"), "whole number"),
    "future month": (lambda s: s, {"today": date(2022, 6, 15)}, lambda: (INSTRUCTIONS, 6, "月份 Month", "2022-07"),
                     "in the future"),
    "duplicated row": (lambda s: [x if x.name != REPORT else Sheet(x.name, (*x.rows, x.rows[invest_row() - 1]))
                                  for x in s], {},
                       lambda: (REPORT, len(sheet(BLANK, REPORT).rows) + 1, REPORT_COLUMNS["indicator_id"],
                                "investment"), "duplicated row"),
    "unknown status": (lambda s: set_cell(s, PROJECTS, 3, NEW_STATUS, "finished"), {},
                       lambda: (PROJECTS, 3, NEW_STATUS, "finished"), "unknown status"),
    "bad date": (lambda s: set_cell(s, PROJECTS, 3, START, "2022-13"), {},
                 lambda: (PROJECTS, 3, START, "2022-13"), "bad date"),
    "date that does not exist": (lambda s: set_cell(s, PROJECTS, 3, START, "2022-02-30"), {},
                                 lambda: (PROJECTS, 3, START, "2022-02-30"), "bad date"),
    "negative investment": (lambda s: set_cell(s, PROJECTS, 2, INVESTMENT, "-3"), {},
                            lambda: (PROJECTS, 2, INVESTMENT, "-3"), "negative"),
    "project of another zone": (lambda s: set_cell(s, PROJECTS, 2, PROJECT_ID, "kj-wanxiang"), {},
                                lambda: (PROJECTS, 2, PROJECT_ID, "kj-wanxiang"), "not a project of"),
    "wrong kind": (lambda s: set_cell(s, INSTRUCTIONS, 3, 2, "budget"), {},
                   lambda: (INSTRUCTIONS, 3, "模板类型 Template kind", "budget"), "not a monthly report template"),
    "old format": (lambda s: set_cell(s, INSTRUCTIONS, 4, 2, "0"), {},
                   lambda: (INSTRUCTIONS, 4, "格式版本 Format version", "0"), "template format"),
    "not a template": (lambda s: [Sheet("observations.csv", (("zone_id", "indicator_id", "month", "value"),
                                                             ("linkong", "investment", "2022-07", "40")))], {},
                       lambda: (None, None, None, None), "not a monthly report template"),
    "column renamed": (lambda s: set_cell(s, REPORT, 1, VALUE, "value"), {},
                       lambda: (REPORT, 1, VALUE, None), "column is missing"),
}


@pytest.mark.parametrize("case", CASES)
def test_each_bad_input_is_named_by_sheet_row_column_and_value(case):
    edit, keywords, expected, message = CASES[case]
    with pytest.raises(DataError) as error:
        parse(edit(BLANK), **keywords)
    (problem,) = error.value.problems
    assert where(problem) == expected()
    assert message in problem.message


@pytest.mark.parametrize("case", CASES)
def test_each_bad_input_reads_in_chinese_too(case):
    edit, keywords, _, _ = CASES[case]
    with pytest.raises(DataError) as error:
        parse(edit(BLANK), **keywords)
    assert_in_chinese(error.value.problems)


def test_a_report_problem_in_chinese():
    with pytest.raises(DataError) as error:
        parse(set_value(BLANK, "fai_growth", "5000"))
    (problem,) = error.value.problems
    assert problem.text("zh") == "增速不可能是这个值：请输入 -100 至 1000 之间的数字。"
    assert problem.message == ("impossible for a growth rate: 请输入 -100 至 1000 之间的数字。 "
                               "Enter a number from -100 to 1000.")


def test_a_cumulative_value_above_a_later_stored_month_is_an_error():
    with pytest.raises(DataError) as error:
        parse(set_value(to_sheets(template(month="2022-05")), "investment", "40"))  # June is 37.44
    assert [p.message for p in error.value.problems] == [
        "higher than the stored 2022-06 value 37.44: a year-to-date value cannot fall"]


@pytest.mark.parametrize("indicator, text, message", [
    ("investment", "99.84", "more than 5× the usual 6.24"),  # 37.44 + 10 × 37.44 / 6
    ("fai_growth", "300", "unusual growth rate"),
    ("major_projects_attracted", "11", "the same as 2022-06 although this value usually grows"),
])
def test_unusual_values_are_warnings_not_errors(indicator, text, message):
    result = parse(set_value(BLANK, indicator, text))
    assert list(result.observations["value"]) == [float(text)]
    (warning,) = result.warnings
    assert where(warning) == (REPORT, report_row(indicator), VALUE, text) and message in warning.message
    assert_in_chinese([warning])


def test_a_step_under_five_times_the_usual_is_not_a_warning():
    assert parse(set_value(BLANK, "investment", "62.4")).warnings == []  # 37.44 + 4 × 6.24


def test_a_long_note_is_cut_with_a_warning_and_a_note_without_value_is_not_saved():
    sheets = set_cell(set_value(BLANK, "investment", "40"), REPORT, invest_row(), NOTE, "很" * 250)
    sheets = set_cell(sheets, REPORT, report_row("service_va"), NOTE, "待统计局核定")
    result = parse(sheets)
    assert list(result.observations["note"]) == ["很" * 200]
    assert [(w.row, w.column) for w in result.warnings] == [(invest_row(), NOTE), (report_row("service_va"), NOTE)]
    assert_in_chinese(result.warnings)


def test_every_problem_is_reported_at_once():
    sheets = set_value(BLANK, "investment", "30")
    sheets = set_value(sheets, "fai_growth", "5000")
    sheets = set_value(sheets, "service_va", "lots")
    with pytest.raises(DataError) as error:
        parse(sheets)
    assert sorted(where(p) for p in error.value.problems) == sorted([
        (REPORT, invest_row(), VALUE, "30"), (REPORT, report_row("fai_growth"), VALUE, "5000"),
        (REPORT, report_row("service_va"), VALUE, "lots")])


def test_problems_of_every_sheet_and_the_zone_choice_come_together():
    sheets = set_cell(set_value(BLANK, "investment", "lots"), PROJECTS, 2, NEW_STATUS, "done")
    with pytest.raises(DataError) as error:
        parse(sheets, zone_ids=["yinong"])
    assert [p.sheet for p in error.value.problems] == [INSTRUCTIONS, REPORT, PROJECTS]
    assert_in_chinese(error.value.problems)


@pytest.mark.parametrize("zones", ["nowhere", ""])
def test_unknown_zones_in_the_template_read_in_chinese_too(zones):
    with pytest.raises(DataError) as error:
        parse(set_cell(BLANK, INSTRUCTIONS, META["zones"][0], 2, zones))
    assert_in_chinese(error.value.problems)
