"""The trends cells follow the records: nothing to do, incremental for additions, full rebuild for edits."""

from __future__ import annotations

from dashboard.core.db import Database
from dashboard.trends import queries
from dashboard.trends.refresh import is_current, refresh
from tests.test_trends_fixture import JAN, build_clinic, clinic_fixture  # noqa: F401 - provides the clinic fixture


def _current(db: Database, manager) -> dict:
    return queries.kpis(db, manager, JAN).set_index("period").loc["current"].to_dict()


def test_first_refresh_is_full_and_audited(db: Database) -> None:
    build_clinic(db)
    assert not is_current(db)
    result = refresh(db, actor="tester")
    assert (result.mode, result.treatments) == ("full", 60)
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'trends.refresh' AND actor = 'tester'") == 1
    assert is_current(db)
    assert refresh(db).mode == "none"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'trends.refresh'") == 1


def test_added_treatment_and_event_are_taken_in_incrementally(clinic: Database, manager) -> None:
    def add(cur) -> None:
        cur.execute("INSERT INTO patients (patient_id, patient_ref) VALUES (61, 'P61')")
        cur.execute("INSERT INTO treatments (treatment_id, clinic_id, treatment_ref, treated_at, patient_id, "
                    "injector_id, product, lot_id, created_at, created_by) VALUES "
                    "(61, 1, 'T61', TIMESTAMP '2026-01-06 10:00', 61, 1, 'ona', 1, now(), 't')")
        cur.execute("INSERT INTO injections (injection_id, treatment_id, area, units) VALUES (71, 61, 'forehead', 10)")
        cur.execute("INSERT INTO events (event_id, clinic_id, event_ref, treatment_id, created_at) "
                    "VALUES (6, 1, 'E6', 61, now())")
        cur.execute("INSERT INTO event_versions (version_id, event_id, version, term, onset_at, severity, "
                    "reported_at, changed_at, changed_by) VALUES (7, 6, 1, 'headache', TIMESTAMP '2026-01-07', 1, "
                    "TIMESTAMP '2026-01-07', now(), 't')")
        clinic.audit(cur, "t", "test.add")

    clinic.write(add)
    result = refresh(clinic)
    assert (result.mode, result.treatments, result.event_versions) == ("incremental", 1, 1)
    cur = _current(clinic, manager)
    assert (cur["treatments"], cur["events"]) == (41, 5)
    forehead = queries.area_rates(clinic, manager, JAN).set_index("area").loc["forehead"]
    assert (forehead["treatments"], forehead["events"]) == (11, 2)


def test_new_event_version_replaces_the_old_facts(clinic: Database, manager) -> None:
    def follow_up(cur) -> None:
        cur.execute("INSERT INTO event_versions (version_id, event_id, version, term, onset_at, severity, serious, "
                    "seriousness, area, reported_at, changed_at, changed_by) VALUES (7, 1, 2, 'eyelid_ptosis', "
                    "TIMESTAMP '2026-01-08', 4, TRUE, 'hospitalisation', 'glabella', TIMESTAMP '2026-01-08', now(), 't')")
        clinic.audit(cur, "t", "test.follow_up")

    clinic.write(follow_up)
    assert refresh(clinic).mode == "incremental"
    cur = _current(clinic, manager)
    assert (cur["events"], cur["serious_events"]) == (4, 2)
    assert clinic.scalar("SELECT count(*) FROM trends_event_facts WHERE event_id = 1") == 1


def test_edited_old_injection_forces_a_full_rebuild(clinic: Database, manager) -> None:
    # (DuckDB refuses to update a treatment that injections reference, so edits arrive on injection rows)
    clinic.write(lambda cur: cur.execute("UPDATE injections SET units = 60, area = 'forehead' WHERE injection_id = 1"))
    assert not is_current(clinic)
    assert refresh(clinic).mode == "full"
    dose = queries.dose(clinic, manager, JAN).set_index(["product", "area"])
    assert dose.loc[("ona", "forehead"), "treatments"] == 1
    assert dose.loc[("ona", "forehead"), "p50"] == 60


def test_late_injection_row_on_an_old_treatment_forces_a_full_rebuild(clinic: Database, manager) -> None:
    clinic.write(lambda cur: cur.execute(
        "INSERT INTO injections (injection_id, treatment_id, area, units) VALUES (500, 1, 'forehead', 8)"))
    assert refresh(clinic).mode == "full"
    forehead = queries.area_rates(clinic, manager, JAN).set_index("area").loc["forehead"]
    assert forehead["treatments"] == 11
