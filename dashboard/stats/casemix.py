"""Case-mix model: a binomial GLM on aggregated cells (events out of treatments) giving expected counts.

Fitted on the clinic's own data. Covariates are categorical; a level with too little information to
estimate (fewer than `min_expected` events expected at the overall rate) shares the reference level.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm


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
    totals = cells.groupby(cov, sort=True)["n"].sum()
    if len(totals) < 2:
        return ()
    reference = totals.sort_values(ascending=False, kind="stable").index[0]
    return tuple(lv for lv, n in totals.items() if lv != reference and n * rate >= min_expected)


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
    endog = np.column_stack([y, n - y])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(endog, x, family=sm.families.Binomial()).fit(maxiter=50)
        params = np.asarray(fit.params)
        if not np.all(np.isfinite(params)):
            raise ValueError("non-finite coefficients")
    except (ValueError, np.linalg.LinAlgError):
        model.levels = {}
        params = np.array([np.log(rate / (1 - rate))])
    model.params = params
    return model
