"""The calibration scenario generator (tests/support/scenarios.py): deterministic, spec-shaped, importable
without quarantine, honest about what it planted, and with look-alikes in every clinic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.core.config import RISK_FACTORS
from dashboard.core.db import Database
from dashboard.core.reference_data import build_tables
from dashboard.demo.generator import EVENT_COLUMNS, INJECTION_COLUMNS, TREATMENT_COLUMNS
from dashboard.importer import import_frames
from tests.support.scenarios import Problem, Scenario, generate_scenario

KINDS = {"placement", "dosing", "product_lot", "time_cluster", "patient_factor"}


@pytest.fixture(scope="module")
def planted() -> Scenario:
    """A planted clinic of 3,000 treatments with six problems."""
    return generate_scenario(7, 3000, planted=True, problems=6)


@pytest.fixture(scope="module")
def null() -> Scenario:
    """A null clinic of 5,000 treatments."""
    return generate_scenario(7, 5000, planted=False)


@pytest.fixture(scope="module")
def many() -> list[Scenario]:
    """Planted clinics of 8,000 treatments with six problems each (every kind among them)."""
    return [generate_scenario(seed, 8000, planted=True, problems=6) for seed in range(100, 106)]


def _usual() -> pd.DataFrame:
    return build_tables().area_doses.set_index(["area", "product"])[["usual_lo", "usual_hi"]]


def _area_totals(sc: Scenario) -> pd.DataFrame:
    """Units per treatment x area with the treatment's injector and product and the usual range."""
    inj = sc.frames["injections"]
    tot = inj.groupby(["treatment_id", "area"], as_index=False)["units"].sum()
    tot = tot.merge(sc.frames["treatments"][["treatment_id", "injector", "product"]], on="treatment_id")
    return tot.join(_usual(), on=["area", "product"])


def _events_per_treatment(sc: Scenario, term: str) -> pd.Series:
    ev = sc.frames["events"]
    counts = ev.loc[ev["term"] == term, "treatment_id"].value_counts()
    return counts.reindex(sc.frames["treatments"]["treatment_id"]).fillna(0).set_axis(
        sc.frames["treatments"].index)


