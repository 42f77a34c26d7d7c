"""Sign-in for the Streamlit app: first-start setup, the login form, idle expiry, sign-out, optional SSO.

`sign_in_gate()` is called by app.py when no one is signed in; `sign_in_notice()` then tells the person, once, about
failed sign-ins on their account since their last sign-in. `refresh_session()` is called by
guard.current_user() on every run: it ends a session after 8 idle hours and re-reads the account, so a
deactivated account or a changed role takes effect at the next click (session state is never the only record).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from datetime import timedelta

import streamlit as st

from dashboard.accounts import (
    FAILED_SIGN_IN,
    MIN_PASSWORD_LENGTH,
    AccountError,
    SignInResult,
    active_user,
    count_accounts,
    create_first_manager,
    new_account_problems,
    sign_in,
    sso_sign_in,
)
from dashboard.core.authz import User
from dashboard.core.db import DatabaseLockedError
from dashboard.web.navigation import PAGES
from dashboard.web.ui import get_db

IDLE_LIMIT = timedelta(hours=8)
USER_KEY = "user"  # the same key as dashboard.web.guard.SESSION_KEY
LAST_ACTIVITY_KEY = "iw_last_activity"
SIGNED_IN_KEY = "iw_signed_in"  # username of a session started by this gate (re-validated every run)
METHOD_KEY = "iw_signin_method"
NOTE_KEY = "iw_signin_note"
ERRORS_KEY = "iw_signin_errors"
FAILED_TRIES_KEY = "iw_failed_tries_notice"  # shown once on the first page after a sign-in
SETUP_ERRORS_KEY = "iw_setup_errors"


# ---------------------------------------------------------------------- session lifecycle
def start_session(user: User, method: str = "password", result: SignInResult | None = None) -> None:
    """Store the signed-in user in session state, start the idle clock, and keep any failed-tries notice."""
    ss = st.session_state
    ss[USER_KEY] = user
    ss[SIGNED_IN_KEY] = user.username
    ss[METHOD_KEY] = method
    ss[LAST_ACTIVITY_KEY] = time.time()
    ss.pop(NOTE_KEY, None)
    ss.pop(ERRORS_KEY, None)
    if result is not None and result.failed_attempts:
        ss[FAILED_TRIES_KEY] = failed_tries_text(result)


def failed_tries_text(result: SignInResult) -> str:
    """Return the notice about failed sign-ins on the account since its owner last signed in."""
    count = result.failed_attempts
    tries = "1 failed sign-in attempt" if count == 1 else f"{count:,} failed sign-in attempts"
    when = f", the latest on {result.last_failed_at:%d %b %Y at %H:%M}" if result.last_failed_at else ""
    return (f"There {'was' if count == 1 else 'were'} {tries} on your account since you last signed in{when}. "
            "If that was not you, tell your clinic manager.")


def sign_in_notice() -> None:
    """Show the failed-tries notice once, on the first page after signing in."""
    text = st.session_state.pop(FAILED_TRIES_KEY, None)
    if text:
        st.warning(text, icon=":material/warning:")


def end_session(action: str, note: str | None = None) -> None:
    """Forget the signed-in user, write `action` (logout, session.expired, ...) to the audit trail."""
    ss = st.session_state
    user = ss.get(USER_KEY)
    username = getattr(user, "username", None) or ss.get(SIGNED_IN_KEY)
    for key in (USER_KEY, SIGNED_IN_KEY, LAST_ACTIVITY_KEY, "signin_password"):
        ss.pop(key, None)
    if note:
        ss[NOTE_KEY] = note
    if username:
        db = get_db()
        db.write(lambda cur: db.audit(cur, username, action, "account", username, None))


def refresh_session(user: User) -> User | None:
    """Return the user if the session is still valid (and refresh its idle clock), else end it and return None."""
    ss = st.session_state
    now = time.time()
    last = ss.get(LAST_ACTIVITY_KEY)
    if last is not None and now - float(last) > IDLE_LIMIT.total_seconds():
        sso = ss.get(METHOD_KEY) == "sso"
        end_session("session.expired", f"Your session ended after {int(IDLE_LIMIT.total_seconds() // 3600)} idle hours. "
                                       "Please sign in again.")
        if sso:  # else the identity cookie of single sign-on would sign the person straight back in
            st.logout()
        return None
    ss[LAST_ACTIVITY_KEY] = now
    if ss.get(SIGNED_IN_KEY) == user.username:
        fresh = active_user(get_db(), user.username)
        if fresh is None:
            end_session("session.ended", "Your account has been deactivated. Ask your clinic manager.")
            return None
        if fresh != user:
            ss[USER_KEY] = fresh
            return fresh
    return user


# ---------------------------------------------------------------------- single sign-on (optional)
def sso_configured() -> bool:
    """Return True when [auth] is set in .streamlit/secrets.toml (Streamlit's OIDC login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sso_email() -> str | None:
    """Return the e-mail of the person signed in through single sign-on, or None (not configured / not signed in)."""
    if not sso_configured() or importlib.util.find_spec("authlib") is None:
        return None
    if not getattr(st.user, "is_logged_in", False):  # st.user has no is_logged_in when [auth] is incomplete
        return None
    return str(st.user.get("email") or "")


def _sso_user() -> SignInResult | None:
    email = sso_email()
    if email is None:
        return None
    result = sso_sign_in(get_db(), email)
    if result.user is None:
        st.error("No active InjectWatch account uses the e-mail address below. "
                 "Ask your clinic manager to add it to your account on the Accounts page.")
        st.text(email)
        st.button("Sign out of single sign-on", on_click=st.logout)
        st.stop()
    return result


def _sso_button() -> None:
    if not sso_configured():
        return
    if importlib.util.find_spec("authlib") is None:
        st.warning("Single sign-on is configured in secrets.toml but Authlib is not installed "
                   "(pip install 'streamlit[auth]'). Sign in with your username and password.")
        return
    st.button("Sign in with your clinic account (single sign-on)", on_click=st.login)
    st.caption("or with your InjectWatch username and password:")


# ---------------------------------------------------------------------- first start
def _create_first_manager() -> None:
    ss = st.session_state
    values = {k: ss.get(f"setup_{k}", "") for k in ("username", "display_name", "password", "password_again")}
    problems = new_account_problems(username=values["username"], display_name=values["display_name"],
                                    password=values["password"], password_again=values["password_again"],
                                    role="manager")
    if not problems:
        try:
            user = create_first_manager(get_db(), username=values["username"],
                                        display_name=values["display_name"], password=values["password"])
        except AccountError as exc:
            problems = {exc.field: exc.message}
        else:
            for k in ("password", "password_again"):
                ss.pop(f"setup_{k}", None)
            ss.pop(SETUP_ERRORS_KEY, None)
            start_session(user, "setup")
            return
    ss[SETUP_ERRORS_KEY] = problems


def _field_error(errors: dict[str, str], field: str) -> None:
    if field in errors:
        st.error(errors[field])


def _setup_screen() -> None:
    st.title("Welcome to InjectWatch")
    st.write("No one has an account yet. Create the first one: a clinic manager account, who can then add "
             "colleagues on the Accounts page.")
    errors = st.session_state.get(SETUP_ERRORS_KEY, {})
    with st.form("setup", enter_to_submit=False):
        st.text_input("Username", key="setup_username",
                      help="Letters, digits and . _ @ -, e.g. morgan or morgan@clinic.example")
        _field_error(errors, "username")
        st.text_input("Display name", key="setup_display_name", help="Shown to colleagues")
        _field_error(errors, "display_name")
        st.text_input("Password", key="setup_password", type="password",
                      help=f"At least {MIN_PASSWORD_LENGTH} characters")
        st.text_input("Password again", key="setup_password_again", type="password")
        _field_error(errors, "password")
        st.form_submit_button("Create manager account", type="primary", on_click=_create_first_manager,
                              key="setup_submit")


# ---------------------------------------------------------------------- login
def client_address() -> str | None:
    """Return the browser's IP address for throttling, or None (local use, or hidden behind some proxies)."""
    address = getattr(st.context, "ip_address", None)
    return address if isinstance(address, str) and address else None  # AppTest's context gives a stand-in object


def _sign_in() -> None:
    ss = st.session_state
    username = str(ss.get("signin_username", ""))
    password = str(ss.get("signin_password", ""))
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "Enter your username."
    if not password:
        errors["password"] = "Enter your password."
    if not errors:
        result = sign_in(get_db(), username, password, client_address())
        if result.user is not None:
            ss.pop("signin_password", None)
            start_session(result.user, "password", result)
            return
        errors["form"] = FAILED_SIGN_IN  # the same words for an unknown name, a wrong password and a wait
        ss["signin_password"] = ""
    ss[ERRORS_KEY] = errors


def _login_form() -> None:
    st.title("InjectWatch")
    note = st.session_state.get(NOTE_KEY)
    if note:
        st.info(note)
    _sso_button()
    errors = st.session_state.get(ERRORS_KEY, {})
    with st.form("sign_in", enter_to_submit=True):
        st.text_input("Username", key="signin_username", autocomplete="username")
        _field_error(errors, "username")
        st.text_input("Password", key="signin_password", type="password", autocomplete="current-password")
        _field_error(errors, "password")
        st.form_submit_button("Sign in", type="primary", on_click=_sign_in, key="sign_in_submit")
    _field_error(errors, "form")
    st.caption("Forgot your password, or still refused after 15 minutes? Ask your clinic manager to reset your "
               "password or to clear the wait (Unlock).")


def sign_in_gate() -> User | None:
    """Show the first-start setup or the login form; return the user once signed in (else None)."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, User):
        return user
    sso = _sso_user()
    if sso is not None and sso.user is not None:
        start_session(sso.user, "sso", sso)
        st.rerun()
    try:
        db = get_db()
    except DatabaseLockedError as exc:
        _database_busy(exc)
        return None
    screen = _setup_screen if count_accounts(db) == 0 else _login_form
    # Every page address shows this screen, with no menu: a signed-out browser keeps no menu of the previous
    # session, and a link to a page (e.g. /audit) asks for sign-in and then opens that page if the role allows.
    st.navigation(_sign_in_pages(screen), position="hidden").run()
    return None


def _sign_in_pages(screen: Callable[[], None]) -> list[st.Page]:
    pages = []
    for spec in PAGES:
        def show(screen: Callable[[], None] = screen) -> None:
            screen()

        show.__name__ = f"sign_in_{spec.url_path.replace('-', '_')}"
        pages.append(st.Page(show, title=spec.title, url_path=spec.url_path, default=spec.file == "home.py"))
    return pages


def _database_busy(exc: DatabaseLockedError) -> None:
    st.title("InjectWatch")
    st.error("The clinic database is in use by another program: a command such as import, demo, backup or "
             "restore, or a second copy of InjectWatch. Only one program can use the database file at a time. "
             "Wait until the command has finished (or stop the other copy), then press Try again.")
    st.text(str(exc))
    st.button("Try again", type="primary")


def sign_out_button(user: User) -> None:
    """Show who is signed in and a Sign out button in the sidebar."""
    with st.sidebar:
        st.text(f"Signed in as {user.display_name} ({user.role})")
        if st.button("Sign out", key="iw_sign_out", icon=":material/logout:"):
            sso = st.session_state.get(METHOD_KEY) == "sso"
            end_session("logout", "You have signed out.")
            if sso:
                st.logout()
            st.rerun()
