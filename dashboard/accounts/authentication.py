"""Sign-in with a password or single sign-on: one answer for every failure, throttled, every attempt audited.

An unknown username, a wrong password and a try during a wait do the same work (one argon2 verification, the same
reads and writes) and get the same answer, so neither the message nor the time tells who has an account. Failed
tries slow the next one down per username and per client address (see throttle.py); nobody is locked out. No
streamlit import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from dashboard.accounts.passwords import hash_password, needs_rehash, verify_password
from dashboard.accounts.repository import (
    Account,
    _account,
    _detail,
    _typed_name,
    get_account,
    normalise_username,
    username_problem,
)
from dashboard.accounts.throttle import (
    ADDRESS,
    ADDRESS_RULE,
    LONGEST_WAIT,
    NAME,
    NAME_RULE,
    ThrottleState,
    after_failure,
    throttle_key,
)
from dashboard.core.authz import User
from dashboard.core.db import Database
from dashboard.core.sqlfiles import load_sql

FAILED_SIGN_IN = (
    "The username or password is not right, or there were too many failed tries. Wait a moment and try again: "
    f"after repeated failed tries each next try has to wait longer, at most {LONGEST_WAIT.seconds // 60} minutes."
)


@dataclass(frozen=True)
class SignInResult:
    """One sign-in's outcome: the user (None when refused) and the failed tries the owner had not been told about."""

    user: User | None
    failed_attempts: int = 0
    last_failed_at: datetime | None = None


REFUSED = SignInResult(None)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _states(cur: duckdb.DuckDBPyConnection, name_key: str, address_key: str | None) -> list[ThrottleState]:
    """The throttle rows of this attempt (a fresh one where none is stored): the name's, then the address's."""
    rows = cur.execute(load_sql("signin_throttle_get"), {"name": name_key, "address": address_key}).fetchall()
    found = {row[0]: ThrottleState(*row) for row in rows}
    states = [found.get(NAME, ThrottleState(NAME, name_key))]
    if address_key is not None:
        states.append(found.get(ADDRESS, ThrottleState(ADDRESS, address_key)))
    return states


def _succeed(db: Database, cur: duckdb.DuckDBPyConnection, account: Account, name_state: ThrottleState,
             now: datetime, **detail: object) -> SignInResult:
    """Record a successful sign-in: the username's count, wait and unseen failures start over."""
    cur.execute(load_sql("signin_throttle_forget_name"), {"name": account.username})
    cur.execute(load_sql("accounts_record_success"), {"now": now, "account_id": account.account_id})
    unseen = name_state.unseen_failures
    db.audit(cur, account.username, "login.success", "account", account.username,
             _detail(**detail, failed_tries_before=unseen))
    return SignInResult(account.user(), unseen, name_state.last_failure_at if unseen else None)


def _failure_detail(account: Account | None, waiting: list[ThrottleState], after: list[ThrottleState],
                    address: str | None) -> str:
    """The audit detail of a failed try; it never says whether a refused password was right."""
    if waiting:
        return _detail(reason="waiting after failed sign-ins", username_known=account is not None,
                       wait_until=max(s.wait_until for s in waiting if s.wait_until), address=address)
    reason = "unknown username" if account is None else "wrong password" if account.active else "account deactivated"
    return _detail(reason=reason, failures=after[0].failures, wait_until=after[0].wait_until,
                   address=address, address_failures=after[1].failures if len(after) > 1 else None,
                   address_wait_until=after[1].wait_until if len(after) > 1 else None)


def sign_in(db: Database, username: str, password: str, address: str | None = None) -> SignInResult:
    """Check a username and password from a client address (None when unknown) and return the outcome.

    Every failure returns the same `REFUSED`: unknown username, deactivated account, wrong password, and any try
    while the username or the address has to wait (then even the right password is refused). Each attempt is one
    audit row: login.success, login.failure (with the reason) or login.refused (during a wait).
    """
    name = normalise_username(username)
    account = get_account(db, name) if username_problem(name) is None else None
    stored_hash = account.password_hash if account is not None and account.active else None
    # always one verification, against a dummy hash when there is no usable account: the same cost in every case
    ok = verify_password(stored_hash, password)
    now = _now()
    name_key = throttle_key(name)
    address_key = throttle_key(address) if address else None
    actor = account.username if account is not None else _typed_name(username)

    def record(cur: duckdb.DuckDBPyConnection) -> SignInResult:
        states = _states(cur, name_key, address_key)
        waiting = [s for s in states if s.waiting_at(now)]
        if ok and not waiting and account is not None:
            return _succeed(db, cur, account, states[0], now, method="password", address=address)
        after = [after_failure(s, now, counted=not waiting) for s in states]
        for state in after:
            cur.execute(load_sql("signin_throttle_record"), state.params())
        cur.execute(load_sql("signin_throttle_prune"), {"address_before": now - ADDRESS_RULE.forget_after,
                                                         "name_before": now - NAME_RULE.forget_after})
        db.audit(cur, actor, "login.refused" if waiting else "login.failure", "account", actor,
                 _failure_detail(account, waiting, after, address))
        return REFUSED

    result = db.write(record)
    if result.user is not None and account is not None and needs_rehash(account.password_hash):
        new_hash = hash_password(password)  # only after a success, so its cost says nothing about a refused try
        db.write(lambda cur: cur.execute(load_sql("accounts_rehash"),
                                         {"password_hash": new_hash, "account_id": account.account_id}))
    return result


def authenticate(db: Database, username: str, password: str, address: str | None = None) -> User | None:
    """Return the `User` when the username and password sign in (see `sign_in`), else None."""
    return sign_in(db, username, password, address).user


def sso_sign_in(db: Database, email: str) -> SignInResult:
    """Sign in the active account whose single sign-on e-mail this is (audited), or refuse (audited as a failure).

    The identity provider has checked who it is, so no wait applies; a success clears the username's wait and
    returns the failed tries since the last sign-in, as a password sign-in does.
    """
    account = _account(next(iter(db.query_rows("accounts_get_by_email", {"email": (email or "").strip()})), None))
    if account is None:
        typed = _typed_name(email)
        db.write(lambda cur: db.audit(cur, typed, "login.failure", "account", typed,
                                      _detail(reason="no active account for this single sign-on e-mail")))
        return REFUSED
    now = _now()

    def record(cur: duckdb.DuckDBPyConnection) -> SignInResult:
        name_state = _states(cur, account.username, None)[0]
        return _succeed(db, cur, account, name_state, now, method="single sign-on", email=email)

    return db.write(record)


def user_for_email(db: Database, email: str) -> User | None:
    """Return the active account's user for a single sign-on e-mail (see `sso_sign_in`), or None."""
    return sso_sign_in(db, email).user
