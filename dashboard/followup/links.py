"""Patient self-report links: a signed random token per link, stored only as its SHA-256, revocable, expiring
after 42 days and rate-limited; the patient's side opens and answers with the token alone (no sign-in).

A token is `<random>.<signature>`: 24 random bytes and an HMAC-SHA-256 of them under a key kept in the settings
table, both base64url. A changed token fails the signature before any look-up; a made-up one that passes it would
still need its hash in patient_links. The token works for one treatment only: everything the patient side reads or
writes goes through the link row its hash finds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from dashboard.core.authz import User, read_scope, require
from dashboard.core.db import Database
from dashboard.followup.questions import BY_KEY, FREE_TEXT_LIMIT, FREE_TEXT_TERM, QUESTIONS

LINK_DAYS = 42
DEFAULT_BASE_URL = "http://localhost:8501"
BASE_URL_KEY = "patient_link_base_url"
_KEY_SETTING = "patient_link_key"
# rate limit: failed opens per browser address per hour, answers sent per link per day
FAILS_PER_ADDRESS_HOUR = 10
ANSWERS_PER_LINK_DAY = 5

REFUSALS = {
    "invalid": ("This link does not work",
                "The link is not complete or has been changed. Check that you opened the whole link from your "
                "aftercare sheet or message, or ask your clinic for a new one."),
    "expired": ("This link has expired",
                "Links to report how you are after a treatment work for 42 days. If something is still wrong, "
                "please call your clinic."),
    "revoked": ("This link has been switched off",
                "Your clinic has switched this link off. If something is wrong, please call your clinic."),
    "too_many": ("Too many tries",
                 "There have been too many tries from this connection. Please wait an hour, or call your clinic."),
    "busy": ("Answers already sent today",
             "Several answers have already been sent with this link today. Please call your clinic instead."),
    "replayed": ("Already sent",
                 "These answers have already been sent. There is nothing more to do. To report something new, "
                 "open the link again."),
}


@dataclass(frozen=True)
class PatientLink:
    """A new link: the URL to hand over (it holds the token, shown once), and when it expires."""

    link_id: int
    treatment_id: int
    token: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkAccess:
    """What a token opens: a refusal (reason, title, message) or the treatment date and clinic name."""

    ok: bool
    reason: str | None = None
    title: str = ""
    message: str = ""
    link_id: int | None = None
    treatment_id: int | None = None
    treated_on: date | None = None
    clinic: str | None = None
    clinic_phone: str | None = None


@dataclass(frozen=True)
class Submitted:
    """The outcome of sending the form."""

    ok: bool
    reason: str | None = None
    title: str = ""
    message: str = ""
    red_flag: bool = False
    reports: int = 0
    clinic_phone: str | None = None
    terms: tuple[str, ...] = field(default_factory=tuple)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    """Return the SHA-256 (hex) under which a token's link is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _key(db: Database, cur: duckdb.DuckDBPyConnection | None = None) -> bytes | None:
    if cur is None:
        value = db.query_scalar("settings_get", {"key": _KEY_SETTING})
    else:
        row = db.execute_named(cur, "settings_get", {"key": _KEY_SETTING}).fetchone()
        value = None if row is None else row[0]
    return bytes.fromhex(str(value)) if value else None


def _signature(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()[:16])


def _signed(key: bytes | None, token: str) -> bool:
    if key is None or not isinstance(token, str) or token.count(".") != 1 or len(token) > 200:
        return False
    body, sig = token.split(".")
    if not body or not sig or not body.isascii() or not sig.isascii():
        return False
    return hmac.compare_digest(_signature(key, body), sig)


def _base_url(db: Database) -> str:
    """Return the address patients' links start with (setting patient_link_base_url, else localhost)."""
    value = db.query_scalar("settings_get", {"key": BASE_URL_KEY})
    return str(value) if value else DEFAULT_BASE_URL


def link_url(base: str, token: str) -> str:
    """Return the patient's page address for a token."""
    return f"{base.rstrip('/')}/?report={token}"


def _visible_treatment(db: Database, user: User, treatment_id: int) -> dict[str, Any]:
    rows = db.query("practice_treatment_detail", {**read_scope(user), "treatment_id": int(treatment_id)})
    if rows.empty:
        raise PermissionError("this treatment is not one you may follow up")
    return rows.iloc[0].to_dict()


