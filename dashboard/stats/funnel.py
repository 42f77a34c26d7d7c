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


def freeman_tukey(observed: np.ndarray | float, expected: np.ndarray | float) -> np.ndarray:
    """Return Freeman-Tukey deviates sqrt(O) + sqrt(O + 1) - sqrt(4E + 1): about N(0, 1) for a Poisson count with
    mean E, and about N(0, 1 + E sigma2) when the unit's rate is E times a multiplier of variance sigma2."""
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    return np.sqrt(o) + np.sqrt(o + 1) - np.sqrt(4 * e + 1)


KEEP_SHARE = 0.8  # the spread between units rests on the 80 % of units closest to their centre
_CUT = float(chi2.ppf(KEEP_SHARE, 1))
TRIMMED_CHI2_1 = float(chi2.cdf(_CUT, 3) / KEEP_SHARE)  # the mean of a chi-squared(1) below its 80 % point, 0.468


def centred_between_variance(observed: np.ndarray, expected: np.ndarray, group: np.ndarray,
                             leave_out: np.ndarray | None = None, min_units: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Return the variance sigma2 of the rate multiplier between units, each unit compared with the median O/E of
    its group, and the units it rests on; one pair per `leave_out` label (that label's own units left out of its
    estimate), or one pair for all units when leave_out is None.

    Each group (e.g. one area x term) is re-centred on its own median O/E first: a reference pulled up by one unit's
    excess leaves the others below it, and without re-centring their shortfall would count as spread between units.
    Freeman-Tukey deviates z then have z^2 / (1 + E sigma2) distributed about as a chi-squared(1), whatever E, and
    sigma2 solves: the mean of the smallest 80 % of z^2 / (1 + E sigma2) equals that of a chi-squared(1) (0.468). A
    trimmed mean, so that the units far out (real problems, up to a fifth of them) do not widen the spread by their
    excess, with less noise than a median. Groups under min_units units are left out. With few units the estimate
    is still noisy, and callers shrink it.
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    codes, g = np.unique(np.asarray(group), return_inverse=True)
    g = g.ravel()
    size = np.bincount(g, minlength=len(codes))
    keep = (size[g] >= min_units) & (e > 0)
    ratio = np.where(e > 0, o / np.maximum(e, 1e-12), 0.0)
    median = np.ones(len(codes))
    for k in np.flatnonzero(size >= min_units):
        inside = (g == k) & keep
        median[k] = max(float(np.median(ratio[inside])), 1e-3) if inside.any() else 1.0
    z2 = np.where(keep, freeman_tukey(o, e * median[g]) ** 2, 0.0)
    ek = np.where(keep, e * median[g], 0.0)
    if leave_out is None:
        use = keep[None, :]
    else:
        labels, at = np.unique(np.asarray(leave_out), return_inverse=True)
        use = (at.ravel()[None, :] != np.arange(len(labels))[:, None]) & keep[None, :]
    count = use.sum(axis=1)
    kept = np.maximum(np.floor(KEEP_SHARE * count), 1).astype(int)

    def excess(s2: np.ndarray) -> np.ndarray:
        scaled = np.sort(np.where(use, z2[None, :] / (1 + ek[None, :] * s2[:, None]), np.inf), axis=1)
        rank = np.arange(scaled.shape[1])[None, :] < kept[:, None]
        low = np.where(rank, scaled, 0.0).sum(axis=1) / kept
        return np.where(count > 0, low - TRIMMED_CHI2_1, -1.0)

    lo = np.zeros(len(use))
    hi = np.full(len(use), 1.0)
    for _ in range(20):  # widen until the equation is bracketed (sigma2 above 1 is far beyond any clinic)
        wide = excess(hi) > 0
        if not wide.any():
            break
        hi = np.where(wide, hi * 4, hi)
    positive = excess(lo) > 0
    for _ in range(40):
        mid = (lo + hi) / 2
        above = excess(mid) > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    sigma2 = np.where(positive, (lo + hi) / 2, 0.0)
    return sigma2, count
