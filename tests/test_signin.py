"""Sign-in gate through AppTest of the real entry point: setup, login, one refusal message, notice, expiry, sign-out."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.accounts import FAILED_SIGN_IN, add_account
from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from dashboard.web.signin import IDLE_LIMIT, LAST_ACTIVITY_KEY, METHOD_KEY
from tests.accounts_support import fast_hashes  # noqa: F401

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("fast_hashes")
PASSWORD = "correct horse battery"


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def _audit_actions(db_file, username: str) -> list[str]:
    db = open_database(db_file)
    try:
        return [r[0] for r in db.rows("SELECT action FROM audit_log WHERE actor = $u ORDER BY audit_id",
                                      {"u": username})]
    finally:
        db.close()


@pytest.fixture
def with_account(db_file):
    db = open_database(db_file)
    add_account(db, SYSTEM, username="ada", password=PASSWORD, role="practitioner", display_name="Dr Ada Park")
    add_account(db, SYSTEM, username="mgr", password=PASSWORD, role="manager", display_name="Morgan Manager")
    db.close()
    return db_file


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    return at.button(key="sign_in_submit").click().run()


def test_first_start_shows_setup_and_creates_a_manager(db_file):
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "Welcome to InjectWatch"
    labels = [t.label for t in at.text_input]
    assert labels == ["Username", "Display name", "Password", "Password again"]
    at.text_input(key="setup_username").input("Morgan")
    at.text_input(key="setup_display_name").input("Morgan Manager")
    at.text_input(key="setup_password").input("short")
    at.text_input(key="setup_password_again").input("short")
    at.button(key="setup_submit").click().run()
    assert [e.value for e in at.error] == ["The password needs at least 10 characters (it has 5)."]
    assert at.text_input(key="setup_username").value == "Morgan"  # nothing typed is lost
    at.text_input(key="setup_password").input(PASSWORD)
    at.text_input(key="setup_password_again").input(PASSWORD + "x")
    at.button(key="setup_submit").click().run()
    assert "differ" in at.error[0].value
    at.text_input(key="setup_password_again").input(PASSWORD)
    at.button(key="setup_submit").click().run()
    assert not at.exception
    assert at.session_state["user"].username == "morgan"
    assert at.session_state["user"].role == "manager"
    assert _audit_actions(db_file, "morgan") == ["account.create", "login.success"]


def test_login_form_has_the_labels_the_browser_tests_use(with_account):
    at = _app().run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert at.button(key="sign_in_submit").label == "Sign in"
    assert "user" not in at.session_state


def test_wrong_password_then_right_one_signs_in_and_audits(with_account):
    at = _sign_in(_app().run(), "ada", "wrong password")
    assert "not right" in at.error[0].value
    assert "user" not in at.session_state
    assert at.text_input(key="signin_username").value == "ada"
    at = _sign_in(at, "ADA", PASSWORD)
    assert not at.exception
    assert at.session_state["user"].username == "ada"
    assert _audit_actions(with_account, "ada") == ["login.failure", "login.success"]


def test_empty_fields_get_messages_next_to_them(with_account):
    at = _app().run()
    at.button(key="sign_in_submit").click().run()
    assert [e.value for e in at.error] == ["Enter your username.", "Enter your password."]


def _page_text(at: AppTest) -> list[tuple[str, str]]:
    """Everything the sign-in screen says (messages, notes, captions), to compare two answers."""
    return [(kind, str(e.value)) for kind in ("error", "warning", "info", "success", "caption", "markdown")
            for e in getattr(at, kind)]


def test_unknown_name_wrong_password_and_waiting_show_the_same_screen(with_account):
    unknown = _page_text(_sign_in(_app().run(), "nobody.here", PASSWORD))
    wrong = _page_text(_sign_in(_app().run(), "ada", "not the password"))
    at = _app().run()
    for _ in range(5):
        at = _sign_in(at, "ada", "not the password")  # the sixth failure in a row: ada now waits
    waiting = _page_text(_sign_in(at, "ada", PASSWORD))  # the right password, during the wait
    assert unknown == wrong == waiting
    assert ("error", FAILED_SIGN_IN) in unknown
    assert "user" not in at.session_state
    assert "Wait a moment and try again" in FAILED_SIGN_IN and "locked" not in FAILED_SIGN_IN
    actions = _audit_actions(with_account, "ada")
    assert actions == ["login.failure"] * 6 + ["login.refused"]


def test_the_failed_tries_notice_is_shown_once_after_signing_in(with_account):
    at = _sign_in(_app().run(), "ada", "not the password")
    at = _sign_in(at, "ada", "still not it")
    at = _sign_in(at, "ada", PASSWORD)
    assert at.session_state["user"].username == "ada"
    notes = [w.value for w in at.warning]
    assert len(notes) == 1
    assert notes[0].startswith("There were 2 failed sign-in attempts on your account since you last signed in, "
                               "the latest on ")
    assert "tell your clinic manager" in notes[0]
    at.run()  # the next click: the notice is gone
    assert not at.warning
    at.sidebar.button(key="iw_sign_out").click().run()
    at = _sign_in(at, "ada", PASSWORD)  # and it does not come back at the next sign-in
    assert at.session_state["user"].username == "ada" and not at.warning


def test_the_browser_address_reaches_the_throttle_and_the_audit_trail(with_account, monkeypatch):
    from dashboard.web import signin
    monkeypatch.setattr(signin, "client_address", lambda: "203.0.113.9")
    _sign_in(_app().run(), "ada", "not the password")
    db = open_database(with_account)
    try:
        assert db.scalar("SELECT detail->>'address' FROM audit_log WHERE action = 'login.failure'") == "203.0.113.9"
        assert db.scalar("SELECT failures FROM signin_throttle WHERE scope = 'address' AND key = '203.0.113.9'") == 1
    finally:
        db.close()


def test_session_ends_after_eight_idle_hours(with_account):
    at = _sign_in(_app().run(), "ada", PASSWORD)
    assert at.session_state["user"].username == "ada"
    at.session_state[LAST_ACTIVITY_KEY] = time.time() - IDLE_LIMIT.total_seconds() + 60
    at.run()
    assert at.session_state["user"].username == "ada"  # 7 h 59 min idle: still signed in
    at.session_state[LAST_ACTIVITY_KEY] = time.time() - IDLE_LIMIT.total_seconds() - 1
    at.run()
    assert "user" not in at.session_state
    assert "8 idle hours" in at.info[0].value
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert _audit_actions(with_account, "ada")[-1] == "session.expired"


def test_idle_expiry_also_ends_single_sign_on(with_account, monkeypatch):
    import streamlit

    calls: list[bool] = []
    monkeypatch.setattr(streamlit, "logout", lambda: calls.append(True))
    at = _sign_in(_app().run(), "ada", PASSWORD)
    at.session_state[METHOD_KEY] = "sso"  # as if signed in through the identity provider
    at.session_state[LAST_ACTIVITY_KEY] = time.time() - IDLE_LIMIT.total_seconds() - 1
    at.run()
    assert "user" not in at.session_state
    assert calls, "the identity cookie must be cleared, or single sign-on signs the person straight back in"


def test_sign_out_button_ends_the_session(with_account):
    at = _sign_in(_app().run(), "mgr", PASSWORD)
    assert at.sidebar.text[0].value == "Signed in as Morgan Manager (manager)"
    at.sidebar.button(key="iw_sign_out").click().run()
    assert "user" not in at.session_state
    assert "signed out" in at.info[0].value
    assert _audit_actions(with_account, "mgr")[-1] == "logout"


def test_deactivated_account_is_signed_out_at_the_next_click(with_account):
    from dashboard.accounts import set_active
    from dashboard.core.authz import SYSTEM

    at = _sign_in(_app().run(), "ada", PASSWORD)
    assert at.session_state["user"].username == "ada"
    from dashboard.web.ui import get_db  # the app's own handle (one process per DuckDB file)

    set_active(get_db(), SYSTEM, "ada", False)
    at.run()
    assert "user" not in at.session_state
    assert "deactivated" in at.info[0].value


def test_a_database_held_by_another_process_gets_a_plain_message(db_file, monkeypatch):
    from pathlib import Path as _P

    from dashboard.core.db import DatabaseLockedError
    from dashboard.web import signin

    def busy():
        raise DatabaseLockedError(f"The database {_P(db_file)} is open in another process (DuckDB allows one process "
                                  "per file). Details: IO Error: Could not set lock on file")

    monkeypatch.setattr(signin, "get_db", busy)
    at = _app().run()
    assert not at.exception
    assert "in use by another program" in at.error[0].value
    assert "Could not set lock" in at.text[0].value
    assert at.button[0].label == "Try again"


def test_single_sign_on_maps_the_email_to_the_local_account(with_account, monkeypatch):
    from dashboard.accounts import add_account as _create
    from dashboard.web import signin

    db = open_database(with_account)
    _create(db, SYSTEM, username="eve", password=PASSWORD, role="manager", display_name="Eve", email="Eve@Clinic.example")
    db.close()
    monkeypatch.setattr(signin, "sso_email", lambda: "eve@clinic.example")
    at = _app().run()
    assert not at.exception
    assert at.session_state["user"].username == "eve"
    assert at.session_state[signin.METHOD_KEY] == "sso"
    monkeypatch.setattr(signin, "sso_email", lambda: "stranger@else.example")
    at = _app().run()
    assert "user" not in at.session_state
    assert "No active InjectWatch account uses the e-mail" in at.error[0].value
    assert at.text[0].value == "stranger@else.example"
    assert _audit_actions(with_account, "eve")[-1] == "login.success"


def test_sso_configured_without_authlib_says_so_and_keeps_password_sign_in(with_account):
    at = _app()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.run()
    assert not at.exception
    import importlib.util

    if importlib.util.find_spec("authlib") is None:
        assert "Authlib is not installed" in at.warning[0].value
    else:
        assert at.button[0].label.startswith("Sign in with your clinic account")
    assert [t.label for t in at.text_input] == ["Username", "Password"]
