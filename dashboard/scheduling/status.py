"""What the pages show about the app's backups: the last run, the recent runs, the next slots and the warning."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from dashboard.core.db import Database
from dashboard.scheduling.due import next_daily, next_quarter_slot
from dashboard.scheduling.jobs import RunRecord
from dashboard.scheduling.settings import ScheduleSettings

STALE_AFTER = timedelta(hours=36)


def last_run(db: Database, job: str = "backup") -> RunRecord | None:
    """The latest run of a job (scheduled or "Back up now"), or None when the app never ran it."""
    rows = db.query_rows("schedule_last_run", {"job": job})
    if not rows:
        return None
    job_, trigger, slot, started, finished, ok, path, size, message, actor = rows[0]
    return RunRecord(job_, trigger, slot, started, finished, bool(ok), path, None if size is None else int(size),
                     message, actor)


def recent_runs(db: Database, limit: int = 10) -> pd.DataFrame:
    """The latest runs of every job, newest first."""
    return db.query("schedule_recent_runs", {"limit": int(limit)})


def next_backup_at(settings: ScheduleSettings, now: datetime) -> datetime | None:
    """When the next nightly backup is due (None when nightly backups are off)."""
    return next_daily(now, settings.at) if settings.backup_enabled else None


def next_export_at(settings: ScheduleSettings, now: datetime) -> datetime | None:
    """When the next quarterly export is due (None when the scheduled export is off)."""
    return next_quarter_slot(now, settings.at) if settings.export_enabled else None


def when_text(moment: datetime, now: datetime) -> str:
    """A moment as people say it: 'today 02:00', 'yesterday 02:00', 'tomorrow 02:00', else '01/12/2026 02:00'."""
    days = (moment.date() - now.date()).days
    names = {0: "today", -1: "yesterday", 1: "tomorrow"}
    return f"{names[days]} {moment:%H:%M}" if days in names else f"{moment:%d/%m/%Y %H:%M}"


def human_size(size: int | None) -> str:
    """A byte count in words people read: 812 bytes, 14.2 kB, 3.1 MB, 1.2 GB."""
    if size is None:
        return "—"
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"  # pragma: no cover (the loop always returns)


OPEN_ACCOUNTS = "Open Accounts to see the backup status and press Back up now."


def backup_warning(settings: ScheduleSettings, last: RunRecord | None, now: datetime, scheduling: bool,
                   advice: str = OPEN_ACCOUNTS) -> str | None:
    """The warning for managers and admins while nightly backups are on, or None when backups are fine.

    Warns when the last backup failed, when it is older than 36 hours, or when none was ever taken. `scheduling` is
    False when this app process runs no scheduled jobs (INJECTWATCH_SCHEDULER=off): then nothing is promised.
    """
    if not (settings.backup_enabled and scheduling):
        return None
    if last is None:
        return f"No backup has been taken yet. {advice}"
    when = f"{last.finished_at:%d/%m/%Y %H:%M}"
    if not last.ok:
        return f"The last backup failed ({when}): {last.message} {advice}"
    age = now - last.finished_at
    if age > STALE_AFTER:
        hours = int(age.total_seconds() // 3600)
        return (f"The last backup is {hours} hours old ({when}); nightly backups should run at {settings.at:%H:%M}. "
                f"{advice}")
    return None
