"""Throttled sign-in: one answer for every failure, a wait that grows per username and per address, no lock-out."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest

from dashboard.accounts import (
    REFUSED,
    add_account,
    reset_password,
    set_active,
    sign_in,
    sso_sign_in,
    unlock,
)
from dashboard.accounts import authentication as auth
from dashboard.accounts import repository as repo
from dashboard.accounts.throttle import (
    ADDRESS,
    ADDRESS_RULE,
    NAME,
    NAME_RULE,
    ThrottleState,
    after_failure,
)
from dashboard.core.authz import SYSTEM, User
from dashboard.core.config import MIGRATIONS_DIR
from dashboard.core.db import Database, migration_files
from tests.accounts_support import fast_hashes  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashes")
PW = "correct horse battery"
ADMIN = User("root", "admin", "Alex Admin")
START = datetime(2026, 11, 25, 9, 0, 0)
S = timedelta(seconds=1)


class Clock:
    """The time sign-in and Unlock see; tests move it forward."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(auth, "_now", c)
    monkeypatch.setattr(repo, "_now", c)
    return c


@pytest.fixture
def ada(db):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Dr Ada Park")
    add_account(db, SYSTEM, username="ben", password=PW, role="manager", display_name="Ben Ng")
    return db


def _wait_until(db, scope: str, key: str) -> datetime | None:
    return db.scalar("SELECT wait_until FROM signin_throttle WHERE scope = $s AND key = $k", {"s": scope, "k": key})


def _actions(db, actor: str) -> list[str]:
    return [r[0] for r in db.rows("SELECT action FROM audit_log WHERE actor = $a AND action LIKE 'login.%' "
                                  "ORDER BY audit_id", {"a": actor})]


