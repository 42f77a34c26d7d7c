"""Dose-response: logistic regression with a likelihood-ratio trend test, and Cochran-Armitage on dose bands."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy.stats import chi2, norm


@dataclass(frozen=True)
class TrendTest:
    """A trend statistic with its two-sided and one-sided (increasing) p-values."""

    statistic: float
    p_two_sided: float
    p_increasing: float


def cochran_armitage(scores: np.ndarray, n: np.ndarray, events: np.ndarray) -> TrendTest:
    """Cochran-Armitage trend test with events as the response (positive Z = rate rises with score)."""
    t = np.asarray(scores, dtype=float)
    n = np.asarray(n, dtype=float)
    x = np.asarray(events, dtype=float)
    total = n.sum()
    pbar = x.sum() / total
    tbar = (n * t).sum() / total
    var = pbar * (1 - pbar) * (n * (t - tbar) ** 2).sum()
    if var <= 0:
        return TrendTest(0.0, 1.0, 1.0)
    z = float((x * (t - tbar)).sum() / np.sqrt(var))
    return TrendTest(z, float(2 * norm.sf(abs(z))), float(norm.sf(z)))


@dataclass(frozen=True)
class LogisticFit:
    """Grouped logistic regression of events on one dose covariate, with the LR test against no dose."""

    params: np.ndarray
    bse: np.ndarray
    deviance: float
    null_deviance: float
    lr_statistic: float
    p_value: float


def logistic_dose(dose: np.ndarray, n: np.ndarray, events: np.ndarray, link: str = "logit",
                  offset: np.ndarray | None = None) -> LogisticFit:
    """Fit events/n ~ dose by a binomial GLM (logit, probit or cloglog) and LR-test the dose term (1 df)."""
    links = {"logit": sm.families.links.Logit(), "probit": sm.families.links.Probit(),
             "cloglog": sm.families.links.CLogLog()}
    n = np.asarray(n, dtype=float)
    y = np.asarray(events, dtype=float)
    endog = np.column_stack([y, n - y])
    exog = sm.add_constant(np.asarray(dose, dtype=float), has_constant="add")
    family = sm.families.Binomial(link=links[link])
    fit = sm.GLM(endog, exog, family=family, offset=offset).fit()
    null = sm.GLM(endog, np.ones((len(y), 1)), family=family, offset=offset).fit()
    lr = float(null.deviance - fit.deviance)
    return LogisticFit(np.asarray(fit.params), np.asarray(fit.bse), float(fit.deviance), float(null.deviance),
                       lr, float(chi2.sf(max(lr, 0.0), 1)))


def poisson_dose_trend(scores: np.ndarray, observed: np.ndarray, expected: np.ndarray) -> TrendTest:
    """LR test for a log-linear trend of O/E with dose score (Poisson GLM, offset log E); signed root."""
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    keep = e > 0
    if keep.sum() < 2 or o[keep].sum() == 0:
        return TrendTest(0.0, 1.0, 1.0)
    x = sm.add_constant(np.asarray(scores, dtype=float)[keep], has_constant="add")
    try:
        fit = sm.GLM(o[keep], x, family=sm.families.Poisson(), offset=np.log(e[keep])).fit()
        null = sm.GLM(o[keep], x[:, :1], family=sm.families.Poisson(), offset=np.log(e[keep])).fit()
    except (ValueError, np.linalg.LinAlgError):
        return TrendTest(0.0, 1.0, 1.0)
    lr = max(float(null.deviance - fit.deviance), 0.0)
    z = float(np.sign(fit.params[1]) * np.sqrt(lr))
    return TrendTest(z, float(chi2.sf(lr, 1)), float(norm.sf(z)))


@dataclass(frozen=True)
class DoseResponse:
    """Does the event rate move with dose in the expected direction? Both tests one-sided in that direction.

    logistic: grouped logistic regression of events on the dose score with the case-mix expected rate of each band
    as an offset (logit scale), likelihood-ratio test of the dose term (1 df), signed root for the direction;
    Cochran-Armitage: trend in the raw proportions with the band's mean dose as score."""

    increasing: bool
    bands: int
    slope: float  # change in log-odds per unit of dose score (beyond the case mix)
    lr_statistic: float
    logistic_p: float
    ca_z: float
    ca_p: float


def dose_response(scores: np.ndarray, n: np.ndarray, events: np.ndarray, expected: np.ndarray | None = None,
                  increasing: bool = True) -> DoseResponse | None:
    """Test a dose-response over dose bands (mean dose per band as score); None when there is nothing to test
    (fewer than two bands with treatments, no events, or no spread in dose)."""
    t = np.asarray(scores, dtype=float)
    n = np.asarray(n, dtype=float)
    y = np.asarray(events, dtype=float)
    e = n * (y.sum() / n.sum()) if expected is None or n.sum() <= 0 else np.asarray(expected, dtype=float)
    keep = (n > 0) & np.isfinite(t) & (e > 0)
    if keep.sum() < 2 or y[keep].sum() == 0 or np.ptp(t[keep]) <= 0:
        return None
    t, n, y, e = t[keep], n[keep], y[keep], e[keep]
    rate = np.clip(e / n, 1e-9, 1 - 1e-9)
    offset = np.log(rate / (1 - rate))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = logistic_dose(t, n, y, offset=offset)
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not np.isfinite(fit.lr_statistic) or not np.all(np.isfinite(fit.params)):
        return None
    slope = float(fit.params[1])
    z = float(np.sign(slope) * np.sqrt(max(fit.lr_statistic, 0.0)))
    ca = cochran_armitage(t, n, y)
    sign = 1.0 if increasing else -1.0
    return DoseResponse(increasing, int(keep.sum()), slope, max(fit.lr_statistic, 0.0), float(norm.sf(sign * z)),
                        ca.statistic, float(norm.sf(sign * ca.statistic)))
