"""Regulator report pack: Yellow Card and MedWatch fields with E2B(R3) numbers filled from the case, missing
mandatory fields marked, CSV and printable page, submissions recorded, the 15-day deadline and counterfeit route."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.db import open_database
from dashboard.followup import regulator as reg
from dashboard.followup import repository as fu
from dashboard.practice import repository as repo
from dashboard.practice.validation import AreaEntry, EventDraft, TreatmentDraft
from tests.followup_support import BOB
from tests.test_view_followups import VIEWS


def _case(db, user, *, term="dysphagia", serious=True, lot="C1234", narrative="=cmd() <b>x</b>"):
    when = datetime.combine(date.today() - timedelta(days=6), datetime.min.time()).replace(hour=10)
    d = TreatmentDraft("P-REG", "North", "Dr Ada Park", when, "ona", [AreaEntry("platysma", 30, 6)],
                       lot_number=lot, birth_year=1980, sex="F")
    tid = repo.save_treatment(db, user, d, confirmed=[], client_token=f"t{term}{lot}").id
    return repo.save_event(db, user, EventDraft(tid, term, when + timedelta(days=3), 3, serious=serious,
                                                seriousness="hospitalisation" if serious else None,
                                                narrative=narrative), client_token=f"e{term}{lot}").id


def test_fields_are_filled_with_their_e2b_numbers(db, practitioner):
    pack = reg.regulator_pack(db, practitioner, _case(db, practitioner))
    by = {(f.scheme, f.e2b): f for f in pack["fields"]}
    assert by[("yellow_card", "G.k.4.r.7")].value == "C1234"  # batch / lot
    assert by[("yellow_card", "G.k.2.2")].value.startswith("BOTOX Cosmetic")
    assert by[("medwatch", "E.i.7")].value == "0 unknown"
    assert by[("yellow_card", "E.i.3.2")].value.startswith("E.i.3.2c")
    assert by[("yellow_card", "D.5")].value == "female"
    assert by[("medwatch", "C.2.r.1")].value == "Dr Ada Park" and by[("medwatch", "C.2.r.1")].section == "G Reporter"
    assert not pack["missing"] and pack["days_left"] == 15 and pack["counterfeit"] is None


def test_missing_mandatory_fields_are_marked_and_csv_is_formula_safe(db, practitioner):
    pack = reg.regulator_pack(db, practitioner, _case(db, practitioner, lot="", term="headache",
                                                          serious=False))
    assert {f.e2b for f in pack["missing"]} == {"G.k.4.r.7"}  # no lot recorded
    rows = list(csv.DictReader(io.StringIO(reg.pack_csv(pack))))
    lot = [r for r in rows if r["e2b_r3"] == "G.k.4.r.7"]
    assert {r["missing"] for r in lot} == {"true"}
    narrative = [r for r in rows if r["field"] == "Narrative"][0]["value"]
    assert narrative.startswith("'=cmd()")
    page = reg.pack_html(pack)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and "MISSING" in page


def test_submission_recorded_stops_the_deadline_and_is_audited(db, practitioner):
    event_id = _case(db, practitioner)
    assert fu.list_followups(db, practitioner, fu.FollowUpFilter(statuses=fu.STATUSES)).iloc[0][
        "expedited_days_left"] == 15
    with pytest.raises(ValueError, match="reference number"):
        reg.record_submission(db, practitioner, event_id, scheme="yellow_card", reference=" ",
                              submitted_on=date.today())
    with pytest.raises(ValueError, match="future"):
        reg.record_submission(db, practitioner, event_id, scheme="yellow_card", reference="YC-1",
                              submitted_on=date.today() + timedelta(days=1))
    reg.record_submission(db, practitioner, event_id, scheme="yellow_card", reference="YC-2026-001",
                          submitted_on=date.today())
    pack = reg.regulator_pack(db, practitioner, event_id)
    assert pack["days_left"] is None and list(pack["submissions"]["reference"]) == ["YC-2026-001"]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'event.regulator_report'") == 1
    row = fu.list_followups(db, practitioner, fu.FollowUpFilter(statuses=fu.STATUSES)).iloc[0]
    assert pd.isna(row["expedited_days_left"])  # reported: no countdown on Follow-ups


def test_counterfeit_offers_the_reporting_route_and_scope_holds(db, practitioner):
    event_id = _case(db, practitioner, term="suspected_counterfeit", serious=False, lot="FAKE1")
    assert "AbbVie" in reg.regulator_pack(db, practitioner, event_id)["counterfeit"]
    with pytest.raises(PermissionError):
        reg.regulator_pack(db, BOB, event_id)


def test_cases_page_shows_the_pack_and_records_a_submission(db_file, practitioner):
    db = open_database(db_file)
    try:
        event_id = _case(db, practitioner)
    finally:
        db.close()
    at = AppTest.from_file(str(VIEWS / "cases.py"), default_timeout=30)
    at.session_state["user"] = practitioner
    at.session_state["cs_status"] = "all"
    at.run()
    at.selectbox(key="cs_case").set_value(event_id).run()
    assert not at.exception
    assert any("15 day(s) left" in w.value for w in at.warning)
    at.text_input(key=f"rg_ref_{event_id}").set_value("YC-77")
    at.button[[b.label for b in at.button].index("Record submission")].click().run()
    assert not at.exception
    assert any("reference YC-77" in t.value for t in at.text)
