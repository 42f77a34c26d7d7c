"""The app's scheduler: one background thread per app process that wakes now and then and runs a due job once.

It works through the app's own open Database (DuckDB allows one process per file, so a second process could not),
runs one job at a time per database (a module-wide lock, also held by "Back up now"), records every run, and never
lets an error out of its thread. The clock is injectable, so tests drive it without waiting for the night.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from dashboard.backup.snapshot import backup_root
from dashboard.core.authz import User, require
from dashboard.core.db import Database
from dashboard.scheduling.due import backup_due, export_due, quarter_to_export
from dashboard.scheduling.jobs import SCHEDULER, Clock, RunRecord, take_backup, take_export
from dashboard.scheduling.settings import load_settings, scheduler_switched_on

log = logging.getLogger(__name__)

START_DELAY_S = 5.0  # the first look after the app starts: a slot missed while it was down runs then
POLL_S = 60.0
MANUAL_WAIT_S = 600.0

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class SchedulerBusy(RuntimeError):
    """Raised by back_up_now when another job kept the database busy for too long."""


def job_lock(database: Path) -> threading.Lock:
    """The one lock of a database file in this process: held while any backup or export job runs."""
    key = str(database) if str(database) == ":memory:" else str(Path(database).resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


class Scheduler:
    """Runs the due nightly backup and quarterly export of one database, in one daemon thread."""

    def __init__(self, db: Database, *, clock: Clock = datetime.now, root: Path | None = None,
                 switched_on: bool | None = None, poll_s: float = POLL_S, start_delay_s: float = START_DELAY_S):
        """Prepare (not start) the scheduler; switched_on defaults to INJECTWATCH_SCHEDULER (on unless 'off')."""
        self.db = db
        self.clock = clock
        self.root = Path(root) if root is not None else backup_root(db.path)
        self.switched_on = scheduler_switched_on() if switched_on is None else switched_on
        self.poll_s, self.start_delay_s = poll_s, start_delay_s
        self._lock = job_lock(db.path)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_guard = threading.Lock()

    @property
    def running(self) -> bool:
        """True while the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start the background thread once (no-op when switched off or already running); return running."""
        with self._start_guard:
            if self.switched_on and not self.running:
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="injectwatch-scheduler", daemon=True)
                self._thread.start()
        return self.running

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish (after a job in progress) and wait up to `timeout` seconds."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def nudge(self) -> None:
        """Look for due jobs now instead of at the next wake (e.g. after the schedule was changed)."""
        self._wake.set()

    def run_due(self) -> list[RunRecord]:
        """Run every job that is due now, one after the other; return their records (empty when none was due or
        another job holds the database)."""
        if not self._lock.acquire(blocking=False):
            return []
        try:
            settings = load_settings(self.db)
            runs: list[RunRecord] = []
            now = self.clock()
            if settings.backup_enabled:
                slot = backup_due(now, settings.at, self.db.query_scalar("schedule_last_slot", {"job": "backup"}))
                if slot is not None:
                    runs.append(take_backup(self.db, self.root, keep=settings.keep, trigger="schedule", slot=slot,
                                            user=SCHEDULER, clock=self.clock))
            if settings.export_enabled:
                last = self.db.query_scalar("schedule_last_slot", {"job": "export"})
                slot = export_due(now, settings.at, last, settings.export_since)
                if slot is not None:
                    runs.append(take_export(self.db, settings.export_dir(self.db.path), quarter_to_export(slot),
                                            slot=slot, user=SCHEDULER, clock=self.clock))
            return runs
        finally:
            self._lock.release()

    def back_up_now(self, user: User, wait_s: float = MANUAL_WAIT_S) -> RunRecord:
        """Take a backup at once for a signed-in user (needs backup.run), through the same job as the schedule.

        Waits for a job in progress to finish; while nightly backups are on, keeps the newest N as they do.
        """
        require(user, "backup.run")
        if not self._lock.acquire(timeout=wait_s):
            raise SchedulerBusy("Another backup or export is still running; try again in a few minutes.")
        try:
            settings = load_settings(self.db)
            return take_backup(self.db, self.root, keep=settings.keep if settings.backup_enabled else None,
                               trigger="manual", slot=None, user=user, clock=self.clock)
        finally:
            self._lock.release()

    def _loop(self) -> None:
        if self._stop.wait(self.start_delay_s):
            return
        while not self._stop.is_set():
            try:
                self.run_due()
            except Exception:  # reading the settings failed (e.g. the database was closed): try again next wake
                log.exception("the scheduled jobs could not run")
            self._wake.wait(self.poll_s)
            self._wake.clear()
