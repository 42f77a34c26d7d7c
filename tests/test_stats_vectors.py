"""Every public acceptance vector (tests/data/stat-vectors-public.json, from the shared reference folder), one test per vector id."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import beta as beta_dist

from dashboard.stats import cusum, doseresponse, ebayes, fdr, funnel, intervals, scan

# a copy of the shared reference folder's file, kept in the repository so the test never depends on the machine
VECTORS_FILE = Path(__file__).parent / "data" / "stat-vectors-public.json"


def _vectors() -> dict[str, dict]:
    return {v["id"]: v for v in json.loads(VECTORS_FILE.read_text(encoding="utf-8"))}


V = _vectors()


def _close(got, want, tol: dict) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if "abs" in tol:
        np.testing.assert_allclose(got, want, rtol=0, atol=tol["abs"])
    else:
        np.testing.assert_allclose(got, want, rtol=tol["rel"], atol=0)


def test_funnel_01_exact_poisson_limits():
    v = V["funnel-01"]
    e = np.array(v["inputs"]["expected_counts_E"], dtype=float)
    for key, p in (("95", 0.025), ("99.8", 0.001)):
        lo, hi = funnel.poisson_ratio_limits(e, p)
        _close(lo, v["expected"][f"ll{key}"], v["tolerance"])
        _close(hi, v["expected"][f"ul{key}"], v["tolerance"])


def test_funnel_03_phe_wilson_proportion_limits():
    v = V["funnel-03"]
    n = np.array(v["inputs"]["population_n"], dtype=float)
    b = v["inputs"]["baseline_proportion"]
    lo95, hi95 = funnel.wilson_proportion_limits(n, b, 0.025)
    lo998, _ = funnel.wilson_proportion_limits(n, b, 0.001)
    _close(lo95 * 100, v["expected"]["Lower2s0025limit"], v["tolerance"])
    _close(hi95 * 100, v["expected"]["Upper2s0025limit"], v["tolerance"])
    _close(lo998 * 100, v["expected"]["Lower3s0001limit"], v["tolerance"])


def test_funnel_07_exact_binomial_with_interpolation():
    v = V["funnel-07"]
    theta0 = v["inputs"]["theta0"]
    for key in ("p0.001", "p0.025", "p0.975", "p0.999"):
        p = float(key[1:])
        got = [funnel.binomial_limit(n, theta0, p) for n in v["expected"]["n"]]
        _close(got, v["expected"][key], v["tolerance"])


def test_cusum_01_steiner_weights():
    v = V["cusum-01"]
    cases = np.array(v["inputs"]["cases_parsonnet_outcome"], dtype=float)
    p = 1 / (1 + np.exp(-(-3.68 + 0.077 * cases[:, 0])))
    for ra, key in ((2.0, "RA=2"), (0.5, "RA=0.5")):
        _close(cusum.steiner_weights(p, cases[:, 1], ra), v["expected"][key], v["tolerance"])


def test_cusum_04_exact_small_n_limit():
    v = V["cusum-04"]
    i = v["inputs"]
    limit, prob = cusum.exact_limit(i["failure_probability_p0"], i["odds_multiplier"], i["n_patients"], i["alpha"])
    _close(limit, v["expected"]["limit"], v["tolerance"])
    assert abs(prob - 0.05106) < 1e-4


def test_cusum_05_markov_chain_arl():
    v = V["cusum-05"]
    i = v["inputs"]
    k = 400_000
    x = beta_dist.ppf((np.arange(k) + 0.5) / k, 1, 3)
    p = 1 / (1 + np.exp(-(i["g0"] + 0.0768 * 71 * x)))
    for ra, key in ((2.0, "ARL0_RA=2"), (0.5, "ARL0_RA=0.5")):
        arl = cusum.markov_arl(cusum.weight_distribution(p, ra), i["h"], r=i["r_states"])
        _close(arl, v["expected"][key], v["tolerance"])


def test_scan_02_bernoulli_llr():
    v = V["scan-02"]
    i = v["inputs"]
    c = [k["c_in"] for k in i["clusters"]]
    n = [k["n_in"] for k in i["clusters"]]
    _close(scan.bernoulli_llr(c, n, i["total_cases_C"], i["total_N"]), v["expected"]["LLR"], v["tolerance"])


def test_prr_01_expected_counts_and_ratios():
    """The event-mix view is secondary (statistics.md section 5); checked with the O/E algebra we use."""
    v = V["prr-01"]
    reports = v["inputs"]["reports"]
    units, events = ["A", "B", "C"], ["e1", "e2", "e3"]
    total = len(reports)
    got_n, got_e, got_rr, got_prr = [], [], [], []
    for u in units:
        for e in events:
            n = sum(1 for r in reports if r == [u, e])
            n_u = sum(1 for r in reports if r[0] == u)
            n_e = sum(1 for r in reports if r[1] == e)
            exp = n_u * n_e / total
            got_n.append(n)
            got_e.append(exp)
            got_rr.append(n / exp)
            got_prr.append((n / n_u) / ((n_e - n) / (total - n_u)))
    assert got_n == v["expected"]["N"]
    _close(got_e, v["expected"]["E"], v["tolerance"])
    _close(got_rr, v["expected"]["RR"], {"abs": 1e-4})
    _close(got_prr, v["expected"]["PRR"], {"abs": 1e-4})


def test_ic_01_shrinkage_ic_with_gamma_interval():
    from scipy.stats import gamma

    v = V["ic-01"]

    def ic(o: float, e: float) -> tuple[float, float, float]:
        return (np.log2((o + 0.5) / (e + 0.5)), np.log2(gamma.ppf(0.025, o + 0.5, scale=1 / (e + 0.5))),
                np.log2(gamma.ppf(0.975, o + 0.5, scale=1 / (e + 0.5))))

    want = v["expected"]["O1_E1"]
    _close(ic(1, 1), [want["IC"], want["IC025"], want["IC975"]], v["tolerance"])
    case = v["inputs"]["cases"][1]
    e = case["n1."] * case["n.1"] / case["n.."]
    want = v["expected"]["Noren2006"]
    _close([e, *ic(case["O"], e)], [want["E"], want["IC"], want["IC025"], want["IC975"]], v["tolerance"])


def test_eb_02_beta_binomial_moments_and_mle():
    v = V["eb-02"]
    y = np.array(v["inputs"]["y"][:70], dtype=float)
    n = np.array(v["inputs"]["n"][:70], dtype=float)
    mom = ebayes.method_of_moments(y, n)
    rates = y / n
    _close([rates.mean(), rates.std(ddof=1), mom.alpha, mom.beta],
           [v["expected"]["mean"], v["expected"]["sd"], v["expected"]["alpha_MoM"], v["expected"]["beta_MoM"]],
           v["tolerance"])
    mle = ebayes.fit_mle(y, n)
    assert abs(mle.alpha - 2.3048) < 0.01 and abs(mle.beta - 14.0798) < 0.05
    mean, lo, hi = ebayes.posterior(mle, 4, 14)
    assert abs(float(mean) - 0.2075) < 0.001 and lo < mean < hi


def test_trend_01_cochran_armitage():
    v = V["trend-01"]
    i = v["inputs"]
    t = doseresponse.cochran_armitage(i["dose_scores"], i["n"], i["events"])
    assert abs(abs(t.statistic) - v["expected"]["Z_abs"]) < v["tolerance"]["Z_abs"]
    assert abs(t.p_two_sided - v["expected"]["p_two_sided"]) < v["tolerance"]["p_abs"]
    assert t.statistic > 0  # events as the response: the rate rises with dose


def test_trend_02_cochran_armitage_lungtumor():
    v = V["trend-02"]
    i = v["inputs"]
    t = doseresponse.cochran_armitage(i["dose_scores"], i["n"], i["events"])
    assert abs(abs(t.statistic) - v["expected"]["Z_abs"]) < v["tolerance"]["Z_abs"]
    assert abs(t.p_two_sided - v["expected"]["p_two_sided"]) < v["tolerance"]["p_abs"]


def test_trend_07_logistic_dose_response_beetles():
    v = V["trend-07"]
    i = v["inputs"]
    tol = v["tolerance"]
    fit = doseresponse.logistic_dose(i["log10_dose"], i["n"], i["deaths"])
    e = v["expected"]["logit"]
    _close([*fit.params, *fit.bse, fit.deviance], [e["b0"], e["b1"], e["se_b0"], e["se_b1"], e["deviance"]], tol)
    assert abs(fit.lr_statistic - 272.97) < 0.01 and fit.p_value < 1e-50
    _close(doseresponse.logistic_dose(i["log10_dose"], i["n"], i["deaths"], link="probit").deviance,
           v["expected"]["probit_deviance"], tol)
    _close(doseresponse.logistic_dose(i["log10_dose"], i["n"], i["deaths"], link="cloglog").deviance,
           v["expected"]["cloglog_deviance"], tol)


def test_mult_01_benjamini_hochberg():
    v = V["mult-01"]
    p = v["inputs"]["p_values"]
    assert fdr.bh_rejections(p, v["inputs"]["q"]) == v["expected"]["BH_rejections"]
    assert fdr.bonferroni_rejections(p, v["inputs"]["q"]) == v["expected"]["Bonferroni_rejections"]
    np.testing.assert_allclose(fdr.bh_qvalues(p)[:5], [0.0015, 0.003, 0.0095, 0.035625, 0.0603], atol=1e-6)


def test_ci_01_wilson_interval():
    v = V["ci-01"]
    lo, hi = intervals.wilson(v["inputs"]["x"], v["inputs"]["n"], v["inputs"]["conf"])
    _close([lo, hi], v["expected"]["wilson"], v["tolerance"])


@pytest.mark.parametrize("vid", sorted(V))
def test_every_vector_has_a_test(vid: str):
    names = {n for n in globals() if n.startswith("test_")}
    assert any(n.startswith("test_" + vid.replace("-", "_")) for n in names), vid
