"""Accounts: argon2-hashed passwords, roles, throttled sign-in, and the `users` command."""

from dashboard.accounts.authentication import (
    FAILED_SIGN_IN,
    REFUSED,
    SignInResult,
    authenticate,
    sign_in,
    sso_sign_in,
    user_for_email,
)
from dashboard.accounts.passwords import MIN_PASSWORD_LENGTH, generate_password, password_problem
from dashboard.accounts.repository import (
    Account,
    AccountError,
    active_user,
    add_account,
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
)

__all__ = [
    "FAILED_SIGN_IN", "MIN_PASSWORD_LENGTH", "REFUSED", "Account", "AccountError", "SignInResult", "active_user",
    "add_account", "authenticate", "change_role", "count_accounts", "create_demo_accounts", "create_first_manager",
    "generate_password", "get_account", "list_accounts", "new_account_problems", "password_problem",
    "reset_password", "set_active", "sign_in", "sso_sign_in", "unlock", "user_for_email",
]
