"""Accounts: who may sign in, with which role; add, change role, reset password, unlock, deactivate (all audited)."""

from datetime import datetime, timedelta
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
from dashboard.backup.snapshot import list_backups
from dashboard.core.authz import PERMISSIONS, ROLES
from dashboard.scheduling import (
    RunRecord,
    ScheduleError,
    Scheduler,
    SchedulerBusy,
    ScheduleSettings,
    backup_warning,
    human_size,
    last_run,
    load_settings,
    next_backup_at,
    next_export_at,
    recent_runs,
    save_settings,
    when_text,
)
from dashboard.scheduling.settings import MAX_KEEP, MIN_KEEP
from dashboard.web.guard import require_permission
from dashboard.web.ui import get_db, get_scheduler

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
    st.form_submit_button("Add account", type="primary", on_click=_add, key="acc_add_submit")


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
SCHEDULE_ERRORS = "acc_schedule_errors"
TRIGGERS = {"schedule": "nightly", "manual": "Back up now"}


def _show_status(last: RunRecord | None, settings: ScheduleSettings, scheduler: Scheduler) -> None:
    """The last backup (when, result, size, folder) and the next nightly one."""
    now = datetime.now()
    c1, c2, c3, c4 = st.columns([3, 2, 2, 3])
    c1.metric("Last backup", when_text(last.finished_at, now) if last else "none yet",
              help=f"{last.finished_at:%d/%m/%Y %H:%M:%S}" if last else None)
    c2.metric("Result", ("OK" if last.ok else "Failed") if last else "—")
    c3.metric("Size", human_size(last.size_bytes) if last else "—")
    upcoming = next_backup_at(settings, now) if scheduler.switched_on else None
    c4.metric("Next nightly backup", when_text(upcoming, now) if upcoming else "off",
              help=f"{upcoming:%d/%m/%Y %H:%M}" if upcoming else None)
    if last is not None:
        how = TRIGGERS[last.trigger] + ("" if last.trigger == "schedule" else f" by {last.actor}")
        if last.ok:
            st.caption(f"Last backup ({how}): {last.message}.")
            st.text(str(last.path))
        else:
            st.error(f"The last backup ({how}) failed: {last.message}")
    warning = backup_warning(settings, last, now, scheduler.switched_on,
                             advice="Press Back up now to take one at once.")
    if warning and (last is None or last.ok):
        st.warning(warning)
    if not scheduler.switched_on:
        st.info("This app process runs no scheduled jobs (INJECTWATCH_SCHEDULER=off): back up with Back up now, "
                "or stop the app and use `python -m dashboard backup`.")


def _save_schedule() -> None:
    ss = st.session_state
    export = user.can("export.run")
    try:
        saved = save_settings(db, user, backup_enabled=bool(ss.get("acc_sched_backup")), at=ss.get("acc_sched_time"),
                              keep=ss.get("acc_sched_keep"),
                              export_enabled=bool(ss.get("acc_sched_export")) if export else None,
                              export_folder=str(ss.get("acc_sched_folder") or "") if export else None)
    except ScheduleError as exc:
        ss[SCHEDULE_ERRORS] = {exc.field: exc.message}
        return
    ss[SCHEDULE_ERRORS] = {}
    get_scheduler().nudge()
    nightly = f"nightly backups at {saved.at:%H:%M}, keeping {saved.keep}" if saved.backup_enabled else \
        "nightly backups off"
    quarterly = "; quarterly export on" if saved.export_enabled else ""
    ss["acc_schedule_notice"] = f"Schedule saved: {nightly}{quarterly}."


def _schedule_error(field: str) -> None:
    msg = st.session_state.get(SCHEDULE_ERRORS, {}).get(field)
    if msg:
        st.error(msg)


