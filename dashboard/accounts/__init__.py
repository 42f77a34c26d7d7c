"""Accounts: argon2-hashed passwords, roles, sign-in with lockout, and the `users` command."""

from dashboard.accounts.passwords import MIN_PASSWORD_LENGTH, generate_password, password_problem
from dashboard.accounts.repository import (
    LOCK_AFTER_FAILURES,
    LOCK_DURATION,
    Account,
    AccountError,
    AccountLocked,
    active_user,
    add_account,
    authenticate,
    change_role,
    count_accounts,
    create_demo_accounts,
    create_first_manager,
    get_account,
    list_accounts,
    new_account_problems,
    reset_password,
    set_active,
    unlock,
    user_for_email,
)

__all__ = [
    "LOCK_AFTER_FAILURES", "LOCK_DURATION", "MIN_PASSWORD_LENGTH", "Account", "AccountError", "AccountLocked",
    "active_user", "add_account", "authenticate", "change_role", "count_accounts", "create_demo_accounts",
    "create_first_manager", "generate_password", "get_account", "list_accounts",
    "new_account_problems", "password_problem", "reset_password", "set_active", "unlock", "user_for_email",
]
