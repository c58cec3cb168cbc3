"""The progress engine: 序时进度 and status, corps totals, ranks, rank changes; small made-up data and the real."""

import math

import pandas as pd
import pytest

from corpsmap import progress
from corpsmap.config import DATA_DIR
from corpsmap.data import CORPS, load_dataset, validate_texts
from corpsmap.progress import AHEAD, BEHIND, NO_DATA, NO_TARGET, SLIGHTLY_BEHIND

REAL = load_dataset()
ZONES = ["a", "b", "c"]
INDICATORS = """\
indicator_id,name_zh,name_en,unit,unit_en,kind,cumulative,additive,higher_is_better,decimals,headline,provenance,\
source_id
amount,投资额,Investment,亿元,(100M yuan),amount,true,true,true,2,true,illustrative,illustrative
growth,增速,Growth,%,%,growth_rate,false,false,true,1,true,illustrative,illustrative
cost,能耗,Energy use,万吨,,amount,true,true,false,1,false,illustrative,illustrative
"""


def make_dataset(observations: list[tuple], targets: list[tuple] = ()):
    """Three zones, three indicators; rows are (zone, indicator, month, value[, provenance]) and (zone, ind, target)."""
    texts = {name: (DATA_DIR / f"{name}.csv").read_text(encoding="utf-8")
             for name in ("sources", "platforms", "industry_chains")}
    real_zones = (DATA_DIR / "zones.csv").read_text(encoding="utf-8").splitlines()
    texts["zones"] = "\n".join([real_zones[0]] + [",".join([z, *line.split(",", 1)[1:]])
                                                   for z, line in zip(ZONES, real_zones[1:])]) + "\n"
    texts["projects"] = (DATA_DIR / "projects.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"
    texts["indicators"] = INDICATORS
    obs = ["zone_id,indicator_id,month,value,provenance,source_id,note"]
    for zone, indicator, month, value, *prov in observations:
        source = prov[0] if prov else "illustrative"
        obs.append(f"{zone},{indicator},{month},{value},{source},{source},")
    texts["observations"] = "\n".join(obs) + "\n"
    texts["targets"] = "zone_id,indicator_id,year,target,provenance,source_id\n" + "".join(
        f"{z},{i},2022,{v},illustrative,illustrative\n" for z, i, v in targets)
    return validate_texts(texts)


def row(table: pd.DataFrame, zone: str, indicator: str, month: str) -> pd.Series:
    rows = table[(table["zone_id"] == zone) & (table["indicator_id"] == indicator) & (table["month"] == month)]
    assert len(rows) == 1, (zone, indicator, month, len(rows))
    return rows.iloc[0]


# --- assess: one value against its target ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "status"),
    [(60, AHEAD), (50, AHEAD), (40, SLIGHTLY_BEHIND), (45, SLIGHTLY_BEHIND), (39.9, BEHIND), (0, BEHIND)],
)
def test_cumulative_is_judged_on_completion_against_the_share_of_the_year(actual, status):
    a = progress.assess(actual, 100, "2022-06", cumulative=True)
    assert a.schedule == 50.0  # 序时进度 at the end of June
    assert a.completion == pytest.approx(actual)
    assert a.gap == pytest.approx(actual - 50)
    assert a.status == status


def test_schedule_is_the_share_of_the_year_at_the_months_end():
    assert [round(progress.elapsed_share(f"2022-{m:02d}"), 2) for m in (1, 3, 6, 12)] == [8.33, 25.0, 50.0, 100.0]
    # 1/3 of 120 at the end of April is exactly on schedule, despite float division.
    assert progress.assess(40, 120, "2022-04", cumulative=True).status == AHEAD


@pytest.mark.parametrize(("actual", "status"), [(7.5, AHEAD), (7.0, AHEAD), (5.0, SLIGHTLY_BEHIND), (4.9, BEHIND)])
def test_growth_rate_is_compared_with_the_target_rate_not_the_calendar(actual, status):
    a = progress.assess(actual, 7.0, "2022-01", cumulative=False)
    assert a.completion is None
    assert a.schedule == 7.0
    assert a.gap == pytest.approx(actual - 7.0)
    assert a.status == status


