"""AppTest of the Log treatment page: renders, validation next to fields, warnings, saves once."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.db import open_database

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "log_treatment.py")
NEW = "__new__"


def page(user) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = user
    at.run()
    assert not at.exception
    return at


def fill(at: AppTest, *, areas=(("glabella", 20, 5), ("forehead", 10, 4)), product="ona",
         day=date(2026, 11, 20), clock=time(10, 30)) -> AppTest:
    """Fill a complete, valid treatment (new patient, clinic and lot)."""
    at.selectbox(key="lt_patient_pick").set_value(NEW)
    at.selectbox(key="lt_clinic_pick").set_value(NEW)
    at.selectbox(key="lt_product").set_value(product)
    at.run()
    at.selectbox(key="lt_lot_pick").set_value(NEW)
    at.run()
    at.text_input(key="lt_patient_new").input("P-0042")
    if any(n.key == "lt_birth_year" for n in at.number_input):  # hidden once the reference is known
        at.number_input(key="lt_birth_year").set_value(1984)
        at.selectbox(key="lt_sex").set_value("F")
    at.text_input(key="lt_clinic_new").input("North Clinic")
    at.text_input(key="lt_lot_new").input("C5678")
    at.date_input(key="lt_date").set_value(day)
    at.time_input(key="lt_time").set_value(clock)
    at.number_input(key="lt_vial").set_value(100)
    at.number_input(key="lt_diluent").set_value(2.5)
    at.checkbox(key="lt_risk_alcohol_48h").check()
    at.multiselect(key="lt_areas").set_value([a for a, _, _ in areas])
    at.run()
    for area, units, points in areas:
        at.number_input(key=f"lt_units_{area}").set_value(units)
        at.number_input(key=f"lt_points_{area}").set_value(points)
    at.selectbox(key="lt_depth_glabella").set_value("intramuscular") if any(a == "glabella" for a, *_ in areas) \
        else None
    return at.run()


def save(at: AppTest) -> AppTest:
    return at.button(key="lt_save").click().run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def count(db_file, sql: str):
    db = open_database(db_file)
    try:
        return db.rows(sql)
    finally:
        db.close()


def test_renders_with_injector_defaulting_to_the_signed_in_practitioner(db_file, practitioner):
    at = page(practitioner)
    assert at.title[0].value == "Log treatment"
    assert at.selectbox(key="lt_injector_pick").value == "Dr Ada Park"
    labels = [c.label for c in at.checkbox]
    assert "⚠ Infection at the site" in labels and "Alcohol within 48 h" in labels
    assert "Alcohol shortly before" in at.checkbox(key="lt_risk_alcohol_48h").help  # on hover, not a wall of text


def test_admin_cannot_open_the_page(db_file, admin):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = admin
    at.run()
    assert "cannot open this page" in at.error[0].value
    assert not at.button


def test_empty_save_shows_a_message_next_to_each_required_field(db_file, practitioner):
    at = save(page(practitioner))
    msgs = errors(at)
    for text in ("Enter the patient reference.", "Enter the clinic.", "Choose the product.",
                 "Pick at least one treated area (on the face chart or in the list)."):
        assert text in msgs
    assert any(m.startswith("Not saved yet") for m in msgs)
    assert count(db_file, "SELECT count(*) FROM treatments") == [(0,)]


@pytest.mark.parametrize("key, value, message", [
    ("lt_units_glabella", 1500.0, "Units in Glabella (frown lines) must be more than 0 and at most 1,000."),
    ("lt_units_glabella", None, "Enter the units injected in Glabella (frown lines)."),
    ("lt_points_glabella", 0, "Points in Glabella (frown lines) must be between 1 and 200."),
    ("lt_volume_glabella", 80.0, "Volume in Glabella (frown lines) must be more than 0 and at most 50 mL."),
    ("lt_diluent", 25.0, "Diluent must be more than 0 and at most 20 mL."),
    ("lt_vial", 5000, "Vial size must be between 1 and 1,000 units."),
    ("lt_birth_year", 1850, f"Birth year must be between 1900 and {date.today().year}."),
])
def test_each_bad_value_gets_its_message_and_keeps_what_was_typed(db_file, practitioner, key, value, message):
    at = fill(page(practitioner))
    at.number_input(key=key).set_value(value)
    at = save(at)
    assert message in errors(at)
    assert at.text_input(key="lt_patient_new").value == "P-0042"
    assert at.number_input(key="lt_units_forehead").value == 10
    assert count(db_file, "SELECT count(*) FROM treatments") == [(0,)]


def test_future_treatment_and_reconstitution_after_treatment_are_refused(db_file, practitioner):
    future = date.today() + timedelta(days=400)
    at = fill(page(practitioner), day=future)
    at.date_input(key="lt_recon_date").set_value(future + timedelta(days=1))
    at.time_input(key="lt_recon_time").set_value(time(9, 0))
    at = save(at)
    msgs = errors(at)
    assert any("is in the future" in m for m in msgs)
    assert "The vial cannot be reconstituted after the treatment time." in msgs
    at.time_input(key="lt_recon_time").set_value(None)
    at = save(at)
    assert "Enter both the date and the time of reconstitution (or neither)." in errors(at)


def test_good_save_lands_in_the_database_and_says_what_was_saved(db_file, practitioner):
    at = save(fill(page(practitioner)))
    assert not errors(at)
    assert "Saved: treatment T-20261120-0001 (id 1)." == at.success[0].value
    assert "Patient: P-0042" in at.text[0].value and "Glabella (frown lines) — 20 U" in at.text[0].value
    rows = count(db_file, "SELECT t.treatment_ref, t.treated_at, p.patient_ref, p.birth_year, p.sex, i.name, c.name,"
                          " t.product, l.lot_number, t.vial_units, CAST(t.diluent_ml AS DOUBLE), t.alcohol_48h,"
                          " t.anticoagulant, t.warnings_confirmed, t.created_by"
                          " FROM treatments t JOIN patients p USING (patient_id) JOIN injectors i USING (injector_id)"
                          " JOIN clinics c USING (clinic_id) JOIN lots l USING (lot_id)")
    assert len(rows) == 1
    ref, treated_at, patient, birth, sex, injector, clinic, product, lot, vial, diluent, alcohol, anticoag, warned, by \
        = rows[0]
    assert (ref, patient, birth, sex, injector, clinic, product, lot, vial, diluent, alcohol, anticoag, warned, by) == \
        ("T-20261120-0001", "P-0042", 1984, "F", "Dr Ada Park", "North Clinic", "ona", "C5678", 100, 2.5, True, False,
         None, "ada")
    assert treated_at.isoformat() == "2026-11-20T10:30:00"
    assert count(db_file, "SELECT area, CAST(units AS DOUBLE), points, depth FROM injections ORDER BY area") == [
        ("forehead", 10.0, 4, None), ("glabella", 20.0, 5, "intramuscular")]
    assert count(db_file, "SELECT count(*) FROM audit_log WHERE action = 'treatment.create'") == [(1,)]
    assert at.session_state["re_treatment"] == 1


def test_double_submit_creates_one_record(db_file, practitioner):
    at = save(fill(page(practitioner)))
    assert at.success[0].value.startswith("Saved:")
    # the second click of a double click arrives with the same form instance (same client token)
    del at.session_state["lt_saved"]
    at.run()
    at = save(fill(at))
    assert at.success[0].value == "Already saved: treatment T-20261120-0001 (id 1)."
    assert count(db_file, "SELECT count(*) FROM treatments") == [(1,)]
    assert count(db_file, "SELECT count(*) FROM injections") == [(2,)]
    # "Log another treatment" starts a new form instance, which saves a second treatment
    at.button(key="lt_again").click().run()
    at = save(fill(at))
    assert at.success[0].value == "Saved: treatment T-20261120-0002 (id 2)."


def test_dysport_dose_on_botox_must_be_confirmed_and_is_recorded(db_file, practitioner):
    at = fill(page(practitioner), areas=(("glabella", 50, 5),))
    assert any("looks like a Dysport/Azzalure dose" in w.value for w in at.warning)
    assert any("Usual for BOTOX Cosmetic: 10–40 U (label 20 U)" in c.value for c in at.caption)
    at = save(at)
    assert "Tick to confirm this warning, or correct the value." in errors(at)
    assert count(db_file, "SELECT count(*) FROM treatments") == [(0,)]
    confirm = [c for c in at.checkbox if c.key.startswith("lt_ok_unit_mismatch:glabella")]
    confirm[0].check()
    at.text_area(key="lt_reason").input("Patient's usual dose, checked vial: BOTOX")
    at = save(at)
    assert at.success[0].value.startswith("Saved: treatment")
    assert count(db_file, "SELECT warnings_confirmed, override_reason FROM treatments") == [
        ("unit_mismatch:glabella", "Patient's usual dose, checked vial: BOTOX")]


def test_old_reconstitution_and_contraindications_warn(db_file, practitioner):
    at = fill(page(practitioner))
    at.date_input(key="lt_recon_date").set_value(date(2026, 11, 18))
    at.time_input(key="lt_recon_time").set_value(time(9, 0))
    at.checkbox(key="lt_risk_pregnant_or_breastfeeding").check()
    at.run()
    texts = [w.value for w in at.warning]
    assert any("reconstituted 50 h before the treatment" in t for t in texts)
    assert any(t.startswith("Contraindication ticked: Pregnant or breastfeeding") for t in texts)
    for c in at.checkbox:
        if c.key.startswith("lt_ok_"):
            c.check()
    at = save(at)
    assert at.success[0].value.startswith("Saved: treatment")
    (warned,), = count(db_file, "SELECT warnings_confirmed FROM treatments")
    assert set(warned.split(",")) == {"reconstitution_over_limit", "contraindication:pregnant_or_breastfeeding"}


def test_known_patient_and_lot_are_offered_next_time(db_file, practitioner):
    at = save(fill(page(practitioner)))
    at.button(key="lt_again").click().run()
    assert "P-0042" in at.selectbox(key="lt_patient_pick").options
    assert at.selectbox(key="lt_clinic_pick").value == "North Clinic"  # the only clinic is preselected
    at.selectbox(key="lt_product").set_value("ona").run()
    assert "C5678" in at.selectbox(key="lt_lot_pick").options


def test_typing_an_existing_reference_as_new_adds_to_that_patient(db_file, practitioner):
    at = save(fill(page(practitioner)))
    at.button(key="lt_again").click().run()
    at = fill(at)
    assert any("This reference already exists" in c.value for c in at.caption)
    at = save(at)
    assert at.success[0].value == "Saved: treatment T-20261120-0002 (id 2)."
    assert count(db_file, "SELECT count(*), min(birth_year) FROM patients") == [(1, 1984)]
