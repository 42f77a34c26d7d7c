"""Value parsers of interchange spec section 1 as SQL macros (sql/queries/importer/import_macro_*.sql).

Their plain-Python reference lives in tools/parse_ref.py; a property test compares the two.
Every value is first trimmed of spaces, tabs, carriage returns and newlines; an empty cell is unknown (None).

Time zones: a date-time without a zone is clinic-local wall time and is stored as written. A date-time with
`Z` or `±HH:MM` is an instant; it is converted to the wall time of the installation time zone (settings key
'timezone', else $INJECTWATCH_TZ, else UTC) and stored without zone, like every other time in the database.
A space is accepted in place of the `T` (spreadsheets write it that way); seconds are optional; fractions of
seconds are not part of the format.
"""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from dashboard.core.sqlfiles import load_sql

MACROS = ("text", "bool", "int", "decimal", "decimal_comma", "date", "dt_parts", "dt_value", "datetime",
          "slash_parts", "slash_date", "code", "shown", "too_long", "nul", "date_hint", "reject_message")


def check_timezone(name: str) -> str:
    """Return the zone name when Python knows it, else raise ValueError with a clear message."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from None
    return name


def installation_timezone(cur: duckdb.DuckDBPyConnection) -> str:
    """Return the installation time zone: settings 'timezone', else $INJECTWATCH_TZ, else UTC."""
    row = cur.execute("SELECT value FROM settings WHERE key = 'timezone'").fetchone()
    name = row[0] if row and row[0] else os.environ.get("INJECTWATCH_TZ") or "UTC"
    return check_timezone(name)


def local_now(tz: str) -> datetime:
    """Return the current wall time in the installation time zone, without zone, to the second."""
    return datetime.now(ZoneInfo(tz)).replace(tzinfo=None, microsecond=0)


def install_macros(cur: duckdb.DuckDBPyConnection) -> None:
    """Create the SQL twins of the parsers as temporary macros on this cursor's connection."""
    for name in MACROS:
        cur.execute(load_sql(f"import_macro_{name}"))
