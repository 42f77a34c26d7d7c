"""Case-mix model: a binomial GLM on aggregated cells (events out of treatments) giving expected counts.

Fitted on the clinic's own data. Covariates are categorical; a level with too little information to
estimate (fewer than `min_expected` events both expected at the overall rate and observed) shares the
reference level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class CaseMixModel:
    """A fitted case-mix model: which levels are estimated per covariate, and the coefficients."""

    covariates: tuple[str, ...]
    levels: dict[str, tuple[object, ...]] = field(default_factory=dict)
    params: np.ndarray = field(default_factory=lambda: np.zeros(1))
    overall_rate: float = 0.0

    def design(self, cells: pd.DataFrame) -> np.ndarray:
        """Return the design matrix (intercept + one indicator per estimated level) for cells."""
        cols = [np.ones(len(cells))]
        for cov in self.covariates:
            values = cells[cov].to_numpy()
            for level in self.levels.get(cov, ()):
                cols.append((values == level).astype(float))
        return np.column_stack(cols)

    def predict(self, cells: pd.DataFrame) -> np.ndarray:
        """Return each cell's predicted per-treatment probability of the event."""
        eta = self.design(cells) @ self.params
        return 1 / (1 + np.exp(-np.clip(eta, -30, 30)))


def _estimable_levels(cells: pd.DataFrame, cov: str, rate: float, min_expected: float) -> tuple[object, ...]:
    totals = cells.groupby(cov, sort=True)[["n", "events"]].sum()
    if len(totals) < 2:
        return ()
    reference = totals["n"].sort_values(ascending=False, kind="stable").index[0]
    return tuple(lv for lv, row in totals.iterrows()
                 if lv != reference and (row["n"] * rate >= min_expected or row["events"] >= min_expected))


def fit_casemix(cells: pd.DataFrame, covariates: Sequence[str], min_expected: float = 2.0) -> CaseMixModel:
    """Fit the binomial GLM of `events` out of `n` on the covariates over aggregated cells.

    Cells are first collapsed to the distinct covariate patterns, so the fit costs the same at any size.
    """
    cells = cells.groupby(list(covariates), sort=True, observed=True)[["n", "events"]].sum().reset_index() \
        if covariates else cells
    n = cells["n"].to_numpy(dtype=float)
    y = cells["events"].to_numpy(dtype=float)
    rate = float(y.sum() / n.sum()) if n.sum() > 0 else 0.0
    model = CaseMixModel(tuple(covariates), overall_rate=rate)
    if y.sum() == 0 or rate >= 1:
        model.levels = {}
        model.params = np.array([np.log(max(rate, 1e-9) / max(1 - rate, 1e-9))])
        return model
    model.levels = {c: _estimable_levels(cells, c, rate, min_expected) for c in covariates}
    x = model.design(cells)
    try:
        params = irls_binomial(x, y, n)
    except (ValueError, np.linalg.LinAlgError):
        model.levels = {}
        params = np.array([np.log(rate / (1 - rate))])
    model.params = params
    return model


def irls_binomial(x: np.ndarray, y: np.ndarray, n: np.ndarray, max_iter: int = 50, tol: float = 1e-9) -> np.ndarray:
    """Fit a grouped logistic regression by iteratively reweighted least squares (normal equations).

    Same estimates as statsmodels GLM(Binomial) on [events, non-events]; the normal-equation form costs
    O(cells x params^2), which keeps a full run fast at a million treatments.
    """
    rate = np.clip(y.sum() / n.sum(), 1e-9, 1 - 1e-9)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(rate / (1 - rate))
    dev_old = np.inf
    for _ in range(max_iter):
        eta = np.clip(x @ beta, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        w = n * mu * (1 - mu)
        z = eta + (y - n * mu) / np.maximum(w, 1e-12)
        xtw = x.T * w
        beta = np.linalg.solve(xtw @ x + 1e-10 * np.eye(x.shape[1]), xtw @ z)
        mu = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = -2 * float(np.sum(y * np.log(np.maximum(mu, 1e-300)) + (n - y) * np.log(np.maximum(1 - mu, 1e-300))))
        if abs(dev - dev_old) < tol * (abs(dev) + 0.1):
            break
        dev_old = dev
    if not np.all(np.isfinite(beta)):
        raise ValueError("non-finite coefficients")
    return beta
