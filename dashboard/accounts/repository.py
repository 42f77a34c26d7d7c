"""Accounts in the database: creation, role and password changes, unlock and deactivation, each audited.

Functions that serve the Accounts page take the acting `User` and check "accounts.manage" themselves, so the
permission holds even when a page forgets it. Sign-in itself is in authentication.py. No streamlit import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from dashboard.accounts.passwords import generate_password, hash_password, password_problem
from dashboard.core.authz import PERMISSIONS, ROLES, User, require
from dashboard.core.db import Database
from dashboard.core.sqlfiles import load_sql

MAX_DISPLAY_NAME = 200
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ACCOUNT_COLUMNS = (
    "account_id", "username", "display_name", "role", "injector_name", "email", "password_hash", "active",
)


class AccountError(ValueError):
    """A rejected account change; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Account:
    """One row of the accounts table (with its password hash; never shown)."""

    account_id: int
    username: str
    display_name: str
    role: str
    injector_name: str | None
    email: str | None
    password_hash: str
    active: bool

    def user(self) -> User:
        """Return the signed-in `User` this account becomes."""
        return User(self.username, self.role, self.display_name, self.injector_name)


# ---------------------------------------------------------------------- validation (pure)
def normalise_username(username: str) -> str:
    """Return the stored form of a username: trimmed and lower-case."""
    return (username or "").strip().lower()


def username_problem(username: str) -> str | None:
    """Return why a (normalised) username is not acceptable, or None."""
    if not username:
        return "Enter a username."
    if len(username) > 64:
        return f"The username may have at most 64 characters (it has {len(username)})."
    if not _USERNAME.match(username):
        return ("Use only letters a-z, digits and . _ @ - in a username (no spaces), "
                "starting with a letter or digit.")
    return None


def new_account_problems(
    *,
    username: str,
    display_name: str,
    password: str,
    password_again: str | None,
    role: str,
    injector_name: str | None = None,
    email: str | None = None,
) -> dict[str, str]:
    """Return {field: message} for every problem of a new account (empty when it can be created)."""
    problems: dict[str, str] = {}
    if msg := username_problem(normalise_username(username)):
        problems["username"] = msg
    name = (display_name or "").strip()
    if not name:
        problems["display_name"] = "Enter the name shown to colleagues, e.g. Dr Ada Park."
    elif len(name) > MAX_DISPLAY_NAME:
        problems["display_name"] = f"The display name may have at most {MAX_DISPLAY_NAME} characters (it has {len(name)})."
    if msg := password_problem(password, password_again):
        problems["password"] = msg
    if role not in ROLES:
        problems["role"] = f"Choose one of the roles: {', '.join(ROLES)}."
    if injector_name is not None and len(injector_name.strip()) > MAX_DISPLAY_NAME:
        problems["injector_name"] = f"The injector name may have at most {MAX_DISPLAY_NAME} characters."
    if email and not _EMAIL.match(email.strip()):
        problems["email"] = "Enter an e-mail address like name@clinic.example, or leave it empty."
    return problems


# ---------------------------------------------------------------------- helpers
def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _detail(**values: Any) -> str:
    return json.dumps(values, ensure_ascii=False, default=str)


def _account(row: tuple[Any, ...] | None) -> Account | None:
    return None if row is None else Account(**dict(zip(_ACCOUNT_COLUMNS, row, strict=True)))


def _get(cur: duckdb.DuckDBPyConnection, username: str) -> Account | None:
    return _account(cur.execute(load_sql("accounts_get"), {"username": username}).fetchone())


def _typed_name(username: str) -> str:
    """The name a person typed, for the audit trail of a failed sign-in (kept verbatim, at most 200 characters)."""
    text = username or "(empty)"
    return text if len(text) <= 200 else text[:199] + "…"


def count_accounts(db: Database) -> int:
    """Return how many accounts exist (0 on a first start)."""
    return int(db.query_scalar("accounts_count"))


def get_account(db: Database, username: str) -> Account | None:
    """Return the account with this username (any case), or None."""
    return _account(next(iter(db.query_rows("accounts_get", {"username": normalise_username(username)})), None))


# ---------------------------------------------------------------------- creation
def _insert_params(
    *, username: str, password: str, role: str, display_name: str, injector_name: str | None,
    email: str | None, actor: str,
) -> dict[str, Any]:
    injector = (injector_name or "").strip() or None
    if role == "practitioner" and injector is None:
        injector = display_name.strip()  # a practitioner's treatments are found by their injector name
    return {
        "username": normalise_username(username),
        "display_name": display_name.strip(),
        "role": role,
        "injector_name": injector,
        "email": (email or "").strip() or None,
        "password_hash": hash_password(password),
        "now": _now(),
        "created_by": actor,
    }


