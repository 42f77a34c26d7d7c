"""Follow-up data layer: schedule from the reference data, statuses, reviews in the audit trail, role scope."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from dashboard.followup import repository as fu
from dashboard.followup.schedule import build_rules, schedule_rules
from tests.followup_support import BOB, event, treat


def test_schedule_comes_from_the_reference_file_and_differs_by_area(db, manager):
    rules = schedule_rules(db, manager)
    default = rules[rules["area"].isna() & rules["product"].isna()].iloc[0]
    assert (default["review_day"], default["watch_until_day"]) == (14, 28)
    masseter = rules[rules["area"] == "masseter"].iloc[0]
    assert masseter["review_day"] > 14 and masseter["watch_until_day"] > 28


def test_bad_schedule_files_are_refused_in_plain_words():
    with pytest.raises(ValueError, match="unknown area"):
        build_rules("default: {review_day: 14, watch_until_day: 28, reason: x}\nrules: [{area: elbow, review_day: 1, "
                    "watch_until_day: 2, reason: y}]")
    with pytest.raises(ValueError, match="not after the watch end"):
        build_rules("default: {review_day: 30, watch_until_day: 28, reason: x}")


def test_statuses_urgent_overdue_due_today_done(db, manager, practitioner):
    today = date.today()
    due = treat(db, practitioner, "P-DUE", "Dr Ada Park", 14)
    late = treat(db, practitioner, "P-LATE", "Dr Ada Park", 20)
    soon = treat(db, practitioner, "P-SOON", "Dr Ada Park", 3)
    masseter = treat(db, practitioner, "P-JAW", "Dr Ada Park", 20, area="masseter")
    reviewed = treat(db, practitioner, "P-OK", "Dr Ada Park", 16)
    red = treat(db, practitioner, "P-RED", "Dr Ada Park", 5)
    fu.record_review(db, practitioner, reviewed, note="phoned, all well", client_token="r1")
    event(db, practitioner, red, "dysphagia")
    rows = fu.list_followups(db, practitioner, fu.FollowUpFilter(statuses=fu.STATUSES, today=today))
    status = dict(zip(rows["treatment_id"], rows["status"], strict=True))
    assert status == {due: "due_today", late: "overdue", soon: "upcoming", masseter: "upcoming", reviewed: "done",
                      red: "urgent"}
    assert list(rows["status"])[:3] == ["urgent", "overdue", "due_today"]  # urgent first
    only = fu.list_followups(db, practitioner, fu.FollowUpFilter(today=today))
    assert set(only["status"]) == {"urgent", "overdue", "due_today"}


def test_review_is_a_review_in_the_audit_trail_not_an_event(db, practitioner):
    tid = treat(db, practitioner, "P-1", "Dr Ada Park", 14)
    events_before = db.scalar("SELECT count(*) FROM events")
    first = fu.record_review(db, practitioner, tid, note="called", client_token="same")
    assert fu.record_review(db, practitioner, tid, note="called", client_token="same") == first  # double click
    assert db.scalar("SELECT count(*) FROM events") == events_before
    action, entity_id, detail = db.rows("SELECT action, entity_id, detail FROM audit_log "
                                        "WHERE action = 'followup.review'")[0]
    assert (action, entity_id) == ("followup.review", str(tid))
    assert json.loads(detail)["outcome"] == "no_event"
    with pytest.raises(ValueError, match="1,000"):
        fu.record_review(db, practitioner, tid, note="x" * 1001, client_token="long")


def test_practitioner_sees_own_patients_manager_everyone_filters(db, manager, practitioner):
    mine = treat(db, practitioner, "P-ADA", "Dr Ada Park", 14)
    bobs = treat(db, BOB, "P-BOB", "Dr Bob Lee", 14, clinic="South")
    seen = set(fu.list_followups(db, practitioner)["treatment_id"])
    assert mine in seen and bobs not in seen
    assert {mine, bobs} <= set(fu.list_followups(db, manager)["treatment_id"])
    assert set(fu.list_followups(db, manager, fu.FollowUpFilter(clinic="South"))["treatment_id"]) == {bobs}
    assert set(fu.list_followups(db, manager, fu.FollowUpFilter(injector="Dr Ada Park"))["treatment_id"]) == {mine}
    with pytest.raises(PermissionError):
        fu.record_review(db, practitioner, bobs, client_token="x")


def test_serious_case_shows_days_left_to_the_expedited_deadline(db, practitioner):
    from dashboard.practice import repository as repo
    from dashboard.practice.validation import EventDraft

    tid = treat(db, practitioner, "P-S", "Dr Ada Park", 6)
    info = repo.treatment_detail(db, practitioner, tid)
    repo.save_event(db, practitioner, EventDraft(tid, "dysphagia", info[0]["treated_at"] + timedelta(days=2), 3,
                                                 serious=True, seriousness="hospitalisation"), client_token="s")
    row = fu.list_followups(db, practitioner, fu.FollowUpFilter(statuses=fu.STATUSES)).iloc[0]
    assert row["status"] == "urgent" and row["expedited_days_left"] == 15