def test_lower_is_better_flips_the_judgement():
    assert progress.assess(40, 100, "2022-06", cumulative=True, higher_is_better=False).status == AHEAD
    assert progress.assess(70, 100, "2022-06", cumulative=True, higher_is_better=False).status == BEHIND


@pytest.mark.parametrize("target", [None, float("nan")])
def test_missing_target_is_no_target(target):
    a = progress.assess(5.0, target, "2022-06", cumulative=True)
    assert (a.completion, a.gap, a.status) == (None, None, NO_TARGET)


def test_zero_target_has_no_completion_rather_than_infinity():
    a = progress.assess(5.0, 0, "2022-06", cumulative=True)
    assert (a.completion, a.status) == (None, NO_TARGET)
    # A zero growth target is an ordinary target.
    assert progress.assess(-1.0, 0, "2022-06", cumulative=False).status == SLIGHTLY_BEHIND


def test_missing_actual_is_no_data():
    assert progress.assess(None, 100, "2022-06", cumulative=True).status == NO_DATA


# --- the table: corps totals, ranks, rank changes ------------------------------------------------------------


def test_corps_total_is_the_sum_of_the_zones_and_their_targets():
    data = make_dataset([("a", "amount", "2022-06", 10), ("b", "amount", "2022-06", 20), ("c", "amount", "2022-06", 5)],
                        [("a", "amount", 20), ("b", "amount", 40), ("c", "amount", 40)])
    corps = row(progress.progress_table(data), CORPS, "amount", "2022-06")
    assert (corps["actual"], corps["target"], corps["completion"], corps["derived"]) == (35, 100, 35, True)
    assert corps["status"] == BEHIND


def test_month_a_zone_lacks_has_no_corps_total_and_no_rank_change_after_it():
    data = make_dataset([("a", "amount", "2022-01", 1), ("b", "amount", "2022-01", 2), ("c", "amount", "2022-01", 3),
                         ("a", "amount", "2022-02", 2), ("b", "amount", "2022-02", 3),  # c missing in February
                         ("a", "amount", "2022-03", 9), ("b", "amount", "2022-03", 4), ("c", "amount", "2022-03", 5)],
                        [(z, "amount", 10) for z in ZONES])
    table = progress.progress_table(data)
    corps = table[(table["zone_id"] == CORPS) & (table["indicator_id"] == "amount")]
    assert list(corps["month"]) == ["2022-01", "2022-03"]  # a partial sum would pass for the real one
    # c was ranked in January but not in February: its March change has no earlier rank to compare with.
    assert math.isnan(row(table, "c", "amount", "2022-03")["rank_change"])
    assert row(table, "a", "amount", "2022-03")["rank_change"] == 1  # 2nd in February, 1st in March
    trend = progress.trend(table, "amount", ZONES)
    gap = trend[(trend["zone_id"] == "c") & (trend["month"] == "2022-02")].iloc[0]
    assert gap["status"] == NO_DATA and math.isnan(gap["measure"])  # kept so a chart breaks its line


def test_reported_additive_figure_stays_when_the_zones_cannot_be_summed():
    data = make_dataset([("a", "amount", "2022-06", 1), ("b", "amount", "2022-06", 2),
                         (CORPS, "amount", "2022-06", 9, "article")])
    corps = row(progress.progress_table(data), CORPS, "amount", "2022-06")
    assert (corps["actual"], corps["derived"], corps["illustrative"]) == (9, False, False)


def test_reconcile_flags_a_reported_total_the_zones_do_not_reproduce():
    rows = [("a", "amount", "2022-06", 1.10), ("b", "amount", "2022-06", 2.20), ("c", "amount", "2022-06", 3.30)]
    assert progress.reconcile(make_dataset([*rows, (CORPS, "amount", "2022-06", 6.60, "article")])) == []
    [mismatch] = progress.reconcile(make_dataset([*rows, (CORPS, "amount", "2022-06", 6.61, "article")]))
    assert (mismatch.indicator_id, mismatch.reported, round(mismatch.derived, 2)) == ("amount", 6.61, 6.60)


