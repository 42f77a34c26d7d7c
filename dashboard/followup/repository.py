"""Data layer of the Follow-ups page: the list (urgent, overdue, due today, upcoming, done), "reviewed: no adverse
event", and the patient reports a clinician confirms, edits or rejects.

Every function takes the signed-in `User` and checks the role first; practitioners see the treatments they gave or
entered, managers everyone (the Cases page's scope). Writes are audited in their own transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb
import pandas as pd

from dashboard.core.authz import User, read_scope, require
from dashboard.core.db import Database
from dashboard.followup.questions import RED_FLAG_TERMS
from dashboard.followup.schedule import ensure_schedule
from dashboard.practice.repository import new_event

STATUSES = ("urgent", "overdue", "due_today", "upcoming", "done")
STATUS_LABELS = {"urgent": "Urgent", "overdue": "Overdue", "due_today": "Due today", "upcoming": "Not due yet",
                 "done": "Done"}
REPORT_STATUSES = ("received", "edited", "confirmed", "rejected")
WAITING = ("received", "edited")
LOOK_BACK_DAYS = 60
EXPEDITED_DAYS = 15


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _clean(text: str | None) -> str | None:
    v = (text or "").strip()
    return v or None


@dataclass
class FollowUpFilter:
    """What the Follow-ups list is narrowed to."""

    statuses: tuple[str, ...] = ("urgent", "overdue", "due_today")
    clinic: str | None = None
    injector: str | None = None
    today: date | None = None
    look_back_days: int = LOOK_BACK_DAYS


def list_followups(db: Database, user: User | None, f: FollowUpFilter | None = None, *,
                   limit: int | None = 500) -> pd.DataFrame:
    """Return the follow-ups this user may see, urgent first, then overdue, due today, not due yet, done.

    A treatment is urgent while a red-flag patient report waits for a clinician, or while an open event with a
    red-flag term lies inside its red-flag watch; done once reviewed or once an event was reported. limit=None
    returns every row (the page counts the statuses from them)."""
    require(user, "case.view_own")
    assert user is not None
    f = f or FollowUpFilter()
    bad = set(f.statuses) - set(STATUSES)
    if bad:
        raise ValueError(f"unknown status {sorted(bad)}")
    ensure_schedule(db)
    today = f.today or date.today()
    out = db.query("followup_list", {
        **read_scope(user), "clinic_filter": f.clinic, "injector_filter": f.injector,
        "since": datetime.combine(today - timedelta(days=f.look_back_days), time()), "today": today,
        "red_terms": list(RED_FLAG_TERMS), "statuses": list(f.statuses), "limit": limit})
    out["expedited_days_left"] = [
        None if pd.isna(r) else EXPEDITED_DAYS - (today - pd.Timestamp(r).date()).days
        for r in out["serious_reported_at"]]
    return out


def record_review(db: Database, user: User | None, treatment_id: int, *, note: str | None = None,
                  client_token: str) -> int:
    """Record "reviewed: no adverse event" for a treatment this user may see (a review, not an event); audited
    as followup.review. Idempotent per client_token; returns the review id."""
    require(user, "case.follow_up")
    assert user is not None
    found = db.query("practice_treatment_detail", {**read_scope(user), "treatment_id": int(treatment_id)})
    if found.empty:
        raise PermissionError("this treatment is not one you may follow up")
    text = _clean(note)
    if text is not None and len(text) > 1000:
        raise ValueError("The note is longer than 1,000 characters; please shorten it.")

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        row = db.execute_named(cur, "followup_review_by_token", {"client_token": client_token}).fetchone()
        if row is not None:
            return int(row[0])
        review_id = int(db.execute_named(cur, "followup_insert_review", {
            "treatment_id": int(treatment_id), "reviewed_at": _now(), "reviewed_by": user.username, "note": text,
            "client_token": client_token}).fetchone()[0])
        db.audit(cur, user.username, "followup.review", "treatment", str(int(treatment_id)), json.dumps({
            "review_id": review_id, "outcome": "no_event", "treatment_ref": str(found.iloc[0]["treatment_ref"]),
            "note": text}))
        return review_id

    return db.write(work)


# ---------------------------------------------------------------------------------------------- patient reports
def patient_reports(db: Database, user: User | None, *, statuses: tuple[str, ...] = WAITING,
                    treatment_id: int | None = None, limit: int = 200) -> pd.DataFrame:
    """Return the latest version of the patient reports this user may see, waiting and red-flag ones first."""
    require(user, "case.view_own")
    assert user is not None
    return db.query("patient_reports_list", {
        **read_scope(user), "statuses": list(statuses), "limit": limit,
        "treatment_filter": None if treatment_id is None else int(treatment_id), "report_filter": None})


def patient_report_versions(db: Database, user: User | None, report_id: int) -> pd.DataFrame:
    """Return every version of one patient report (oldest first); empty when the user may not see it."""
    require(user, "case.view_own")
    assert user is not None
    return db.query("patient_report_versions", {**read_scope(user), "report_id": int(report_id)})


def _latest(db: Database, user: User, report_id: int) -> dict[str, Any]:
    found = db.query("patient_reports_list", {
        **read_scope(user), "statuses": list(REPORT_STATUSES), "limit": 1, "treatment_filter": None,
        "report_filter": int(report_id)})
    if found.empty:
        raise PermissionError("this patient report is not one you may handle")
    row = {k: (None if (not isinstance(v, list | tuple) and pd.isna(v)) else v)
           for k, v in found.iloc[0].to_dict().items()}
    if row["status"] not in WAITING:
        raise ValueError(f"This patient report was already {row['status']}; it cannot be changed again.")
    return row


def _check_term(db: Database, term: str) -> None:
    if not db.query_scalar("followup_term_exists", {"term": term}):
        raise ValueError(f"{term!r} is not an event term of the reference list.")


def _version(cur: duckdb.DuckDBPyConnection, db: Database, latest: dict[str, Any], status: str, *, user: User,
             term: str | None = None, severity: int | None = None, narrative: str | None = None,
             event_id: int | None = None, note: str | None = None) -> int:
    version = int(latest["version"]) + 1
    db.execute_named(cur, "patient_report_version_insert", {
        "report_id": int(latest["report_id"]), "version": version, "status": status,
        "term": term or latest["term"], "severity": severity if severity is not None else latest["severity"],
        "red_flag": bool(latest["red_flag"]),
        "narrative": narrative if narrative is not None else latest["narrative"], "event_id": event_id,
        "changed_at": _now(), "changed_by": user.username, "note": _clean(note)})
    return version


def edit_patient_report(db: Database, user: User | None, report_id: int, *, term: str, severity: int | None,
                        narrative: str | None, note: str | None = None) -> int:
    """Store an edited version of a waiting patient report (term, grade, narrative); returns the version."""
    require(user, "case.follow_up")
    assert user is not None
    latest = _latest(db, user, report_id)
    _check_term(db, term)
    _check_severity(severity)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        version = _version(cur, db, latest, "edited", user=user, term=term, severity=severity,
                           narrative=_clean(narrative) or "", note=note)
        db.audit(cur, user.username, "patient_report.edit", "treatment", str(int(latest["treatment_id"])),
                 json.dumps({"report_id": int(report_id), "version": version, "term": term, "severity": severity}))
        return version

    return db.write(work)


def _check_severity(severity: int | None) -> None:
    if severity is not None and severity not in (1, 2, 3, 4, 5):
        raise ValueError("The grade must be 1 to 5.")


def reject_patient_report(db: Database, user: User | None, report_id: int, *, note: str) -> int:
    """Reject a waiting patient report (the reason is required); it never counts. Returns the version."""
    require(user, "case.follow_up")
    assert user is not None
    if not _clean(note):
        raise ValueError("Say why the report is rejected (for example: patient called, bruise only).")
    latest = _latest(db, user, report_id)

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        version = _version(cur, db, latest, "rejected", user=user, note=note)
        db.audit(cur, user.username, "patient_report.reject", "treatment", str(int(latest["treatment_id"])),
                 json.dumps({"report_id": int(report_id), "version": version, "note": _clean(note)}))
        return version

    return db.write(work)


def confirm_patient_report(db: Database, user: User | None, report_id: int, *, term: str | None = None,
                           severity: int = 1, serious: bool = False, seriousness: str | None = None,
                           note: str | None = None) -> tuple[int, str]:
    """Confirm a waiting patient report: it becomes an adverse event (reported_by 'patient', version 1) that counts
    in Trends and Signals, and the report gets a 'confirmed' version naming it. Returns (event id, event ref)."""
    require(user, "case.follow_up")
    assert user is not None
    latest = _latest(db, user, report_id)
    term = term or str(latest["term"])
    _check_term(db, term)
    _check_severity(severity)
    if serious and not seriousness:
        raise ValueError("A serious event needs its seriousness criterion.")
    detail = db.query("practice_treatment_detail", {**read_scope(user), "treatment_id": int(latest["treatment_id"])})
    treated_at = pd.Timestamp(detail.iloc[0]["treated_at"]).to_pydatetime()
    received = pd.Timestamp(latest["submitted_at"]).to_pydatetime()
    onset = latest.get("onset_date")
    onset_at = datetime.combine(pd.Timestamp(onset).date(), time(9, 0)) if onset is not None else received
    onset_at = min(max(onset_at, treated_at), received)
    clinic_id = int(detail.iloc[0]["clinic_id"])

    def work(cur: duckdb.DuckDBPyConnection) -> tuple[int, str]:
        now = _now()
        event_id, event_ref = new_event(db, cur, clinic_id, int(latest["treatment_id"]), now)
        db.execute_named(cur, "practice_insert_event_version", {
            "event_id": event_id, "version": 1, "term": term, "onset_at": onset_at, "severity": int(severity),
            "serious": bool(serious), "seriousness": seriousness if serious else None, "outcome": "unknown",
            "resolved_at": None, "side": None, "area": None, "causality": None, "action_taken": None,
            "reported_by": "patient", "reported_at": received, "narrative": latest["narrative"] or None,
            "changed_at": now, "changed_by": user.username,
            "change_note": f"patient report {int(report_id)} confirmed" + (f": {_clean(note)}" if _clean(note) else ""),
            "client_token": None})
        version = _version(cur, db, latest, "confirmed", user=user, term=term, severity=int(severity),
                           event_id=event_id, note=note)
        db.audit(cur, user.username, "event.create", "event", str(event_id), json.dumps({
            "event_ref": event_ref, "treatment_id": int(latest["treatment_id"]), "term": term, "version": 1,
            "source": "patient_report", "report_id": int(report_id)}))
        db.audit(cur, user.username, "patient_report.confirm", "treatment", str(int(latest["treatment_id"])),
                 json.dumps({"report_id": int(report_id), "version": version, "event_id": event_id}))
        return event_id, event_ref

    return db.write(work)
