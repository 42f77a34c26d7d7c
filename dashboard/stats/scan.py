"""Scan statistics (Kulldorff): Bernoulli and Poisson log-likelihood ratios, temporal windows, and
locations such as lots, with seeded Monte-Carlo p-values (the same data always gives the same p).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x > 0, x * np.log(np.where(y > 0, y, 1.0)), 0.0)
    return out


def bernoulli_llr(c: np.ndarray | float, n: np.ndarray | float, total_c: float, total_n: float) -> np.ndarray:
    """Return the Bernoulli LLR of c events in n treatments inside a window (0 unless the rate is higher inside)."""
    c = np.asarray(c, dtype=float)
    n = np.asarray(n, dtype=float)
    co, no = total_c - c, total_n - n
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(n > 0, c / n, 0.0)
        outside = np.where(no > 0, co / no, 0.0)
        ll = (_xlogy(c, inside) + _xlogy(n - c, 1 - inside) + _xlogy(co, outside) + _xlogy(no - co, 1 - outside))
    null = _xlogy(np.asarray(total_c, dtype=float), np.asarray(total_c / total_n)) + _xlogy(
        np.asarray(total_n - total_c, dtype=float), np.asarray(1 - total_c / total_n))
    return np.where(inside > outside, ll - null, 0.0)


def poisson_llr(c: np.ndarray | float, e: np.ndarray | float, total_c: float) -> np.ndarray:
    """Return the Poisson LLR of c observed against e expected inside a window (E scaled to total C)."""
    c, e = np.broadcast_arrays(np.asarray(c, dtype=float), np.asarray(e, dtype=float))
    out = np.zeros(c.shape)
    m = c > e
    cm, em = c[m], e[m]
    co, eo = total_c - cm, total_c - em
    with np.errstate(divide="ignore", invalid="ignore"):
        if co.size and co.min() > 0 and eo.min() > 0:  # the usual case: the same values without the guards
            ll = cm * np.log(cm / em) + co * np.log(co / eo)
        else:
            ll = cm * np.log(cm / em) + np.where(co > 0, co * np.log(np.where(co > 0, co, 1.0) / np.where(
                eo > 0, eo, 1.0)), 0.0)
    out[m] = ll
    return out


def seed_for(*parts: object) -> int:
    """Return a deterministic RNG seed from the parts (stable across processes and Python versions)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _window_sums(values: np.ndarray, lengths: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Return, per window length w, the sums over every window of w consecutive positions (last axis)."""
    if np.issubdtype(values.dtype, np.integer):  # simulated counts: whole sums, no float conversion
        cum = np.zeros(values.shape[:-1] + (values.shape[-1] + 1,), dtype=np.intp)
        np.cumsum(values, axis=-1, out=cum[..., 1:])
    else:
        cum = np.concatenate([np.zeros(values.shape[:-1] + (1,)), np.cumsum(values, axis=-1)], axis=-1)
    t = values.shape[-1]
    return {w: cum[..., w:] - cum[..., :-w] for w in lengths if w <= t}


class _LlrTable:
    """Poisson LLRs of every window (rows) at each whole count (columns), computed once per scan and looked up per
    simulation: the simulated window counts are integers, so each value is the one poisson_llr gives for it
    (the long runs of simulations that an extreme cluster gets fill it once instead of recomputing per batch)."""

    def __init__(self, expected: np.ndarray, total: float) -> None:
        self._expected = expected[:, None]
        self._total = total
        self._table = np.zeros((expected.size, 0))

    def llr(self, counts: np.ndarray) -> np.ndarray:
        """Return the LLR of each count (simulations x windows, integers) in its window: computed directly when
        filling the table would cost more than these counts (few simulations, many distinct counts)."""
        width = self._table.shape[1]
        needed = int(counts.max()) + 1
        if needed > width and needed > counts.shape[0] // 2:
            return poisson_llr(counts, self._expected[:, 0][None, :], self._total)
        if needed > width:
            grid = np.arange(max(needed, 2 * width), dtype=float)[None, :]
            self._table = poisson_llr(grid, self._expected, self._total)
            width = self._table.shape[1]
        return self._table.ravel()[counts + np.arange(counts.shape[1]) * width]


def sequential_null_max(simulate, observed_max: float, n_sim: int, seed: int, batch: int = 99,
                        enough: int = 10, max_sim: int | None = None) -> np.ndarray:
    """Simulate the null maximum LLR in batches (deterministic for a given seed).

    Stops early (Besag-Clifford) once `enough` simulated maxima reach the observed one: the p-value is then
    clearly large. When none of the n_sim reach it, continues up to max_sim (default 20 x n_sim + 19) so that
    an extreme cluster gets a p-value small enough to survive the false-discovery correction.
    """
    limit = max_sim if max_sim is not None else 20 * n_sim + 19
    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = []
    done, hits = 0, 0
    while done < limit:
        k = min(batch if done < n_sim else 10 * batch + 9, limit - done)
        m = simulate(rng, k)
        parts.append(m)
        done += k
        hits += int(np.sum(m >= observed_max - 1e-9))
        if hits >= enough or (done >= n_sim and hits > 0):
            break
    return np.concatenate(parts)


def bonferroni_p(observed: float, expected: float, tests: int) -> float:
    """Union-bound p for the most extreme of `tests` windows: tests x P(X >= O | E), capped at 1.

    Always at least the Monte-Carlo p of the maximum; used instead of simulating when it is already tiny.
    """
    if observed <= 0:
        return 1.0
    return float(min(1.0, tests * poisson.sf(observed - 1, max(expected, 1e-12))))


def mc_p(llr: np.ndarray | float, null_max: np.ndarray) -> np.ndarray:
    """Monte-Carlo p-value of each LLR against simulated null maxima: (1 + #{max >= llr}) / (R + 1)."""
    llr = np.atleast_1d(np.asarray(llr, dtype=float))
    return (1 + np.sum(null_max[None, :] >= llr[:, None] - 1e-9, axis=1)) / (null_max.size + 1)


def gumbel_p(llr: np.ndarray | float, null_max: np.ndarray) -> np.ndarray:
    """Gumbel-approximated p-value of each LLR: a Gumbel fitted by moments to the simulated null maxima
    (Abrams, Kleinman and Kulldorff 2010; SaTScan's p-values below 1 / (R + 1))."""
    llr = np.atleast_1d(np.asarray(llr, dtype=float))
    sd = float(np.std(null_max))
    if null_max.size < 2 or sd <= 0:
        return np.ones(llr.size)
    beta = sd * np.sqrt(6.0) / np.pi
    mu = float(np.mean(null_max)) - 0.5772156649015329 * beta
    return -np.expm1(-np.exp(-(llr - mu) / beta))


def scan_p(llr: np.ndarray | float, null_max: np.ndarray) -> np.ndarray:
    """Monte-Carlo p-value, or the Gumbel tail where no simulated maximum reached the LLR (then the Monte-Carlo
    p is only a floor, 1 / (R + 1), and a run-wide error control needs to know how far below it the LLR lies)."""
    p = mc_p(llr, null_max)
    floor = 1.0 / (null_max.size + 1)
    return np.where(p <= floor, np.minimum(gumbel_p(llr, null_max), floor), p)


@dataclass(frozen=True)
class Cluster:
    """A most-likely cluster: the window [start, end] (positions), its counts, LLR and Monte-Carlo p."""

    start: int
    end: int
    observed: float
    expected: float
    llr: float
    p_value: float


def temporal_scan_poisson(
    observed: np.ndarray,
    expected: np.ndarray,
    lengths: tuple[int, ...] = (1, 2, 3, 5, 7, 10, 14, 21, 28),
    n_sim: int = 999,
    seed: int = 0,
    top: int = 3,
) -> list[Cluster]:
    """Scan every window of the given lengths for excess observed over expected (Poisson model).

    Returns up to `top` non-overlapping clusters ordered by LLR; each p-value compares its LLR with the
    distribution of the maximum LLR under the null (cases allocated multinomially in proportion to E).
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    total = float(o.sum())
    if total <= 0 or e.sum() <= 0:
        return []
    e = e * (total / e.sum())
    obs_sums = _window_sums(o, lengths)
    exp_sums = _window_sums(e, lengths)
    candidates: list[tuple[float, int, int, float, float]] = []
    for w, cs in obs_sums.items():
        llr = poisson_llr(cs, exp_sums[w], total)
        for s in np.argsort(-llr, kind="stable")[: top * 4]:
            if llr[s] > 0:
                candidates.append((float(llr[s]), int(s), int(s + w - 1), float(cs[s]), float(exp_sums[w][s])))
    if not candidates:
        return []
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[tuple[float, int, int, float, float]] = []
    for c in candidates:
        if all(c[2] < k[1] or c[1] > k[2] for k in chosen):
            chosen.append(c)
        if len(chosen) == top:
            break
    n_windows = sum(cs.size for cs in obs_sums.values())
    shortcut = bonferroni_p(chosen[0][3], chosen[0][4], n_windows)
    if shortcut < 1 / (n_sim + 1):
        return [Cluster(s, end, c, ex, llr, bonferroni_p(c, ex, n_windows)) for llr, s, end, c, ex in chosen]
    probs = e / e.sum()
    tables = {w: _LlrTable(es, total) for w, es in exp_sums.items()}

    def simulate(rng: np.random.Generator, k: int) -> np.ndarray:
        sims = rng.multinomial(int(round(total)), probs, size=k)
        out = np.zeros(k)
        for w, cs in _window_sums(sims, lengths).items():
            out = np.maximum(out, tables[w].llr(cs).max(axis=1))
        return out

    # no extension past n_sim when no simulated maximum reaches the cluster: its p is then the Gumbel tail
    null_max = sequential_null_max(simulate, chosen[0][0], n_sim, seed, max_sim=n_sim)
    return [Cluster(s, end, c, ex, llr, float(scan_p(llr, null_max)[0])) for llr, s, end, c, ex in chosen]


def location_scan_poisson(
    observed: np.ndarray, expected: np.ndarray, n_sim: int = 999, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Scan locations (e.g. lots) for excess over expected; return (LLR, Monte-Carlo p) per location.

    Each location's p compares its LLR with the null distribution of the maximum over all locations.
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    total = float(o.sum())
    if total <= 0 or e.sum() <= 0 or o.size == 0:
        return np.zeros(o.size), np.ones(o.size)
    e = e * (total / e.sum())
    llr = poisson_llr(o, e, total)
    top = int(np.argmax(llr))
    if bonferroni_p(o[top], e[top], o.size) < 1 / (n_sim + 1):
        return llr, np.where(llr > 0, [bonferroni_p(oi, ei, o.size) for oi, ei in zip(o, e, strict=True)], 1.0)
    probs = e / e.sum()

    def simulate(rng: np.random.Generator, k: int) -> np.ndarray:
        sims = rng.multinomial(int(round(total)), probs, size=k).astype(float)
        return poisson_llr(sims, e[None, :], total).max(axis=1)

    null_max = sequential_null_max(simulate, float(llr.max()), n_sim, seed)
    return llr, np.where(llr > 0, scan_p(llr, null_max), 1.0)


def location_scan_bernoulli(
    events: np.ndarray, treatments: np.ndarray, n_sim: int = 999, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Bernoulli scan over locations: events among treatments; null permutes events among all treatments."""
    c = np.asarray(events, dtype=float)
    n = np.asarray(treatments, dtype=float)
    total_c, total_n = float(c.sum()), float(n.sum())
    if total_c <= 0 or total_c >= total_n:
        return np.zeros(c.size), np.ones(c.size)
    llr = bernoulli_llr(c, n, total_c, total_n)

    def simulate(rng: np.random.Generator, k: int) -> np.ndarray:
        sims = rng.multivariate_hypergeometric(n.astype(np.int64), int(total_c), size=k).astype(float)
        return bernoulli_llr(sims, n[None, :], total_c, total_n).max(axis=1)

    null_max = sequential_null_max(simulate, float(llr.max()), n_sim, seed)
    return llr, np.where(llr > 0, mc_p(llr, null_max), 1.0)
