"""Reading uploads safely: good files become text cells, every bad or hostile file is refused by name.

Every file here is made by the test itself: workbooks written with openpyxl (patched where openpyxl cannot
write what Excel does), zip bombs, damaged zips and GBK bytes.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from corpsmap import uploads
from corpsmap.data import MAX_PROBLEMS, DataError, Message, Problem
from corpsmap.uploads import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, Sheet, read_upload
from tests.chinese import assert_in_chinese

SHEET_XML = "xl/worksheets/sheet1.xml"


def workbook(*sheets: tuple[str, list[list[object]]], setup: Callable[[Workbook], None] | None = None) -> bytes:
    """An .xlsx with the given (name, rows) sheets, after `setup` has had its way with the workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if setup:
        setup(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def data_sheet(*rows: list[object], setup: Callable[[Workbook], None] | None = None) -> bytes:
    return workbook(("Data", [["zone_id", "value", "total"], *rows]), setup=setup)


def patch(content: bytes, member: str, edit: Callable[[str], str]) -> bytes:
    """The zip `content` with one member's text rewritten (to write what openpyxl cannot, e.g. stored values)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def with_formula_value(content: bytes, cell: str, value: str, cell_type: str | None = None) -> bytes:
    """Add the value Excel stores with a formula (openpyxl writes formulas without one)."""
    def edit(xml: str) -> str:
        pattern = re.compile(rf'<c r="{cell}"([^>]*)><f>(.*?)</f>(<v\s*/>|<v></v>)?</c>')
        assert pattern.search(xml), xml
        attrs = f' t="{cell_type}"' if cell_type else ""
        return pattern.sub(lambda m: f'<c r="{cell}"{m.group(1)}{attrs}><f>{m.group(2)}</f><v>{value}</v></c>', xml)
    return patch(content, SHEET_XML, edit)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def bomb(unpacked_mb: int) -> bytes:
    """A real workbook whose sheet is padded with `unpacked_mb` MB of XML that compresses ~1000 : 1."""
    base = data_sheet(["kejicheng", 1, 2])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SHEET_XML:
                dst.writestr(info, src.read(info))
                continue
            head, tail = src.read(info).decode().split("</sheetData>")
            with dst.open(SHEET_XML, "w", force_zip64=True) as member:
                member.write(head.encode())
                chunk = b"<!-- padding -->" * 65536  # 1 MB
                for _ in range(unpacked_mb):
                    member.write(chunk)
                member.write(("</sheetData>" + tail).encode())
    return out.getvalue()


def refused(content: bytes, filename: str) -> DataError:
    with pytest.raises(DataError) as err:
        read_upload(content, filename)
    return err.value


# Good files: what each becomes


def test_csv_is_read_as_trimmed_text():
    sheets = read_upload("zone_id, value \n\u3000kejicheng\u00a0,\u200b170.16\n".encode(), "obs.csv")
    assert sheets == [Sheet("obs.csv", (("zone_id", "value"), ("kejicheng", "170.16")), "utf-8")]


GOOD_CSV = {
    "BOM, as Excel writes CSV UTF-8": ("\ufeffa,b\r\n1,2\r\n".encode(), (("a", "b"), ("1", "2"))),
    "quoted comma, quote and line break": (b'a,b\r\n"x, ""y""\r\nz",2\r\n', (("a", "b"), ('x, "y"\r\nz', "2"))),
    "trailing empty rows and columns dropped": (b"a,b,,\n1,2,,\n,,,\n\n\n", (("a", "b"), ("1", "2"))),
    "blank line inside kept as an empty row": (b"a,b\n\n1,2\n", (("a", "b"), ("", ""), ("1", "2"))),
    "header only": (b"a,b\n", (("a", "b"),)),
    "old Mac line ends": (b"a,b\r1,2\r", (("a", "b"), ("1", "2"))),
}


@pytest.mark.parametrize("case", GOOD_CSV)
def test_good_csv(case):
    content, rows = GOOD_CSV[case]
    [sheet] = read_upload(content, "t.csv")
    assert sheet.rows == rows
    assert sheet.encoding == "utf-8"


def test_gbk_csv_is_read_and_says_so():
    content = "zone_id,name_zh,value\nkejicheng,萧山科技城（示例）,15\n".encode("gbk")
    [sheet] = read_upload(content, "观测.csv")
    assert sheet.name == "观测.csv"
    assert sheet.encoding == "gb18030"
    assert sheet.rows[1] == ("kejicheng", "萧山科技城（示例）", "15")


def test_sheet_keeps_name_and_rows_positional_with_utf8_by_default():
    assert Sheet("s", (("a",),)) == Sheet("s", (("a",),), "utf-8")


XLSX_VALUES = {
    "whole float without .0": (15.0, "15"),
    "float in shortest form": (170.16, "170.16"),
    "negative float": (-0.5, "-0.5"),
    "float at Excel's 15 digits": (0.1 + 0.2, "0.3"),
    "huge float": (1e20, "1e+20"),
    "int": (34, "34"),
    "true": (True, "true"),
    "false": (False, "false"),
    "date": (date(2022, 6, 30), "2022-06-30"),
    "datetime at midnight": (datetime(2022, 6, 30), "2022-06-30"),
    "datetime with a time": (datetime(2022, 6, 30, 8, 5, 9), "2022-06-30T08:05:09"),
    "text trimmed of full-width and NBSP spaces": ("\u3000 萧山 \u00a0", "萧山"),
    "digits typed as text": ("007", "007"),
}


@pytest.mark.parametrize("case", XLSX_VALUES)
def test_xlsx_cell_becomes_text(case):
    value, text = XLSX_VALUES[case]
    [sheet] = read_upload(data_sheet(["kejicheng", value]), "t.xlsx")
    assert sheet.rows == (("zone_id", "value", "total"), ("kejicheng", text, ""))


@pytest.mark.parametrize("number_format", ["yyyy-mm", "mmm-yy", 'yyyy"年"m"月"'])
def test_xlsx_month_typed_into_excel_stays_a_month(number_format):
    # Excel turns a typed 2022-06 into the date 2022-06-01 shown without its day; the planner meant the month.
    def setup(wb):
        wb["Data"]["B2"].number_format = number_format

    [sheet] = read_upload(data_sheet(["kejicheng", date(2022, 6, 1)], setup=setup), "t.xlsx")
    assert sheet.rows[1][1] == "2022-06"


def test_xlsx_formula_uses_the_value_excel_stored():
    content = with_formula_value(data_sheet(["kejicheng", 1, "=B2*2"]), "C2", "2")
    [sheet] = read_upload(content, "t.xlsx")
    assert sheet.rows[1] == ("kejicheng", "1", "2")


def test_xlsx_formula_that_stored_an_empty_text_is_empty():
    content = with_formula_value(data_sheet(["kejicheng", 1, '=IF(B2>5,"big","")']), "C2", "", cell_type="str")
    [sheet] = read_upload(content, "t.xlsx")
    assert sheet.rows[1] == ("kejicheng", "1", "")


def test_xlsx_sheets_in_order_and_trailing_empties_dropped():
    def setup(wb):
        wb["Second"]["Z99"].number_format = "0.00"  # a formatted cell without a value is no data
        wb["Second"].cell(row=1, column=MAX_COLUMNS + 50).number_format = "0.00"
        wb["Second"].cell(row=MAX_ROWS + 5, column=1).number_format = "0.00"

    content = workbook(("First", [["a"]]), ("Second", [["x", None, "y"], [], [None, "z"]]), ("Empty", []),
                       setup=setup)
    sheets = read_upload(content, "t.xlsx")
    assert [s.name for s in sheets] == ["First", "Second", "Empty"]
    assert sheets[1].rows == (("x", "", "y"), ("", "", ""), ("", "z", ""))
    assert sheets[2].rows == ()


def test_a_path_in_the_file_name_never_reaches_a_message():
    err = refused(b"x", "C:\\Users\\planner\\Desktop\\plan.xls")
    assert str(err).startswith("plan.xls: ")
    assert "Users" not in str(err)


# Refused files: each message names the file and what is wrong, and where


def gbk_junk() -> bytes:
    return b"a,b\n\x80\x80\x80,1\n"  # 0x80 alone is neither UTF-8 nor GB18030


def too_many_csv_rows() -> bytes:
    return b"a\n" + b"1\n" * MAX_ROWS


BAD = {
    "10 MB + 1 byte": (lambda: b"a" * (MAX_BYTES + 1), "big.csv", ["big.csv: ", "larger than the 10 MB limit"]),
    "old .xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "plan.xls",
                 ["plan.xls: ", "old Excel .xls", "save it as .xlsx"]),
    "other extension": (lambda: b"a,b\n", "plan.txt", ["plan.txt: ", "only .csv and .xlsx"]),
    "no extension": (lambda: b"a,b\n", "plan", ["plan: ", "only .csv and .xlsx"]),
    "CSV renamed .xlsx": (lambda: b"a,b\n1,2\n", "plan.xlsx", ["plan.xlsx: ", "not an Excel .xlsx file"]),
    "zip header and random bytes": (lambda: b"PK\x03\x04" + random.Random(1).randbytes(5000), "plan.xlsx",
                                    ["plan.xlsx: ", "damaged", "save it again"]),
    "truncated workbook": (lambda: data_sheet(["kejicheng", 1])[:3000], "plan.xlsx", ["plan.xlsx: ", "damaged"]),
    "zip without a workbook": (lambda: zip_of({"readme.txt": b"hello"}), "plan.xlsx",
                               ["plan.xlsx: ", "not an Excel .xlsx file", "without a workbook"]),
    "password-protected workbook": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "plan.xlsx",
                                    ["plan.xlsx: ", "password"]),
    "entity expansion": (lambda: patch(data_sheet(["kejicheng", 1]), "xl/workbook.xml", lambda xml: xml.replace(
        "<workbook", '<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa">]><workbook', 1)), "plan.xlsx",
        ["plan.xlsx: ", "part xl/workbook.xml declares a DTD"]),
    "hidden sheet": (lambda: workbook(("Data", [["a"]]), ("Old", [["b"]]),
                                      setup=lambda wb: setattr(wb["Old"], "sheet_state", "hidden")),
                     "plan.xlsx", ["plan.xlsx, sheet 'Old': the sheet is hidden: unhide or delete it"]),
    "very hidden sheet": (lambda: workbook(("Data", [["a"]]), ("Macro", [["b"]]),
                                           setup=lambda wb: setattr(wb["Macro"], "sheet_state", "veryHidden")),
                          "plan.xlsx", ["plan.xlsx, sheet 'Macro': the sheet is very hidden: unhide or delete it"]),
    "merged cells": (lambda: data_sheet(["kejicheng", 1, 2], ["kejicheng", 3, 4],
                                        setup=lambda wb: wb["Data"].merge_cells("A2:A3")),
                     "plan.xlsx", ["plan.xlsx, sheet 'Data', row 2: value 'A2:A3': merged cells A2:A3: unmerge"]),
    "formula without a stored value": (lambda: data_sheet(["kejicheng", 1, "=B2*2"]), "plan.xlsx",
                                       ["plan.xlsx, sheet 'Data', row 2, column 'total': value '=B2*2': ",
                                        "the formula in cell C2 has no value saved"]),
    "formula that stored an Excel error": (
        lambda: with_formula_value(data_sheet(["kejicheng", 0, "=1/B2"]), "C2", "#DIV/0!", cell_type="e"),
        "plan.xlsx", ["plan.xlsx, sheet 'Data', row 2, column 'total': value '#DIV/0!': ",
                      "cell C2 holds the Excel error #DIV/0! (from the formula =1/B2)"]),
    "data beyond the row limit": (
        lambda: workbook(("Data", [["a"]]), setup=lambda wb: wb["Data"].cell(row=MAX_ROWS + 1, column=1, value="x")),
        "plan.xlsx", ["plan.xlsx, sheet 'Data', row 100001: data in row 100,001; at most 100,000 rows"]),
    "data beyond the column limit": (
        lambda: workbook(("Data", [["a"]]), setup=lambda wb: wb["Data"].cell(row=3, column=MAX_COLUMNS + 1,
                                                                             value="x")),
        "plan.xlsx", ["plan.xlsx, sheet 'Data', row 3: data in column GS (201); at most 200 columns"]),
    "CSV with an extra field": (lambda: b"a,b\n1,2\n3,4,5\n6,7\n", "obs.csv",
                                ["obs.csv, row 3: value '3,4,5': row 3 has 3 fields, the header has 2"]),
    "CSV with an extra empty field": (lambda: b"a,b,c\n1,2,\n1,2,,\n", "obs.csv",
                                      ["obs.csv, row 3: value '1,2,,': row 3 has 4 fields, the header has 3"]),
    "CSV with a missing field": (lambda: b"a,b,c\n1,2,3\n4,5\n", "obs.csv",
                                 ["obs.csv, row 3: value '4,5': row 3 has 2 fields, the header has 3"]),
    "CSV with too many rows": (too_many_csv_rows, "obs.csv",
                               ["obs.csv, row 100001: more than 100,000 rows; at most 100,000 rows are allowed"]),
    "CSV with too many columns": (lambda: ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)).encode(), "obs.csv",
                                  ["obs.csv, row 1: the header has more than 200 columns"]),
    "CSV with NUL bytes": (lambda: b"a,b\n1,\x002\n", "obs.csv", ["obs.csv: contains NUL bytes", "binary"]),
    "workbook renamed .csv": (lambda: data_sheet(["kejicheng", 1]), "obs.csv",
                              ["obs.csv: contains NUL bytes: an Excel workbook, not a text CSV"]),
    "UTF-16 text": (lambda: "a\tb\n".encode("utf-16"), "obs.csv", ["obs.csv: UTF-16", "save it as CSV UTF-8"]),
    "neither UTF-8 nor GBK": (gbk_junk, "obs.csv",
                              ["obs.csv: not a text CSV", "byte 0x80 on line 2", "save it as CSV UTF-8"]),
    "unclosed quote": (lambda: b'a,b\n1,"' + b"x" * 200_000 + b"\n", "obs.csv",
                       ["obs.csv, row 2: value '1,\"xxx", "a quote (\") is probably not closed"]),
    "header not in row 1": (lambda: b"\na,b\n1,2\n", "obs.csv", ["obs.csv, row 1: ", "header must be in row 1"]),
    "empty CSV": (lambda: b"", "obs.csv", ["obs.csv: the file is empty"]),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_file_is_refused_by_name(case):
    make, filename, fragments = BAD[case]
    err = refused(make(), filename)
    for fragment in fragments:
        assert fragment in str(err)
    assert all(isinstance(p, Problem) and p.file == filename for p in err.problems)


@pytest.mark.parametrize("case", BAD)
def test_every_refusal_reads_in_chinese_too(case):
    make, filename, _ = BAD[case]
    assert_in_chinese(refused(make(), filename).problems)


def test_a_refusal_in_chinese_names_sheet_row_column_and_value_in_chinese():
    err = refused(with_formula_value(data_sheet(["kejicheng", 0, "=1/B2"]), "C2", "#DIV/0!", cell_type="e"),
                  "plan.xlsx")
    assert err.describe("zh") == ("plan.xlsx，工作表“Data”，第 2 行，“total”列：值“#DIV/0!”："
                                  "单元格 C2 是 Excel 错误值 #DIV/0!（来自公式 =1/B2）")
    assert err.describe("en") == str(err)


def test_a_bad_csv_row_is_one_problem_quoting_its_start():
    long_row = "x" * 100 + "," + "y" * 100 + ",z"
    err = refused(f"a,b\n1,2\n{long_row}\n3,4\n".encode(), "obs.csv")
    [problem] = err.problems
    assert (problem.row, problem.column) == (3, None)
    assert problem.value == "x" * 79 + "…"
    assert problem.message == "row 3 has 3 fields, the header has 2"


def test_junk_csv_gives_at_most_200_problems_and_counts_the_rest():
    rng = random.Random(7)
    lines = [rng.choice(["x", "x,y", "x,y,z", "", "x,y,,"]) for _ in range(60_000)]
    err = refused(("a,b\n" + "\n".join(lines)).encode(), "junk.csv")
    bad = lines.count("x") + lines.count("x,y,z") + lines.count("x,y,,")
    assert len(err.problems) == MAX_PROBLEMS
    assert err.total == bad > MAX_PROBLEMS
    assert str(err).endswith(f"… and {bad - MAX_PROBLEMS:,} more")
    assert str(err).count("\n") == MAX_PROBLEMS  # 200 lines of problems and the count: never thousands


def test_zip_bomb_is_refused_from_the_zip_directory_before_openpyxl(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(uploads, "load_workbook", never)
    content = bomb(359)
    assert len(content) < MAX_BYTES
    err = refused(content, "bomb.xlsx")
    assert str(err).startswith("bomb.xlsx: the workbook unpacks to 359 MB (limit 40 MB)")


def test_small_zip_bomb_is_refused_by_its_ratio_before_openpyxl(monkeypatch):
    monkeypatch.setattr(uploads, "load_workbook", lambda *a, **k: pytest.fail("openpyxl must not be called"))
    err = refused(bomb(20), "bomb.xlsx")
    assert "part xl/worksheets/sheet1.xml unpacks to 20 MB from" in str(err)
    assert "more than 200:1" in str(err)


def test_every_problem_of_a_workbook_is_reported_at_once():
    def setup(wb):
        wb["Data"].merge_cells("A3:B3")
        wb["Notes"].sheet_state = "hidden"

    content = workbook(("Data", [["zone_id", "value"], ["kejicheng", "=1+1"], ["x"]]), ("Notes", [["n"]]),
                       setup=setup)
    err = refused(content, "plan.xlsx")
    assert sorted((p.sheet, p.row, p.value) for p in err.problems) == [
        ("Data", 2, "=1+1"), ("Data", 3, "A3:B3"), ("Notes", None, None)]


def test_data_error_keeps_200_problems_and_the_count():
    problems = [Problem("f.csv", n, "c", "v", "bad") for n in range(2, 502)]
    err = DataError(problems)
    assert (len(err.problems), err.total) == (200, 500)
    assert str(err).endswith("… and 300 more")
    counted = DataError.capped(Problem("f.csv", n, None, None, "bad") for n in range(10_000))
    assert (len(counted.problems), counted.total) == (200, 10_000)
    assert DataError(problems[:3]).total == 3
    assert "more" not in str(DataError(problems[:3]))
    assert err.describe("zh").endswith("… 另有 300 个问题")


def test_a_message_is_its_english_text_and_keeps_its_chinese_through_pickle_and_copy():
    import copy
    import pickle

    message = Message("duplicate id", "编号重复")
    assert message == "duplicate id" and f"{message}" == "duplicate id"
    for again in (pickle.loads(pickle.dumps(message)), copy.deepcopy(message)):
        assert (str(again), again.zh) == ("duplicate id", "编号重复")
    plain = Problem("f.csv", 2, None, None, "bad")  # a plain string has no Chinese: it shows as written
    assert plain.text("zh") == "bad" and plain.describe("zh") == "f.csv，第 2 行：bad"