def test_ties_share_the_better_rank():
    data = make_dataset([("a", "growth", "2022-06", 8.0), ("b", "growth", "2022-06", 8.0),
                         ("c", "growth", "2022-06", 6.0)])
    ranks = progress.ranking(progress.progress_table(data), "growth", "2022-06", ZONES)
    assert list(zip(ranks["zone_id"], ranks["rank"])) == [("a", 1), ("b", 1), ("c", 3)]


def test_cumulative_indicators_rank_on_completion_not_on_size():
    data = make_dataset([("a", "amount", "2022-06", 50), ("b", "amount", "2022-06", 6), ("c", "amount", "2022-06", 1)],
                        [("a", "amount", 200), ("b", "amount", 10), ("c", "amount", 0)])
    ranks = progress.ranking(progress.progress_table(data), "amount", "2022-06", ZONES)
    assert list(ranks["zone_id"]) == ["b", "a", "c"]  # 60% beats 25%; c has no completion, so no rank, last
    assert list(ranks["rank"].fillna(0)) == [1, 2, 0]


def test_lower_is_better_ranks_the_smallest_first():
    data = make_dataset([("a", "cost", "2022-06", 5), ("b", "cost", "2022-06", 2), ("c", "cost", "2022-06", 3)],
                        [(z, "cost", 10) for z in ZONES])
    assert list(progress.ranking(progress.progress_table(data), "cost", "2022-06", ZONES)["zone_id"]) == ["b", "c", "a"]


def test_rank_change_is_empty_in_the_first_month_and_signed_after():
    data = make_dataset([("a", "growth", "2022-01", 9), ("b", "growth", "2022-01", 8), ("c", "growth", "2022-01", 7),
                         ("a", "growth", "2022-02", 7), ("b", "growth", "2022-02", 8), ("c", "growth", "2022-02", 9)])
    table = progress.progress_table(data)
    assert table[table["month"] == "2022-01"]["rank_change"].isna().all()
    changes = {z: row(table, z, "growth", "2022-02")["rank_change"] for z in ZONES}
    assert changes == {"a": -2, "b": 0, "c": 2}


def test_rank_change_spans_the_turn_of_the_year():
    assert progress.next_month("2022-12") == "2023-01"
    data = make_dataset([("a", "growth", "2022-12", 9), ("b", "growth", "2022-12", 8), ("c", "growth", "2022-12", 7),
                         ("a", "growth", "2023-01", 7), ("b", "growth", "2023-01", 8), ("c", "growth", "2023-01", 9)])
    assert row(progress.progress_table(data), "c", "growth", "2023-01")["rank_change"] == 2


def test_matrix_holds_every_zone_and_the_corps_with_missing_cells_as_no_data():
    data = make_dataset([("a", "growth", "2022-06", 9), ("c", "amount", "2022-06", 1)])
    cells = progress.matrix(progress.progress_table(data), "2022-06", ["growth", "amount"], ["c", "b", "a"])
    assert list(zip(cells["zone_id"], cells["indicator_id"]))[:2] == [("c", "growth"), ("c", "amount")]
    assert len(cells) == 8 and list(cells["zone_id"].unique()) == ["c", "b", "a", CORPS]
    assert cells.set_index(["zone_id", "indicator_id"]).loc[("b", "growth"), "status"] == NO_DATA


@pytest.mark.parametrize(
    ("month", "message"),
    [("2022-07", "month '2022-07' is outside the data (2022-01 to 2022-06)"),
     ("2021-12", "outside the data (2022-01 to 2022-06)"),
     ("2022-13", "month '2022-13' is not a month written as YYYY-MM"),
     ("June", "not a month written as YYYY-MM"), (None, "month None is not a month")],
)
def test_a_month_outside_the_data_is_a_clear_error(month, message):
    table = progress.progress_table(REAL)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        progress.check_month(REAL, month)
    with pytest.raises(ValueError, match="month"):
        progress.matrix(table, month, ["investment"], ZONES)
    with pytest.raises(ValueError, match="month"):
        progress.ranking(table, "investment", month, ZONES)


def test_an_unknown_indicator_is_a_clear_error():
    with pytest.raises(ValueError, match="indicator 'nope' has no data"):
        progress.ranking(progress.progress_table(REAL), "nope", "2022-06", ZONES)


