"""Confidence intervals shown on the dashboard: Wilson for proportions, Garwood (exact) for counts."""

from __future__ import annotations

from scipy.stats import chi2, norm


def wilson(x: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval for x events in n trials."""
    if n <= 0:
        return 0.0, 1.0
    z = float(norm.ppf(0.5 + conf / 2))
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def garwood(count: int, conf: float = 0.95) -> tuple[float, float]:
    """Return the exact (Garwood) interval for a Poisson count."""
    a = (1 - conf) / 2
    lo = 0.0 if count <= 0 else float(chi2.ppf(a, 2 * count)) / 2
    hi = float(chi2.ppf(1 - a, 2 * (count + 1))) / 2
    return lo, hi
