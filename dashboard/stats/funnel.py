"""Funnel plot limits (Spiegelhalter 2005): exact Poisson/binomial, PHE Wilson, and overdispersion.

Ratios are O/E with target 1; proportions use the pooled rate as target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom, chi2, nbinom, norm, poisson

LEVELS = {"95": 0.025, "99.8": 0.001}


def poisson_ratio_limits(expected: np.ndarray | float, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Return exact (Garwood) lower/upper O/E limits at tail probability p for expected counts E."""
    e = np.asarray(expected, dtype=float)
    lower = chi2.ppf(p, 2 * e) / (2 * e)
    upper = chi2.ppf(1 - p, 2 * (e + 1)) / (2 * e)
    return lower, upper


def binomial_limit(n: int, theta0: float, p: float) -> float:
    """Return Spiegelhalter's interpolated exact binomial limit (proportion) at cumulative probability p."""
    r = int(binom.ppf(p, n, theta0))
    while binom.cdf(r, n, theta0) < p:  # guard against ppf rounding
        r += 1
    f_r = binom.cdf(r, n, theta0)
    f_prev = binom.cdf(r - 1, n, theta0) if r > 0 else 0.0
    alpha = (f_r - p) / (f_r - f_prev)
    return max(0.0, (r - alpha) / n)


def wilson_proportion_limits(n: np.ndarray | float, baseline: float, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the PHE limits: the p-hat at which the Wilson interval touches the baseline, clipped to [0, 1]."""
    z = norm.ppf(1 - p)
    half = z * np.sqrt(baseline * (1 - baseline) / np.asarray(n, dtype=float))
    return np.clip(baseline - half, 0, 1), np.clip(baseline + half, 0, 1)


def winsorise(z: np.ndarray, fraction: float = 0.1) -> np.ndarray:
    """Return z with values beyond the fraction/1-fraction quantiles pulled in to those quantiles."""
    z = np.asarray(z, dtype=float)
    if z.size < 3:
        return z
    lo, hi = np.quantile(z, [fraction, 1 - fraction])
    return np.clip(z, lo, hi)


@dataclass(frozen=True)
class Overdispersion:
    """Multiplicative phi, additive tau-squared and the chi-square test that the units are overdispersed."""

    phi: float
    tau2: float
    p_value: float
    units: int

    @property
    def overdispersed(self) -> bool:
        """True when phi exceeds 1 (limits should then be widened)."""
        return self.phi > 1.0


def sr_overdispersion(observed: np.ndarray, expected: np.ndarray, fraction: float = 0.1) -> Overdispersion:
    """Estimate phi and tau-squared for standardised ratios on the square-root (CQC) scale, Winsorised."""
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    keep = e > 0
    o, e = o[keep], e[keep]
    units = int(o.size)
    if units < 3:
        return Overdispersion(1.0, 0.0, 1.0, units)
    s = 1 / (2 * np.sqrt(e))
    z = (np.sqrt(o / e) - 1) / s
    zw = winsorise(z, fraction)
    phi = float(np.mean(zw**2))
    w = 1 / s**2
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    p = float(chi2.sf(units * phi, units - 1))
    return Overdispersion(phi, float(tau2), p, units)


def sr_upper_limit(expected: np.ndarray | float, p: float, od: Overdispersion | None = None) -> np.ndarray:
    """Return the upper O/E limit: exact Poisson, widened by additive tau-squared when overdispersed."""
    e = np.asarray(expected, dtype=float)
    exact = poisson_ratio_limits(e, p)[1]
    if od is None or not od.overdispersed or od.tau2 <= 0:
        return exact
    z = norm.ppf(1 - p)
    adjusted = (1 + z * np.sqrt(1 / (4 * e) + od.tau2)) ** 2
    return np.maximum(exact, adjusted)


def sr_lower_limit(expected: np.ndarray | float, p: float, od: Overdispersion | None = None) -> np.ndarray:
    """Return the lower O/E limit, the mirror of sr_upper_limit (truncated at 0)."""
    e = np.asarray(expected, dtype=float)
    exact = poisson_ratio_limits(e, p)[0]
    if od is None or not od.overdispersed or od.tau2 <= 0:
        return exact
    z = norm.ppf(1 - p)
    adjusted = np.clip(1 - z * np.sqrt(1 / (4 * e) + od.tau2), 0, None) ** 2
    return np.minimum(exact, adjusted)


def log_rate_variance(od: Overdispersion) -> float:
    """Return the between-unit variance of the rate multiplier implied by the additive tau-squared.

    On the square-root scale sqrt(O/E) has variance 1/(4E) + tau2, and a unit whose rate is E x (1 + u) has
    sqrt(O/E) ~ 1 + u/2, so var(u) = 4 tau2 (0 when the units are not overdispersed)."""
    return 4.0 * od.tau2 if od.overdispersed else 0.0


def from_variance(sigma2: float, units: int) -> Overdispersion:
    """Return the overdispersion that a variance sigma2 of the rate multiplier between units implies (tau2 =
    sigma2 / 4 on the square-root scale; phi above 1 exactly when sigma2 > 0), for limits that match the test."""
    return Overdispersion(1.0 + sigma2 if sigma2 > 0 else 1.0, sigma2 / 4.0 if sigma2 > 0 else 0.0, float("nan"),
                          units)


def negative_binomial_p(observed: np.ndarray | float, expected: np.ndarray | float,
                        sigma2: np.ndarray | float) -> np.ndarray:
    """One-sided p-value P(X >= O) for a count whose mean E varies between units with variance sigma2 x E^2.

    The gamma-Poisson (negative binomial) mixture: var X = E + sigma2 E^2; sigma2 may differ per count, and
    sigma2 = 0 is the exact Poisson test. Used where units (injectors) differ more than chance allows, so that a unit
    is judged against the spread of its peers and not only against Poisson noise."""
    o, e, s2 = np.broadcast_arrays(np.asarray(observed, dtype=float),
                                   np.maximum(np.asarray(expected, dtype=float), 1e-12),
                                   np.asarray(sigma2, dtype=float))
    size = 1.0 / np.where(s2 > 0, s2, 1.0)
    with np.errstate(invalid="ignore"):
        mixed = nbinom.sf(o - 1, size, size / (size + e))
    return np.where(o > 0, np.where(s2 > 0, mixed, poisson.sf(o - 1, e)), 1.0)
