"""Signal reviews: a manager marks a signal reviewed with a note (audited); the cases behind a signal."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.db import Database
from dashboard.core.sqlfiles import load_sql

NOTE_MAX = 2000


class ReviewError(ValueError):
    """Raised when a review cannot be saved; the message says what to fix."""


def data_key(db: Database, user: User | None) -> tuple:
    """Return a fingerprint of treatments and events (not of reviews), to key cached signal runs (signals.view)."""
    require(user, "signals.view")
    return tuple(db.query_rows("signals_data_key")[0])


def latest_reviews(db: Database, user: User | None) -> dict[str, dict[str, Any]]:
    """Return the latest review per signal id (reviewer, time, note, level and count at review, reviews)."""
    require(user, "signals.view")
    df = db.query("signals_reviews_latest")
    return {row["signal_id"]: row for row in df.to_dict("records")}


def mark_reviewed(db: Database, user: User, signal: dict[str, Any], note: str) -> int:
    """Store a review of the signal with the manager's note and append the audit row; returns the review id."""
    require(user, "signals.review")
    text = (note or "").strip()
    if not text:
        raise ReviewError("Write a short note: what you checked or decided.")
    if len(text) > NOTE_MAX:
        raise ReviewError(f"The note is {len(text)} characters long; keep it under {NOTE_MAX}.")
    params = {
        "signal_id": signal["id"], "reviewed_at": datetime.now().replace(microsecond=0),
        "reviewed_by": user.username, "note": text, "level": signal.get("level"), "kind": signal.get("kind"),
        "term": signal.get("term"), "observed": signal.get("observed"), "summary": signal.get("summary"),
    }

    def save(cur) -> int:
        review_id = int(cur.execute(load_sql("signals_review_insert"), params).fetchone()[0])
        detail = json.dumps({"review_id": review_id, "level": signal.get("level"), "kind": signal.get("kind"),
                             "term": signal.get("term"), "observed": signal.get("observed"), "note": text})
        db.audit(cur, user.username, "signal.review", "signal", signal["id"], detail)
        return review_id

    return db.write(save)


def recurrence(signal: dict[str, Any], review: dict[str, Any] | None) -> str | None:
    """Describe a reviewed signal that is still present: unchanged, or grown since the review."""
    if not review:
        return None
    when = pd.Timestamp(review["reviewed_at"]).strftime("%d %b %Y")
    before = review.get("observed")
    now = signal.get("observed")
    if before is not None and now is not None and not pd.isna(before) and now > before:
        return (f"Reviewed on {when} by {review['reviewed_by']} at {int(before)} cases; it has recurred and now "
                f"has {now}.")
    return f"Reviewed on {when} by {review['reviewed_by']}; no new cases since."


def cases_for(db: Database, user: User | None, signal: dict[str, Any], date_from: date | None = None,
              date_to: date | None = None, limit: int = 500) -> pd.DataFrame:
    """Return the adverse-event cases behind a signal (most recent first; needs signals.view)."""
    require(user, "signals.view")
    area = signal.get("area") if signal.get("kind") in ("placement", "dosing") else None
    return db.query("signals_cases", {
        "term": signal["term"], "injector": signal.get("injector"),
        "product": signal.get("product") if signal.get("kind") in ("dosing", "product_lot") else None,
        "lot": signal.get("lot"), "clinic": signal.get("clinic") if signal.get("kind") == "time_cluster" else None,
        "area": area, "factor": signal.get("factor"),
        "window_start": signal.get("window_start"), "window_end": signal.get("window_end"),
        "date_from": date_from, "date_to": date_to, "limit": limit,
    })
