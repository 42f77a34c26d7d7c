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

from dashboard.core.sqlfiles import checked_identifier
from dashboard.importer import lines
from dashboard.importer.errors import ImportInputError
from dashboard.importer.spec import COLUMNS, FILES, column_names
from dashboard.importer.textfile import TextFile

__all__ = ["ImportInputError", "Staged", "check_header", "read_header", "stage_csv", "stage_empty", "stage_frame"]

# the delimiter is a bound parameter. A cell of any size never stops the import (spec 7.5): in a small file a line
# may be as long as the whole file, so the checks see the cell and quarantine its row as too_long; in a big one the
# reader keeps its own limit (its buffers grow with it) and a longer line is quarantined as too_long by the reader.
CSV_OPTIONS = "header = true, delim = $delim, quote = '\"', escape = '\"', encoding = 'utf-8', max_line_size = $max_line"
READER_MAX_LINE = 2_097_152  # the reader's own default
WHOLE_FILE_LINES = 8_000_000  # files smaller than this may hold a line as long as themselves
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
SEMICOLON_NOTE = ("{label} is separated by semicolons, as spreadsheets set to a language that writes decimal commas "
                  "save CSV; it was read that way, with a decimal comma (2,5) read as a decimal point (2.5)")


@dataclass
class Staged:
    """What staging learned about one file: its name, warnings, and what the checks must know about its cells.

    `has_nul`: the file holds a NUL byte (its rows are checked for one); `decimal_comma`: decimals may be
    written 2,5 (a semicolon-separated file). Line numbers are in iw_lines_<file>.
    """

    file: str
    present: bool
    warnings: list[str] = field(default_factory=list)
    has_nul: bool = False
    decimal_comma: bool = False


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _match_columns(file: str, names: list[str], warnings: list[str], delimiter: str = ",") -> dict[str, str]:
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
        hint = ""
        if delimiter != ",":
            hint = (f"; its header is separated by {DELIMITERS[delimiter]}, not commas: open it in the spreadsheet "
                    'program and save it again as "CSV UTF-8 (comma delimited)", with the column names of the format')
        raise ImportInputError(f"{file}.csv has no column {', '.join(missing)} (a required column of the "
                               f"format){hint}")
    return mapping


def _create_raw(cur: duckdb.DuckDBPyConnection, file: str, source_sql: str, exprs: dict[str, str],
                params: dict[str, object]) -> None:
    select = ", ".join(
        f"{exprs[c]} AS {c}" if c in exprs else f"CAST(NULL AS VARCHAR) AS {c}" for c in column_names(file)
    )
    cur.execute(f"CREATE TEMP TABLE iw_raw_{file} AS SELECT {select} FROM {source_sql}", params)


def stage_empty(cur: duckdb.DuckDBPyConnection, file: str) -> Staged:
    """Create an empty staging table for a file the data set does not have."""
    checked_identifier(file, FILES)  # becomes part of the staging tables' names
    cols = ", ".join(f"{c} VARCHAR" for c in column_names(file))
    cur.execute(f"CREATE TEMP TABLE iw_raw_{file} ({cols})")
    _create_lines(cur, file)
    return Staged(file, present=False)


def _delimiter(first_line: str) -> str:
    """The delimiter a header line uses: a comma when it has one, else a semicolon or a tab when it has one."""
    for candidate in DELIMITERS:
        if candidate in first_line:
            return candidate
    return ","


def read_header(path: Path, file: str) -> tuple[list[str], str]:
    """Return the header row of a UTF-8 CSV (byte-order mark accepted) and its delimiter; raise ImportInputError."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            delimiter = _delimiter(fh.readline())
            fh.seek(0)
            header = next(csv.reader(fh, delimiter=delimiter), None)
    except UnicodeDecodeError:
        raise ImportInputError(f"{file}.csv is not saved as UTF-8, the text encoding the format requires") from None
    except (OSError, csv.Error):
        raise ImportInputError(f"the header row of {file}.csv cannot be read as CSV") from None
    if not header:
        raise ImportInputError(f"{file}.csv is empty (a header row is required)")
    return header, delimiter


def check_header(path: Path, file: str) -> None:
    """Raise ImportInputError when a file's header cannot be read or lacks a required column."""
    header, delimiter = read_header(path, file)
    _match_columns(file, header, [], delimiter)


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


def stage_csv(cur: duckdb.DuckDBPyConnection, file: str, source: TextFile) -> Staged:
    """Read one prepared CSV (textfile.prepare) into iw_raw_<file>; lines the reader cannot split go to iw_rejects.

    The header is read here and the reader is given generated column names c0..cN, so no name from the file
    ever becomes SQL, and a malformed data line can never be mistaken for the header.
    """
    checked_identifier(file, FILES)  # becomes part of the staging tables' names
    path = source.path
    header, delimiter = read_header(path, file)
    staged = Staged(file, present=True, warnings=list(source.notes), has_nul=source.has_nul,
                    decimal_comma=delimiter == ";")
    mapping = _match_columns(file, header, staged.warnings, delimiter)
    if delimiter == ";":
        staged.warnings.append(SEMICOLON_NOTE.format(label=f"{file}.csv"))
    elif delimiter != ",":
        staged.warnings.append(f"{file}.csv is separated by {DELIMITERS[delimiter]}; it was read that way")
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    exprs = {col: f"c{position[name]}" for col, name in mapping.items()}
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    rej, scan = f"iw_rej_{file}", f"iw_rejscan_{file}"
    source_sql = (f"read_csv($path, {CSV_OPTIONS}, auto_detect = false, columns = {columns}, ignore_errors = true, "
                  f"store_rejects = true, rejects_table = '{rej}', rejects_scan = '{scan}')")
    size = path.stat().st_size
    max_line = max(READER_MAX_LINE, size + 1) if size < WHOLE_FILE_LINES else READER_MAX_LINE
    params = {"path": str(path), "delim": delimiter, "max_line": max_line}
    try:
        _create_raw(cur, file, source_sql, exprs, params)
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as exc:
        raise ImportInputError(f"{file}.csv cannot be read as CSV: its quotes or line ends do not follow the "
                               'format; save it again from the spreadsheet program as "CSV UTF-8 (comma '
                               'delimited)"') from exc
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
                f"coalesce(string_agg(DISTINCT message, '; '), 'the line cannot be read'), "
                f"CASE WHEN bool_or(error_type = 'LINE SIZE OVER MAXIMUM') THEN 'too_long' ELSE 'malformed_row' END "
                f"FROM ("
                f"SELECT r.line AS record, any_value(m.line) AS line, "
                f"CAST(json_object('line', any_value(r.csv_line)) AS VARCHAR) AS raw, r.error_type, "
                f"iw_reject_message(r.error_type, CASE WHEN r.error_type = 'TOO MANY COLUMNS' "
                f"THEN arg_max(r.error_message, r.column_idx) ELSE arg_min(r.error_message, r.column_idx) END) "
                f"AS message "
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
    checked_identifier(file, FILES)  # becomes part of the staging tables' names
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

