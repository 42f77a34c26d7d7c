"""AppTest of the Follow-ups page and the patient's self-report page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.core.db import open_database
from dashboard.followup import links
from dashboard.followup import repository as fu
from tests.followup_support import BOB, treat

VIEWS = Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views"
FOLLOWUPS, PATIENT = str(VIEWS / "followups.py"), str(VIEWS / "patient_report.py")


def seed(db_file, ada):
    db = open_database(db_file)
    try:
        ids = {"due": treat(db, ada, "P-DUE", "Dr Ada Park", 14), "late": treat(db, ada, "P-LATE", "Dr Ada Park", 19),
               "bob": treat(db, BOB, "P-BOB", "Dr Bob Lee", 15, clinic="South")}
        ids["link"] = links.create_link(db, ada, ids["due"]).token
        return ids
    finally:
        db.close()


def page(user) -> AppTest:
    at = AppTest.from_file(FOLLOWUPS, default_timeout=30)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def patient_page(token: str) -> AppTest:
    at = AppTest.from_file(PATIENT, default_timeout=30)
    at.query_params["report"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value["Patient"]) if at.dataframe else set()


def test_practitioner_sees_own_patients_and_records_a_review(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    assert shown(at) == {"P-DUE", "P-LATE"}
    assert not any(s.key == "fu_injector" for s in at.selectbox)
    assert [m.value for m in at.metric][:3] == ["0", "1", "1"]  # urgent, overdue, due today
    at.selectbox(key="fu_open").set_value(ids["due"]).run()
    at.button[[b.label for b in at.button].index("Reviewed: no adverse event")].click().run()
    assert not at.exception
    assert any("Review recorded" in s.value for s in at.success)
    db = open_database(db_file)
    try:
        assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'followup.review' AND entity_id = ?",
                         [str(ids["due"])]) == 1
        assert db.scalar("SELECT count(*) FROM events") == 0
    finally:
        db.close()
    assert shown(at) == {"P-LATE"}  # done now, and done is not shown by default


def test_manager_sees_everyone_and_filters_by_clinic_and_injector(db_file, practitioner, manager):
    seed(db_file, practitioner)
    at = page(manager)
    assert shown(at) == {"P-DUE", "P-LATE", "P-BOB"}
    at.selectbox(key="fu_clinic").set_value("South").run()
    assert shown(at) == {"P-BOB"}
    at.selectbox(key="fu_clinic").set_value("__all__").run()
    at.selectbox(key="fu_injector").set_value("Dr Ada Park").run()
    assert shown(at) == {"P-DUE", "P-LATE"}


def test_report_adverse_event_opens_the_report_page_with_the_treatment(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    at.selectbox(key="fu_open").set_value(ids["late"]).run()
    at.button(key="fu_report").click().run()
    assert at.session_state["re_treatment"] == ids["late"]


def test_a_red_flag_answer_reaches_the_follow_ups_page_within_one_rerun(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    assert at.metric[0].value == "0"
    patient = patient_page(ids["link"])
    patient.radio(key="pr_breathing").set_value("Yes")
    patient.button[0].click().run()
    assert not patient.exception
    assert any("emergency" in e.value.lower() for e in patient.error)
    at.run()  # one rerun of the clinic's page
    assert at.metric[0].value == "1"
    assert any("urgent" in e.value for e in at.error)
    assert at.dataframe[0].value.iloc[0]["Status"] == "Urgent"


def test_clinician_confirms_a_patient_report_on_the_page(db_file, practitioner):
    ids = seed(db_file, practitioner)
    db = open_database(db_file)
    try:
        links.submit_answers(db, ids["link"], {"droop": True}, "<b>left</b> eye", None, nonce="n")
    finally:
        db.close()
    at = page(practitioner)
    at.selectbox(key="fu_open").set_value(ids["due"]).run()
    assert any("<b>left</b> eye" in t.value for t in at.text)  # shown as text, never as markup
    at.button[[b.label for b in at.button].index("Confirm as adverse event")].click().run()
    assert not at.exception
    assert any("Confirmed: now case" in s.value for s in at.success)
    db = open_database(db_file)
    try:
        assert db.rows("SELECT term, reported_by FROM events_current") == [("eyelid_ptosis", "patient")]
    finally:
        db.close()


def test_the_patient_page_shows_only_date_and_clinic_and_refuses_bad_tokens(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = patient_page(ids["link"])
    body = " ".join(m.value for m in [*at.markdown, *at.text])
    assert "North" in body and "P-DUE" not in body and "Dr Ada Park" not in body
    assert len(at.radio) == 7 and len(at.sidebar.children) == 0
    for bad in (ids["link"][:-1] + "Z", "nonsense", ""):
        refused = patient_page(bad)
        assert refused.header[0].value == "This link does not work"
        assert not refused.radio
    db = open_database(db_file)
    try:
        link_id = int(db.scalar("SELECT max(link_id) FROM patient_links"))
        links.revoke_link(db, practitioner, link_id)
    finally:
        db.close()
    assert patient_page(ids["link"]).header[0].value == "This link has been switched off"


def test_make_a_link_gives_url_qr_and_sheet(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    at.selectbox(key="fu_open").set_value(ids["late"]).run()
    at.button(key="fu_pl_make").click().run()
    assert not at.exception
    url = at.code[0].value
    assert "?report=" in url
    db = open_database(db_file)
    try:
        assert links.open_link(db, url.split("=", 1)[1]).treatment_id == ids["late"]
        assert fu.patient_reports(db, practitioner).empty
    finally:
        db.close()


def test_reference_page_shows_the_follow_up_schedule(db_file, practitioner):
    at = AppTest.from_file(str(VIEWS / "reference.py"), default_timeout=30)
    at.session_state["user"] = practitioner
    at.run()
    assert not at.exception
    assert any(s.value == "Follow-up schedule" for s in at.subheader)
    table = at.dataframe[-1].value
    default = table[table["Applies to"] == "Every treatment (default)"].iloc[0]
    assert (default["Review on day"], default["Red-flag watch to day"]) == (14, 28)
    assert "Masseter" in " ".join(table["Applies to"])


def test_log_treatment_and_cases_offer_the_patient_link(db_file, practitioner):
    from datetime import datetime

    ids = seed(db_file, practitioner)
    at = AppTest.from_file(str(VIEWS / "log_treatment.py"), default_timeout=30)
    at.session_state["user"] = practitioner
    at.session_state["lt_saved"] = {"id": ids["late"], "ref": "T-1", "created": True, "patient": "P-LATE",
                                    "product": "BOTOX Cosmetic", "when": datetime(2026, 11, 1, 10), "areas": [],
                                    "warnings": []}
    at.run()
    assert not at.exception
    at.button(key="lt_pl_make").click().run()
    assert "?report=" in at.code[0].value
    db = open_database(db_file)
    try:
        from tests.followup_support import event

        event_id = event(db, practitioner, ids["late"], "headache")
    finally:
        db.close()
    cases = AppTest.from_file(str(VIEWS / "cases.py"), default_timeout=30)
    cases.session_state["user"] = practitioner
    cases.session_state["cs_status"] = "all"
    cases.run()
    cases.selectbox(key="cs_case").set_value(event_id).run()
    assert not cases.exception
    assert any(b.key == "cs_pl_make" for b in cases.button)


def test_manager_sets_the_clinic_phone_the_patient_then_sees(db_file, practitioner, manager):
    ids = seed(db_file, practitioner)
    at = page(manager)
    phone_key = [t.key for t in at.text_input if t.key.startswith("fu_phone_")]
    assert phone_key
    for key in phone_key:
        at.text_input(key=key).set_value("0161 496 0000")
    at.text_input(key="fu_base").set_value("ftp://nope")
    at.button[[b.label for b in at.button].index("Save settings")].click().run()
    assert any("must start with http" in w.value for w in at.warning)
    at.text_input(key="fu_base").set_value("https://clinic.example")
    at.button[[b.label for b in at.button].index("Save settings")].click().run()
    assert any("Settings saved" in s.value for s in at.success)
    patient = patient_page(ids["link"])
    assert any("0161 496 0000" in t.value for t in patient.text)
    assert not any(t.key == "fu_base" for t in page(practitioner).text_input)  # practitioners do not see it