# ------------------------------------------------------------------------------------------ the clinic's side
def create_link(db: Database, user: User | None, treatment_id: int, *, base: str | None = None,
                now: datetime | None = None) -> PatientLink:
    """Make a self-report link for a treatment this user may see (needs case.follow_up); audited, token shown once."""
    require(user, "case.follow_up")
    assert user is not None
    _visible_treatment(db, user, treatment_id)
    now = now or _now()
    body = _b64(secrets.token_bytes(24))
    expires = now + timedelta(days=LINK_DAYS)

    def work(cur: duckdb.DuckDBPyConnection) -> tuple[int, str]:
        key = _key(db, cur)
        if key is None:
            key = secrets.token_bytes(32)
            db.execute_named(cur, "settings_set", {"key": _KEY_SETTING, "value": key.hex()})
        token = f"{body}.{_signature(key, body)}"
        link_id = int(db.execute_named(cur, "patient_link_insert", {
            "treatment_id": int(treatment_id), "token_hash": token_hash(token), "created_at": now,
            "created_by": user.username, "expires_at": expires}).fetchone()[0])
        db.audit(cur, user.username, "patient_link.create", "treatment", str(int(treatment_id)),
                 json.dumps({"link_id": link_id, "expires_at": expires.isoformat()}))
        return link_id, token

    link_id, token = db.write(work)
    return PatientLink(link_id, int(treatment_id), token, link_url(base or _base_url(db), token), expires)


def revoke_link(db: Database, user: User | None, link_id: int) -> bool:
    """Switch a link off (needs case.follow_up on its treatment); returns False when it was already off."""
    require(user, "case.follow_up")
    assert user is not None
    found = db.query("patient_link_get", {"link_id": int(link_id)})
    if found.empty:
        raise PermissionError("no such link")
    treatment_id = int(found.iloc[0]["treatment_id"])
    _visible_treatment(db, user, treatment_id)

    def work(cur: duckdb.DuckDBPyConnection) -> bool:
        row = db.execute_named(cur, "patient_link_revoke", {
            "link_id": int(link_id), "revoked_at": _now(), "revoked_by": user.username}).fetchone()
        if row is None:
            return False
        db.audit(cur, user.username, "patient_link.revoke", "treatment", str(treatment_id),
                 json.dumps({"link_id": int(link_id)}))
        return True

    return db.write(work)


def links_for(db: Database, user: User | None, treatment_id: int) -> pd.DataFrame:
    """Return the links made for a treatment this user may see (never a token), newest first."""
    require(user, "case.view_own")
    assert user is not None
    _visible_treatment(db, user, treatment_id)
    return db.query("patient_links_for_treatment", {"treatment_id": int(treatment_id)})


# ------------------------------------------------------------------------------------------ the patient's side
def _refused(reason: str) -> LinkAccess:
    title, message = REFUSALS[reason]
    return LinkAccess(False, reason, title, message)


def _hit(db: Database, bucket: str, ok: bool, now: datetime) -> None:
    def work(cur: duckdb.DuckDBPyConnection) -> None:
        db.execute_named(cur, "patient_hits_insert", {"bucket": bucket, "hit_at": now, "ok": ok})

    db.write(work)


def _count(db: Database, bucket: str, since: datetime, ok: bool) -> int:
    return int(db.query_scalar("patient_hits_count", {"bucket": bucket, "since": since, "ok": ok}))


def open_link(db: Database, token: str, *, address: str | None = None, now: datetime | None = None) -> LinkAccess:
    """Check a token (signature, hash, revoked, expired, rate limit) and return what its page may show.

    The token is the credential, so no user is taken; a refusal never says whether another link exists."""
    now = now or _now()
    addr = f"addr:{address}" if address else None
    if addr and _count(db, addr, now - timedelta(hours=1), False) >= FAILS_PER_ADDRESS_HOUR:
        return _refused("too_many")
    found = db.query("patient_link_by_hash", {"token_hash": token_hash(token)}) if _signed(_key(db), token) else None
    if found is None or found.empty:
        reason = "invalid"
    else:
        row = found.iloc[0]
        reason = ("revoked" if not pd.isna(row["revoked_at"])
                  else "expired" if pd.Timestamp(row["expires_at"]) <= pd.Timestamp(now) else "")
    if reason:
        if addr:
            _hit(db, addr, False, now)
        return _refused(reason)
    treated = row["treated_on"]
    return LinkAccess(True, link_id=int(row["link_id"]), treatment_id=int(row["treatment_id"]),
                      treated_on=treated.date() if hasattr(treated, "date") else treated, clinic=str(row["clinic"]),
                      clinic_phone=clinic_phone_of(db, int(row["clinic_id"])))


