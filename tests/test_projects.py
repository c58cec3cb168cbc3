"""The project library's pure logic: bands, URL filters, keyword search, filtering and totals."""

import math

import pandas as pd
import pytest

from corpsmap import projects
from corpsmap.data import load_dataset
from corpsmap.projects import ProjectFilter, QueryProblem

DATA = load_dataset()
CHOICES = projects.filter_choices(DATA)


def ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["project_id"])


def run(**fields) -> set[str]:
    return ids(projects.apply(DATA.projects, DATA.zones, ProjectFilter(**fields)))


@pytest.mark.parametrize(("amount", "band"), [
    (0, "under-1"), (0.5, "under-1"), (0.999, "under-1"),
    (1, "1-10"), (9.999, "1-10"),
    (10, "10-50"), (49.99, "10-50"),
    (50, "50-100"), (99.9, "50-100"),
    (100, "100-plus"), (1e6, "100-plus"),
    (None, "unknown"), (math.nan, "unknown"),
])
def test_band_edges_lower_bound_inclusive(amount, band):
    assert projects.band_of(amount, "total") == band


@pytest.mark.parametrize(("amount", "kind", "band"), [
    (50, "at_least", "50-100"),  # "五十亿元以上": the band of its lower bound
    (100, "at_least", "100-plus"),
    (15, "financing", "10-50"),  # a loan, banded by its value as a lower bound of the investment
    (None, None, "unknown"),
])
def test_band_of_each_amount_kind(amount, kind, band):
    assert projects.band_of(amount, kind) == band


@pytest.mark.parametrize(("amount", "kind", "message"), [
    (-1, "total", "negative"),
    (math.inf, "total", "finite"),
    (5, "guess", "guess"),
])
def test_band_of_refuses_bad_input_quoting_it(amount, kind, message):
    with pytest.raises(ValueError, match=message):
        projects.band_of(amount, kind)


def test_every_band_has_a_label_in_both_languages():
    from corpsmap.i18n import MESSAGES

    assert all(f"band_{band}" in MESSAGES for band in projects.BANDS)


@pytest.mark.parametrize(("date", "year"), [("2022-03", "2022"), ("2021-11-05", "2021"), (None, "unknown"),
                                            (pd.NA, "unknown"), (math.nan, "unknown"), ("", "unknown")])
def test_start_year(date, year):
    assert projects.start_year(date) == year


def test_from_query_reads_comma_lists_and_repeated_parameters():
    f, problems = projects.from_query({"zone": ["shibei,qiaonan", "linkong"], "status": "signed",
                                       "band": "10-50", "year": "2022", "q": "  芯片 "}, CHOICES)
    assert problems == []
    # Display order (along the river), not link order, so equal filters give equal links.
    assert f == ProjectFilter(zones=("shibei", "qiaonan", "linkong"), statuses=("signed",), bands=("10-50",),
                              years=("2022",), keyword="芯片")


@pytest.mark.parametrize(("params", "problem"), [
    ({"zone": "atlantis"}, QueryProblem("zone", "atlantis")),
    ({"zone": "qiaonan,atlantis"}, QueryProblem("zone", "atlantis")),
    ({"status": "done"}, QueryProblem("status", "done")),
    ({"band": "10-20"}, QueryProblem("band", "10-20")),
    ({"band": "100+"}, QueryProblem("band", "100+")),
    ({"platform": "moon"}, QueryProblem("platform", "moon")),
    ({"chain": "steel"}, QueryProblem("chain", "steel")),
    ({"year": "1999"}, QueryProblem("year", "1999")),
    ({"year": "abcd"}, QueryProblem("year", "abcd")),
])
def test_unknown_values_in_the_url_are_reported_not_dropped(params, problem):
    f, problems = projects.from_query(params, CHOICES)
    assert problems == [problem]
    assert problem.value not in str(f)
    assert problem.value in str(problem)


def test_known_values_are_kept_next_to_unknown_ones():
    f, problems = projects.from_query({"zone": "qiaonan,atlantis"}, CHOICES)
    assert f.zones == ("qiaonan",)
    assert [p.value for p in problems] == ["atlantis"]


@pytest.mark.parametrize("params", [{}, {"zone": ""}, {"zone": ",, ,"}, {"q": "   "}, {"lang": "en", "project": "x"}])
def test_empty_or_foreign_parameters_mean_no_filter(params):
    f, problems = projects.from_query(params, CHOICES)
    assert f.is_empty and problems == []


def test_ids_in_the_url_match_any_case():
    f, problems = projects.from_query({"zone": "QiaoNan", "status": "SIGNED"}, CHOICES)
    assert (f.zones, f.statuses, problems) == (("qiaonan",), ("signed",), [])


def test_overlong_keyword_is_cut_and_reported():
    f, problems = projects.from_query({"q": "x" * 500}, CHOICES)
    assert len(f.keyword) == projects.KEYWORD_MAX
    assert problems[0].reason == "too_long"


@pytest.mark.parametrize("f", [
    ProjectFilter(),
    ProjectFilter(zones=("shibei", "qiaonan"), statuses=("signed",), bands=("10-50",)),
    ProjectFilter(platforms=("etdz",), chains=("integrated_circuits",), years=("2022", "unknown"), keyword="芯片 IC"),
    ProjectFilter(bands=("unknown",), keyword="a,b"),
])
def test_to_query_and_back_is_the_same_filter(f):
    query = projects.to_query(f)
    assert all(isinstance(v, str) and v for v in query.values())
    again, problems = projects.from_query(query, CHOICES)
    assert (again, problems) == (f, [])


