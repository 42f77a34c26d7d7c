"""The practitioner data layer on a real DuckDB file: saves, idempotency, refs, visibility, versions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.core.authz import PermissionDenied, User
from dashboard.practice import repository as repo
from dashboard.practice.validation import AreaEntry, EventDraft, FollowUpDraft, TreatmentDraft

BOB = User(username="bob", role="practitioner", display_name="Dr Bob Lee", injector_name="Dr Bob Lee")
TREATED = datetime(2026, 11, 20, 10, 30)


def draft(**kw) -> TreatmentDraft:
    base = dict(patient_ref="P-001", clinic="North", injector="Dr Ada Park", treated_at=TREATED, product="ona",
                areas=[AreaEntry("glabella", 20, 5, "B", 0.5, "intramuscular"), AreaEntry("forehead", 10, 5)],
                lot_number="C1234", vial_units=100, diluent_ml=2.5,
                reconstituted_at=TREATED - timedelta(hours=2), risk_factors=frozenset({"alcohol_48h"}),
                birth_year=1980, sex="F")
    base.update(kw)
    return TreatmentDraft(**base)


def event(treatment_id: int, **kw) -> EventDraft:
    base = dict(treatment_id=treatment_id, term="eyelid_ptosis", onset_at=TREATED + timedelta(days=3), severity=2,
                outcome="recovering", side="L", area="glabella", causality="probable",
                narrative="Left lid 2 mm lower")
    base.update(kw)
    return EventDraft(**base)


def test_save_treatment_stores_values_areas_and_audit(db, practitioner):
    saved = repo.save_treatment(db, practitioner, draft(), confirmed=["dose_outside_range:forehead"],
                                client_token="tok-1")
    assert saved.created and saved.ref == "T-20261120-0001"
    row = db.rows("SELECT t.treated_at, p.patient_ref, p.birth_year, i.name, c.name, t.product, l.lot_number,"
                  " t.vial_units, CAST(t.diluent_ml AS DOUBLE), t.alcohol_48h, t.anticoagulant,"
                  " t.warnings_confirmed, t.created_by FROM treatments t JOIN patients p USING (patient_id)"
                  " JOIN injectors i USING (injector_id) JOIN clinics c USING (clinic_id)"
                  " JOIN lots l USING (lot_id)")
    assert row == [(TREATED, "P-001", 1980, "Dr Ada Park", "North", "ona", "C1234", 100, 2.5, True, False,
                    "dose_outside_range:forehead", "ada")]
    inj = db.rows("SELECT area, side, CAST(units AS DOUBLE), points, depth FROM injections ORDER BY area")
    assert inj == [("forehead", "B", 10.0, 5, None), ("glabella", "B", 20.0, 5, "intramuscular")]
    actions = [r[0] for r in db.rows("SELECT action FROM audit_log ORDER BY audit_id")]
    assert "treatment.create" in actions and "patient.create" in actions


def test_same_token_saves_once_and_refs_count_per_clinic_and_day(db, practitioner):
    first = repo.save_treatment(db, practitioner, draft(), confirmed=[], client_token="tok-1")
    again = repo.save_treatment(db, practitioner, draft(), confirmed=[], client_token="tok-1")
    assert (again.id, again.ref, again.created) == (first.id, first.ref, False)
    second = repo.save_treatment(db, practitioner, draft(), confirmed=[], client_token="tok-2")
    other_clinic = repo.save_treatment(db, practitioner, draft(clinic="South"), confirmed=[], client_token="tok-3")
    assert second.ref == "T-20261120-0002" and other_clinic.ref == "T-20261120-0001"
    assert db.scalar("SELECT count(*) FROM treatments") == 3
    assert db.scalar("SELECT count(*) FROM patients") == 1


def test_practitioner_sees_only_own_treatments_and_cases(db, practitioner, manager):
    mine = repo.save_treatment(db, practitioner, draft(), confirmed=[], client_token="a")
    theirs = repo.save_treatment(db, BOB, draft(injector="Dr Bob Lee", patient_ref="P-002"), confirmed=[],
                                 client_token="b")
    repo.save_event(db, practitioner, event(mine.id), client_token="e1")
    repo.save_event(db, BOB, event(theirs.id), client_token="e2")
    assert set(repo.find_treatments(db, practitioner)["treatment_ref"]) == {mine.ref}
    assert len(repo.find_treatments(db, manager)) == 2
    assert list(repo.list_cases(db, practitioner)["patient_ref"]) == ["P-001"]
    assert len(repo.list_cases(db, manager)) == 2
    bob_case = int(repo.list_cases(db, BOB)["event_id"][0])
    assert repo.case_versions(db, practitioner, bob_case).empty
    assert repo.treatment_detail(db, practitioner, theirs.id) is None
    with pytest.raises(PermissionError):
        repo.save_event(db, practitioner, event(theirs.id), client_token="e3")
    with pytest.raises(PermissionError):
        repo.add_follow_up(db, practitioner, bob_case, FollowUpDraft("recovered", None, None, "x"),
                           client_token="f1")
    assert repo.recent_patients(db, practitioner) == ["P-001"]


def test_roles_without_permission_are_refused(db, admin):
    with pytest.raises(PermissionDenied):
        repo.save_treatment(db, admin, draft(), confirmed=[], client_token="x")
    with pytest.raises(PermissionDenied):
        repo.list_cases(db, admin)
    with pytest.raises(PermissionDenied):
        repo.find_treatments(db, None)  # type: ignore[arg-type]


def test_event_then_follow_up_appends_version_two(db, practitioner, manager):
    t = repo.save_treatment(db, practitioner, draft(), confirmed=[], client_token="a")
    e = repo.save_event(db, practitioner, event(t.id), client_token="e1")
    assert e.ref.startswith("E-") and e.ref.endswith("-0001")
    assert repo.save_event(db, practitioner, event(t.id), client_token="e1").created is False
    fu = FollowUpDraft("recovered", TREATED + timedelta(days=20), "probable", "Lid back to normal")
    s1 = repo.add_follow_up(db, manager, e.id, fu, client_token="f1")
    s2 = repo.add_follow_up(db, manager, e.id, fu, client_token="f1")
    assert (s1.version, s1.created, s2.version, s2.created) == (2, True, 2, False)
    v = repo.case_versions(db, practitioner, e.id)
    assert list(v["version"]) == [1, 2]
    assert list(v["outcome"]) == ["recovering", "recovered"]
    assert v["changed_by"].tolist() == ["ada", "mgr"]
    assert v.iloc[1]["narrative"] == "Left lid 2 mm lower" and v.iloc[1]["change_note"] == "Lid back to normal"
    changes = repo.version_changes(v)
    assert changes[0] == "first report"
    assert "causality: Probable" not in changes[1]  # unchanged fields are not listed
    assert "outcome: Recovering → Recovered" in changes[1] and "resolved: — → 10 Dec 2026 10:30" in changes[1]
    current = repo.list_cases(db, manager)
    assert list(current["version"]) == [2] and list(current["status"]) == ["closed"]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'event.follow_up'") == 1


def test_case_filters(db, manager):
    t = repo.save_treatment(db, manager, draft(), confirmed=[], client_token="a")
    repo.save_event(db, manager, event(t.id), client_token="e1")
    repo.save_event(db, manager, event(t.id, term="headache", outcome="recovered",
                                       onset_at=TREATED + timedelta(hours=5)), client_token="e2")
    f = repo.CaseFilter
    assert list(repo.list_cases(db, manager, f(status="open"))["term"]) == ["eyelid_ptosis"]
    assert list(repo.list_cases(db, manager, f(status="closed"))["term"]) == ["headache"]
    assert list(repo.list_cases(db, manager, f(terms=["headache"]))["term"]) == ["headache"]
    assert list(repo.list_cases(db, manager, f(outcomes=["recovering"]))["term"]) == ["eyelid_ptosis"]
    assert len(repo.list_cases(db, manager, f(injector="Dr Ada Park"))) == 2
    assert repo.list_cases(db, manager, f(injector="Nobody")).empty
    day = TREATED.date()
    assert list(repo.list_cases(db, manager, f(onset_from=day, onset_to=day))["term"]) == ["headache"]


def test_treatment_detail_and_lots(db, practitioner):
    t = repo.save_treatment(db, practitioner, draft(), confirmed=[], client_token="a")
    info, areas = repo.treatment_detail(db, practitioner, t.id)
    assert info["treatment_ref"] == t.ref and info["lot_number"] == "C1234" and info["alcohol_48h"]
    assert list(areas["area"]) == ["forehead", "glabella"]
    assert repo.known_lots(db, practitioner, "ona") == ["C1234"] and repo.known_lots(db, practitioner, "abo") == []
    assert repo.patient_info(db, practitioner, "P-001")["birth_year"] == 1980
    assert repo.patient_info(db, practitioner, "P-404") is None
