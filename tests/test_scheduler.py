"""The app's scheduler on a real DuckDB file with a clock the test moves: due or not, missed runs at start, keeping
the newest N backups, failures recorded, one job at a time, the quarterly export, the thread, the settings."""

from __future__ import annotations

import json
import threading
import time as wall
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from dashboard.backup.snapshot import MANIFEST, restore, verify_backup
from dashboard.core.authz import PermissionDenied
from dashboard.core.db import Database
from dashboard.export.bundle import verify_bundle
from dashboard.export.quarter import Quarter
from dashboard.scheduling import (
    ScheduleError,
    Scheduler,
    SchedulerBusy,
    ScheduleSettings,
    backup_warning,
    last_run,
    load_settings,
    save_settings,
)
from dashboard.scheduling.due import (
    backup_due,
    export_due,
    latest_daily,
    latest_quarter_slot,
    next_quarter_slot,
    quarter_to_export,
)
from dashboard.scheduling.jobs import SCHEDULER, app_backups, prune_backups
from dashboard.scheduling.runner import job_lock

AT = time(2, 0)


class Clock:
    """A clock the test sets; every read returns the current setting."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _seed(db: Database) -> None:
    def work(cur):
        cur.execute("INSERT INTO clinics (name) VALUES ('North')")
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr A')")
        cur.execute("INSERT INTO patients (patient_ref, birth_year) VALUES ('P-1', 1981)")
        for i, day in enumerate(["2026-02-10", "2026-03-20", "2026-04-03"], start=1):
            cur.execute(
                "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product,"
                " created_at, created_by) VALUES (1, $ref, CAST($at AS TIMESTAMP), 1, 1, 'ona', now(), 't')",
                {"ref": f"T{i}", "at": day})
        db.audit(cur, "t", "seed")

    db.write(work)


def _runs(db: Database) -> list[tuple]:
    return db.rows("SELECT job, trigger, slot, ok FROM scheduled_runs ORDER BY run_id")


def _actions(db: Database, prefix: str) -> list[tuple]:
    return db.rows("SELECT actor, action, detail FROM audit_log WHERE starts_with(action, $p) ORDER BY audit_id",
                   {"p": prefix})


@pytest.fixture
def sched(db, tmp_path):
    """A scheduler on the test database with a movable clock and its own backup folder (no thread)."""
    clock = Clock(datetime(2026, 11, 3, 14, 0))
    return Scheduler(db, clock=clock, root=tmp_path / "backups", switched_on=True)


# ------------------------------------------------------------------------------------------------ due (pure)
def test_latest_daily_slot_is_today_once_the_time_has_passed_else_yesterday():
    assert latest_daily(datetime(2026, 11, 3, 2, 0), AT) == datetime(2026, 11, 3, 2, 0)
    assert latest_daily(datetime(2026, 11, 3, 1, 59), AT) == datetime(2026, 11, 2, 2, 0)
    assert latest_daily(datetime(2026, 1, 1, 0, 30), AT) == datetime(2025, 12, 31, 2, 0)


def test_backup_is_due_once_per_slot_and_at_once_when_none_was_ever_taken():
    now = datetime(2026, 11, 3, 14, 0)
    assert backup_due(now, AT, None) == datetime(2026, 11, 3, 2, 0)
    assert backup_due(now, AT, datetime(2026, 11, 3, 2, 0)) is None
    assert backup_due(now, AT, datetime(2026, 11, 2, 2, 0)) == datetime(2026, 11, 3, 2, 0)
    # three nights missed while the app was down: one backup now, not three
    assert backup_due(now, AT, datetime(2026, 10, 31, 2, 0)) == datetime(2026, 11, 3, 2, 0)
    assert backup_due(datetime(2026, 11, 4, 1, 59), AT, datetime(2026, 11, 3, 2, 0)) is None


def test_export_slots_are_the_first_day_of_each_quarter_and_export_the_previous_quarter():
    assert latest_quarter_slot(datetime(2026, 11, 3), AT) == datetime(2026, 10, 1, 2, 0)
    assert latest_quarter_slot(datetime(2026, 1, 1, 1, 0), AT) == datetime(2025, 10, 1, 2, 0)
    assert next_quarter_slot(datetime(2026, 11, 3), AT) == datetime(2027, 1, 1, 2, 0)
    assert quarter_to_export(datetime(2027, 1, 1, 2, 0)) == Quarter(2026, 4)
    switched_on = datetime(2026, 9, 15, 9, 0)
    assert export_due(datetime(2026, 9, 30, 23, 0), AT, None, switched_on) is None
    assert export_due(datetime(2026, 10, 1, 1, 59), AT, None, switched_on) is None
    assert export_due(datetime(2026, 10, 1, 2, 0), AT, None, switched_on) == datetime(2026, 10, 1, 2, 0)
    assert export_due(datetime(2026, 10, 9), AT, datetime(2026, 10, 1, 2, 0), switched_on) is None
    # switched on after the quarter's first day: nothing until the next quarter
    assert export_due(datetime(2026, 10, 9), AT, None, datetime(2026, 10, 5)) is None
    assert export_due(datetime(2026, 10, 9), AT, None, None) is None


# ------------------------------------------------------------------------------------------------ backups
def test_first_start_takes_a_backup_then_nothing_until_the_next_night(db, sched, tmp_path):
    _seed(db)
    [run] = sched.run_due()
    assert run.ok and run.trigger == "schedule" and run.slot == datetime(2026, 11, 3, 2, 0)
    assert Path(run.path) == tmp_path / "backups" / "injectwatch-20261103-140000"
    manifest = verify_backup(Path(run.path))
    assert manifest["tables"]["treatments"] == 3
    assert run.size_bytes == sum(p.stat().st_size for p in Path(run.path).iterdir())
    assert sched.run_due() == []
    sched.clock.now = datetime(2026, 11, 4, 1, 59)
    assert sched.run_due() == []
    sched.clock.now = datetime(2026, 11, 4, 2, 0, 30)
    [second] = sched.run_due()
    assert second.slot == datetime(2026, 11, 4, 2, 0)
    assert [r[:3] for r in _runs(db)] == [("backup", "schedule", datetime(2026, 11, 3, 2, 0)),
                                         ("backup", "schedule", datetime(2026, 11, 4, 2, 0))]
    created = _actions(db, "backup.create")
    assert [(a, json.loads(d)["folder"]) for a, _, d in created] == [("scheduler", run.path),
                                                                     ("scheduler", second.path)]


def test_a_night_missed_while_the_app_was_down_runs_at_the_next_start(db, sched):
    _seed(db)
    sched.clock.now = datetime(2026, 11, 1, 2, 0)
    assert len(sched.run_due()) == 1
    # the app was stopped on the 1st and starts again on the 4th at 09:15: a new scheduler, one catch-up backup
    restarted = Scheduler(db, clock=Clock(datetime(2026, 11, 4, 9, 15)), root=sched.root, switched_on=True)
    [run] = restarted.run_due()
    assert run.ok and run.slot == datetime(2026, 11, 4, 2, 0)
    assert restarted.run_due() == []
    assert len(app_backups(sched.root)) == 2


def test_keeps_the_newest_n_and_never_touches_other_folders(db, sched):
    save_settings(db, _manager(), backup_enabled=True, at=AT, keep=3)
    sched.root.mkdir()
    (sched.root / "my-copy-before-upgrade").mkdir()
    (sched.root / "injectwatch-20200101-000000").mkdir()  # the app's name but no manifest: not a backup of ours
    paths = []
    for day in range(1, 6):
        sched.clock.now = datetime(2026, 11, day, 2, 0, 5)
        [run] = sched.run_due()
        assert run.ok
        paths.append(Path(run.path))
    assert app_backups(sched.root) == paths[-3:]
    assert not paths[0].exists() and not paths[1].exists()
    assert (sched.root / "my-copy-before-upgrade").is_dir() and (sched.root / "injectwatch-20200101-000000").is_dir()
    pruned = _actions(db, "backup.prune")
    assert [json.loads(d)["removed"] for _, _, d in pruned] == [[paths[0].name], [paths[1].name]]
    assert "removed 1 older backup" in last_run(db).message


def test_prune_keeps_the_backup_just_written_even_when_the_clock_went_back(tmp_path):
    root = tmp_path / "b"
    for name in ("injectwatch-20261105-020000", "injectwatch-20261106-020000", "injectwatch-20261101-020000"):
        (root / name).mkdir(parents=True)
        (root / name / MANIFEST).write_text("{}")
    removed = prune_backups(root, 2, protect=root / "injectwatch-20261101-020000")
    assert removed == [root / "injectwatch-20261105-020000"]
    assert {p.name for p in app_backups(root)} == {"injectwatch-20261101-020000", "injectwatch-20261106-020000"}


def test_two_backups_in_the_same_second_get_two_folders(db, sched):
    first = sched.back_up_now(_manager())
    second = sched.back_up_now(_manager())
    assert first.ok and second.ok
    assert Path(second.path).name == Path(first.path).name + "-2"
    assert app_backups(sched.root)[-1] == Path(second.path)


def test_a_failed_backup_is_recorded_and_not_retried_before_the_next_night(db, sched):
    sched.root.parent.mkdir(exist_ok=True)
    sched.root.write_text("a file where the backup folder should be")
    [run] = sched.run_due()  # does not raise
    assert not run.ok and run.size_bytes is None
    assert run.message == f"{sched.root} is a file where a folder should be: move it away or choose another folder."
    assert "Traceback" not in run.message
    assert _runs(db) == [("backup", "schedule", datetime(2026, 11, 3, 2, 0), False)]
    [(actor, action, detail)] = _actions(db, "backup.failed")
    assert actor == "scheduler" and json.loads(detail)["reason"] == run.message
    assert sched.run_due() == []  # one attempt per night; the overview warns and Back up now tries again
    warning = backup_warning(load_settings(db), last_run(db), sched.clock(), scheduling=True)
    assert warning == f"The last backup failed (03/11/2026 14:00): {run.message} Open Accounts to see the backup status and press Back up now."


def test_nothing_runs_while_nightly_backups_are_off(db, sched):
    save_settings(db, _manager(), backup_enabled=False, at=AT, keep=14)
    assert sched.run_due() == []
    assert _runs(db) == []


def test_one_job_at_a_time(db, sched):
    lock = job_lock(db.path)
    with lock:  # another job (or another scheduler of the same file) is running
        assert sched.run_due() == []
        with pytest.raises(SchedulerBusy):
            sched.back_up_now(_manager(), wait_s=0.1)
    assert _runs(db) == []
    assert len(sched.run_due()) == 1


def test_back_up_now_needs_the_permission_and_is_recorded_as_manual(db, sched, practitioner):
    with pytest.raises(PermissionDenied):
        sched.back_up_now(practitioner)
    run = sched.back_up_now(_manager())
    assert run.ok and run.trigger == "manual" and run.slot is None and run.actor == "mgr"
    # a manual backup does not serve the night's slot: the schedule still takes its own
    assert len(sched.run_due()) == 1


def test_the_scheduled_backup_restores_to_the_same_data(db, sched, tmp_path):
    _seed(db)
    [run] = sched.run_due()
    result = restore(Path(run.path), tmp_path / "restored.duckdb", SCHEDULER)
    assert result.tables["treatments"] == 3
    copy = Database(tmp_path / "restored.duckdb")
    try:
        for table in ("treatments", "patients", "settings", "accounts"):
            query = f"SELECT * FROM {table} ORDER BY ALL"  # table names from this test's own list
            assert copy.rows(query) == db.rows(query), table
    finally:
        copy.close()


# ------------------------------------------------------------------------------------------------ export
def test_quarterly_export_on_the_first_day_writes_the_previous_quarter_de_identified(db, sched, tmp_path):
    _seed(db)
    out = tmp_path / "exports"
    sched.clock.now = datetime(2026, 3, 2, 9, 0)
    save_settings(db, _manager(), backup_enabled=False, at=AT, keep=14, export_enabled=True,
                  export_folder=str(out), now=sched.clock())
    sched.clock.now = datetime(2026, 4, 1, 1, 0)
    assert sched.run_due() == []
    sched.clock.now = datetime(2026, 4, 1, 2, 1)
    [run] = sched.run_due()
    assert run.ok and run.job == "export" and run.slot == datetime(2026, 4, 1, 2, 0)
    assert Path(run.path) == out / "injectwatch-2026Q1.zip" and run.size_bytes == Path(run.path).stat().st_size
    assert verify_bundle(out / "injectwatch-2026Q1") == []
    manifest = json.loads((out / "injectwatch-2026Q1" / "manifest.json").read_text())
    assert manifest["identified"] is False and manifest["exported_by"] == "scheduler"
    assert manifest["rows"]["treatments.csv"] == 2  # February and March, not April
    [(actor, action, detail)] = _actions(db, "export")
    assert (actor, action) == ("scheduler", "export") and str(out.resolve()) in json.loads(detail)["destination"]
    sched.clock.now = datetime(2026, 4, 9)  # the app restarted later in the quarter: no second export
    assert sched.run_due() == []


def test_a_quarterly_export_missed_while_the_app_was_down_runs_at_start_and_failures_are_recorded(db, sched,
                                                                                                   tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    save_settings(db, _manager(), backup_enabled=False, at=AT, keep=14, export_enabled=True,
                  export_folder=str(tmp_path / "exports"), now=datetime(2026, 5, 1))
    # the folder became a file after it was configured
    db.write(lambda cur: db.execute_named(cur, "settings_set",
                                          {"key": "schedule.export.folder", "value": str(blocker)}))
    sched.clock.now = datetime(2026, 7, 3, 8, 0)  # down on 1 and 2 July
    [run] = sched.run_due()
    assert not run.ok and run.slot == datetime(2026, 7, 1, 2, 0)
    assert run.message.startswith(f"{blocker} is a file where a folder should be")
    [(actor, action, detail)] = _actions(db, "export.failed")
    assert actor == "scheduler" and json.loads(detail)["quarter"] == "2026Q2"


# ------------------------------------------------------------------------------------------------ the thread
def test_the_thread_runs_a_missed_backup_at_start_and_survives_an_error(db, tmp_path, monkeypatch):
    from dashboard.scheduling import runner

    calls = []
    real = runner.load_settings

    def flaky(database):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("settings unreadable")
        return real(database)

    monkeypatch.setattr(runner, "load_settings", flaky)
    sched = Scheduler(db, clock=Clock(datetime(2026, 11, 3, 14, 0)), root=tmp_path / "b", switched_on=True,
                      poll_s=3600, start_delay_s=0)
    assert sched.start() and sched.start()  # a second start is a no-op
    try:
        assert [t for t in threading.enumerate() if t.name == "injectwatch-scheduler"] == [sched._thread]
        _wait_for(lambda: len(calls) == 1)
        assert sched.running and _runs(db) == []  # the error did not stop the thread
        sched.nudge()
        _wait_for(lambda: len(_runs(db)) == 1)
        assert _runs(db)[0][3] is True
    finally:
        sched.stop()
    assert not sched.running


def test_switched_off_by_the_environment_no_thread_starts(db, tmp_path, monkeypatch):
    monkeypatch.setenv("INJECTWATCH_SCHEDULER", "off")
    sched = Scheduler(db, root=tmp_path / "b")
    assert not sched.start() and not sched.running
    assert backup_warning(ScheduleSettings(), None, datetime.now(), scheduling=sched.switched_on) is None
    monkeypatch.setenv("INJECTWATCH_SCHEDULER", "on")
    assert Scheduler(db, root=tmp_path / "b").switched_on


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = wall.monotonic() + timeout
    while not condition():
        assert wall.monotonic() < deadline, "the scheduler thread did not get there"
        wall.sleep(0.05)


# ------------------------------------------------------------------------------------------------ status, settings
def test_backup_warning_none_failed_stale_and_fresh():
    from dashboard.scheduling.jobs import RunRecord

    now = datetime(2026, 11, 5, 12, 0)
    on = ScheduleSettings()

    def run(finished: datetime, ok: bool = True) -> RunRecord:
        return RunRecord("backup", "schedule", finished, finished, finished, ok, "x", 1 if ok else None,
                         "12 rows in 3 tables" if ok else "Could not write the files: disk full.", "scheduler")

    assert backup_warning(on, None, now, True).startswith("No backup has been taken yet")
    assert backup_warning(on, run(now - timedelta(hours=35)), now, True) is None
    stale = backup_warning(on, run(now - timedelta(hours=37)), now, True)
    assert stale.startswith("The last backup is 37 hours old (03/11/2026 23:00)")
    assert "Could not write the files: disk full." in backup_warning(on, run(now - timedelta(hours=1), ok=False), now, True)
    off = ScheduleSettings(backup_enabled=False)
    assert backup_warning(off, run(now - timedelta(days=9)), now, True) is None


def test_settings_defaults_round_trip_and_audit(db, manager, admin):
    assert load_settings(db) == ScheduleSettings()
    when = datetime(2026, 11, 3, 10, 0)
    saved = save_settings(db, manager, backup_enabled=True, at=time(3, 30), keep=7, export_enabled=True,
                          export_folder="", now=when)
    assert load_settings(db) == saved == ScheduleSettings(True, time(3, 30), 7, True, "", when)
    # an admin changes the backups only; the export stays as the manager set it
    save_settings(db, admin, backup_enabled=False, at=time(1, 0), keep=3)
    assert load_settings(db) == ScheduleSettings(False, time(1, 0), 3, True, "", when)
    with pytest.raises(PermissionDenied):
        save_settings(db, admin, backup_enabled=True, at=AT, keep=3, export_enabled=False)
    changes = _actions(db, "schedule.change")
    assert [(a, json.loads(d)["time"]) for a, _, d in changes] == [("mgr", "03:30"), ("root", "01:00")]


@pytest.mark.parametrize(("field", "kwargs", "message"), [
    ("keep", {"keep": 0}, "Keep between 1 and 365 backups"),
    ("keep", {"keep": 400}, "Keep between 1 and 365 backups"),
    ("at", {"at": "02:00"}, "Choose the time of day"),
    ("export_folder", {"export_folder": "exports/here"}, "Give the full path of the export folder"),
    ("export_folder", {"export_folder": "/x\n/y"}, "may not hold quotes, tabs or line breaks"),
])
def test_bad_settings_get_a_plain_message_and_change_nothing(db, manager, field, kwargs, message):
    args = {"backup_enabled": True, "at": AT, "keep": 14, "export_enabled": True, "export_folder": "", **kwargs}
    with pytest.raises(ScheduleError) as err:
        save_settings(db, manager, **args)
    assert err.value.field == field and message in err.value.message
    assert load_settings(db) == ScheduleSettings()


def test_an_export_folder_that_is_a_file_is_refused(db, manager, tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ScheduleError, match="is a file, not a folder"):
        save_settings(db, manager, backup_enabled=True, at=AT, keep=14, export_enabled=True,
                      export_folder=str(tmp_path / "f"))


def test_hand_edited_nonsense_in_the_settings_table_falls_back_to_the_defaults(db):
    for key, value in (("schedule.time", "25:99"), ("schedule.backup.keep", "-3"),
                       ("schedule.backup.enabled", "maybe"), ("schedule.export.since", "yesterday")):
        db.write(lambda cur, k=key, v=value: db.execute_named(cur, "settings_set", {"key": k, "value": v}))
    assert load_settings(db) == ScheduleSettings()


def _manager():
    from dashboard.core.authz import User

    return User(username="mgr", role="manager", display_name="Morgan Manager")


def test_moments_are_worded_relative_to_today():
    from dashboard.scheduling import when_text

    now = datetime(2026, 12, 31, 23, 0)
    assert when_text(datetime(2026, 12, 31, 2, 0), now) == "today 02:00"
    assert when_text(datetime(2026, 12, 30, 2, 0), now) == "yesterday 02:00"
    assert when_text(datetime(2027, 1, 1, 2, 0), now) == "tomorrow 02:00"
    assert when_text(datetime(2026, 12, 1, 2, 5), now) == "01/12/2026 02:05"
