"""`python -m dashboard backup --out DIR` and `python -m dashboard restore DIR [--force]`.

A backup is DuckDB's EXPORT DATABASE (schema.sql, load.sql, one Parquet file per table, sequences at their
current values) taken in one transaction, plus manifest.json: schema version, row counts per table and a SHA-256
per file. Restore checks every checksum first, imports into a new file beside the target, compares the row
counts, applies any newer migrations, and only then moves the new file into place (the replaced file is kept).

The per-installation export secret (see dashboard/export/secret.py) travels with the backup as `export.secret`,
listed and checksummed in the manifest, so a restored installation gives the same pseudonyms. Restore puts it
beside the database only where no secret exists yet; a different existing secret is never overwritten.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from dashboard.core.authz import User, require, system_user
from dashboard.core.config import db_path, secret_path
from dashboard.core.db import Database
from dashboard.core.sqlfiles import load_sql
from dashboard.export.bundle import sha256_file  # one checksum for backups and export manifests
from dashboard.export.secret import SecretError, ensure_secret
from dashboard.trends.refresh import refresh_in

MANIFEST = "manifest.json"
SECRET_FILE = "export.secret"
FORMAT = "injectwatch-backup"
FORMAT_VERSION = 1
EXIT_OK, EXIT_USAGE = 0, 2  # the command-line contract knows only 0, 2 (and 3 for imports)
# tables that hold no clinic data: a database with rows only in these may be replaced without --force
_SETUP_TABLES = re.compile(r"^(schema_migrations|settings|ref_.*)$")
_UNSAFE_PATH = re.compile(r"['\x00-\x1f\x7f]")


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the restored file, the kept previous file (if any) and the table row counts."""

    database: Path
    previous: Path | None
    tables: dict[str, int]
    secret: str = "none"  # restored | same | kept_different | none (the backup held no secret)
    secret_file: Path | None = None


def _actor() -> User:
    """The command line backs up and restores as cli:<operating-system user>, in the admin role."""
    try:
        return system_user(f"cli:{getpass.getuser()}")
    except (KeyError, OSError):
        return system_user("cli:unknown")


