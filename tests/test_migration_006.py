"""Migration 006: product/area codes become CHECKs and import ids plain columns; an existing database keeps
every row, id and constraint that matters."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard.core import config
from dashboard.core.db import Database, migration_files
from dashboard.core.reference_data import ensure_reference
from dashboard.importer import import_frames
from tests.test_migrations import _treatment

TABLES = ("treatments", "injections", "events", "event_versions")


def _snapshot(path: Path) -> dict[str, object]:
    db = Database(path)
    try:
        out: dict[str, object] = {}
        for table in TABLES:
            # order-independent digest of every column of every row
            out[table] = db.rows(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table}")[0]
        out["current"] = db.rows("SELECT count(*), sum(hash(event_id, version, term)) FROM events_current")[0]
        return out
    finally:
        db.close()


def _fill_old(db) -> None:
    """Rows of every kind, written with plain SQL (today's code expects today's schema)."""

    def work(cur):
        cur.execute("INSERT INTO clinics (name) VALUES ('North'), ('South')")
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr A'), ('Dr B')")
        cur.execute("INSERT INTO patients (patient_ref) SELECT 'P' || i FROM range(50) r(i)")
        cur.execute("INSERT INTO imports (source, actor, started_at, rows_read) VALUES ('x.zip', 't', now(), 1)")
        cur.execute(
            "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product,"
            " import_id, created_at, created_by) SELECT 1 + i % 2, 'T' || i, TIMESTAMP '2026-01-01' + i * INTERVAL 1 DAY,"
            " 1 + i % 50, 1 + i % 2, ['ona', 'abo', 'inco'][1 + i % 3], 1, now(), 't' FROM range(200) r(i)")
        cur.execute("INSERT INTO injections (treatment_id, area, units) SELECT treatment_id, a, 4 + treatment_id % 7"
                    " FROM treatments, (VALUES ('glabella'), ('forehead')) v(a)")
        cur.execute("INSERT INTO events (clinic_id, event_ref, treatment_id, created_at)"
                    " SELECT clinic_id, 'E' || treatment_id, treatment_id, now() FROM treatments WHERE treatment_id % 9 = 0")
        cur.execute("INSERT INTO event_versions (event_id, version, term, onset_at, severity, area, import_id,"
                    " reported_at, changed_at, changed_by) SELECT event_id, v, 'headache', TIMESTAMP '2026-03-01', v,"
                    " 'glabella', 1, now(), now(), 't' FROM events, range(1, 3) r(v)")

    db.write(work)


def test_a_database_from_before_006_keeps_every_row_and_its_constraints(tmp_path, monkeypatch):
    old = tmp_path / "old_migrations"
    old.mkdir()
    for f in migration_files():
        if int(f.name[:3]) < 6:
            (old / f.name).write_text(f.read_text())
    path = tmp_path / "clinic.duckdb"
    monkeypatch.setattr("dashboard.core.db.MIGRATIONS_DIR", old)
    db = Database(path)
    db.migrate()
    ensure_reference(db)
    _fill_old(db)
    max_id = db.scalar("SELECT max(treatment_id) FROM treatments")
    db.close()
    before = _snapshot(path)
    monkeypatch.undo()

    db = Database(path)
    try:
        assert "006_reference_checks.sql" in db.migrate()
        sql = db.scalar("SELECT sql FROM duckdb_tables() WHERE table_name = 'treatments'")
        assert "ref_products" not in sql and "imports" not in sql and "CHECK" in sql
    finally:
        db.close()
    assert _snapshot(path) == before
    db = Database(path)
    try:
        assert _treatment_row(db) == max_id + 1  # the ids go on from the old rows
        with pytest.raises(duckdb.ConstraintException):  # foreign keys between the data tables stay
            db.write(lambda cur: cur.execute(
                "INSERT INTO injections (treatment_id, area, units) VALUES (99999999, 'glabella', 5)"))
        with pytest.raises(duckdb.ConstraintException):
            db.write(lambda cur: cur.execute("DELETE FROM treatments WHERE treatment_id = 9"))
    finally:
        db.close()


def _treatment_row(db) -> int:
    return db.write(lambda cur: cur.execute(
        "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product,"
        " created_at, created_by) SELECT min(clinic_id), 'T-new', TIMESTAMP '2026-01-05 10:00', min(patient_id),"
        " min(injector_id), 'ona', now(), 't' FROM treatments RETURNING treatment_id").fetchone()[0])


@pytest.mark.parametrize("product", config.PRODUCTS)
def test_every_spec_product_is_accepted_on_a_treatment(db, product):
    t = _treatment(db)
    db.write(lambda cur: cur.execute("UPDATE treatments SET product = $p WHERE treatment_id = $t",
                                     {"p": product, "t": t}))
    assert db.scalar("SELECT product FROM treatments WHERE treatment_id = $t", {"t": t}) == product


def test_an_unknown_product_is_refused_by_the_database(db):
    t = _treatment(db)
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        db.write(lambda cur: cur.execute("UPDATE treatments SET product = 'nope' WHERE treatment_id = $t",
                                         {"t": t}))


@pytest.mark.parametrize("area", config.AREAS)
def test_every_spec_area_is_accepted_on_injections_and_events(db, area):
    t = _treatment(db)

    def work(cur):
        cur.execute("INSERT INTO injections (treatment_id, area, units) VALUES ($t, $a, 5)", {"t": t, "a": area})
        e = cur.execute("INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) "
                        "VALUES (1, 'E1', $t, now()) RETURNING event_id", {"t": t}).fetchone()[0]
        cur.execute("INSERT INTO event_versions (event_id, version, term, onset_at, severity, area, reported_at,"
                    " changed_at, changed_by) VALUES ($e, 1, 'headache', TIMESTAMP '2026-01-06', 1, $a, now(),"
                    " now(), 't')", {"e": e, "a": area})

    db.write(work)
    assert db.scalar("SELECT count(*) FROM events_current WHERE area = $a", {"a": area}) == 1


def test_an_unknown_area_on_an_event_is_refused_by_the_database(db):
    t = _treatment(db)

    def work(cur):
        e = cur.execute("INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) "
                        "VALUES (1, 'E1', $t, now()) RETURNING event_id", {"t": t}).fetchone()[0]
        cur.execute("INSERT INTO event_versions (event_id, version, term, onset_at, severity, area, reported_at,"
                    " changed_at, changed_by) VALUES ($e, 1, 'headache', TIMESTAMP '2026-01-06', 1, 'elbow', now(),"
                    " now(), 't')", {"e": e})

    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        db.write(work)


def test_imported_rows_carry_their_import_id(db):
    import pandas as pd

    frames = {"treatments": pd.DataFrame([{"treatment_id": "T9", "clinic": "North", "treated_at": "2026-01-05",
                                           "patient_ref": "P9", "injector": "Dr A", "product": "ona"}])}
    result = import_frames(db, frames, "frames", actor="t")
    assert db.scalar("SELECT import_id FROM treatments WHERE treatment_ref = 'T9'") == result.import_id
