"""Case-mix model: a binomial GLM on aggregated cells (events out of treatments) giving expected counts.

Fitted on the clinic's own data. Covariates are categorical; a level with too little information to
estimate (fewer than `min_expected` events both expected at the overall rate and observed) shares the
reference level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse


class Columns:
    """Equal-length numpy columns by name: the cells as the fit reads them, without a DataFrame's per-column cost.

    The fit and prediction accept either this or a DataFrame (they only index columns and take the length)."""

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        self._columns = columns
        self._rows = len(next(iter(columns.values()))) if columns else 0

    def __len__(self) -> int:
        return self._rows

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[name]

    def assign(self, **columns: np.ndarray) -> Columns:
        """Return a copy with the given columns added or replaced (the arrays are shared, not copied)."""
        return Columns({**self._columns, **columns})


Cells = pd.DataFrame | Columns


@dataclass
class CaseMixModel:
    """A fitted case-mix model: which levels are estimated per covariate, and the coefficients."""

    covariates: tuple[str, ...]
    levels: dict[str, tuple[object, ...]] = field(default_factory=dict)
    params: np.ndarray = field(default_factory=lambda: np.zeros(1))
    overall_rate: float = 0.0
    covariance: np.ndarray | None = None  # of params (penalised information, inverted), when asked for
    fitted: np.ndarray | None = field(default=None, repr=False)  # predict() of the cells it was fitted on

    def column(self, covariate: str, level: object) -> int | None:
        """Return the index in params of one estimated level (None when that level shares the reference)."""
        i = 1
        for cov in self.covariates:
            levels = self.levels.get(cov, ())
            if cov == covariate:
                return i + levels.index(level) if level in levels else None
            i += len(levels)
        return None

    def design(self, cells: Cells) -> np.ndarray:
        """Return the design matrix (intercept + one indicator per estimated level) for cells."""
        cols = [np.ones(len(cells))]
        for cov in self.covariates:
            levels = self.levels.get(cov, ())
            if not levels:
                continue
            values = np.asarray(cells[cov])
            cols.extend((values == level).astype(float) for level in levels)
        return np.column_stack(cols)

    def predict(self, cells: Cells) -> np.ndarray:
        """Return each cell's predicted per-treatment probability of the event.

        The design matrix is built once per distinct pattern of the estimated covariates, not per cell."""
        used = [cov for cov in self.covariates if self.levels.get(cov)]
        if not used or len(cells) < 2:
            eta = self.design(cells) @ self.params
            return 1 / (1 + np.exp(-np.clip(eta, -30, 30)))
        key, size = np.zeros(len(cells), dtype=np.int64), 1
        for cov in used:
            code, uniques = _codes(np.asarray(cells[cov]))
            key, size = key * uniques.size + code, size * int(uniques.size)
        first, inverse = _patterns(key, size)
        patterns = Columns({cov: np.asarray(cells[cov])[first] for cov in used})
        eta = self.design(patterns) @ self.params
        return (1 / (1 + np.exp(-np.clip(eta, -30, 30))))[inverse.ravel()]


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return integer codes and the sorted unique values of a column (numpy only, fast).

    Small non-negative integer columns are their own codes (no sort needed)."""
    if values.dtype.kind in "iu" and values.size and values.min() >= 0 and values.max() < 4096:
        return values.astype(np.int64), np.arange(int(values.max()) + 1)
    uniques, inverse = np.unique(values, return_inverse=True)
    return inverse.ravel(), uniques


