"""The versioned store on SQLite and PostgreSQL: seed, publish, history, rollback, concurrency, crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from corpsmap import changes
from corpsmap.data import DataError, load_dataset
from corpsmap.store import NoChange, StaleVersion, Store, Upload, open_store
from corpsmap.store.schema import metadata
from corpsmap.store.store import make_engine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _report(zone: str, value: float, month: str = "2022-07"):
    """A change that sets 'investment' of `zone` for `month`, as a monthly report would."""
    def change(current):
        row = pd.DataFrame([{"zone_id": zone, "indicator_id": "investment", "month": month, "value": value,
                             "provenance": "illustrative", "source_id": "illustrative", "note": None}])
        return changes.upsert(current, "observations", row)
    return change


def _value(dataset, zone: str, month: str) -> float | None:
    obs = dataset.observations
    hit = obs[(obs.zone_id == zone) & (obs.indicator_id == "investment") & (obs.month == month)]
    return None if hit.empty else float(hit["value"].iloc[0])


def _assert_same(a, b) -> None:
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_like=False, obj=name)


def test_empty_store_is_seeded_from_the_csvs_as_version_1(store):
    assert store.current_number() == 1
    version = store.version(1)
    assert (version.kind, version.author, version.data_month) == ("seed", "system", "2022-06")
    assert version.summary["projects"] == {"added": 36, "changed": 0, "removed": 0}
    _assert_same(store.read(1), load_dataset())
    name, content = store.upload(version.upload_id)
    assert name == "seed-data.zip" and content[:2] == b"PK"


def test_opening_again_neither_migrates_nor_seeds_twice(store_url, store):
    again = open_store(store_url)
    assert again.current_number() == 1 and len(again.versions()) == 1
    again.engine.dispose()


def test_migrations_match_the_models(store):
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_publish_adds_a_version_and_keeps_the_old_one(store):
    upload = Upload("linkong-2022-07.xlsx", b"raw bytes as received", "clerk")
    version = store.publish(_report("linkong", 31.5), kind="monthly_report", author="clerk", based_on=1,
                            comment="July", upload=upload)
    assert (version.number, version.kind, version.author, version.comment) == (2, "monthly_report", "clerk", "July")
    assert version.data_month == "2022-07" and version.based_on == 1
    assert store.upload(version.upload_id) == ("linkong-2022-07.xlsx", b"raw bytes as received")
    assert _value(store.read(2), "linkong", "2022-07") == 31.5
    assert _value(store.read(1), "linkong", "2022-07") is None
    _assert_same(store.read(1), load_dataset())
    diff = store.diff(2)
    assert list(diff) == ["observations"] and diff["observations"].counts() == {"added": 1, "changed": 0, "removed": 0}


def test_a_changed_value_is_shown_old_to_new(store):
    june = _value(store.read(1), "linkong", "2022-06")
    store.publish(_report("linkong", june + 1, month="2022-06"), kind="monthly_report", author="clerk")
    cells = store.diff(2)["observations"].cell_changes()
    assert cells == [{"key": "linkong / investment / 2022-06", "column": "value", "old": june, "new": june + 1}]


def test_rollback_publishes_an_equal_version_and_twice_returns(store):
    store.publish(_report("linkong", 31.5), kind="monthly_report", author="clerk")
    back = store.rollback(1, author="admin")
    assert (back.number, back.kind, back.restores) == (3, "rollback", 1)
    _assert_same(store.read(3), store.read(1))
    again = store.rollback(2, author="admin")
    assert again.number == 4
    _assert_same(store.read(4), store.read(2))
    assert [v.number for v in store.versions()] == [4, 3, 2, 1]


def test_publishing_no_change_is_refused(store):
    with pytest.raises(NoChange):
        store.publish(lambda current: current, kind="table", author="clerk")
    assert store.current_number() == 1


def test_an_invalid_change_stores_nothing(store):
    def bad(current):
        return changes.upsert(current, "observations", pd.DataFrame([{
            "zone_id": "nowhere", "indicator_id": "investment", "month": "2022-07", "value": 1.0,
            "provenance": "illustrative", "source_id": "illustrative", "note": None}]))
    with pytest.raises(DataError, match="nowhere"):
        store.publish(bad, kind="monthly_report", author="clerk")
    assert store.current_number() == 1
    _assert_same(store.read(1), load_dataset())


def test_a_change_prepared_on_an_older_version_is_flagged(store):
    store.publish(_report("linkong", 31.5), kind="monthly_report", author="a", based_on=1)
    with pytest.raises(StaleVersion) as stale:
        store.publish(_report("shibei", 20.0), kind="monthly_report", author="b", based_on=1)
    assert (stale.value.based_on, stale.value.current) == (1, 2)
    forced = store.publish(_report("shibei", 20.0), kind="monthly_report", author="b", based_on=1, force=True)
    final = store.read(forced.number)
    assert _value(final, "linkong", "2022-07") == 31.5 and _value(final, "shibei", "2022-07") == 20.0


def test_two_publishers_at_once_both_land_in_order(store_url, store):
    second = Store(make_engine(store_url))  # another server process on the same database
    errors = []

    def publish(s, zone):
        try:
            s.publish(_report(zone, 10.0), kind="monthly_report", author=zone)
        except Exception as exc:  # reported below, so a failure names its cause
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(s, z)) for s, z in ((store, "linkong"), (second, "shibei"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(v.author for v in store.versions()[:2]) == ["linkong", "shibei"]
    final = second.read(second.current_number())
    assert _value(final, "linkong", "2022-07") == 10.0 and _value(final, "shibei", "2022-07") == 10.0
    second.engine.dispose()


def test_two_servers_see_the_same_version(store_url, store):
    other = open_store(store_url)
    store.publish(_report("linkong", 31.5), kind="monthly_report", author="clerk")
    assert other.current_number() == 2 and _value(other.read(2), "linkong", "2022-07") == 31.5
    other.engine.dispose()


_KILLED_PUBLISH = """
import sys
from corpsmap import changes
from corpsmap.store import open_store
import pandas as pd
store = open_store(sys.argv[1])
def change(current):
    rows = current.observations.assign(value=current.observations["value"] + 1)
    return changes.upsert(current, "observations", rows)
