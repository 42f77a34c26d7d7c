"""Data for the Clinic overview (home) page: headline figures, monthly rate, latest events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from dashboard.core.authz import User, read_scope, require, require_signed_in
from dashboard.core.db import Database


@dataclass(frozen=True)
class Totals:
    """Headline counts of what the user may see."""

    treatments: int
    events: int
    serious_events: int
    open_cases: int
    first_treatment: datetime | None
    last_treatment: datetime | None

    @property
    def rate_per_1000(self) -> float | None:
        """Events per 1,000 treatments, or None without treatments."""
        return 1000.0 * self.events / self.treatments if self.treatments else None


def _aggregate_scope(user: User | None) -> dict[str, object]:
    """Practitioners: their own treatments and cases. Managers, and admins (who see no cases, only
    clinic-wide counts): everything. Nobody signed in: refused."""
    signed_in = require_signed_in(user)
    scope = read_scope(signed_in)
    if not signed_in.can("case.view_own"):
        scope["see_all"] = True
    return scope


def totals(db: Database, user: User | None) -> Totals:
    """Return the headline counts of what this user may see."""
    row = db.query_rows("overview_totals", _aggregate_scope(user))[0]
    return Totals(*(int(v) if isinstance(v, int) else v for v in row))


def monthly_rate(db: Database, user: User | None, months: int = 24) -> pd.DataFrame:
    """Return month, treatments, events, serious and rate_per_1000 for the last `months` months."""
    return db.query("overview_monthly_rate", {**_aggregate_scope(user), "months": months})


def latest_events(db: Database, user: User, limit: int = 10) -> pd.DataFrame:
    """Return the most recent events this user may see, with term, severity, injector and clinic."""
    require(user, "case.view_own")
    return db.query("overview_latest_events", {**read_scope(user), "limit": limit})


def monthly_rate_figure(frame: pd.DataFrame) -> go.Figure:
    """Bars of treatments per month with the event rate per 1,000 treatments as a line on a second axis."""
    fig = go.Figure()
    fig.add_bar(x=frame["month"], y=frame["treatments"], name="Treatments", marker_color="#ced4da",
                hovertemplate="%{x|%b %Y}: %{y:,} treatments<extra></extra>")
    fig.add_scatter(x=frame["month"], y=frame["rate_per_1000"], name="Adverse events per 1,000 treatments",
                    yaxis="y2", mode="lines+markers", line={"color": "#c92a2a", "width": 3},
                    customdata=frame[["events"]],
                    hovertemplate="%{x|%b %Y}: %{y:.1f} per 1,000 (%{customdata[0]} events)<extra></extra>")
    fig.update_layout(
        title="Treatments and adverse-event rate by month of treatment",
        yaxis={"title": "Treatments", "rangemode": "tozero", "tickformat": ",d"},
        # its own round ticks and no second grid (synced ticks read 57.4, 114.7, ...)
        yaxis2={"title": "Events per 1,000 treatments", "overlaying": "y", "side": "right", "rangemode": "tozero",
                "tickmode": "auto", "showgrid": False, "tickformat": ",.0f"},
        xaxis={"title": "Month of treatment"},
        legend={"orientation": "h", "y": -0.25}, height=380, margin={"t": 50, "b": 10},
    )
    return fig
