"""Red flags: a notification queued in the outbox in the same transaction as the answer or event that raised it,
and the sender that delivers the outbox by SMTP when the clinic has configured it (settings smtp.*)."""

from __future__ import annotations

import json
import re
import smtplib
import threading
from datetime import datetime
from email.message import EmailMessage

import duckdb
import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.db import Database

SMTP_KEYS = ("smtp.host", "smtp.port", "smtp.from", "smtp.to")
PHONE = re.compile(r"[0-9 +()\-]{3,40}")


def queue_red_flag(db: Database, cur: duckdb.DuckDBPyConnection, treatment_id: int, terms: list[str], *,
                   source: str, now: datetime) -> int:
    """Queue a red-flag notification inside the caller's transaction; returns its message id."""
    recipient = db.execute_named(cur, "settings_get", {"key": "smtp.to"}).fetchone()
    return int(db.execute_named(cur, "outbox_insert", {
        "created_at": now, "source": source, "terms": ", ".join(terms), "treatment_id": int(treatment_id),
        "recipient": recipient[0] if recipient else None}).fetchone()[0])


def smtp_settings(db: Database, user: User | None) -> dict[str, str]:
    """Return the configured smtp.* settings (managers and admins)."""
    require(user, "accounts.manage")
    return {k: str(v) for k in SMTP_KEYS if (v := db.query_scalar("settings_get", {"key": k}))}


def save_settings(db: Database, user: User | None, values: dict[str, str]) -> None:
    """Save smtp.* settings, a clinic's patient phone (clinic_phone:<id>) or the links' base address; audited."""
    require(user, "accounts.manage")
    assert user is not None
    allowed = set(SMTP_KEYS) | {"patient_link_base_url"}
    for key, value in values.items():
        if key not in allowed and not (key.startswith("clinic_phone:") and key.split(":", 1)[1].isdigit()):
            raise ValueError(f"unknown setting {key!r}")
        if key.startswith("clinic_phone:") and value.strip() and not PHONE.fullmatch(value.strip()):
            raise ValueError("A phone number may hold only digits, spaces and + ( ) - (3 to 40 characters).")

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        for key, value in values.items():
            db.execute_named(cur, "settings_set", {"key": key, "value": str(value).strip()})
        db.audit(cur, user.username, "settings.change", "settings", None, json.dumps(sorted(values)))

    db.write(work)


def outbox(db: Database, user: User | None, limit: int = 100) -> pd.DataFrame:
    """Return the notification outbox, newest first (managers: case.view_all)."""
    require(user, "case.view_all")
    return db.query("outbox_list", {"limit": limit})


def send_outbox(db: Database, user: User | None, *, limit: int = 50, timeout: float = 10) -> tuple[int, int]:
    """Send unsent notifications through the configured SMTP server; returns (sent, failed). Nothing is sent and
    (0, 0) returned when no SMTP server is configured."""
    require(user, "case.view_all")
    assert user is not None
    conf = {k: db.query_scalar("settings_get", {"key": k}) for k in SMTP_KEYS}
    if not conf["smtp.host"] or not conf["smtp.to"]:
        return 0, 0
    sent = failed = 0
    for row in db.query("outbox_unsent", {"limit": limit}).itertuples():
        msg = EmailMessage()
        msg["Subject"], msg["From"] = row.subject, conf["smtp.from"] or "injectwatch@localhost"
        msg["To"] = row.recipient if isinstance(row.recipient, str) and row.recipient else conf["smtp.to"]
        msg.set_content(row.body)
        error: str | None = None
        try:
            with smtplib.SMTP(str(conf["smtp.host"]), int(conf["smtp.port"] or 25), timeout=timeout) as smtp:
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        params = {"message_id": int(row.message_id), "sent_at": None if error else datetime.now().replace(
            microsecond=0), "last_error": error}
        action = "outbox.send" if error is None else "outbox.fail"

        def work(cur: duckdb.DuckDBPyConnection, params: dict = params, action: str = action) -> None:
            db.execute_named(cur, "outbox_mark", params)
            db.audit(cur, user.username, action, "outbox", str(params["message_id"]),
                     json.dumps({"error": params["last_error"]}))

        db.write(work)
        sent, failed = (sent + 1, failed) if error is None else (sent, failed + 1)
    return sent, failed


def flag_event(db: Database, user: User | None, event_id: int) -> int | None:
    """Queue a red-flag notification when a practitioner's own report names a red-flag term inside the treatment's
    red-flag watch (needs event.report); returns the message id, or None when the event is not a red flag."""
    from dashboard.followup.questions import RED_FLAG_TERMS

    require(user, "event.report")
    assert user is not None
    found = db.query("outbox_event_red_flag", {"event_id": int(event_id), "red_terms": list(RED_FLAG_TERMS)})
    if found.empty:
        return None
    row = found.iloc[0]

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        message_id = queue_red_flag(db, cur, int(row["treatment_id"]), [str(row["term"])], source="practitioner",
                                    now=datetime.now().replace(microsecond=0))
        db.audit(cur, user.username, "red_flag.queue", "event", str(int(event_id)),
                 json.dumps({"message_id": message_id, "term": str(row["term"])}))
        return message_id

    message_id = db.write(work)
    send_in_background(db)
    return message_id


def send_in_background(db: Database) -> None:
    """Deliver the outbox on a background thread as the system user outbox (pages call it after a red flag, so the
    person on the page never waits for the mail server)."""
    from dashboard.core.authz import system_user

    threading.Thread(target=send_outbox, args=(db, system_user("outbox", "manager")), daemon=True,
                     name="injectwatch-outbox").start()


def link_settings(db: Database, user: User | None) -> tuple[pd.DataFrame, str]:
    """Return (clinic_id, name, phone of every clinic; the links' base address) for the settings form (managers and
    admins)."""
    from dashboard.followup import links

    require(user, "accounts.manage")
    clinics = db.query("followup_clinics")
    clinics["phone"] = [links.clinic_phone_of(db, int(c)) or "" for c in clinics["clinic_id"]]
    return clinics, links._base_url(db)
