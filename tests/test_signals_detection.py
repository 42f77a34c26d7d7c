"""Detection on demo clinics: planted problems found with the right kind, look-alikes and null clinics quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core.db import open_database
from dashboard.demo.planted import LOOKALIKES, PLANTED
from dashboard.signals.detect import run_signals
from tests.test_signals_support import evaluate, load_clinic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_signals(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    path = Path(tmp_path_factory.mktemp("demo")) / "clinic.duckdb"
    load_clinic(path, 20000, 1)
    db = open_database(path)
    try:
        return run_signals(db)["signals"]
    finally:
        db.close()


@pytest.mark.parametrize("problem", PLANTED, ids=lambda p: p["id"])
def test_planted_problem_found_with_right_kind(demo_signals, problem):
    result = evaluate(demo_signals, [problem])
    assert result["found"][problem["id"]], [(s["kind"], s["term"], s["injector"], s["lot"]) for s in demo_signals]


@pytest.mark.parametrize("problem", [p for p in PLANTED if p["kind"] == "dosing"], ids=lambda p: p["id"])
def test_dosing_signal_shows_its_dose_response(demo_signals, problem):
    from tests.test_signals_support import matches

    [signal] = [s for s in demo_signals if matches(s, problem)]
    assert "logistic regression LR test" in signal["method"] and "Cochran-Armitage" in signal["method"]


def test_each_planted_problem_is_one_signal(demo_signals):
    from tests.test_signals_support import matches

    for p in PLANTED:
        assert sum(1 for s in demo_signals if matches(s, p)) <= 1, p["id"]


@pytest.mark.parametrize("look", LOOKALIKES, ids=lambda p: p["id"])
def test_lookalikes_do_not_raise_act(demo_signals, look):
    from tests.test_signals_support import matches

    assert not [s for s in demo_signals if s["level"] == "act" and matches(s, look)]


def test_no_false_act_on_the_demo(demo_signals):
    assert evaluate(demo_signals, PLANTED)["false_act_excluding_real_risk_factors"] == 0


@pytest.mark.parametrize("seed", [11, 12])
def test_clinic_without_planted_problems_raises_no_act(tmp_path: Path, seed: int):
    path = tmp_path / "null.duckdb"
    load_clinic(path, 20000, seed, null=True)
    db = open_database(path)
    try:
        signals = run_signals(db)["signals"]
    finally:
        db.close()
    result = evaluate(signals, [])
    assert result["false_act_excluding_real_risk_factors"] == 0, result["false_act_list"]


def test_same_data_same_signals(tmp_path: Path):
    path = tmp_path / "clinic.duckdb"
    load_clinic(path, 6000, 3)
    db = open_database(path)
    try:
        a, b = run_signals(db), run_signals(db)
    finally:
        db.close()
    assert a["signals"] == b["signals"]
