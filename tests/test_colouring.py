"""Map colouring: by platform, by status light (the same as the indicators page), by value in equal intervals."""

from dataclasses import replace

import pytest

from corpsmap import colouring, mapview, progress
from corpsmap.data import load_dataset
from corpsmap.summary import STATUS_COLORS

DATA = load_dataset()
TABLE = progress.progress_table(DATA)
ZONES = list(DATA.zones["zone_id"])
MONTH = progress.latest_month(DATA)


def test_platform_mode_is_the_maps_default_colours():
    c = colouring.colouring("platform", TABLE, DATA, None, MONTH, "zh")
    assert c.fills == mapview.platform_colors(DATA.zones)
    assert [i.label for i in c.items][-1] == "示意范围 / schematic boundaries"


@pytest.mark.parametrize("indicator", progress.zone_indicators(DATA))
def test_status_mode_paints_each_zone_with_its_matrix_light(indicator):
    c = colouring.colouring("status", TABLE, DATA, indicator, MONTH, "zh")
    cells = progress.matrix(TABLE, MONTH, [indicator], ZONES).set_index("zone_id")
    assert set(c.fills) == set(ZONES)
    for zone in ZONES:
        assert c.fills[zone] == STATUS_COLORS[cells.at[zone, "status"]]


def test_status_legend_names_the_three_lights_and_the_threshold():
    c = colouring.colouring("status", TABLE, DATA, "investment", MONTH, "zh")
    labels = [i.label for i in c.items]
    assert labels[:3] == ["达到序时", "略低于序时", "落后序时"]
    assert any("10" in n for n in c.notes)
    assert c.title == "投资额 · 截至 2022-06"
    assert STATUS_COLORS["behind"] in c.fills.values()  # the real June data has red zones


def test_value_mode_darkens_with_the_value_and_greys_zones_without_data():
    c = colouring.colouring("value", TABLE, DATA, "key_project_start_rate", MONTH, "en")
    assert c.fills["qiaonan"] in colouring.VALUE_COLORS
    assert {c.fills[z] for z in ZONES if z != "qiaonan"} == {colouring.NO_DATA_COLOR}
    assert "No data" in [i.label for i in c.items]


def test_value_classes_follow_the_order_of_the_values():
    c = colouring.colouring("value", TABLE, DATA, "investment", MONTH, "zh")
    values = TABLE[(TABLE["indicator_id"] == "investment") & (TABLE["month"] == MONTH) & (TABLE["zone_id"] != "all")]
    shades = [colouring.VALUE_COLORS.index(c.fills[z]) for z in values.sort_values("actual")["zone_id"]]
    assert shades == sorted(shades) and shades[0] == 0 and shades[-1] == len(colouring.VALUE_COLORS) - 1
    labels = [i.label for i in c.items]
    assert labels[0].startswith("8.51 – ")  # the smallest value bounds the first class
    assert labels[4].endswith(" – 37.44 亿元")  # the largest the last


@pytest.mark.parametrize(
    ("values", "classes", "decimals", "expected"),
    [([0, 10], 5, 0, [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)]),
     ([8.51, 37.44], 5, 2, [(8.51, 14.3), (14.3, 20.08), (20.08, 25.87), (25.87, 31.65), (31.65, 37.44)]),
     ([3, 3, 3], 5, 0, [(3, 3)]),
     ([2, 3], 5, 0, [(2, 3)]),  # rounding merges classes that would be empty
     ([], 5, 1, [])],
)
def test_equal_intervals(values, classes, decimals, expected):
    assert colouring.equal_intervals(values, classes, decimals) == expected


def test_a_value_on_a_bound_belongs_to_the_lower_class():
    ranges = [(0, 2), (2, 4), (4, 6)]
    assert [colouring.class_of(v, ranges, 1) for v in (0, 2, 2.4, 4, 6, 7)] == [0, 0, 1, 1, 2, 2]
    # Float noise below the indicator's decimals does not push a value over a bound.
    assert colouring.class_of(2.0000000001, ranges, 1) == 0


def test_legend_is_drawn_by_the_app_and_escaped():
    indicators = DATA.indicators.copy()
    indicators.loc[indicators["indicator_id"] == "investment", "name_zh"] = "<script>alert(1)</script>"
    html = colouring.colouring("value", TABLE, replace(DATA, indicators=indicators), "investment", MONTH,
                               "zh").legend_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "亿元" in html and "等距分级" in html


@pytest.mark.parametrize(
    ("mode", "indicator", "message"),
    [("heat", "investment", "unknown colouring mode 'heat'"), ("status", None, "needs an indicator"),
     ("value", "nope", "unknown indicator 'nope'")],
)
def test_bad_mode_or_indicator_is_a_clear_error(mode, indicator, message):
    with pytest.raises(ValueError, match=message):
        colouring.colouring(mode, TABLE, DATA, indicator, MONTH, "zh")


@pytest.mark.parametrize(("official", "expected"), [
    (frozenset(), ["示意范围 / schematic boundaries"]),
    (frozenset({"kejicheng"}), ["示意范围 / schematic boundaries", "官方边界 / official boundaries"]),
    (frozenset(ZONES), ["官方边界 / official boundaries"]),
])
@pytest.mark.parametrize("mode", ["platform", "status", "value"])
def test_legend_outlines_follow_the_official_zones(official, expected, mode):
    c = colouring.colouring(mode, TABLE, DATA, "investment", MONTH, "zh", official)
    outlines = [i.label for i in c.items if i.dashed or i.solid]
    assert outlines == expected
    assert all(i.dashed for i in c.items if i.label.startswith("示意")) and \
        all(i.solid for i in c.items if i.label.startswith("官方"))
