"""Shared set-up of the follow-up tests: treatments by two injectors, days before a fixed 'today'."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dashboard.core.authz import User
from dashboard.core.db import Database
from dashboard.practice import repository as repo
from dashboard.practice.validation import AreaEntry, EventDraft, TreatmentDraft

BOB = User(username="bob", role="practitioner", display_name="Dr Bob Lee", injector_name="Dr Bob Lee")


def treat(db: Database, user: User, patient: str, injector: str, days_ago: int, *, clinic: str = "North",
          area: str = "glabella", today: date | None = None) -> int:
    """Log a treatment `days_ago` days before today (10:00) and return its id."""
    when = datetime.combine((today or date.today()) - timedelta(days=days_ago), datetime.min.time()).replace(hour=10)
    d = TreatmentDraft(patient, clinic, injector, when, "ona", [AreaEntry(area, 20 if area == "glabella" else 40, 5)])
    return repo.save_treatment(db, user, d, confirmed=[], client_token=f"t-{patient}-{days_ago}").id


def event(db: Database, user: User, treatment_id: int, term: str, days_after: int = 2) -> int:
    """Report an event on a treatment (onset `days_after` days after it)."""
    info = repo.treatment_detail(db, user, treatment_id)
    assert info is not None
    onset = info[0]["treated_at"] + timedelta(days=days_after)
    return repo.save_event(db, user, EventDraft(treatment_id, term, onset, 2), client_token=f"e-{treatment_id}-{term}").id
