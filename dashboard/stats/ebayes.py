"""Empirical-Bayes beta-binomial shrinkage of per-unit rates (maximum likelihood, method-of-moments fallback)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, polygamma
from scipy.stats import beta as beta_dist


@dataclass(frozen=True)
class BetaPrior:
    """A Beta(alpha, beta) prior for the per-unit event rate."""

    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        """Prior mean rate."""
        return self.alpha / (self.alpha + self.beta)


def method_of_moments(x: np.ndarray, n: np.ndarray) -> BetaPrior:
    """Fit Beta(alpha, beta) by moments of the raw rates x/n (sample variance with n-1 divisor)."""
    r = np.asarray(x, dtype=float) / np.asarray(n, dtype=float)
    m = float(np.mean(r))
    s2 = float(np.var(r, ddof=1)) if r.size > 1 else 0.0
    if s2 <= 0 or m <= 0 or m >= 1:
        k = 1000.0
    else:
        k = max(m * (1 - m) / s2 - 1, 1e-3)
    return BetaPrior(max(m, 1e-6) * k, max(1 - m, 1e-6) * k)


def fit_mle(x: np.ndarray, n: np.ndarray, max_iter: int = 100) -> BetaPrior:
    """Fit Beta(alpha, beta) by maximising the beta-binomial likelihood: Newton steps on (log alpha, log beta)
    with the analytic gradient and Hessian (digamma, trigamma), halving a step that lowers the likelihood;
    method-of-moments start, kept when the maximum runs off (no finite estimate)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    start = method_of_moments(x, n)

    def loglik(theta: np.ndarray) -> float:
        a, b = np.exp(theta)
        return float(np.sum(betaln(x + a, n - x + b) - betaln(a, b)))

    theta = np.log([start.alpha, start.beta])
    value = loglik(theta)
    for _ in range(max_iter):
        a, b = np.exp(theta)
        d_ab = digamma(n + a + b) - digamma(a + b)
        t_ab = polygamma(1, a + b) - polygamma(1, n + a + b)
        ga = float(np.sum(digamma(x + a) - digamma(a) - d_ab))
        gb = float(np.sum(digamma(n - x + b) - digamma(b) - d_ab))
        haa = float(np.sum(polygamma(1, x + a) - polygamma(1, a) + t_ab))
        hbb = float(np.sum(polygamma(1, n - x + b) - polygamma(1, b) + t_ab))
        hab = float(np.sum(t_ab))
        grad = np.array([a * ga, b * gb])
        hess = np.array([[a * ga + a * a * haa, a * b * hab], [a * b * hab, b * gb + b * b * hbb]])
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = grad
        if not np.all(np.isfinite(step)) or float(step @ grad) <= 0:
            step = grad / max(1.0, float(np.abs(grad).max()))  # not a Newton ascent direction: gradient step
        step = np.clip(step, -2.0, 2.0)
        for _ in range(40):
            trial = theta + step
            new = loglik(trial)
            if np.isfinite(new) and new >= value - 1e-12:
                break
            step = step / 2
        else:
            break
        theta, moved, value = trial, float(np.abs(step).max()), new
        if moved < 1e-10 or theta.max() > 25:
            break
    a, b = np.exp(theta)
    if not np.isfinite(a) or not np.isfinite(b) or a > 1e7 or b > 1e9:
        return start
    return BetaPrior(float(a), float(b))


def posterior(prior: BetaPrior, x: np.ndarray | int, n: np.ndarray | int, conf: float = 0.95):
    """Return (posterior mean, lower, upper) of each unit's rate under the prior."""
    a = prior.alpha + np.asarray(x, dtype=float)
    b = prior.beta + np.asarray(n, dtype=float) - np.asarray(x, dtype=float)
    tail = (1 - conf) / 2
    return a / (a + b), beta_dist.ppf(tail, a, b), beta_dist.ppf(1 - tail, a, b)
