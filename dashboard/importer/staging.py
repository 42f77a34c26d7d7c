"""Staging: read each data-set file (CSV or DataFrame) into a temporary all-text table iw_raw_<file>.

The only SQL assembled here is identifiers: the table names come from spec.FILES and the column names from
the spec allow-list (a CSV header is used only after it matched an allowed name, and is quoted). Every value,
including the file path, is a bound parameter.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard.importer import lines
from dashboard.importer.spec import COLUMNS, FILES, column_names

CSV_OPTIONS = "header = true, delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8'"


class ImportInputError(ValueError):
    """The input cannot be read as a data set; nothing was changed."""


@dataclass
class Staged:
    """What staging learned about one file: its name and warnings (line numbers are in iw_lines_<file>)."""

    file: str
    present: bool
    warnings: list[str] = field(default_factory=list)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _match_columns(file: str, names: list[str], warnings: list[str]) -> dict[str, str]:
    """Map spec column -> header name (case-insensitive); warn about unknown and repeated columns."""
    allowed = set(column_names(file))
    mapping: dict[str, str] = {}
    for name in names:
        key = name.strip().lower()
        if key not in allowed:
            warnings.append(f"{file}.csv: column '{name}' is not part of the format and was ignored")
        elif key in mapping:
            warnings.append(f"{file}.csv: column '{name}' appears twice; the first one was used")
        else:
            mapping[key] = name
    missing = [c.name for c in COLUMNS[file] if c.required and c.name not in mapping]
    if missing:
        raise ImportInputError(f"{file}.csv has no column {', '.join(missing)} (a required column of the format)")
    return mapping


def _create_raw(cur: duckdb.DuckDBPyConnection, file: str, source_sql: str, exprs: dict[str, str],
                params: dict[str, object]) -> None:
    select = ", ".join(
        f"{exprs[c]} AS {c}" if c in exprs else f"CAST(NULL AS VARCHAR) AS {c}" for c in column_names(file)
    )
    cur.execute(f"CREATE TEMP TABLE iw_raw_{file} AS SELECT {select} FROM {source_sql}", params)


def stage_empty(cur: duckdb.DuckDBPyConnection, file: str) -> Staged:
    """Create an empty staging table for a file the data set does not have."""
    assert file in FILES
    cols = ", ".join(f"{c} VARCHAR" for c in column_names(file))
    cur.execute(f"CREATE TEMP TABLE iw_raw_{file} ({cols})")
    _create_lines(cur, file)
    return Staged(file, present=False)


def read_header(path: Path, file: str) -> list[str]:
    """Return the header row of a CSV (UTF-8, byte-order mark accepted); raise ImportInputError if unreadable."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportInputError(f"{file}.csv cannot be read as UTF-8 CSV: {exc}") from exc
    if not header:
        raise ImportInputError(f"{file}.csv is empty (a header row is required)")
    return header


def check_header(path: Path, file: str) -> None:
    """Raise ImportInputError when a file's header cannot be read or lacks a required column."""
    _match_columns(file, read_header(path, file), [])


def _create_lines(cur: duckdb.DuckDBPyConnection, file: str) -> None:
    """Create iw_lines_<file>: the line of each staged row n whose line is not n + 2 (the classify step joins it)."""
    cur.execute(f"CREATE OR REPLACE TEMP TABLE iw_lines_{file} (n BIGINT, line BIGINT)")


def _store_lines(cur: duckdb.DuckDBPyConnection, file: str, row_lines: np.ndarray) -> None:
    """Keep the line of every staged row from the first one that is not on line n + 2."""
    off = np.flatnonzero(row_lines != np.arange(row_lines.size) + 2)
    if off.size == 0:
        return
    start = int(off[0])
    frame = pd.DataFrame({"n": np.arange(start, row_lines.size, dtype=np.int64), "line": row_lines[start:]})
    cur.register("iw_lines_frame", frame)
    try:
        cur.execute(f"INSERT INTO iw_lines_{file} SELECT n, line FROM iw_lines_frame")
    finally:
        cur.unregister("iw_lines_frame")


