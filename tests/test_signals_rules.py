"""Level and kind rules on small hand-made inputs: the CUSUM never acts alone, dose-response decides dosing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.signals import classify
from dashboard.signals.control import RunControl
from dashboard.signals.findings import Finding, dose_findings, injector_findings
from dashboard.stats.doseresponse import dose_response


def _funnel(observed_first: int, injectors: int = 10, expected: float = 5.0) -> pd.DataFrame:
    """One area x term with `injectors` injectors at their expected count, the first one at observed_first."""
    obs = [observed_first] + [int(expected)] * (injectors - 1)
    return pd.DataFrame({"injector_id": range(1, injectors + 1), "area": "glabella", "term": "eyelid_ptosis",
                         "observed": obs, "expected": expected, "treatments": 400, "n_out": 0, "observed_out": 0,
                         "expected_out": 0.0})


def _graded(family, *args) -> list[Finding]:
    """Run one family with its own run-wide control (the only family of the run) and grade act over it."""
    control = RunControl()
    found = family(*args, control)
    control.grade(found)
    return found


HIT = {(1, "glabella", "eyelid_ptosis"): {"h": 4.0, "arl0": 1e5, "first_signal_day": "2025-06-01"}}


@pytest.mark.parametrize("observed", [9, 12])
def test_cusum_alarm_without_the_funnel_act_criteria_is_watch(observed: int):
    # 12 vs 5 expected: p ~ 0.005, 3 or more cases, so the old rule (alarm, >= 3 cases, p < 0.05) acted on it,
    # though p x 10 tests is above 0.01 and the q-value is not below 0.05
    found = {f.injector_id: f for f in _graded(injector_findings, _funnel(observed), HIT)}
    assert found[1].level == "watch"
    assert "CUSUM alarm" in found[1].method


def test_cusum_alarm_with_the_funnel_act_criteria_acts():
    found = {f.injector_id: f for f in _graded(injector_findings, _funnel(25), HIT)}
    assert found[1].level == "act"
    no_alarm = {f.injector_id: f for f in _graded(injector_findings, _funnel(25), {})}
    assert no_alarm[1].level == "act", "act comes from the funnel criteria, with or without an alarm"


def test_dose_response_is_one_sided_and_adjusted_for_case_mix():
    dose = np.array([0.5, 0.85, 1.2, 1.7])
    n = np.array([4000, 1300, 400, 200])
    rising = dose_response(dose, n, [40, 13, 12, 10], [40, 13, 4, 2])
    assert rising.logistic_p < 1e-4 and rising.ca_p < 1e-4 and rising.slope > 0
    assert dose_response(dose, n, [40, 13, 12, 10], [40, 13, 4, 2], increasing=False).logistic_p > 0.99
    # the same raw rise, fully expected from the case mix: no dose-response beyond it
    explained = dose_response(dose, n, [40, 13, 12, 10], [40, 13, 12, 10])
    assert explained.logistic_p > 0.3 and explained.ca_p < 1e-4
    falling = dose_response([0.3, 0.6, 0.9], [300, 2000, 1000], [30, 20, 10], [3, 20, 10], increasing=False)
    assert falling.logistic_p < 1e-6
    assert dose_response([1.0, 1.0], [10, 10], [1, 0]) is None


def _bands(observed: list[int], expected: list[float]) -> pd.DataFrame:
    n = [4000, 1300, 400, 200]
    return pd.DataFrame({"area": "glabella", "product": "ona", "term": "eyelid_ptosis", "dose_band": [1, 2, 3, 4],
                         "n": n, "o": observed, "e": expected, "wr": np.array([0.5, 0.85, 1.2, 1.7]) * n})


def test_dose_finding_acts_with_a_dose_response_and_says_so():
    [f] = _graded(dose_findings, _bands([40, 13, 12, 10], [40.0, 13.0, 4.0, 2.0]))
    assert f.level == "act" and f.details["direction"] == "above"
    assert "logistic regression LR test" in f.method and "Cochran-Armitage" in f.method


def _context(products: pd.DataFrame, bands: pd.DataFrame) -> classify.Context:
    empty = pd.DataFrame()
    return classify.Context(names={}, injector_products=products, breakdown=lambda *a: empty,
                            dose_breakdown=lambda *a: empty, window_units=lambda *a: empty,
                            injector_doses=lambda *a: bands)


def _injector(observed: int, expected: float, observed_out: int, expected_out: float) -> Finding:
    f = Finding("injector", "eyelid_ptosis", observed, expected, 1800, 1e-6, "funnel", injector_id=6, area="glabella")
    f.details.update({"observed_out": observed_out, "expected_out": expected_out})
    return f


def _doses(observed: list[int], expected: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"dose_band": [1, 2, 3, 4], "treatments": [900, 300, 400, 200], "observed": observed,
                         "expected": expected, "dose": [0.5, 0.85, 1.2, 1.7]})


def test_excess_on_above_range_doses_rising_with_units_is_dosing():
    products = pd.DataFrame({"injector_id": [6, 6], "area": "glabella", "product": ["ona", "abo"],
                             "treatments": [1500, 300], "below": [0, 0], "above": [600, 0]})
    f = _injector(36, 23.0, 27, 9.0)
    classify.classify_injector(f, _context(products, _doses([5, 4, 12, 15], [9.5, 4.5, 5.5, 3.5])))
    assert (f.kind, f.product, f.details["direction"]) == ("dosing", "ona", "above")
    assert "dose-response within the injector" in f.method


def test_uniform_excess_with_many_above_range_doses_is_placement():
    # 60 % of the doses above the range and 60 % of the excess there, but the same 3x at every dose: placement
    products = pd.DataFrame({"injector_id": [6], "area": "glabella", "product": ["ona"], "treatments": [1800],
                             "below": [0], "above": [1080]})
    f = _injector(60, 20.0, 36, 12.0)
    classify.classify_injector(f, _context(products, _doses([15, 9, 21, 15], [5.0, 3.0, 7.0, 5.0])))
    assert f.kind == "placement"


def test_another_event_of_a_dosing_injector_joins_the_dosing_signal():
    # eyelid ptosis rises with units (dosing); the sensory disorder's excess is also mostly on the above-range doses
    # but shows no clear dose-response on its own: it is the same dosing problem, not a separate placement signal
    products = pd.DataFrame({"injector_id": [6], "area": "glabella", "product": ["ona"], "treatments": [1800],
                             "below": [0], "above": [600]})
    bands = {"eyelid_ptosis": _doses([5, 4, 12, 15], [9.5, 4.5, 5.5, 3.5]),
             "eyelid_sensory_disorder": _doses([10, 6, 12, 4], [9.0, 3.0, 5.0, 3.0])}
    empty_breakdown = pd.DataFrame({"injector_id": pd.Series(dtype=int), "lot_id": pd.Series(dtype=int),
                                    "observed": pd.Series(dtype=int)})
    ctx = classify.Context(names={}, injector_products=products, breakdown=lambda *a: empty_breakdown,
                           dose_breakdown=lambda *a: pd.DataFrame(), window_units=lambda *a: pd.DataFrame(),
                           injector_doses=lambda i, a, t: bands[t])
    ptosis = _injector(36, 23.0, 27, 9.0)
    sensory = _injector(32, 20.0, 16, 8.0)
    sensory.term, sensory.p_value = "eyelid_sensory_disorder", 1e-4
    alone = _injector(32, 20.0, 16, 8.0)
    alone.term = "eyelid_sensory_disorder"
    classify.classify_injector(alone, ctx)
    assert alone.kind == "placement", "no dose-response of its own"
    [signal] = classify.merge_findings({"injector": [ptosis, sensory]}, ctx)
    assert signal.kind == "dosing" and signal.term == "eyelid_ptosis"
    assert classify.also_terms(signal) == ["eyelid_sensory_disorder"]
