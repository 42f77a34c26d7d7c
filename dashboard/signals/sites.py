"""How completely each site reports, pooled over every term: the site level in the expected counts.

Sites of a chain differ in how completely they record and report events. Left out of the case mix, an injector at a
diligent site looks worse than one at a site that reports little. Put in each term's model as it is, the site level
of a term absorbs the excess of an injector who is a large share of that site's treatments for that term (the
injector is then compared with themselves). So each term's model is fitted with the clinic, and its clinic levels are
then replaced by one level per site pooled over all terms, weighted by each term's events at the site and shrunk
towards no difference: one injector's problem in one term barely moves it, while a site that under-reports every term
is allowed for. The term's overall level is then put back so that its expected total still equals its observed.
"""

from __future__ import annotations

import numpy as np

from dashboard.stats.casemix import CaseMixModel, Cells

PRIOR_EVENTS = 10.0  # the pooled site level is shrunk towards 0 as if this many events said "no difference"


def term_site_levels(model: CaseMixModel, cells: Cells) -> dict[int, tuple[float, float]]:
    """Return one term's clinic levels (log-odds, centred on their mean weighted by the term's events at each site)
    and its events there. The events are the weights of the pooling too: a site with no event of the term says
    nothing about its level (which the ridge alone then holds), so it neither counts nor moves the centre."""
    clinic = np.asarray(cells["clinic"])
    events = np.asarray(cells["events"], dtype=float)
    sites = np.unique(clinic)
    own = np.array([_level(model, c) for c in sites])
    weight = np.array([events[clinic == c].sum() for c in sites])
    own = own - float(np.sum(own * weight) / max(weight.sum(), 1e-12))
    return {int(c): (float(g), float(w)) for c, g, w in zip(sites, own, weight, strict=True)}


def pooled_site_levels(per_term: list[dict[int, tuple[float, float]]]) -> dict[int, float]:
    """Pool the terms' centred clinic levels per site, weighted by events and shrunk towards 0."""
    sums: dict[int, list[float]] = {}
    for levels in per_term:
        for c, (g, w) in levels.items():
            acc = sums.setdefault(c, [0.0, 0.0])
            acc[0] += g * w
            acc[1] += w
    return {c: s / (w + PRIOR_EVENTS) for c, (s, w) in sums.items()}


def predict_with_sites(model: CaseMixModel, cells: Cells, as_usual: Cells, pooled: dict[int, float],
                       fitted: np.ndarray | None = None) -> np.ndarray:
    """Return the model's probabilities for as_usual with the term's own clinic levels replaced by the pooled ones,
    the term's level re-set so that the expected total over `cells` (the doses given) is unchanged. `fitted` is
    model.predict(cells) when the caller has it already."""
    sites, at = np.unique(np.asarray(cells["clinic"]), return_inverse=True)
    shift = np.array([pooled.get(int(c), 0.0) - _level(model, c) for c in sites])[at.ravel()]
    n = np.asarray(cells["n"], dtype=float)
    fitted = model.predict(cells) if fitted is None else fitted
    target = float(np.sum(n * fitted))
    eta = _logit(fitted) + shift
    delta = 0.0
    for _ in range(20):  # Newton steps on the one intercept shift that keeps the total
        p = _expit(eta + delta)
        total = float(np.sum(n * p))
        slope = float(np.sum(n * p * (1 - p)))
        if slope <= 0 or abs(total - target) < 1e-9 * max(target, 1.0):
            break
        delta += (target - total) / slope
    return _expit(_logit(model.predict(as_usual)) + shift + delta)


def _level(model: CaseMixModel, clinic: object) -> float:
    j = model.column("clinic", clinic)
    return 0.0 if j is None else float(model.params[j])


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -30, 30)))
