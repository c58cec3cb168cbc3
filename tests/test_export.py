"""Exports of the filtered projects: headers in the UI language, numbers as numbers, formulas made inert."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from corpsmap import export, projects
from corpsmap.data import load_dataset

DATA = load_dataset()


def rows_with(**changes) -> pd.DataFrame:
    """The real projects plus one whose cells are set by `changes`."""
    extra = DATA.projects.iloc[[0]].assign(project_id="test-row", **changes)
    return projects.project_rows(pd.concat([DATA.projects, extra]), DATA, "zh")


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize("text", ["=1+2", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")"])
def test_neutralise_prefixes_formula_starts(text):
    assert export.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["abc", "桥南", " =1", "1=1", "", "'=1", 12.5, -3, 0, None])
def test_neutralise_leaves_the_rest_alone(value):
    assert export.neutralise(value) == value


def test_csv_starts_with_a_bom_and_has_chinese_headers_by_default():
    data = export.to_csv_bytes(projects.project_rows(DATA.projects, DATA, "zh"), "zh")
    assert data.startswith(b"\xef\xbb\xbf")
    header = read_csv(data)[0]
    assert header[:4] == ["项目编号", "名称（中文）", "名称（英文）", "兵团"]


def test_english_headers_in_english():
    data = export.to_csv_bytes(projects.project_rows(DATA.projects, DATA, "en"), "en")
    assert read_csv(data)[0][:4] == ["Project ID", "Name (Chinese)", "Name (English)", "Zone"]
    assert read_xlsx(export.to_xlsx_bytes(projects.project_rows(DATA.projects, DATA, "en"), "en"))["A1"].value == \
        "Project ID"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_files_hold_exactly_the_given_rows(lang):
    found = projects.apply(DATA.projects, DATA.zones, projects.ProjectFilter(zones=("qiaonan", "shibei")))
    rows = projects.project_rows(found, DATA, lang)
    csv_ids = [r[0] for r in read_csv(export.to_csv_bytes(rows, lang))[1:]]
    xlsx_ids = [r[0].value for r in read_xlsx(export.to_xlsx_bytes(rows, lang)).iter_rows(min_row=2)]
    assert csv_ids == xlsx_ids == list(found["project_id"])


def test_formula_cells_are_inert_in_csv():
    rows = rows_with(name_zh="=1+2", name_en="@SUM(A1:A9)", note_zh="-cmd|' /C calc'!A0")
    last = read_csv(export.to_csv_bytes(rows, "zh"))[-1]
    assert last[1:3] == ["'=1+2", "'@SUM(A1:A9)"]
    assert "'-cmd|' /C calc'!A0" in last


def test_formula_cells_are_strings_in_xlsx():
    rows = rows_with(name_zh="=1+2", name_en="+SUM(A1)")
    sheet = read_xlsx(export.to_xlsx_bytes(rows, "zh"))
    last = sheet[sheet.max_row]
    assert (last[1].value, last[1].data_type) == ("'=1+2", "s")
    assert (last[2].value, last[2].data_type) == ("'+SUM(A1)", "s")
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_numbers_stay_numbers_and_missing_values_stay_empty():
    rows = projects.project_rows(DATA.projects, DATA, "zh")
    sheet = read_xlsx(export.to_xlsx_bytes(rows, "zh"))
    header = [c.value for c in sheet[1]]
    amount, lat = header.index("金额（亿元）"), header.index("纬度")
    by_id = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert (by_id["ex-qn-1"][amount].value, by_id["ex-qn-1"][amount].data_type) == (16, "n")
    assert by_id["ex-qn-1"][lat].value == pytest.approx(30.203)
    assert by_id["kj-wanxiang"][amount].value is None
    line = next(r for r in read_csv(export.to_csv_bytes(rows, "zh")) if r[0] == "kj-wanxiang")
    assert line[header.index("金额（亿元）")] == ""


def test_control_characters_do_not_break_the_workbook():
    rows = rows_with(name_zh="bad\x01name")
    sheet = read_xlsx(export.to_xlsx_bytes(rows, "zh"))
    assert sheet[sheet.max_row][1].value == "badname"


def test_header_row_is_frozen_and_bold():
    sheet = read_xlsx(export.to_xlsx_bytes(projects.project_rows(DATA.projects, DATA, "zh"), "zh"))
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


def test_empty_selection_exports_only_headers():
    rows = projects.project_rows(DATA.projects.head(0), DATA, "zh")
    assert len(read_csv(export.to_csv_bytes(rows, "zh"))) == 1
    assert read_xlsx(export.to_xlsx_bytes(rows, "zh")).max_row == 1
