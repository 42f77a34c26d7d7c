"""Streamlit glue shared by the pages: the cached database handle, the scheduler and the data version for caches."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard.charts.as_table import figure_table
from dashboard.core.config import db_path
from dashboard.core.db import Database, open_database
from dashboard.scheduling import Scheduler
from dashboard.trends.refresh import refresh


@st.cache_resource(show_spinner=False, on_release=lambda db: db.close())
def _database(path: str) -> Database:
    db = open_database(path)
    # a database last written by an older version may lag behind: bring its derived tables up to date once, when
    # the app opens it, so that no page view has to (a no-op when they are current)
    refresh(db, actor="system")
    return db


def get_db() -> Database:
    """Return this process's Database for the configured path (migrated, reference loaded)."""
    return _database(str(db_path()))


@st.cache_resource(show_spinner=False, on_release=lambda scheduler: scheduler.stop())
def _scheduler(path: str) -> Scheduler:
    scheduler = Scheduler(_database(path))
    scheduler.start()  # one background thread per server process (none under INJECTWATCH_SCHEDULER=off)
    return scheduler


def get_scheduler() -> Scheduler:
    """Return this process's scheduler of backups and quarterly exports, its thread started on first use."""
    return _scheduler(str(db_path()))


def data_version() -> int:
    """Return the current data version; pass it to st.cache_data readers so saves invalidate them."""
    return get_db().data_version()


def field_error(errors: dict[str, str], key: str) -> None:
    """Show the validation message of one form field, if it has one, right where the field is."""
    if key in errors:
        st.error(errors[key], icon=":material/error:")


def show_chart(fig: go.Figure, key: str, **kwargs: Any) -> Any:
    """Show a chart with a 'Show as table' toggle under it; returns what st.plotly_chart returns."""
    out = st.plotly_chart(fig, key=key, **kwargs)
    if st.toggle("Show as table", key=f"{key}__as_table", help="The numbers of this chart as a table"):
        st.dataframe(figure_table(fig), hide_index=True, width="stretch")
    return out