def stage_csv(cur: duckdb.DuckDBPyConnection, file: str, path: Path) -> Staged:
    """Read one CSV into iw_raw_<file>; lines the reader cannot split go to iw_rejects.

    The header is read here and the reader is given generated column names c0..cN, so no name from the file
    ever becomes SQL, and a malformed data line can never be mistaken for the header.
    """
    assert file in FILES
    staged = Staged(file, present=True)
    header = read_header(path, file)
    mapping = _match_columns(file, header, staged.warnings)
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    exprs = {col: f"c{position[name]}" for col, name in mapping.items()}
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    rej, scan = f"iw_rej_{file}", f"iw_rejscan_{file}"
    source = (f"read_csv($path, {CSV_OPTIONS}, auto_detect = false, columns = {columns}, ignore_errors = true, "
              f"store_rejects = true, rejects_table = '{rej}', rejects_scan = '{scan}')")
    try:
        _create_raw(cur, file, source, exprs, {"path": str(path)})
    except duckdb.Error as exc:
        raise ImportInputError(f"{file}.csv cannot be read as CSV: {_first_line(exc)}") from exc
    rejected = [int(r[0]) for r in cur.execute(f"SELECT DISTINCT line FROM {rej} ORDER BY line").fetchall()]
    staged_rows = int(cur.execute(f"SELECT count(*) FROM iw_raw_{file}").fetchone()[0])
    where = lines.row_lines(path, rejected, staged_rows)
    _create_lines(cur, file)
    _store_lines(cur, file, where.rows)
    if rejected:
        cur.register("iw_reject_lines", pd.DataFrame({"record": list(where.rejected),
                                                      "line": list(where.rejected.values())}))
        try:
            # the reader reports a column-count error once per surplus or missing column ("Found: 8", "Found: 9",
            # ...); one sentence per error type keeps the real count: the first missing or the last surplus column
            cur.execute(
                f"INSERT INTO iw_rejects SELECT $file, any_value(line), any_value(raw), "
                f"string_agg(error_type || ': ' || message, '; ' ORDER BY error_type) FROM ("
                f"SELECT r.line AS record, any_value(m.line) AS line, "
                f"CAST(json_object('line', any_value(r.csv_line)) AS VARCHAR) AS raw, r.error_type, "
                f"CASE WHEN r.error_type = 'TOO MANY COLUMNS' THEN arg_max(r.error_message, r.column_idx) "
                f"ELSE arg_min(r.error_message, r.column_idx) END AS message "
                f"FROM {rej} r JOIN iw_reject_lines m ON m.record = r.line GROUP BY r.line, r.error_type"
                f") GROUP BY record",
                {"file": f"{file}.csv"},
            )
        finally:
            cur.unregister("iw_reject_lines")
    cur.execute(f"DROP TABLE IF EXISTS {rej}")
    cur.execute(f"DROP TABLE IF EXISTS {scan}")
    return staged


def _frame_expr(column: str, duck_type: str) -> str:
    """SQL turning a typed DataFrame column into the text the CSV would have held."""
    c = _quote(column)
    t = duck_type.upper()
    if t == "VARCHAR":
        return c
    if t == "BOOLEAN":
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"
    if t == "DATE":
        return f"strftime({c}, '%Y-%m-%d')"
    if t.startswith("TIMESTAMP") and "TIME ZONE" in t:
        return f"strftime(timezone($tz, {c}), '%Y-%m-%dT%H:%M:%S')"
    if t.startswith("TIMESTAMP"):
        return f"strftime(CAST({c} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S')"
    if t in ("DOUBLE", "FLOAT"):
        return (f"CASE WHEN isfinite({c}) AND {c} = trunc({c}) AND abs({c}) < 1e15 "
                f"THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) "
                f"WHEN abs({c}) < 1e9 THEN CAST(CAST(round({c}, 6) AS DECIMAL(18, 6)) AS VARCHAR) "
                f"ELSE CAST({c} AS VARCHAR) END")
    return f"CAST({c} AS VARCHAR)"


def stage_frame(cur: duckdb.DuckDBPyConnection, file: str, frame: pd.DataFrame, tz: str) -> Staged:
    """Stage one DataFrame (spec column names; text or typed columns) into iw_raw_<file>."""
    assert file in FILES
    staged = Staged(file, present=True)
    view = f"iw_frame_{file}"
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    mapping = _match_columns(file, list(frame.columns), staged.warnings)
    cur.register(view, frame)
    try:
        types = dict(cur.execute(f"SELECT column_name, column_type FROM (DESCRIBE {view})").fetchall())
        exprs = {col: _frame_expr(header, types[header]) for col, header in mapping.items()}
        params: dict[str, object] = {"tz": tz} if any("$tz" in e for e in exprs.values()) else {}
        _create_raw(cur, file, view, exprs, params)
    finally:
        cur.unregister(view)
    _create_lines(cur, file)
    return staged


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
