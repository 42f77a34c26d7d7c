"""Pure checks of the practitioner forms: each bad value gets its message, warnings are confirmable."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from dashboard.practice import repository as repo
from dashboard.practice.validation import (
    AreaEntry,
    EventDraft,
    FollowUpDraft,
    TreatmentDraft,
    describe_warning_code,
    treatment_warnings,
    unconfirmed,
    validate_event,
    validate_follow_up,
    validate_treatment,
)

NOW = datetime(2026, 11, 25, 12, 0)
TREATED = datetime(2026, 11, 20, 10, 0)


@pytest.fixture(scope="module")
def ref():
    db = open_database(":memory:")
    yield repo.reference(db, SYSTEM)
    db.close()


def good(**kw) -> TreatmentDraft:
    base = dict(patient_ref="P-1", clinic="North", injector="Dr A", treated_at=TREATED, product="ona",
                areas=[AreaEntry("glabella", 20, 5)])
    base.update(kw)
    return TreatmentDraft(**base)


def test_valid_treatment_has_no_errors_or_warnings(ref):
    assert validate_treatment(good(), ref, NOW) == {}
    assert treatment_warnings(good(), ref) == []


@pytest.mark.parametrize("changes, field, text", [
    ({"patient_ref": "  "}, "patient_ref", "Enter the patient reference"),
    ({"patient_ref": "x" * 201}, "patient_ref", "at most 200"),
    ({"clinic": ""}, "clinic", "Enter the clinic"),
    ({"injector": ""}, "injector", "Enter the injector"),
    ({"treated_at": None}, "treated_at", "Enter the date and time"),
    ({"treated_at": NOW + timedelta(days=1)}, "treated_at", "in the future"),
    ({"product": None}, "product", "Choose the product"),
    ({"birth_year": 1850}, "birth_year", "between 1900"),
    ({"vial_units": 0}, "vial_units", "between 1 and 1,000"),
    ({"diluent_ml": 25.0}, "diluent_ml", "at most 20 mL"),
    ({"reconstituted_at": TREATED + timedelta(hours=1)}, "reconstituted_at", "after the treatment"),
    ({"reconstitution_incomplete": True}, "reconstituted_at", "both the date and the time"),
    ({"areas": []}, "areas", "at least one treated area"),
    ({"areas": [AreaEntry("glabella", None)]}, "units:glabella", "Enter the units"),
    ({"areas": [AreaEntry("glabella", 1200)]}, "units:glabella", "at most 1,000"),
    ({"areas": [AreaEntry("glabella", 20, 0)]}, "points:glabella", "between 1 and 200"),
    ({"areas": [AreaEntry("glabella", 20, volume_ml=80)]}, "volume:glabella", "at most 50 mL"),
    ({"override_reason": "r" * 501}, "override_reason", "at most 500"),
])
def test_each_bad_treatment_value_has_its_message(ref, changes, field, text):
    errors = validate_treatment(good(**changes), ref, NOW)
    assert text in errors[field]


def test_dose_outside_range_warns(ref):
    ws = treatment_warnings(good(areas=[AreaEntry("forehead", 30)]), ref)
    assert [w.code for w in ws] == ["dose_outside_range:forehead"]
    assert "30 U is above the usual 6–20 U (label 20 U) for BOTOX Cosmetic" in ws[0].message


def test_dysport_dose_recorded_as_botox_is_a_unit_mismatch(ref):
    ws = treatment_warnings(good(areas=[AreaEntry("glabella", 50)]), ref)
    assert [w.code for w in ws] == ["unit_mismatch:glabella"]
    assert "Dysport" in ws[0].message and "not a BOTOX Cosmetic dose" in ws[0].message


def test_botox_dose_recorded_as_dysport_is_a_unit_mismatch(ref):
    ws = treatment_warnings(good(product="abo", areas=[AreaEntry("glabella", 20)]), ref)
    assert [w.code for w in ws] == ["unit_mismatch:glabella"]
    assert "BOTOX Cosmetic" in ws[0].message


def test_old_reconstitution_and_contraindications_warn(ref):
    d = good(reconstituted_at=TREATED - timedelta(hours=30),
             risk_factors=frozenset({"pregnant_or_breastfeeding", "skin_infection_at_site",
                                     "neuromuscular_disorder", "alcohol_48h"}))
    codes = {w.code for w in treatment_warnings(d, ref)}
    assert codes == {"reconstitution_over_limit", "contraindication:pregnant_or_breastfeeding",
                     "contraindication:skin_infection_at_site", "contraindication:neuromuscular_disorder"}
    assert treatment_warnings(good(reconstituted_at=TREATED - timedelta(hours=23)), ref) == []


def test_confirmation_is_tied_to_the_message(ref):
    w1 = treatment_warnings(good(areas=[AreaEntry("forehead", 30)]), ref)
    w2 = treatment_warnings(good(areas=[AreaEntry("forehead", 35)]), ref)
    assert unconfirmed(w1, {w1[0].key}) == []
    assert unconfirmed(w2, {w1[0].key}) == w2


def ev(**kw) -> EventDraft:
    base = dict(treatment_id=1, term="headache", onset_at=TREATED + timedelta(hours=3), severity=1)
    base.update(kw)
    return EventDraft(**base)


TERMS = frozenset({"headache", "other", "eyelid_ptosis"})


@pytest.mark.parametrize("changes, field, text", [
    ({"treatment_id": None}, "treatment", "Choose the treatment"),
    ({"term": None}, "term", "Choose what happened"),
    ({"onset_at": None}, "onset_at", "Enter the date and time"),
    ({"onset_at": TREATED - timedelta(hours=1)}, "onset_at", "cannot be before the treatment"),
    ({"onset_at": TREATED + timedelta(days=366)}, "onset_at", "more than 365 days"),
    ({"severity": None}, "severity", "Choose the severity"),
    ({"serious": True}, "seriousness", "needs its seriousness criterion"),
    ({"resolved_at": TREATED}, "resolved_at", "cannot be before the onset"),
    ({"resolution_incomplete": True}, "resolved_at", "both the date and the time"),
    ({"term": "other"}, "narrative", "'Other' needs it"),
    ({"narrative": "n" * 4001}, "narrative", "at most 4,000"),
    ({"action_taken": "a" * 501}, "action_taken", "at most 500"),
])
def test_each_bad_event_value_has_its_message(changes, field, text):
    now = TREATED + timedelta(days=400) if "onset_at" in changes and changes["onset_at"] and \
        changes["onset_at"] > TREATED + timedelta(days=300) else NOW
    errors = validate_event(ev(**changes), TREATED, TERMS, now)
    assert text in errors[field]


def test_valid_event_and_follow_up():
    assert validate_event(ev(), TREATED, TERMS, NOW) == {}
    current = {"outcome": "unknown", "resolved_at": None, "causality": None, "onset_at": TREATED}
    assert validate_follow_up(FollowUpDraft("recovered", NOW, "possible", None), current, NOW) == {}
    assert "Nothing changed" in validate_follow_up(FollowUpDraft("unknown", None, None, ""), current, NOW)["note"]
    bad = validate_follow_up(FollowUpDraft("recovered", TREATED - timedelta(days=1), None, None), current, NOW)
    assert "before the onset" in bad["resolved_at"]


def test_high_but_plausible_dose_is_not_called_a_mismatch(ref):
    ws = treatment_warnings(good(areas=[AreaEntry("forehead", 30), AreaEntry("masseter", 70)]), ref)
    assert [w.code for w in ws] == ["dose_outside_range:forehead", "dose_outside_range:masseter"]
    assert [w.code for w in treatment_warnings(good(areas=[AreaEntry("masseter", 150)]), ref)] == \
        ["unit_mismatch:masseter"]


def test_recorded_warning_codes_read_as_words(ref):
    names, risks = ref.area_names, ref.risk_labels
    assert describe_warning_code("unit_mismatch:glabella", names, risks) == \
        "units look like another product's (Glabella (frown lines))"
    assert describe_warning_code("contraindication:pregnant_or_breastfeeding", names, risks) == \
        "contraindication: Pregnant or breastfeeding"
    assert describe_warning_code("something_new", names, risks) == "something_new"
