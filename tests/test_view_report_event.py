"""AppTest of the Report adverse event page: renders, spec validation next to fields, saves once."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.authz import User
from dashboard.core.db import open_database
from dashboard.practice import repository as repo
from dashboard.practice.validation import AreaEntry, TreatmentDraft

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "report_event.py")
BOB = User(username="bob", role="practitioner", display_name="Dr Bob Lee", injector_name="Dr Bob Lee")


def seed(db_file, user, *, treated_at=datetime(2026, 11, 20, 10, 0), patient="P-0042", injector="Dr Ada Park",
         token="t1") -> int:
    db = open_database(db_file)
    try:
        d = TreatmentDraft(patient, "North", injector, treated_at, "ona",
                           [AreaEntry("glabella", 20, 5), AreaEntry("lateral_canthal", 24, 6)])
        return repo.save_treatment(db, user, d, confirmed=[], client_token=token).id
    finally:
        db.close()


def rows(db_file, sql: str):
    db = open_database(db_file)
    try:
        return db.rows(sql)
    finally:
        db.close()


def page(user, **state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = user
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception
    return at


def fill(at: AppTest, treatment_id: int, *, term="eyelid_ptosis", onset=(date(2026, 11, 23), time(8, 0)),
         severity=2) -> AppTest:
    at.selectbox(key="re_treatment").set_value(treatment_id)
    at.selectbox(key="re_term").set_value(term)
    at.date_input(key="re_onset_date").set_value(onset[0])
    at.time_input(key="re_onset_time").set_value(onset[1])
    at.radio(key="re_severity").set_value(severity)
    at.selectbox(key="re_side").set_value("L")
    at.run()
    at.selectbox(key="re_area").set_value("glabella")
    at.selectbox(key="re_causality").set_value("probable")
    at.selectbox(key="re_outcome").set_value("recovering")
    at.text_area(key="re_action").input("Apraclonidine drops; review day 7")
    at.text_area(key="re_narrative").input("Left upper lid 2 mm lower; <script>alert(1)</script> **not bold**")
    return at.run()


def save(at: AppTest) -> AppTest:
    return at.button(key="re_save").click().run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_renders_and_shows_grade_anchors_for_the_chosen_term(db_file, practitioner):
    tid = seed(db_file, practitioner)
    at = page(practitioner)
    assert at.title[0].value == "Report adverse event"
    assert at.selectbox(key="re_treatment").options[0].startswith("T-20261120-0001 · 20 Nov 2026 10:00 · P-0042")
    at.selectbox(key="re_treatment").set_value(tid)
    at.selectbox(key="re_region").set_value("Eyes and eyelids").run()
    assert any(o.startswith("Drooping upper eyelid · Eyelid ptosis — Eyes and eyelids")
               for o in at.selectbox(key="re_term").options)
    assert all("Eyes and eyelids" in o for o in at.selectbox(key="re_term").options)
    at.selectbox(key="re_term").set_value("eyelid_ptosis").run()
    captions = list(at.radio(key="re_severity").proto.captions)
    assert captions[0] == "lid drop ≤ 2 mm (MRD1), cosmetic only"
    at.selectbox(key="re_region").set_value("Lack of effect and process incidents").run()
    at.selectbox(key="re_term").set_value("medication_error").run()
    # an event without its own grades shows the general scale in words, not the grade's name again
    assert list(at.radio(key="re_severity").proto.captions) == [
        "no or mild symptoms, no treatment needed", "simple treatment needed, limits some daily activities",
        "needs medical care or a hospital stay, limits self-care",
        "urgent treatment needed, e.g. breathing or swallowing at risk",
        "the patient died of the event"]
    assert any("Glabella (frown lines)" in str(df.value) for df in at.dataframe)


def test_empty_save_lists_required_fields(db_file, practitioner):
    seed(db_file, practitioner)
    at = save(page(practitioner))
    for text in ("Choose the treatment this event follows.", "Choose what happened (the event term).",
                 "Enter the date and time the event began.", "Choose the severity grade (1 to 5)."):
        assert text in errors(at)


@pytest.mark.parametrize("change, message", [
    (lambda at: (at.date_input(key="re_onset_date").set_value(date(2026, 11, 19))),
     "The onset (19 Nov 2026 08:00) cannot be before the treatment (20 Nov 2026 10:00)."),
    (lambda at: (at.checkbox(key="re_serious").check()), "A serious event needs its seriousness criterion."),
    (lambda at: (at.date_input(key="re_resolved_date").set_value(date(2026, 11, 22)),
                 at.time_input(key="re_resolved_time").set_value(time(9, 0))),
     "Resolution (22 Nov 2026 09:00) cannot be before the onset (23 Nov 2026 08:00)."),
    (lambda at: (at.date_input(key="re_resolved_date").set_value(date(2026, 11, 24))),
     "Enter both the date and the time of resolution (or neither)."),
    (lambda at: (at.selectbox(key="re_term").set_value("other"), at.text_area(key="re_narrative").input("")),
     "Describe the event in the narrative: 'Other' needs it."),
])
def test_each_bad_value_gets_its_message_and_nothing_is_lost(db_file, practitioner, change, message):
    tid = seed(db_file, practitioner)
    at = fill(page(practitioner), tid)
    change(at)
    at = save(at)
    assert message in errors(at)
    assert at.selectbox(key="re_causality").value == "probable"
    assert rows(db_file, "SELECT count(*) FROM events") == [(0,)]


def test_onset_more_than_365_days_after_the_treatment_is_refused(db_file, practitioner):
    tid = seed(db_file, practitioner, treated_at=datetime(2025, 1, 10, 9, 0))
    at = save(fill(page(practitioner), tid, onset=(date(2026, 2, 1), time(9, 0))))
    assert ("The onset is more than 365 days after the treatment (10 Jan 2025); report it against a later "
            "treatment.") in errors(at)


def test_good_save_lands_in_the_database_and_text_stays_inert(db_file, practitioner):
    tid = seed(db_file, practitioner)
    at = save(fill(page(practitioner), tid))
    assert not errors(at)
    ok = at.success[0].value
    assert ok.startswith("Saved: adverse event E-") and ok.endswith("(id 1), grade 2.")
    assert "On treatment: T-20261120-0001" in at.text[0].value
    got = rows(db_file, "SELECT e.treatment_id, v.version, v.term, v.onset_at, v.severity, v.serious, v.outcome,"
                        " v.side, v.area, v.causality, v.action_taken, v.reported_by, v.narrative, v.changed_by"
                        " FROM events e JOIN event_versions v USING (event_id)")
    assert got == [(tid, 1, "eyelid_ptosis", datetime(2026, 11, 23, 8, 0), 2, False, "recovering", "L", "glabella",
                    "probable", "Apraclonidine drops; review day 7", "Dr Ada Park",
                    "Left upper lid 2 mm lower; <script>alert(1)</script> **not bold**", "ada")]
    assert rows(db_file, "SELECT count(*) FROM audit_log WHERE action = 'event.create'") == [(1,)]


def test_double_submit_creates_one_event(db_file, practitioner):
    tid = seed(db_file, practitioner)
    at = save(fill(page(practitioner), tid))
    first = at.success[0].value
    del at.session_state["re_saved"]
    at.run()
    at = save(fill(at, tid))
    assert at.success[0].value.startswith("Already saved: adverse event")
    assert first.split(" (id")[0].split()[-1] in at.success[0].value  # the same event ref
    assert rows(db_file, "SELECT count(*) FROM events") == [(1,)]
    assert rows(db_file, "SELECT count(*) FROM event_versions") == [(1,)]


def test_practitioner_is_offered_only_their_own_treatments(db_file, practitioner, manager):
    mine = seed(db_file, practitioner)
    seed(db_file, BOB, patient="P-0099", injector="Dr Bob Lee", token="t2")
    at = page(practitioner)
    assert [o.split(" · ")[2] for o in at.selectbox(key="re_treatment").options] == ["P-0042"]
    at.text_input(key="re_search").input("0099").run()
    assert at.selectbox(key="re_treatment").options == []
    at = page(manager)
    assert len(at.selectbox(key="re_treatment").options) == 2
    at.selectbox(key="re_injector").set_value("Dr Bob Lee").run()
    assert [o.split(" · ")[2] for o in at.selectbox(key="re_treatment").options] == ["P-0099"]
    # a treatment id planted in session state that the practitioner may not see is dropped, not shown
    at = page(practitioner, re_treatment=mine + 1)
    assert at.selectbox(key="re_treatment").value is None


def test_treatment_just_logged_is_preselected(db_file, practitioner):
    tid = seed(db_file, practitioner)
    at = page(practitioner, re_treatment=tid)
    assert at.selectbox(key="re_treatment").value == tid


def test_text_longer_than_the_spec_allows_cannot_be_typed(db_file, practitioner):
    """The widgets cap narrative and action taken at the spec's lengths (the checks stay as a backstop)."""
    tid = seed(db_file, practitioner)
    at = fill(page(practitioner), tid)
    assert at.text_area(key="re_narrative").proto.max_chars == 4000
    assert at.text_area(key="re_action").proto.max_chars == 500
    assert at.text_input(key="re_reported_by").proto.max_chars == 200


def test_days_after_the_treatment_fill_the_onset(db_file, practitioner):
    tid = seed(db_file, practitioner)
    at = page(practitioner, re_treatment=tid)
    at.number_input(key="re_onset_days").set_value(7).run()
    assert at.date_input(key="re_onset_date").value == date(2026, 11, 27)
    assert at.time_input(key="re_onset_time").value == time(10, 0)
    assert any("Onset 7 days 0 h after the treatment." in c.value for c in at.caption)


def test_error_summary_at_the_top_links_the_fields(db_file, practitioner):
    at = page(practitioner)
    at.button(key="re_save").click().run()
    top = at.error[0].value
    assert top.startswith("Not saved yet. Please check: [Treatment](#which-treatment)")
    assert "[Event](#what-happened)" in top and "[Severity](#what-happened)" in top


def test_a_link_with_the_treatment_opens_the_form_on_it(db_file, practitioner):
    tid = seed(db_file, practitioner)
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = practitioner
    at.query_params["treatment"] = str(tid)
    at.run()
    assert not at.exception
    assert at.selectbox(key="re_treatment").value == tid
