"""Follow-ups for the demo clinic, so every new page has something to show: reviews on most recent treatments
(two injectors never review, which the completeness figures on Trends point out), and a few patient self-reports:
one red flag, two waiting, one confirmed, one rejected. Idempotent: a second run adds nothing."""

from __future__ import annotations

import json

import duckdb

from dashboard.core.authz import User, require
from dashboard.core.db import Database
from dashboard.followup import links
from dashboard.followup import repository as fu

NEVER_REVIEW = ("Dr Omar Haddad", "Dr Samuel Adeyemi")
REVIEWED_SHARE = 85  # per cent of the others' recent treatments without an event
DAYS = 180  # the window of the completeness figures on Trends
PATIENT_ANSWERS: tuple[tuple[dict[str, bool], str | None, str | None], ...] = (  # (answers, own words, what the clinician did)
    ({"breathing": True}, "Since yesterday it is hard to swallow my tablets.", None),
    ({"droop": True}, "My left eyelid looks heavier in the evening.", None),
    ({"headache": True}, None, None),
    ({"no_effect": True}, "No change to my frown lines after two weeks.", "confirm"),
    ({}, "A small bruise between my eyebrows.", "reject"),
)


def seed_demo_followups(db: Database, user: User | None, seed: int = 1) -> dict[str, int]:
    """Add the demo's reviews and patient reports (needs case.follow_up and case.view_all: the demo acts as a
    manager); returns what was added."""
    require(user, "case.follow_up")
    require(user, "case.view_all")
    assert user is not None
    if db.scalar("SELECT count(*) FROM followup_reviews WHERE reviewed_by = 'demo'"):
        return {"reviews": 0, "patient_reports": 0}

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        n = len(db.execute_named(cur, "followup_demo_reviews", {
            "seed": seed, "days": DAYS, "never": list(NEVER_REVIEW), "share": REVIEWED_SHARE}).fetchall())
        db.audit(cur, user.username, "followup.review", "treatment", None, json.dumps({
            "demo": True, "reviews": n, "never_review": list(NEVER_REVIEW)}))
        return n

    reviews = db.write(work)
    targets = [int(r[0]) for r in db.query_rows("followup_demo_latest", {"never": list(NEVER_REVIEW),
                                                                       "limit": len(PATIENT_ANSWERS)})]
    made = 0
    for tid, (answers, words, action) in zip(targets, PATIENT_ANSWERS, strict=False):
        link = links.create_link(db, user, tid)
        result = links.submit_answers(db, link.token, answers, words, None, nonce=f"demo-{seed}-{tid}")
        made += result.reports
        waiting = fu.patient_reports(db, user, treatment_id=tid)
        for rid in waiting["report_id"]:
            if action == "confirm":
                fu.confirm_patient_report(db, user, int(rid), severity=1, note="demo: seen in clinic")
            elif action == "reject":
                fu.reject_patient_report(db, user, int(rid), note="demo: bruise only, expected after injection")
    return {"reviews": int(reviews), "patient_reports": made}