def _path_literal(path: Path) -> str:
    """Quote a folder for EXPORT/IMPORT DATABASE, which take no bound parameters: refuse quotes and control chars."""
    text = str(path)
    if _UNSAFE_PATH.search(text):
        raise BackupError(f"choose a folder whose path has no quote or control characters: {text!r}")
    return "'" + text + "'"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return {table: row count} for every base table of the main schema (names come from the catalog)."""
    names = [r[0] for r in cur.execute(load_sql("backup_tables")).fetchall()]
    return {n: int(cur.execute(f"SELECT count(*) FROM {_quote_ident(n)}").fetchone()[0]) for n in names}


def _empty_or_missing(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


# ---------------------------------------------------------------------- backup
def backup(database: Path, out: Path, user: User | None) -> dict[str, Any]:
    """Write a consistent snapshot of the database file into the new or empty folder `out`; return the manifest.

    Needs backup.run."""
    require(user, "backup.run")
    database = Path(database).resolve()
    if not database.exists():
        raise BackupError(f"there is no database at {database}")
    db = Database(database)
    try:
        return backup_database(db, out, user)
    finally:
        db.close()


def backup_database(db: Database, out: Path, user: User | None) -> dict[str, Any]:
    """Snapshot an open database (e.g. the running app's) into the new or empty folder `out`; audited (backup.run)."""
    actor = require(user, "backup.run").username
    out = Path(out).resolve()
    if not _empty_or_missing(out):
        raise BackupError(f"{out} exists and is not empty; give a new folder, e.g. backups/$(date +%F)")
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with db.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")  # the counts and the export see the same snapshot
            try:
                counts = _table_counts(cur)
                versions = [r[0] for r in cur.execute(load_sql("backup_migrations")).fetchall()]
                cur.execute(f"EXPORT DATABASE {_path_literal(partial)} (FORMAT parquet)")
            finally:
                cur.execute("COMMIT")
        _copy_secret(db.path, partial / SECRET_FILE)
        files = {p.name: sha256_file(p) for p in sorted(partial.iterdir()) if p.is_file()}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now().replace(microsecond=0).isoformat(),
            "source_database": str(db.path),
            "duckdb_version": duckdb.__version__,
            "schema_version": max(versions) if versions else 0,
            "migrations": versions,
            "tables": counts,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if out.exists():
            out.rmdir()
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    db.write(lambda cur: db.audit(cur, actor, "backup.create", "database", str(db.path), json.dumps(
        {"folder": str(out), "schema_version": manifest["schema_version"], "rows": sum(counts.values())})))
    return manifest


def _copy_secret(database: Path, dest: Path) -> None:
    """Copy the installation's export secret (created now if it does not exist yet) into the backup, owner-only."""
    try:
        source, _ = ensure_secret(Path(database))
    except SecretError:
        return  # an in-memory database without INJECTWATCH_SECRET_FILE has no secret to keep
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(source.read_bytes())


def _restore_secret(folder: Path, manifest: dict[str, Any], target: Path) -> tuple[str, Path | None]:
    """Put the backup's export secret beside the restored database unless a secret is already there.

    Returns (outcome, path): "restored" (written), "same" (already there), "kept_different" (a different secret is
    there and was left alone) or "none" (the backup holds no secret, e.g. one made before secrets were backed up).
    """
    if SECRET_FILE not in manifest.get("files", {}):
        return "none", None
    wanted = (folder / SECRET_FILE).read_bytes()
    dest = secret_path(target)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        same = dest.read_bytes().strip() == wanted.strip()
        return ("same" if same else "kept_different"), dest
    with os.fdopen(fd, "wb") as fh:
        fh.write(wanted)
    return "restored", dest


def backup_root(database: Path) -> Path:
    """Return where the app writes backups: $INJECTWATCH_BACKUP_DIR, else a backups folder beside the database."""
    env = os.environ.get("INJECTWATCH_BACKUP_DIR")
    return Path(env) if env else Path(database).resolve().parent / "backups"


def list_backups(root: Path, user: User | None) -> list[dict[str, Any]]:
    """Return the backups in a folder, newest first: folder, created_at, schema_version, rows (manifest only).

    Needs backup.run."""
    require(user, "backup.run")
    found = []
    for manifest in Path(root).glob(f"*/{MANIFEST}") if Path(root).is_dir() else []:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found.append({"folder": str(manifest.parent), "created_at": data.get("created_at"),
                      "schema_version": data.get("schema_version"),
                      "rows": sum(data.get("tables", {}).values())})
    return sorted(found, key=lambda b: str(b["created_at"]), reverse=True)


# ---------------------------------------------------------------------- restore
def verify_backup(folder: Path) -> dict[str, Any]:
    """Check a backup folder against its manifest (every file present with its SHA-256); return the manifest."""
    folder = Path(folder)
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise BackupError(f"{folder} is not an InjectWatch backup: {MANIFEST} is missing")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{mpath} is not readable JSON: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{mpath} is not an InjectWatch backup manifest (format {FORMAT} v{FORMAT_VERSION})")
    files: dict[str, str] = manifest.get("files", {})
    present = {p.name for p in folder.iterdir() if p.is_file()} - {MANIFEST}
    if missing := sorted(set(files) - present):
        raise BackupError(f"the backup is incomplete: missing {', '.join(missing)}")
    if extra := sorted(present - set(files)):
        raise BackupError(f"the backup folder holds files the manifest does not list: {', '.join(extra)}")
    for name, digest in files.items():
        if sha256_file(folder / name) != digest:
            raise BackupError(f"checksum mismatch for {name}: the backup was changed or damaged; use another one")
    return manifest


def _holds_data(path: Path) -> bool:
    """Return True when the database file has rows in any table other than setup and reference tables."""
    if not path.exists():
        return False
    db = Database(path)  # raises DatabaseLockedError while the app or another command has it open
    try:
        with db.cursor() as cur:
            return any(n for t, n in _table_counts(cur).items() if not _SETUP_TABLES.match(t))
    finally:
        db.close()


def restore(folder: Path, target: Path, user: User | None, *, force: bool = False) -> RestoreResult:
    """Rebuild `target` from a backup folder after checking checksums and row counts; keeps a replaced file.

    Needs backup.run; the restored database's audit trail names the user."""
    actor = require(user, "backup.run").username
    folder, target = Path(folder).resolve(), Path(target).resolve()
    manifest = verify_backup(folder)
    if _holds_data(target) and not force:
        raise BackupError(f"{target} already holds data; restore into another --db path, or add --force to "
                          "replace it (the current file is kept beside it)")
    tmp = target.with_name(f"{target.name}.restoring-{os.getpid()}")
    for p in (tmp, Path(f"{tmp}.wal")):
        p.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"IMPORT DATABASE {_path_literal(folder)}")
            counts = _table_counts(con)
        finally:
            con.close()
        expected: dict[str, int] = manifest["tables"]
        if counts != expected:
            diff = {t: (expected.get(t), counts.get(t)) for t in set(expected) | set(counts)
                    if expected.get(t) != counts.get(t)}
            raise BackupError(f"row counts after import differ from the manifest (expected, got): {diff}")
        db = Database(tmp)
        try:
            db.migrate()  # a backup from an older version gets the newer tables
            def record(cur: duckdb.DuckDBPyConnection) -> None:
                refresh_in(cur)  # one write path: derived tables follow the restored records (no-op when current)
                db.audit(cur, actor, "backup.restore", "database", str(target), json.dumps(
                    {"folder": str(folder), "backup_created_at": manifest["created_at"],
                     "schema_version": manifest["schema_version"], "rows": sum(counts.values())}))

            db.write(record)
        finally:
            db.close()
        previous = None
        if target.exists():
            previous = target.with_name(f"{target.stem}.before-restore-{datetime.now():%Y%m%d-%H%M%S}{target.suffix}")
            target.rename(previous)
            wal = Path(f"{target}.wal")
            if wal.exists():
                wal.rename(Path(f"{previous}.wal"))
        tmp.rename(target)
        secret, secret_file = _restore_secret(folder, manifest, target)
        return RestoreResult(database=target, previous=previous, tables=counts, secret=secret, secret_file=secret_file)
    finally:
        for p in (tmp, Path(f"{tmp}.wal")):
            p.unlink(missing_ok=True)