def _groups(sc: Scenario, p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Return (affected, comparable others) treatment masks for a problem, from the frames alone."""
    t = sc.frames["treatments"]
    if p.kind in ("placement", "dosing"):
        same = np.ones(len(t), dtype=bool) if p.product is None else (t["product"] == p.product).to_numpy()
        if p.term != "drug_ineffective":
            inj = sc.frames["injections"]
            in_area = t["treatment_id"].isin(inj.loc[inj["area"] == p.area, "treatment_id"]).to_numpy()
            same = same & in_area
        mine = (t["injector"] == p.injector).to_numpy()
        return same & mine, same & ~mine
    if p.kind == "product_lot":
        lot = (t["lot"] == p.lot).to_numpy()
        return lot, (t["product"] == p.product).to_numpy() & ~lot & t["lot"].notna().to_numpy()
    if p.kind == "time_cluster":
        day = pd.to_datetime(t["treated_at"]).dt.date
        here = np.ones(len(t), dtype=bool) if p.clinic is None else (t["clinic"] == p.clinic).to_numpy()
        inside = ((day >= p.window_start) & (day <= p.window_end)).to_numpy()
        return here & inside, here & ~inside
    col = t[str(p.factor)]
    return col.eq(True).fillna(False).to_numpy(dtype=bool), col.eq(False).fillna(False).to_numpy(dtype=bool)


def _ratio(sc: Scenario, p: Problem) -> float:
    affected, others = _groups(sc, p)
    n = _events_per_treatment(sc, p.term).to_numpy()
    return float(n[affected].mean() / max(n[others].mean(), 1e-9))


def test_same_seed_gives_identical_frames() -> None:
    a = generate_scenario(3, 2500, planted=True)
    b = generate_scenario(3, 2500, planted=True)
    for name in ("treatments", "injections", "events"):
        pd.testing.assert_frame_equal(a.frames[name], b.frames[name])
    assert a.problems == b.problems and a.lookalikes == b.lookalikes and a.description == b.description
    c = generate_scenario(4, 2500, planted=True)
    assert not a.frames["treatments"]["treated_at"].equals(c.frames["treatments"]["treated_at"])


def test_null_and_planted_share_the_world() -> None:
    a = generate_scenario(5, 2500, planted=False)
    b = generate_scenario(5, 2500, planted=True)
    pd.testing.assert_frame_equal(a.frames["treatments"], b.frames["treatments"])
    assert a.description == b.description


def test_columns_are_spec_section_1(planted: Scenario, null: Scenario) -> None:
    for sc in (planted, null):
        assert list(sc.frames["treatments"].columns) == TREATMENT_COLUMNS
        assert list(sc.frames["injections"].columns) == INJECTION_COLUMNS
        assert list(sc.frames["events"].columns) == EVENT_COLUMNS


@pytest.mark.parametrize("n", [2000, 3001, 12345])
def test_treatment_count_is_exact(n: int) -> None:
    sc = generate_scenario(n, n, planted=True)
    assert len(sc.frames["treatments"]) == n == sc.treatments


def test_ids_unique_and_dates_in_range(planted: Scenario) -> None:
    t, e = planted.frames["treatments"], planted.frames["events"]
    assert t["treatment_id"].is_unique and e["event_id"].is_unique
    treated = pd.to_datetime(t["treated_at"])
    assert treated.max() < pd.Timestamp("2026-11-30") and treated.min() >= pd.Timestamp("2023-11-01")
    span = (treated.max() - treated.min()).days
    assert 300 <= span <= 3 * 366
    onset = pd.to_datetime(e["onset_at"], format="mixed")
    when = pd.to_datetime(e["treatment_id"].map(t.set_index("treatment_id")["treated_at"]))
    assert (onset.dt.normalize() >= when.dt.normalize()).all()
    assert ((onset - when).dt.days <= 365).all()
    units = planted.frames["injections"]["units"]
    assert (units > 0).all() and (units <= 1000).all()


def test_imports_without_quarantine(db: Database, planted: Scenario) -> None:
    result = import_frames(db, planted.frames, source="scenario 7", actor="test")
    assert result.quarantined == 0, result.summary()
    for name, frame in planted.frames.items():
        assert result.files[name].imported == len(frame), name
    assert result.warnings == []


def test_null_clinic_has_no_problems_and_factors_are_independent(null: Scenario) -> None:
    assert null.problems == [] and not null.planted
    t = null.frames["treatments"]
    related = {r.code: [x for x in str(r.related_terms).split(",") if x] for r in build_tables().risk_factors.itertuples()}
    checked = 0
    for factor in RISK_FACTORS:
        on = t[factor].eq(True).fillna(False).to_numpy(dtype=bool)
        off = t[factor].eq(False).fillna(False).to_numpy(dtype=bool)
        if on.sum() < 150:
            continue
        for term in related[factor]:
            n = _events_per_treatment(null, term).to_numpy()
            if n[off].mean() * on.sum() < 8:
                continue
            checked += 1
            assert 0.4 < n[on].mean() / n[off].mean() < 2.2, (factor, term)
    assert checked >= 2


def test_generate_refuses_problems_in_a_null_clinic() -> None:
    with pytest.raises(ValueError):
        generate_scenario(1, 2000, planted=False, problems=2)


def test_planted_problems_are_described(many: list[Scenario]) -> None:
    kinds = set()
    for sc in many:
        assert 1 <= len(sc.problems) <= 6
        for p in sc.problems:
            kinds.add(p.kind)
            assert p.kind in KINDS and 1.0 < p.rate_ratio <= 6.0 and p.expected_events > 1.0
            if p.kind in ("placement", "dosing"):
                assert p.injector and p.area
            if p.kind == "product_lot":
                assert p.lot and p.product
            if p.kind == "time_cluster":
                assert isinstance(p.window_start, date) and isinstance(p.window_end, date)
                assert 5 <= (p.window_end - p.window_start).days + 1 <= 30
            if p.kind == "patient_factor":
                assert p.factor in RISK_FACTORS
    assert kinds == KINDS
    sizes = [p.expected_events for sc in many for p in sc.problems]
    assert min(sizes) < 10 <= max(sizes)


def test_planted_problems_show_in_the_raw_data(many: list[Scenario]) -> None:
    checked = 0
    for sc in many:
        for p in sc.problems:
            if p.expected_events >= 8 and p.rate_ratio >= 2:
                checked += 1
                assert _ratio(sc, p) > 1.3, p
    assert checked >= 5


def test_overdosing_lands_above_the_usual_range_and_practice_stays_inside(many: list[Scenario],
                                                                         null: Scenario) -> None:
    tot = _area_totals(null)
    out = ((tot["units"] < tot["usual_lo"]) | (tot["units"] > tot["usual_hi"])).mean()
    assert 0.002 < out < 0.1
    seen = 0
    for sc in many:
        for p in sc.problems:
            if p.kind != "dosing":
                continue
            tot = _area_totals(sc)
            mine = tot[(tot["injector"] == p.injector) & (tot["area"] == p.area)]
            if p.product:
                mine = mine[mine["product"] == p.product]
            seen += 1
            if p.term == "drug_ineffective":
                assert (mine["units"] < mine["usual_lo"]).mean() > 0.5, p
            else:
                assert (mine["units"] > mine["usual_hi"]).mean() > 0.8, p
    assert seen >= 2


def test_lookalikes_in_every_clinic(planted: Scenario, null: Scenario) -> None:
    for sc in (planted, null):
        kinds = {x.kind for x in sc.lookalikes}
        assert {"specialist", "newcomer", "small_lot", "rare_term", "high_volume"} <= kinds
        t, inj = sc.frames["treatments"], sc.frames["injections"]
        for look in sc.lookalikes:
            if look.kind == "specialist":
                areas = set(inj.loc[inj["treatment_id"].isin(t.loc[t["injector"] == look.injector, "treatment_id"]),
                                    "area"])
                assert areas and areas <= set(look.note.split(";")[0].removeprefix("only ").split(", "))
            if look.kind == "newcomer":
                mine = pd.to_datetime(t.loc[t["injector"] == look.injector, "treated_at"])
                assert 0 < len(mine) <= 150
                assert mine.min() > pd.to_datetime(t["treated_at"]).quantile(0.5)
            if look.kind == "small_lot":
                assert 1 <= (t["lot"] == look.lot).sum() <= 12
            if look.kind == "rare_term":
                assert (sc.frames["events"]["term"] == look.term).sum() <= 80
        planted_on = {p.injector for p in sc.problems} | {p.lot for p in sc.problems}
        assert not planted_on & {x.injector for x in sc.lookalikes if x.injector}
        assert not planted_on & {x.lot for x in sc.lookalikes if x.lot}


def test_patients_return_and_keep_their_details(null: Scenario) -> None:
    t = null.frames["treatments"]
    per = t.groupby("patient_ref")
    assert (per["patient_birth_year"].nunique() <= 1).all() and (per["patient_sex"].nunique() <= 1).all()
    assert t["patient_ref"].duplicated().mean() > 0.2
    assert (t["patient_sex"] == "F").mean() > 0.6
    gaps = pd.to_datetime(t["treated_at"]).groupby(t["patient_ref"]).diff().dt.days.dropna()
    assert gaps.between(60, 230).mean() > 0.9


def test_events_with_and_without_area(null: Scenario) -> None:
    ev = null.frames["events"]
    session = ev["term"].isin(["drug_ineffective", "headache", "influenza_like_illness", "nausea"])
    assert ev.loc[session, "area"].isna().mean() > 0.8
    assert len(ev) > 0.05 * len(null.frames["treatments"])


def test_fifty_thousand_treatments_exactly() -> None:
    # how fast the generator is shows in `calibrate`'s printed seconds, not in a timed test
    sc = generate_scenario(11, 50_000, planted=True)
    assert len(sc.frames["treatments"]) == 50_000
    assert sc.frames["treatments"]["treatment_id"].is_unique
