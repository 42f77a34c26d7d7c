"""Accounts page through AppTest: list, add (with field messages), change role, reset, unlock (sign-in wait), deactivate."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.accounts import add_account, authenticate
from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from tests.accounts_support import fast_hashes  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashes")
PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "accounts.py")
PW = "correct horse battery"


@pytest.fixture
def page(db_file, admin):
    db = open_database(db_file)
    add_account(db, SYSTEM, username="root", password=PW, role="admin", display_name="Alex Admin")
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Dr Ada Park")
    db.close()
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = admin
    return at.run()


def _db_rows(db_file, sql: str):
    from dashboard.web.ui import get_db

    return get_db().rows(sql)


def test_lists_accounts_without_hashes(page):
    assert not page.exception
    frame = page.dataframe[0].value
    assert list(frame["username"]) == ["ada", "root"]
    assert "password_hash" not in frame.columns
    assert set(frame["status"]) == {"active"}
    # nobody has signed in and root has no injector or e-mail: plain words, not a grey "None"
    assert set(frame["last_login_at"]) == {"never"}
    assert frame.set_index("username").loc["root", "injector_name"] == "—"
    assert frame.set_index("username").loc["root", "email"] == "—"


def test_add_account_shows_messages_next_to_fields_and_keeps_input(page, db_file):
    page.text_input(key="acc_add_username").input("new nurse")
    page.text_input(key="acc_add_display_name").input("Nurse Ng")
    page.text_input(key="acc_add_password").input("short")
    page.text_input(key="acc_add_password_again").input("short")
    page.button(key="acc_add_submit").click().run()
    errors = [e.value for e in page.error]
    assert any("no spaces" in e for e in errors) and any("at least 10 characters" in e for e in errors)
    assert page.text_input(key="acc_add_display_name").value == "Nurse Ng"
    page.text_input(key="acc_add_username").input("ng")
    page.text_input(key="acc_add_password").input(PW)
    page.text_input(key="acc_add_password_again").input(PW)
    page.button(key="acc_add_submit").click().run()
    assert not page.error
    assert "Account 'ng' created (practitioner)." in page.success[0].value
    assert "ng" in list(page.dataframe[0].value["username"])
    assert _db_rows(db_file, "SELECT actor, entity_id FROM audit_log WHERE action = 'account.create' "
                             "ORDER BY audit_id DESC LIMIT 1") == [("root", "ng")]


def test_change_role_reset_unlock_deactivate_each_audited(page, db_file):
    from dashboard.web.ui import get_db

    page.selectbox(key="acc_target").select("ada").run()
    page.selectbox(key="acc_new_role").select("manager").run()
    page.button(key="acc_change_role").click().run()
    assert "Role changed" in page.success[0].value
    page.button(key="acc_reset").click().run()
    new_password = page.code[0].value
    assert len(new_password) == 16 and "shown only now" in page.warning[0].value
    assert authenticate(get_db(), "ada", new_password).role == "manager"
    for _ in range(6):
        assert authenticate(get_db(), "ada", "wrong password!") is None
    assert authenticate(get_db(), "ada", new_password) is None  # waiting after six failures
    page.run()
    status = page.dataframe[0].value.set_index("username").loc["ada", "status"]
    assert status.startswith("sign-in waits until ") and status.endswith("(6 failed tries)")
    assert not page.button(key="acc_unlock").disabled
    page.button(key="acc_unlock").click().run()
    assert "Sign-in wait cleared: 'ada'." in page.success[0].value
    assert page.dataframe[0].value.set_index("username").loc["ada", "status"] == "active"
    assert page.button(key="acc_unlock").disabled
    assert authenticate(get_db(), "ada", new_password) is not None
    page.button(key="acc_deactivate").click().run()
    assert page.dataframe[0].value.set_index("username").loc["ada", "status"] == "deactivated"
    actions = [r[0] for r in _db_rows(db_file, "SELECT action FROM audit_log WHERE actor = 'root' ORDER BY audit_id")]
    assert actions == ["account.role", "account.password_reset", "account.unlock", "account.deactivate"]


def test_cannot_deactivate_yourself_message(page):
    page.selectbox(key="acc_target").select("root").run()
    page.button(key="acc_deactivate").click().run()
    assert page.error[0].value == "You cannot deactivate your own account."


def test_practitioner_is_stopped_before_any_account_data(db_file, practitioner):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = practitioner
    at.run()
    assert not at.exception
    assert at.error[0].value == "Your role (practitioner) cannot open this page."
    assert not at.dataframe and not at.text_input