def clinic_phone_of(db: Database, clinic_id: int) -> str | None:
    """Return the phone number a clinic set for patients (setting clinic_phone:<id>), or None."""
    value = db.query_scalar("settings_get", {"key": f"clinic_phone:{int(clinic_id)}"})
    return str(value) if value else None


def submit_answers(db: Database, token: str, answers: dict[str, bool], free_text: str | None,
                   onset: date | None, *, nonce: str, address: str | None = None,
                   now: datetime | None = None) -> Submitted:
    """Store the patient's answers as patient-reported events awaiting a clinician (one per 'yes', the free text
    alone as `other`); verbatim text; a replayed form (same nonce) and a busy link are refused."""
    now = now or _now()
    access = open_link(db, token, address=address, now=now)
    if not access.ok or access.treatment_id is None:
        return Submitted(False, access.reason, access.title, access.message)
    unknown = set(answers) - set(BY_KEY)
    if unknown:
        raise ValueError(f"unknown questions: {sorted(unknown)}")
    text = (free_text or "").strip() or None
    if text is not None and len(text) > FREE_TEXT_LIMIT:
        return Submitted(False, "too_long", "Please shorten your message",
                         f"Please keep your own words under {FREE_TEXT_LIMIT} characters.")
    if onset is not None and (onset > now.date() or (access.treated_on and onset < access.treated_on)):
        return Submitted(False, "bad_date", "Please check the date",
                         "The date it started must be between your treatment date and today.")
    bucket = f"link:{access.link_id}"
    if _count(db, bucket, now - timedelta(days=1), True) >= ANSWERS_PER_LINK_DAY:
        title, message = REFUSALS["busy"]
        return Submitted(False, "busy", title, message)
    yes = [q for q in QUESTIONS if answers.get(q.key)]
    items = [(q.key, q.term, q.red_flag) for q in yes] or ([("free_text", FREE_TEXT_TERM, False)] if text else [])
    red = any(flag for _, _, flag in items)
    actor = f"patient-link:{access.link_id}"
    treatment_id = access.treatment_id

    def work(cur: duckdb.DuckDBPyConnection) -> Submitted | None:
        if db.execute_named(cur, "patient_submission_by_nonce", {"form_nonce": nonce}).fetchone() is not None:
            return None
        submission_id = int(db.execute_named(cur, "patient_submission_insert", {
            "link_id": access.link_id, "treatment_id": access.treatment_id, "submitted_at": now, "onset_date": onset,
            "answers": json.dumps({q.key: bool(answers.get(q.key)) for q in QUESTIONS}), "free_text": text,
            "red_flag": red, "form_nonce": nonce}).fetchone()[0])
        for key, term, flag in items:
            report_id = int(db.execute_named(cur, "patient_report_insert", {
                "submission_id": submission_id, "treatment_id": access.treatment_id, "question": key,
                "created_at": now}).fetchone()[0])
            db.execute_named(cur, "patient_report_version_insert", {
                "report_id": report_id, "version": 1, "status": "received", "term": term, "severity": None,
                "red_flag": flag, "narrative": text, "event_id": None, "changed_at": now, "changed_by": actor,
                "note": None})
        db.execute_named(cur, "patient_hits_insert", {"bucket": bucket, "hit_at": now, "ok": True})
        db.audit(cur, actor, "patient_report.submit", "treatment", str(access.treatment_id), json.dumps({
            "submission_id": submission_id, "terms": [t for _, t, _ in items], "red_flag": red}))
        if red:
            from dashboard.followup.escalation import queue_red_flag

            queue_red_flag(db, cur, treatment_id, [t for _, t, f in items if f], source="patient", now=now)
        return Submitted(True, red_flag=red, reports=len(items), clinic_phone=access.clinic_phone,
                         terms=tuple(t for _, t, _ in items))

    result = db.write(work)
    if result is None:
        title, message = REFUSALS["replayed"]
        return Submitted(False, "replayed", title, message)
    return result
