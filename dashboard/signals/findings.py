"""Findings of each detection family (injector, dose, lot, time window, patient factor) before merging.

Every comparison is observed against expected from the case-mix model; levels follow statistics.md §11,
made strict enough that small numbers and case mix cannot raise `act`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaincinv
from scipy.stats import norm, poisson

from dashboard.signals.cells import OUT_OF_RANGE_BANDS
from dashboard.signals.control import RunControl
from dashboard.stats import cusum, ebayes, fdr, funnel, scan
from dashboard.stats.casemix import CaseMixModel, Cells
from dashboard.stats.doseresponse import DoseResponse, dose_response

# Level thresholds (statistics.md §11, with a minimum count and effect size for act).
ACT_MIN_OBSERVED = 3
ACT_MIN_RATE_RATIO = 1.5
ACT_MIN_LOWER = 1.2
WATCH_MIN_RATE_RATIO = 1.25
WATCH_MIN_LOWER = 1.05
ACT_Q = 0.05
WATCH_MIN_OBSERVED = 2
WATCH_Q = 0.10
SCAN_ACT_P = 0.01
SCAN_WATCH_P = 0.05
TIED_GROUP = "tied"  # injector tests where the reference ties the term to the area's anatomy
CUSUM_RA = 2.0
CUSUM_FALSE_ALARMS_PER_RUN = 0.05
DOSE_TREND_ACT_P = 0.01  # a dose finding acts only if the rate also moves with units (one-sided, case-mix offset)
DOSE_TREND_P = 0.05  # an injector's excess is called dosing only with a dose-response at least this clear
SCAN_SIMULATIONS = 999
SCAN_LENGTHS = (1, 3, 7, 14, 21, 28)


@dataclass
class Finding:
    """One cluster found by one method, with its evidence; classified and merged later."""

    family: str
    term: str
    observed: int
    expected: float
    treatments: int
    p_value: float | None
    method: str
    injector_id: int | None = None
    area: str | None = None
    product: str | None = None
    lot_id: int | None = None
    lot: str | None = None
    factor: str | None = None
    clinic_id: int | None = None
    window_start: date | None = None
    window_end: date | None = None
    q_value: float | None = None
    level: str | None = None
    kind: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    merged: list[Finding] = field(default_factory=list)

    @property
    def rate_ratio(self) -> float:
        """Observed / expected (inf when nothing was expected)."""
        return self.observed / self.expected if self.expected > 0 else float("inf")


def poisson_p(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """One-sided exact Poisson p-value P(X >= O | E)."""
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    return np.where(o > 0, poisson.sf(o - 1, np.maximum(e, 1e-12)), 1.0)


def rr_lower(observed: int, expected: float) -> float:
    """Lower 95% (Garwood) bound of the rate ratio O/E."""
    if observed <= 0 or expected <= 0:
        return 0.0
    return float(gammaincinv(observed, 0.025) / expected)  # = chi2.ppf(0.025, 2 O) / 2 / E, without scipy.stats


def level_for(observed: int, rate_ratio: float, q: float, extra_act: bool = True, extra_watch: bool = True,
              expected: float | None = None) -> str | None:
    """Return 'act', 'watch' or None from the count, effect size, q-value and the family's own condition.

    Besides significance, the excess must be clinically relevant: act needs a rate ratio of at least
    ACT_MIN_RATE_RATIO whose lower 95% bound reaches ACT_MIN_LOWER; watch needs WATCH_MIN_RATE_RATIO with
    a lower bound above WATCH_MIN_LOWER. With a million treatments tiny differences are "significant";
    these bounds keep the list to differences worth a manager's time. An `act` from here is provisional: the
    run-wide error control (control.RunControl.grade) keeps it only if it survives over every test of the run.
    """
    e = expected if expected is not None else (observed / rate_ratio if rate_ratio > 0 else 0.0)
    low = rr_lower(observed, e) if e > 0 else float("inf")
    if (observed >= ACT_MIN_OBSERVED and rate_ratio >= ACT_MIN_RATE_RATIO and low >= ACT_MIN_LOWER
            and q < ACT_Q and extra_act):
        return "act"
    if (observed >= WATCH_MIN_OBSERVED and rate_ratio >= WATCH_MIN_RATE_RATIO and low > WATCH_MIN_LOWER
            and q < WATCH_Q and extra_watch):
        return "watch"
    return None


# ---------------------------------------------------------------------------------------------- injectors
VARIANCE_PRIOR_UNITS = 20  # a term's own estimate of the spread between injectors weighs as this many cells


def injector_variance(by_inj: pd.DataFrame, min_units: int = 5) -> dict[str, float]:
    """Return, per term, the variance between injectors of the rate multiplier (0 = Poisson only).

    Injectors differ a little in every clinic (technique, patients, how diligently events are reported): the spread of
    injector x area O/E with E >= 1 around the median of their area (funnel.centred_between_variance) estimates it.
    One term's cells are few and their estimate noisy, so it is shrunk towards the estimate over every term
    together, weighted by its number of cells against VARIANCE_PRIOR_UNITS."""
    rows = injector_variance_by_row(by_inj, min_units, leave_own_out=False)
    return {str(t): float(v) for t, v in zip(by_inj["term"], rows, strict=True)}


def injector_variance_by_row(by_inj: pd.DataFrame, min_units: int = 5, leave_own_out: bool = True) -> np.ndarray:
    """Return the between-injector variance for each row of by_inj: its term's estimate shrunk towards the pooled
    one, with the row's own injector left out of its term's estimate (leave_own_out), so that an injector's own excess
    never widens the spread they are judged against."""
    out = np.zeros(len(by_inj))
    units = by_inj[by_inj["expected"] >= 1]
    if units.empty:
        return out
    pooled = float(funnel.centred_between_variance(
        units["observed"].to_numpy(), units["expected"].to_numpy(),
        (units["term"].astype(str) + "|" + units["area"].astype(str)).to_numpy())[0][0])
    out[:] = pooled
    terms = by_inj["term"].to_numpy()
    injectors = by_inj["injector_id"].to_numpy()
    for term, grp in units.groupby("term", sort=True):
        at = np.flatnonzero(terms == term)
        args = (grp["observed"].to_numpy(), grp["expected"].to_numpy(), grp["area"].to_numpy())
        every, every_used = funnel.centred_between_variance(*args)
        v, k = np.full(len(at), every[0]), np.full(len(at), every_used[0])
        if leave_own_out:  # an injector with no cell of E >= 1 in this term keeps the estimate over every injector
            ids = grp["injector_id"].to_numpy()
            without, used = funnel.centred_between_variance(*args, leave_out=ids)
            mine = pd.Index(np.unique(ids)).get_indexer(injectors[at])
            v = np.where(mine >= 0, without[mine], v)
            k = np.where(mine >= 0, used[mine], k)
        k = np.where(k >= min_units, k, 0)
        out[at] = (k * v + VARIANCE_PRIOR_UNITS * pooled) / (k + VARIANCE_PRIOR_UNITS)
    return out


def injector_findings(by_inj: pd.DataFrame, cusum_hits: dict[tuple[int, str, str], dict[str, Any]],
                      control: RunControl, sigma2: np.ndarray | None = None,
                      tied: set[tuple[str, str]] | None = None) -> list[Finding]:
    """Funnel comparison of each injector x area x term against expected, with overdispersion and CUSUM.

    The p-value allows for the spread between injectors (negative binomial with the term's estimated variance):
    an injector is judged against peers who also differ, not against Poisson noise alone. `tied` holds the
    (area, term) pairs where the reference says a misplaced injection shows; their tests form their own group of the
    run-wide control (control.RunControl), with half of the family's share."""
    keep = by_inj["expected"].to_numpy() > 0
    df = by_inj[keep].copy()
    if df.empty:
        return []
    spread = injector_variance_by_row(df) if sigma2 is None else np.asarray(sigma2, dtype=float)[keep]
    # the benchmark set by the other injectors is itself an estimate: its variance adds to the spread between injectors
    df["sigma2"] = spread + (df["benchmark_var"].to_numpy() if "benchmark_var" in df else 0.0)
    df["p"] = funnel.negative_binomial_p(df["observed"].to_numpy(), df["expected"].to_numpy(),
                                         df["sigma2"].to_numpy())
    df["q"] = fdr.bh_qvalues(df["p"].to_numpy())
    is_tied = np.array([(a, t) in (tied or set()) for a, t in zip(df["area"], df["term"], strict=True)], dtype=bool)
    df["act_group"] = np.where(is_tied, TIED_GROUP, "")
    control.add("injector", df.loc[is_tied, "p"].to_numpy(), TIED_GROUP)
    control.add("injector", df.loc[~is_tied, "p"].to_numpy())
    out: list[Finding] = []
    hit_pairs = {(a, t) for (_, a, t) in cusum_hits}
    interesting = df[(df["q"] < WATCH_Q) & (df["observed"] >= WATCH_MIN_OBSERVED)]
    pairs = set(zip(interesting["area"], interesting["term"], strict=True)) | hit_pairs
    df = df[[(a, t) in pairs for a, t in zip(df["area"], df["term"], strict=True)]]
    for (area, term), grp in df.groupby(["area", "term"], sort=True):
        units = grp[grp["expected"] >= 1]
        # the funnel's limits widen by the same spread between injectors as the test (estimated before the peers'
        # scaling): an area's own handful of injectors, one high and the others low against their peers, would
        # otherwise widen the limits by the very excess being judged
        ods = [funnel.from_variance(float(v), len(units)) for v in grp["sigma2"]]
        ul998 = np.array([funnel.sr_upper_limit(e, 0.001, od)
                          for e, od in zip(grp["expected"].to_numpy(), ods, strict=True)], dtype=float).ravel()
        ul95 = np.array([funnel.sr_upper_limit(e, 0.025, od)
                         for e, od in zip(grp["expected"].to_numpy(), ods, strict=True)], dtype=float).ravel()
        prior: ebayes.BetaPrior | None = None
        for i, row in enumerate(grp.itertuples(index=False)):
            rr = row.observed / row.expected
            hit = cusum_hits.get((int(row.injector_id), str(area), str(term)))
            level = level_for(int(row.observed), rr, float(row.q), extra_act=bool(rr > ul998[i]))
            if level is None and hit is not None and row.observed >= WATCH_MIN_OBSERVED and rr > 1:
                level = "watch"  # a CUSUM alarm alone is a drift to watch, never act (see cusum_screen)
            if level is None:
                continue
            f = Finding("injector", str(term), int(row.observed), float(row.expected), int(row.treatments),
                        float(row.p), "funnel O/E (case-mix expected, scaled to the other injectors of the area; "
                        f"negative binomial p allowing for the spread between injectors, variance {row.sigma2:.3g}), "
                        "BH",
                        injector_id=int(row.injector_id), area=str(area), q_value=float(row.q), level=level)
            f.details.update({
                "upper_95": float(ul95[i]), "upper_99_8": float(ul998[i]),
                "phi": ods[i].phi, "tau2": ods[i].tau2,
                "n_out": int(row.n_out), "observed_out": int(row.observed_out),
                "expected_out": float(row.expected_out), "act_p": float(row.p), "sigma2": float(row.sigma2),
                "act_group": str(row.act_group),
            })
            if prior is None and len(grp) >= 3:
                prior = ebayes.fit_mle(grp["observed"].to_numpy(), grp["treatments"].to_numpy())
            if prior is not None:
                mean, lo, hi = ebayes.posterior(prior, row.observed, row.treatments)
                f.details.update({"eb_rate": float(mean), "eb_low": float(lo), "eb_high": float(hi)})
            if hit is not None:
                f.details["cusum"] = hit
                f.method += f"; risk-adjusted Bernoulli CUSUM alarm on {hit['first_signal_day']}"
            out.append(f)
    return out


def cusum_screen(series: dict[tuple[str, str], pd.DataFrame], phat: dict[str, pd.Series]) -> dict:
    """Run a risk-adjusted CUSUM (odds ratio 2) per injector on each series; return the charts that signal.

    The limit h comes from a Markov-chain ARL0 chosen so that all charts together expect
    CUSUM_FALSE_ALARMS_PER_RUN false alarms over the data.

    An alarm raises a finding to `watch` at most; `act` needs the funnel's act criteria as well (>= 3 cases, rate
    ratio >= 1.5 with lower bound >= 1.2, q < 0.05, Bonferroni p < 0.01 over the family, above the 99.8 % limit).
    Why not let the alarm act on its own: the limit is calibrated for the charts that are run, but the charts are
    only run where some injector is already nominally high (a data-driven selection the ARL does not count);
    h rests on estimated risks, which makes the real in-control ARL shorter than the target (statistics.md §2,
    estimation error); and BH/FWER do not apply to sequential charts (§7), so an alarm carries no
    multiplicity control comparable with the other families. The alarm therefore adds timing ("drifting since")
    and an early watch, while act keeps the same small-number and multiplicity discipline as every family.
    """
    total = sum(len(s) for s in series.values())
    if total == 0:
        return {}
    arl0 = max(total / CUSUM_FALSE_ALARMS_PER_RUN, 1000.0)
    hits: dict[tuple[int, str, str], dict[str, Any]] = {}
    for (area, term), s in sorted(series.items()):
        if s.empty or not s["event"].any():
            continue
        p = phat[term].reindex(s["cell_id"].to_numpy()).to_numpy()
        p = np.clip(np.nan_to_num(p, nan=float(np.nanmean(p)) if np.isfinite(np.nanmean(p)) else 1e-4), 1e-6, 0.5)
        h = cusum.h_for_risk_histogram(*cusum.risk_histogram(p), CUSUM_RA, round(arl0, -2))
        w = cusum.steiner_weights(p, s["event"].to_numpy(dtype=float), CUSUM_RA)
        inj = s["injector_id"].to_numpy()
        days = s["day"].to_numpy()
        bounds = np.flatnonzero(np.diff(inj)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(inj)], strict=True):
            first = cusum.first_signal(w[lo:hi], h)
            if first is not None:
                hits[(int(inj[lo]), area, term)] = {"h": float(h), "arl0": float(arl0),
                                                     "first_signal_day": str(pd.Timestamp(days[lo + first]).date())}
    return hits


