"""Each injector compared with the others: the expected count of a high injector x area x term without their own work.

The case-mix model of a term is fitted on every treatment, the injector's own included. When one injector gives a
large share of an area's treatments, their own excess raises the area's fitted rate and so their own expected count:
an injector doing a fifth of the forehead treatments with three times the usual brow ptosis is compared partly with
themselves, and looks only 1.5 times as high. The right comparison is with everyone else. For the injector x area x
term cells that look high (a screening p below SCREEN_P), the term's model is fitted again without that injector's
treatments in that area, and their expected count is predicted from it (leave-one-out). Under no difference this is
the unbiased expectation; a real problem is no longer partly absorbed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.signals import sites
from dashboard.stats import funnel
from dashboard.stats.casemix import CaseMixModel, Columns, fit_casemix

SCREEN_P = 0.05  # cells at least this nominally high (negative binomial p, full benchmark) are re-benchmarked
SCREEN_MIN_OBSERVED = 3
MAX_REFITS = 60  # per run, the most significant first (each is one model fit on the collapsed cells)


@dataclass
class TermFit:
    """One term's fitted case-mix model with the cells it was fitted on (rows of the run's cell table)."""

    rows: np.ndarray
    cells: Columns
    model: CaseMixModel


def as_usual(cells: Columns) -> Columns:
    """Return the cells with out-of-range dose bands moved to the nearest in-range half (for prediction)."""
    return cells.assign(dose_band=cells["dose_model"])


def leave_out(by_inj: pd.DataFrame, fits: dict[str, TermFit], pooled: dict[int, float], cell_ids: np.ndarray,
              cell_area: np.ndarray, injector_cells: dict[str, np.ndarray], injector_events: pd.DataFrame,
              sigma2: dict[str, float]) -> pd.DataFrame:
    """Return by_inj with the expected counts of its nominally high cells predicted without the injector's own work.

    injector_cells: injector_id, cell_id, n, n_out arrays (treatments per injector and cell); injector_events:
    injector_id, cell_id, term, events (treatments with the event per injector, cell and term)."""
    out = by_inj.copy()
    out["benchmark"] = "all injectors"
    if out.empty:
        return out
    s2 = out["term"].map(sigma2).fillna(0.0).to_numpy()
    p = np.ones(len(out))
    for value in np.unique(s2):
        idx = np.flatnonzero(s2 == value)
        p[idx] = funnel.negative_binomial_p(out["observed"].to_numpy()[idx], out["expected"].to_numpy()[idx], value)
    screen = np.flatnonzero((p < SCREEN_P) & (out["observed"].to_numpy() >= SCREEN_MIN_OBSERVED)
                            & out["term"].isin(list(fits)).to_numpy())
    screen = screen[np.argsort(p[screen], kind="stable")][:MAX_REFITS]
    injector = np.asarray(injector_cells["injector_id"], dtype=np.int64)
    row_of = np.searchsorted(cell_ids, np.asarray(injector_cells["cell_id"], dtype=np.int64))
    ev_by = {(int(i), str(t)): g for (i, t), g in injector_events.groupby(["injector_id", "term"], sort=False)}
    for k in screen:
        unit = out.iloc[k]
        fit = fits[str(unit["term"])]
        mine = np.flatnonzero((injector == int(unit["injector_id"])) & (cell_area[row_of] == unit["area"]))
        e, e_out = _expected_without(fit, pooled, cell_ids, row_of[mine], injector_cells, mine,
                                     ev_by.get((int(unit["injector_id"]), str(unit["term"]))))
        if e is None:
            continue
        out.iat[k, out.columns.get_loc("expected")] = e
        out.iat[k, out.columns.get_loc("expected_out")] = e_out
        out.iat[k, out.columns.get_loc("benchmark")] = "the other injectors"
    return out


def _expected_without(fit: TermFit, pooled: dict[int, float], cell_ids: np.ndarray, rows: np.ndarray,
                      injector_cells: dict[str, np.ndarray], mine: np.ndarray,
                      events: pd.DataFrame | None) -> tuple[float | None, float]:
    """Refit the term without one injector's cells of one area; return their expected and out-of-range expected."""
    local = np.full(len(cell_ids), -1, dtype=np.int64)
    local[fit.rows] = np.arange(len(fit.rows))
    at = local[rows]
    keep = at >= 0
    if not keep.any():
        return None, 0.0
    at, mine = at[keep], mine[keep]
    n_mine = np.asarray(injector_cells["n"], dtype=float)[mine]
    n_out = np.asarray(injector_cells["n_out"], dtype=float)[mine]
    n = np.asarray(fit.cells["n"], dtype=float).copy()
    y = np.asarray(fit.cells["events"], dtype=float).copy()
    np.subtract.at(n, at, n_mine)
    if events is not None and len(events):
        ev_local = local[np.searchsorted(cell_ids, events["cell_id"].to_numpy(dtype=np.int64))]
        ok = ev_local >= 0
        in_area = np.isin(ev_local[ok], at)
        np.subtract.at(y, ev_local[ok][in_area], events["events"].to_numpy(dtype=float)[ok][in_area])
    others = fit.cells.assign(n=np.maximum(n, 0.0), events=np.clip(y, 0.0, None))
    if others["events"].sum() <= 0:
        return None, 0.0
    model = fit_casemix(others, fit.model.covariates)
    p = sites.predict_with_sites(model, others, as_usual(others), pooled)[at]
    return float(np.sum(n_mine * p)), float(np.sum(n_out * p))
