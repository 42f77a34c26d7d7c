"""The schedule's settings, kept as 'schedule.*' rows of the settings table: read, checked, saved (audited)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime, time
from pathlib import Path

from dashboard.core.authz import User, require
from dashboard.core.db import Database

KEYS = {
    "backup_enabled": "schedule.backup.enabled",
    "at": "schedule.time",
    "keep": "schedule.backup.keep",
    "export_enabled": "schedule.export.enabled",
    "export_folder": "schedule.export.folder",
    "export_since": "schedule.export.since",
}
MIN_KEEP, MAX_KEEP = 1, 365
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OFF = {"off", "0", "false", "no"}


class ScheduleError(ValueError):
    """A rejected schedule change; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ScheduleSettings:
    """Nightly backups (on by default, 02:00, keep 14) and the optional quarterly export (off by default)."""

    backup_enabled: bool = True
    at: time = time(2, 0)
    keep: int = 14
    export_enabled: bool = False
    export_folder: str = ""  # empty: an "exports" folder beside the database
    export_since: datetime | None = None  # when the quarterly export was switched on

    def export_dir(self, database: Path) -> Path:
        """The folder scheduled exports are written to."""
        return Path(self.export_folder) if self.export_folder else Path(database).resolve().parent / "exports"


def scheduler_switched_on() -> bool:
    """False when INJECTWATCH_SCHEDULER is off/0/false/no: this app process then runs no scheduled job."""
    return os.environ.get("INJECTWATCH_SCHEDULER", "").strip().lower() not in _OFF


def load_settings(db: Database) -> ScheduleSettings:
    """Read the schedule from the settings table; a missing or unreadable value falls back to its default."""
    stored = dict(db.query_rows("settings_schedule"))
    default = ScheduleSettings()

    def flag(name: str, fallback: bool) -> bool:
        value = stored.get(KEYS[name])
        return fallback if value not in ("on", "off") else value == "on"

    at = default.at
    if (m := _TIME.match(stored.get(KEYS["at"], ""))) is not None:
        at = time(int(m.group(1)), int(m.group(2)))
    keep_text = stored.get(KEYS["keep"], "")
    keep = int(keep_text) if keep_text.isdigit() and MIN_KEEP <= int(keep_text) <= MAX_KEEP else default.keep
    since = None
    try:
        since = datetime.fromisoformat(stored[KEYS["export_since"]]) if KEYS["export_since"] in stored else None
    except ValueError:
        pass
    return ScheduleSettings(backup_enabled=flag("backup_enabled", default.backup_enabled), at=at, keep=keep,
                            export_enabled=flag("export_enabled", default.export_enabled),
                            export_folder=stored.get(KEYS["export_folder"], ""), export_since=since)


def schedule_problems(*, at: object, keep: object, export_folder: str = "") -> dict[str, str]:
    """Check the values of the schedule form; return {field: plain message} (empty when all are fine)."""
    problems: dict[str, str] = {}
    if not isinstance(at, time):
        problems["at"] = "Choose the time of day for the scheduled jobs (hours and minutes)."
    if isinstance(keep, bool) or not isinstance(keep, int) or not MIN_KEEP <= keep <= MAX_KEEP:
        problems["keep"] = f"Keep between {MIN_KEEP} and {MAX_KEEP} backups (a whole number)."
    folder = export_folder.strip()
    if folder:
        path = Path(folder)
        if _CONTROL.search(folder) or "'" in folder:
            problems["export_folder"] = "The export folder's name may not hold quotes, tabs or line breaks."
        elif not path.is_absolute():
            problems["export_folder"] = ("Give the full path of the export folder (from the top of the disk), or "
                                         "leave it empty for the exports folder beside the database.")
        elif path.exists() and not path.is_dir():
            problems["export_folder"] = f"{folder} is a file, not a folder."
    return problems


def save_settings(db: Database, user: User, *, backup_enabled: bool, at: time, keep: int,
                  export_enabled: bool | None = None, export_folder: str | None = None,
                  now: datetime | None = None) -> ScheduleSettings:
    """Store the schedule (needs backup.run; the export part needs export.run) and audit the change.

    Leave export_enabled and export_folder as None to keep the export settings as they are (an admin's save).
    """
    require(user, "backup.run")
    if export_enabled is not None or export_folder is not None:
        require(user, "export.run")
    problems = schedule_problems(at=at, keep=keep, export_folder=export_folder or "")
    if problems:
        field, message = next(iter(problems.items()))
        raise ScheduleError(field, message)
    now = now or datetime.now().replace(microsecond=0)
    old = load_settings(db)
    new = replace(old, backup_enabled=bool(backup_enabled), at=time(at.hour, at.minute), keep=int(keep))
    if export_enabled is not None:
        switched_on = export_enabled and not old.export_enabled
        new = replace(new, export_enabled=bool(export_enabled),
                      export_since=now if switched_on else old.export_since if export_enabled else None)
    if export_folder is not None:
        new = replace(new, export_folder=export_folder.strip())
    values = {
        KEYS["backup_enabled"]: "on" if new.backup_enabled else "off",
        KEYS["at"]: f"{new.at:%H:%M}",
        KEYS["keep"]: str(new.keep),
        KEYS["export_enabled"]: "on" if new.export_enabled else "off",
        KEYS["export_folder"]: new.export_folder,
        KEYS["export_since"]: new.export_since.isoformat() if new.export_since else "",
    }

    def work(cur) -> None:
        for key, value in values.items():
            db.execute_named(cur, "settings_set", {"key": key, "value": value})
        db.audit(cur, user.username, "schedule.change", "settings", "schedule", json.dumps(
            {"backups": values[KEYS["backup_enabled"]], "time": values[KEYS["at"]], "keep": new.keep,
             "export": values[KEYS["export_enabled"]], "export_folder": str(new.export_dir(db.path))}))

    db.write(work)
    return new
