"""The demo generator: determinism, the spec shape of its frames, valid values and realistic rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.core.config import AREAS, CAUSALITY, DEPTHS, OUTCOMES, PRODUCTS, RISK_FACTORS, SERIOUSNESS, SEXES, SIDES
from dashboard.core.reference_data import build_tables
from dashboard.demo import catalog
from dashboard.demo.events import CATEGORY, REPORT_G1, REPORT_G1_DEFAULT, SEVERITY, SYSTEMIC
from dashboard.demo.generator import generate
from dashboard.importer.spec import column_names
from tools.csvout import as_text, write_dataset


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return generate(20000, 1)


def test_same_seed_gives_identical_frames() -> None:
    a, b = generate(3000, 5), generate(3000, 5)
    for name in ("treatments", "injections", "events"):
        pd.testing.assert_frame_equal(a[name], b[name])


def test_different_seed_gives_different_data() -> None:
    a, b = generate(3000, 5), generate(3000, 6)
    assert not a["treatments"]["treated_at"].equals(b["treatments"]["treated_at"])
    assert not a["events"]["term"].equals(b["events"]["term"])


def test_frames_have_exactly_the_spec_columns(frames: dict[str, pd.DataFrame]) -> None:
    for name in ("treatments", "injections", "events"):
        assert list(frames[name].columns) == list(column_names(name))


def test_requested_number_of_treatments_and_unique_ids(frames: dict[str, pd.DataFrame]) -> None:
    t, i, e = frames["treatments"], frames["injections"], frames["events"]
    assert len(t) == 20000
    assert t["treatment_id"].is_unique and e["event_id"].is_unique
    assert set(i["treatment_id"]) == set(t["treatment_id"])  # every session has at least one area
    assert set(e["treatment_id"]) <= set(t["treatment_id"])
    assert i.duplicated(["treatment_id", "area", "side"]).sum() == 0


def test_codes_are_valid(frames: dict[str, pd.DataFrame]) -> None:
    t, i, e = frames["treatments"], frames["injections"], frames["events"]
    terms = set(build_tables().terms["code"])
    assert set(t["product"]) == set(PRODUCTS)  # all six products are used
    assert set(t["patient_sex"].dropna()) <= set(SEXES)
    assert set(i["area"]) == set(AREAS)
    assert set(i["side"]) <= set(SIDES)
    assert set(i["depth"].dropna()) <= set(DEPTHS)
    assert set(e["term"]) <= terms
    assert set(e["seriousness"].dropna()) <= set(SERIOUSNESS)
    assert set(e["outcome"]) <= set(OUTCOMES)
    assert set(e["causality"].dropna()) <= set(CAUSALITY)
    assert set(e["side"].dropna()) <= set(SIDES)
    assert set(e["area"].dropna()) <= set(AREAS)
    for col in RISK_FACTORS:
        assert str(t[col].dtype) == "boolean"


def test_no_impossible_values(frames: dict[str, pd.DataFrame]) -> None:
    t, i, e = frames["treatments"], frames["injections"], frames["events"]
    today = pd.Timestamp("2026-11-25")
    assert t["treated_at"].max() < today and t["treated_at"].min() >= pd.Timestamp(catalog.PERIOD_START)
    assert (t["treated_at"].max() - t["treated_at"].min()).days >= 730  # two years or more
    assert t["patient_birth_year"].between(1900, 2026).all()
    assert t["vial_units"].dropna().between(1, 1000).all()
    assert ((t["diluent_ml"].dropna() > 0) & (t["diluent_ml"].dropna() <= 20)).all()
    assert (t["reconstituted_at"].dropna() <= t.loc[t["reconstituted_at"].notna(), "treated_at"]).all()
    assert ((i["units"] > 0) & (i["units"] <= 1000)).all()
    assert (i["points"].dropna() >= 1).all()
    assert ((i["volume_ml"].dropna() > 0) & (i["volume_ml"].dropna() <= 50)).all()
    treated = e["treatment_id"].map(t.set_index("treatment_id")["treated_at"])
    assert (e["onset_at"] >= treated).all()
    assert ((e["onset_at"] - treated).dt.days <= 365).all()
    assert e["onset_at"].max() < today and e["reported_at"].max() < today
    assert (e["reported_at"] >= e["onset_at"]).all()
    resolved = e["resolved_at"].notna()
    assert (e.loc[resolved, "resolved_at"] >= e.loc[resolved, "onset_at"]).all()
    assert (e.loc[resolved, "resolved_at"] < today).all()
    assert e["severity"].between(1, 5).all()
    serious = e["serious"].fillna(False).astype(bool)
    assert e.loc[serious, "seriousness"].notna().all()
    assert e.loc[~serious, "seriousness"].isna().all()
    assert (e["action_taken"].dropna().str.len() <= 500).all()
    assert (e["narrative"].dropna().str.len() <= 4000).all()


def test_realistic_chain_shape(frames: dict[str, pd.DataFrame]) -> None:
    t, i, e = frames["treatments"], frames["injections"], frames["events"]
    assert t["clinic"].nunique() >= 3
    per_injector = t["injector"].value_counts()
    assert per_injector.size >= 10
    assert per_injector.max() > 3 * per_injector[per_injector > 100].min()  # very different volumes
    share = t["product"].value_counts(normalize=True)
    assert share.index[0] == "ona" and 0.3 < share["ona"] < 0.5 and share.min() > 0.03
    areas_per_session = i.drop_duplicates(["treatment_id", "area"]).groupby("treatment_id").size().mean()
    assert 1.7 < areas_per_session < 2.6
    assert 0.12 < len(e) / len(t) < 0.35
    lot_span = t.groupby("lot")["treated_at"].agg(["min", "max"])
    months = (lot_span["max"] - lot_span["min"]).dt.days / 30.4
    assert t["lot"].nunique() > 30 and 1.5 < months.median() < 8  # lots come and go
    injectors_per_lot = t.groupby("lot")["injector"].nunique()
    assert injectors_per_lot.median() >= 3  # shared across injectors
    ac = t["anticoagulant"].mean()
    assert 0.02 < ac < 0.12
    assert 0.0 < e["serious"].mean() < 0.03  # seriousness is rare
    assert (e["severity"] == 1).mean() > 0.4


def _expected_reported(t: pd.DataFrame, i: pd.DataFrame) -> dict[str, float]:
    """Reference baseline per term for these sessions, times the generator's reporting fraction."""
    ref = build_tables()
    culture = t["clinic"].map(catalog.CLINIC_REPORTING).to_numpy()
    mean_culture = float(culture.mean())

    def reported(term: str, sevmin: int) -> float:
        probs = np.array(SEVERITY[CATEGORY.get(term, "local")])
        if sevmin >= 3:
            return 1.0
        g1 = REPORT_G1.get(term, REPORT_G1_DEFAULT)
        return float(probs[0] * g1 * mean_culture + probs[1] * max(g1, 0.85) * mean_culture + probs[2:].sum())

    rows = i.drop_duplicates(["treatment_id", "area"])["area"].value_counts()
    out: dict[str, float] = {}
    for rec in ref.area_events.itertuples(index=False):
        if rec.term in SYSTEMIC:
            continue
        out[rec.term] = out.get(rec.term, 0.0) + rows.get(rec.area, 0) * rec.p * reported(rec.term, rec.severity_min)
    common = ref.area_events[(ref.area_events["area"] == "glabella") & ref.area_events["term"].isin(SYSTEMIC)]
    for rec in common.itertuples(index=False):
        out[rec.term] = out.get(rec.term, 0.0) + len(t) * rec.p * reported(rec.term, rec.severity_min)
    return out


