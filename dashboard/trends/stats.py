"""Statistics for the Trends page: Wilson 95% intervals on rates per 1,000 treatments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.stats.intervals import wilson_bounds

PER = 1000.0
TOO_FEW = 20  # treatments below which a cell is greyed as too small to judge


def add_rates(frame: pd.DataFrame, events: str = "events", treatments: str = "treatments") -> pd.DataFrame:
    """Return a copy with rate, rate_lo and rate_hi per 1,000 treatments (Wilson 95%) and too_few flags."""
    out = frame.copy()
    n = out[treatments].astype(float).to_numpy()
    k = np.minimum(out[events].astype(float).to_numpy(), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, PER * k / np.where(n > 0, n, 1), np.nan)
    lo = np.full(len(out), np.nan)
    hi = np.full(len(out), np.nan)
    mask = n > 0
    if mask.any():
        lo_m, hi_m = wilson_bounds(k[mask], n[mask])
        lo[mask] = PER * np.asarray(lo_m)
        hi[mask] = PER * np.asarray(hi_m)
    out["rate"] = rate
    out["rate_lo"] = lo
    out["rate_hi"] = hi
    out["too_few"] = n < TOO_FEW
    return out


def change(current: float | None, previous: float | None) -> float | None:
    """Difference current - previous, or None when either side is unknown."""
    if current is None or previous is None:
        return None
    if isinstance(current, float) and np.isnan(current):
        return None
    if isinstance(previous, float) and np.isnan(previous):
        return None
    return current - previous