def test_to_query_uses_comma_lists():
    query = projects.to_query(ProjectFilter(zones=("shibei", "qiaonan"), statuses=("signed",), bands=("10-50",)))
    assert query == {"zone": "shibei,qiaonan", "status": "signed", "band": "10-50"}


def test_empty_filter_keeps_every_project_in_order():
    found = projects.apply(DATA.projects, DATA.zones, ProjectFilter())
    assert list(found["project_id"]) == list(DATA.projects["project_id"])


def test_zone_filter():
    assert run(zones=("qiaonan",)) == {"qn-tenglong-plan", "qn-saint-gobain", "ex-qn-1", "ex-qn-2"}


def test_unknown_zone_in_a_filter_matches_nothing_rather_than_everything():
    assert run(zones=("atlantis",)) == set()


def test_platform_filter_goes_through_the_zone():
    assert run(platforms=("airport",)) == {"ex-lk-1", "ex-lk-2", "ex-internal-1"}


def test_band_filter_uses_band_of():
    assert run(bands=("10-50",)) == {"kj-land-eco-1", "ex-sj-1", "ex-xh-1", "ex-sjc-1", "ex-qn-1", "ex-lk-1",
                                     "ex-yn-1"}
    assert run(bands=("50-100",)) == {"yn-transfar", "ex-qn-2"}  # 50 亿元以上 is in 50–100
    assert run(bands=("under-1",)) == {"ex-lk-2"}


def test_the_planners_question():
    """Which projects in 桥南 worth more than 10 亿元 have not started yet?"""
    assert run(zones=("qiaonan",), bands=("10-50", "50-100", "100-plus"), statuses=("planned", "signed")) == {
        "ex-qn-2"}


def test_start_year_filter_and_unknown_year():
    assert run(years=("2020",)) == {"ex-kj-1"}
    assert "kj-wanxiang" in run(years=("unknown",))


def test_filters_combine_with_and_and_values_with_or():
    assert run(zones=("qiaonan", "yinong"), statuses=("signed",)) == {"ex-qn-2", "yn-transfar"}


@pytest.mark.parametrize(("keyword", "expected"), [
    ("", None),  # empty keyword: no filter
    ("   ", None),
    ("华感", {"sb-huagan", "sb-ic-park"}),  # the IC park's note names the firm
    ("huagan", {"sb-huagan", "sb-ic-park"}),
    ("HUAGAN", {"sb-huagan", "sb-ic-park"}),  # any case
    ("ＨＵＡＧＡＮ", {"sb-huagan", "sb-ic-park"}),  # full-width letters
    ("桥南　智能", {"ex-qn-1"}),  # every word must match; a full-width space separates words too
    ("ex-qn-1", {"ex-qn-1"}),
    ("no such thing", set()),
    (".*", set()),  # not a regular expression
])
def test_keyword_search(keyword, expected):
    found = run(keyword=keyword)
    assert found == (ids(DATA.projects) if expected is None else expected)


def test_totals_keep_amount_kinds_apart():
    frame = DATA.projects[DATA.projects["project_id"].isin(["kj-land-eco-1", "yn-transfar", "ex-qn-1",
                                                            "kj-wanxiang"])]
    total = projects.totals(frame)
    assert total == projects.Totals(count=4, investment_yi=66.0, lower_bound=True, financing_yi=15.0,
                                    without_amount=1)


def test_totals_of_nothing():
    assert projects.totals(DATA.projects.head(0)) == projects.Totals(0, 0.0, False, 0.0, 0)


def test_summary_by_status_in_status_order_counts_add_up():
    by_status = projects.summary_by_status(DATA.projects)
    assert list(by_status) == [s for s in projects.STATUSES if s in set(DATA.projects["status"])]
    assert sum(s.count for s in by_status.values()) == len(DATA.projects)
    assert by_status["signed"].financing_yi == 15.0


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (12.5, "12.5"), (399.1, "399.1"), (1234.567, "1,234.57"),
                                             (100000.0, "100,000")])
def test_format_yi(value, text):
    assert projects.format_yi(value) == text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_project_rows_label_every_code(lang):
    rows = projects.project_rows(DATA.projects, DATA, lang)
    assert list(rows["project_id"]) == list(DATA.projects["project_id"])
    row = rows.set_index("project_id").loc["yn-transfar"]
    assert row["zone"] == ("绿色智造产业新城(益农)" if lang == "zh" else "Green Smart-Manufacturing New City (Yinong)")
    assert row["amount"] == ("50 亿元以上" if lang == "zh" else "over ¥50 亿")
    assert row["investment_yi"] == 50.0


def test_display_order_follows_the_river_then_amount():
    ordered = projects.sort_for_display(DATA.projects, DATA.zones)
    river = DATA.zones.set_index("zone_id")["river_order"]
    assert list(ordered["zone_id"].map(river)) == sorted(ordered["zone_id"].map(river))
    qiaonan = ordered[ordered["zone_id"] == "qiaonan"]["project_id"].tolist()
    assert qiaonan[:2] == ["ex-qn-2", "ex-qn-1"]  # 62 亿 before 16 亿, no amount last