# --- the real data: the article's totals ------------------------------------------------------------------------


def test_corps_totals_equal_the_articles_figures():
    table = progress.progress_table(REAL)
    investment = row(table, CORPS, "investment", "2022-06")
    service = row(table, CORPS, "service_va", "2022-06")
    assert (round(investment["actual"], 2), investment["derived"]) == (170.16, True)
    assert (round(service["actual"], 2), service["derived"]) == (83.82, True)
    assert progress.reconcile(REAL) == []


def test_derived_major_project_completion_matches_the_articles_62_9():
    corps = row(progress.progress_table(REAL), CORPS, "major_projects_attracted", "2022-06")
    assert round(corps["completion"], 1) == 62.9
    assert corps["derived"]


def test_rates_the_article_reports_corps_wide_are_shown_as_reported():
    corps = row(progress.progress_table(REAL), CORPS, "industrial_va_growth", "2022-06")
    assert (corps["actual"], corps["derived"], corps["illustrative"]) == (6.8, False, False)


def test_every_zone_is_ranked_one_to_eight_on_every_zone_indicator_of_the_real_data():
    table = progress.progress_table(REAL)
    zones = list(REAL.zones["zone_id"])
    for indicator in ["investment", "service_va", "fai_growth", "industrial_va_growth"]:
        for month in progress.months(REAL):
            ranks = progress.ranking(table, indicator, month, zones)["rank"]
            assert ranks.min() == 1 and ranks.max() <= 8 and ranks.notna().all(), (indicator, month)


def test_zone_indicators_are_those_with_zone_rows_in_file_order():
    assert progress.zone_indicators(REAL) == ["industrial_va_growth", "fai_growth", "budget_revenue_growth",
                                              "major_projects_attracted", "investment", "service_va",
                                              "service_va_growth", "key_project_start_rate"]
    assert progress.latest_month(REAL) == "2022-06"


def test_status_changes_compare_what_the_map_shows_and_corrections():
    from dataclasses import replace

    import pandas as pd

    from corpsmap.progress import progress_table, status_changes

    before = progress_table(REAL)
    obs = REAL.observations
    june = obs[(obs.zone_id == "linkong") & (obs.indicator_id == "investment") & (obs.month == "2022-06")].iloc[0]
    target = REAL.targets.set_index(["zone_id", "indicator_id", "year"]).at[("linkong", "investment", 2022), "target"]
    july = pd.DataFrame([{**june.to_dict(), "month": "2022-07", "value": round(target * 0.9, 2)}])
    may = (obs.zone_id == "linkong") & (obs.indicator_id == "investment") & (obs.month == "2022-05")
    corrected = obs.assign(value=obs["value"].where(~may, obs.loc[may, "value"] + 0.5))
    after = progress_table(replace(REAL, observations=pd.concat([corrected, july], ignore_index=True)))
    changes = status_changes(before, after).set_index(["zone_id", "indicator_id", "month_before"])
    shown = changes.loc[("linkong", "investment", "2022-06")]
    assert shown["month_after"] == "2022-07" and shown["status_after"] == "ahead"
    assert shown["actual_after"] == round(target * 0.9, 2)
    fixed = changes.loc[("linkong", "investment", "2022-05")]
    assert fixed["month_after"] == "2022-05" and fixed["actual_after"] == fixed["actual_before"] + 0.5
    # other zones: July has no row for them, so their shown light moves to "no data" — listed, not hidden
    assert ("shibei", "investment", "2022-06") in changes.index
    assert status_changes(before, before).empty


def test_trend_of_one_year_keeps_only_its_months():
    from dataclasses import replace

    import pandas as pd

    from corpsmap.progress import progress_table, trend

    obs = REAL.observations
    last_year = obs[obs["month"] == "2022-06"].assign(month="2021-06")
    table = progress_table(replace(REAL, observations=pd.concat([obs, last_year], ignore_index=True)))
    both = trend(table, "investment", ZONES)
    one = trend(table, "investment", ZONES, year="2022")
    assert "2021-06" in set(both["month"]) and set(one["month"]) == {m for m in both["month"] if m[:4] == "2022"}
