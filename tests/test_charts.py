"""The Altair charts: offline specs (inline data, no URL) and the encodings the page relies on."""

import pytest

from corpsmap import charts, progress
from corpsmap.data import load_dataset
from corpsmap.summary import STATUS_COLORS

DATA = load_dataset()
TABLE = progress.progress_table(DATA)
ZONES = list(DATA.zones.sort_values("river_order")["zone_id"])
LABELS = {s: f"label-{s}" for s in progress.STATUSES}


def ranking(indicator: str, month: str = "2022-06"):
    rows = progress.ranking(TABLE, indicator, month, ZONES)
    rows = rows.assign(zone=[f"{i + 1} {z}" for i, z in enumerate(rows["zone_id"])], label="x")
    return rows, charts.ranking_chart(rows, measure_title="completion", schedule_title="schedule",
                                      status_title="status", status_labels=LABELS).to_dict()


def trend(indicator: str):
    rows = progress.trend(TABLE, indicator, ZONES).assign(panel=lambda f: f["zone_id"])
    months = progress.months(DATA)
    return charts.trend_chart(rows, months=months, panels=[*ZONES, "all"], measure_title="m", reference_title="r",
                              status_title="s", status_labels=LABELS).to_dict()


def strings(node, key=None):
    """Every (key, string) pair in a spec, at any depth."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v, key)
    elif isinstance(node, str):
        yield key, node


def layers(spec):
    return spec.get("layer") or spec["spec"]["layer"]


@pytest.mark.parametrize("build", [lambda: ranking("investment")[1], lambda: ranking("fai_growth")[1],
                                   lambda: trend("investment"), lambda: trend("service_va_growth")])
def test_specs_are_offline(build):
    spec = build()
    # `$schema` names the spec's version; Vega-Embed never fetches it. Nothing else may point anywhere.
    remote = [(k, s) for k, s in strings(spec) if s.startswith(("http:", "https:", "//")) and k != "$schema"]
    assert remote == []
    assert all(k != "url" for k, _ in strings(spec))  # data travels inline, never by URL
    assert spec["datasets"]


def test_ranking_bars_are_in_rank_order_and_coloured_by_status():
    rows, spec = ranking("investment")
    bars = layers(spec)[0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "measure"
    assert bars["encoding"]["y"]["sort"] == list(rows["zone"])
    assert list(rows["rank"]) == sorted(rows["rank"])
    scale = bars["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {LABELS[s]: STATUS_COLORS[s] for s in set(rows["status"])}


def test_cumulative_ranking_draws_one_schedule_line_rates_a_target_tick_per_bar():
    marks = [layer["mark"]["type"] for layer in layers(ranking("investment")[1])]
    assert "rule" in marks and "tick" not in marks
    texts = [s for k, s in strings(ranking("investment")[1]) if k == "text"]
    assert "schedule 50.0%" in texts  # 序时进度 at the end of June, labelled on the line
    marks = [layer["mark"]["type"] for layer in layers(ranking("fai_growth")[1])]
    assert "tick" in marks and "rule" not in marks


def test_trend_has_one_panel_per_zone_in_river_order_with_a_dashed_reference():
    spec = trend("investment")
    assert spec["facet"]["field"] == "panel" and spec["facet"]["sort"] == [*ZONES, "all"]
    reference, line, points = layers(spec)
    assert reference["mark"]["strokeDash"] == [6, 4] and reference["encoding"]["y"]["field"] == "schedule"
    assert "strokeDash" not in line["mark"] and line["encoding"]["y"]["field"] == "measure"
    assert points["mark"]["type"] == "point" and points["encoding"]["color"]["field"] == "status_label"
    assert spec["columns"] == 5
