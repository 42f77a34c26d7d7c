"""Risk-adjusted Bernoulli CUSUM (Steiner et al. 2000), VLAD, exact small-n limits and Markov-chain ARL.

The control limit h comes from a target in-control ARL through the Brook-Evans Markov chain, with the
weight distribution taken from the clinic's own mix of predicted risks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.linalg import lapack


def steiner_weights(p: np.ndarray | float, y: np.ndarray | int, ra: float, r0: float = 1.0) -> np.ndarray:
    """Return the log-likelihood-ratio weight W_t for predicted risk p and outcome y (1 = event)."""
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    return y * np.log(ra / r0) - np.log((1 - p + ra * p) / (1 - p + r0 * p))


def cusum_path(weights: np.ndarray, h: float | None = None) -> np.ndarray:
    """Return S_t = max(0, S_{t-1} + W_t); when h is given the chart restarts at 0 after each signal."""
    w = np.asarray(weights, dtype=float)
    if h is None:
        c = np.concatenate([[0.0], np.cumsum(w)])
        return (c - np.minimum.accumulate(c))[1:]
    out = np.empty_like(w)
    s = 0.0
    for i, wi in enumerate(w):
        s = max(0.0, s + wi)
        out[i] = s
        if s >= h:
            s = 0.0
    return out


def first_signal(weights: np.ndarray, h: float) -> int | None:
    """Return the index of the first crossing of h (no restart needed), or None."""
    path = cusum_path(weights)
    hit = np.flatnonzero(path >= h)
    return int(hit[0]) if hit.size else None


def vlad(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the VLAD curve: cumulative expected minus observed events ('events avoided')."""
    return np.cumsum(np.asarray(p, dtype=float) - np.asarray(y, dtype=float))


def bernoulli_weights(p0: float, odds_ratio: float) -> tuple[float, float]:
    """Return (w_event, w_no_event) for the plain Bernoulli CUSUM detecting odds_ratio times the odds of p0."""
    odds = p0 / (1 - p0) * odds_ratio
    p1 = odds / (1 + odds)
    return float(np.log(p1 / p0)), float(np.log((1 - p1) / (1 - p0)))


def exact_limit(p0: float, odds_ratio: float, n: int, alpha: float) -> tuple[float, float]:
    """Return (limit, P(signal within n)) by enumerating all 2^n outcome sequences (small n only)."""
    if n > 20:
        raise ValueError("exact enumeration is for n <= 20")
    w1, w0 = bernoulli_weights(p0, odds_ratio)
    seqs = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int8)
    probs = np.prod(np.where(seqs == 1, p0, 1 - p0), axis=1)
    s = np.zeros(len(seqs))
    peak = np.zeros(len(seqs))
    attained: set[float] = set()
    for t in range(n):
        s = np.maximum(0.0, s + np.where(seqs[:, t] == 1, w1, w0))
        peak = np.maximum(peak, s)
        attained.update(np.round(s, 10).tolist())
    best, best_p = 0.0, 1.0
    for level in sorted(v for v in attained if v > 0):
        prob = float(probs[peak >= level - 1e-9].sum())
        if abs(alpha - prob) < abs(alpha - best_p):
            best, best_p = level, prob
    return best, best_p


@dataclass(frozen=True)
class WeightDistribution:
    """A discrete distribution of CUSUM weights: atoms and their probabilities (sorted by atom)."""

    atoms: np.ndarray
    probs: np.ndarray

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Return P(W <= x) elementwise."""
        cum = np.concatenate([[0.0], np.cumsum(self.probs)])
        return cum[np.searchsorted(self.atoms, x, side="right")]


def weight_distribution(risks: np.ndarray, ra: float, risk_probs: np.ndarray | None = None) -> WeightDistribution:
    """Return the in-control distribution of W for a mix of predicted risks (weights = mix probabilities)."""
    p = np.asarray(risks, dtype=float)
    mix = np.full(p.size, 1 / p.size) if risk_probs is None else np.asarray(risk_probs, dtype=float) / np.sum(risk_probs)
    w_event = steiner_weights(p, 1, ra)
    w_none = steiner_weights(p, 0, ra)
    atoms = np.concatenate([w_event, w_none])
    probs = np.concatenate([mix * p, mix * (1 - p)])
    order = np.argsort(atoms, kind="stable")
    return WeightDistribution(atoms[order], probs[order])


def markov_arl(dist: WeightDistribution, h: float, r: int = 600) -> float:
    """Return the in-control ARL of max(0, S + W) with limit h by the Brook-Evans Markov chain (r states)."""
    w = 2 * h / (2 * r - 1)
    k = np.arange(-(r - 1), r)
    upper = dist.cdf(k * w + w / 2)
    lower = dist.cdf(k * w - w / 2)
    band = upper - lower
    i = np.arange(r)[:, None]
    j = np.arange(r)[None, :]
    q = band[(j - i) + (r - 1)]
    q[:, 0] = dist.cdf(-np.arange(r) * w + w / 2)
    # LAPACK gesv as numpy.linalg.solve calls it (same result), but from scipy's OpenBLAS, which solves a system
    # this small on the calling thread: numpy's woke its second thread for it, and on a busy two-core machine each
    # of the ~50 solves of a run waited for that thread to be scheduled (2-90 ms instead of 0.3 ms).
    _, _, arl, info = lapack.dgesv(np.eye(r) - q, np.ones(r))
    if info != 0:
        raise np.linalg.LinAlgError("singular Markov-chain system")
    return float(arl[0])


def h_for_arl(dist: WeightDistribution, target_arl: float, r: int = 300, tol: float = 1e-3) -> float:
    """Return the smallest h (to tol) whose Markov-chain ARL reaches target_arl (bisection)."""
    lo, hi = 0.01, 1.0
    while markov_arl(dist, hi, r) < target_arl:
        lo, hi = hi, hi * 2
        if hi > 200:
            return hi
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if markov_arl(dist, mid, r) < target_arl:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=256)
def h_for_risk_histogram(risks: tuple[float, ...], counts: tuple[int, ...], ra: float, target_arl: float) -> float:
    """Cached h for a risk mix given as a histogram (risk values and counts)."""
    dist = weight_distribution(np.array(risks), ra, np.array(counts, dtype=float))
    return h_for_arl(dist, target_arl, r=100, tol=0.02)


def risk_histogram(risks: np.ndarray, bins: int = 40) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Summarise predicted risks into a small histogram on the logit scale (for cached h look-ups)."""
    p = np.clip(np.asarray(risks, dtype=float), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    counts, edges = np.histogram(logit, bins=bins)
    mids = (edges[:-1] + edges[1:]) / 2
    keep = counts > 0
    centres = 1 / (1 + np.exp(-mids[keep]))
    return tuple(np.round(centres, 8).tolist()), tuple(int(c) for c in counts[keep])
