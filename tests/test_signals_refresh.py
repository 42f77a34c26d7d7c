"""The stored signal rows follow the records like the trends cells: appended for new treatments and event versions,
rebuilt when older records or the reference data changed, and brought up to date by the signal run itself."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from dashboard.core.authz import User
from dashboard.core.db import Database
from dashboard.practice import repository
from dashboard.practice.validation import AreaEntry, EventDraft, FollowUpDraft, TreatmentDraft
from dashboard.signals.detect import run_detection
from dashboard.trends.refresh import is_current, refresh
from tests.test_trends_fixture import clinic_fixture  # noqa: F401 - provides the clinic fixture


def _rows(db: Database) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = db.df("SELECT * FROM signal_rows ORDER BY treatment_id, area")
    events = db.df("SELECT * FROM signal_event_rows ORDER BY event_id")
    return rows, events


def _same_as_a_full_rebuild(db: Database) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, events = _rows(db)
    assert refresh(db, full=True).mode == "full"
    full_rows, full_events = _rows(db)
    pd.testing.assert_frame_equal(rows, full_rows)
    pd.testing.assert_frame_equal(events, full_events)
    return rows, events


def test_rows_hold_each_treated_area_and_each_analysed_event(clinic: Database) -> None:
    rows, events = _rows(clinic)
    assert len(rows) == 70
    two = rows[rows["treatment_id"] == 31].set_index("area")
    assert two.loc["glabella", "is_main"] and not two.loc["forehead", "is_main"]  # 50 U against 30 U
    assert events["event_id"].tolist() == [1, 2, 3, 4, 5]
    assert events.set_index("event_id").loc[5, "term"] == "brow_ptosis"  # the latest version


def test_added_treatment_and_follow_up_are_taken_in_incrementally(clinic: Database) -> None:
    def add(cur) -> None:
        cur.execute("INSERT INTO patients (patient_id, patient_ref, birth_year, sex) VALUES (61, 'P61', 1950, 'M')")
        cur.execute("INSERT INTO treatments (treatment_id, clinic_id, treatment_ref, treated_at, patient_id, "
                    "injector_id, product, lot_id, anticoagulant, created_at, created_by) VALUES "
                    "(61, 1, 'T61', TIMESTAMP '2026-01-06 10:00', 61, 1, 'ona', 1, TRUE, now(), 't')")
        cur.execute("INSERT INTO injections (injection_id, treatment_id, area, units) VALUES "
                    "(71, 61, 'forehead', 10), (72, 61, 'glabella', 30)")
        cur.execute("INSERT INTO events (event_id, clinic_id, event_ref, treatment_id, created_at) "
                    "VALUES (6, 1, 'E6', 61, now())")
        cur.execute("INSERT INTO event_versions (version_id, event_id, version, term, onset_at, severity, "
                    "reported_at, changed_at, changed_by) VALUES (7, 6, 1, 'headache', TIMESTAMP '2026-01-07', 1, "
                    "TIMESTAMP '2026-01-07', now(), 't')")
        # a follow-up moves event 3 (headache, no area, on a glabella + forehead treatment) to the forehead
        cur.execute("INSERT INTO event_versions (version_id, event_id, version, term, onset_at, severity, area, "
                    "reported_at, changed_at, changed_by) VALUES (8, 3, 2, 'brow_ptosis', TIMESTAMP '2026-01-08', "
                    "2, 'forehead', TIMESTAMP '2026-01-09', now(), 't')")
        clinic.audit(cur, "t", "test.add")

    clinic.write(add)
    assert refresh(clinic).mode == "incremental"
    rows, events = _same_as_a_full_rebuild(clinic)
    new = rows[rows["treatment_id"] == 61].set_index("area")
    assert new["is_main"].to_dict() == {"forehead": False, "glabella": True}
    assert set(new["age_band"]) == {2} and set(new["sex"]) == {"M"} and set(new["fmask"]) == {2}
    by_event = events.set_index("event_id")
    assert (by_event.loc[3, "term"], by_event.loc[3, "area"]) == ("brow_ptosis", "forehead")
    assert (by_event.loc[6, "treatment_id"], by_event.loc[6, "area"]) == (61, "glabella")  # systemic: main area
    assert len(events) == 6


def test_follow_up_to_an_unanalysed_term_drops_the_event_row(clinic: Database) -> None:
    clinic.write(lambda cur: cur.execute(
        "INSERT INTO event_versions (version_id, event_id, version, term, onset_at, severity, reported_at, "
        "changed_at, changed_by) VALUES (7, 1, 2, 'other', TIMESTAMP '2026-01-08', 2, TIMESTAMP '2026-01-09', now(), "
        "'t')"))
    assert refresh(clinic).mode == "incremental"
    _, events = _same_as_a_full_rebuild(clinic)
    assert 1 not in set(events["event_id"])


def test_edited_patient_risk_factor_volume_or_reference_forces_a_full_rebuild(clinic: Database) -> None:
    edits = [
        ("UPDATE patients SET birth_year = 1940 WHERE patient_id = 1", "age_band", 2),
        ("UPDATE treatments SET alcohol_48h = TRUE WHERE treatment_id = 1", "fmask", 1),
        ("UPDATE injections SET points = 4, volume_ml = 0.1 WHERE injection_id = 1", "vpp_band", 0),
    ]
    for sql, column, value in edits:
        clinic.write(lambda cur, sql=sql: cur.execute(sql))
        assert not is_current(clinic)
        assert refresh(clinic).mode == "full"
        assert clinic.scalar(f"SELECT {column} FROM signal_rows WHERE treatment_id = 1") == value
    clinic.write(lambda cur: cur.execute("UPDATE settings SET value = 'changed' WHERE key = 'reference_hash'"))
    assert refresh(clinic).mode == "full"


def test_state_from_before_the_signal_rows_forces_a_full_rebuild(clinic: Database) -> None:
    clinic.write(lambda cur: cur.execute("UPDATE trends_refresh_state SET signal_print = NULL, patient_mark = NULL"))
    clinic.write(lambda cur: cur.execute("DELETE FROM signal_rows"))
    assert not is_current(clinic)
    assert refresh(clinic).mode == "full"
    assert clinic.scalar("SELECT count(*) FROM signal_rows") == 70


def test_form_saves_bring_the_signal_rows_up_to_date(clinic: Database, manager: User,
                                                     practitioner: User) -> None:
    """One write path: each save refreshes the derived rows in its own transaction, so the run has nothing to do."""
    def skip_fixture_ids(cur) -> None:  # the fixture wrote explicit ids; the forms draw from the sequences
        for seq in ("seq_injector", "seq_patient", "seq_treatment", "seq_injection", "seq_event", "seq_event_version"):
            cur.execute(f"SELECT nextval('{seq}') FROM range(100)")

    clinic.write(skip_fixture_ids)
    saved = repository.save_treatment(clinic, practitioner, TreatmentDraft(
        patient_ref="P-new", clinic="North", injector="Dr Ada Park", birth_year=1990, sex="F",
        treated_at=datetime(2026, 1, 21, 9, 30), product="abo", lot_number="L2",
        areas=[AreaEntry(area="glabella", units=50)]), confirmed=[], client_token="tok-1")
    event = repository.save_event(clinic, practitioner, EventDraft(
        treatment_id=saved.id, term="eyelid_ptosis", onset_at=datetime(2026, 1, 25), severity=2, area="glabella"),
        client_token="tok-2")
    repository.add_follow_up(clinic, manager, event.id, FollowUpDraft(
        outcome="recovering", resolved_at=None, causality="probable", note="seen again"), client_token="tok-3")
    assert is_current(clinic)
    before = clinic.data_version()
    run_detection(clinic, manager, date(2026, 1, 1), date(2026, 1, 31))
    assert clinic.data_version() == before  # the run only read
    assert clinic.scalar("SELECT count(*) FROM audit_log WHERE action = 'trends.refresh' AND actor = 'signals'") == 0
    rows, events = _same_as_a_full_rebuild(clinic)
    assert rows.loc[rows["treatment_id"] == saved.id, "area"].tolist() == ["glabella"]
    mine = events[events["event_id"] == event.id]
    assert mine[["treatment_id", "area", "term"]].values.tolist() == [[saved.id, "glabella", "eyelid_ptosis"]]
