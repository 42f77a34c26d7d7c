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
