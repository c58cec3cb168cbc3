"""The monthly cycle with accounts, on SQLite and PostgreSQL: every action under every role, crafted changes for
another zone refused with nothing stored, submissions published or rejected, and each step in the audit log."""

from __future__ import annotations

from datetime import date

import pytest

from corpsmap import workflow
from corpsmap.accounts import (
    VISITOR,
    PermissionDenied,
    Role,
    add_user,
    audit_entries,
    get_user,
    set_disabled,
)
from corpsmap.accounts import users as users_module
from corpsmap.data import DataError
from corpsmap.progress import progress_table
from corpsmap.store import NoChange, StoreError
from corpsmap.workflow import ChangeSpec
from tests.test_accounts import ACTOR, PASSWORD, CountingHasher
from tests.test_report import filled

TODAY = date(2022, 8, 10)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(users_module, "HASHER", CountingHasher())


@pytest.fixture
def people(store):
    add_user(store, "boss", Role.ADMIN, password=PASSWORD, actor=ACTOR)
    add_user(store, "root2", Role.ADMIN, password=PASSWORD, actor=ACTOR)
    add_user(store, "leader", Role.VIEWER, password=PASSWORD, actor=ACTOR)
    add_user(store, "li", Role.ZONE_EDITOR, password=PASSWORD, zones=["linkong"], actor=ACTOR)
    set_disabled(store, "root2", True, actor=ACTOR)
    return {"visitor": VISITOR, "viewer": get_user(store, "leader"), "editor": get_user(store, "li"),
            "admin": get_user(store, "boss"), "disabled admin": get_user(store, "root2")}


def report_spec(zone: str, value: float = 99.5) -> tuple[ChangeSpec, bytes]:
    content = filled({(zone, "investment"): value}, zones=(zone,))
    return ChangeSpec("monthly_report", f"{zone} July", filename=f"report-{zone}.xlsx", zone_ids=(zone,)), content


def project_row(store, project_id: str, **changes) -> dict:
    projects = store.read(store.current_number()).projects
    row = projects[projects["project_id"] == project_id].iloc[0].to_dict()
    from corpsmap.changes import plain

    return {k: plain(v) for k, v in {**row, **changes}.items()}


def state(store) -> tuple:
    """What must not move when an action is refused: the version and the submissions."""
    return store.current_number(), [s.number for s in workflow.list_submissions(store, get_user(store, "boss"))]


def _preview(store, user, zone):
    spec, content = report_spec(zone)
    number = store.current_number()
    return workflow.preview(store, user, spec, content, store.read(number), number, today=TODAY)


def _submit(store, user, zone):
    spec, content = report_spec(zone)
    return workflow.submit(store, user, spec, content, today=TODAY)


def _publish(store, user, zone):
    spec, content = report_spec(zone)
    return workflow.publish(store, user, spec, content, based_on=store.current_number(), today=TODAY)


def _template(store, user, zone):
    number = store.current_number()
    data = store.read(number)
    return workflow.template(user, data, progress_table(data), [zone], "2022-07", number)


def _waiting(store, people) -> int:
    """A new waiting submission from the 临空 editor (another value each time, so each one changes something)."""
    spec, content = report_spec("linkong", 100.0 + len(workflow.list_submissions(store, people["admin"])))
    return workflow.submit(store, people["editor"], spec, content, today=TODAY)


def _publish_submission(store, user, _zone, waiting):
    return workflow.publish_submission(store, user, waiting, today=TODAY)


def _reject(store, user, _zone, waiting):
    return workflow.reject_submission(store, user, waiting, note="figures not signed off")


def _rollback(store, user, _zone):
    return workflow.rollback(store, user, store.current_number() - 1)  # always a change


def _audit(store, user, _zone):
    return workflow.read_audit(store, user)


