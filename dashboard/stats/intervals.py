"""Confidence intervals shown on the dashboard: Wilson for proportions (the one Wilson of the code base)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def wilson_bounds(x: np.ndarray, n: np.ndarray, conf: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval bounds for arrays of x events in n > 0 trials (vectorised)."""
    z = NormalDist().inv_cdf(0.5 + conf / 2)  # the stdlib quantile: no scipy import on the Trends page
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def wilson(x: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval for x events in n trials."""
    if n <= 0:
        return 0.0, 1.0
    lo, hi = wilson_bounds(np.array([x]), np.array([n]), conf)
    return float(lo[0]), float(hi[0])