# ---------------------------------------------------------------------- the rules (pure)
def test_the_wait_is_free_for_five_failures_then_doubles_up_to_fifteen_minutes():
    waits = [NAME_RULE.wait_for(n).total_seconds() for n in range(1, 13)]
    assert waits == [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert NAME_RULE.wait_for(10_000) == timedelta(minutes=15)
    address = [ADDRESS_RULE.wait_for(n).total_seconds() for n in (20, 21, 22, 26, 27, 500)]
    assert address == [0, 30, 60, 900, 900, 900]


def test_a_try_during_a_wait_is_not_counted_and_an_old_count_is_forgotten():
    state = ThrottleState(NAME, "ada", failures=6, wait_until=START + 30 * S, last_failure_at=START,
                          unseen_failures=6)
    refused = after_failure(state, START + 10 * S, counted=False)
    assert (refused.failures, refused.wait_until, refused.unseen_failures) == (6, START + 30 * S, 7)
    counted = after_failure(refused, START + 40 * S, counted=True)
    assert (counted.failures, counted.wait_until) == (7, START + 100 * S)  # 40 s + 1 minute
    a_day_later = after_failure(counted, START + timedelta(hours=25), counted=True)
    assert (a_day_later.failures, a_day_later.wait_until, a_day_later.unseen_failures) == (1, None, 9)


# ---------------------------------------------------------------------- one answer for every failure
def test_unknown_deactivated_wrong_and_waiting_all_get_the_same_answer(ada, clock):
    add_account(ada, SYSTEM, username="gone", password=PW, role="practitioner", display_name="Gone")
    set_active(ada, ADMIN, "gone", False)
    answers = [sign_in(ada, "ghost", PW), sign_in(ada, "gone", PW), sign_in(ada, "ada", "wrong password")]
    for _ in range(6):
        sign_in(ada, "ben", "wrong password")
    answers.append(sign_in(ada, "ben", PW))  # the right password during a wait
    assert answers == [REFUSED] * 4
    assert all(a is REFUSED for a in answers)
    reasons = [r[0] for r in ada.rows("SELECT detail->>'reason' FROM audit_log WHERE action LIKE 'login.%' "
                                      "ORDER BY audit_id")]
    assert reasons == ["unknown username", "account deactivated", "wrong password"] + ["wrong password"] * 6 + [
        "waiting after failed sign-ins"]
    # the audit row of a refused try never says whether the password was right
    assert "right" not in ada.scalar("SELECT detail FROM audit_log ORDER BY audit_id DESC LIMIT 1")


def test_an_unknown_name_is_throttled_exactly_like_a_real_one(ada, clock):
    for _ in range(7):
        sign_in(ada, "ada", "wrong password")
        sign_in(ada, "ghost", "wrong password")
        clock.advance(2 * 60 * S)  # past each wait, so every try is counted
    rows = dict(((k, (f, w, u)) for k, f, w, u in ada.rows(
        "SELECT key, failures, wait_until, unseen_failures FROM signin_throttle WHERE scope = 'name'")))
    assert rows["ada"] == rows["ghost"]
    assert rows["ada"][0] == 7


# ---------------------------------------------------------------------- per username
def test_the_wait_grows_per_username_and_even_the_right_password_waits(ada, clock):
    for n in range(1, 6):
        assert sign_in(ada, "ada", "wrong password") is REFUSED
        assert _wait_until(ada, NAME, "ada") is None, f"no wait after {n} failures"
    sign_in(ada, "ada", "wrong password")  # the sixth
    assert _wait_until(ada, NAME, "ada") == START + 30 * S
    clock.advance(29 * S)
    assert sign_in(ada, "ada", PW) is REFUSED
    assert _wait_until(ada, NAME, "ada") == START + 30 * S  # a refused try does not make the wait longer
    clock.advance(1 * S)
    sign_in(ada, "ada", "wrong password")  # the seventh, once the wait is over
    assert _wait_until(ada, NAME, "ada") == clock.now + 60 * S
    for expected in (120, 240, 480, 900, 900):
        clock.now = _wait_until(ada, NAME, "ada")
        sign_in(ada, "ada", "wrong password")
        assert _wait_until(ada, NAME, "ada") == clock.now + expected * S
    assert sign_in(ada, "ben", PW).user is not None  # another account is not slowed down
    assert _actions(ada, "ada").count("login.refused") == 1


def test_a_colleague_signs_in_after_the_wait_and_the_count_starts_over(ada, clock):
    for _ in range(12):  # someone else, from one address, drives ada's wait to its cap
        clock.now = max(clock.now, _wait_until(ada, NAME, "ada") or clock.now)
        sign_in(ada, "ada", "guess", "203.0.113.9")
    cap_end = _wait_until(ada, NAME, "ada")
    assert cap_end - clock.now == timedelta(minutes=15)
    clock.advance(14 * 60 * S)
    assert sign_in(ada, "ada", PW, "198.51.100.4") is REFUSED  # ada herself, from the clinic, during the wait
    clock.now = cap_end
    result = sign_in(ada, "ada", PW, "198.51.100.4")
    assert result.user is not None and result.user.username == "ada"
    assert (result.failed_attempts, result.last_failed_at) == (13, cap_end - 60 * S)
    assert sign_in(ada, "ada", "typo", "198.51.100.4") is REFUSED
    assert _wait_until(ada, NAME, "ada") is None  # a success started the count over
    assert sign_in(ada, "ada", PW, "198.51.100.4").user is not None


# ---------------------------------------------------------------------- per address
def test_the_wait_grows_per_address_across_usernames(ada, clock):
    spray = [f"user{i}" for i in range(20)]
    for name in spray:  # password spraying: one try per name, all from one address
        assert sign_in(ada, name, "Winter2026!", "203.0.113.9") is REFUSED
    assert _wait_until(ada, ADDRESS, "203.0.113.9") is None
    sign_in(ada, "ada", "Winter2026!", "203.0.113.9")  # the 21st failure from that address
    assert _wait_until(ada, ADDRESS, "203.0.113.9") == START + 30 * S
    assert sign_in(ada, "ben", PW, "203.0.113.9") is REFUSED  # the right password of another name: still waits
    assert sign_in(ada, "ben", PW, "198.51.100.4").user is not None  # from another address it signs in
    assert sign_in(ada, "ben", PW, None).user is not None  # no address known: per username only
    clock.advance(30 * S)
    sign_in(ada, "nobody", "x", "203.0.113.9")
    assert _wait_until(ada, ADDRESS, "203.0.113.9") == clock.now + 60 * S
    clock.advance(60 * S)
    assert sign_in(ada, "ben", PW, "203.0.113.9").user is not None  # a success there does not clear the address
    assert ada.scalar("SELECT failures FROM signin_throttle WHERE scope = 'address'") == 22


def test_an_address_count_starts_over_after_a_quiet_hour_and_old_rows_are_pruned(ada, clock):
    for i in range(21):
        sign_in(ada, f"user{i}", "x", "203.0.113.9")
    assert _wait_until(ada, ADDRESS, "203.0.113.9") is not None
    clock.advance(ADDRESS_RULE.forget_after + S)
    sign_in(ada, "ada", "x", "198.51.100.4")  # any failed try prunes what is no longer needed
    keys = {(s, k) for s, k in ada.rows("SELECT scope, key FROM signin_throttle")}
    assert (ADDRESS, "203.0.113.9") not in keys
    assert (NAME, "user0") in keys  # unknown names are kept for a day
    clock.advance(NAME_RULE.forget_after)
    sign_in(ada, "ben", "x")
    keys = {k for s, k in ada.rows("SELECT scope, key FROM signin_throttle WHERE scope = 'name'")}
    assert keys == {"ada", "ben"}  # real accounts keep their failed tries until their owner signs in


# ---------------------------------------------------------------------- unlock, reset, notice
def test_unlock_and_a_password_reset_clear_the_wait_but_the_owner_is_still_told(ada, clock):
    for _ in range(12):
        clock.now = max(clock.now, _wait_until(ada, NAME, "ada") or clock.now)
        sign_in(ada, "ada", "guess")
    assert sign_in(ada, "ada", PW) is REFUSED
    assert unlock(ada, ADMIN, "ada") is True
    assert unlock(ada, ADMIN, "ada") is False  # nothing left to clear
    result = sign_in(ada, "ada", PW)
    assert result.user is not None and result.failed_attempts == 13
    for _ in range(6):
        sign_in(ada, "ben", "guess")
    assert sign_in(ada, "ben", PW) is REFUSED
    reset_password(ada, ADMIN, "ben", "a new password here")
    assert sign_in(ada, "ben", "a new password here").failed_attempts == 7
    details = [r[0] for r in ada.rows("SELECT detail FROM audit_log WHERE action = 'account.unlock' "
                                      "ORDER BY audit_id")]
    assert '"was_waiting": true' in details[0] and '"failed_tries": 12' in details[0]


def test_the_failed_tries_are_reported_once_at_the_next_sign_in(ada, clock):
    sign_in(ada, "ada", "guess one")
    clock.advance(90 * S)
    sign_in(ada, "ADA ", "guess two")
    clock.advance(60 * S)
    first = sign_in(ada, "ada", PW)
    assert (first.failed_attempts, first.last_failed_at) == (2, START + 90 * S)
    again = sign_in(ada, "ada", PW)
    assert (again.failed_attempts, again.last_failed_at) == (0, None)
    details = [r[0] for r in ada.rows("SELECT detail->>'failed_tries_before' FROM audit_log "
                                      "WHERE action = 'login.success' ORDER BY audit_id")]
    assert details == ["2", "0"]


def test_single_sign_on_reports_and_clears_the_failed_tries(db, clock):
    add_account(db, SYSTEM, username="eve", password=PW, role="manager", display_name="Eve", email="eve@clinic.example")
    for _ in range(6):
        sign_in(db, "eve", "guess")
    result = sso_sign_in(db, "EVE@clinic.example")
    assert result.user.username == "eve" and result.failed_attempts == 6
    assert sign_in(db, "eve", PW).user is not None  # the wait went with the single sign-on
    assert sso_sign_in(db, "nobody@clinic.example") is REFUSED


def test_a_new_account_does_not_inherit_failed_tries_on_its_name(db, clock):
    for _ in range(7):
        sign_in(db, "newcomer", "guess")
    add_account(db, SYSTEM, username="newcomer", password=PW, role="practitioner", display_name="New")
    result = sign_in(db, "newcomer", PW)
    assert result.user is not None and result.failed_attempts == 0


# ---------------------------------------------------------------------- migration 009
def test_migration_009_turns_a_running_lock_into_a_wait(tmp_path, monkeypatch):
    older = tmp_path / "migrations"
    older.mkdir()
    for f in migration_files():
        if int(f.name[:3]) < 9:
            shutil.copy(f, older / f.name)
    monkeypatch.setattr("dashboard.core.db.MIGRATIONS_DIR", older)
    db = Database(tmp_path / "old.duckdb")
    db.migrate()
    locked_until = datetime.now().replace(microsecond=0) + timedelta(minutes=10)
    db.rows("INSERT INTO accounts (username, display_name, role, password_hash, failed_logins, locked_until, "
            "created_at, created_by, updated_at) VALUES "
            "('ada', 'Ada', 'practitioner', '$argon2id$x', 0, $until, $now, 'test', $now), "
            "('ben', 'Ben', 'manager', '$argon2id$x', 2, NULL, $now, 'test', $now), "
            "('cy', 'Cy', 'admin', '$argon2id$x', 0, NULL, $now, 'test', $now)",
            {"until": locked_until, "now": START})
    monkeypatch.setattr("dashboard.core.db.MIGRATIONS_DIR", MIGRATIONS_DIR)
    assert db.migrate()[0] == "009_signin_throttle.sql"  # and any later migrations
    rows = db.rows("SELECT key, failures, wait_until, unseen_failures FROM signin_throttle ORDER BY key")
    assert rows == [("ada", 5, locked_until, 5), ("ben", 2, None, 2)]
    columns = {r[0] for r in db.rows("SELECT column_name FROM duckdb_columns() WHERE table_name = 'accounts'")}
    assert not {"failed_logins", "locked_until"} & columns
    db.close()
