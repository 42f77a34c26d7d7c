"""The demo clinic gets follow-ups: reviews (two injectors never review) and patient reports in every state."""

from __future__ import annotations

from datetime import timedelta

from dashboard.core.authz import system_user
from dashboard.core.db import open_database
from dashboard.demo.command import load_demo_file as load_demo
from dashboard.followup import repository as fu
from dashboard.followup.completeness import completeness
from dashboard.followup.demo import NEVER_REVIEW, seed_demo_followups


def test_demo_followups_give_every_page_something_to_show(db_file):
    load_demo(db_file, 3000, 1)
    db = open_database(db_file)
    try:
        demo = system_user("demo", "manager")
        added = seed_demo_followups(db, demo, 1)
        assert added["reviews"] > 50 and added["patient_reports"] == 5
        assert seed_demo_followups(db, demo, 1) == {"reviews": 0, "patient_reports": 0}  # idempotent
        reports = fu.patient_reports(db, demo, statuses=fu.REPORT_STATUSES)
        assert sorted(reports["status"]) == ["confirmed", "received", "received", "received", "rejected"]
        assert reports["red_flag"].sum() == 1
        assert "urgent" in set(fu.list_followups(db, demo)["status"])
        last = db.scalar("SELECT CAST(max(treated_at) AS DATE) FROM treatments")
        table = completeness(db, demo, today=last + timedelta(days=30)).groupby("injector").sum(numeric_only=True)
        share = table["reviewed"] / table["treatments"]
        assert all(share[name] < 0.4 for name in NEVER_REVIEW)  # only their treatments with an event count
        assert share.drop(list(NEVER_REVIEW)).min() > 0.7
    finally:
        db.close()
