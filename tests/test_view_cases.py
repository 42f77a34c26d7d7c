"""AppTest of the Cases page: role scoping, filters, version history and append-only follow-ups."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.core.authz import User
from dashboard.core.db import open_database
from dashboard.practice import repository as repo
from dashboard.practice.validation import AreaEntry, EventDraft, TreatmentDraft

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "cases.py")
BOB = User(username="bob", role="practitioner", display_name="Dr Bob Lee", injector_name="Dr Bob Lee")
TREATED = datetime(2026, 11, 20, 10, 0)


def seed(db_file, ada: User) -> dict[str, int]:
    """Ada's case (open ptosis), Ada's closed headache, and Bob's case on Bob's patient."""
    db = open_database(db_file)
    try:
        def treat(user, patient, injector, token):
            d = TreatmentDraft(patient, "North", injector, TREATED, "ona", [AreaEntry("glabella", 20, 5)])
            return repo.save_treatment(db, user, d, confirmed=[], client_token=token).id

        t_ada = treat(ada, "P-ADA", "Dr Ada Park", "t1")
        t_bob = treat(BOB, "P-BOB", "Dr Bob Lee", "t2")
        ids = {
            "ada": repo.save_event(db, ada, EventDraft(
                t_ada, "eyelid_ptosis", datetime(2026, 11, 23, 8, 0), 2, outcome="recovering",
                narrative="**Left** lid <b>drop</b>"), client_token="e1").id,
            "ada_closed": repo.save_event(db, ada, EventDraft(
                t_ada, "headache", datetime(2026, 11, 20, 14, 0), 1, outcome="recovered",
                resolved_at=datetime(2026, 11, 21, 9, 0)), client_token="e2").id,
            "bob": repo.save_event(db, BOB, EventDraft(
                t_bob, "injection_site_bruising", datetime(2026, 11, 21, 8, 0), 1), client_token="e3").id,
        }
        return ids
    finally:
        db.close()


def rows(db_file, sql: str):
    db = open_database(db_file)
    try:
        return db.rows(sql)
    finally:
        db.close()


def page(user) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = user
    at.run()
    assert not at.exception
    return at


def listed(at: AppTest) -> list[str]:
    return sorted(at.dataframe[0].value["patient_ref"]) if at.dataframe else []


def test_practitioner_cannot_see_another_injectors_cases(db_file, practitioner, manager):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    at.radio(key="cs_status").set_value("all").run()
    assert listed(at) == ["P-ADA", "P-ADA"]
    assert all("P-BOB" not in o for o in at.selectbox(key="cs_case").options)
    assert not any(s.key == "cs_injector" for s in at.selectbox)
    # planting another injector's case id in session state does not open it
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = practitioner
    at.session_state["cs_status"] = "all"
    at.session_state["cs_case"] = ids["bob"]
    at.run()
    assert not at.exception
    assert at.selectbox(key="cs_case").value is None
    assert not any("Dr Bob Lee" in t.value for t in at.text)
    at = page(manager)
    at.radio(key="cs_status").set_value("all").run()
    assert listed(at) == ["P-ADA", "P-ADA", "P-BOB"]


def test_filters_status_term_injector_and_period(db_file, practitioner, manager):
    seed(db_file, practitioner)
    at = page(manager)
    assert listed(at) == ["P-ADA", "P-BOB"]  # open cases by default
    at.radio(key="cs_status").set_value("closed").run()
    assert list(at.dataframe[0].value["event"]) == ["Headache"]
    at.radio(key="cs_status").set_value("all")
    at.multiselect(key="cs_terms").set_value(["injection_site_bruising"]).run()
    assert listed(at) == ["P-BOB"]
    at.multiselect(key="cs_terms").set_value([])
    at.selectbox(key="cs_injector").set_value("Dr Ada Park").run()
    assert listed(at) == ["P-ADA", "P-ADA"]
    at.date_input(key="cs_from").set_value(date(2026, 11, 22)).run()
    assert list(at.dataframe[0].value["event"]) == ["Drooping upper eyelid"]
    at.multiselect(key="cs_outcomes").set_value(["recovered"]).run()
    assert "No cases match these filters." in at.info[0].value


def test_open_case_shows_treatment_history_and_inert_text(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    at.selectbox(key="cs_case").set_value(ids["ada"]).run()
    texts = [t.value for t in at.text]
    assert "**Left** lid <b>drop</b>" in texts  # shown as text, never rendered
    assert any(t.startswith("T-20261120-0001 — 20 Nov 2026 10:00 — patient P-ADA") for t in texts)
    history = at.dataframe[-1].value
    assert list(history["version"]) == [1] and list(history["changes"]) == ["first report"]


def follow_up(at: AppTest, event_id: int, *, outcome="recovered", day=date(2026, 11, 24), clock=time(9, 0),
              causality="probable", note="Lid back to normal at review") -> AppTest:
    at.pills(key=f"cs_fu_outcome_{event_id}").set_value(outcome)
    at.date_input(key=f"cs_fu_date_{event_id}").set_value(day)
    at.time_input(key=f"cs_fu_time_{event_id}").set_value(clock)
    at.selectbox(key=f"cs_fu_causality_{event_id}").set_value(causality)
    at.text_area(key=f"cs_fu_note_{event_id}").input(note)
    return at.button[-1].click().run()


def test_follow_up_creates_version_two_and_keeps_version_one(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    at.selectbox(key="cs_case").set_value(ids["ada"]).run()
    at = follow_up(at, ids["ada"])
    assert not at.exception
    assert at.success[0].value == "Saved: follow-up, the case is now at version 2."
    got = rows(db_file, f"SELECT version, outcome, resolved_at, causality, changed_by, change_note, narrative "
                        f"FROM event_versions WHERE event_id = {ids['ada']} ORDER BY version")
    assert got == [
        (1, "recovering", None, None, "ada", None, "**Left** lid <b>drop</b>"),
        (2, "recovered", datetime(2026, 11, 24, 9, 0), "probable", "ada", "Lid back to normal at review",
         "**Left** lid <b>drop</b>"),
    ]
    history = at.dataframe[-1].value
    assert list(history["version"]) == [1, 2]
    assert "outcome: Recovering → Recovered" in history["changes"][1]
    assert "causality: — → Probable" in history["changes"][1]
    assert list(history["change_note"]) == ["—", "Lid back to normal at review"]
    # the case stays open on screen although it now leaves the 'open' list
    assert at.selectbox(key="cs_case").value == ids["ada"]
    assert rows(db_file, "SELECT count(*) FROM audit_log WHERE action = 'event.follow_up'") == [(1,)]


def test_follow_up_double_submit_creates_one_version(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    at.selectbox(key="cs_case").set_value(ids["ada"]).run()
    at = follow_up(at, ids["ada"])
    del at.session_state["cs_fu_saved"]  # the second click of a double click, same form instance
    at.run()
    at = follow_up(at, ids["ada"])
    assert at.success[0].value == "Already saved: follow-up, the case is now at version 2."
    assert rows(db_file, f"SELECT max(version), count(*) FROM event_versions WHERE event_id = {ids['ada']}") == [
        (2, 2)]
    at.button(key="cs_fu_again").click().run()
    at = follow_up(at, ids["ada"], outcome="recovered_with_sequelae", note="Slight asymmetry remains")
    assert "now at version 3" in at.success[0].value


def test_follow_up_validation_messages(db_file, practitioner):
    ids = seed(db_file, practitioner)
    at = page(practitioner)
    at.selectbox(key="cs_case").set_value(ids["ada"]).run()
    assert at.pills(key=f"cs_fu_outcome_{ids['ada']}").value == "recovering"  # starts at the current values
    assert at.selectbox(key=f"cs_fu_causality_{ids['ada']}").value is None
    at = at.button[-1].click().run()
    assert "Nothing changed: update the outcome, resolution or causality, or add a note." in [e.value for e in at.error]
    at = follow_up(at, ids["ada"], day=date(2026, 11, 22))
    assert "Resolution (22 Nov 2026 09:00) cannot be before the onset (23 Nov 2026 08:00)." in [e.value for e in at.error]
    at = follow_up(at, ids["ada"], day=date.today() + timedelta(days=30))
    assert "The resolution date is in the future." in [e.value for e in at.error]
    assert at.text_area(key=f"cs_fu_note_{ids['ada']}").value == "Lid back to normal at review"
    assert rows(db_file, f"SELECT count(*) FROM event_versions WHERE event_id = {ids['ada']}") == [(1,)]


def test_admin_cannot_open_cases(db_file, admin):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = admin
    at.run()
    assert "cannot open this page" in at.error[0].value
