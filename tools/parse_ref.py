"""Value parsers of interchange spec section 1 in plain Python: the reference the import's SQL macros
(sql/queries/importer/import_macro_*.sql, installed by dashboard/importer/parsing.py) are tested against.

Both accept exactly the same strings and return the same values; a property test compares them
(tests/test_import_parsing.py). Not used by the app itself.
Every value is first trimmed of spaces, tabs, carriage returns and newlines; an empty cell is unknown (None).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

TRIM_CHARS = " \t\r\n"
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")

INT_RE = re.compile(r"[+-]?[0-9]{1,18}")
DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")
DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DATETIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?"
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # an apostrophe before one of these is removed (spec 7.6)
SLASH_DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?:[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")


class ParseError(ValueError):
    """A value that does not have the type its column requires; `code` is the quarantine reason."""

    def __init__(self, message: str, code: str = "bad_type") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def clean(value: object) -> str | None:
    """Return the trimmed text of a cell (one apostrophe before a formula sign removed), or None when empty."""
    if value is None:
        return None
    text = str(value)
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS and len(text) > 1:
        text = text[1:]
    text = text.strip(TRIM_CHARS)
    return text or None


def parse_text(value: object, max_len: int = 200) -> str | None:
    """Parse a text cell: trimmed, None when empty, at most max_len characters."""
    text = clean(value)
    if text is not None and len(text) > max_len:
        raise ParseError(f"is {len(text)} characters long; at most {max_len} are allowed", "too_long")
    return text


def parse_bool(value: object) -> bool | None:
    """Parse true/false, yes/no, y/n, 1/0 (any case); None when empty."""
    text = clean(value)
    if text is None:
        return None
    low = text.lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise ParseError(f"'{text}' is not a yes/no value (use true/false, yes/no, y/n or 1/0)")


def parse_int(value: object) -> int | None:
    """Parse a plain whole number (optional sign, at most 18 digits); None when empty."""
    text = clean(value)
    if text is None:
        return None
    if not INT_RE.fullmatch(text):
        raise ParseError(f"'{text}' is not a whole number")
    return int(text)


def parse_decimal(value: object) -> float | None:
    """Parse a plain decimal number with '.' as separator (no exponent, no thousands separator)."""
    text = clean(value)
    if text is None:
        return None
    if not DECIMAL_RE.fullmatch(text):
        raise ParseError(f"'{text}' is not a number (use digits with '.' as decimal separator)")
    number = float(text)
    if not math.isfinite(number):  # pragma: no cover - the pattern bounds the digits
        raise ParseError(f"'{text}' is not a number")
    return number


def parse_date(value: object) -> date | None:
    """Parse YYYY-MM-DD; None when empty."""
    text = clean(value)
    if text is None:
        return None
    m = DATE_RE.fullmatch(text)
    try:
        if not m:
            raise ValueError
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ParseError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def parse_datetime(value: object, tz: str = "UTC") -> datetime | None:
    """Parse a spec date-time to naive clinic-local wall time; zoned values are converted to `tz`."""
    text = clean(value)
    if text is None:
        return None
    m = DATETIME_RE.fullmatch(text)
    try:
        if not m:
            raise ValueError
        y, mo, d, h, mi, s, zone = m.groups()
        naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        if not zone:
            return naive
        offset = timedelta(0)
        if zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        aware = naive.replace(tzinfo=timezone(offset))
        return aware.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise ParseError(
            f"'{text}' is not a date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], optionally ending in Z or ±HH:MM)"
        ) from None


def from_slash_date(text: str | None, date_format: str | None) -> str | None:
    """Rewrite a DD/MM/YYYY or MM/DD/YYYY date (optional H:MM[:SS]) as YYYY-MM-DD[THH:MM[:SS]]; else unchanged."""
    if text is None or date_format is None:
        return text
    m = SLASH_DATE_RE.fullmatch(text)
    if not m:
        return text
    a, b, year, hour, minute, second = m.groups()
    day, month = (a, b) if date_format == "DD/MM/YYYY" else (b, a)
    out = f"{year}-{month.zfill(2)}-{day.zfill(2)}"
    if hour is not None:
        out += f"T{hour.zfill(2)}:{minute}" + (f":{second}" if second is not None else "")
    return out


def parse_code(value: object, codes: Sequence[str]) -> str | None:
    """Parse a code case-insensitively and return its canonical spelling; None when empty."""
    text = clean(value)
    if text is None:
        return None
    for code in codes:
        if code.lower() == text.lower():
            return code
    shown = ", ".join(codes) if len(codes) <= 12 else ", ".join(codes[:12]) + ", ..."
    raise ParseError(f"'{text}' is not a known code (expected one of {shown})", "unknown_code")
