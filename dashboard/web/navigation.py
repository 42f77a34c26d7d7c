"""The pages of the app, their sections and the permission each one needs (no streamlit import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VIEWS = Path(__file__).resolve().parent / "views"


@dataclass(frozen=True)
class PageSpec:
    """One page: its file under dashboard/web/views, title, icon, menu section and required permission."""

    file: str
    title: str
    icon: str
    section: str
    permission: str | None
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home.py", "Clinic overview", ":material/home:", "Clinic", None, "overview"),
    PageSpec("reference.py", "Reference", ":material/menu_book:", "Clinic", None, "reference"),
    PageSpec("log_treatment.py", "Log treatment", ":material/vaccines:", "Record", "treatment.log", "log-treatment"),
    PageSpec("report_event.py", "Report adverse event", ":material/report:", "Record", "event.report", "report-event"),
    PageSpec("cases.py", "Cases", ":material/folder_open:", "Record", "case.view_own", "cases"),
    PageSpec("followups.py", "Follow-ups", ":material/event_available:", "Record", "case.view_own", "followups"),
    PageSpec("trends.py", "Trends", ":material/monitoring:", "Review", "trends.view", "trends"),
    PageSpec("signals.py", "Signals", ":material/crisis_alert:", "Review", "signals.view", "signals"),
    PageSpec("export.py", "Quarterly export", ":material/download:", "Review", "export.run", "export"),
    PageSpec("imports.py", "Imports", ":material/upload_file:", "Admin", "import.run", "imports"),
    PageSpec("audit.py", "Audit trail", ":material/history:", "Admin", "audit.view", "audit"),
    PageSpec("accounts.py", "Accounts", ":material/group:", "Admin", "accounts.manage", "accounts"),
)


def pages_for(role: str | None) -> list[PageSpec]:
    """Return the pages a role may open, in menu order; a page file that is missing is an error, never skipped."""
    from dashboard.core.authz import PERMISSIONS

    missing = [p.file for p in PAGES if not (VIEWS / p.file).is_file()]
    if missing:
        raise FileNotFoundError(f"page file(s) missing from {VIEWS}: {', '.join(missing)}")
    out = []
    for p in PAGES:
        if p.permission is None or (role is not None and role in PERMISSIONS[p.permission]):
            out.append(p)
    return out


def switch_to(url_path: str) -> None:
    """Open another page of the app by its url path (e.g. 'report-event'), keeping the session."""
    import streamlit as st

    spec = next(p for p in PAGES if p.url_path == url_path)
    st.switch_page(str(VIEWS / spec.file))
