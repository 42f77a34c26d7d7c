"""Drill-down: turn a chart selection into a narrowing of the case listing."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

ALL_EVENTS = "All adverse events"


@dataclass(frozen=True)
class Drill:
    """A chart selection narrowing the case listing (None = not narrowed on that dimension)."""

    area: str | None = None
    injector: int | None = None
    product: str | None = None
    lot: int | None = None
    group: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    label: str = ""

    def params(self) -> dict[str, Any]:
        """Bound parameters for trends_cases.sql."""
        return {"drill_area": self.area, "drill_injector": self.injector, "drill_product": self.product,
                "drill_lot": self.lot, "drill_group": None if self.group == ALL_EVENTS else self.group,
                "drill_from": self.date_from, "drill_to": self.date_to}


def bucket_end(start: date, grain: str) -> date:
    """Last day of the week or month that starts on `start`."""
    if grain == "week":
        return start + timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def drill_from(chart: str, point: list[Any], *, grain: str = "week", product: str | None = None,
               product_name: str = "") -> Drill | None:
    """Build the Drill for one selected point's customdata on a named chart (None when unreadable)."""
    try:
        if chart == "trend":
            group, day = str(point[0]), date.fromisoformat(str(point[1])[:10])
            end = bucket_end(day, grain)
            when = f"week of {day:%d %b %Y}" if grain == "week" else f"{day:%B %Y}"
            return Drill(group=group, date_from=day, date_to=end, label=f"{group}, treatments in the {when}")
        if chart == "injector_area":
            return Drill(injector=int(point[0]), area=str(point[1]), label=f"{point[2]} · {point[3]}")
        if chart == "products":
            return Drill(product=str(point[0]), label=str(point[1]))
        if chart == "lots":
            return Drill(lot=int(point[0]), label=f"Lot {point[1]}")
        if chart == "dose":
            return Drill(area=str(point[0]), product=product, label=f"{point[1]} · {product_name}")
    except (IndexError, TypeError, ValueError):
        return None
    return None
