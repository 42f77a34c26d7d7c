"""One injector's events by dose band (for the dose-response that tells dosing from placement)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from dashboard.signals.expected import CellProbabilities
from dashboard.sqlfiles import load_sql

BAND_COLUMNS = ["dose_band", "treatments", "observed", "expected", "dose"]


def injector_bands(cur: duckdb.DuckDBPyConnection, probs: CellProbabilities, injector_id: int, area: str,
                   term: str) -> pd.DataFrame:
    """Return treatments, observed, case-mix expected and mean dose ratio per dose band of one injector x area x term
    (expected as if every dose had been usual, like the rest of the run)."""
    if term not in probs.terms:
        return pd.DataFrame(columns=BAND_COLUMNS)
    g = cur.execute(load_sql("signals_injector_dose_cells"),
                    {"injector_id": int(injector_id), "area": area, "term": term}).df()
    if g.empty:
        return pd.DataFrame(columns=BAND_COLUMNS)
    p = probs.term_series(term).reindex(g["cell_id"].to_numpy()).to_numpy()
    g = g.assign(expected=g["n"].to_numpy(dtype=float) * p)[np.isfinite(p)]  # cells where the term is analysed
    out = g.groupby("dose_band", sort=True).agg(treatments=("n", "sum"), observed=("observed", "sum"),
                                                 expected=("expected", "sum"), dose_sum=("dose_sum", "sum"))
    out["dose"] = out["dose_sum"] / out["treatments"]
    return out.reset_index()[BAND_COLUMNS]
