"""Behaviour of the statistics package beyond the published vectors: determinism, overdispersion, case mix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.stats import casemix, cusum, doseresponse, funnel, scan


def test_temporal_scan_finds_planted_burst_with_reproducible_p():
    rng = np.random.default_rng(5)
    expected = np.full(365, 2.0)
    observed = rng.poisson(expected).astype(float)
    observed[200:207] += 6
    a = scan.temporal_scan_poisson(observed, expected, n_sim=199, seed=11)
    b = scan.temporal_scan_poisson(observed, expected, n_sim=199, seed=11)
    assert a == b
    top = a[0]
    assert 195 <= top.start <= 202 and 204 <= top.end <= 210
    assert top.p_value <= 0.01


def test_temporal_scan_null_is_not_significant():
    rng = np.random.default_rng(9)
    expected = np.full(365, 2.0)
    observed = rng.poisson(expected).astype(float)
    top = scan.temporal_scan_poisson(observed, expected, n_sim=199, seed=3)[0]
    assert top.p_value > 0.05


def test_location_scans_flag_the_bad_lot_only():
    n = np.array([1000, 1200, 900, 1100])
    events = np.array([10, 12, 40, 11])
    llr, p = scan.location_scan_bernoulli(events, n, n_sim=199, seed=1)
    assert int(np.argmax(llr)) == 2 and p[2] <= 0.01 and p[0] > 0.05
    llr2, p2 = scan.location_scan_poisson(events, n * events.sum() / n.sum(), n_sim=199, seed=1)
    assert int(np.argmax(llr2)) == 2 and p2[2] <= 0.01


def test_overdispersion_widens_limits_only_when_present():
    e = np.full(20, 20.0)
    tight = np.array([18, 22, 19, 21, 20, 20, 17, 23, 20, 19, 21, 22, 18, 20, 20, 21, 19, 20, 22, 18], float)
    od = funnel.sr_overdispersion(tight, e)
    assert od.phi < 1 and np.allclose(funnel.sr_upper_limit(e, 0.001, od), funnel.poisson_ratio_limits(e, 0.001)[1])
    wide = np.array([5, 40, 10, 35, 20, 8, 30, 12, 28, 20, 15, 25, 6, 38, 22, 18, 9, 33, 14, 26], float)
    od2 = funnel.sr_overdispersion(wide, e)
    assert od2.overdispersed and od2.tau2 > 0 and od2.p_value < 0.001
    assert np.all(funnel.sr_upper_limit(e, 0.001, od2) > funnel.poisson_ratio_limits(e, 0.001)[1])


def test_cusum_h_reaches_target_arl_and_path_restarts():
    risks = np.linspace(0.005, 0.05, 30)
    dist = cusum.weight_distribution(risks, 2.0)
    h = cusum.h_for_arl(dist, 2000)
    assert cusum.markov_arl(dist, h, 300) >= 2000 > cusum.markov_arl(dist, h - 0.05, 300)
    w = np.array([1.0, 1.0, 1.0, -0.5, 1.0])
    assert list(cusum.cusum_path(w, h=2.0)) == [1.0, 2.0, 1.0, 0.5, 1.5]
    assert cusum.first_signal(w, 2.0) == 1


def test_vlad_counts_events_avoided():
    np.testing.assert_allclose(cusum.vlad(np.array([0.1, 0.1, 0.1]), np.array([0, 1, 0])), [0.1, -0.8, -0.7])


def test_casemix_expected_absorbs_area_mix():
    cells = pd.DataFrame({"area": ["masseter", "glabella"], "n": [1000, 1000], "events": [300, 10]})
    model = casemix.fit_casemix(cells, ["area"])
    np.testing.assert_allclose(model.predict(cells), [0.3, 0.01], atol=2e-3)  # weak ridge prior


def test_casemix_rare_levels_share_the_reference():
    cells = pd.DataFrame({"product": ["ona", "abo"], "n": [10000, 5], "events": [100, 0]})
    model = casemix.fit_casemix(cells, ["product"])
    assert model.levels["product"] == ()
    assert abs(model.predict(cells)[1] - 0.01) < 1e-3


def test_poisson_dose_trend_detects_rising_excess():
    t = doseresponse.poisson_dose_trend([0.5, 1.0, 1.5, 2.5], [5, 10, 30, 60], [5, 10, 10, 10])
    assert t.statistic > 3 and t.p_increasing < 0.001
    flat = doseresponse.poisson_dose_trend([0.5, 1.0, 1.5], [5, 10, 10], [5, 10, 10])
    assert flat.p_increasing > 0.3


def test_irls_matches_statsmodels_without_ridge():
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(40), rng.integers(0, 2, 40), rng.integers(0, 2, 40)]).astype(float)
    n = rng.integers(50, 500, 40).astype(float)
    y = rng.binomial(n.astype(int), 1 / (1 + np.exp(-(-3 + 0.7 * x[:, 1] - 0.4 * x[:, 2])))).astype(float)
    ref = sm.GLM(np.column_stack([y, n - y]), x, family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(casemix.irls_binomial(x, y, n), ref.params, atol=1e-8)


def test_level_without_events_does_not_run_off():
    cells = pd.DataFrame({"product": ["ona", "abo"], "n": [10000, 3000], "events": [100, 0]})
    p = casemix.fit_casemix(cells, ["product"]).predict(cells)
    assert 0 < p[1] < 0.01 and np.isfinite(p).all()


def test_coded_design_products_equal_the_dense_design() -> None:
    """The case-mix fit's coded design gives the dense indicator matrix's products (gram, dot, tdot)."""
    from dashboard.stats.casemix import CodedDesign

    rng = np.random.default_rng(11)
    rows = 3000
    sizes = [6, 1, 3, 1, 1, 4, 2]  # many-level covariates mixed with one-level indicators
    codes = [rng.integers(0, s + 1, rows) for s in sizes]
    codes[2][:] = np.where(codes[2] == 2, 0, codes[2])  # a level present in no row
    design = CodedDesign(codes, sizes, rows)
    dense = [np.ones(rows)]
    for code, size in zip(codes, sizes, strict=True):
        dense.extend((code == level).astype(float) for level in range(1, size + 1))
    x = np.column_stack(dense)
    w = rng.random(rows)
    beta = rng.normal(size=x.shape[1])
    for _ in range(2):  # the second call reuses what the first built
        np.testing.assert_allclose(design.gram(w), (x * w[:, None]).T @ x, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(design.dot(beta), x @ beta, rtol=1e-12)
    np.testing.assert_allclose(design.tdot(w), x.T @ w, rtol=1e-12)


def test_casemix_fitted_equals_predict_on_the_fitted_cells() -> None:
    """The probabilities kept from the fit are predict() of the same cells."""
    rng = np.random.default_rng(4)
    rows = 4000
    cells = pd.DataFrame({"a": rng.integers(0, 5, rows), "f": rng.integers(0, 2, rows), "n": rng.integers(1, 30, rows)})
    cells["events"] = rng.binomial(cells["n"], 0.02 * (1 + cells["f"]) * (1 + 0.3 * cells["a"]))
    model = casemix.fit_casemix(cells, ("a", "f"), covariance=True)
    assert model.fitted is not None
    np.testing.assert_allclose(model.fitted, model.predict(cells), rtol=1e-12)
