"""The zone tour of the presentation view: order along the river, stepping, jumping, cycling, auto-advance."""

import re

import pytest

from corpsmap import tour
from corpsmap.data import load_dataset

TOUR = tour.sequence(load_dataset())
ALONG_THE_RIVER = ["sanjiang", "xianghu", "shijicheng", "shibei", "qiaonan", "kejicheng", "linkong", "yinong"]


def test_the_tour_is_the_overview_then_the_zones_west_to_east():
    assert TOUR == [tour.OVERVIEW, *ALONG_THE_RIVER]


@pytest.mark.parametrize(("current", "by", "expected"), [
    (tour.OVERVIEW, 1, "sanjiang"),
    ("sanjiang", 1, "xianghu"),
    ("linkong", 1, "yinong"),
    ("yinong", 1, tour.OVERVIEW),  # round again, through the overview
    (tour.OVERVIEW, -1, "yinong"),
    ("sanjiang", -1, tour.OVERVIEW),
    ("shibei", -2, "xianghu"),
    (None, 1, "sanjiang"),  # no zone: from the overview
    ("atlantis", 1, "sanjiang"),
])
def test_step(current, by, expected):
    assert tour.step(TOUR, current, by) == expected


def test_stepping_nine_times_comes_back():
    stop = "qiaonan"
    for _ in TOUR:
        stop = tour.step(TOUR, stop, 1)
    assert stop == "qiaonan"


@pytest.mark.parametrize(("number", "expected"), [(0, tour.OVERVIEW), (1, "sanjiang"), (7, "linkong"),
                                                  (8, "yinong"), (9, None), (-1, None)])
def test_jump(number, expected):
    assert tour.jump(TOUR, number) == expected


def test_cycle_goes_round_and_starts_from_the_first_for_an_unknown_value():
    modes = ["platform", "status", "value"]
    assert tour.cycle(modes, "platform") == "status"
    assert tour.cycle(modes, "value") == "platform"
    assert tour.cycle(modes, "value", -1) == "status"
    assert tour.cycle(modes, "nonsense") == "platform"
    with pytest.raises(ValueError):
        tour.cycle([], "x")


def test_shift_stops_at_either_end():
    months = ["2022-01", "2022-02", "2022-03"]
    assert tour.shift(months, "2022-02", -1) == "2022-01"
    assert tour.shift(months, "2022-01", -1) == "2022-01"
    assert tour.shift(months, "2022-03", 1) == "2022-03"
    assert tour.shift(months, None, -1) == "2022-03"  # unknown: the latest
    assert tour.shift([], "2022-01", 1) is None


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), ("2", 2), ("20", 20), ("020", 20),
                                               ("3600", 3600)])
def test_auto_seconds_good(raw, expected):
    assert tour.auto_seconds(raw) == expected


@pytest.mark.parametrize("raw", ["1", "0", "3601", "-5", "2.5", "20s", "abc", "²", " 20"])
def test_auto_seconds_bad_values_are_quoted(raw):
    with pytest.raises(ValueError, match=re.escape(repr(raw))):
        tour.auto_seconds(raw)


def test_every_key_means_one_thing():
    keys = [k for ks in tour.KEYS.values() for k in ks]
    assert len(keys) == len(set(keys))
    assert not set(keys) & set("123456789")  # the digits jump to a zone
