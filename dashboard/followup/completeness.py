"""Reporting completeness: per clinic and injector, the share of treatments reviewed and the share of events found by
follow-up or patient report, and a note where a low event rate rests on few reviews (an injector who never follows
up looks safest: every rate is a reported rate)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.db import Database
from dashboard.followup.schedule import ensure_schedule

WINDOW_DAYS = 180
LOW_REVIEW_SHARE = 0.5


def completeness(db: Database, user: User | None, *, today: date | None = None,
                 window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """Return per clinic x injector: treatments whose review was due, reviewed share, events per 1,000, share of
    events found by follow-up, and a plain note (needs trends.view, like the rates it qualifies)."""
    require(user, "trends.view")
    ensure_schedule(db)
    today = today or date.today()
    df = db.query("followup_completeness", {
        "since": datetime.combine(today - timedelta(days=window_days), time()), "today": today})
    return add_notes(df)


def add_notes(df: pd.DataFrame) -> pd.DataFrame:
    """Add reviewed_share, rate_per_1000, found_share and note to completeness counts (pure): the note marks a rate
    below that of the well-reviewed rows (half or more reviewed) that rests on under half of treatments reviewed."""
    df = df.copy()
    n = df["treatments"].astype(float)
    df["reviewed_share"] = (df["reviewed"] / n).where(n > 0)
    df["rate_per_1000"] = (1000 * df["events"] / n).where(n > 0)
    df["found_share"] = (df["found_by_follow_up"] / df["events"].astype(float)).where(df["events"] > 0)
    # the yardstick: the event rate where at least half the treatments were reviewed (all rows when none were)
    good = df[df["reviewed_share"] >= LOW_REVIEW_SHARE]
    base = good if good["treatments"].sum() else df
    yardstick = 1000 * base["events"].sum() / max(float(base["treatments"].sum()), 1.0)
    df["note"] = [
        f"low rate, but only {share:.0%} of treatments reviewed"
        if share == share and share < LOW_REVIEW_SHARE and rate < yardstick else ""
        for share, rate in zip(df["reviewed_share"], df["rate_per_1000"], strict=True)]
    return df
