"""The statistics behind act on unseen clinics: run-wide control, injector spread, site levels, peers, fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import nbinom, poisson

from dashboard.signals import benchmark, sites
from dashboard.signals.control import ACT_RUN_Q, RunControl
from dashboard.stats import fdr, funnel, scan
from dashboard.stats.casemix import Columns, fit_casemix


def test_weighted_bh_is_bh_with_equal_weights_and_favours_heavier_weights():
    p = [0.001, 0.01, 0.02, 0.2, 0.5]
    assert np.allclose(fdr.weighted_bh_qvalues(p, [1] * 5), fdr.bh_qvalues(p))
    heavy = fdr.weighted_bh_qvalues(p, [4, 0.25, 0.25, 0.25, 0.25])
    assert heavy[0] < fdr.bh_qvalues(p)[0]


def test_run_control_keeps_any_act_in_a_null_run_below_its_level():
    # 2,000 runs with nothing real: five families of very different sizes, uniform p-values; an act needs q < 0.02
    rng = np.random.default_rng(7)
    sizes = {"injector": 1500, "dose": 120, "lot": 30, "time": 60, "factor": 300}
    runs_with_act = 0
    for _ in range(2000):
        control = RunControl()
        smallest = {}
        for family, m in sizes.items():
            p = rng.random(m)
            control.add(family, p)
            smallest[family] = p.min()
        runs_with_act += any(control.q_value(f, p) < ACT_RUN_Q for f, p in smallest.items())
    assert runs_with_act / 2000 <= ACT_RUN_Q * 1.3  # ~2 % by construction, allowing for simulation noise


def test_run_control_gives_a_small_family_its_share():
    control = RunControl()
    control.add("injector", np.r_[1e-6, np.full(4999, 0.5)])
    control.add("lot", [1e-3])
    # Bonferroni over all 5,001 tests would need p < 4e-6; the lot family holds half the budget with one test
    assert control.q_value("lot", 1e-3) < ACT_RUN_Q
    assert control.q_value("injector", 1e-6) < ACT_RUN_Q  # half the budget over 5,000 tests: ~4e-6 needed
    assert control.q_value("injector", 0.5) > 0.5


def test_negative_binomial_p_is_poisson_without_spread_and_wider_with_it():
    o, e = np.array([5, 20, 40]), np.array([4.0, 10.0, 20.0])
    assert np.allclose(funnel.negative_binomial_p(o, e, 0.0), poisson.sf(o - 1, e))
    wide = funnel.negative_binomial_p(o, e, 0.1)
    assert np.all(wide[1:] > 5 * poisson.sf(o[1:] - 1, e[1:]))  # far above E the spread matters most
    size = 10.0  # sigma2 = 0.1: mean E, variance E + 0.1 E^2
    assert np.allclose(wide, nbinom.sf(o - 1, size, size / (size + e)))
    assert nbinom.var(size, size / (size + 20.0)) == pytest.approx(20 + 0.1 * 400)


def test_gumbel_tail_reaches_below_the_monte_carlo_floor():
    rng = np.random.default_rng(3)
    null_max = rng.gumbel(5.0, 1.5, 999)
    far = 5.0 + 1.5 * -np.log(-np.log(1 - 1e-5))  # the true 1e-5 upper quantile
    p = scan.scan_p(far, null_max)[0]
    assert 2e-6 < p < 5e-5
    near = np.quantile(null_max, 0.5)
    assert scan.scan_p(near, null_max)[0] == pytest.approx(scan.mc_p(near, null_max)[0])


def _cells(events_by_clinic: dict[int, list[float]], n: float = 1000.0) -> Columns:
    clinic, area, events = [], [], []
    for c, ev in events_by_clinic.items():
        for a, y in enumerate(ev):
            clinic.append(c)
            area.append(a)
            events.append(y)
    k = len(clinic)
    return Columns({"clinic": np.array(clinic), "area": np.array(area), "n": np.full(k, n),
                    "events": np.array(events, dtype=float), "dose_band": np.ones(k, dtype=int),
                    "dose_model": np.ones(k, dtype=int)})


def test_a_site_that_under_reports_every_term_gets_a_low_pooled_level():
    terms = [_cells({1: [20, 30], 2: [10, 15]}), _cells({1: [40, 8], 2: [20, 4]})]
    levels = [sites.term_site_levels(fit_casemix(c, ("area", "clinic")), c) for c in terms]
    pooled = sites.pooled_site_levels(levels)
    assert pooled[2] < -0.3 and pooled[1] > 0.1  # site 2 reports about half as much in both terms


def test_pooled_site_levels_keep_each_terms_total():
    cells = _cells({1: [20, 30], 2: [10, 15]})
    model = fit_casemix(cells, ("area", "clinic"))
    p = sites.predict_with_sites(model, cells, cells, {1: 0.0, 2: 0.0})
    assert np.sum(p * 1000.0) == pytest.approx(75.0, rel=1e-6)
    assert p[0] == pytest.approx(p[2], rel=1e-6)  # no site difference left once the pooled levels are 0


def _injectors(observed: list[int], expected: list[float]) -> pd.DataFrame:
    k = len(observed)
    return pd.DataFrame({"injector_id": range(1, k + 1), "area": "forehead", "term": "brow_ptosis",
                         "observed": observed, "expected": expected, "expected_out": 0.0})


def test_a_dominant_injector_is_compared_with_the_others():
    # injector 1 gives a third of the area's expected count at 3x; the model spread the excess over everyone
    df = benchmark.against_others(_injectors([60, 10, 10, 10, 10], [36.0, 16.0, 16.0, 16.0, 16.0]))
    assert df.loc[0, "expected"] == pytest.approx(36.0 * (40 + 5) / (64 + 5))
    assert df.loc[0, "expected"] < 24
    assert df.loc[0, "benchmark_var"] == pytest.approx(1 / 45)  # the others' 40 events make a precise benchmark


def test_peers_change_nothing_when_everyone_is_as_expected_and_little_for_a_lone_specialist():
    same = benchmark.against_others(_injectors([10, 20, 30], [10.0, 20.0, 30.0]))
    assert np.allclose(same["expected"], [10.0, 20.0, 30.0])
    alone = benchmark.against_others(_injectors([50, 0], [30.0, 0.4]))
    assert alone.loc[0, "expected"] == pytest.approx(30.0 * 5 / 5.4)  # ~ the model's own expectation
    assert alone.loc[0, "benchmark_var"] == pytest.approx(0.2)  # and a benchmark too uncertain to accuse on


def test_irls_converges_where_a_plain_newton_step_overshoots():
    # a rare term whose events all sit in the least treated area, with many other sparse levels
    rng = np.random.default_rng(11)
    k = 400
    cells = Columns({"area": rng.integers(0, 6, k), "product": rng.integers(0, 5, k), "clinic": rng.integers(0, 3, k),
                     "n": rng.integers(1, 60, k).astype(float)})
    events = np.where(cells["area"] == 5, rng.binomial(cells["n"].astype(int), 0.2), 0).astype(float)
    cells = cells.assign(events=events)
    model = fit_casemix(cells, ("area", "product", "clinic"))
    p = model.predict(cells)
    assert np.all(np.isfinite(model.params)) and np.abs(model.params).max() < 50
    n = cells["n"]
    assert np.sum(n * p) == pytest.approx(events.sum(), rel=0.05)
    assert np.sum((n * p)[cells["area"] == 5]) == pytest.approx(events[cells["area"] == 5].sum(), rel=0.1)


def test_spread_between_injectors_is_near_zero_with_nothing_wrong_and_found_when_real():
    rng = np.random.default_rng(5)
    e = rng.uniform(1, 40, 4000)
    group = rng.integers(0, 200, 4000)
    none = [funnel.centred_between_variance(rng.poisson(e), e, group)[0][0] for _ in range(20)]
    assert abs(float(np.mean(none))) < 0.01
    multiplier = rng.lognormal(-0.5 * 0.09, 0.3, 4000)  # variance of the multiplier about 0.09
    real = [funnel.centred_between_variance(rng.poisson(e * multiplier), e, group)[0][0] for _ in range(10)]
    assert 0.06 < float(np.mean(real)) < 0.13


def test_an_injector_is_judged_against_a_spread_their_own_excess_does_not_widen():
    e = np.array([30.0, 25.0, 20.0, 28.0, 22.0, 26.0])
    o = np.array([95, 24, 21, 27, 23, 25])  # injector 1 three times the others, the others as expected
    injector = np.arange(1, 7)
    sigma2, used = funnel.centred_between_variance(o, e, np.zeros(6), injector)
    assert sigma2[0] < 0.01 and used[0] == 5  # left out of their own estimate
    assert sigma2.max() < 0.01  # nor, trimmed, anyone else's: one unit far out is not spread between injectors


def test_a_group_named_in_advance_gets_half_of_its_familys_share_and_the_weights_average_one():
    control = RunControl()
    control.add("injector", np.full(4900, 0.5))
    control.add("injector", np.r_[2e-5, np.full(99, 0.5)], "tied")
    control.add("lot", [0.5])
    total = control.tests()
    weights = [control.weight("injector")] * 4900 + [control.weight("injector", "tied")] * 100 + [control.weight("lot")]
    assert np.mean(weights) == pytest.approx(1.0)
    assert control.weight("injector", "tied") == pytest.approx(total / (2 * 2 * 100))
    # one of 100 tied tests at 2e-5 acts; the same p among the 4,900 others would not (half the share over 49x more)
    assert control.q_value("injector", 2e-5, "tied") < ACT_RUN_Q
    other = RunControl()
    other.add("injector", np.r_[2e-5, np.full(4899, 0.5)])
    other.add("injector", np.full(100, 0.5), "tied")
    other.add("lot", [0.5])
    assert other.q_value("injector", 2e-5) > ACT_RUN_Q


def test_run_control_with_groups_keeps_any_act_in_a_null_run_below_its_level():
    rng = np.random.default_rng(8)
    runs_with_act = 0
    for _ in range(2000):
        control = RunControl()
        smallest = []
        for family, group, m in (("injector", "", 1400), ("injector", "tied", 60), ("dose", "", 120), ("lot", "", 30)):
            p = rng.random(m)
            control.add(family, p, group)
            smallest.append((family, group, p.min()))
        runs_with_act += any(control.q_value(f, p, g) < ACT_RUN_Q for f, g, p in smallest)
    assert runs_with_act / 2000 <= ACT_RUN_Q * 1.3


def _rare_factor_cells(rng: np.random.Generator) -> Columns:
    # 20,000 treatments over two areas; a factor recorded for 0.3 % of them that changes nothing (term rate 1 %)
    n = np.array([9970.0, 30.0, 9970.0, 30.0])
    rate = np.array([0.01, 0.01, 0.01, 0.01])
    return Columns({"area": np.array([0, 0, 1, 1]), "rare": np.array([0, 1, 0, 1]), "n": n,
                    "events": rng.binomial(n.astype(int), rate).astype(float)})


def test_a_rare_factor_with_nothing_behind_it_is_not_called_more_often_than_its_p_says():
    from dashboard.signals.findings import factor_tests

    rng = np.random.default_rng(21)
    runs, small = 3000, 0
    for _ in range(runs):
        cells = _rare_factor_cells(rng)
        model = fit_casemix(cells, ("area", "rare"), covariance=True)
        tests = factor_tests("bruising", cells, model, ("rare",))
        small += bool(tests) and tests[0].p_value < 1e-3
    # the Wald p alone falls below 1e-3 about three times as often as it should (4 events against 0.6 expected)
    assert small / runs <= 2e-3


def test_a_common_factor_with_more_events_than_its_absence_is_still_tested():
    # a factor on 25 % of treatments that raises the term five-fold: most events are with the factor, so the fit's
    # reference level is "present"; the test must still judge the factor's own effect (it used to be skipped)
    from dashboard.signals.findings import factor_tests

    n = np.array([3750.0, 1250.0, 3750.0, 1250.0])
    cells = Columns({"area": np.array([0, 0, 1, 1]), "heat": np.array([0, 1, 0, 1]), "n": n,
                     "events": np.array([38.0, 62.0, 37.0, 63.0])})
    model = fit_casemix(cells, ("area", "heat"), covariance=True)
    assert model.column("heat", 1) is None  # the situation this test is about
    (test,) = factor_tests("bruising", cells, model, ("heat",))
    assert test.observed == 125 and test.expected == pytest.approx(25.0, rel=0.1)
    assert test.p_value < 1e-10 and test.details["log_odds_ratio"] > 1.5


def test_an_overdosing_band_with_the_most_events_does_not_become_the_usual_expectation():
    # one injector gives 1,100 treatments above the range with a 14 % rate; 2,400 in range at 2 %; the upper half of
    # the range has too few treatments to estimate and shares the reference. Predicted "as if usual" (the band moved
    # into the range), the overdosed treatments must get the in-range rate, not the overdosed one.
    cells = Columns({"dose_band": np.array([1, 2, 4]), "n": np.array([2400.0, 3.0, 1100.0]),
                     "events": np.array([48.0, 0.0, 154.0])})
    default = fit_casemix(cells, ("dose_band",))
    usual = cells.assign(dose_band=np.array([1, 2, 2]))
    assert default.predict(usual)[2] > 0.1  # the old choice: the reference is the band with the most events
    model = fit_casemix(cells, ("dose_band",), reference={"dose_band": (1, 2)})
    assert model.predict(usual)[2] == pytest.approx(0.02, rel=0.15)
    assert model.predict(cells)[2] == pytest.approx(0.14, rel=0.05)  # the fit itself is unchanged
