"""Migrations from empty, idempotency, constraints, and reference data completeness."""

from __future__ import annotations

import duckdb
import pytest

from dashboard.core import config
from dashboard.core.db import Database, migration_files, open_database


def test_migrations_from_empty_are_recorded_and_idempotent(tmp_path):
    path = tmp_path / "x.duckdb"
    db = Database(path)
    applied = db.migrate()
    assert applied == [f.name for f in migration_files()]
    assert db.migrate() == []
    assert db.applied_migrations() == sorted(int(f.name[:3]) for f in migration_files())
    db.close()
    db = open_database(path)
    assert db.migrate() == []
    db.close()


def test_failed_migration_leaves_nothing(tmp_path, monkeypatch):
    bad = tmp_path / "migrations"
    bad.mkdir()
    for f in migration_files():
        (bad / f.name).write_text(f.read_text())
    (bad / "999_broken.sql").write_text("CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;")
    monkeypatch.setattr("dashboard.core.db.MIGRATIONS_DIR", bad)
    db = Database(tmp_path / "y.duckdb")
    with pytest.raises(duckdb.Error):
        db.migrate()
    assert 999 not in db.applied_migrations()
    assert not db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'")
    db.close()


def test_reference_data_has_every_code_of_the_spec(db):
    assert {r[0] for r in db.rows("SELECT code FROM ref_products")} == set(config.PRODUCTS)
    assert {r[0] for r in db.rows("SELECT code FROM ref_areas")} == set(config.AREAS)
    spec_terms = {
        "eyelid_ptosis", "brow_ptosis", "brow_malposition", "eyelid_sensory_disorder", "eyelid_oedema",
        "diplopia", "vision_blurred", "dry_eye", "photophobia", "ectropion_or_lower_lid_laxity",
        "smile_asymmetry", "lip_ptosis", "lip_incompetence_drooling", "dysarthria", "masticatory_weakness",
        "paradoxical_bulging", "sunken_cheek", "skin_sagging", "neck_muscle_weakness", "dysphagia",
        "dysphonia", "dyspnoea", "headache", "injection_site_pain", "injection_site_erythema",
        "injection_site_oedema", "injection_site_pruritus", "injection_site_bruising",
        "injection_site_haematoma", "injection_site_infection", "hypersensitivity", "urticaria", "rash",
        "anaphylactic_reaction", "influenza_like_illness", "nausea", "drug_ineffective",
        "distant_spread_botulism_like", "compensatory_sweating", "skin_tightness", "other",
        "medication_error", "suspected_counterfeit",
    }
    assert {r[0] for r in db.rows("SELECT code FROM ref_terms")} == spec_terms
    assert {r[0] for r in db.rows("SELECT code FROM ref_risk_factors")} == set(config.RISK_FACTORS)
    # every area has a usual dose range for every product, and glabella carries the label doses
    assert db.scalar("SELECT count(*) FROM ref_area_doses") == len(config.AREAS) * len(config.PRODUCTS)
    label = dict(db.rows("SELECT product, label_total FROM ref_area_doses WHERE area = 'glabella'"))
    assert label == {"ona": 20, "inco": 20, "prabot": 20, "leti": 20, "abo": 50, "daxi": 40}
    # every term has a plain name and a body region
    assert not db.scalar("SELECT count(*) FROM ref_terms WHERE plain_name = '' OR body_region = ''")


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO patients (patient_ref, sex) VALUES ('p1', 'Q')",
        "INSERT INTO patients (patient_ref, birth_year) VALUES ('p1', 1850)",
        "INSERT INTO lots (product, lot_number) VALUES ('nope', 'L1')",
        "INSERT INTO clinics (name) VALUES ('')",
    ],
)
def test_constraints_reject_bad_master_data(db, sql):
    with pytest.raises(duckdb.ConstraintException):
        db.write(lambda cur: cur.execute(sql))


def _treatment(db) -> int:
    def work(cur):
        cur.execute("INSERT INTO clinics (name) VALUES ('North')")
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr A')")
        cur.execute("INSERT INTO patients (patient_ref) VALUES ('P-1')")
        return cur.execute(
            "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product,"
            " created_at, created_by) VALUES (1, 'T1', TIMESTAMP '2026-01-05 10:00', 1, 1, 'ona', now(), 't')"
            " RETURNING treatment_id"
        ).fetchone()[0]

    return db.write(work)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO injections (treatment_id, area, units) VALUES ($t, 'glabella', 0)",
        "INSERT INTO injections (treatment_id, area, units) VALUES ($t, 'glabella', 1001)",
        "INSERT INTO injections (treatment_id, area, units) VALUES ($t, 'elbow', 20)",
        "INSERT INTO injections (treatment_id, area, units, side) VALUES ($t, 'glabella', 20, 'X')",
        "INSERT INTO injections (treatment_id, area, units, points) VALUES ($t, 'glabella', 20, 0)",
        "INSERT INTO injections (treatment_id, area, units, depth) VALUES ($t, 'glabella', 20, 'deep')",
        "INSERT INTO injections (treatment_id, area, units) VALUES (999999, 'glabella', 20)",
    ],
)
def test_constraints_reject_bad_injections(db, sql):
    t = _treatment(db)
    with pytest.raises(duckdb.ConstraintException):
        db.write(lambda cur: cur.execute(sql, {"t": t} if "$t" in sql else None))


@pytest.mark.parametrize(
    "column,value",
    [("severity", 6), ("severity", 0), ("outcome", "'cured'"), ("causality", "'maybe'"),
     ("term", "'sneezing'"), ("seriousness", "'bad'")],
)
def test_constraints_reject_bad_event_versions(db, column, value):
    t = _treatment(db)

    def work(cur):
        e = cur.execute(
            "INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) VALUES (1, 'E1', $t, now())"
            " RETURNING event_id", {"t": t}).fetchone()[0]
        base = {"term": "'headache'", "severity": "1", "outcome": "'unknown'", "causality": "NULL",
                "seriousness": "NULL"}
        base[column] = str(value)
        cur.execute(
            "INSERT INTO event_versions (event_id, version, term, onset_at, severity, outcome, causality,"
            " seriousness, reported_at, changed_at, changed_by) VALUES ($e, 1, "
            + ", ".join([base["term"], "TIMESTAMP '2026-01-06'", base["severity"], base["outcome"],
                         base["causality"], base["seriousness"]])
            + ", now(), now(), 't')", {"e": e})

    with pytest.raises(duckdb.ConstraintException):
        db.write(work)


def test_serious_needs_a_criterion_and_resolution_not_before_onset(db):
    t = _treatment(db)
    db.write(lambda cur: cur.execute(
        "INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) VALUES (1, 'E1', $t, now())",
        {"t": t}))
    for extra in ("serious, seriousness) VALUES (1, 1, 'headache', TIMESTAMP '2026-01-06', 3, now(), now(), 't', TRUE, NULL)",
                  "resolved_at, serious) VALUES (1, 1, 'headache', TIMESTAMP '2026-01-06', 1, now(), now(), 't', TIMESTAMP '2026-01-05', FALSE)"):
        with pytest.raises(duckdb.ConstraintException):
            db.write(lambda cur, extra=extra: cur.execute(
                "INSERT INTO event_versions (event_id, version, term, onset_at, severity, reported_at, changed_at,"
                " changed_by, " + extra))


def test_sequences_return_ids_and_audit_bumps_data_version(db):
    before = db.data_version()
    t = _treatment(db)
    assert t >= 1
    db.write(lambda cur: db.audit(cur, "tester", "test.action", "treatment", str(t), "{}"))
    assert db.data_version() > before
