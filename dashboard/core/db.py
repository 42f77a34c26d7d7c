"""The one owner of the DuckDB connection: cursor per call, serialised writes, migrations.

Every page, the command line and the statistics go through a `Database`. It never imports streamlit.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from dashboard.core.config import MIGRATIONS_DIR, db_path, memory_limit
from dashboard.core.sqlfiles import load_sql

T = TypeVar("T")
Params = Mapping[str, Any] | Sequence[Any] | None

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class DatabaseLockedError(RuntimeError):
    """Raised when another process holds the DuckDB file."""


def _friendly_lock_error(path: Path, exc: duckdb.IOException) -> DatabaseLockedError:
    return DatabaseLockedError(
        f"The database {path} is open in another process (DuckDB allows one process per file). "
        f"Stop the running app or command that uses it, then try again. Details: {exc}"
    )


class Database:
    """A DuckDB file (or ':memory:') with one connection per process and a cursor per call."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        """Open (creating if needed) the database; does not migrate (call `migrate()`)."""
        self.path = Path(":memory:") if str(path) == ":memory:" else db_path(path)
        # a bounded memory limit makes big imports and queries spill to a folder beside the database instead of growing
        config: dict[str, Any] = {"python_enable_replacements": False, "memory_limit": memory_limit()}
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            config["temp_directory"] = f"{self.path}.tmp"
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise _friendly_lock_error(self.path, exc) from exc
            raise
        except (duckdb.InvalidInputException, duckdb.ParserException) as exc:
            raise ValueError(f"INJECTWATCH_MEMORY_LIMIT={memory_limit()!r} is not a memory size such as 1GB: {exc}") from exc
        self._write_lock = threading.RLock()
        self.read_only = read_only

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the connection (idempotent)."""
        try:
            self._con.close()
        except duckdb.Error:
            pass

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a fresh cursor for this thread and close it afterwards."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    # ------------------------------------------------------------------ reads
    def df(self, sql: str, params: Params = None) -> pd.DataFrame:
        """Run SQL text with bound parameters and return a DataFrame."""
        with self.cursor() as cur:
            return cur.execute(sql, params).df()

    def rows(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run SQL text with bound parameters and return all rows as tuples."""
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Params = None) -> Any:
        """Run SQL text and return the first column of the first row (None when empty)."""
        with self.cursor() as cur:
            row = cur.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def query(self, name: str, params: Params = None) -> pd.DataFrame:
        """Run the named query sql/queries/<name>.sql and return a DataFrame."""
        return self.df(load_sql(name), params)

    def query_rows(self, name: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Run the named query and return its rows as tuples."""
        return self.rows(load_sql(name), params)

    def query_scalar(self, name: str, params: Params = None) -> Any:
        """Run the named query and return its first value."""
        return self.scalar(load_sql(name), params)

    def data_version(self) -> int:
        """Return a number that grows with every recorded change (every write adds an audit row)."""
        return int(self.scalar("SELECT coalesce(max(audit_id), 0) FROM audit_log"))

    # ------------------------------------------------------------------ writes
    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], T], *, retries: int = 3) -> T:
        """Run fn(cursor) inside one transaction, serialised with other writes; retry on conflicts."""
        attempt = 0
        while True:
            with self._write_lock, self.cursor() as cur:
                cur.execute("BEGIN TRANSACTION")
                try:
                    result = fn(cur)
                    cur.execute("COMMIT")
                    return result
                except duckdb.TransactionException:
                    cur.execute("ROLLBACK")
                    attempt += 1
                    if attempt > retries:
                        raise
                except BaseException:
                    try:
                        cur.execute("ROLLBACK")
                    except duckdb.Error:
                        pass
                    raise
            time.sleep(0.05 * attempt)

    def execute_named(self, cur: duckdb.DuckDBPyConnection, name: str, params: Params = None) -> Any:
        """Execute a named query on an open (transaction) cursor and return the cursor."""
        return cur.execute(load_sql(name), params)

    def audit(
        self,
        cur: duckdb.DuckDBPyConnection,
        actor: str,
        action: str,
        entity: str | None = None,
        entity_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Append one row to the audit trail inside the caller's transaction."""
        cur.execute(
            load_sql("audit_insert"),
            {
                "occurred_at": datetime.now().replace(microsecond=0),
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "detail": detail,
            },
        )

    # ------------------------------------------------------------------ migrations
    def applied_migrations(self) -> list[int]:
        """Return the versions already applied (empty on a new database)."""
        exists = self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        )
        if not exists:
            return []
        return [r[0] for r in self.rows("SELECT version FROM schema_migrations ORDER BY version")]

    def migrate(self) -> list[str]:
        """Apply every pending sql/migrations/NNN_name.sql in order, one transaction each."""
        with self._write_lock, self.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
        done = set(self.applied_migrations())
        applied: list[str] = []
        for path in migration_files():
            version, name = _parse_migration(path)
            if version in done:
                continue
            sql = path.read_text(encoding="utf-8")

            def apply(cur: duckdb.DuckDBPyConnection, sql: str = sql, v: int = version, n: str = name) -> None:
                cur.execute(sql)
                cur.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $at)",
                    {"v": v, "n": n, "at": datetime.now().replace(microsecond=0)},
                )

            self.write(apply, retries=0)
            applied.append(path.name)
        return applied


def migration_files() -> list[Path]:
    """Return the migration files in version order; refuses duplicates and badly named files."""
    files = sorted(MIGRATIONS_DIR.glob("*.sql"))
    seen: dict[int, Path] = {}
    for f in files:
        version, _ = _parse_migration(f)
        if version in seen:
            raise RuntimeError(f"two migrations share version {version}: {seen[version].name}, {f.name}")
        seen[version] = f
    return files


def _parse_migration(path: Path) -> tuple[int, str]:
    m = _MIGRATION_NAME.match(path.name)
    if not m:
        raise RuntimeError(f"migration file name must look like 001_name.sql: {path.name}")
    return int(m.group(1)), m.group(2)


def open_database(path: str | Path | None = None) -> Database:
    """Open the database, apply migrations and load the reference data; the usual entry point."""
    from dashboard.core.reference_data import ensure_reference

    db = Database(path)
    db.migrate()
    ensure_reference(db)
    return db