def _check_new(username: str, password: str, role: str, display_name: str, injector_name: str | None,
               email: str | None) -> None:
    problems = new_account_problems(username=username, display_name=display_name, password=password,
                                    password_again=None, role=role, injector_name=injector_name, email=email)
    if problems:
        field, message = next(iter(problems.items()))
        raise AccountError(field, message)


def _create_user(
    db: Database,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    injector_name: str | None,
    email: str | None,
    actor: str,
) -> int:
    """Create an account (argon2 hash of the password), audit it, and return its id; raises AccountError."""
    _check_new(username, password, role, display_name, injector_name, email)
    params = _insert_params(username=username, password=password, role=role, display_name=display_name,
                            injector_name=injector_name, email=email, actor=actor)

    def insert(cur: duckdb.DuckDBPyConnection) -> int:
        if _get(cur, params["username"]) is not None:
            raise AccountError("username", f"The username {params['username']!r} is taken; choose another.")
        account_id = int(cur.execute(load_sql("accounts_insert"), params).fetchone()[0])
        cur.execute(load_sql("signin_throttle_forget_name"), {"name": params["username"]})  # no inherited wait
        db.audit(cur, actor, "account.create", "account", params["username"],
                 _detail(role=role, display_name=params["display_name"], injector_name=params["injector_name"],
                         email=params["email"]))
        return account_id

    return db.write(insert)


def create_first_manager(db: Database, *, username: str, display_name: str, password: str) -> User:
    """Create the first account (a manager) on a first start; raises AccountError once any account exists."""
    _check_new(username, password, "manager", display_name, None, None)
    params = _insert_params(username=username, password=password, role="manager", display_name=display_name,
                            injector_name=None, email=None, actor="setup")

    def insert(cur: duckdb.DuckDBPyConnection) -> User:
        row = cur.execute(load_sql("accounts_insert_first"), params).fetchone()
        if row is None:
            raise AccountError("username", "An account already exists; sign in instead.")
        cur.execute(load_sql("signin_throttle_forget_name"), {"name": params["username"]})  # no inherited wait
        db.audit(cur, params["username"], "account.create", "account", params["username"],
                 _detail(role="manager", display_name=params["display_name"], first_account=True))
        db.audit(cur, params["username"], "login.success", "account", params["username"], _detail(method="setup"))
        return User(params["username"], "manager", params["display_name"], None)

    return db.write(insert)


# ---------------------------------------------------------------------- signed-in users
def active_user(db: Database, username: str) -> User | None:
    """Return the current `User` for a signed-in username (role as stored now), or None if deactivated/removed."""
    account = get_account(db, username)
    return account.user() if account is not None and account.active else None


# ---------------------------------------------------------------------- account management (audited)
def _require_account(cur: duckdb.DuckDBPyConnection, username: str) -> Account:
    account = _get(cur, normalise_username(username))
    if account is None:
        raise AccountError("username", f"There is no account {username!r}.")
    return account


def _ensure_someone_can_manage(cur: duckdb.DuckDBPyConnection, account: Account) -> None:
    roles = sorted(PERMISSIONS["accounts.manage"])
    left = cur.execute(load_sql("accounts_count_managers_left"),
                       {"roles": roles, "account_id": account.account_id}).fetchone()[0]
    if not left:
        raise AccountError("username", f"{account.username!r} is the last active account that can manage accounts; "
                                       "give another account that role first.")


def list_accounts(db: Database, by: User) -> pd.DataFrame:
    """Return every account (no password hashes) for someone who may manage accounts."""
    require(by, "accounts.manage")
    return db.query("accounts_list")


def add_account(
    db: Database, by: User, *, username: str, password: str, role: str, display_name: str,
    injector_name: str | None = None, email: str | None = None,
) -> int:
    """Create an account on behalf of `by` (needs accounts.manage); returns its id; raises AccountError."""
    require(by, "accounts.manage")
    return _create_user(db, username=username, password=password, role=role, display_name=display_name,
                       injector_name=injector_name, email=email, actor=by.username)


