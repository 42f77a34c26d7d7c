"""Cells a spreadsheet would run as formulas, made inert in every CSV the product writes (spec section 7.6).

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading apostrophe,
so a spreadsheet shows it as text and never runs it. Numbers are never prefixed, nor is a plain number held as text
(such as a raw `-2.5` in the quarantine). The import removes one such apostrophe again, so an identified export
still imports as the same data.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?"
_IS_NUMBER = re.compile(_NUMBER)
# the same rule as a DuckDB expression over one text column; {column} is a quoted, allow-listed identifier
_SQL_TEMPLATE = ("CASE WHEN regexp_full_match({column}, '" + _NUMBER + "') THEN {column} "
                 r"ELSE regexp_replace({column}, '^([-=+@\t\r])', '''\1') END")


def inert(value: object) -> object:
    """Return a text value with an apostrophe in front when it starts like a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _IS_NUMBER.fullmatch(value):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a frame whose text cells are inert (numbers, dates and missing values unchanged)."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out[name] = column.map(inert, na_action="ignore")
    return out


def inert_sql(quoted_column: str) -> str:
    """The SQL expression that makes one text column inert; the caller passes an allow-listed, quoted name."""
    return _SQL_TEMPLATE.format(column=quoted_column)