# ---------------------------------------------------------------------------------------------- dose
def dose_findings(bands: pd.DataFrame, control: RunControl, sigma2: dict[str, float] | None = None) -> list[Finding]:
    """Excess in out-of-range dose bands per area x product x term, against the usual-practice expectation.

    bands: treatments n, observed o, expected e and dose-ratio weight wr per area x product x term x dose band.
    Each candidate is also tested for a dose-response over all its bands (logistic regression with a likelihood-ratio
    test, case-mix expected as offset, and Cochran-Armitage with the band's mean dose as score), one-sided towards
    the out-of-range side: act needs the logistic test below DOSE_TREND_ACT_P (the family's own condition)."""
    if bands.empty:
        return []
    side = bands[bands["dose_band"].isin(OUT_OF_RANGE_BANDS)].copy()
    side["direction"] = np.where(side["dose_band"] == 0, "below", "above")
    tests = side.groupby(["area", "product", "term", "direction"], sort=True)[["n", "o", "e"]].sum().reset_index()
    tests = tests[tests["e"] > 0]
    if tests.empty:
        return []
    # out-of-range doses are often given by one or two injectors, so the test allows for the same spread between
    # injectors as the injector family (exact Poisson where none is known)
    spread = tests["term"].map(sigma2 or {}).fillna(0.0).to_numpy()
    p = funnel.negative_binomial_p(tests["o"].to_numpy(), tests["e"].to_numpy(), spread)
    q = fdr.bh_qvalues(p)
    control.add("dose", p)
    out = []
    for row, pi, qi in zip(tests.itertuples(index=False), p, q, strict=True):
        if level_for(int(row.o), row.o / row.e, float(qi)) is None:
            continue
        grp = bands[(bands["area"] == row.area) & (bands["product"] == row.product) & (bands["term"] == row.term)]
        trend = dose_response((grp["wr"] / grp["n"]).to_numpy(), grp["n"].to_numpy(), grp["o"].to_numpy(),
                              grp["e"].to_numpy(), increasing=row.direction == "above")
        level = level_for(int(row.o), row.o / row.e, float(qi),
                          extra_act=trend is not None and trend.logistic_p < DOSE_TREND_ACT_P)
        f = Finding("dose", str(row.term), int(row.o), float(row.e), int(row.n), float(pi),
                    "O/E in out-of-range dose bands (negative binomial p with the spread between injectors), BH"
                    + dose_response_text(trend),
                    area=str(row.area), product=str(row.product), q_value=float(qi), level=level)
        f.details.update({"direction": row.direction, "dose_response": trend, "act_p": float(pi)})
        out.append(f)
    return out


