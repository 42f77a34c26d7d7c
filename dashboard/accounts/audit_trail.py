"""Reading and exporting the audit trail (append-only: nothing here updates or deletes it). No streamlit import."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.db import Database
from dashboard.core.spreadsheet import inert_frame

# plain-language names of the actions the modules write (an unknown action is shown as its code)
ACTION_LABELS = {
    "login.success": "Signed in",
    "login.failure": "Sign-in failed",
    "login.refused": "Sign-in refused (waiting after failed tries)",
    "logout": "Signed out",
    "session.expired": "Signed out after 8 idle hours",
    "session.ended": "Session ended (account deactivated)",
    "account.create": "Account created",
    "account.role": "Role changed",
    "account.password_reset": "Password reset",
    "account.locked": "Account locked after failed sign-ins (earlier versions)",
    "account.unlock": "Sign-in wait cleared (Unlock)",
    "account.deactivate": "Account deactivated",
    "account.reactivate": "Account reactivated",
    "clinic.create": "Clinic added",
    "injector.create": "Injector added",
    "patient.create": "Patient added",
    "treatment.create": "Treatment logged",
    "event.create": "Adverse event reported",
    "event.follow_up": "Case follow-up (new version)",
    "import": "Data set imported",
    "quarantine.export": "Quarantined rows downloaded (CSV)",
    "export": "Quarterly export (de-identified)",
    "export.identified": "Quarterly export with identifiers",
    "signal.review": "Signal reviewed",
    "trends.refresh": "Trend tables refreshed",
    "audit.export": "Audit trail exported",
    "backup.create": "Backup written",
    "backup.failed": "Backup failed",
    "backup.prune": "Older backups removed (keeping the newest)",
    "export.failed": "Scheduled quarterly export failed",
    "schedule.change": "Backup and export schedule changed",
    "backup.restore": "Database restored from a backup",
    "init.first_start": "Database started for the first time",
    # follow-up (issue 16)
    "followup.review": "Follow-up review: no adverse event",
    "patient_link.create": "Patient self-report link made",
    "patient_link.revoke": "Patient self-report link revoked",
    "patient_report.submit": "Patient sent a self-report",
    "patient_report.edit": "Patient report edited",
    "patient_report.confirm": "Patient report confirmed as an adverse event",
    "patient_report.reject": "Patient report rejected",
    "red_flag.queue": "Red-flag notification queued",
    "outbox.send": "Red-flag e-mail sent",
    "outbox.fail": "Red-flag e-mail failed",
    "settings.change": "Settings changed (patient links, e-mail)",
    "event.regulator_report": "Case reported to a regulator (recorded)",
}
# plain-language names of the kinds of record an entry is about (an unknown kind is shown as its code)
ENTITY_LABELS = {
    "account": "Account", "audit_log": "Audit trail", "clinic": "Clinic", "database": "Database",
    "event": "Adverse event", "import": "Import", "injector": "Injector", "patient": "Patient", "settings": "Settings", "signal": "Signal",
    "treatment": "Treatment", "trends_cells": "Trend tables", "export": "Export",
}



@dataclass(frozen=True)
class AuditFilter:
    """Which audit rows to show: one actor (or everyone), some actions (or all), a period of whole days."""

    actor: str | None = None
    actions: tuple[str, ...] = field(default_factory=tuple)
    first_day: date | None = None
    last_day: date | None = None

    def params(self) -> dict[str, object]:
        """Return the bound parameters of the audit_* queries."""
        return {
            "actor": self.actor,
            "actions": list(self.actions),
            "date_from": datetime.combine(self.first_day, time()) if self.first_day else None,
            "date_to": datetime.combine(self.last_day + timedelta(days=1), time()) if self.last_day else None,
        }


def audit_entries(db: Database, user: User, flt: AuditFilter, limit: int = 1000) -> pd.DataFrame:
    """Return the newest `limit` audit rows matching the filter (needs audit.view)."""
    require(user, "audit.view")
    return db.query("audit_entries", {**flt.params(), "limit": int(limit)})


def audit_count(db: Database, user: User, flt: AuditFilter) -> int:
    """Return how many audit rows match the filter (needs audit.view)."""
    require(user, "audit.view")
    return int(db.query_scalar("audit_count", flt.params()))


def audit_actors(db: Database, user: User) -> list[str]:
    """Return everyone in the audit trail, most active first (needs audit.view)."""
    require(user, "audit.view")
    return [r[0] for r in db.query_rows("audit_actors")]


def audit_actions(db: Database, user: User) -> list[str]:
    """Return every action name in the audit trail (needs audit.view)."""
    require(user, "audit.view")
    return [r[0] for r in db.query_rows("audit_actions")]


def audit_bounds(db: Database, user: User) -> tuple[datetime | None, datetime | None]:
    """Return the first and last moment in the audit trail (needs audit.view)."""
    require(user, "audit.view")
    first, last = db.query_rows("audit_bounds")[0]
    return first, last


def action_label(action: str) -> str:
    """Return the plain-language name of an audit action (its code when unknown)."""
    return ACTION_LABELS.get(action, action)


def entity_label(entity: object) -> str:
    """Return the plain-language name of the kind of record an audit entry is about ('' when there is none)."""
    if not isinstance(entity, str) or not entity:
        return ""
    return ENTITY_LABELS.get(entity, entity)


def detail_text(detail: object) -> str:
    """Return an audit row's JSON detail as 'key: value; ...' text (the raw text when it is not a JSON object)."""
    if not isinstance(detail, str) or not detail:
        return ""  # NULL arrives as None or NaN
    try:
        value = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(value, dict):
        return detail
    parts = []
    for key, item in value.items():
        if item is None or item == "" or item == [] or item == {}:
            continue
        if isinstance(item, dict | list):
            shown = json.dumps(item, ensure_ascii=False, default=str)
        elif isinstance(item, int) and not isinstance(item, bool):
            shown = f"{item:,}"  # 20,000 treatments, not 20000
        else:
            shown = str(item)
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)



def audit_csv(db: Database, user: User, flt: AuditFilter) -> tuple[bytes, int]:
    """Return (UTF-8 CSV of every matching row, oldest first; row count) and audit the export itself."""
    require(user, "audit.view")
    frame = db.query("audit_entries", {**flt.params(), "limit": 2**62}).sort_values("audit_id")
    data = inert_frame(frame).to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S").encode("utf-8")
    detail = json.dumps({"filter": asdict(flt), "rows": len(frame)}, default=str, ensure_ascii=False)
    db.write(lambda cur: db.audit(cur, user.username, "audit.export", "audit_log", None, detail))
    return data, len(frame)