# ---------------------------------------------------------------------- command line
def _report_secret(result: RestoreResult, folder: Path) -> None:
    """Tell on stderr what happened to the export secret (pseudonyms depend on it)."""
    if result.secret == "restored":
        print(f"export secret restored to {result.secret_file}: exports give the same pseudonyms as before",
              file=sys.stderr)
    elif result.secret == "kept_different":
        print(f"warning: {result.secret_file} already holds a different export secret and was NOT overwritten, so "
              "exports from this installation give different pseudonyms than the backed-up one. To keep the old "
              f"pseudonyms, stop the app, move that file away and copy {folder.resolve() / SECRET_FILE} in its place.",
              file=sys.stderr)
    elif result.secret == "none":
        print("note: this backup holds no export secret (made before secrets were backed up); exports from the "
              "restored database give new pseudonyms unless you copy the old secret file beside it", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """`backup --out DIR` or `restore PATH [--force]`; 0 on success, 2 when refused or the backup is bad."""
    try:
        if args.command == "backup":
            manifest = backup(db_path(args.db), Path(args.out), _actor())
            rows = sum(manifest["tables"].values())
            print(f"backup written to {Path(args.out).resolve()}: {len(manifest['tables'])} tables, {rows:,} rows, "
                  f"schema version {manifest['schema_version']}", file=sys.stderr)
            return EXIT_OK
        result = restore(Path(args.path), db_path(args.db), _actor(), force=bool(getattr(args, "force", False)))
        print(f"restored {result.database} from {args.path}: {len(result.tables)} tables, "
              f"{sum(result.tables.values()):,} rows; checksums and row counts verified", file=sys.stderr)
        if result.previous:
            print(f"the replaced database was kept as {result.previous}", file=sys.stderr)
        _report_secret(result, Path(args.path))
        return EXIT_OK
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except duckdb.Error as exc:
        print(f"error: {args.command} failed: {exc}", file=sys.stderr)
        return EXIT_USAGE