def dose_response_text(trend: DoseResponse | None, within: str = "") -> str:
    """Return the dose-response evidence for a method string ('' when it could not be tested)."""
    if trend is None:
        return ""
    way = "rising" if trend.increasing else "falling"
    return (f"; dose-response{within} ({way} with units): logistic regression LR test p = {trend.logistic_p:.2g}"
            f" (case-mix offset), Cochran-Armitage p = {trend.ca_p:.2g}")


# ---------------------------------------------------------------------------------------------- lots
def lot_findings(by_lot: pd.DataFrame, control: RunControl) -> list[Finding]:
    """Lots with more events than expected: exact Poisson p per lot x term (BH across the family), confirmed
    by a per-term Poisson scan over lots (seeded Monte-Carlo p against the maximum over all lots)."""
    df = by_lot[by_lot["expected"] > 0].copy()
    if df.empty:
        return []
    df["p"] = poisson_p(df["observed"], df["expected"])
    df["q"] = fdr.bh_qvalues(df["p"].to_numpy())
    out = []
    for term, grp in df.groupby("term", sort=True):
        if len(grp) < 2:
            continue
        cand = grp[(grp["q"] < WATCH_Q) & (grp["observed"] >= WATCH_MIN_OBSERVED)]
        if cand.empty:
            control.add("lot", [1.0])  # one scan per term; not run when no lot stands out at all
            continue
        llr, scan_p = scan.location_scan_poisson(grp["observed"].to_numpy(), grp["expected"].to_numpy(),
                                                 n_sim=SCAN_SIMULATIONS, seed=scan.seed_for("lot", term))
        control.add("lot", [float(scan_p.min())])
        by_lot_id = dict(zip(grp["lot_id"].to_numpy(), zip(scan_p, llr, strict=True), strict=True))
        for row in cand.itertuples(index=False):
            sp, li = by_lot_id[row.lot_id]
            rr = row.observed / row.expected
            level = level_for(int(row.observed), rr, float(row.q), extra_act=sp < SCAN_ACT_P,
                              extra_watch=sp < SCAN_WATCH_P)
            if level is None:
                continue
            f = Finding("lot", str(term), int(row.observed), float(row.expected), int(row.treatments),
                        float(row.p), "lot O/E (exact Poisson), BH; per-lot Poisson scan (Monte-Carlo p)",
                        product=str(row.product), lot_id=int(row.lot_id), lot=str(row.lot),
                        window_start=row.first_day, window_end=row.last_day, q_value=float(row.q), level=level)
            f.details.update({"scan_p": float(sp), "llr": float(li), "injectors": int(row.injectors), "act_p": float(sp),
                              "injectors_with_events": int(row.injectors_with_events)})
            out.append(f)
    return out


