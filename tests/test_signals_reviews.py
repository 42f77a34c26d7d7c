"""Marking a signal reviewed: stored with its note, written to the audit trail, shown when it recurs."""

from __future__ import annotations

import pytest

from dashboard.core.authz import PermissionDenied, User
from dashboard.signals.reviews import ReviewError, latest_reviews, mark_reviewed, recurrence

SIGNAL = {"id": "sig-0123456789ab", "kind": "placement", "level": "act", "term": "eyelid_ptosis", "observed": 12,
          "summary": "Dr X: 12 reports of eyelid ptosis where about 4 were expected."}


def test_review_is_stored_and_audited(db, manager):
    review_id = mark_reviewed(db, manager, SIGNAL, "  Watched two sessions; retraining booked.  ")
    latest = latest_reviews(db, manager)[SIGNAL["id"]]
    assert latest["note"] == "Watched two sessions; retraining booked."
    assert latest["reviewed_by"] == "mgr" and latest["observed"] == 12 and latest["reviews"] == 1
    audit = db.df("SELECT actor, action, entity, entity_id, detail FROM audit_log WHERE action = 'signal.review'")
    assert audit.iloc[0]["entity_id"] == SIGNAL["id"] and str(review_id) in audit.iloc[0]["detail"]


def test_latest_review_wins_and_recurrence_is_reported(db, manager):
    mark_reviewed(db, manager, SIGNAL, "first look")
    mark_reviewed(db, manager, SIGNAL, "second look")
    latest = latest_reviews(db, manager)[SIGNAL["id"]]
    assert latest["note"] == "second look" and latest["reviews"] == 2
    assert "no new cases" in recurrence(SIGNAL, latest)
    grown = dict(SIGNAL, observed=15)
    assert "recurred and now has 15" in recurrence(grown, latest)
    assert recurrence(SIGNAL, None) is None


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_bad_notes_are_refused_with_a_reason(db, manager, note):
    with pytest.raises(ReviewError):
        mark_reviewed(db, manager, SIGNAL, note)
    assert latest_reviews(db, manager) == {}


def test_only_roles_with_review_permission(db):
    with pytest.raises(PermissionDenied):
        mark_reviewed(db, User("ada", "practitioner", "Ada"), SIGNAL, "note")
