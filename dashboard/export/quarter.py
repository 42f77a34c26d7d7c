"""Clinic-local calendar quarters: parsing `YYYYQn` and the half-open period [start, end) it covers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

_QUARTER = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class BadQuarterError(ValueError):
    """Raised for a quarter that is not written YYYYQn (n = 1..4)."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter in the clinic's local time (stored times are clinic-local wall times)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2200 or self.number not in (1, 2, 3, 4):
            raise BadQuarterError(f"no such quarter: {self.year}Q{self.number}")

    @property
    def label(self) -> str:
        """The quarter as written on the command line, e.g. 2026Q3."""
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        """The first calendar day of the quarter."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next_first_day(self) -> date:
        """The first day after the quarter (the period is half-open: it ends just before this day)."""
        return self.next().first_day

    @property
    def last_day(self) -> date:
        """The last calendar day of the quarter."""
        return date.fromordinal(self.next_first_day.toordinal() - 1)

    @property
    def start(self) -> datetime:
        """Midnight at the start of the first day (inclusive bound)."""
        return datetime.combine(self.first_day, datetime.min.time())

    @property
    def end(self) -> datetime:
        """Midnight at the start of the next quarter (exclusive bound)."""
        return datetime.combine(self.next_first_day, datetime.min.time())

    def next(self) -> Quarter:
        """The following quarter."""
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        """The preceding quarter."""
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def describe(self) -> str:
        """A human period, e.g. '1 Jul 2026 – 30 Sep 2026'."""
        a, b = self.first_day, self.last_day
        return f"{a.day} {_MONTHS[a.month - 1]} {a.year} – {b.day} {_MONTHS[b.month - 1]} {b.year}"

    def params(self) -> dict[str, datetime]:
        """The bound parameters $start and $end of every export query."""
        return {"start": self.start, "end": self.end}

    def __str__(self) -> str:
        return self.label


def parse_quarter(text: str) -> Quarter:
    """Parse 'YYYYQn' (a lower-case q and surrounding spaces are accepted); raise BadQuarterError otherwise."""
    m = _QUARTER.match(text or "")
    if not m:
        raise BadQuarterError(f"--quarter must look like 2026Q3 (a year, the letter Q, then 1-4), not {text!r}")
    return Quarter(int(m.group(1)), int(m.group(2)))


def quarter_of(moment: date | datetime) -> Quarter:
    """The quarter that contains a local date or wall time."""
    return Quarter(moment.year, (moment.month - 1) // 3 + 1)