def test_baseline_rates_match_the_reference_outside_planted_problems() -> None:
    f = generate(60000, 3)
    t, i, e = f["treatments"], f["injections"], f["events"]
    from dashboard.demo import planted as pl

    planted_injectors = {"Dr Marcus Reid", "Dr Lena Hoffmann", "Dr Sofia Marin", "Dr Noah Brennan"}
    clean = (~t["injector"].isin(planted_injectors) & (t["lot"] != pl.SUBPOTENT_LOT)
             & (t["clinic"] != pl.OUTBREAK_CLINIC) & ~t["anticoagulant"].fillna(False).astype(bool)
             & (t["treated_at"] < pd.Timestamp("2026-09-01")))
    t = t[clean]
    ids = set(t["treatment_id"])
    i = i[i["treatment_id"].isin(ids)]
    e = e[e["treatment_id"].isin(ids)]
    expected = _expected_reported(t, i)
    observed = e["term"].value_counts()
    checked = 0
    for term, exp in expected.items():
        if exp < 60:
            continue
        checked += 1
        assert 0.75 * exp <= observed.get(term, 0) <= 1.3 * exp, (term, observed.get(term, 0), round(exp, 1))
    assert checked >= 12


def test_csv_text_shape(tmp_path, frames: dict[str, pd.DataFrame]) -> None:
    text = as_text(frames["treatments"].head(50))
    assert text["treated_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert set(text["alcohol_48h"]) <= {"true", "false", ""}
    paths = write_dataset({k: v.head(200) for k, v in frames.items()}, tmp_path / "demo")
    assert [p.name for p in paths] == ["treatments.csv", "injections.csv", "events.csv"]
    back = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
    assert list(back.columns) == list(column_names("treatments")) and len(back) == 200


def test_patient_histories_are_plausible(frames: dict[str, pd.DataFrame]) -> None:
    t = frames["treatments"].sort_values(["patient_ref", "treated_at"])
    gap = t.groupby("patient_ref")["treated_at"].diff().dt.days
    assert gap.dropna().min() >= 7  # nobody is treated twice within a week
    assert 120 < gap.median() < 240  # regulars come back about every six months
    within_90 = gap <= 90
    assert t.loc[within_90, "prior_toxin_90d"].fillna(True).all()  # the history is reflected in the flag
    assert 0.01 < t["prior_toxin_90d"].mean() < 0.06
    assert t.groupby("patient_ref")["patient_birth_year"].nunique().max() == 1
    assert t["patient_ref"].str.fullmatch(r"P-\d{6}").all()


def test_tiny_and_invalid_sizes() -> None:
    for n in (1, 10):
        f = generate(n, 3)
        assert len(f["treatments"]) == n and set(f["injections"]["treatment_id"]) == set(f["treatments"]["treatment_id"])
    with pytest.raises(ValueError):
        generate(0, 1)
