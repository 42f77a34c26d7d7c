"""The Trends filters: a frozen dataclass that round-trips through the URL query string."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

GRAINS = ("week", "month")
DEFAULT_DAYS = 364  # default period: the 52 weeks ending on the last day with treatments
SEVERITY_NAMES = {1: "1 mild", 2: "2 moderate", 3: "3 severe", 4: "4 life-threatening", 5: "5 death"}


@dataclass(frozen=True)
class Filters:
    """What the manager is looking at; None means 'all' for every dimension."""

    start: date | None = None
    end: date | None = None
    clinic: int | None = None
    injector: int | None = None
    product: str | None = None
    lot: int | None = None
    area: str | None = None
    term: str | None = None
    min_severity: int = 1
    serious_only: bool = False
    grain: str = "month"

    # ------------------------------------------------------------------ period
    def resolved(self, last_day: date | None) -> Filters:
        """Fill a missing period with the default: the 52 weeks ending on last_day (today when no data)."""
        end = self.end or last_day or date.today()
        start = self.start or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            start, end = end, start
        return replace(self, start=start, end=end)

    def days(self) -> int:
        """Length of the (resolved) period in days, both ends included."""
        assert self.start is not None and self.end is not None, "resolve the period first"
        return (self.end - self.start).days + 1

    def previous(self) -> tuple[date, date]:
        """The previous period of the same length, ending the day before this one starts."""
        assert self.start is not None, "resolve the period first"
        prev_end = self.start - timedelta(days=1)
        return prev_end - timedelta(days=self.days() - 1), prev_end

    def sql_params(self) -> dict[str, Any]:
        """Bound parameters for the trends_*.sql queries (a superset; callers pass what a query uses)."""
        prev_start, prev_end = self.previous()
        return {
            "start": self.start, "end": self.end, "prev_start": prev_start, "prev_end": prev_end,
            "clinic": self.clinic, "injector": self.injector, "product": self.product, "lot": self.lot,
            "area": self.area, "term": self.term, "min_severity": self.min_severity,
            "serious_only": self.serious_only, "grain": self.grain,
        }

    # ------------------------------------------------------------------ URL round trip
    def to_query(self) -> dict[str, str]:
        """The non-default values as query-string pairs (a shareable link holds exactly these)."""
        out: dict[str, str] = {}
        default = Filters()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if isinstance(value, bool):
                out[f.name] = "1" if value else "0"
            elif isinstance(value, date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = str(value)
        return out

    @classmethod
    def from_query(cls, params: Mapping[str, str | list[str]]) -> tuple[Filters, list[str]]:
        """Parse query-string pairs; returns the filters and a message for every value that was ignored."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for f in fields(cls):
            raw = params.get(f.name)
            if isinstance(raw, list):
                raw = raw[-1] if raw else None
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = _parse(f.name, raw)
            except ValueError as exc:
                problems.append(f"The link's {_LABELS[f.name]} value {raw!r} was ignored: {exc}.")
        return cls(**values), problems


_LABELS = {
    "start": "start date", "end": "end date", "clinic": "clinic", "injector": "injector", "product": "product",
    "lot": "lot", "area": "area", "term": "event", "min_severity": "minimum grade",
    "serious_only": "serious-only", "grain": "week/month",
}


def _parse(name: str, raw: str) -> Any:
    """Parse one query-string value for field `name`; raises ValueError with a plain reason."""
    from dashboard.core.config import AREAS, PRODUCTS

    if name in ("start", "end"):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError("expected a date like 2026-01-31") from None
    if name in ("clinic", "injector", "lot"):
        if not raw.isdigit():
            raise ValueError("expected a number")
        return int(raw)
    if name == "min_severity":
        if raw not in {"1", "2", "3", "4", "5"}:
            raise ValueError("expected a grade from 1 to 5")
        return int(raw)
    if name == "serious_only":
        if raw not in {"0", "1"}:
            raise ValueError("expected 0 or 1")
        return raw == "1"
    if name == "grain":
        if raw not in GRAINS:
            raise ValueError("expected week or month")
        return raw
    if name == "product" and raw not in PRODUCTS:
        raise ValueError("not a known product")
    if name == "area" and raw not in AREAS:
        raise ValueError("not a known treatment area")
    if name == "term" and not all(c.isalnum() or c == "_" for c in raw):
        raise ValueError("not a known event")
    return raw