if user.can("backup.run"):
    st.subheader("Backups")
    scheduler = get_scheduler()
    settings = load_settings(db)
    st.write("A backup is a consistent copy of the whole database (Parquet files with a checksummed manifest) "
             "plus the export secret, so a restored installation gives the same export pseudonyms. Keep backups "
             "as safe as the database itself. The app holds the database file, so it backs up by itself: every "
             "night at the time below, keeping the newest backups, and when you press Back up now. Restore with "
             "`python -m dashboard restore FOLDER` while the app is stopped.")
    st.text(f"Backups are written to {scheduler.root}")
    status = st.container()
    if st.button("Back up now", key="acc_backup", icon=":material/backup:"):
        with st.spinner("Writing the backup…"):
            try:
                run: RunRecord | None = scheduler.back_up_now(user)
            except SchedulerBusy as exc:
                run = None
                st.error(str(exc))
        if run is not None and run.ok:
            st.success(f"Backup written: {run.message}.")
        elif run is not None:
            st.error(run.message)
    with status:
        _show_status(last_run(db, "backup"), settings, scheduler)

    st.markdown("**Schedule**")
    if notice := st.session_state.pop("acc_schedule_notice", None):
        st.success(notice)
    with st.form("acc_schedule", enter_to_submit=False):
        st.checkbox("Back up every night", value=settings.backup_enabled, key="acc_sched_backup")
        c1, c2 = st.columns(2)
        c1.time_input("Time of day (this computer's clock)", value=settings.at, key="acc_sched_time",
                      step=timedelta(minutes=5), help="Scheduled backups and the quarterly export run then")
        with c1:
            _schedule_error("at")
        c2.number_input("Backups to keep", min_value=MIN_KEEP, max_value=MAX_KEEP, value=settings.keep, step=1,
                        key="acc_sched_keep", help="After each backup the app deletes its older backups beyond "
                        "this number (folders it did not write are never touched)")
        with c2:
            _schedule_error("keep")
        if user.can("export.run"):
            st.checkbox("Quarterly export on the first day of each quarter (the previous quarter, de-identified)",
                        value=settings.export_enabled, key="acc_sched_export")
            st.text_input("Export folder", value=settings.export_folder, key="acc_sched_folder",
                          placeholder=str(ScheduleSettings().export_dir(db.path)),
                          help="The full path of a folder; empty: the exports folder beside the database")
            _schedule_error("export_folder")
        st.form_submit_button("Save schedule", on_click=_save_schedule, key="acc_schedule_submit")
    if settings.export_enabled and user.can("export.run"):
        upcoming_export = next_export_at(settings, datetime.now())
        st.caption(f"Next quarterly export: {upcoming_export:%d/%m/%Y %H:%M}, into "
                   f"{settings.export_dir(db.path)}")

    runs = recent_runs(db, 10)
    if not runs.empty:
        st.caption("Latest backups and exports the app ran")
        st.dataframe(runs.assign(
            job=runs["job"].map({"backup": "Backup", "export": "Quarterly export"}),
            trigger=runs["trigger"].map(TRIGGERS),
            ok=runs["ok"].map({True: "OK", False: "Failed"}),
            size_bytes=runs["size_bytes"].map(lambda b: human_size(None if pd.isna(b) else int(b))),
            path=runs["path"].map(lambda p: Path(p).name if isinstance(p, str) else "—"),
        ), hide_index=True, width="stretch",
            column_order=("finished_at", "job", "trigger", "ok", "size_bytes", "path", "message"),
            column_config={
                "finished_at": st.column_config.DatetimeColumn("When", format="DD/MM/YYYY HH:mm"),
                "job": st.column_config.TextColumn("Job"),
                "trigger": st.column_config.TextColumn("Started by"),
                "ok": st.column_config.TextColumn("Result"),
                "size_bytes": st.column_config.TextColumn("Size"),
                "path": st.column_config.TextColumn("File or folder", help="Backups are in the backup folder named above, exports in the export folder"),
                "message": st.column_config.TextColumn("Details"),
            })
    existing = list_backups(scheduler.root, user)
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