# Hand-written expectations; o = own zone (linkong) for the editor, t = another (yinong). Y allowed, - refused.
#                        visitor viewer editor admin disabled-admin
ACTIONS = {
    "template":           ("--", "--", "Y-", "YY", "--"),
    "preview":            ("--", "--", "Y-", "YY", "--"),
    "submit":             ("--", "--", "Y-", "YY", "--"),
    "publish":            ("--", "--", "--", "YY", "--"),
    "publish_submission": ("--", "--", "--", "YY", "--"),
    "reject":             ("--", "--", "--", "YY", "--"),
    "rollback":           ("--", "--", "--", "YY", "--"),
    "read_audit":         ("--", "--", "--", "YY", "--"),
}
CALLS = {"template": _template, "preview": _preview, "submit": _submit, "publish": _publish,
         "publish_submission": _publish_submission, "reject": _reject, "rollback": _rollback, "read_audit": _audit}
PEOPLE = ("visitor", "viewer", "editor", "admin", "disabled admin")


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_under_every_role(store, people, action):
    if action == "rollback":  # something to roll back
        _publish(store, people["admin"], "linkong")
    for person, marks in zip(PEOPLE, ACTIONS[action]):
        for zone, mark in zip(("linkong", "yinong"), marks):
            extra = (_waiting(store, people),) if action in ("publish_submission", "reject") else ()
            before = state(store)
            if mark == "Y":
                CALLS[action](store, people[person], zone, *extra)
            else:
                with pytest.raises(PermissionDenied):
                    CALLS[action](store, people[person], zone, *extra)
                assert state(store) == before, (action, person, zone)  # refused: nothing stored


def test_a_linkong_editor_cannot_reach_yinong_by_any_crafted_change(store, people):
    editor, before = people["editor"], store.current_number()
    spec, content = report_spec("yinong")
    crafted = [
        (spec, content),  # a 益农 report, as if the form had offered 益农
        (ChangeSpec("monthly_report", "x", filename="r.xlsx", zone_ids=("linkong",)),  # an all-zones file
         filled({("yinong", "investment"): 1.0, ("linkong", "investment"): 2.0}, zones=("all",))),
        (ChangeSpec("projects", "form", rows=(project_row(store, "yn-transfar", status="started"),)), b""),
        (ChangeSpec("projects", "form", rows=(project_row(store, "yn-transfar", zone_id="linkong"),)), b""),  # move it
    ]
    for spec, content in crafted:
        for call in (workflow.submit, workflow.preview):
            with pytest.raises((PermissionDenied, DataError)) as caught:
                if call is workflow.submit:
                    call(store, editor, spec, content, today=TODAY)
                else:
                    call(store, editor, spec, content, store.read(before), before, today=TODAY)
            if caught.type is PermissionDenied:
                assert "yinong" in str(caught.value)
    table = ChangeSpec("table", "indicators", filename="indicators.csv", table="indicators")
    with pytest.raises(PermissionDenied, match="corps-wide table indicators"):
        data = store.read(before)
        text = data.indicators.assign(unit=data.indicators["unit"] + "x").to_csv(index=False).encode()
        workflow.submit(store, editor, table, text, today=TODAY)
    assert store.current_number() == before
    assert workflow.list_submissions(store, people["admin"]) == []
    refused = [e for e in audit_entries(store, actor="li") if e.outcome == "refused"]
    assert refused and all("li (zone editor of linkong) may not" in e.detail for e in refused)


