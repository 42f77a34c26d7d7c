"""Keep the pre-aggregated trends cells and the signal rows in step with treatments, injections and events.

`refresh(db)` is cheap when nothing changed and incremental when records were only added (the usual case:
form saves and imports append). When an older treatment, injection or patient changed, injection rows were added
to an older treatment, or the reference data changed, it rebuilds everything.

One write path: every write of records brings these derived tables up to date right after it (form saves and
follow-ups inside their own transaction via `refresh_in`; imports, the demo load, a restore and opening the app's
database via `refresh`). Reading a page never refreshes, so a page view adds no audit row and leaves
`data_version()` where it was.

The signal rows (signal_rows, signal_event_rows: the signal run's treatment x area rows and attributed events)
are kept here so that a run does not rebuild them from the records (~7 s at 1M treatments).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from dashboard.core.db import Database
from dashboard.core.sqlfiles import load_sql


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: 'none', 'incremental' or 'full', and how many new records it took in."""

    mode: str
    treatments: int = 0
    event_versions: int = 0


def _needed(cur: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, int], tuple | None]:
    """Decide what to do: returns (mode, new marks, stored state row)."""
    marks_row = cur.execute(load_sql("trends_marks")).fetchone()
    marks = {"treatment_mark": int(marks_row[0]), "injection_mark": int(marks_row[1]),
             "version_mark": int(marks_row[2]), "patient_mark": int(marks_row[3])}
    state = cur.execute(load_sql("trends_state")).fetchone()
    if state is None and not any(marks.values()):  # a new, empty database: nothing to build yet
        return "none", marks, state
    if state is None or state[6] is None or state[7] is None:  # never built, or before the signal rows existed
        return "full", marks, state
    old_t, old_i, old_v, t_print, i_print = int(state[0]), int(state[1]), int(state[2]), state[3], state[4]
    if marks["treatment_mark"] < old_t or marks["injection_mark"] < old_i or marks["version_mark"] < old_v:
        return "full", marks, state
    prints = cur.execute(load_sql("trends_fingerprint"),
                         {"treatment_mark": old_t, "injection_mark": old_i, "patient_mark": int(state[6])}).fetchone()
    if prints[0] != t_print or prints[1] != i_print or prints[2] or prints[3] != state[7]:
        return "full", marks, state
    if (marks["treatment_mark"], marks["injection_mark"], marks["version_mark"]) == (old_t, old_i, old_v):
        return "none", marks, state
    return "incremental", marks, state


def refresh_in(cur: duckdb.DuckDBPyConnection, *, full: bool = False) -> RefreshResult:
    """Bring the cells up to date inside the caller's open transaction (no audit row)."""
    mode, marks, state = _needed(cur)
    if full:
        mode = "full"
    if mode == "none":
        return RefreshResult("none")
    if mode == "full":
        for name in ("trends_refresh_clear_treatment_cells", "trends_refresh_clear_area_cells",
                     "trends_refresh_clear_dose_cells", "trends_refresh_clear_event_facts",
                     "signals_refresh_clear_rows", "signals_refresh_clear_event_rows"):
            cur.execute(load_sql(name))
        old_t = old_v = 0
    else:
        assert state is not None
        old_t, old_v = int(state[0]), int(state[2])
    span = {"old_mark": old_t, "new_mark": marks["treatment_mark"]}
    cur.execute(load_sql("trends_refresh_treatment_cells"), span)
    cur.execute(load_sql("signals_refresh_rows"), {**span, "injection_mark": marks["injection_mark"]})
    cur.execute(load_sql("trends_refresh_area_cells"), span)  # both read the signal rows just appended
    cur.execute(load_sql("trends_refresh_dose_cells"), span)
    versions = {"old_mark": old_v, "new_mark": marks["version_mark"]}
    cur.execute(load_sql("trends_refresh_event_facts_delete"), versions)
    cur.execute(load_sql("trends_refresh_event_facts_insert"), versions)
    cur.execute(load_sql("signals_refresh_event_rows_delete"), versions)
    cur.execute(load_sql("signals_refresh_event_rows_insert"), versions)
    prints = cur.execute(load_sql("trends_fingerprint"), {
        "treatment_mark": marks["treatment_mark"], "injection_mark": marks["injection_mark"],
        "patient_mark": marks["patient_mark"]}).fetchone()
    cur.execute(load_sql("trends_refresh_state_delete"))
    cur.execute(load_sql("trends_refresh_state_insert"), {
        **marks, "treatment_print": prints[0], "injection_print": prints[1], "signal_print": prints[3],
        "refreshed_at": datetime.now().replace(microsecond=0)})
    return RefreshResult(mode, marks["treatment_mark"] - old_t, marks["version_mark"] - old_v)


def is_current(db: Database) -> bool:
    """Return True when the cells already reflect every record (a read; no write)."""
    with db.cursor() as cur:
        return _needed(cur)[0] == "none"


def refresh(db: Database, *, actor: str = "system", full: bool = False) -> RefreshResult:
    """Bring the cells up to date in one transaction, with an audit row when anything changed."""
    if not full and is_current(db):
        return RefreshResult("none")

    def work(cur: duckdb.DuckDBPyConnection) -> RefreshResult:
        result = refresh_in(cur, full=full)
        if result.mode != "none":
            db.audit(cur, actor, "trends.refresh", "trends_cells", None,
                     json.dumps({"mode": result.mode, "treatments": result.treatments,
                                 "event_versions": result.event_versions}))
        return result

    return db.write(work)
