"""When a scheduled job is due: pure functions of the clock, the settings and the last slot served.

A *slot* is the scheduled moment a run serves: every day at the time of day for backups, the first day of each
quarter at that time for exports. A job is due when the latest slot at or before now has not been served yet, so a
slot missed while the app was down is served at the next start, and several missed slots give one run, not many.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dashboard.export.quarter import Quarter, quarter_of


def latest_daily(now: datetime, at: time) -> datetime:
    """The latest moment at or before `now` whose time of day is `at`."""
    today = datetime.combine(now.date(), at)
    return today if today <= now else today - timedelta(days=1)


def next_daily(now: datetime, at: time) -> datetime:
    """The first moment after `now` whose time of day is `at`."""
    return latest_daily(now, at) + timedelta(days=1)


def backup_due(now: datetime, at: time, last_slot: datetime | None) -> datetime | None:
    """The slot a nightly backup should serve now, or None when the latest one is already served.

    When no scheduled backup was ever taken, the latest slot is due at once: a new installation gets its first
    backup shortly after the app starts instead of waiting for the night.
    """
    slot = latest_daily(now, at)
    if last_slot is not None and last_slot >= slot:
        return None
    return slot


def quarter_start(day: date, at: time) -> datetime:
    """The slot of the quarter holding `day`: its first day at the time of day `at`."""
    return datetime.combine(quarter_of(day).first_day, at)


def latest_quarter_slot(now: datetime, at: time) -> datetime:
    """The latest first-day-of-a-quarter slot at or before `now`."""
    slot = quarter_start(now.date(), at)
    return slot if slot <= now else datetime.combine(quarter_of(now).previous().first_day, at)


def next_quarter_slot(now: datetime, at: time) -> datetime:
    """The first first-day-of-a-quarter slot after `now`."""
    return datetime.combine(quarter_of(latest_quarter_slot(now, at)).next().first_day, at)


def export_due(now: datetime, at: time, last_slot: datetime | None, since: datetime | None) -> datetime | None:
    """The slot a quarterly export should serve now, or None.

    Only slots after the export was switched on (`since`) count, so switching it on mid-quarter does not export the
    previous quarter at once (the Quarterly export page does that). Without `since` nothing is due.
    """
    if since is None:
        return None
    slot = latest_quarter_slot(now, at)
    if slot < since or (last_slot is not None and last_slot >= slot):
        return None
    return slot


def quarter_to_export(slot: datetime) -> Quarter:
    """The quarter a quarterly-export slot exports: the one that ended when the slot's quarter began."""
    return quarter_of(slot).previous()
