"""Accounts: who may sign in, with which role; add, change role, reset password, unlock, deactivate (all audited)."""

from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    add_account,
    change_role,
    list_accounts,
    new_account_problems,
    reset_password,
    set_active,
    unlock,
)
from dashboard.authz import PERMISSIONS, ROLES
from dashboard.backup import backup_now, backup_root, list_backups
from dashboard.guard import require_permission
from dashboard.ui import get_db

ROLE_TEXT = {
    "practitioner": "Practitioner: logs treatments and adverse events; sees their own treatments and cases.",
    "manager": "Manager: everything a practitioner does for the whole clinic, plus trends, signals, exports, "
               "imports, the audit trail, accounts and backups.",
    "admin": "Administrator: accounts and backups, imports of data sets (with their quarantined rows) and the audit "
             "trail; the clinic-wide counts of the overview, but no treatments, cases, trends, signals or exports.",
}
ADD_ERRORS = "acc_add_errors"

user = require_permission("accounts.manage")
db = get_db()

st.title("Accounts")
notice = st.session_state.pop("acc_notice", None)
if notice:
    st.success(notice)
secret = st.session_state.pop("acc_new_password", None)
if secret:
    st.warning(f"New password for {secret[0]!r}. It is shown only now: give it to the person in private.")
    st.code(secret[1], language=None)

accounts = list_accounts(db, user)
now = datetime.now()
waiting = [pd.notna(w) and w > now for w in accounts["wait_until"]]


def _status(active: bool, wait_until: pd.Timestamp, is_waiting: bool, failed_tries: int) -> str:
    if not active:
        return "deactivated"
    if is_waiting:
        return f"sign-in waits until {wait_until:%H:%M} ({failed_tries} failed tries)"
    return f"active ({failed_tries} failed tries)" if failed_tries else "active"


view = accounts.assign(
    status=[_status(a, w, is_w, int(f)) for a, w, is_w, f in
            zip(accounts["active"], accounts["wait_until"], waiting, accounts["failed_tries"], strict=True)],
    # empty cells read as a dash / "never" instead of a grey "None"
    injector_name=accounts["injector_name"].fillna("—"), email=accounts["email"].fillna("—"),
    last_login_at=[f"{t:%d/%m/%Y %H:%M}" if pd.notna(t) else "never" for t in accounts["last_login_at"]],
)
st.dataframe(
    view,
    hide_index=True,
    width="stretch",
    column_order=("username", "display_name", "role", "status", "injector_name", "email", "last_login_at",
                  "created_at", "created_by"),
    column_config={
        "username": st.column_config.TextColumn("Username"),
        "display_name": st.column_config.TextColumn("Name"),
        "role": st.column_config.TextColumn("Role"),
        "status": st.column_config.TextColumn("Status"),
        "injector_name": st.column_config.TextColumn("Injector name", help="Links a practitioner to their treatments"),
        "email": st.column_config.TextColumn("Single sign-on e-mail"),
        "last_login_at": st.column_config.TextColumn("Last sign-in"),
        "created_at": st.column_config.DatetimeColumn("Created", format="DD/MM/YYYY HH:mm"),
        "created_by": st.column_config.TextColumn("Created by"),
    },
)
with st.expander("What each role may do"):
    for role in ROLES:
        st.write(ROLE_TEXT[role])
        st.caption("Permissions: " + ", ".join(sorted(p for p, roles in PERMISSIONS.items() if role in roles)))


# ---------------------------------------------------------------------- add
def _add() -> None:
    ss = st.session_state
    values = {k: str(ss.get(f"acc_add_{k}") or "") for k in
              ("username", "display_name", "injector_name", "email", "password", "password_again")}
    role = ss.get("acc_add_role", "practitioner")
    problems = new_account_problems(username=values["username"], display_name=values["display_name"],
                                    password=values["password"], password_again=values["password_again"], role=role,
                                    injector_name=values["injector_name"] or None, email=values["email"] or None)
    if not problems:
        try:
            add_account(db, user, username=values["username"], password=values["password"], role=role,
                        display_name=values["display_name"], injector_name=values["injector_name"] or None,
                        email=values["email"] or None)
        except AccountError as exc:
            problems = {exc.field: exc.message}
        else:
            for k in ("username", "display_name", "injector_name", "email", "password", "password_again"):
                ss[f"acc_add_{k}"] = ""
            ss["acc_notice"] = f"Account {values['username'].strip().lower()!r} created ({role})."
    ss[ADD_ERRORS] = problems


def _error(field: str) -> None:
    msg = st.session_state.get(ADD_ERRORS, {}).get(field)
    if msg:
        st.error(msg)


