"""AppTest: the presentation view (`?present=1`) for every zone and language, its buttons and the URL, links with
bad values, escaping, and the way back to the map page. Keys and the screen itself: tests/e2e/test_present_browser.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corpsmap import progress, summary
from corpsmap.data import load_dataset
from corpsmap.ui import presentation

ROOT = Path(__file__).resolve().parents[1]
DATA = load_dataset()
TABLE = progress.progress_table(DATA)
MONTH = progress.latest_month(DATA)
ZONES = DATA.zones.set_index("zone_id")
ARTICLE_FIGURES = ["6.8%", "10.8%", "5.5%", "62.9%", "41.7%", "170.16", "65.3%", "50.5%", "83.82", "71.2%", "12.3%"]


@pytest.fixture(autouse=True)
def _fresh_presentation_caches():
    # Kept by version number: a test that swaps a version's data (frame._dataset) must not see another's.
    presentation._panel_markup.clear()
    presentation._colouring.clear()


def present(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["present"] = "1"
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def markup(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def investment(zone_id: str, month: str = MONTH) -> str:
    """The zone's investment as the panel prints its number ('23.82')."""
    row = next(r for r in summary.headline_rows(TABLE, DATA, zone_id, month, "zh") if r.indicator_id == "investment")
    return row.actual.split(" ")[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_shows_the_articles_figures(lang):
    at = present(lang=lang)
    assert not at.exception, at.exception
    shown = markup(at)
    assert "data-zone='all'" in shown
    for figure in ARTICLE_FIGURES:
        assert f">{figure}<" in shown, figure
    assert ("数据截至 2022年6月 · 第 1 版" if lang == "zh" else "Data as of Jun 2022 · version 1") in shown
    assert not at.subheader  # not the map page's panel


@pytest.mark.parametrize("zone_id", list(ZONES.index))
def test_each_zone_shows_its_own_figures(zone_id):
    at = present(zone=zone_id)
    assert not at.exception, at.exception
    shown = markup(at)
    assert f"data-zone='{zone_id}'" in shown
    assert f"<div class='pz-name'>{ZONES.loc[zone_id, 'name_zh']}<" in shown
    assert f">{investment(zone_id)}<" in shown
    number = list(ZONES.sort_values("river_order").index).index(zone_id) + 1
    assert f"第 {number} / 8 个兵团" in shown


def test_the_zone_buttons_move_the_tour_and_write_the_url():
    at = present()
    at.button(key="present_zone_linkong").click().run()
    assert param(at, "zone") == "linkong"
    assert "data-zone='linkong'" in markup(at)
    at.button(key="present_zone_corps").click().run()
    assert param(at, "zone") is None
    assert param(at, "present") == "1"
    assert "data-zone='all'" in markup(at)


def test_colouring_indicator_and_month_buttons_live_in_the_url():
    at = present(zone="shibei")
    at.button(key="present_color_status").click().run()
    assert (param(at, "color"), param(at, "ind")) == ("status", "investment")
    indicator = at.button(key="present_indicator")
    indicator.click().run()
    assert param(at, "ind") == progress.zone_indicators(DATA)[progress.zone_indicators(DATA).index("investment") + 1]
    at.button(key="present_month_back").click().run()
    assert param(at, "month") == "2022-05"
    assert "截至 2022年5月" in markup(at)
    assert f">{investment('shibei', '2022-05')}<" in markup(at)
    at.button(key="present_month_forward").click().run()
    assert param(at, "month") is None  # the latest month is the default: left out of the link
    assert at.button(key="present_month_forward").disabled
    at.button(key="present_color_platform").click().run()
    assert (param(at, "color"), param(at, "ind")) == (None, None)
    assert at.button(key="present_indicator").disabled
    assert param(at, "zone") == "shibei"


def test_a_prepared_link_opens_its_view():
    at = present(zone="linkong", color="value", ind="service_va", month="2022-03", lang="en", auto="20")
    assert not at.exception, at.exception
    shown = markup(at)
    assert "data-zone='linkong'" in shown and "As of Mar 2022" in shown
    assert "Auto-advance: every 20 s" in shown
    assert at.button(key="present_color_value").proto.type == "primary"
    assert at.button(key="present_indicator").label.startswith("Service\\-sector value added")
    assert (param(at, "color"), param(at, "ind"), param(at, "month"), param(at, "auto")) == \
        ("value", "service_va", "2022-03", "20")


@pytest.mark.parametrize(("query", "said"), [
    ({"zone": "atlantis"}, "atlantis"),
    ({"color": "rainbow"}, "rainbow"),
    ({"color": "status", "ind": "happiness"}, "happiness"),
    ({"month": "1999-01"}, "1999-01"),
    ({"auto": "1"}, "“1”"),
    ({"auto": "soon"}, "soon"),
])
def test_a_bad_value_in_a_link_is_said_and_dropped(query, said):
    at = present(**query)
    assert not at.exception, at.exception
    notices = [m.value for m in at.markdown if "pt-notice" in m.value]
    assert notices and said in notices[0]
    for name in query:
        if name != "color" or query[name] == "rainbow":
            assert param(at, name) is None, name


def test_values_reach_the_page_escaped(monkeypatch):
    from corpsmap.ui import frame

    zones = DATA.zones.copy()
    zones.loc[zones["zone_id"] == "shibei", "name_zh"] = "<img src=x onerror=alert(1)>市北"
    zones.loc[zones["zone_id"] == "shibei", "short_zh"] = "[市北](https://example.invalid)"
    monkeypatch.setattr(frame, "_dataset", lambda number, internal: replace(DATA, zones=zones))
    at = present(zone="shibei")
    assert not at.exception, at.exception
    shown = markup(at)
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;市北" in shown
    assert at.button(key="present_zone_shibei").label == "4 \\[市北\\]\\(https\u2060\\://example\\.invalid\\)"
    bad = present(zone="<b>x</b>")
    assert "<b>x</b>" not in markup(bad) and "&lt;b&gt;x&lt;/b&gt;" in markup(bad)


def test_leaving_the_presentation_opens_the_map_page_on_the_same_view():
    at = present(zone="qiaonan", color="status", month="2022-04")
    at.button(key="present_exit").click().run()
    assert not at.exception, at.exception
    assert param(at, "present") is None
    assert [s.value for s in at.subheader][:1] == ["桥南"]
    assert at.selectbox(key="map_month").value == "2022-04"
    assert at.segmented_control(key="map_color").value == "status"


def test_the_map_pages_button_opens_the_presentation_on_the_same_view():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(zone="linkong", color="status", month="2022-05")
    at.run()
    at.button(key="present_enter").click().run()
    assert not at.exception, at.exception
    assert param(at, "present") == "1"
    shown = markup(at)
    assert "data-zone='linkong'" in shown and "2022年5月" in shown
    assert at.button(key="present_exit")  # the presentation's own controls are there


def test_a_version_without_observations_shows_platforms_only(monkeypatch):
    from corpsmap.ui import frame

    empty = replace(DATA, observations=DATA.observations.iloc[0:0])
    monkeypatch.setattr(frame, "_dataset", lambda number, internal: empty)
    frame._progress.clear()  # cached from the real data by earlier tests
    try:
        at = present(zone="linkong", color="status")
        assert not at.exception, at.exception
        assert "当前版本没有任何指标数据。" in markup(at)
        assert [b.key for b in at.button if b.key.startswith("present_color_")] == ["present_color_platform"]
        assert param(at, "color") is None
        assert not [m.value for m in at.markdown if "pt-notice" in m.value]  # said by the panel, not as a bad link
    finally:
        frame._progress.clear()