store.publish(change, kind="monthly_report", author="doomed")
"""


def test_a_server_killed_mid_publish_leaves_the_previous_version(store_url, store, tmp_path):
    marker = tmp_path / "in-transaction"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_PUBLISH, store_url], cwd=ROOT,
                            env={**os.environ, "CORPSMAP_TEST_PAUSE_IN_PUBLISH": str(marker)})
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "the publishing process ended before reaching its transaction"
        assert time.monotonic() < deadline, "the publishing process never reached its transaction"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    store.engine.dispose()
    reopened = open_store(store_url)
    assert reopened.current_number() == 1 and len(reopened.versions()) == 1
    _assert_same(reopened.read(1), load_dataset())
    # and the store still takes the next publish
    assert reopened.publish(_report("linkong", 1.0), kind="monthly_report", author="next").number == 2
    reopened.engine.dispose()


def test_command_line_lists_and_rolls_back(store_url, store, capsys):
    from corpsmap.__main__ import main

    store.publish(_report("linkong", 31.5), kind="monthly_report", author="clerk", comment="July")
    assert main(["db", "--url", store_url, "versions"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["2", "1"] and "July" in listed[0]
    assert main(["db", "--url", store_url, "rollback", "1", "--author", "admin"]) == 0
    assert "published version 3" in capsys.readouterr().out
    _assert_same(store.read(3), store.read(1))
    assert main(["db", "--url", store_url, "rollback", "9", "--author", "admin"]) == 1
    assert "no version 9" in capsys.readouterr().err


def _features(boundary: str, shift: float = 0.0) -> dict[str, str]:
    """Every shipped zone as a boundary feature, marked `boundary` and moved `shift` degrees east."""
    import json

    from corpsmap import geo

    zones = geo.load_zone_shapes()
    zones["geometry"] = zones.translate(xoff=shift)
    zones["boundary"] = boundary
    collection = json.loads(zones.to_json(drop_id=True))
    return {f["properties"]["zone_id"]: json.dumps(f, separators=(",", ":")) for f in collection["features"]}


def test_boundaries_are_versions_kept_across_data_changes_and_rolled_back(store):
    from dataclasses import replace

    from corpsmap import geo

    official = _features("official")
    v2 = store.publish(lambda d: d, kind="boundaries", author="admin", boundaries=official)
    assert v2.summary == {"boundaries": {"added": 8, "changed": 0, "removed": 0}}
    assert store.boundaries(1) is None and store.boundary_features(2) == official
    shapes = geo.zone_shapes_from_geojson(store.boundaries(2), "version 2")
    assert set(shapes["boundary"]) == {"official"} and len(shapes) == 8
    with pytest.raises(NoChange):
        store.publish(lambda d: d, kind="boundaries", author="admin", boundaries=official)

    data = store.read(2)
    v3 = store.publish(lambda d: replace(d, zones=d.zones.assign(size_km2=d.zones["size_km2"] + 1)), kind="table",
                       author="admin")
    assert store.boundary_features(3) == official  # data changes leave the boundaries alone
    assert [store.boundary_stamp(n) for n in (1, 2, 3)] == [0, 2, 2]  # 3 draws the same shapes as 2

    moved = {**official, "linkong": _features("official", 0.01)["linkong"]}
    v4 = store.publish(lambda d: d, kind="boundaries", author="admin", boundaries=moved)
    assert v4.summary["boundaries"] == {"added": 0, "changed": 1, "removed": 0}
    back = store.rollback(1, author="admin")  # before any import: the shipped shapes, and version 1's data
    assert store.boundaries(back.number) is None and store.boundary_stamp(back.number) == back.number
    assert back.summary["boundaries"] == {"added": 0, "changed": 0, "removed": 8}
    assert store.read(back.number).zones.equals(data.zones)
    again = store.rollback(v3.number, author="admin")
    assert store.boundary_features(again.number) == official
    assert store.boundary_features(4) == moved  # history stays readable
