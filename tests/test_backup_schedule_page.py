"""The schedule and the last-backup status on the Accounts page, and the backup warning on the Clinic overview
(AppTest on a real database file)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.accounts import add_account
from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from dashboard.scheduling import Scheduler, human_size, last_run, load_settings, when_text
from dashboard.scheduling.jobs import RunRecord, record_run
from tests.accounts_support import fast_hashes  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashes")
VIEWS = Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views"
PW = "correct horse battery"


@pytest.fixture
def backups(db_file, tmp_path, monkeypatch):
    """The backup folder of the app under test, with the manager's and the admin's accounts in the database."""
    monkeypatch.setenv("INJECTWATCH_BACKUP_DIR", str(tmp_path / "backups"))
    db = open_database(db_file)
    add_account(db, SYSTEM, username="mgr", password=PW, role="manager", display_name="Morgan Manager")
    add_account(db, SYSTEM, username="root", password=PW, role="admin", display_name="Alex Admin")
    db.close()
    return tmp_path / "backups"


def _page(name: str, user) -> AppTest:
    at = AppTest.from_file(str(VIEWS / name), default_timeout=30)
    at.session_state["user"] = user
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _said(moment: datetime, before: datetime) -> set[str]:
    """How the page may word a moment, read between `before` and now (a test may run across midnight)."""
    return {when_text(moment, before), when_text(moment, datetime.now())}


def _record_failure(db_file: Path, finished: datetime) -> None:
    db = open_database(db_file)
    record_run(db, RunRecord("backup", "schedule", finished.replace(second=0), finished, finished, False,
                             "/backups/injectwatch-x", None, "Could not write the files: No "
                             "space left on device. Is the disk full or the folder read-only?", "scheduler"),
               "backup.failed", "database", str(db_file), {"reason": "disk full"})
    db.close()


# ---------------------------------------------------------------------------------------------------- Accounts
def test_status_of_the_last_backup_when_size_and_folder(backups, db_file, manager):
    db = open_database(db_file)
    run = Scheduler(db, root=backups, switched_on=False).back_up_now(manager)
    db.close()
    before = datetime.now()
    at = _page("accounts.py", manager)
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Last backup"] in _said(run.finished_at, before) and metrics["Last backup"].startswith("today ")
    assert metrics["Result"] == "OK"
    assert metrics["Size"] == human_size(run.size_bytes) and metrics["Size"].endswith("kB")
    assert metrics["Next nightly backup"] == "off"  # INJECTWATCH_SCHEDULER=off in tests
    assert any(run.path == t.value for t in at.text)
    assert any("Last backup (Back up now by mgr)" in c.value for c in at.caption)
    assert any("INJECTWATCH_SCHEDULER=off" in i.value for i in at.info)


def test_a_failed_backup_shows_failed_with_the_reason(backups, db_file, manager):
    _record_failure(db_file, datetime.now().replace(microsecond=0))
    at = _page("accounts.py", manager)
    assert _metrics(at)["Result"] == "Failed" and _metrics(at)["Size"] == "—"
    assert "No space left on device" in at.error[0].value and "(nightly) failed" in at.error[0].value


def test_back_up_now_goes_through_the_scheduler_and_updates_the_status(backups, db_file, manager):
    at = _page("accounts.py", manager)
    assert _metrics(at)["Last backup"] == "none yet"
    at.button(key="acc_backup").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Backup written:")
    assert _metrics(at)["Result"] == "OK" and _metrics(at)["Last backup"] != "none yet"
    db = open_database(db_file)
    try:
        run = last_run(db)
        assert run is not None and run.trigger == "manual" and run.actor == "mgr"
        assert Path(run.path).parent == backups
    finally:
        db.close()


def test_with_scheduling_on_the_page_names_the_next_nightly_backup(backups, db_file, manager, monkeypatch):
    monkeypatch.setenv("INJECTWATCH_SCHEDULER", "on")
    db = open_database(db_file)
    [run] = Scheduler(db, root=backups, switched_on=True).run_due()  # tonight's slot served: the thread finds nothing
    db.close()
    before = datetime.now()
    at = _page("accounts.py", manager)
    assert not at.exception
    metrics = _metrics(at)
    upcoming = datetime.combine(run.slot.date() + timedelta(days=1), time(2, 0))
    assert metrics["Next nightly backup"] in _said(upcoming, before)
    assert any("Last backup (nightly)" in c.value for c in at.caption)
    assert not at.warning and not any("INJECTWATCH_SCHEDULER" in i.value for i in at.info)


def test_manager_saves_the_schedule_and_bad_folder_gets_a_message(backups, db_file, manager, tmp_path):
    at = _page("accounts.py", manager)
    at.time_input(key="acc_sched_time").set_value(time(3, 30))
    at.number_input(key="acc_sched_keep").set_value(7)
    at.checkbox(key="acc_sched_export").check()
    at.text_input(key="acc_sched_folder").input("exports")
    at.button(key="acc_schedule_submit").click().run()
    assert not at.exception
    assert any("Give the full path of the export folder" in e.value for e in at.error)
    db = open_database(db_file)
    assert load_settings(db).at == time(2, 0)  # nothing saved
    db.close()

    at.text_input(key="acc_sched_folder").input(str(tmp_path / "quarterly"))
    at.button(key="acc_schedule_submit").click().run()
    assert not any("full path" in e.value for e in at.error)
    assert "Schedule saved: nightly backups at 03:30, keeping 7; quarterly export on." in [s.value for s in at.success]
    assert any(c.value.startswith("Next quarterly export: ") and str(tmp_path / "quarterly") in c.value
               for c in at.caption)
    db = open_database(db_file)
    try:
        saved = load_settings(db)
        assert (saved.at, saved.keep, saved.export_enabled) == (time(3, 30), 7, True)
        assert saved.export_folder == str(tmp_path / "quarterly")
        detail = json.loads(db.scalar("SELECT detail FROM audit_log WHERE action = 'schedule.change'"))
        assert detail["time"] == "03:30" and detail["export"] == "on"
    finally:
        db.close()


def test_admin_sets_backups_but_sees_no_export_settings(backups, db_file, admin):
    at = _page("accounts.py", admin)
    assert not at.exception
    keys = {c.key for c in at.checkbox}
    assert "acc_sched_backup" in keys and "acc_sched_export" not in keys
    assert not [t for t in at.text_input if t.key == "acc_sched_folder"]
    at.checkbox(key="acc_sched_backup").uncheck()
    at.button(key="acc_schedule_submit").click().run()
    assert "Schedule saved: nightly backups off." in [s.value for s in at.success]


def test_reading_the_accounts_page_writes_nothing(backups, db_file, manager):
    db = open_database(db_file)
    before = db.data_version()
    db.close()
    at = _page("accounts.py", manager)
    at.run()
    from dashboard.web.ui import get_db

    assert get_db().data_version() == before
    assert not backups.exists()


# ---------------------------------------------------------------------------------------------------- overview
@pytest.fixture
def scheduling_on(monkeypatch):
    monkeypatch.setenv("INJECTWATCH_SCHEDULER", "on")


def test_overview_warns_managers_and_admins_when_no_backup_was_ever_taken(backups, scheduling_on, manager, admin,
                                                                          practitioner):
    for user in (manager, admin):
        at = _page("home.py", user)
        assert not at.exception
        assert at.warning[0].value.startswith("No backup has been taken yet. Open Accounts")
    assert not _page("home.py", practitioner).warning


def test_overview_warns_when_the_last_backup_failed(backups, db_file, scheduling_on, manager):
    _record_failure(db_file, datetime.now().replace(microsecond=0) - timedelta(hours=2))
    warning = _page("home.py", manager).warning[0].value
    assert warning.startswith("The last backup failed (") and "No space left on device" in warning


def test_overview_warns_when_the_last_backup_is_older_than_36_hours(backups, db_file, scheduling_on, manager):
    old = datetime.now().replace(microsecond=0) - timedelta(hours=40)
    db = open_database(db_file)
    Scheduler(db, clock=lambda: old, root=backups, switched_on=True).run_due()
    db.close()
    warning = _page("home.py", manager).warning[0].value
    assert warning.startswith("The last backup is 40 hours old (")


def test_overview_is_quiet_after_a_fresh_backup_or_with_scheduling_off(backups, db_file, manager, monkeypatch):
    assert not _page("home.py", manager).warning  # INJECTWATCH_SCHEDULER=off: nothing promised, nothing to warn
    monkeypatch.setenv("INJECTWATCH_SCHEDULER", "on")
    db = open_database(db_file)
    Scheduler(db, root=backups, switched_on=True).run_due()
    db.close()
    assert not _page("home.py", manager).warning
