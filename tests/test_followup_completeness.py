"""Reporting completeness on a clinic where two injectors never review: their low rates are qualified."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from dashboard.core.authz import User
from dashboard.core.db import open_database
from dashboard.followup import links
from dashboard.followup import repository as fu
from dashboard.followup.completeness import add_notes, completeness
from tests.followup_support import event, treat
from tests.test_view_followups import VIEWS

INJECTORS = ("Dr Ada Park", "Dr Ben Stone", "Dr Cy Noor", "Dr Di Vance")


def seed(db, manager):
    """Ada and Ben review every treatment (and find events); Cy and Di never review and report nothing."""
    for name in INJECTORS:
        user = User(name.split()[1].lower(), "practitioner", name, name)
        for k in range(10):
            tid = treat(db, user, f"P-{name[-4:]}-{k}", name, 20 + k)
            if name in INJECTORS[:2]:
                if k < 2:
                    event(db, user, tid, "eyelid_ptosis", days_after=3)
                else:
                    fu.record_review(db, user, tid, client_token=f"r{name}{k}")
    # one patient report, confirmed: found by follow-up
    tid = treat(db, manager, "P-PAT", "Dr Ada Park", 25)
    link = links.create_link(db, manager, tid)
    links.submit_answers(db, link.token, {"no_effect": True}, None, None, nonce="x")
    rid = int(fu.patient_reports(db, manager).iloc[0]["report_id"])
    fu.confirm_patient_report(db, manager, rid)


def test_two_injectors_who_never_review_get_the_note(db, manager):
    seed(db, manager)
    df = completeness(db, manager, today=date.today()).set_index("injector")
    assert df.loc["Dr Ada Park", "reviewed_share"] == 1.0 and df.loc["Dr Ben Stone", "reviewed_share"] == 1.0
    assert df.loc["Dr Cy Noor", "reviewed_share"] == 0.0 and df.loc["Dr Di Vance", "events"] == 0
    assert df.loc["Dr Cy Noor", "note"] == "low rate, but only 0% of treatments reviewed"
    assert df.loc["Dr Ada Park", "note"] == "" and df.loc["Dr Ben Stone", "note"] == ""
    # all entered today, after their review day (and one from a patient report): all found by follow-up
    assert df.loc["Dr Ada Park", "found_by_follow_up"] == 3 and df.loc["Dr Ada Park", "events"] == 3


def test_note_wording_uses_the_share():
    import pandas as pd

    df = add_notes(pd.DataFrame({"clinic": ["N", "N"], "injector": ["A", "B"], "treatments": [100, 100],
                                 "reviewed": [12, 90], "events": [1, 5], "found_by_follow_up": [0, 2]}))
    assert list(df["note"]) == ["low rate, but only 12% of treatments reviewed", ""]


def test_trends_page_shows_completeness_beside_the_rates(db_file, manager):
    db = open_database(db_file)
    try:
        seed(db, manager)
    finally:
        db.close()
    at = AppTest.from_file(str(VIEWS / "trends.py"), default_timeout=60)
    at.session_state["user"] = manager
    at.run()
    assert not at.exception
    assert any(s.value == "Reporting completeness" for s in at.subheader)
    assert any("rest on few reviews" in w.value for w in at.warning)
    notes = " ".join(t.value for t in at.text)
    assert "Dr Cy Noor (North): low rate, but only 0% of treatments reviewed." in notes
    assert "Dr Di Vance" in notes