def test_a_submission_waits_then_an_admin_publishes_it_keeping_both_names(store, people):
    editor, admin = people["editor"], people["admin"]
    number = _submit(store, editor, "linkong")
    assert store.current_number() == 1  # nothing published yet
    [waiting] = workflow.list_submissions(store, admin, "waiting")
    assert (waiting.number, waiting.submitted_by, waiting.zone_ids, waiting.month) == (number, "li", ("linkong",),
                                                                                        "2022-07")
    assert workflow.list_submissions(store, people["viewer"]) == []
    assert [s.number for s in workflow.list_submissions(store, editor)] == [number]
    version = workflow.publish_submission(store, admin, number, today=TODAY)
    assert (version.number, version.author, version.submitted_by, version.data_month) == (2, "boss", "li", "2022-07")
    observations = store.read(2).observations
    july = observations[(observations["zone_id"] == "linkong") & (observations["month"] == "2022-07")]
    assert july.set_index("indicator_id").at["investment", "value"] == 99.5
    assert store.upload(version.upload_id)[0] == "report-linkong.xlsx"  # the submitted file, as received
    done = workflow.get_submission(store, number)
    assert (done.status, done.decided_by, done.version) == ("published", "boss", 2)
    with pytest.raises(StoreError, match="not waiting"):
        workflow.publish_submission(store, admin, number, today=TODAY)
    steps = [(e.actor, e.action, e.outcome) for e in reversed(audit_entries(store))
             if e.action in ("upload", "submit", "publish")]
    assert steps == [("li", "submit", "ok"), ("boss", "publish", "ok")]
    entry = audit_entries(store, action="publish")[0]
    assert (entry.version, entry.zone_id, entry.month, entry.filename) == (2, "linkong", "2022-07",
                                                                           "report-linkong.xlsx")
    assert len(entry.sha256) == 64


def test_a_rejected_submission_is_kept_with_the_reason_and_changes_nothing(store, people):
    number = _submit(store, people["editor"], "linkong")
    workflow.reject_submission(store, people["admin"], number, note="请先核对投资额")
    done = workflow.get_submission(store, number)
    assert (done.status, done.decided_by, done.decision_note, done.version) == ("rejected", "boss", "请先核对投资额",
                                                                                None)
    assert store.current_number() == 1
    assert audit_entries(store, action="reject")[0].detail.endswith("请先核对投资额")
    with pytest.raises(StoreError, match="no longer waiting"):
        workflow.reject_submission(store, people["admin"], number)


def test_a_submission_that_no_longer_applies_stays_waiting_and_nothing_is_published(store, people):
    number = _submit(store, people["editor"], "linkong")
    _publish(store, people["admin"], "linkong")  # the same values published directly meanwhile: v2
    with pytest.raises(NoChange):
        workflow.publish_submission(store, people["admin"], number, force=True, today=TODAY)
    assert workflow.get_submission(store, number).status == "waiting"
    assert store.current_number() == 2


def test_an_unchanged_report_cannot_be_submitted(store, people):
    content = filled({}, zones=("linkong",))
    spec = ChangeSpec("monthly_report", "nothing", filename="r.xlsx", zone_ids=("linkong",))
    with pytest.raises(NoChange):
        workflow.submit(store, people["editor"], spec, content, today=TODAY)


def test_preview_records_the_upload_and_its_outcome(store, people):
    _preview(store, people["editor"], "linkong")
    with pytest.raises(DataError):
        spec = ChangeSpec("monthly_report", "junk", filename="junk.xlsx", zone_ids=("linkong",))
        workflow.preview(store, people["editor"], spec, b"not a workbook", store.read(1), 1, today=TODAY)
    outcomes = [(e.outcome, e.filename) for e in reversed(audit_entries(store, action="upload"))]
    assert outcomes == [("ok", "report-linkong.xlsx"), ("error", "junk.xlsx")]


def test_rollback_is_recorded_with_the_new_version(store, people):
    _publish(store, people["admin"], "linkong")
    version = workflow.rollback(store, people["admin"], 1)
    entry = audit_entries(store, action="rollback")[0]
    assert (entry.actor, entry.version, entry.detail) == ("boss", version.number, "rollback to version 1")
    assert store.read(version.number).observations.equals(store.read(1).observations)


def test_change_specs_survive_the_store():
    spec = ChangeSpec("projects", "表单", rows=({"project_id": "x", "name_zh": "项目"},))
    assert ChangeSpec.from_json(spec.to_json()) == spec
    with pytest.raises(ValueError):
        ChangeSpec("drop_tables", "x")
