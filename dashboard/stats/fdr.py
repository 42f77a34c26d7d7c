"""Benjamini-Hochberg false-discovery control within one family of tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from statsmodels.stats.multitest import multipletests


def bh_qvalues(p_values: Sequence[float]) -> np.ndarray:
    """Return BH-adjusted q-values (same order as the input; empty in, empty out)."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return multipletests(np.clip(p, 0.0, 1.0), method="fdr_bh")[1]


def bh_rejections(p_values: Sequence[float], q: float = 0.05) -> int:
    """Return how many hypotheses BH rejects at level q."""
    return int(np.sum(bh_qvalues(p_values) <= q))


def bonferroni_rejections(p_values: Sequence[float], alpha: float = 0.05) -> int:
    """Return how many hypotheses Bonferroni rejects at level alpha."""
    p = np.asarray(p_values, dtype=float)
    return int(np.sum(p <= alpha / max(p.size, 1)))


def weighted_bh_qvalues(p_values: Sequence[float], weights: Sequence[float]) -> np.ndarray:
    """Return weighted BH q-values (Genovese, Roeder and Wasserman 2006): BH on p / w with weights averaging 1.

    A test with weight w gets w times the share of the error budget of an unweighted test; with weights that
    average 1 the false-discovery rate stays at the chosen level, and when nothing is real the chance of any
    rejection is at most that level (weak family-wise control)."""
    p = np.asarray(p_values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if p.size == 0:
        return p
    w = w * (w.size / w.sum())
    return bh_qvalues(np.clip(p / np.maximum(w, 1e-300), 0.0, 1.0))
