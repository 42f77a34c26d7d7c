"""Calibration: scoring signals against planted problems, the command, and the quality gate on random clinics."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from tests.conftest import ROOT
from tests.support.calibration import (
    ClinicResult,
    calibrate,
    clopper_pearson,
    evaluate,
    points_at,
    right_kind,
    summarise,
)
from tests.support.scenarios import Lookalike, Problem, Scenario
from tools.calibrate import parse_treatments


def _signal(**kw: object) -> dict:
    base = {"kind": "placement", "level": "act", "term": "eyelid_ptosis", "injector": None, "area": None,
            "product": None, "lot": None, "factor": None, "clinic": None, "window_start": None, "window_end": None,
            "also_terms": [], "observed": 10, "expected": 2.0, "p_value": 1e-6}
    return base | kw


PLACEMENT = Problem("placement", "eyelid_ptosis", 3.0, 12.0, injector="Dr A", area="glabella")
LOT = Problem("product_lot", "drug_ineffective", 4.0, 20.0, product="ona", lot="L1",
              window_start=date(2026, 1, 1), window_end=date(2026, 3, 1))
BURST = Problem("time_cluster", "injection_site_infection", 5.0, 10.0, clinic="North",
                window_start=date(2026, 4, 1), window_end=date(2026, 4, 12))


def test_a_signal_points_at_a_problem_by_its_unit_and_term():
    assert points_at(_signal(injector="Dr A", area="glabella"), PLACEMENT)
    assert not points_at(_signal(injector="Dr B", area="glabella"), PLACEMENT)
    assert not points_at(_signal(injector="Dr A", term="headache"), PLACEMENT)
    assert points_at(_signal(injector="Dr A", term="headache", also_terms=["eyelid_ptosis"]), PLACEMENT)
    assert points_at(_signal(kind="product_lot", term="drug_ineffective", lot="L1"), LOT)
    assert points_at(_signal(kind="time_cluster", term="injection_site_infection", clinic="North",
                             window_start="2026-04-05", window_end="2026-04-20"), BURST)
    assert not points_at(_signal(kind="time_cluster", term="injection_site_infection", clinic="South",
                                 window_start="2026-04-05", window_end="2026-04-20"), BURST)
    assert not points_at(_signal(kind="time_cluster", term="injection_site_infection",
                                 window_start="2026-05-05", window_end="2026-05-20"), BURST)


def test_right_kind_needs_the_cause_and_for_placement_the_area():
    assert right_kind(_signal(injector="Dr A", area="glabella"), PLACEMENT)
    assert not right_kind(_signal(injector="Dr A", area="forehead"), PLACEMENT)
    assert not right_kind(_signal(kind="dosing", injector="Dr A", area="glabella"), PLACEMENT)


def test_evaluate_counts_false_act_and_lookalike_hits():
    scenario = Scenario(seed=1, planted=True, treatments=1000, frames={}, problems=[PLACEMENT],
                        lookalikes=[Lookalike("specialist", injector="Dr S")], description={})
    signals = [_signal(injector="Dr A", area="glabella"),
               _signal(injector="Dr S", area="masseter", term="masticatory_weakness"),
               _signal(level="watch", injector="Dr T", area="glabella")]
    result = evaluate(scenario, signals)
    assert result.problems[0]["found_act"] and result.problems[0]["kind_right"]
    assert [s["injector"] for s in result.false_act] == ["Dr S"]
    assert result.lookalike_act == ["specialist"]
    assert (result.act, result.watch) == (2, 1)


def test_summary_has_the_calibration_format():
    null = ClinicResult(1, False, 5000, 1, 0, 1, false_act=[{"kind": "placement"}], lookalike_act=["specialist"])
    quiet = ClinicResult(2, False, 5000, 0, 0, 0)
    planted = ClinicResult(3, True, 5000, 1, 0, 1, problems=[
        {"kind": "placement", "term": "eyelid_ptosis", "rate_ratio": 3.5, "expected_events": 12.0,
         "found": True, "kind_right": True, "found_act": True, "detail": ""}])
    out = summarise([null, quiet, planted], 12.0)
    assert out["format"] == "injectwatch-calibration/1"
    assert out["null"]["clinics"] == 2 and out["null"]["clinics_with_act"] == 1 and out["null"]["act_rate"] == 0.5
    assert out["null"]["lookalike_act"] == {"specialist": 1}
    assert out["planted"]["by_kind"]["placement"] == {"problems": 1, "found": 1, "found_act": 1, "kind_right": 1}
    assert out["planted"]["by_effect"] == [{"rate_ratio_band": "3-6", "expected_events_band": "10-20",
                                            "problems": 1, "found": 1, "found_act": 1}]


def test_clopper_pearson_matches_published_values():
    assert clopper_pearson(0, 100) == [0.0, 0.0362]
    assert clopper_pearson(5, 100) == [0.0164, 0.1128]


@pytest.mark.parametrize("text, expected", [("20000", (20000, 20000)), ("10000-50000", (10000, 50000))])
def test_treatments_number_or_range(text: str, expected: tuple[int, int]):
    assert parse_treatments(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "50000-10000", "100", "9000000"])
def test_bad_treatments_are_refused_plainly(text: str):
    with pytest.raises(ValueError, match="--treatments"):
        parse_treatments(text)


def test_command_prints_the_json_and_refuses_bad_arguments(tmp_path):
    cmd = [sys.executable, "-m", "dashboard", "calibrate", "--null", "1", "--planted", "1", "--treatments", "2500",
           "--seed", "5", "--details", str(tmp_path / "clinics.json")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["null"]["clinics"] == 1 and out["planted"]["clinics"] == 1
    assert out["planted"]["problems"] >= 1 and "seconds" in out
    assert "1/2 clinics" in done.stderr and "2/2 clinics" in done.stderr
    assert len(json.loads((tmp_path / "clinics.json").read_text())) == 2
    bad = subprocess.run([sys.executable, "-m", "dashboard", "calibrate", "--treatments", "x"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "give a number" in bad.stderr and "Traceback" not in bad.stderr


# The quality gate. The full calibration (README "Calibration": 100 null and 100 planted clinics of 10,000-50,000
# treatments, seed 2026) gave 2 % of null clinics with an act and 99 % of found problems with the right kind. This
# run of 20 + 20 clinics of 5,000 treatments (seed 2026, deterministic) gave 0 of 20 null clinics with an act, 14 of
# 63 planted problems found at act with the right kind (small clinics: most problems have few expected events) and
# 25 of 25 found with the right kind. It fails when the engine drifts past these margins.
GATE_NULL_WITH_ACT = 2  # of 20 null clinics
GATE_MIN_FOUND_ACT_SHARE = 0.15  # of the planted problems, found at act with the right kind (0.22 measured)
GATE_MIN_KIND_RIGHT_SHARE = 0.90  # of the problems found, given the right kind (1.0 measured)


@pytest.mark.slow
def test_calibration_on_random_clinics_stays_within_its_margins():
    out = calibrate(20, 20, (5000, 5000), seed=2026)
    null, planted = out["null"], out["planted"]
    assert null["clinics_with_act"] <= GATE_NULL_WITH_ACT, json.dumps(null)
    assert planted["found_act"] >= GATE_MIN_FOUND_ACT_SHARE * planted["problems"], json.dumps(planted)
    assert planted["kind_right"] >= GATE_MIN_KIND_RIGHT_SHARE * planted["found"], json.dumps(planted)