def change_role(db: Database, by: User, username: str, role: str, injector_name: str | None = None) -> None:
    """Give an account another role (a practitioner keeps or gets an injector name); audited."""
    require(by, "accounts.manage")
    if role not in ROLES:
        raise AccountError("role", f"Choose one of the roles: {', '.join(ROLES)}.")

    def update(cur: duckdb.DuckDBPyConnection) -> None:
        account = _require_account(cur, username)
        if account.role == role and injector_name is None:
            return
        if account.role in PERMISSIONS["accounts.manage"] and role not in PERMISSIONS["accounts.manage"]:
            _ensure_someone_can_manage(cur, account)
        injector = (injector_name or "").strip() or account.injector_name
        if role == "practitioner" and not injector:
            injector = account.display_name
        cur.execute(load_sql("accounts_set_role"), {"role": role, "injector_name": injector, "now": _now(),
                                                    "account_id": account.account_id})
        db.audit(cur, by.username, "account.role", "account", account.username,
                 _detail(old_role=account.role, new_role=role, injector_name=injector))

    db.write(update)


def reset_password(db: Database, by: User, username: str, new_password: str | None = None) -> str:
    """Set a new password (a random one when none is given), clear any sign-in wait, and return it; audited."""
    require(by, "accounts.manage")
    password = new_password if new_password is not None else generate_password()
    if msg := password_problem(password):
        raise AccountError("password", msg)
    password_hash = hash_password(password)

    def update(cur: duckdb.DuckDBPyConnection) -> None:
        account = _require_account(cur, username)
        cur.execute(load_sql("accounts_set_password"),
                    {"password_hash": password_hash, "now": _now(), "account_id": account.account_id})
        cur.execute(load_sql("signin_throttle_clear_wait"), {"name": account.username})
        db.audit(cur, by.username, "account.password_reset", "account", account.username,
                 _detail(generated=new_password is None))

    db.write(update)
    return password


def unlock(db: Database, by: User, username: str) -> bool:
    """Clear an account's sign-in wait and failure count; returns False when there was neither. Audited."""
    require(by, "accounts.manage")

    def update(cur: duckdb.DuckDBPyConnection) -> bool:
        account = _require_account(cur, username)
        row = cur.execute(load_sql("signin_throttle_get"), {"name": account.username, "address": None}).fetchone()
        failures, wait_until = (int(row[2]), row[3]) if row else (0, None)
        waiting = wait_until is not None and wait_until > _now()
        cur.execute(load_sql("signin_throttle_clear_wait"), {"name": account.username})
        db.audit(cur, by.username, "account.unlock", "account", account.username,
                 _detail(was_waiting=waiting, failed_tries=failures, wait_until=wait_until))
        return waiting or failures > 0

    return db.write(update)


def set_active(db: Database, by: User, username: str, active: bool) -> None:
    """Deactivate (sign-in refused, history kept) or reactivate an account; audited."""
    require(by, "accounts.manage")

    def update(cur: duckdb.DuckDBPyConnection) -> None:
        account = _require_account(cur, username)
        if account.active == active:
            return
        if not active:
            if account.username == by.username:
                raise AccountError("username", "You cannot deactivate your own account.")
            if account.role in PERMISSIONS["accounts.manage"]:
                _ensure_someone_can_manage(cur, account)
        cur.execute(load_sql("accounts_set_active"), {"active": active, "now": _now(),
                                                      "account_id": account.account_id})
        db.audit(cur, by.username, "account.reactivate" if active else "account.deactivate", "account",
                 account.username, None)

    db.write(update)


# ---------------------------------------------------------------------- demo
def _demo_username(name: str, taken: set[str]) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w and w not in {"dr", "mr", "mrs", "ms", "prof"}]
    base = ".".join(words)[:60] or "practitioner"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def create_demo_accounts(db: Database, by: User | None, injector_names: list[str]) -> list[tuple[str, str, str]]:
    """Create (or reset) demo accounts with random passwords: a manager, an admin, a practitioner per name.

    Needs demo.load and accounts.manage (the demo loader acts as the system user "demo"). Returns
    [(username, password, role)]. Running it again gives existing demo accounts new passwords.
    """
    demo = require(by, "demo.load")
    require(demo, "accounts.manage")
    wanted: list[tuple[str, str, str, str | None]] = [
        ("manager", "manager", "Demo Manager", None),
        ("admin", "admin", "Demo Administrator", None),
    ]
    taken = {"manager", "admin"}
    for name in injector_names:
        wanted.append((_demo_username(name, taken), "practitioner", name, name))
    out: list[tuple[str, str, str]] = []
    for username, role, display, injector in wanted:
        password = generate_password()
        if get_account(db, username) is None:
            _create_user(db, username=username, password=password, role=role, display_name=display,
                         injector_name=injector, email=None, actor=demo.username)
        else:
            reset_password(db, demo, username, password)
            set_active(db, demo, username, True)
            change_role(db, demo, username, role, injector)
        out.append((username, password, role))
    return out
