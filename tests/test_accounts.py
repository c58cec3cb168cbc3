"""Accounts, roles and the audit trail on SQLite and PostgreSQL: permissions, passwords, throttling, tokens."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from corpsmap import accounts
from corpsmap.__main__ import main
from corpsmap.accounts import (
    GENERIC_FAILURE,
    VISITOR,
    AccountError,
    Action,
    LoginFailed,
    PermissionDenied,
    Role,
    User,
    add_user,
    audit_csv,
    audit_entries,
    authenticate,
    can,
    get_user,
    issue_token,
    list_users,
    record,
    require,
    reset_password,
    set_disabled,
    set_role_and_zones,
    user_for_email,
    verify_token,
)
from corpsmap.accounts import users as users_module
from corpsmap.store.schema import audit_log, login_attempts, users

PASSWORD = "correct horse battery"
SECRET = "s" * 40
ACTOR = "cli:test"


class CountingHasher(PasswordHasher):
    """Cheap argon2 parameters (tests need speed, not strength) that count the verifications made."""

    def __init__(self, time_cost: int = 1):
        super().__init__(time_cost=time_cost, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, password_hash, password):
        self.verified += 1
        return super().verify(password_hash, password)


class Clock:
    """A settable "now", so throttling and expiry are tested without sleeping."""

    def __init__(self):
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def hasher(monkeypatch):
    hasher = CountingHasher()
    monkeypatch.setattr(users_module, "HASHER", hasher)
    return hasher


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def people(store):
    """One account of each role, read back from the store."""
    add_user(store, "boss", Role.ADMIN, password=PASSWORD, actor=ACTOR)
    add_user(store, "root2", Role.ADMIN, password=PASSWORD, actor=ACTOR)
    add_user(store, "leader", Role.VIEWER, password=PASSWORD, actor=ACTOR)
    add_user(store, "li", Role.ZONE_EDITOR, password=PASSWORD, zones=["linkong"], display_name="李", actor=ACTOR)
    set_disabled(store, "root2", True, actor=ACTOR)
    return {"visitor": VISITOR, "viewer": get_user(store, "leader"), "editor": get_user(store, "li"),
            "admin": get_user(store, "boss"), "disabled admin": get_user(store, "root2")}


# Written out by hand, not derived from accounts.PERMISSIONS. Columns: for each person, the zone asked about:
# o = own zone (linkong), t = another zone (yinong), n = no zone. Y allowed, - refused.
#                        visitor  viewer  editor  admin  disabled admin
#                        o t n    o t n   o t n   o t n  o t n
EXPECTED = {
    "view_public":       "YYY     YYY     YYY     YYY    ---",
    "view_internal":     "---     YYY     YYY     YYY    ---",
    "export":            "YYY     YYY     YYY     YYY    ---",
    "download_template": "---     ---     Y--     YYY    ---",
    "upload_report":     "---     ---     Y--     YYY    ---",
    "submit":            "---     ---     Y--     YYY    ---",
    "publish":           "---     ---     ---     YYY    ---",
    "reject":            "---     ---     ---     YYY    ---",
    "rollback":          "---     ---     ---     YYY    ---",
    "manage_users":      "---     ---     ---     YYY    ---",
    "import_boundaries": "---     ---     ---     YYY    ---",
    "read_audit":        "---     ---     ---     YYY    ---",
}
PEOPLE = ("visitor", "viewer", "editor", "admin", "disabled admin")
ZONES = ("linkong", "yinong", None)


def test_permission_matrix_every_role_every_action_every_zone(people):
    assert set(EXPECTED) == {a.value for a in Action}
    checked = 0
    for action, row in EXPECTED.items():
        marks = row.replace(" ", "")
        for i, person in enumerate(PEOPLE):
            for j, zone in enumerate(ZONES):
                user, allowed = people[person], marks[3 * i + j] == "Y"
                assert can(user, action, zone) is allowed, (person, action, zone)
                if allowed:
                    require(user, action, zone)
                else:
                    with pytest.raises(PermissionDenied, match=action):
                        require(user, action, zone)
                checked += 1
    assert checked == 12 * 5 * 3


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="delete_everything"):
        can(VISITOR, "delete_everything")


def test_a_linkong_editor_is_refused_for_yinong_with_a_clear_message(people):
    editor = people["editor"]
    assert editor.zones == frozenset({"linkong"}) and editor.name == "李"
    with pytest.raises(PermissionDenied) as refused:
        require(editor, Action.UPLOAD_REPORT, "yinong")
    message = str(refused.value)
    assert "li" in message and "linkong" in message and "yinong" in message and "upload_report" in message
    assert (refused.value.user, refused.value.action, refused.value.zone_id) == (editor, "upload_report", "yinong")
    with pytest.raises(PermissionDenied, match="without naming a zone"):
        require(editor, Action.SUBMIT)
    with pytest.raises(PermissionDenied, match="disabled admin"):
        require(people["disabled admin"], Action.VIEW_PUBLIC)


def test_passwords_are_stored_as_argon2_hashes_and_verified(store, clock):
    add_user(store, "Li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    with store.engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == "li")).mappings().one()
    assert row["password_hash"] != PASSWORD and PASSWORD not in row["password_hash"]
    assert row["password_hash"].startswith("$argon2id$")
    assert authenticate(store, "LI", PASSWORD, "10.0.0.1", clock=clock).username == "li"  # any case
    with pytest.raises(LoginFailed):
        authenticate(store, "li", PASSWORD.upper(), "10.0.0.1", clock=clock)


@pytest.mark.parametrize("password, problem", [
    ("short pw", "at least 10 characters"),
    (" " * 12, "at least 10 characters"),
    ("x" * 1025, "at most 1024"),
    ("Clerk.Wang", "not be the username"),
])
def test_weak_passwords_are_refused_and_nothing_is_stored(store, password, problem):
    with pytest.raises(AccountError, match=problem) as refused:
        add_user(store, "clerk.wang", "viewer", password=password, actor=ACTOR)
    assert not password.strip() or password.strip() not in str(refused.value)
    assert get_user(store, "clerk.wang") is None
    add_user(store, "clerk.wang", "viewer", password=PASSWORD, actor=ACTOR)
    with pytest.raises(AccountError, match=problem):
        reset_password(store, "clerk.wang", password, actor=ACTOR)


@pytest.mark.parametrize("username, role, zones, email, problem", [
    ("wang", "boss", (), None, "unknown role 'boss'"),
    ("wang", "visitor", (), None, "unknown role 'visitor'"),
    ("wang", "zone_editor", ("mars",), None, "unknown zone mars"),
    ("wang", "zone_editor", (), None, "needs at least one zone"),
    ("wang", "viewer", ("linkong",), None, "only zone editors"),
    ("wang li", "viewer", (), None, "'wang li' cannot be a username"),
    ("visitor", "viewer", (), None, "'visitor' cannot be a username"),
    ("", "viewer", (), None, "'' cannot be a username"),
    ("ADMIN", "viewer", (), None, "user 'admin' exists already"),
    ("wang", "viewer", (), "Admin@Example.org", "e-mail admin@example.org"),
    ("wang", "viewer", (), "not-an-address", "'not-an-address' is not an e-mail"),
])
def test_bad_account_details_are_refused_naming_the_value(store, username, role, zones, email, problem):
    add_user(store, "admin", "admin", password=PASSWORD, email="admin@example.org", actor=ACTOR)
    with pytest.raises(AccountError, match=problem):
        add_user(store, username, role, zones=zones, email=email, password=PASSWORD, actor=ACTOR)
    assert [u.username for u in list_users(store)] == ["admin"]


def test_email_finds_the_account_for_single_sign_on(store, clock):
    add_user(store, "wang", "viewer", email="Wang@Example.org", actor=ACTOR)  # no password: SSO only
    user = user_for_email(store, "wang@example.ORG")
    assert user is not None and user.username == "wang" and user.password_changed_at is None
    assert user_for_email(store, "nobody@example.org") is None
    with pytest.raises(LoginFailed, match=GENERIC_FAILURE):
        authenticate(store, "wang", "", "10.0.0.1", clock=clock)


def test_wrong_password_unknown_user_and_disabled_account_fail_alike(store, clock, hasher):
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    add_user(store, "gone", "viewer", password=PASSWORD, actor=ACTOR)
    add_user(store, "sso", "viewer", actor=ACTOR)
    set_disabled(store, "gone", True, actor=ACTOR)
    messages = []
    for username, password in (("li", "wrong password!"), ("nobody", PASSWORD), ("gone", PASSWORD),
                               ("sso", PASSWORD)):
        before = hasher.verified
        with pytest.raises(LoginFailed) as failed:
            authenticate(store, username, password, f"10.0.0.{len(messages)}", clock=clock)
        assert hasher.verified == before + 1, f"{username}: one password verification, as for any account"
        assert failed.value.retry_after is None
        messages.append(str(failed.value))
    assert messages == [GENERIC_FAILURE] * 4
    details = {(e.actor, e.detail) for e in audit_entries(store, action="login_failed")}
    assert details == {("li", "wrong password"), ("visitor", "unknown account"), ("gone", "account disabled"),
                       ("sso", "no local password (single sign-on only)")}


@pytest.mark.parametrize("username", ["li", "ghost"])  # an unknown account is throttled just the same
def test_five_failures_throttle_even_the_right_password(store, clock, username):
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    for i in range(5):
        with pytest.raises(LoginFailed, match=GENERIC_FAILURE):
            authenticate(store, username, "wrong password!", f"10.0.0.{i}", clock=clock)
        clock.advance(1)
    for seconds_left in (29, 19):  # 30 s after the last failure; refused attempts do not extend it
        with pytest.raises(LoginFailed, match=f"try again in {seconds_left} s") as throttled:
            authenticate(store, username, PASSWORD, "10.0.1.1", clock=clock)
        assert throttled.value.retry_after == seconds_left
        clock.advance(10)
    clock.advance(9)
    if username == "li":
        assert authenticate(store, username, PASSWORD, "10.0.1.1", clock=clock).username == "li"
    else:
        with pytest.raises(LoginFailed, match=GENERIC_FAILURE):
            authenticate(store, username, PASSWORD, "10.0.1.1", clock=clock)


def test_the_wait_doubles_up_to_fifteen_minutes(store, clock):
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    for _ in range(5):
        with pytest.raises(LoginFailed):
            authenticate(store, "li", "wrong password!", "", clock=clock)
    waits = []
    for _ in range(7):
        with pytest.raises(LoginFailed) as throttled:
            authenticate(store, "li", PASSWORD, "", clock=clock)
        waits.append(throttled.value.retry_after)
        clock.advance(throttled.value.retry_after)
        with pytest.raises(LoginFailed, match=GENERIC_FAILURE):
            authenticate(store, "li", "wrong password!", "", clock=clock)
    assert waits == [30, 60, 120, 240, 480, 900, 900]


def test_a_success_resets_the_account_and_quiet_time_forgets_failures(store, clock):
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)

    def fail(times: int) -> None:
        for _ in range(times):
            with pytest.raises(LoginFailed, match=GENERIC_FAILURE):
                authenticate(store, "li", "wrong password!", "", clock=clock)

    fail(4)
    authenticate(store, "li", PASSWORD, "", clock=clock)
    fail(4)
    clock.advance(15 * 60 + 1)  # a quarter of an hour without a failure ends the run
    fail(4)
    authenticate(store, "li", PASSWORD, "", clock=clock)
    fail(5)
    with pytest.raises(LoginFailed, match="try again"):
        authenticate(store, "li", PASSWORD, "", clock=clock)


def test_one_client_is_throttled_across_accounts(store, clock):
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    add_user(store, "leader", "viewer", password=PASSWORD, actor=ACTOR)
    for name in ("zhang", "wang", "zhao", "admin", "leader"):
        with pytest.raises(LoginFailed, match=GENERIC_FAILURE):
            authenticate(store, name, "wrong password!", "203.0.113.9", clock=clock)
    with pytest.raises(LoginFailed, match="try again in 30 s"):
        authenticate(store, "li", PASSWORD, "203.0.113.9", clock=clock)
    # the accounts themselves are not throttled: from another client they sign in
    assert authenticate(store, "li", PASSWORD, "198.51.100.7", clock=clock).username == "li"
    assert authenticate(store, "leader", PASSWORD, "198.51.100.7", clock=clock).username == "leader"
    # and a success elsewhere does not lift the client's wait
    with pytest.raises(LoginFailed, match="try again"):
        authenticate(store, "leader", PASSWORD, "203.0.113.9", clock=clock)


def test_a_changed_hashing_setting_renews_the_hash_at_the_next_login(store, clock, monkeypatch):
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    before = get_user(store, "li")
    monkeypatch.setattr(users_module, "HASHER", CountingHasher(time_cost=2))
    authenticate(store, "li", PASSWORD, "10.0.0.1", clock=clock)
    with store.engine.connect() as conn:
        renewed = conn.execute(select(users.c.password_hash).where(users.c.username == "li")).scalar_one()
    assert ",t=2," in renewed
    assert get_user(store, "li").password_changed_at == before.password_changed_at  # sessions stay valid
    assert authenticate(store, "li", PASSWORD, "10.0.0.1", clock=clock).username == "li"


def test_tokens_keep_a_login_until_they_expire_or_are_forged(store, clock):
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    user = authenticate(store, "li", PASSWORD, "10.0.0.1", clock=clock)
    token = issue_token(user, SECRET, 3600, clock)
    assert verify_token(store, token, SECRET, clock) == user
    body, signature = token.split(".")
    forged_body = accounts.login._encode(accounts.login._decode(body).replace(b'"li"', b'"boss"'))
    for bad in (f"{forged_body}.{signature}", f"{body}.{signature[:-2]}AA", token + "x", "", "a.b.c", "..",
                "not a token"):
        assert verify_token(store, bad, SECRET, clock) is None, bad
    assert verify_token(store, token, "t" * 40, clock) is None  # signed with another secret
    clock.advance(3599)
    assert verify_token(store, token, SECRET, clock) == user
    clock.advance(1)
    assert verify_token(store, token, SECRET, clock) is None
    with pytest.raises(ValueError, match="at least 32"):
        issue_token(user, "short", 3600, clock)
    with pytest.raises(ValueError, match="at least 32"):
        verify_token(store, token, "short", clock)
    with pytest.raises(ValueError, match="no session"):
        issue_token(VISITOR, SECRET, 3600, clock)


def test_a_token_reads_the_account_afresh(store, clock):
    add_user(store, "admin", "admin", password=PASSWORD, actor=ACTOR)
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR)
    token = issue_token(authenticate(store, "li", PASSWORD, "10.0.0.1", clock=clock), SECRET, 3600, clock)
    set_role_and_zones(store, "li", "zone_editor", ["linkong", "yinong"], actor=ACTOR)
    assert verify_token(store, token, SECRET, clock).zones == {"linkong", "yinong"}
    set_disabled(store, "li", True, actor=ACTOR)
    assert verify_token(store, token, SECRET, clock) is None  # out at the next action
    set_disabled(store, "li", False, actor=ACTOR)
    assert verify_token(store, token, SECRET, clock) is not None
    reset_password(store, "li", "a brand new password", actor=ACTOR)
    assert verify_token(store, token, SECRET, clock) is None  # a reset ends older sessions
    fresh = authenticate(store, "li", "a brand new password", "10.0.0.1", clock=clock)
    assert verify_token(store, issue_token(fresh, SECRET, 3600, clock), SECRET, clock) == fresh


def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(store):
    add_user(store, "admin", "admin", password=PASSWORD, actor=ACTOR)
    with pytest.raises(AccountError, match="last enabled admin"):
        set_disabled(store, "admin", True, actor=ACTOR)
    with pytest.raises(AccountError, match="last enabled admin"):
        set_role_and_zones(store, "admin", "viewer", actor=ACTOR)
    add_user(store, "second", "admin", password=PASSWORD, actor=ACTOR)
    assert set_role_and_zones(store, "admin", "viewer", actor=ACTOR).role is Role.VIEWER


def test_account_changes_from_the_app_need_manage_users(store, people):
    with pytest.raises(PermissionDenied, match="manage_users"):
        add_user(store, "sneaky", "admin", password=PASSWORD, actor=people["viewer"])
    assert get_user(store, "sneaky") is None
    added = add_user(store, "clerk", "viewer", password=PASSWORD, actor=people["admin"])
    assert added == User("clerk", "", Role.VIEWER, password_changed_at=added.password_changed_at)
    entries = audit_entries(store, action="user_add", limit=2)
    assert [(e.actor, e.outcome) for e in entries] == [("boss", "ok"), ("leader", "refused")]


def test_logins_and_account_changes_are_audited_without_any_password(store, clock):
    passwords = [PASSWORD, "wrong password!", "a brand new password", "typed in the name field"]
    add_user(store, "admin", "admin", password=PASSWORD, actor=ACTOR, clock=clock)
    add_user(store, "li", "zone_editor", password=PASSWORD, zones=["linkong"], actor=ACTOR, client="10.9.9.9",
             clock=clock)
    authenticate(store, "li", PASSWORD, "10.0.0.1", clock=clock)
    for _ in range(5):
        with pytest.raises(LoginFailed):
            authenticate(store, "li", "wrong password!", "10.0.0.1", clock=clock)
    with pytest.raises(LoginFailed, match="try again"):
        authenticate(store, "li", PASSWORD, "10.0.0.1", clock=clock)
    with pytest.raises(LoginFailed):
        authenticate(store, "typed in the name field", PASSWORD, "10.0.0.2", clock=clock)
    reset_password(store, "li", "a brand new password", actor=ACTOR, clock=clock)
    set_role_and_zones(store, "li", "zone_editor", ["linkong", "yinong"], actor=ACTOR, clock=clock)
    set_disabled(store, "li", True, actor=ACTOR, clock=clock)
    set_disabled(store, "li", False, actor=ACTOR, clock=clock)
    with pytest.raises(AccountError):
        reset_password(store, "li", "short", actor=ACTOR, clock=clock)

    entries = audit_entries(store)
    assert [(e.actor, e.action, e.outcome) for e in reversed(entries)] == [
        (ACTOR, "user_add", "ok"), (ACTOR, "user_add", "ok"), ("li", "login_ok", "ok"),
        *[("li", "login_failed", "refused")] * 5, ("li", "login_throttled", "refused"),
        ("visitor", "login_failed", "refused"), (ACTOR, "user_reset_password", "ok"), (ACTOR, "user_role", "ok"),
        (ACTOR, "user_disable", "ok"), (ACTOR, "user_enable", "ok"), (ACTOR, "user_reset_password", "refused"),
    ]
    assert entries[-2].client == "10.9.9.9" and entries[-3].client == "10.0.0.1"
    assert entries[3].detail == "li: zone_editor (linkong) → zone_editor (linkong, yinong)"
    with store.engine.connect() as conn:
        raw = [*conn.execute(select(audit_log)).all(), *conn.execute(select(login_attempts)).all()]
    cells = [str(cell).lower() for row in raw for cell in row]
    for password in [*passwords, "short"]:
        assert not any(password in cell for cell in cells), password


def test_record_and_filter_the_audit_log(store, clock):
    start = clock()
    record(store, "li", "upload", "ok", client="10.0.0.1", zone_id="linkong", month="2022-07",
           filename="linkong-2022-07.xlsx", sha256="a" * 64, at=start)
    record(store, "boss", "publish", "ok", version=2, zone_id="linkong", month="2022-07",
           at=start + timedelta(minutes=5))
    record(store, "li", "upload", "refused", zone_id="yinong", detail="li (zone editor of linkong) may not …",
           at=start + timedelta(minutes=10))
    entry = audit_entries(store, actor="boss")[0]
    assert (entry.action, entry.version, entry.at) == ("publish", 2, start + timedelta(minutes=5))
    assert [e.outcome for e in audit_entries(store, action="upload")] == ["refused", "ok"]
    assert len(audit_entries(store, since=start + timedelta(minutes=5))) == 2
    assert len(audit_entries(store, until=start + timedelta(minutes=5))) == 1
    beijing = start.astimezone(timezone(timedelta(hours=8)))  # the same moment, named in Beijing time
    assert len(audit_entries(store, since=beijing)) == 3
    assert len(audit_entries(store, limit=1)) == 1
    for bad in ({"action": "delete"}, {"outcome": "maybe"}, {"month": "July"}, {"sha256": "abc"}):
        with pytest.raises(ValueError):
            record(store, "li", **{"action": "upload", "outcome": "ok", **bad})


def test_audit_csv_is_excel_ready_and_neutralises_formulas(store, clock):
    record(store, "li", "upload", "refused", filename="=cmd()|' /C calc'!A0", detail="+SUM(A1)", at=clock())
    data = audit_csv(audit_entries(store))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["audit_id", "at", "actor", "client", "action", "outcome", "version", "zone_id",
                             "month", "filename", "sha256", "detail"]
    assert rows[0]["filename"] == "'=cmd()|' /C calc'!A0" and rows[0]["detail"] == "'+SUM(A1)"
    assert rows[0]["at"] == "2026-03-02T01:00:00+00:00" and rows[0]["version"] == ""


def test_command_line_manages_accounts(store_url, store, capsys, monkeypatch, tmp_path):
    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("users", "--url", store_url, "add", "Admin", "--role", "admin", "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert code == 0 and out == "added admin (admin)\n"
    assert authenticate(store, "admin", PASSWORD, "").role is Role.ADMIN  # the line end is not in the password
    code, out, _ = run("users", "add", "li", "--role", "zone_editor", "--zone", "linkong", "--display-name", "李",
                       "--email", "li@example.org", "--password-stdin", "--url", store_url, stdin=PASSWORD)
    assert code == 0 and "zone editor of linkong" in out
    code, out, _ = run("users", "--url", store_url, "list")
    assert out.splitlines() == ["admin\tadmin\t-\tenabled\tpassword\t-\t-",
                                "li\tzone_editor\tlinkong\tenabled\tpassword\t李\tli@example.org"]
    code, out, _ = run("users", "--url", store_url, "disable", "li")
    assert (code, out) == (0, "disabled li (disabled zone editor of linkong)\n")
    assert get_user(store, "li").disabled
    assert run("users", "--url", store_url, "enable", "li")[0] == 0 and not get_user(store, "li").disabled
    code, out, _ = run("users", "--url", store_url, "set-role", "li", "--role", "zone_editor", "--zone", "linkong",
                       "--zone", "yinong")
    assert code == 0 and out == "now li (zone editor of linkong, yinong)\n"
    answers = iter(["a new password 1", "a new password 1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run("users", "--url", store_url, "reset-password", "li")[0] == 0
    assert authenticate(store, "li", "a new password 1", "").username == "li"

    for argv, stdin, error in [
        (("add", "wang", "--role", "zone_editor", "--zone", "mars", "--no-password"), "", "unknown zone mars"),
        (("add", "wang", "--role", "boss", "--no-password"), "", "unknown role 'boss'"),
        (("add", "wang", "--role", "viewer", "--password-stdin"), "short\n", "at least 10 characters"),
        (("add", "ADMIN", "--role", "viewer", "--no-password"), "", "user 'admin' exists already"),
        (("disable", "nobody"), "", "there is no user 'nobody'"),
        (("set-role", "li", "--role", "viewer", "--zone", "linkong"), "", "only zone editors"),
    ]:
        code, out, err = run("users", "--url", store_url, *argv, stdin=stdin)
        assert (code, out) == (1, "") and err.startswith("error: ") and error in err, argv
        assert err.count("\n") == 1 and "short" not in err
    answers = iter(["a new password 1", "a new password 2"])
    code, _, err = run("users", "--url", store_url, "reset-password", "li")
    assert code == 1 and err == "error: the two passwords differ\n"

    code, out, _ = run("audit", "--url", store_url, "list", "--action", "user_add")
    lines = out.splitlines()
    assert len(lines) == 6 and all("\tcli:" in line and "\tuser_add\t" in line for line in lines)
    assert lines[-1].endswith("\tok\t-\tadmin: role admin, password") and "\trefused\t" in lines[0]
    code, out, _ = run("audit", "--url", store_url, "list", "--actor", "li", "--limit", "1")
    assert code == 0 and out.count("\n") == 1 and "\tlogin_ok\t" in out
    code, out, _ = run("audit", "--url", store_url, "export", str(tmp_path / "audit.csv"), "--action", "user_role")
    assert (code, out) == (0, f"wrote 2 entries to {tmp_path / 'audit.csv'}\n")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "audit.csv").read_text("utf-8-sig"))))
    assert [(r["outcome"], r["detail"]) for r in rows] == [
        ("refused", "li: only zone editors are bound to zones; a viewer sees every zone"),
        ("ok", "li: zone_editor (linkong) → zone_editor (linkong, yinong)")]
    assert all(r["actor"].startswith("cli:") and r["action"] == "user_role" for r in rows)
    code, _, err = run("audit", "--url", store_url, "export", str(tmp_path / "missing" / "audit.csv"))
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1


def test_login_attempts_older_than_a_day_are_dropped_but_the_audit_keeps_them(store, clock):
    add_user(store, "old", Role.VIEWER, password=PASSWORD, actor=ACTOR)
    for _ in range(3):
        with pytest.raises(LoginFailed):
            authenticate(store, "old", "wrong password", "10.0.0.9", clock=clock)
    clock.advance(25 * 3600)
    authenticate(store, "old", PASSWORD, "10.0.0.9", clock=clock)
    with store.engine.connect() as conn:
        kept = conn.execute(select(login_attempts.c.outcome)).scalars().all()
    assert kept == ["ok"]
    assert len(audit_entries(store, action="login_failed", actor="old")) == 3


def test_the_browsers_address_is_taken_from_a_trusted_proxy_only():
    from corpsmap.ui.session import forwarded_client

    nginx = "10.0.0.5"
    # Through nginx on this host or a listed one: the address nginx appended, not what the browser wrote first.
    assert forwarded_client("", "6.6.6.6, 192.168.3.20", frozenset()) == "192.168.3.20"
    assert forwarded_client("127.0.0.1", "192.168.3.20", frozenset()) == "192.168.3.20"
    assert forwarded_client(nginx, "192.168.3.21", frozenset({nginx})) == "192.168.3.21"
    # A browser that reaches a server directly cannot claim another address with the header.
    assert forwarded_client("192.168.3.22", "1.2.3.4", frozenset({nginx})) == "192.168.3.22"
    assert forwarded_client("192.168.3.22", None, frozenset()) == "192.168.3.22"
    assert forwarded_client("", None, frozenset()) == ""
    assert forwarded_client("", " , ", frozenset()) == ""
