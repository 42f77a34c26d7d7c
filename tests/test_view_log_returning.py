"""AppTest of Log treatment for a returning patient: record shown, 'same as last time', defaults from the record."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.core.authz import User
from dashboard.core.db import open_database
from dashboard.practice import repository as repo
from dashboard.practice.validation import AreaEntry, EventDraft, TreatmentDraft

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "log_treatment.py")
BOB = User(username="bob", role="practitioner", display_name="Dr Bob Lee", injector_name="Dr Bob Lee")


def seed(db_file, user, *, days_ago=100, product="ona", injector="Dr Ada Park", clinic="Harbour", token="t1",
         event=True, patient="P-0042") -> int:
    db = open_database(db_file)
    try:
        when = (datetime.now() - timedelta(days=days_ago)).replace(second=0, microsecond=0)
        # another clinic exists, so the default comes from the record and not from a lone clinic
        repo.save_treatment(db, user, TreatmentDraft("P-OTHER", "Zeta Clinic", injector, when - timedelta(days=1),
                                                     "ona", [AreaEntry("forehead", 10, 4)]),
                            confirmed=[], client_token=token + "z")
        d = TreatmentDraft(patient, clinic, injector, when, product,
                           [AreaEntry("glabella", 20, 5, "B", None, "intramuscular"),
                            AreaEntry("lateral_canthal", 24, 6), AreaEntry("forehead", 10, 4)],
                           lot_number="C1111", vial_units=100, diluent_ml=2.5)
        tid = repo.save_treatment(db, user, d, confirmed=[], client_token=token).id
        if event:
            repo.save_event(db, user, EventDraft(tid, "eyelid_ptosis", when + timedelta(days=9), 2, area="glabella",
                                                 outcome="recovered", reported_by="Dr Ada Park"),
                            client_token=token + "e")
        return tid
    finally:
        db.close()


def page(user) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = user
    at.run()
    assert not at.exception
    return at


def choose_patient(at: AppTest, ref="P-0042") -> AppTest:
    at.selectbox(key="lt_patient_pick").set_value(ref)
    return at.run()


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [w.value for w in at.warning] + [c.value for c in at.caption])


def test_returning_patient_shows_last_treatment_and_the_event_that_followed(db_file, practitioner):
    seed(db_file, practitioner)
    at = choose_patient(page(practitioner))
    shown = texts(at)
    assert "BOTOX Cosmetic · Glabella 20 U, Forehead lines 10 U, Crow's feet 24 U" in shown or \
        "BOTOX Cosmetic · Forehead lines 10 U, Glabella 20 U, Crow's feet 24 U" in shown
    assert "Drooping upper eyelid 9 days after the Glabella treatment (grade 2, recovered)" in shown
    assert at.button(key="lt_same").label == "Same as last time"


def test_same_as_last_time_carries_product_vial_areas_points_units_and_depth(db_file, practitioner):
    seed(db_file, practitioner)
    at = choose_patient(page(practitioner))
    at.button(key="lt_same").click().run()
    assert not at.exception
    assert at.selectbox(key="lt_product").value == "ona"
    assert at.number_input(key="lt_vial").value == 100
    assert at.number_input(key="lt_diluent").value == 2.5
    assert set(at.multiselect(key="lt_areas").value) == {"glabella", "lateral_canthal", "forehead"}
    assert at.number_input(key="lt_units_glabella").value == 20
    assert at.number_input(key="lt_points_lateral_canthal").value == 6
    assert at.selectbox(key="lt_depth_glabella").value == "intramuscular"
    assert at.selectbox(key="lt_lot_pick").value is None  # the lot is chosen anew
    assert at.selectbox(key="lt_clinic_pick").value == "Harbour"  # the patient's last clinic


def test_same_as_last_time_then_a_new_lot_saves_the_repeat(db_file, practitioner):
    seed(db_file, practitioner)
    at = choose_patient(page(practitioner))
    at.button(key="lt_same").click().run()
    # the browser journey types the lot straight into the box; AppTest cannot type a new option
    at.selectbox(key="lt_lot_pick").set_value("__new__").run()
    at.text_input(key="lt_lot_new").input("C2222").run()
    at.button(key="lt_save").click().run()
    assert not at.exception
    assert any("Saved: treatment" in s.value for s in at.success), [e.value for e in at.error]
    db = open_database(db_file)
    try:
        got = db.rows("SELECT l.lot_number, t.vial_units, count(j.area), sum(CAST(j.units AS DOUBLE)) FROM treatments t"
                      " JOIN lots l USING (lot_id) JOIN injections j USING (treatment_id)"
                      " WHERE l.lot_number = 'C2222' GROUP BY ALL")
    finally:
        db.close()
    assert got == [("C2222", 100, 3, 54.0)]


def test_recent_other_toxin_is_ticked_from_the_record_and_the_untick_is_kept(db_file, practitioner):
    seed(db_file, practitioner, days_ago=27, product="inco", event=False)
    at = choose_patient(page(practitioner))
    assert at.checkbox(key="lt_risk_prior_toxin_90d").value is True
    assert any("ticked from the record: Xeomin" in c.value for c in at.caption)
    at.checkbox(key="lt_risk_prior_toxin_90d").uncheck().run()
    assert at.checkbox(key="lt_risk_prior_toxin_90d").value is False


def test_old_treatment_does_not_tick_other_toxin(db_file, practitioner):
    seed(db_file, practitioner, days_ago=120, event=False)
    at = choose_patient(page(practitioner))
    assert at.checkbox(key="lt_risk_prior_toxin_90d").value is False


def test_clinic_defaults_to_where_the_practitioner_usually_works_for_a_new_patient(db_file, practitioner):
    seed(db_file, practitioner, event=False)
    at = page(practitioner)
    assert at.selectbox(key="lt_clinic_pick").value in ("Harbour", "Zeta Clinic")
    at.selectbox(key="lt_patient_pick").set_value("__new__").run()
    assert at.selectbox(key="lt_clinic_pick").value is not None


def test_new_lot_comes_first_then_recent_lots_of_the_product(db_file, practitioner):
    seed(db_file, practitioner, days_ago=10, event=False)
    at = page(practitioner)
    at.selectbox(key="lt_product").set_value("ona").run()
    options = at.selectbox(key="lt_lot_pick").options
    assert options[0] == "New lot…" and options[1] == "C1111"


def test_another_injectors_treatment_shows_only_date_and_product(db_file, practitioner):
    seed(db_file, BOB, injector="Dr Bob Lee", days_ago=20)
    at = page(practitioner)
    at.selectbox(key="lt_patient_pick").set_value("__new__").run()
    at.text_input(key="lt_patient_new").input("P-0042").run()
    shown = texts(at)
    assert "by Dr Bob Lee" in shown and "(another injector)" in shown
    assert "Drooping upper eyelid" not in shown
    assert not [b for b in at.button if b.key == "lt_same"]
    assert at.checkbox(key="lt_risk_prior_toxin_90d").value is True


def test_error_summary_at_the_top_names_the_fields(db_file, practitioner):
    at = page(practitioner)
    at.button(key="lt_save").click().run()
    top = at.error[0].value
    assert top.startswith("Not saved yet. Please check:")
    assert "[Patient](#patient-and-session)" in top and "[Product](#product-and-vial)" in top
    assert "[Areas treated](#treated-areas)" in top


def test_treatment_date_is_spelled_out_so_a_wrong_month_shows(db_file, practitioner):
    from datetime import date

    at = page(practitioner)
    at.date_input(key="lt_date").set_value(date.today() - timedelta(days=8)).run()
    assert any(c.value.endswith("· 8 days ago") for c in at.caption)
    at.date_input(key="lt_date").set_value(date.today() + timedelta(days=22)).run()
    assert any("in 22 days (in the future)" in c.value for c in at.caption)
