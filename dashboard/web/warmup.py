"""Warm the app's slow first steps in the background while someone signs in.

A fresh Streamlit server imports plotly and the chart modules, builds plotly's validators for each kind of
trace and reads the trends cells from disk the first time a chart page opens: about 3-5 s at 1M treatments,
which the first manager to open Trends would otherwise wait for. `start_warm_up` does that work once per
process in a daemon thread; it only reads, and a failure is logged, never raised into a page.
"""

from __future__ import annotations

import logging
import threading

from dashboard.core.authz import system_user
from dashboard.core.db import Database

log = logging.getLogger(__name__)
# the warm-up reads the Trends view like a manager would (it keeps nothing: the figures are thrown away)
WARM_UP = system_user("warm-up", "manager")


def warm_up(db: Database) -> None:
    """Import the chart modules, build one figure of each trace kind, read the default Trends view and chart it."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from dashboard.trends import charts, queries  # noqa: F401  (imports plotly, the face chart, the stats)
    from dashboard.trends.filters import Filters

    figure = go.Figure(data=[{"type": kind} for kind in ("scatter", "bar", "box")],
                       layout={"shapes": [{"type": "rect"}], "annotations": [{"text": ""}]})
    pio.to_json(figure, validate=False)
    last_day = queries.bounds(db, WARM_UP)[1]
    if last_day is not None:
        frames = queries.run_all(db, WARM_UP, Filters().resolved(last_day))
        build_figures(frames)


def build_figures(frames: dict) -> None:
    """Build the Trends page's figures once from its default read (the face chart's first build reads the
    reference tables: ~0.35 s at the first view otherwise)."""
    from dashboard.trends import charts

    charts.trend_figure(frames["trend"], "month")
    charts.face_rate_figure(frames["areas"])
    charts.injector_area_figure(frames["injector_area"])
    charts.rate_bar_figure(frames["products"], "product_name", "product", "", "")
    charts.rate_bar_figure(charts.top_lots(frames["lots"]), "lot_label", "lot_id", "", "")
    for product in frames["dose"]["product"].drop_duplicates().head(1):
        charts.dose_figure(frames["dose"], product, product)


def start_warm_up(db: Database) -> threading.Thread:
    """Run warm_up(db) in a daemon thread and return the thread."""

    def run() -> None:
        try:
            warm_up(db)
        except Exception:  # a cold first page is the only cost of a failed warm-up
            log.exception("warm-up failed")

    thread = threading.Thread(target=run, name="injectwatch-warm-up", daemon=True)
    thread.start()
    return thread
