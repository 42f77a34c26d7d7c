"""Accounts data layer: argon2 hashes, validation, sign-in and its wait, management actions and their audit rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.accounts import (
    REFUSED,
    AccountError,
    add_account,
    authenticate,
    change_role,
    create_demo_accounts,
    create_first_manager,
    get_account,
    list_accounts,
    reset_password,
    set_active,
    sign_in,
    unlock,
    user_for_email,
)
from dashboard.accounts import authentication as auth
from dashboard.accounts.command import run as users_run
from dashboard.cli import build_parser
from dashboard.core.authz import SYSTEM, PermissionDenied, User, system_user
from tests.accounts_support import fast_hashes  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashes")
PW = "correct horse battery"
ADMIN = User("root", "admin", "Alex Admin")
DEMO = system_user("demo")


def _audit(db, *, entity_id: str | None = None) -> list[tuple[str, str]]:
    rows = db.rows("SELECT actor, action, entity_id FROM audit_log ORDER BY audit_id")
    return [(a, b) for a, b, e in rows if entity_id is None or e == entity_id]


def test_password_is_stored_as_an_argon2id_hash_never_in_clear(db):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Dr Ada Park")
    stored = db.scalar("SELECT password_hash FROM accounts WHERE username = 'ada'")
    assert stored.startswith("$argon2id$") and PW not in stored
    assert PW not in db.scalar("SELECT string_agg(coalesce(detail, ''), ' ') FROM audit_log")
    assert "password_hash" not in list_accounts(db, ADMIN).columns


def test_add_account_validates_and_audits(db, manager):
    new_id = add_account(db, manager, username="  Ada.Park ", password=PW, role="practitioner",
                         display_name="Dr Ada Park")
    assert new_id == 1
    acc = get_account(db, "ADA.PARK")
    assert acc.username == "ada.park" and acc.injector_name == "Dr Ada Park"  # practitioner linked by name
    assert _audit(db) == [("mgr", "account.create")]
    with pytest.raises(AccountError, match="taken") as taken:
        add_account(db, SYSTEM, username="ada.park", password=PW, role="manager", display_name="Other")
    assert taken.value.field == "username"
    for kwargs, field in [
        ({"username": "a b"}, "username"),
        ({"username": "x" * 65}, "username"),
        ({"username": "'; DROP TABLE accounts; --"}, "username"),
        ({"password": "short"}, "password"),
        ({"display_name": "  "}, "display_name"),
        ({"display_name": "n" * 201}, "display_name"),
        ({"role": "superuser"}, "role"),
        ({"email": "not-an-email"}, "email"),
    ]:
        args = {"username": "zed", "password": PW, "role": "manager", "display_name": "Zed", **kwargs}
        with pytest.raises(AccountError) as exc:
            add_account(db, SYSTEM, **args)
        assert exc.value.field == field
    assert db.scalar("SELECT count(*) FROM accounts") == 1


def test_first_manager_only_while_there_is_no_account(db):
    user = create_first_manager(db, username="Morgan", display_name="Morgan Manager", password=PW)
    assert user == User("morgan", "manager", "Morgan Manager", None)
    with pytest.raises(AccountError, match="already exists"):
        create_first_manager(db, username="eve", display_name="Eve", password=PW)
    assert db.scalar("SELECT count(*) FROM accounts") == 1


def test_authenticate_returns_the_user_and_records_success_and_failure(db):
    add_account(db, SYSTEM, username="mgr", password=PW, role="manager", display_name="Morgan Manager")
    assert authenticate(db, "MGR ", PW) == User("mgr", "manager", "Morgan Manager", None)
    assert authenticate(db, "mgr", PW + "!") is None
    assert authenticate(db, "ghost", PW) is None
    assert _audit(db)[1:] == [("mgr", "login.success"), ("mgr", "login.failure"), ("ghost", "login.failure")]
    reasons = [r[0] for r in db.rows("SELECT detail->>'reason' FROM audit_log WHERE action = 'login.failure'")]
    assert reasons == ["wrong password", "unknown username"]
    assert db.scalar("SELECT last_login_at FROM accounts") is not None


def test_failures_make_the_next_try_wait_instead_of_locking_the_account(db, monkeypatch):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Ada")
    clock = [datetime(2026, 11, 25, 9, 0, 0)]
    monkeypatch.setattr(auth, "_now", lambda: clock[0])
    for _ in range(6):
        assert sign_in(db, "ada", "wrong password") is REFUSED  # the sixth starts a 30-second wait
    clock[0] += timedelta(seconds=29)
    assert sign_in(db, "ada", PW) is REFUSED  # even the right password waits, with the same answer
    clock[0] += timedelta(seconds=1)
    assert authenticate(db, "ada", PW) is not None  # the wait is over: no lock, no administrator needed
    actions = [a for _, a in _audit(db)]
    assert actions.count("login.failure") == 6 and "account.locked" not in actions
    assert actions[-2:] == ["login.refused", "login.success"]


def test_a_success_resets_the_failure_count(db):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Ada")
    for _ in range(5):
        authenticate(db, "ada", "nope-nope-nope")
    assert authenticate(db, "ada", PW) is not None
    for _ in range(5):
        assert authenticate(db, "ada", "nope-nope-nope") is None  # 5 more: still no wait
    assert authenticate(db, "ada", PW) is not None


def test_deactivated_account_cannot_sign_in(db):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Ada")
    set_active(db, ADMIN, "ada", False)
    assert authenticate(db, "ada", PW) is None
    assert db.scalar("SELECT detail->>'reason' FROM audit_log ORDER BY audit_id DESC LIMIT 1") == "account deactivated"


def test_management_actions_are_audited(db):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Ada")
    add_account(db, ADMIN, username="ben", password=PW, role="manager", display_name="Ben")
    change_role(db, ADMIN, "ada", "manager")
    new_pw = reset_password(db, ADMIN, "ada")
    assert len(new_pw) == 16 and authenticate(db, "ada", new_pw) is not None
    for _ in range(6):
        assert authenticate(db, "ben", "wrong-wrong") is None
    assert authenticate(db, "ben", PW) is None  # waiting
    assert unlock(db, ADMIN, "ben") is True
    assert authenticate(db, "ben", PW) is not None
    set_active(db, ADMIN, "ben", False)
    set_active(db, ADMIN, "ben", True)
    by_admin = [a for actor, a in _audit(db) if actor == "root"]
    assert by_admin == ["account.create", "account.role", "account.password_reset", "account.unlock",
                        "account.deactivate", "account.reactivate"]
    assert db.scalar("SELECT detail FROM audit_log WHERE action = 'account.role'") == \
        '{"old_role": "practitioner", "new_role": "manager", "injector_name": "Ada"}'


def test_the_last_account_that_can_manage_accounts_cannot_be_demoted_or_deactivated(db):
    add_account(db, SYSTEM, username="mgr", password=PW, role="manager", display_name="Morgan")
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Ada")
    mgr = User("mgr", "manager", "Morgan")
    with pytest.raises(AccountError, match="last active account"):
        change_role(db, ADMIN, "mgr", "practitioner")
    with pytest.raises(AccountError, match="your own account"):
        set_active(db, mgr, "mgr", False)
    with pytest.raises(AccountError, match="last active account"):
        set_active(db, ADMIN, "mgr", False)
    change_role(db, mgr, "ada", "admin")
    change_role(db, mgr, "mgr", "practitioner")  # now allowed: ada can manage accounts
    assert get_account(db, "mgr").role == "practitioner"


@pytest.mark.parametrize("fn,args", [
    (list_accounts, ()),
    (add_account, ()),
    (change_role, ("ada", "manager")),
    (reset_password, ("ada",)),
    (unlock, ("ada",)),
    (set_active, ("ada", False)),
])
def test_a_practitioner_cannot_manage_accounts_through_the_data_layer(db, practitioner, fn, args):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Ada")
    before = db.data_version()
    with pytest.raises(PermissionDenied):
        if fn is add_account:
            fn(db, practitioner, username="eve", password=PW, role="admin", display_name="Eve")
        else:
            fn(db, practitioner, *args)
    with pytest.raises(PermissionDenied):
        fn(db, None, *args) if fn is not add_account else fn(db, None, username="x", password=PW, role="admin",
                                                              display_name="X")
    assert db.data_version() == before
    assert get_account(db, "ada").role == "practitioner"


def test_single_sign_on_maps_an_email_to_an_active_account(db):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Ada",
                email="Ada@Clinic.example")
    assert user_for_email(db, "ada@clinic.example").username == "ada"
    assert user_for_email(db, "eve@clinic.example") is None
    set_active(db, ADMIN, "ada", False)
    assert user_for_email(db, "ada@clinic.example") is None
    assert [a for _, a in _audit(db)][-4:] == ["login.success", "login.failure", "account.deactivate",
                                               "login.failure"]


def test_demo_accounts_have_random_passwords_that_work_and_can_be_reissued(db):
    first = create_demo_accounts(db, DEMO, ["Dr Ada Park", "Nurse Ben Ng", "Dr. Ada Park"])
    assert [(u, r) for u, _, r in first] == [("manager", "manager"), ("admin", "admin"),
                                             ("ada.park", "practitioner"), ("nurse.ben.ng", "practitioner"),
                                             ("ada.park2", "practitioner")]
    assert len({p for _, p, _ in first}) == 5
    assert get_account(db, "ada.park2").injector_name == "Dr. Ada Park"
    again = create_demo_accounts(db, DEMO, ["Dr Ada Park"])
    assert authenticate(db, "manager", again[0][1]) is not None
    assert authenticate(db, "manager", first[0][1]) is None
    assert db.scalar("SELECT count(*) FROM accounts") == 5


def test_users_command(db_file, capsys):
    def users(*argv: str) -> int:
        args = build_parser().parse_args(["users", *argv, "--db", str(db_file)])
        return users_run(args)

    assert users("add", "--username", "kim", "--role", "manager", "--display-name", "Kim Lee") == 0
    out = capsys.readouterr()
    password = out.out.strip().removeprefix("password: ")
    assert "created manager account 'kim'" in out.err
    assert users("add", "--username", "kim", "--role", "manager", "--display-name", "Kim") == 2
    assert "taken" in capsys.readouterr().err
    assert users("add", "--username", "x") == 2
    assert "needs --role, --display-name" in capsys.readouterr().err
    assert users("add", "--username", "ada", "--role", "practitioner", "--display-name", "Ada",
                 "--injector-name", "Dr Ada Park", "--email", "Ada.Park@clinic.example") == 0
    assert users("list") == 0
    assert "Kim Lee" in capsys.readouterr().out
    assert users("unlock", "--username", "kim") == 0
    assert "no failed sign-ins to clear" in capsys.readouterr().err
    from dashboard.core.db import open_database

    db = open_database(db_file)
    try:
        for _ in range(6):
            authenticate(db, "kim", "a wrong guess")
        assert authenticate(db, "kim", password) is None  # waiting
    finally:
        db.close()
    assert users("unlock", "--username", "kim") == 0
    assert "failed sign-ins cleared, no wait" in capsys.readouterr().err
    db = open_database(db_file)
    try:
        assert authenticate(db, "kim", password) is not None  # `users unlock` cleared the wait
    finally:
        db.close()
    assert users("reset-password", "--username", "kim") == 0
    new_password = capsys.readouterr().out.strip().removeprefix("password: ")
    assert new_password != password
    db = open_database(db_file)
    try:
        assert authenticate(db, "kim", new_password) is not None
        ada = get_account(db, "ada")
        assert ada.injector_name == "Dr Ada Park"
        assert user_for_email(db, "ada.park@clinic.example").injector_name == "Dr Ada Park"
        assert [r[0] for r in db.rows("SELECT DISTINCT actor FROM audit_log WHERE action LIKE 'account.%'")][0] \
            .startswith("cli:")
    finally:
        db.close()
