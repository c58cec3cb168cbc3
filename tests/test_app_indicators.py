"""AppTest: the indicators page for every month × indicator and for bad links; the map's colouring choice."""

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corpsmap import progress
from corpsmap.data import load_dataset

ROOT = Path(__file__).resolve().parents[1]
DATA = load_dataset()
MONTHS = progress.months(DATA)
INDICATORS = progress.zone_indicators(DATA)
ZONES = list(DATA.zones.sort_values("river_order")["zone_id"])
ROW = re.compile(r"<tr class='([^']*)' data-zone='([^']+)'>")


def open_page(page: str = "pages/indicators.py", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def html(at: AppTest, marker: str) -> str:
    """The one unsafe-HTML markdown block holding `marker`."""
    [block] = [m.value for m in at.markdown if marker in m.value]
    return block


def charts(at: AppTest) -> list[dict]:
    found, stack = [], [at.main]
    while stack:
        node = stack.pop()
        if getattr(node, "type", None) == "vega_lite_chart":
            found.append(json.loads(node.proto.spec))
        stack += list(getattr(node, "children", {}).values())
    return found


def param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("indicator", INDICATORS)
def test_page_runs_for_every_month_of_every_indicator(indicator):
    at = open_page(ind=indicator, month=MONTHS[0])
    for month in MONTHS:
        if month != MONTHS[0]:
            at.selectbox(key="ind_month").set_value(month).run()
        assert not at.exception, (indicator, month, at.exception)
        assert not at.warning, [w.value for w in at.warning]
        assert (param(at, "month"), param(at, "ind")) == (month, indicator)
        rows = ROW.findall(html(at, "<table class='status-matrix'>"))
        assert [zone for _, zone in rows] == [*ZONES, "all"]  # river order, then the corps
        ranking = html(at, "<table class='rank-table'>")
        assert len(ROW.findall(ranking)) == len(ZONES)
        assert len(charts(at)) == 2  # the ranking and the trend


def test_default_view_is_the_latest_month_and_investment_with_the_articles_figures():
    at = open_page()
    assert (at.selectbox(key="ind_month").value, at.selectbox(key="ind_indicator").value) == (MONTHS[-1], "investment")
    cards = html(at, "class='ind-cards'")
    values = [re.sub(r"<[^>]+>", "", v) for v in re.findall(r"<div class='v'>(.*?)</div>", cards)]
    assert values == ["6.8%", "10.8%", "5.5%", "62.9%", "41.7%", "170.16 亿元", "65.3%", "50.5%", "83.82 亿元",
                      "71.2%", "12.3%"]
    assert cards.count("原文数据") == 1 and cards.count(">2022-07 萧山日报 (首席记者 童志辉)<") == 11


def test_matrix_lights_match_the_engine():
    at = open_page(month="2022-06")
    matrix = html(at, "<table class='status-matrix'>")
    table = progress.progress_table(DATA)
    for zone in ZONES:
        status = progress.zone_progress(table, zone, "2022-06").set_index("indicator_id").at["investment", "status"]
        assert f"data-zone='{zone}' data-indicator='investment' data-status='{status}'" in matrix
    # Corps-wide: investment summed from the zones, industrial growth as the article reports it.
    assert "170.16 亿元 · 由各兵团汇总" in matrix and "6.8%" in matrix and "原文数据" in matrix


@pytest.mark.parametrize(
    ("query", "shown"),
    [({"month": "2099-01"}, "2099\\-01"), ({"month": "june"}, "june"), ({"ind": "nope"}, "nope"),
     ({"ind": "[x](http://evil.example)"}, "\\[x\\]\\(http"), ({"zone": "atlantis"}, "atlantis"),
     ({"month": "", "ind": ""}, "“”")],
)
def test_bad_link_values_are_reported_and_replaced_by_the_default(query, shown):
    at = open_page(**query)
    assert not at.exception
    assert any(shown in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.selectbox(key="ind_month").value == MONTHS[-1]
    assert at.selectbox(key="ind_indicator").value == "investment"
    assert "](http" not in " ".join(w.value for w in at.warning)


def test_zone_from_the_map_is_highlighted():
    at = open_page(zone="shibei")
    rows = dict((zone, css) for css, zone in ROW.findall(html(at, "<table class='status-matrix'>")))
    assert rows["shibei"] == "hl" and rows["qiaonan"] == ""


def test_page_in_english():
    at = open_page(lang="en", ind="fai_growth", month="2022-03")
    assert at.title[0].value == "Indicators & progress"
    # Markdown source: the data value is escaped so that it shows as text.
    assert "Ranking · Fixed\\-asset investment growth · Mar 2022" in [s.value for s in at.subheader]


def test_data_values_are_escaped_in_the_matrix(monkeypatch):
    from dataclasses import replace

    from corpsmap.ui import frame

    zones = DATA.zones.copy()
    zones.loc[zones["zone_id"] == "linkong", "short_zh"] = "<img src=x onerror=alert(1)>"
    monkeypatch.setattr(frame, "_dataset", lambda number, internal: replace(DATA, zones=zones))
    matrix = html(open_page(), "<table class='status-matrix'>")
    assert "<img src=x" not in matrix and "&lt;img src=x onerror=alert(1)&gt;" in matrix


def test_map_colouring_choice_lives_in_the_url():
    at = open_page("pages/map.py", color="status", ind="service_va")
    assert not at.exception
    assert at.segmented_control(key="map_color").value == "status"
    assert at.selectbox(key="map_indicator").value == "service_va"
    at.segmented_control(key="map_color").set_value("value").run()
    assert (param(at, "color"), param(at, "ind")) == ("value", "service_va")
    at.segmented_control(key="map_color").set_value("platform").run()
    assert param(at, "color") is None and param(at, "ind") is None  # the default keeps links short
    assert not at.exception


@pytest.mark.parametrize(("query", "shown"), [({"color": "heat"}, "heat"), ({"color": "status", "ind": "x"}, "x")])
def test_bad_map_colouring_link_is_reported(query, shown):
    at = open_page("pages/map.py", **query)
    assert not at.exception
    assert any(f"“{shown}”" in w.value for w in at.warning)


def test_zone_panel_links_to_its_indicators():
    at = open_page("pages/map.py", zone="yinong")
    [link] = [e for e in at.get("page_link") if e.proto.page.endswith("indicators")]
    assert link.value == "查看指标与进度" and link.proto.query_string == "zone=yinong"


def test_map_month_picker_colours_and_panel_follow_the_month():
    at = open_page("pages/map.py", color="status", ind="investment", month="2022-03", zone="linkong")
    assert not at.exception
    assert at.selectbox(key="map_month").value == "2022-03"
    assert any("截至 2022年3月" in m.value for m in at.markdown)  # the zone panel's lights are March's
    at.selectbox(key="map_month").set_value("2022-05").run()
    assert param(at, "month") == "2022-05"
    assert any("截至 2022年5月" in m.value for m in at.markdown)


def test_map_month_from_a_bad_link_is_reported():
    at = open_page("pages/map.py", month="2031-13")
    assert not at.exception
    assert any("2031\\-13" in w.value for w in at.warning)  # escaped Markdown source
