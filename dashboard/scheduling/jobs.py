"""The two jobs the app runs itself, through its own open database: a backup (keeping the newest N) and the
de-identified quarterly export. Each run is recorded in scheduled_runs and in the audit trail, success or failure;
a job never raises, it returns what happened."""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from dashboard.backup.snapshot import MANIFEST, BackupError, backup_database
from dashboard.core.authz import User, system_user
from dashboard.core.db import Database
from dashboard.export.bundle import ExportError, write_bundle
from dashboard.export.quarter import Quarter
from dashboard.export.secret import SecretError

log = logging.getLogger(__name__)

SCHEDULER = system_user("scheduler", "manager")  # backs up (backup.run) and exports (export.run)
APP_BACKUP = re.compile(r"^injectwatch-(\d{8}-\d{6})(?:-(\d+))?$")  # the folders the app names; only these are pruned
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class RunRecord:
    """One run of a job: what, why (schedule or manual), when, whether it worked, the file written and its size."""

    job: str
    trigger: str
    slot: datetime | None
    started_at: datetime
    finished_at: datetime
    ok: bool
    path: str | None
    size_bytes: int | None
    message: str
    actor: str


def folder_size(path: Path) -> int:
    """The bytes of every file under a folder (or of one file)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def backup_folder(root: Path, now: datetime) -> Path:
    """A new folder name under root for a backup taken at `now`: injectwatch-YYYYmmdd-HHMMSS (-2, -3… if taken)."""
    base = f"injectwatch-{now:%Y%m%d-%H%M%S}"
    candidate, n = root / base, 1
    while candidate.exists():
        n += 1
        candidate = root / f"{base}-{n}"
    return candidate


def app_backups(root: Path) -> list[Path]:
    """The complete backups the app wrote into root (its own folder names, with a manifest), oldest first."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir()
             if APP_BACKUP.match(p.name) and p.is_dir() and not p.is_symlink() and (p / MANIFEST).is_file()]
    return sorted(found, key=_taken_order)


def _taken_order(folder: Path) -> tuple[str, int]:
    m = APP_BACKUP.match(folder.name)
    assert m is not None  # app_backups only passes matching names
    return m.group(1), int(m.group(2) or 1)


def prune_backups(root: Path, keep: int, protect: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` app backups in root, never `protect` (the one just written, which counts
    as one of the kept); return the folders removed. Folders the app did not name are never touched."""
    others = [p for p in app_backups(root) if protect is None or p.resolve() != protect.resolve()]
    room = max(keep - (1 if protect is not None else 0), 0)
    doomed = others[:max(len(others) - room, 0)]
    for folder in doomed:
        shutil.rmtree(folder)
    return doomed


def _plain_failure(exc: BaseException) -> str:
    """Say in plain words why a job failed (the exception's own text only where it is already plain)."""
    if isinstance(exc, BackupError | ExportError | SecretError):
        text = str(exc)
        return text[:1].upper() + text[1:]
    if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
        return f"{exc.filename} is a file where a folder should be: move it away or choose another folder."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        reason = exc.strerror or "the operating system refused"
        return f"Could not write the files{where}: {reason}. Is the disk full or the folder read-only?"
    if isinstance(exc, duckdb.Error):
        return f"The database reported an error ({str(exc).splitlines()[0][:300]})."
    return f"An unexpected error ({type(exc).__name__}); the app's log has the details."


def record_run(db: Database, run: RunRecord, audit_action: str | None, entity: str, entity_id: str | None,
               detail: dict[str, object] | None) -> None:
    """Store a run in scheduled_runs, with its audit row in the same transaction when one is given."""
    def work(cur) -> None:
        db.execute_named(cur, "schedule_insert_run", {
            "job": run.job, "trigger": run.trigger, "slot": run.slot, "started_at": run.started_at,
            "finished_at": run.finished_at, "ok": run.ok, "path": run.path, "size_bytes": run.size_bytes,
            "message": run.message, "actor": run.actor})
        if audit_action:
            db.audit(cur, run.actor, audit_action, entity, entity_id, json.dumps(detail, sort_keys=True))

    db.write(work)


def _safe_record(db: Database, run: RunRecord, audit_action: str | None, entity: str, entity_id: str | None,
                 detail: dict[str, object] | None) -> RunRecord:
    try:
        record_run(db, run, audit_action, entity, entity_id, detail)
    except Exception:  # the database itself is gone: the log is the only record left
        log.exception("could not record the %s run: %s", run.job, run.message)
    return run


def take_backup(db: Database, root: Path, *, keep: int | None, trigger: str, slot: datetime | None,
                user: User, clock: Clock = datetime.now) -> RunRecord:
    """Back up the open database into a new folder under root, then keep the newest `keep` app backups.

    Success writes the usual `backup.create` audit row (and `backup.prune` when old backups were removed); a failure
    writes `backup.failed` with the reason. Never raises.
    """
    actor = user.username
    started = clock().replace(microsecond=0)
    folder = backup_folder(Path(root), started)
    try:
        manifest = backup_database(db, folder, user)
        size = folder_size(folder)
    except Exception as exc:
        log.exception("backup into %s failed", folder)
        run = RunRecord("backup", trigger, slot, started, clock().replace(microsecond=0), False, str(folder), None,
                        _plain_failure(exc), actor)
        return _safe_record(db, run, "backup.failed", "database", str(db.path),
                            {"folder": str(folder), "trigger": trigger, "reason": run.message})
    message = f"{sum(manifest['tables'].values()):,} rows in {len(manifest['tables'])} tables"
    removed: list[Path] = []
    try:
        removed = prune_backups(Path(root), keep, protect=folder) if keep else []
    except OSError as exc:  # the new backup is fine; only the clean-up failed
        log.exception("removing old backups from %s failed", root)
        message += f"; could not remove older backups ({exc.strerror or 'refused'})"
    if removed:
        message += f"; removed {len(removed)} older backup{'s' if len(removed) != 1 else ''}"
    run = RunRecord("backup", trigger, slot, started, clock().replace(microsecond=0), True, str(folder), size,
                    message, actor)
    detail: dict[str, object] = {"kept": keep, "removed": [p.name for p in removed]}
    return _safe_record(db, run, "backup.prune" if removed else None, "database", str(db.path), detail)


def take_export(db: Database, out_dir: Path, quarter: Quarter, *, slot: datetime, user: User = SCHEDULER,
                clock: Clock = datetime.now) -> RunRecord:
    """Write the de-identified export of a quarter into out_dir (created if needed) as the schedule's run.

    Success is audited by the export itself (`export`, with the folder); a failure writes `export.failed`.
    Never raises.
    """
    actor = user.username
    started = clock().replace(microsecond=0)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        result = write_bundle(db, user, quarter, out_dir, identified=False,
                              destination=f"{out_dir.resolve()} (scheduled)")
        rows = result.rows
        message = (f"{quarter.label}: {rows['treatments.csv']:,} treatments, {rows['events.csv']:,} events, "
                   "de-identified")
        run = RunRecord("export", "schedule", slot, started, clock().replace(microsecond=0), True,
                        str(result.zip_path), folder_size(result.zip_path), message, actor)
        return _safe_record(db, run, None, "export", quarter.label, None)
    except Exception as exc:
        log.exception("scheduled export of %s failed", quarter.label)
        run = RunRecord("export", "schedule", slot, started, clock().replace(microsecond=0), False, str(out_dir),
                        None, _plain_failure(exc), actor)
        return _safe_record(db, run, "export.failed", "export", quarter.label,
                            {"folder": str(out_dir), "quarter": quarter.label, "reason": run.message})
