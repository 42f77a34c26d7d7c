"""Audit trail: append-only, filters, CSV export (audited, formula-safe) and the Audit page through AppTest."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.accounts.audit_trail import (
    AuditFilter,
    action_label,
    audit_count,
    audit_csv,
    audit_entries,
    detail_text,
    entity_label,
)
from dashboard.core.authz import PermissionDenied
from dashboard.core.config import QUERIES_DIR
from dashboard.core.db import open_database

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "audit.py")
TODAY = datetime.now().replace(microsecond=0)


def _seed(db) -> None:
    def work(cur):
        db.audit(cur, "ada", "login.success", "account", "ada", None)
        db.audit(cur, "ada", "treatment.create", "treatment", "17", '{"ref": "T-17"}')
        db.audit(cur, "mgr", "signal.review", "signal", "glabella/eyelid_ptosis", '{"decision": "monitor"}')
        db.audit(cur, "=HYPERLINK(\"http://evil\")", "login.failure", "account", "x", '{"reason": "unknown username"}')
        cur.execute("INSERT INTO audit_log (occurred_at, actor, action) VALUES ($t, 'mgr', 'export.run')",
                    {"t": TODAY - timedelta(days=200)})

    db.write(work)


@pytest.fixture
def seeded(db_file):
    db = open_database(db_file)
    _seed(db)
    db.close()
    return db_file


def test_nothing_in_the_code_updates_or_deletes_the_audit_trail():
    root = QUERIES_DIR.parent.parent
    offenders = []
    for path in [*root.glob("sql/**/*.sql"), *root.glob("dashboard/**/*.py")]:
        text = path.read_text(encoding="utf-8").lower()
        for verb in ("update audit_log", "delete from audit_log", "drop table audit_log", "truncate audit_log"):
            if verb in text:
                offenders.append(f"{path.relative_to(root)}: {verb}")
    assert offenders == []


def test_filters_by_actor_action_and_period(db, manager):
    _seed(db)
    everything = AuditFilter()
    assert audit_count(db, manager, everything) == 5
    assert list(audit_entries(db, manager, AuditFilter(actor="ada"))["action"]) == ["treatment.create",
                                                                                  "login.success"]
    assert audit_count(db, manager, AuditFilter(actions=("signal.review", "export.run"))) == 2
    recent = AuditFilter(first_day=date.today() - timedelta(days=30), last_day=date.today())
    assert audit_count(db, manager, recent) == 4
    old = AuditFilter(last_day=date.today() - timedelta(days=100))
    assert list(audit_entries(db, manager, old)["action"]) == ["export.run"]
    assert len(audit_entries(db, manager, everything, limit=2)) == 2


def test_csv_export_has_every_row_is_formula_safe_and_is_itself_audited(db, manager):
    _seed(db)
    data, rows = audit_csv(db, manager, AuditFilter())
    assert rows == 5
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [r["action"] for r in table][:2] == ["login.success", "treatment.create"]  # oldest first
    assert table[3]["actor"] == "'=HYPERLINK(\"http://evil\")"
    last = db.rows("SELECT actor, action, detail->>'rows' FROM audit_log ORDER BY audit_id DESC LIMIT 1")[0]
    assert last == ("mgr", "audit.export", "5")


def test_actions_and_details_read_as_plain_language():
    assert action_label("login.failure") == "Sign-in failed"
    assert action_label("something.new") == "something.new"
    assert detail_text('{"reason": "wrong password", "failures": 2, "email": null}') == \
        "reason: wrong password; failures: 2"
    assert detail_text(None) == "" and detail_text(float("nan")) == ""
    assert detail_text("not json <b>") == "not json <b>"
    assert detail_text('{"filter": {"actor": "ada"}}') == 'filter: {"actor": "ada"}'
    assert detail_text('{"mode": "full", "treatments": 20000, "ok": true}') == \
        "mode: full; treatments: 20,000; ok: True"  # thousands separators, booleans untouched
    assert entity_label("trends_cells") == "Trend tables" and entity_label("event") == "Adverse event"
    assert entity_label("something_new") == "something_new" and entity_label(None) == ""


def test_audit_page_copes_with_entries_without_details(db_file, manager):
    db = open_database(db_file)
    db.write(lambda cur: db.audit(cur, "mgr", "logout", "account", "mgr", None))
    db.close()
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = manager
    at.run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["what"]) == ["Signed out"] and list(frame["detail"]) == [""]


def test_practitioner_cannot_read_the_trail(db, practitioner):
    for fn in (audit_entries, audit_count, audit_csv):
        with pytest.raises(PermissionDenied):
            fn(db, practitioner, AuditFilter())


def test_audit_page_shows_filters_and_exports(seeded, manager):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = manager
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 4  # default period: the last 90 days
    at.selectbox(key="audit_actor").select("ada").run()
    assert list(at.dataframe[0].value["action"]) == ["treatment.create", "login.success"]
    at.button(key="audit_prepare").click().run()
    assert at.get("download_button")[0].label == "Download audit-trail.csv (2 entries)"
    at.multiselect(key="audit_actions").select("login.failure").run()
    assert "No audit entries match" in at.info[0].value
    assert not at.get("download_button")  # the prepared file belonged to other filters
    from dashboard.web.ui import get_db

    assert get_db().scalar("SELECT count(*) FROM audit_log WHERE action = 'audit.export' AND actor = 'mgr'") == 1


def test_admin_may_view_practitioner_may_not(seeded, admin, practitioner):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = admin
    assert not at.run().exception and at.dataframe
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = practitioner
    at.run()
    assert at.error[0].value == "Your role (practitioner) cannot open this page." and not at.dataframe


def test_every_action_the_code_writes_has_a_plain_name() -> None:
    """Actions are written as literals (or a literal conditional) in db.audit calls; each needs a label."""
    import re
    from pathlib import Path

    from dashboard.accounts.audit_trail import ACTION_LABELS

    root = Path(__file__).resolve().parent.parent / "dashboard"
    written: set[str] = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"\.audit\(\s*cur,\s*[^,]+,\s*([^,]+),", text):
            written.update(re.findall(r"\"([a-z_.]+)\"", call.group(1)))
        written.update(re.findall(r"action = \"([a-z_.]+)\"(?: if .* else \"([a-z_.]+)\")?", text)[0]
                       if re.search(r"action = \"[a-z_.]+\"", text) else ())
    written.discard("")
    assert {"login.success", "treatment.create", "export", "export.identified"} <= written
    assert sorted(written - ACTION_LABELS.keys()) == []
