"""Loading and validating data/: the shipped files, and every kind of bad input a planner can produce."""

import csv
import dataclasses
import io
import shutil

import pandas as pd
import pytest
from openpyxl import Workbook

from corpsmap.config import DATA_DIR
from corpsmap.data import (
    MAX_PROBLEMS,
    TABLES,
    DataError,
    load_dataset,
    typed_frame,
    upload_to_csv_text,
)
from tests.chinese import assert_in_chinese

ZONE_IDS = {"sanjiang", "xianghu", "shijicheng", "shibei", "qiaonan", "kejicheng", "linkong", "yinong"}


@pytest.fixture
def data_dir(tmp_path):
    """A private copy of data/ to break."""
    for table in TABLES.values():
        shutil.copy(DATA_DIR / table.file, tmp_path / table.file)
    return tmp_path


def edit_cell(data_dir, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; `row` is the spreadsheet row (header = 1)."""
    path = data_dir / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False)


def test_shipped_data_is_valid():
    data = load_dataset()
    assert set(data.zones["zone_id"]) == ZONE_IDS
    assert set(data.zones["platform_id"]) == set(data.platforms["platform_id"])
    assert sorted(data.zones["river_order"]) == list(range(1, 9))
    for name, frame in data.tables.items():
        assert frame["provenance"].isin(["article", "illustrative", "reported"]).all(), name


def test_article_figures_are_in_the_data_exactly():
    text = (DATA_DIR / "observations.csv").read_text(encoding="utf-8")
    for indicator, value in [("industrial_va_growth", "6.8"), ("fai_growth", "10.8"),
                             ("budget_revenue_growth", "5.5"), ("major_project_completion", "62.9"),
                             ("industrial_va_share", "41.7"), ("investment", "170.16"), ("investment_share", "65.3"),
                             ("industrial_investment_share", "50.5"), ("service_va", "83.82"),
                             ("service_va_share", "71.2"), ("service_va_growth", "12.3")]:
        assert f"all,{indicator},2022-06,{value},article,article" in text


def test_article_projects_are_present_and_marked():
    projects = load_dataset().projects.set_index("project_id")
    article = projects[projects["provenance"] == "article"]
    assert len(article) >= 20
    assert set(article["zone_id"]) >= {"kejicheng", "shibei", "qiaonan", "yinong", "sanjiang", "shijicheng"}
    transfar = projects.loc["yn-transfar"]
    assert (transfar["investment_yi"], transfar["amount_kind"], transfar["status"]) == (50, "at_least", "signed")
    assert projects.loc["kj-land-eco-1", "investment_yi"] == 15
    illustrative = projects[projects["provenance"] == "illustrative"]
    assert illustrative["name_zh"].str.startswith("【示例").all()


def test_illustrative_splits_sum_to_the_article_totals():
    obs = load_dataset().observations
    june = obs[(obs["month"] == "2022-06") & (obs["zone_id"] != "all")]
    sums = june.groupby("indicator_id")["value"].sum().round(2)
    assert sums["investment"] == 170.16
    assert sums["service_va"] == 83.82
    assert (june[june["indicator_id"].isin(["investment", "service_va"])]["provenance"] == "illustrative").all()


BAD_CELLS = [
    ("projects", 2, "zone_id", "xiaoshan", "unknown zone_id"),
    ("projects", 3, "project_id", "kj-land-eco-1", "duplicate id"),
    ("projects", 4, "status", "finished", "expected one of planned"),
    ("projects", 2, "investment_yi", "-3", "must not be negative"),
    ("projects", 2, "investment_yi", "lots", "not a number"),
    ("projects", 5, "start_date", "2021-13", "expected a date"),
    ("projects", 5, "start_date", "2022-02-30", "not a real date"),
    ("projects", 5, "public", "maybe", "expected true or false"),
    ("projects", 2, "name_zh", "", "a value is required"),
    ("observations", 3, "month", "2022-6", "expected a month as YYYY-MM"),
    ("observations", 3, "value", "1,2", "not a number"),
    ("observations", 3, "indicator_id", "gdp", "unknown indicator_id"),
    ("targets", 2, "zone_id", "bogus", "unknown zone_id"),
    ("zones", 3, "platform_id", "nowhere", "unknown platform_id"),
    ("zones", 2, "river_order", "1.5", "not a whole number"),
    ("zones", 2, "zone_id", "San Jiang", "an id is lower-case letters"),
    ("observations", 3, "value", "1e13", "value out of range"),
    ("projects", 2, "lat", "95", "latitude outside"),
    ("projects", 2, "lon", "190", "longitude outside"),
    ("projects", 2, "note_en", "长" * 2001, "longer than 2,000 characters"),
]


@pytest.mark.parametrize(("table", "row", "column", "value", "message"), BAD_CELLS[:15])
def test_bad_cell_is_named_by_file_row_column_and_value(data_dir, table, row, column, value, message):
    edit_cell(data_dir, table, row, column, value)
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    shown = str(err.value)
    assert f"{table}.csv, row {row}, column '{column}'" in shown
    assert f"value '{value}'" in shown
    assert message in shown


@pytest.mark.parametrize(("table", "row", "column", "value", "message"), BAD_CELLS)
def test_bad_cell_reads_in_chinese_too(data_dir, table, row, column, value, message):
    edit_cell(data_dir, table, row, column, value)
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    assert message in str(err.value)
    assert_in_chinese(err.value.problems)


def test_a_bad_cell_in_chinese(data_dir):
    edit_cell(data_dir, "zones", 2, "river_order", "1.5")
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    assert err.value.describe("zh") == "zones.csv，第 2 行，“river_order”列：值“1.5”：不是整数"


def _replace_text(data_dir, table: str, old: str, new: str) -> None:
    path = data_dir / f"{table}.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _edit_line(data_dir, table: str, number: int, edit) -> None:
    path = data_dir / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number] = edit(lines[number])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


BAD_FILES = {
    "semicolons": lambda d: _replace_text(d, "zones", ",", ";"),
    "column missing": lambda d: _edit_line(d, "platforms", 0, lambda line: line.replace("name_en", "name_english")),
    "column twice": lambda d: _edit_line(d, "platforms", 0, lambda line: line + ",platform_id"),
    "file missing": lambda d: (d / "targets.csv").unlink(),
    "file empty": lambda d: write_raw(d, "sources", ""),
    "no rows": lambda d: write_raw(d, "zones", header_only("zones")),
    "extra field": lambda d: _edit_line(d, "observations", 4, lambda line: line + ",9"),
    "not UTF-8": lambda d: write_raw(d, "observations", header_only("observations") + "all,萧山\n", "gbk"),
    "lat without lon": lambda d: edit_cell(d, "projects", 2, "lat", "30.2"),
    "located with precision none": lambda d: [edit_cell(d, "projects", 2, c, v) for c, v in
                                              (("lat", "30.2"), ("lon", "120.3"), ("location_precision", "none"))],
    "precision without a location": lambda d: [edit_cell(d, "projects", 2, c, v) for c, v in
                                               (("lat", ""), ("lon", ""), ("location_precision", "exact"))],
    "amount kind without an amount": lambda d: [edit_cell(d, "projects", 2, c, v) for c, v in
                                                (("investment_yi", ""), ("amount_kind", "total"))],
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_every_problem_of_a_bad_file_reads_in_chinese(data_dir, case):
    BAD_FILES[case](data_dir)
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    assert_in_chinese(err.value.problems)


def test_a_replaced_table_s_problems_read_in_chinese(data_dir):
    lines = (data_dir / "projects.csv").read_text(encoding="utf-8").splitlines()
    bad = [lines[0], *(line.replace(",kejicheng,", ",atlantis,", 1) for line in lines[1:]), lines[1]]
    with pytest.raises(DataError) as err:
        replace_table("projects", "\n".join(bad), data_dir, file="upload.csv")
    assert_in_chinese(err.value.problems)
    assert err.value.describe("zh").startswith("upload.csv，第 ")


def test_missing_column_is_named(data_dir):
    path = data_dir / "zones.csv"
    pd.read_csv(path, dtype=str).drop(columns="platform_id").to_csv(path, index=False)
    with pytest.raises(DataError, match=r"zones.csv, row 1, column 'platform_id': column is missing"):
        load_dataset(data_dir)


def test_missing_file_is_named(data_dir):
    (data_dir / "targets.csv").unlink()
    with pytest.raises(DataError, match=r"targets\.csv: file is missing"):
        load_dataset(data_dir)


def test_every_problem_is_reported_at_once(data_dir):
    edit_cell(data_dir, "projects", 2, "status", "done")
    edit_cell(data_dir, "projects", 6, "investment_yi", "-1")
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    assert len(err.value.problems) == 2


def test_position_needs_both_coordinates_and_a_precision(data_dir):
    edit_cell(data_dir, "projects", 2, "lat", "30.2")
    with pytest.raises(DataError, match=r"row 2, column 'lon'.*give both lat and lon"):
        load_dataset(data_dir)


def test_spreadsheet_bom_and_uppercase_booleans_are_accepted(data_dir):
    path = data_dir / "projects.csv"
    text = path.read_text(encoding="utf-8").replace(",true,", ",TRUE,")
    path.write_text("\ufeff" + text, encoding="utf-8")
    assert load_dataset(data_dir).projects["public"].any()


def replace_table(name: str, text: str, data_dir, file: str):
    """A table replaced from an upload, validated with the rest, as the data page does it."""
    from corpsmap.changes import replace_from_text

    return replace_from_text(load_dataset(data_dir), name, text, file)


def test_replacing_a_table_names_the_uploaded_file_in_problems(data_dir):
    bad = (data_dir / "projects.csv").read_text(encoding="utf-8").replace("kj-land-eco-1,kejicheng",
                                                                           "kj-land-eco-1,atlantis")
    with pytest.raises(DataError, match=r"upload.csv, row 2, column 'zone_id': value 'atlantis'"):
        replace_table("projects", bad, data_dir, file="upload.csv")


def test_replacing_a_table_with_good_input(data_dir):
    text = (data_dir / "projects.csv").read_text(encoding="utf-8")
    text = text.replace("万向创新聚能城,", "万向创新聚能城（更新）,", 1)
    dataset = replace_table("projects", text, data_dir, file="projects.csv")
    assert "万向创新聚能城（更新）" in set(dataset.projects["name_zh"])


def write_raw(data_dir, table: str, text: str, encoding: str = "utf-8") -> None:
    (data_dir / f"{table}.csv").write_bytes(text.encode(encoding))


def header_only(table: str) -> str:
    return (DATA_DIR / f"{table}.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"


def test_a_row_with_an_extra_field_is_one_problem_not_a_shifted_row(data_dir):
    path = data_dir / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",2022-06,", ",2022-06,9,", 1)  # spreadsheet row 5 gains a field
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    [problem] = err.value.problems
    assert (problem.file, problem.row, problem.column) == ("observations.csv", 5, None)
    assert problem.value == lines[4][:80]
    assert problem.message == "row 5 has 8 fields, the header has 7"


@pytest.mark.parametrize("spaced", ["kejicheng ", " kejicheng", "kejicheng\u3000", "\u00a0kejicheng", "\tkejicheng"])
def test_ids_are_trimmed_of_every_kind_of_space(data_dir, spaced):
    edit_cell(data_dir, "projects", 2, "zone_id", spaced)
    projects = load_dataset(data_dir).projects
    assert projects.loc[2, "zone_id"] == "kejicheng"


@pytest.mark.parametrize(
    ("value", "message"),
    [("1e308", "value out of range"), ("-1e13", "value out of range"), ("1e999", "value out of range"),
     ("inf", "not a number"), ("nan", "not a number"), ("1_000", "not a number"), ("１２", "not a number"),
     ("12%", "not a number"), ("0x10", "not a number")],
)
def test_numbers_are_finite_plain_and_bounded(data_dir, value, message):
    edit_cell(data_dir, "observations", 3, "value", value)
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    assert f"observations.csv, row 3, column 'value': value '{value}': {message}" in str(err.value)


def test_numbers_at_the_bound_are_kept(data_dir):
    edit_cell(data_dir, "observations", 3, "value", "-1e12")
    edit_cell(data_dir, "targets", 2, "target", "1000000000000")
    data = load_dataset(data_dir)
    assert data.observations.loc[3, "value"] == -1e12
    assert data.targets.loc[2, "target"] == 1e12


def test_an_overlong_text_cell_is_refused_and_quoted_short(data_dir):
    edit_cell(data_dir, "projects", 2, "note_en", "长" * 2001)
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    [problem] = err.value.problems
    assert (problem.row, problem.column, problem.message) == (2, "note_en", "longer than 2,000 characters")
    assert problem.value == "长" * 79 + "…"


@pytest.mark.parametrize("table", ["sources", "platforms", "industry_chains", "zones", "indicators"])
def test_tables_the_app_needs_must_have_rows(data_dir, table):
    write_raw(data_dir, table, header_only(table))
    with pytest.raises(DataError, match=rf"^{table}\.csv: file has no rows"):
        load_dataset(data_dir)


@pytest.mark.parametrize("table", ["projects", "observations", "targets"])
def test_tables_of_facts_may_be_empty(data_dir, table):
    write_raw(data_dir, table, header_only(table))
    frame = getattr(load_dataset(data_dir), table)
    assert frame.empty
    assert list(frame.columns) == [c.name for c in TABLES[table].columns]


def test_an_empty_table_has_the_dtypes_of_a_full_one(data_dir):
    full = load_dataset(data_dir)
    for table in ("projects", "observations", "targets"):
        write_raw(data_dir, table, header_only(table))
    empty = load_dataset(data_dir)
    for table in ("projects", "observations", "targets"):
        assert dict(getattr(empty, table).dtypes) == dict(getattr(full, table).dtypes), table


def test_typed_frame_gives_rows_from_elsewhere_the_dtypes_of_a_file(data_dir):
    # What the store needs when it rebuilds a table from the database: an empty table must not turn float64.
    from corpsmap import progress

    loaded = load_dataset(data_dir)
    for name, table in TABLES.items():
        frame = typed_frame(table, {})
        assert dict(frame.dtypes) == dict(getattr(loaded, name).dtypes), name
    rows = loaded.observations.head(3)
    rebuilt = typed_frame(TABLES["observations"], {c: list(rows[c].where(rows[c].notna(), None)) for c in rows})
    pd.testing.assert_frame_equal(rebuilt, rows)
    empty = dataclasses.replace(loaded, observations=typed_frame(TABLES["observations"], {}))
    assert progress.progress_table(empty).empty


@pytest.fixture
def without_observations(data_dir):
    write_raw(data_dir, "observations", header_only("observations"))
    return load_dataset(data_dir)


def test_domain_code_copes_with_no_observations(without_observations):
    from corpsmap import colouring, progress, summary

    data = without_observations
    table = progress.progress_table(data)
    assert table.empty
    assert progress.months(data) == []
    assert progress.zone_indicators(data) == []
    assert progress.corps_totals(data).empty
    assert progress.reconcile(data) == []
    assert summary.reported_figures(data, "zh") == []
    assert summary.headline_rows(table, data, "kejicheng", "2022-06", "zh") == []
    assert set(colouring.colouring(colouring.PLATFORM, table, data, None, "2022-06", "en").fills) == ZONE_IDS


def test_latest_month_copes_with_no_observations(without_observations):
    from corpsmap import progress

    assert progress.latest_month(without_observations) is None


def test_a_data_file_that_is_not_utf8_is_named_without_its_path(data_dir):
    text = header_only("observations") + "all,investment,2022-06,1,illustrative,illustrative,萧山示例\n"
    write_raw(data_dir, "observations", text, encoding="gbk")
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    shown = str(err.value)
    assert shown.startswith("observations.csv: not UTF-8 text (byte 0xcf on line 2; ")
    assert "it reads as GBK" in shown and "data files must be UTF-8 (a BOM is fine)" in shown
    assert str(data_dir) not in shown


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(data_dir):
    path = data_dir / "projects.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    bad_row = lines[2].replace(",kejicheng,", ",atlantis,", 1)
    blank_of_commas = "," * lines[0].count(",")  # as a spreadsheet saves an empty row
    path.write_text("\n".join([lines[0], lines[1], "", blank_of_commas, bad_row]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^projects\.csv, row 5, column 'zone_id': value 'atlantis'"):
        load_dataset(data_dir)


def test_semicolon_separated_file_gets_a_hint(data_dir):
    path = data_dir / "zones.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(DataError, match=r"zones\.csv, row 1, column 'zone_id': column is missing \(the file seems "
                                        r"to use ';' between columns; use commas\)"):
        load_dataset(data_dir)


def test_a_column_given_twice_is_refused(data_dir):
    path = data_dir / "platforms.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(f"{line},{line.split(',')[0]}" for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"platforms\.csv, row 1, column 'platform_id': the column appears more"):
        load_dataset(data_dir)


def test_junk_in_a_data_file_is_capped_at_200_problems(data_dir):
    lines = (data_dir / "projects.csv").read_text(encoding="utf-8").splitlines()
    junk = [lines[1].replace("project,", "gadget,", 1).replace("kj-land-eco-1", f"junk-{n}") for n in range(5_000)]
    (data_dir / "projects.csv").write_text("\n".join([lines[0], *junk]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    assert len(err.value.problems) == MAX_PROBLEMS
    assert err.value.total == 5_000
    assert str(err.value).endswith("… and 4,800 more")


def test_replace_table_keeps_the_count_when_renaming_problems(data_dir):
    lines = (data_dir / "projects.csv").read_text(encoding="utf-8").splitlines()
    bad = [lines[0], *(line.replace(",kejicheng,", ",atlantis,", 1) for line in lines[1:])]
    with pytest.raises(DataError) as err:
        replace_table("projects", "\n".join(bad * 60), data_dir, file="upload.csv")
    assert {p.file for p in err.value.problems} == {"upload.csv"}
    assert err.value.total > MAX_PROBLEMS
    assert "… and" in str(err.value)


def xlsx_of(text: str) -> bytes:
    wb = Workbook()
    for row in csv.reader(io.StringIO(text)):
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_upload_replaces_a_table(data_dir):
    text = (data_dir / "zones.csv").read_text(encoding="utf-8").replace("三江创智新城,", "三江创智新城（新）,", 1)
    dataset = replace_table("zones", upload_to_csv_text(xlsx_of(text), "zones.xlsx"), data_dir, file="zones.xlsx")
    assert "三江创智新城（新）" in set(dataset.zones["name_zh"])


def test_a_gbk_csv_upload_reads_as_the_same_table(data_dir):
    text = (data_dir / "zones.csv").read_text(encoding="utf-8")
    dataset = replace_table("zones", upload_to_csv_text(text.encode("gb18030"), "zones.csv"), data_dir,
                            file="zones.csv")
    pd.testing.assert_frame_equal(dataset.zones, load_dataset(data_dir).zones)


def test_an_unreadable_upload_is_a_data_error_naming_it():
    with pytest.raises(DataError, match=r"^plan\.xlsx: not an Excel \.xlsx file"):
        upload_to_csv_text(b"zone_id\nkejicheng\n", "plan.xlsx")


def test_every_local_reference_resolves_in_the_checkout():
    """A fresh clone has what the README, the data dictionary and sources.csv point to (no ../shared)."""
    import re

    from corpsmap.config import ROOT

    texts = {p: (ROOT / p).read_text(encoding="utf-8") for p in ("README.md", "data/README.md", "data/sources.csv")}
    for name, text in texts.items():
        assert "shared/" not in text, name
        for path in re.findall(r"`((?:docs|data|geodata|bench|corpsmap|tests)/[\w./-]+)`", text):
            assert (ROOT / path).exists(), f"{name} points to {path}"
    for location in load_dataset().sources["location"]:
        if location.startswith(("docs/", "data/")):
            assert (ROOT / location).exists(), location