def _patterns(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return one row per distinct key (in key order) and each row's pattern number, like np.unique's index and
    inverse; keys below `size` are counted in a table instead of sorted when the table is small enough."""
    if size > max(4 * key.size, 1 << 16):
        first, inverse = np.unique(key, return_index=True, return_inverse=True)[1:]
        return first, inverse.ravel()
    rows = np.full(size, -1, dtype=np.int64)
    rows[key[::-1]] = np.arange(key.size - 1, -1, -1)  # some row of each key (which one does not matter)
    present = rows >= 0
    number = np.cumsum(present) - 1
    return rows[present], number[key]


class CodedDesign:
    """An indicator design held as one small integer code per covariate and row, never as a dense matrix.

    Column 0 is the intercept; covariate j owns columns offsets[j] .. offsets[j] + sizes[j] - 1, and its code 0 is
    the reference level (no column). Products with the design are sums of per-level gathers and `np.bincount`s, so
    a Newton step costs rows x covariates^2 instead of rows x columns^2, single-threaded (no BLAS thread wake-ups).
    Every result equals the dense design's to rounding."""

    def __init__(self, codes: list[np.ndarray], sizes: list[int], rows: int) -> None:
        self.codes = codes
        self.sizes = sizes
        self.offsets = list(np.cumsum([1, *sizes[:-1]])) if sizes else []
        self.shape = (rows, 1 + int(sum(sizes)))
        self._cache: dict[str, Any] | None = None

    def dot(self, beta: np.ndarray) -> np.ndarray:
        """Return design @ beta."""
        plan = self._plan()
        eta = np.full(self.shape[0], float(beta[0]))
        if plan["flag_cols"].size:
            eta += plan["flags"] @ beta[plan["flag_cols"]]
        for oa, la, _members, code in plan["multi"]:
            eta += np.r_[0.0, beta[oa:oa + la]][code]
        return eta

    def tdot(self, v: np.ndarray) -> np.ndarray:
        """Return design' @ v."""
        plan = self._plan()
        out = np.empty(self.shape[1])
        out[0] = v.sum()
        if plan["flag_cols"].size:
            out[plan["flag_cols"]] = v @ plan["flags"]
        for oa, la, members, _code in plan["multi"]:
            out[oa:oa + la] = members @ v
        return out

    def gram(self, w: np.ndarray) -> np.ndarray:
        """Return design' diag(w) design.

        Blocks between two indicators (covariates with one estimated level, such as the risk factors) are one dense
        product; blocks between a many-level covariate and the indicators are sums over the rows of each level of that
        covariate (a sparse product); blocks between two many-level covariates are bincounts of their combined code. The row orders,
        indicator matrix and combined codes depend on the design only and are built once, not at every step."""
        g = np.zeros((self.shape[1], self.shape[1]))
        g[0, :] = self.tdot(w)
        g[:, 0] = g[0, :]
        for off, size in zip(self.offsets, self.sizes, strict=True):  # levels of one covariate never meet
            g[off:off + size, off:off + size] = np.diag(g[0, off:off + size])
        plan = self._plan()
        flags, flag_cols = plan["flags"], plan["flag_cols"]
        if flag_cols.size:
            fw = flags * w[:, None]
            block = fw.T @ flags
            np.fill_diagonal(block, 0.0)
            g[np.ix_(flag_cols, flag_cols)] += block
        for (oa, la, members, _code), pairs in zip(plan["multi"], plan["multi_pairs"], strict=True):
            if flag_cols.size:
                block = members @ fw
                g[oa:oa + la, flag_cols] = block
                g[flag_cols, oa:oa + la] = block.T
            for key, ob, lb in pairs:
                block = np.bincount(key, weights=w, minlength=(la + 1) * (lb + 1)).reshape(la + 1, lb + 1)[1:, 1:]
                g[oa:oa + la, ob:ob + lb] = block
                g[ob:ob + lb, oa:oa + la] = block.T
        return g

    def _plan(self) -> dict[str, Any]:
        """Build (once) what gram() reuses at every step: the indicator columns as a dense 0/1 matrix, each
        many-level covariate as a sparse level x row matrix, and the combined codes of each pair of them."""
        if self._cache is not None:
            return self._cache
        parts = list(zip(self.codes, self.sizes, self.offsets, strict=True))
        single = [(c, o) for c, s, o in parts if s == 1]
        flags = (np.column_stack([c == 1 for c, _ in single]).astype(float) if single
                 else np.zeros((self.shape[0], 0)))
        multi = [(c, s, o) for c, s, o in parts if s > 1]
        plan: dict[str, Any] = {"flags": flags, "flag_cols": np.array([o for _, o in single], dtype=np.int64),
                                "multi": [], "multi_pairs": []}
        rows = np.arange(self.shape[0])
        for a, (ca, la, oa) in enumerate(multi):
            estimated = ca > 0  # level x row membership of the estimated levels (a sparse indicator matrix)
            members = sparse.csr_matrix((np.ones(int(estimated.sum())), (ca[estimated] - 1, rows[estimated])),
                                        shape=(la, self.shape[0]))
            plan["multi"].append((oa, la, members, ca))
            plan["multi_pairs"].append([(ca * (lb + 1) + cb, ob, lb) for cb, lb, ob in multi[a + 1:]])
        self._cache = plan
        return plan


Design = np.ndarray | CodedDesign


def _dot(x: Design, beta: np.ndarray) -> np.ndarray:
    return x.dot(beta) if isinstance(x, CodedDesign) else x @ beta


def _tdot(x: Design, v: np.ndarray) -> np.ndarray:
    return x.tdot(v) if isinstance(x, CodedDesign) else x.T @ v


def _weighted_gram(x: Design, w: np.ndarray) -> np.ndarray:
    return x.gram(w) if isinstance(x, CodedDesign) else _gram(x * w[:, None], x)


def fit_casemix(cells: Cells, covariates: Sequence[str], min_expected: float = 2.0,
                ridge: float = 0.5, covariance: bool = False,
                reference: Mapping[str, Sequence[object]] | None = None) -> CaseMixModel:
    """Fit the binomial GLM of `events` out of `n` on the covariates over aggregated cells.

    Cells are first collapsed to the distinct covariate patterns (numpy), so the fit costs the same at any size.
    covariance=True also keeps the covariance of the coefficients (for Wald tests of one covariate given the rest).
    reference names, per covariate, the levels its reference must come from (the usual dose bands, a risk factor's
    absence) whenever one of them has events: levels too small to estimate share the reference, so a reference taken
    from an unusual level (an overdosing injector's band, with the most events) would predict its excess for them.
    """
    n_all = np.asarray(cells["n"], dtype=float)
    y_all = np.asarray(cells["events"], dtype=float)
    rate = float(y_all.sum() / n_all.sum()) if n_all.sum() > 0 else 0.0
    model = CaseMixModel(tuple(covariates), overall_rate=rate)
    if y_all.sum() == 0 or rate >= 1:
        model.levels = {}
        model.params = np.array([np.log(max(rate, 1e-9) / max(1 - rate, 1e-9))])
        return model
    coded = [_codes(np.asarray(cells[c])) for c in covariates]
    levels: dict[str, tuple[object, ...]] = {}
    preferred = reference or {}
    for cov, (code, uniques) in zip(covariates, coded, strict=True):
        if uniques.size < 2:
            levels[cov] = ()
            continue
        n_lv = np.bincount(code, weights=n_all, minlength=uniques.size)
        e_lv = np.bincount(code, weights=y_all, minlength=uniques.size)
        # the reference (the intercept's level) is the level with the most events, then the most treatments: the
        # ridge pulls the other levels towards it, and a reference with no events (a rare term whose cases all sit in
        # a less treated area) would leave the intercept free to run to minus infinity with every other level held
        # back by the ridge, predicting ~0 where the cases are; among the preferred levels when one has events
        wanted = np.isin(uniques, np.asarray(list(preferred.get(cov, ())), dtype=uniques.dtype)) & (e_lv > 0)
        among = np.flatnonzero(wanted) if wanted.any() else np.arange(uniques.size)
        ref = int(among[np.lexsort((-n_lv[among], -e_lv[among]))[0]])
        keep = ((n_lv * rate >= min_expected) | (e_lv >= min_expected))
        keep[ref] = False
        levels[cov] = tuple(uniques[keep].tolist())
    model.levels = levels
    used = [(cov, code, uniques) for cov, (code, uniques) in zip(covariates, coded, strict=True) if levels[cov]]
    if used:
        # cells that the design cannot tell apart (they differ only in levels that share the reference, or in
        # covariates with no estimated level) are one pattern: the fit costs the number of distinct design rows
        key, size = np.zeros(len(cells), dtype=np.int64), 1
        row_codes = []
        for cov, code, uniques in used:  # mixed-radix key of the design pattern; code 0 = the reference level
            effective = np.zeros(uniques.size, dtype=np.int64)
            estimated = np.isin(uniques, np.asarray(levels[cov], dtype=uniques.dtype))
            effective[estimated] = np.arange(1, len(levels[cov]) + 1)
            row_codes.append(effective[code])
            key, size = key * (len(levels[cov]) + 1) + row_codes[-1], size * (len(levels[cov]) + 1)
        first, inverse = _patterns(key, size)
        n = np.bincount(inverse, weights=n_all, minlength=len(first))
        y = np.bincount(inverse, weights=y_all, minlength=len(first))
        x: Design = CodedDesign([c[first] for c in row_codes], [len(levels[cov]) for cov, _, _ in used], len(first))
    else:
        n, y = np.array([n_all.sum()]), np.array([y_all.sum()])
        x = model.design(pd.DataFrame(index=[0]))
    try:
        params = irls_binomial(x, y, n, ridge=ridge)
    except (ValueError, np.linalg.LinAlgError):
        model.levels = {}
        params = np.array([np.log(rate / (1 - rate))])
    model.params = params
    mu = 1 / (1 + np.exp(-np.clip(_dot(x, params), -30, 30)))
    if used and model.levels:
        model.fitted = mu[inverse]  # the same probabilities predict(cells) gives, without building the patterns again
    if covariance and model.levels:
        info = _weighted_gram(x, n * mu * (1 - mu))
        info += np.diag(np.r_[1e-10, np.full(x.shape[1] - 1, ridge + 1e-10)])
        model.covariance = np.linalg.inv(info)
    return model


def _gram(xw: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Return xw' x. Small products run as einsum in the calling thread (a threaded BLAS product of a few thousand
    rows spends more CPU waking its threads than multiplying); large ones, where einsum costs seconds a run at a
    million treatments, go to BLAS."""
    if x.shape[0] * x.shape[1] < 200_000:
        return np.einsum("ij,ik->jk", xw, x)
    return xw.T @ x


def _penalised_deviance(x: Design, y: np.ndarray, n: np.ndarray, beta: np.ndarray, ridge: float) -> float:
    """Binomial deviance plus the ridge penalty on the non-intercept coefficients (what IRLS minimises)."""
    mu = 1 / (1 + np.exp(-np.clip(_dot(x, beta), -30, 30)))
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = -2 * float(np.sum(y * np.log(np.maximum(mu, 1e-300)) + (n - y) * np.log(np.maximum(1 - mu, 1e-300))))
    return dev + ridge * float(np.sum(beta[1:] ** 2))


def irls_binomial(x: Design, y: np.ndarray, n: np.ndarray, max_iter: int = 50, tol: float = 1e-9,
                  ridge: float = 0.0) -> np.ndarray:
    """Fit a grouped logistic regression by iteratively reweighted least squares (normal equations).

    With ridge=0 the estimates equal statsmodels GLM(Binomial) on [events, non-events]; a small ridge on the
    non-intercept coefficients (a weak normal prior) keeps a level with no events from running off to
    minus infinity. `x` is a dense matrix or a CodedDesign (the case-mix fit's, which costs rows x covariates^2 a
    step instead of rows x params^2).
    """
    rate = np.clip(y.sum() / n.sum(), 1e-9, 1 - 1e-9)
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(rate / (1 - rate))
    penalty = np.diag(np.r_[1e-10, np.full(x.shape[1] - 1, ridge + 1e-10)])
    dev_old = _penalised_deviance(x, y, n, beta, ridge)
    for _ in range(max_iter):
        eta = np.clip(_dot(x, beta), -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        w = n * mu * (1 - mu)
        z = eta + (y - n * mu) / np.maximum(w, 1e-12)
        target = np.linalg.solve(_weighted_gram(x, w) + penalty, _tdot(x, w * z))
        step = target - beta
        for _halving in range(30):  # step-halving: a Newton step may overshoot (sparse levels, rare events)
            dev = _penalised_deviance(x, y, n, beta + step, ridge)
            if dev <= dev_old + 1e-12 * (abs(dev_old) + 1.0):
                break
            step = step / 2
        beta = beta + step
        converged = abs(dev - dev_old) < tol * (abs(dev) + 0.1)
        dev_old = min(dev, dev_old)
        if converged:
            break
    if not np.all(np.isfinite(beta)):
        raise ValueError("non-finite coefficients")
    return beta