st.subheader("Add an account")
with st.form("acc_add", enter_to_submit=False):
    c1, c2 = st.columns(2)
    with c1:
        st.text_input("Username", key="acc_add_username", help="Letters a-z, digits and . _ @ - (no spaces)")
        _error("username")
        st.selectbox("Role", ROLES, key="acc_add_role", format_func=str.capitalize)
        _error("role")
        st.text_input("Password", key="acc_add_password", type="password",
                      help=f"At least {MIN_PASSWORD_LENGTH} characters")
        st.text_input("Password again", key="acc_add_password_again", type="password")
        _error("password")
    with c2:
        st.text_input("Display name", key="acc_add_display_name")
        _error("display_name")
        st.text_input("Injector name (practitioners)", key="acc_add_injector_name",
                      help="The name on their treatment records; defaults to the display name")
        _error("injector_name")
        st.text_input("E-mail for single sign-on (optional)", key="acc_add_email")
        _error("email")
    st.form_submit_button("Add account", type="primary", on_click=_add)


# ---------------------------------------------------------------------- change
st.subheader("Change an account")
if accounts.empty:
    st.stop()
names = dict(zip(accounts["username"], accounts["display_name"], strict=True))
target = st.selectbox("Account", list(names), key="acc_target", format_func=lambda u: f"{u} ({names[u]})")
row = accounts[accounts["username"] == target].iloc[0]


def _act(label, fn, target, *args):
    try:
        result = fn(db, user, target, *args)
    except AccountError as exc:
        st.session_state["acc_change_error"] = exc.message
        return
    st.session_state.pop("acc_change_error", None)
    if fn is reset_password:
        st.session_state["acc_new_password"] = (target, result)
    st.session_state["acc_notice"] = f"{label}: {target!r}."


c1, c2, c3, c4 = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
new_role = c1.selectbox("New role", ROLES, index=ROLES.index(row["role"]), key="acc_new_role",
                        format_func=str.capitalize)
c1.button("Change role", key="acc_change_role", on_click=_act, args=("Role changed", change_role, target, new_role),
          disabled=new_role == row["role"])
c2.button("Reset password", key="acc_reset", on_click=_act, args=("Password reset", reset_password, target),
          help="Creates a random password, shown once, and clears any sign-in wait")
c3.button("Unlock", key="acc_unlock", on_click=_act, args=("Sign-in wait cleared", unlock, target),
          help="Clears the wait and the count of failed sign-ins, so the person can sign in at once",
          disabled=not (pd.notna(row["wait_until"]) and row["wait_until"] > now) and not row["failed_tries"])
if row["active"]:
    c4.button("Deactivate", key="acc_deactivate", on_click=_act, args=("Deactivated", set_active, target, False),
              help="Sign-in is refused from the next click on; the history stays")
else:
    c4.button("Reactivate", key="acc_reactivate", on_click=_act, args=("Reactivated", set_active, target, True))
if err := st.session_state.get("acc_change_error"):
    st.error(err)

st.caption("Every change here is written to the audit trail.")

# ---------------------------------------------------------------------- backups
if user.can("backup.run"):
    st.subheader("Backups")
    root = backup_root(db.path)
    st.write("A backup is a consistent copy of the whole database (Parquet files with a checksummed manifest) "
             "plus the export secret, so a restored installation gives the same export pseudonyms. Keep backups "
             "as safe as the database itself. "
             "The app holds the database file, so back up here while it runs; restore with "
             "`python -m dashboard restore FOLDER` while the app is stopped.")
    st.text(f"Backups are written to {root}")
    if st.button("Back up now", key="acc_backup", icon=":material/backup:"):
        with st.spinner("Writing the backup…"):
            folder, manifest = backup_now(db, user)
        st.success(f"Backup written: {sum(manifest['tables'].values()):,} rows in {len(manifest['tables'])} tables.")
        st.text(str(folder))
    existing = list_backups(root, user)
    if existing:
        listing = pd.DataFrame(existing[:20])
        listing = listing.assign(folder=listing["folder"].map(lambda f: Path(f).name),
                                 created_at=pd.to_datetime(listing["created_at"], errors="coerce"))
        st.caption("Latest backups in that folder")
        st.dataframe(listing, hide_index=True, width="stretch", column_config={
            "folder": st.column_config.TextColumn("Folder"),
            "created_at": st.column_config.DatetimeColumn("Written at", format="DD/MM/YYYY HH:mm:ss"),
            "schema_version": st.column_config.NumberColumn("Schema version", format="%d"),
            "rows": st.column_config.NumberColumn("Rows", format="%d"),
        })
