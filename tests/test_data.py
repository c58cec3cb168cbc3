"""Loading and validating data/: the shipped files, and every kind of bad input a planner can produce."""

import shutil

import pandas as pd
import pytest

from corpsmap.config import DATA_DIR
from corpsmap.data import TABLES, DataError, load_dataset, replace_table

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
        assert frame["provenance"].isin(["article", "illustrative"]).all(), name


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


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "message"),
    [
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
    ],
)
def test_bad_cell_is_named_by_file_row_column_and_value(data_dir, table, row, column, value, message):
    edit_cell(data_dir, table, row, column, value)
    with pytest.raises(DataError) as err:
        load_dataset(data_dir)
    shown = str(err.value)
    assert f"{table}.csv, row {row}, column '{column}'" in shown
    assert f"value '{value}'" in shown
    assert message in shown


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


def test_replace_table_keeps_the_stored_file_on_bad_input(data_dir):
    before = (data_dir / "projects.csv").read_bytes()
    bad = before.decode("utf-8").replace("kj-land-eco-1,kejicheng", "kj-land-eco-1,atlantis")
    with pytest.raises(DataError, match=r"upload.csv, row 2, column 'zone_id': value 'atlantis'"):
        replace_table("projects", bad, data_dir, file="upload.csv")
    assert (data_dir / "projects.csv").read_bytes() == before


def test_replace_table_writes_good_input(data_dir):
    text = (data_dir / "projects.csv").read_text(encoding="utf-8")
    text = text.replace("万向创新聚能城,", "万向创新聚能城（更新）,", 1)
    dataset = replace_table("projects", text, data_dir)
    assert "万向创新聚能城（更新）" in set(dataset.projects["name_zh"])
    assert "万向创新聚能城（更新）" in (data_dir / "projects.csv").read_text(encoding="utf-8")