# ---------------------------------------------------------------------------------------------- time
def _daily(grp: pd.DataFrame, start: date, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = (pd.to_datetime(grp["day"]) - pd.Timestamp(start)).dt.days.to_numpy()  # one row per day
    o, e, n = np.zeros(days), np.zeros(days), np.zeros(days)
    np.add.at(o, idx, grp["observed"].to_numpy(dtype=float))
    np.add.at(e, idx, grp["expected"].to_numpy(dtype=float))
    np.add.at(n, idx, grp["treatments"].to_numpy(dtype=float))
    return o, e, n


def _worth_scanning(o: np.ndarray, e: np.ndarray) -> bool:
    """False when no window of any scanned length reaches a nominal one-sided p < SCAN_WATCH_P / 10:
    the scan's Monte-Carlo p (corrected for every window) would then certainly be above SCAN_WATCH_P."""
    e = e * (o.sum() / e.sum()) if e.sum() > 0 else e
    best = 1.0
    for w in SCAN_LENGTHS:
        if w > o.size:
            continue
        co = np.convolve(o, np.ones(w), "valid")
        ce = np.convolve(e, np.ones(w), "valid")
        k = int(np.argmax(np.where(ce > 0, co / np.maximum(ce, 1e-12) * (co >= ACT_MIN_OBSERVED), 0)))
        best = min(best, float(poisson_p(np.array([co[k]]), np.array([ce[k]]))[0]))
    return best < SCAN_WATCH_P / 10


def _series(by_day_clinic: pd.DataFrame) -> list[tuple[str, int | None, pd.DataFrame]]:
    """Return the (term, clinic, rows) series to scan: each term over the whole chain and, when the chain has more
    than one clinic, over each clinic on its own (a burst at one site is diluted in the chain's totals)."""
    clinics = by_day_clinic["clinic_id"].unique()
    out: list[tuple[str, int | None, pd.DataFrame]] = []
    for term, grp in by_day_clinic.groupby("term", sort=True):
        out.append((str(term), None, grp))
        if len(clinics) > 1:
            out.extend((str(term), int(c), g) for c, g in grp.groupby("clinic_id", sort=True))
    return out


def time_findings(by_day_clinic: pd.DataFrame, control: RunControl) -> list[Finding]:
    """Temporal Poisson scan per term, over the chain and per clinic, with seeded Monte-Carlo p; BH across all the
    scanned series (and each series is one test of the run-wide control)."""
    if by_day_clinic.empty:
        return []
    start = pd.Timestamp(by_day_clinic["day"].min()).date()
    days = (pd.Timestamp(by_day_clinic["day"].max()).date() - start).days + 1
    rows = []
    for term, clinic_id, g in _series(by_day_clinic):
        if g["observed"].sum() < ACT_MIN_OBSERVED:
            continue
        o, e, n = _daily(g, start, days)
        if not _worth_scanning(o, e):
            rows.append((term, clinic_id, None, 0.0, 0))
            continue
        clusters = scan.temporal_scan_poisson(o, e, lengths=SCAN_LENGTHS, n_sim=SCAN_SIMULATIONS,
                                              seed=scan.seed_for("time", term, clinic_id), top=2)
        if not clusters:
            rows.append((term, clinic_id, None, 0.0, 0))
        for c in clusters:
            exp_abs = float(e[c.start:c.end + 1].sum())
            rows.append((term, clinic_id, c, exp_abs, int(n[c.start:c.end + 1].sum())))
    if not rows:
        return []
    p_all = [1.0 if r[2] is None else r[2].p_value for r in rows]
    q = fdr.bh_qvalues(p_all)
    series_p: dict[tuple[str, int | None], float] = {}
    for r, p in zip(rows, p_all, strict=True):
        series_p[(r[0], r[1])] = min(series_p.get((r[0], r[1]), 1.0), p)
    control.add("time", series_p.values())
    out = []
    for (term, clinic_id, c, exp_abs, n), qi in zip(rows, q, strict=True):
        if c is None:
            continue
        obs = int(round(c.observed))
        rr = obs / exp_abs if exp_abs > 0 else float("inf")
        level = level_for(obs, rr, float(qi), extra_act=c.p_value < SCAN_ACT_P, extra_watch=c.p_value < SCAN_WATCH_P)
        if level is None:
            continue
        where = "" if clinic_id is None else " within one clinic"
        f = Finding("time", term, obs, exp_abs, n, c.p_value, f"temporal Poisson scan{where} (Monte-Carlo p), BH",
                    clinic_id=clinic_id, window_start=start + timedelta(days=c.start),
                    window_end=start + timedelta(days=c.end), q_value=float(qi), level=level)
        f.details.update({"llr": c.llr, "act_p": c.p_value, "scanned_clinic": clinic_id})
        out.append(f)
    return out


# ---------------------------------------------------------------------------------------------- factors
def factor_tests(term: str, cells_t: Cells, model: CaseMixModel, factors: tuple[str, ...],
                 p_fit: np.ndarray | None = None) -> list[Finding]:
    """Each recorded risk factor judged with the other factors and the case mix held fixed.

    The term's model holds every recorded factor beside area, product, dose band and the patient's age and sex; a
    factor's test is the one-sided Wald test of its own coefficient there, so a real factor, or a factor recorded
    together with others, does not light up the rest. Observed is the number of treatments with the factor that
    had the event; expected is the same model's prediction for them with this factor's coefficient set to zero.
    With a handful of events among a rare factor's treatments the Wald p is far too small (its normal approximation
    to the log odds ratio fails: 5 events against 0.54 expected give a Wald p near 2e-5 where the exact Poisson tail
    is 2e-4), so the p is the larger of the Wald p and the exact Poisson tail of observed against expected; with many
    events the Wald p, which also allows for the uncertainty of the fit, is the larger.
    p_fit is model.predict(cells_t) when the caller has it already."""
    if model.covariance is None:
        return []
    out = []
    n_all = np.asarray(cells_t["n"], dtype=float)
    o_all = np.asarray(cells_t["events"], dtype=float)
    p_fit = model.predict(cells_t) if p_fit is None else p_fit
    for name in factors:
        # the model's reference is the level with more events: a common factor that raises the term a lot has more
        # events than its absence, and then its effect is minus the coefficient of "absent"
        j, sign = model.column(name, 1), 1.0
        if j is None:
            j, sign = model.column(name, 0), -1.0
        if j is None:
            continue
        sel = np.asarray(cells_t[name]) == 1
        n = int(n_all[sel].sum())
        beta, se = sign * float(model.params[j]), float(np.sqrt(model.covariance[j, j]))
        odds = p_fit[sel] / np.maximum(1 - p_fit[sel], 1e-12) * np.exp(-beta)
        e = float(np.sum(n_all[sel] * odds / (1 + odds)))
        if n == 0 or e <= 0 or se <= 0:
            continue
        o = int(o_all[sel].sum())
        wald = float(norm.sf(beta / se))
        p = max(wald, float(poisson.sf(o - 1, e)))
        f = Finding("factor", term, o, e, n, p,
                    "logistic case-mix model with every recorded risk factor, area, product, dose band, age, sex, "
                    "areas treated and clinic; one-sided Wald test of this factor's coefficient (or the exact Poisson "
                    "tail of observed against expected where that is larger), BH", factor=name)
        f.details.update({"act_p": p, "wald_p": wald, "log_odds_ratio": beta, "se": se})
        out.append(f)
    return out


def grade_factor_findings(tests: list[Finding], control: RunControl) -> list[Finding]:
    """Apply BH across every factor x term test and keep those reaching watch or act."""
    if not tests:
        return []
    q = fdr.bh_qvalues([t.p_value or 1.0 for t in tests])
    control.add("factor", [t.p_value or 1.0 for t in tests])
    out = []
    for t, qi in zip(tests, q, strict=True):
        t.q_value = float(qi)
        t.level = level_for(t.observed, t.rate_ratio, float(qi))
        if t.level:
            out.append(t)
    return out


def out_of_range(band: int) -> bool:
    """True for dose bands outside the usual range."""
    return band in OUT_OF_RANGE_BANDS
