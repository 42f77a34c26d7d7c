"""The flagged injectors' events by dose band (for the dose-response that tells dosing from placement)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import duckdb
import numpy as np
import pandas as pd

from dashboard.core.sqlfiles import load_sql
from dashboard.signals.expected import CellProbabilities
from dashboard.signals.findings import Finding

BAND_COLUMNS = ["dose_band", "treatments", "observed", "expected", "dose"]


class InjectorDoses:
    """Per dose band treatments, events, case-mix expected and mean dose of the injector findings' injector x area,
    fetched in two queries for all of them at once."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, probs: CellProbabilities, findings: Iterable[Finding],
                 dose_cells: Callable[[list[int], list[str]], pd.DataFrame]) -> None:
        """Take the treatments per cell of every (injector, area) among the findings (dose_cells: the run's
        injector x cell counts for those pairs, sorted by injector, area and cell) and fetch the events per band."""
        self.probs = probs
        self._p: dict[str, pd.Series] = {}
        pairs = sorted({(int(f.injector_id), str(f.area)) for f in findings if f.injector_id is not None and f.area})
        self.cells: dict[tuple[int, str], pd.DataFrame] = {}
        self.events: dict[tuple[int, str, str], slice] = {}  # rows of each injector x area x term
        self._event_rows = pd.DataFrame()
        if not pairs:
            return
        params = {"injector_ids": [p[0] for p in pairs], "areas": [p[1] for p in pairs]}
        cells = dose_cells(params["injector_ids"], params["areas"])
        # rows come sorted by (injector, area): each pair is one slice (a groupby over 100k rows cost ~1 s at 1M)
        injector = cells["injector_id"].to_numpy(dtype=np.int64)
        area = cells["area"].to_numpy(dtype=object)
        starts = np.flatnonzero(np.r_[len(cells) > 0, (injector[1:] != injector[:-1]) | (area[1:] != area[:-1])])
        ends = np.r_[starts[1:], len(cells)][:starts.size]
        self.cells = {(int(injector[a]), str(area[a])): cells.iloc[a:b] for a, b in zip(starts, ends, strict=True)}
        events = cur.execute(load_sql("signals_injector_dose_events"), params).df()
        keys = [events[c].to_numpy(dtype=object) for c in ("injector_id", "area", "term")]
        change = np.zeros(max(len(events) - 1, 0), dtype=bool)
        for k in keys:
            change |= k[1:] != k[:-1]
        starts = np.flatnonzero(np.r_[len(events) > 0, change])  # sorted by (injector, area, term, band)
        ends = np.r_[starts[1:], len(events)][:starts.size]
        self._event_rows = events
        self.events = {(int(keys[0][a]), str(keys[1][a]), str(keys[2][a])): slice(a, b)
                       for a, b in zip(starts, ends, strict=True)}

    def bands(self, injector_id: int, area: str, term: str) -> pd.DataFrame:
        """Return treatments, observed, expected (as if every dose had been usual, like the rest of the run) and
        mean dose ratio per dose band of one injector x area x term, over the cells where the term is analysed."""
        g = self.cells.get((int(injector_id), str(area)))
        if term not in self.probs.terms or g is None or g.empty:
            return pd.DataFrame(columns=BAND_COLUMNS)
        if term not in self._p:
            self._p[term] = self.probs.term_series(term)
        p = self._p[term].reindex(g["cell_id"].to_numpy()).to_numpy()
        g = g.assign(expected=g["n"].to_numpy(dtype=float) * p)[np.isfinite(p)]
        out = g.groupby("dose_band", sort=True).agg(treatments=("n", "sum"), expected=("expected", "sum"),
                                                     dose_sum=("dose_sum", "sum"))
        rows = self.events.get((int(injector_id), str(area), str(term)))
        ev = pd.Series(dtype=np.int64) if rows is None else self._event_rows.iloc[rows].set_index("dose_band")[
            "observed"]
        out["observed"] = ev.reindex(out.index).fillna(0).astype(np.int64)
        out["dose"] = out["dose_sum"] / out["treatments"]
        return out.reset_index()[BAND_COLUMNS]
