"""The data layer checks the acting user itself: every public function of every data-layer module is walked.

A data-layer module reads or writes the database on behalf of someone (a page, a command). Each of its public
functions either takes the acting user and refuses whom the role table (dashboard/core/authz.py, README "Accounts and
roles") refuses, or is named in one of the commented allow-lists below. A function added later without a check or
an entry here makes `test_every_public_function_is_checked_or_listed` fail.
"""

from __future__ import annotations

import importlib
import inspect
import io
import itertools
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboard.core.authz import PERMISSIONS, ROLES, SYSTEM, PermissionDenied, User
from dashboard.core.db import Database, open_database
from dashboard.practice.validation import AreaEntry, EventDraft, FollowUpDraft, TreatmentDraft
from tests.accounts_support import fast_hashes  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashes")
ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "fixtures" / "import" / "valid"

# The data layer: the non-UI modules that read or write the database on behalf of someone.
DATA_LAYER = (
    "dashboard.trends.queries", "dashboard.trends.refresh", "tools.pandas_ref",
    "dashboard.signals.detect", "dashboard.signals.reviews",
    "dashboard.export.bundle",
    "dashboard.practice.repository", "dashboard.practice.history",
    "dashboard.accounts.repository", "dashboard.accounts.authentication", "dashboard.accounts.audit_trail",
    "dashboard.importer.api", "dashboard.importer.history",
    "dashboard.practice.overview", "dashboard.backup.snapshot", "dashboard.core.reference_data", "dashboard.reference.book",
    "dashboard.followup.repository", "dashboard.followup.links", "dashboard.followup.schedule",
    "dashboard.followup.escalation", "dashboard.followup.regulator", "dashboard.followup.completeness",
    "dashboard.followup.demo",
)
# Modules that touch the database (or DuckDB) but are not the data layer, and why. A new module that opens the
# database must be added to DATA_LAYER or here (test_every_database_module_is_classified).
NOT_DATA_LAYER = {
    "dashboard.core.db": "the connection and migrations themselves",
    "dashboard.core.config": "only names the database file",
    "dashboard.web.ui": "web layer: the cached Database handle of the pages",
    "dashboard.web.signin": "web layer: the sign-in screen (calls the sign-in functions listed below)",
    "dashboard.web.views.cases": "web layer (page)",
    "dashboard.web.views.log_treatment": "web layer (page)",
    "dashboard.web.views.report_event": "web layer (page)",
    "dashboard.web.warmup": "background task: reads Trends through the checked readers as the system user warm-up",
    "dashboard.cli": "command line: parses arguments and dispatches",
    "dashboard.accounts.command": "command line: acts as cli:<os user> (admin) through the checked functions",
    "dashboard.commands.init": "command line: creates or migrates the database file",
    "dashboard.importer.quarantine_command": "command line: acts as cli:<os user> (admin) through dashboard.importer.history",
    "dashboard.demo.command": "command line: the demo loader, acts as the system user demo",
    "dashboard.app": "web layer: the entry page (opens the cached Database handle)",
    "dashboard.scheduling.jobs": "background jobs: back up and export as the system user scheduler through the "
                                 "checked backup_database and write_bundle",
    "dashboard.scheduling.runner": "background thread; its Back up now checks backup.run (tests/test_scheduler.py)",
    "dashboard.scheduling.settings": "the schedule's settings rows; saving them checks backup.run / export.run",
    "dashboard.scheduling.status": "when the app's own backups ran (times, sizes, folders): no clinic records; "
                                   "shown on the Accounts page and the overview warning",
    "dashboard.export.command": "command line: exports as its actor in the manager role through write_bundle",
    "dashboard.importer.command": "command line: imports as the system user import through import_path",
    "dashboard.signals.command": "command line: prints run_signals (engine, see ENGINE)",
    "tools.bench": "command line: the benchmark, acts as the system user bench",
    "tools.benchjobs": "the benchmark's child processes (system user bench)",
    "dashboard.importer.parsing": "import engine internals, reached through importer.api and dashboard.importer.history",
    "dashboard.importer.pipeline": "import engine internals, reached through importer.api and dashboard.importer.history",
    "dashboard.importer.staging": "import engine internals, reached through importer.api and dashboard.importer.history",
    "dashboard.importer.quarantine": "import engine internals: the Imports page and the quarantine command read "
                                     "the quarantine through dashboard.importer.history, which checks import.run",
    "dashboard.signals.cells": "signal engine internals, reached only through signals.detect",
    "dashboard.signals.doses": "signal engine internals, reached only through signals.detect",
    "dashboard.followup.command": "command line: acts as cli:<os user> (manager) through the checked follow-up "
                                  "functions",
    "dashboard.web.views._followup_parts": "web layer (parts of the Follow-ups, Log treatment and Cases pages)",
}

# --- allow-lists: public functions of the data-layer modules that take no user, each with its reason ----------
# Pure helpers: they compute on values passed in, or read files that are not the database; no database access.
PURE = {
    "dashboard.signals.detect": {"band_sums", "fit_expected"},  # statistics on frames the run passes in
    "dashboard.signals.reviews": {"recurrence"},
    "dashboard.export.bundle": {"bundle_name", "sha256_file", "verify_bundle"},  # names; files of a bundle
    "dashboard.importer.api": {"check_date_format"},  # validates an option string
    "dashboard.practice.repository": {"new_token", "combine", "areas_table", "latest_version", "version_changes"},
    "dashboard.practice.history": {"last_visible", "prior_toxin", "starting_point"},  # on a history passed in
    "dashboard.accounts.repository": {"normalise_username", "username_problem", "new_account_problems"},
    "dashboard.accounts.audit_trail": {"action_label", "entity_label", "detail_text"},
    "dashboard.importer.history": {"upload_name", "source_label", "reason_text", "raw_values", "quarantine_file_name"},
    "dashboard.practice.overview": {"monthly_rate_figure"},
    "dashboard.backup.snapshot": {"backup_root", "verify_backup"},  # a folder path; the checksums of a backup folder
    "dashboard.core.reference_data": {"reference_hash", "build_tables"},  # read data/reference/*.yaml, not the database
    "dashboard.reference.book": {"grade_lines", "span"},
    "dashboard.followup.links": {"token_hash", "link_url"},
    "dashboard.followup.schedule": {"schedule_hash", "build_rules"},
    "dashboard.followup.regulator": {"pack_fields", "pack_csv", "pack_html"},  # format a pack already read
    "dashboard.followup.completeness": {"add_notes"},  # shares and notes on counts already read  # data/reference/followup.yaml, not the database
}
# Sign-in and first start: they run before anyone is signed in, because they establish who the user is.
SIGN_IN = {
    "dashboard.accounts.repository": {"count_accounts", "get_account", "active_user", "create_first_manager"},
    "dashboard.accounts.authentication": {"sign_in", "authenticate", "sso_sign_in", "user_for_email"},
}
# Engine functions that trusted callers run without a user, each named with the caller that needs it:
ENGINE = {
    # the signal engine: the `signals` command, the bench and the calibration tooling (tests/support/calibration.py)
    # call it without a user; the Signals page goes through run_detection, which checks signals.view
    "dashboard.signals.detect": {"run_signals"},
    # the import's bulk path: the calibration tooling and the demo loader call it without a user, naming their actor;
    # people import through import_path (import.run)
    "dashboard.importer.api": {"import_frames"},
    # keeps the derived Trends cells and signal rows in step with the records (returns counts, never clinic rows);
    # the signal engine above runs it, and so do refresh_trends and the Trends page after a change
    "dashboard.trends.refresh": {"refresh", "refresh_in", "is_current"},
    # loads the reference YAML into the ref_* tables when the database opens, before anyone signs in
    "dashboard.core.reference_data": {"ensure_reference"},
}
# The patient's side of a self-report link: no one signs in, the token is the credential and opens one treatment
# (tests/test_patient_links.py: changed, expired, revoked, replayed and rate-limited tokens are refused).
PATIENT_TOKEN = {
    "dashboard.followup.links": {"open_link", "submit_answers",
                                 "clinic_phone_of"},  # the clinic's phone, shown to the patient of that clinic
}
ENGINE.update({
    # the next event reference and event row, inside the write transaction of a caller that checked the role
    # (save_event: event.report; confirming a patient report: case.follow_up)
    "dashboard.practice.repository": {"new_event"},
    # loads data/reference/followup.yaml into ref_followup_rules, as ensure_reference does for the ref_* tables
    "dashboard.followup.schedule": {"ensure_schedule"},
    # queues a red-flag notification inside the transaction of the checked write that raised it
    "dashboard.followup.escalation": {"queue_red_flag",
                                      # delivers the outbox as the system user outbox after a red flag
                                      "send_in_background"},
})
# Command-line entry points inside a data-layer module: they build the system user and call the checked functions.
COMMAND_LINE = {"dashboard.backup.snapshot": {"run"}}
ALLOWED = [PURE, SIGN_IN, ENGINE, COMMAND_LINE, PATIENT_TOKEN]

# Public classes of the data-layer modules: value types and errors (their methods compute on their own fields).
VALUE_TYPES = {
    "dashboard.trends.refresh": {"RefreshResult"},
    "dashboard.signals.detect": {"SignalRun"},
    "dashboard.signals.reviews": {"ReviewError"},
    "dashboard.export.bundle": {"ExportError", "ExportPreview", "ExportResult", "QuarterChoice"},
    "dashboard.practice.repository": {"Saved", "CaseFilter"},
    "dashboard.practice.history": {"AreaDose", "FollowingEvent", "PastTreatment"},
    "dashboard.accounts.repository": {"Account", "AccountError"},
    "dashboard.accounts.authentication": {"SignInResult"},
    "dashboard.accounts.audit_trail": {"AuditFilter"},
    "dashboard.importer.history": {"UnknownImportError"},
    "dashboard.practice.overview": {"Totals"},
    "dashboard.backup.snapshot": {"BackupError", "RestoreResult"},
    "dashboard.core.reference_data": {"ReferenceTables"},
    "dashboard.followup.links": {"PatientLink", "LinkAccess", "Submitted"},
    "dashboard.followup.repository": {"FollowUpFilter"},
    "dashboard.followup.regulator": {"PackField"},
}

SIGNED_IN = "signed in"  # any role of the role table, but not nobody
SIGNAL = {"id": "sig-roles", "kind": "placement", "level": "watch", "term": "eyelid_ptosis", "observed": 1,
          "summary": "test signal"}
JAN_MAR = date(2026, 3, 31)
PW = "correct horse battery"


@dataclass
class Ctx:
    """What the calls need: a fresh folder or name per call, and ids of the rows the setup stored."""

    tmp: Path
    spare_db: Path
    backup_folder: Path
    treatment_id: int
    event_id: int
    import_id: int
    upload: bytes
    counter: Iterator[int] = field(default_factory=itertools.count)

    def new(self, stem: str) -> str:
        """A name not used before in this test."""
        return f"{stem}{next(self.counter)}"

    def new_dir(self) -> Path:
        """A new empty folder."""
        path = self.tmp / self.new("out")
        path.mkdir()
        return path


def _filters() -> Any:
    from dashboard.trends.filters import Filters

    return Filters().resolved(JAN_MAR)


def _quarter() -> Any:
    from dashboard.export.quarter import parse_quarter

    return parse_quarter("2026Q1")


def _treatment() -> TreatmentDraft:
    treated = datetime(2026, 1, 20, 10, 0)
    return TreatmentDraft(patient_ref="P-9", clinic="North Clinic", injector="Dr Ada Park", treated_at=treated,
                          product="ona", areas=[AreaEntry("glabella", 20, 5)])


Call = Callable[[Database, User | None, Ctx], object]


def _m(name: str) -> Any:
    return importlib.import_module(name)


def _checked() -> dict[tuple[str, str], tuple[str | tuple[str, ...], Call]]:
    """(module, function) -> (the permission it needs, or SIGNED_IN; a call with valid arguments)."""
    q, ref = "dashboard.trends.queries", "dashboard.practice.repository"
    trends = {(q, n): ("trends.view", lambda db, u, c, n=n: getattr(_m(q), n)(db, u, _filters()))
              for n in ("kpis", "trend", "area_rates", "injector_area", "product_rates", "lot_rates", "dose",
                        "cases")}
    trends.update({(q, n): ("trends.view", lambda db, u, c, n=n: getattr(_m(q), n)(db, u)) for n in ("bounds",
                                                                                                       "options")})
    from dashboard.trends.filters import Filters

    trends[(q, "run_all")] = ("trends.view", lambda db, u, c: _m(q).run_all(db, u, Filters()))
    trends[("tools.pandas_ref", "run_all_pandas")] = (
        "trends.view", lambda db, u, c: _m("tools.pandas_ref").run_all_pandas(db, u, _filters()))
    d, r = "dashboard.signals.detect", "dashboard.signals.reviews"
    signals = {
        (d, "run_detection"): ("signals.view", lambda db, u, c: _m(d).run_detection(db, u)),
        (r, "data_key"): ("signals.view", lambda db, u, c: _m(r).data_key(db, u)),
        (r, "latest_reviews"): ("signals.view", lambda db, u, c: _m(r).latest_reviews(db, u)),
        (r, "cases_for"): ("signals.view", lambda db, u, c: _m(r).cases_for(db, u, SIGNAL)),
        (r, "mark_reviewed"): ("signals.review", lambda db, u, c: _m(r).mark_reviewed(db, u, SIGNAL, "checked")),
    }
    e = "dashboard.export.bundle"
    export = {
        (e, "preview"): ("export.run", lambda db, u, c: _m(e).preview(db, u, _quarter())),
        (e, "quarters_with_data"): ("export.run", lambda db, u, c: _m(e).quarters_with_data(db, u)),
        (e, "recent_exports"): ("export.run", lambda db, u, c: _m(e).recent_exports(db, u)),
        (e, "write_bundle"): ("export.run", lambda db, u, c: _m(e).write_bundle(db, u, _quarter(), c.new_dir())),
        (e, "export_zip_for"): ("export.run", lambda db, u, c: _m(e).export_zip_for(db, u, _quarter())),
    }
    practice: dict[tuple[str, str], tuple[str | tuple[str, ...], Call]] = {
        (ref, n): (SIGNED_IN, lambda db, u, c, n=n: getattr(_m(ref), n)(db, u))
        for n in ("reference", "products", "areas", "risk_factors", "terms")}
    practice.update({
        (ref, "clinic_names"): ("treatment.log", lambda db, u, c: _m(ref).clinic_names(db, u)),
        (ref, "injector_names"): ("treatment.log", lambda db, u, c: _m(ref).injector_names(db, u)),
        (ref, "known_lots"): ("treatment.log", lambda db, u, c: _m(ref).known_lots(db, u, "ona")),
        (ref, "recent_patients"): ("treatment.log", lambda db, u, c: _m(ref).recent_patients(db, u)),
        (ref, "patient_info"): ("treatment.log", lambda db, u, c: _m(ref).patient_info(db, u, "P1")),
        ("dashboard.practice.history", "patient_history"): (
            "treatment.log", lambda db, u, c: _m("dashboard.practice.history").patient_history(db, u, "P1")),
        ("dashboard.practice.history", "usual_clinic"): (
            "treatment.log", lambda db, u, c: _m("dashboard.practice.history").usual_clinic(db, u, "Dr Ada Park")),
        ("dashboard.practice.history", "recent_lots"): (
            "treatment.log", lambda db, u, c: _m("dashboard.practice.history").recent_lots(db, u, "ona",
                                                                                         datetime(2026, 3, 1))),
        (ref, "save_treatment"): ("treatment.log", lambda db, u, c: _m(ref).save_treatment(
            db, u, _treatment(), confirmed=[], client_token=c.new("t"))),
        (ref, "find_treatments"): ("event.report", lambda db, u, c: _m(ref).find_treatments(db, u)),
        (ref, "save_event"): ("event.report", lambda db, u, c: _m(ref).save_event(db, u, EventDraft(
            treatment_id=c.treatment_id, term="headache", onset_at=datetime(2026, 1, 15, 9, 0), severity=1),
            client_token=c.new("e"))),
        (ref, "treatment_detail"): ("case.view_own", lambda db, u, c: _m(ref).treatment_detail(db, u,
                                                                                                c.treatment_id)),
        (ref, "list_cases"): ("case.view_own", lambda db, u, c: _m(ref).list_cases(db, u)),
        (ref, "case_versions"): ("case.view_own", lambda db, u, c: _m(ref).case_versions(db, u, c.event_id)),
        (ref, "case_treatment"): ("case.view_own", lambda db, u, c: _m(ref).case_treatment(db, u, c.event_id)),
        (ref, "add_follow_up"): ("case.follow_up", lambda db, u, c: _m(ref).add_follow_up(
            db, u, c.event_id, FollowUpDraft("recovering", None, None, "seen again"), client_token=c.new("f"))),
    })
    a, t = "dashboard.accounts.repository", "dashboard.accounts.audit_trail"
    from dashboard.accounts.audit_trail import AuditFilter

    accounts: dict[tuple[str, str], tuple[str | tuple[str, ...], Call]] = {
        (a, "list_accounts"): ("accounts.manage", lambda db, u, c: _m(a).list_accounts(db, u)),
        (a, "add_account"): ("accounts.manage", lambda db, u, c: _m(a).add_account(
            db, u, username=c.new("new"), password=PW, role="practitioner", display_name="New")),
        (a, "change_role"): ("accounts.manage", lambda db, u, c: _m(a).change_role(db, u, "target", "manager")),
        (a, "reset_password"): ("accounts.manage", lambda db, u, c: _m(a).reset_password(db, u, "target")),
        (a, "unlock"): ("accounts.manage", lambda db, u, c: _m(a).unlock(db, u, "target")),
        (a, "set_active"): ("accounts.manage", lambda db, u, c: _m(a).set_active(db, u, "target", False)),
        (a, "create_demo_accounts"): (("demo.load", "accounts.manage"),
                                      lambda db, u, c: _m(a).create_demo_accounts(db, u, ["Dr Demo"])),
    }
    accounts.update({(t, n): ("audit.view", lambda db, u, c, n=n: getattr(_m(t), n)(db, u))
                     for n in ("audit_actors", "audit_actions", "audit_bounds")})
    accounts.update({(t, n): ("audit.view", lambda db, u, c, n=n: getattr(_m(t), n)(db, u, AuditFilter()))
                     for n in ("audit_entries", "audit_count", "audit_csv")})
    i, im = "dashboard.importer.api", "dashboard.importer.history"
    imports = {
        (i, "import_path"): ("import.run", lambda db, u, c: _m(i).import_path(db, u, VALID)),
        (i, "refresh_trends"): ("import.run", lambda db, u, c: _m(i).refresh_trends(db, u)),
        (im, "import_upload"): ("import.run", lambda db, u, c: _m(im).import_upload(db, u, "valid.zip", c.upload)),
        (im, "list_imports"): ("import.run", lambda db, u, c: _m(im).list_imports(db, u)),
        (im, "import_totals"): ("import.run", lambda db, u, c: _m(im).import_totals(db, u)),
        (im, "get_import"): ("import.run", lambda db, u, c: _m(im).get_import(db, u, c.import_id)),
        (im, "quarantine_rows"): ("import.run", lambda db, u, c: _m(im).quarantine_rows(db, u, c.import_id)),
        (im, "quarantine_download"): ("import.run", lambda db, u, c: _m(im).quarantine_download(db, u, None)),
    }
    o, b, rb = "dashboard.practice.overview", "dashboard.backup.snapshot", "dashboard.reference.book"
    rest = {
        (o, "totals"): (SIGNED_IN, lambda db, u, c: _m(o).totals(db, u)),
        (o, "monthly_rate"): (SIGNED_IN, lambda db, u, c: _m(o).monthly_rate(db, u)),
        (o, "latest_events"): ("case.view_own", lambda db, u, c: _m(o).latest_events(db, u)),
        (b, "backup"): ("backup.run", lambda db, u, c: _m(b).backup(c.spare_db, c.tmp / c.new("b"), u)),
        (b, "backup_database"): ("backup.run", lambda db, u, c: _m(b).backup_database(db, c.tmp / c.new("b"), u)),
        (b, "list_backups"): ("backup.run", lambda db, u, c: _m(b).list_backups(c.tmp, u)),
        (b, "restore"): ("backup.run", lambda db, u, c: _m(b).restore(c.backup_folder, c.tmp / f"{c.new('r')}.duckdb",
                                                                       u)),
        (rb, "fingerprint"): (SIGNED_IN, lambda db, u, c: _m(rb).fingerprint(db, u)),
        (rb, "products"): (SIGNED_IN, lambda db, u, c: _m(rb).products(db, u)),
        (rb, "doses"): (SIGNED_IN, lambda db, u, c: _m(rb).doses(db, u, "ona")),
        (rb, "terms"): (SIGNED_IN, lambda db, u, c: _m(rb).terms(db, u)),
    }
    fr, fl, fs, fe = ("dashboard.followup.repository", "dashboard.followup.links", "dashboard.followup.schedule",
                      "dashboard.followup.escalation")
    followup = {
        (fr, "list_followups"): ("case.view_own", lambda db, u, c: _m(fr).list_followups(db, u)),
        (fr, "record_review"): ("case.follow_up", lambda db, u, c: _m(fr).record_review(
            db, u, c.treatment_id, client_token=c.new("rv"))),
        (fr, "patient_reports"): ("case.view_own", lambda db, u, c: _m(fr).patient_reports(db, u)),
        (fr, "patient_report_versions"): ("case.view_own", lambda db, u, c: _m(fr).patient_report_versions(
            db, u, _waiting_report(db, c))),
        (fr, "edit_patient_report"): ("case.follow_up", lambda db, u, c: _m(fr).edit_patient_report(
            db, u, _waiting_report(db, c), term="brow_ptosis", severity=1, narrative="brow")),
        (fr, "reject_patient_report"): ("case.follow_up", lambda db, u, c: _m(fr).reject_patient_report(
            db, u, _waiting_report(db, c), note="not an event")),
        (fr, "confirm_patient_report"): ("case.follow_up", lambda db, u, c: _m(fr).confirm_patient_report(
            db, u, _waiting_report(db, c))),
        (fl, "create_link"): ("case.follow_up", lambda db, u, c: _m(fl).create_link(db, u, c.treatment_id)),
        (fl, "revoke_link"): ("case.follow_up", lambda db, u, c: _m(fl).revoke_link(db, u, _link(db, c))),
        (fl, "links_for"): ("case.view_own", lambda db, u, c: _m(fl).links_for(db, u, c.treatment_id)),
        (fs, "schedule_rules"): (SIGNED_IN, lambda db, u, c: _m(fs).schedule_rules(db, u)),
        (fe, "smtp_settings"): ("accounts.manage", lambda db, u, c: _m(fe).smtp_settings(db, u)),
        (fe, "save_settings"): ("accounts.manage", lambda db, u, c: _m(fe).save_settings(
            db, u, {"smtp.port": "2525"})),
        (fe, "link_settings"): ("accounts.manage", lambda db, u, c: _m(fe).link_settings(db, u)),
        (fe, "outbox"): ("case.view_all", lambda db, u, c: _m(fe).outbox(db, u)),
        (fe, "send_outbox"): ("case.view_all", lambda db, u, c: _m(fe).send_outbox(db, u)),
        ("dashboard.followup.regulator", "regulator_pack"): ("case.view_own", lambda db, u, c: _m(
            "dashboard.followup.regulator").regulator_pack(db, u, c.event_id)),
        ("dashboard.followup.regulator", "record_submission"): ("case.follow_up", lambda db, u, c: _m(
            "dashboard.followup.regulator").record_submission(db, u, c.event_id, scheme="yellow_card",
                                                              reference=c.new("YC-"), submitted_on=JAN_MAR)),
        ("dashboard.followup.completeness", "completeness"): ("trends.view", lambda db, u, c: _m(
            "dashboard.followup.completeness").completeness(db, u)),
        ("dashboard.followup.demo", "seed_demo_followups"): (("case.follow_up", "case.view_all"), lambda db, u, c: _m(
            "dashboard.followup.demo").seed_demo_followups(db, u)),
        (fe, "flag_event"): ("event.report", lambda db, u, c: _m(fe).flag_event(db, u, c.event_id)),
    }
    return {**trends, **signals, **export, **practice, **accounts, **imports, **rest, **followup}


def _link(db: Database, c: Ctx) -> int:
    """A fresh self-report link on the context's treatment, stored without an audit row (setup, not a call)."""
    def work(cur: Any) -> int:
        return int(cur.execute(
            "INSERT INTO patient_links (treatment_id, token_hash, created_at, created_by, expires_at) "
            "VALUES (?, ?, now(), 'setup', now() + INTERVAL 42 DAY) RETURNING link_id",
            [c.treatment_id, f"{next(c.counter):064d}"]).fetchone()[0])

    return db.write(work)


def _waiting_report(db: Database, c: Ctx) -> int:
    """A fresh patient report waiting for a clinician on the context's treatment (setup, no audit row)."""
    link_id = _link(db, c)

    def work(cur: Any) -> int:
        sub = cur.execute(
            "INSERT INTO patient_submissions (link_id, treatment_id, submitted_at, answers, red_flag, form_nonce) "
            "VALUES (?, ?, now(), '{}', false, ?) RETURNING submission_id",
            [link_id, c.treatment_id, c.new("nonce")]).fetchone()[0]
        rid = cur.execute("INSERT INTO patient_reports (submission_id, treatment_id, question, created_at) "
                          "VALUES (?, ?, 'headache', now()) RETURNING report_id", [sub, c.treatment_id]).fetchone()[0]
        cur.execute("INSERT INTO patient_report_versions (report_id, version, status, term, red_flag, changed_at, "
                    "changed_by) VALUES (?, 1, 'received', 'headache', false, now(), 'setup')", [rid])
        return int(rid)

    return db.write(work)


CHECKED = _checked()
USERS = {
    "practitioner": User("ada", "practitioner", "Dr Ada Park", "Dr Ada Park"),
    "manager": User("mgr", "manager", "Morgan Manager"),
    "admin": User("root", "admin", "Alex Admin"),
}


def _roles(permission: str | tuple[str, ...]) -> set[str]:
    """The roles the role table lets do this (every role for SIGNED_IN)."""
    if permission == SIGNED_IN:
        return set(ROLES)
    needed = (permission,) if isinstance(permission, str) else permission
    return set.intersection(*(set(PERMISSIONS[p]) for p in needed))


def _public(module_name: str) -> tuple[set[str], set[str]]:
    """The public functions (also cached or wrapped ones) and public classes defined in a module."""
    module = importlib.import_module(module_name)
    functions, classes = set(), set()
    for name, obj in inspect.getmembers(module):
        if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
            continue
        if inspect.isclass(obj):
            classes.add(name)
        elif inspect.isfunction(obj) or (callable(obj) and hasattr(obj, "__wrapped__")):
            functions.add(name)
    return functions, classes


def test_every_public_function_is_checked_or_listed() -> None:
    checked = {(m, n) for m, n in CHECKED}
    for allow in ALLOWED:
        assert set(allow) <= set(DATA_LAYER), "an allow-list names a module that is not walked"
    for module_name in DATA_LAYER:
        functions, classes = _public(module_name)
        listed = set().union(*(allow.get(module_name, set()) for allow in ALLOWED))
        mine = {n for m, n in checked if m == module_name}
        assert not mine & listed, f"{module_name}: both checked and allow-listed: {sorted(mine & listed)}"
        assert functions - mine - listed == set(), (
            f"{module_name}: public functions with no role check in this test and not allow-listed: "
            f"{sorted(functions - mine - listed)}")
        assert (mine | listed) - functions == set(), f"{module_name}: listed but gone: {(mine | listed) - functions}"
        assert classes == VALUE_TYPES.get(module_name, set()), f"{module_name}: public classes {sorted(classes)}"


def test_every_database_module_is_classified() -> None:
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        text = path.read_text(encoding="utf-8")
        if "from dashboard.core.db import" in text or "import duckdb" in text:
            assert name in DATA_LAYER or name in NOT_DATA_LAYER, f"{name} uses the database: classify it here"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the valid import fixture (Dr Ada Park's and Dr Ben Stone's treatments) and an account."""
    from dashboard.accounts import add_account
    from dashboard.core.authz import system_user
    from dashboard.importer import import_path

    path = tmp_path_factory.mktemp("template") / "clinic.duckdb"
    db = open_database(path)
    try:
        import_path(db, system_user("import"), VALID)
        add_account(db, SYSTEM, username="target", password=PW, role="practitioner", display_name="Target")
        add_account(db, SYSTEM, username="keeper", password=PW, role="admin", display_name="Keeper")
    finally:
        db.close()
    return path


@pytest.fixture
def ctx_db(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Database, Ctx]]:
    """A copy of the template, open, with its export secret, backup folder and the ids the calls need."""
    from dashboard.backup.snapshot import backup_database
    from dashboard.export.secret import ensure_secret

    path, spare = tmp_path / "clinic.duckdb", tmp_path / "spare.duckdb"
    shutil.copy(template, path)
    shutil.copy(template, spare)
    monkeypatch.setenv("INJECTWATCH_DB", str(path))
    monkeypatch.setenv("INJECTWATCH_SECRET_FILE", str(tmp_path / "clinic.secret"))
    monkeypatch.setenv("INJECTWATCH_BACKUP_DIR", str(tmp_path / "backups"))
    ensure_secret(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for csv in VALID.iterdir():
            z.write(csv, csv.name)
    db = open_database(path)
    backup_database(db, tmp_path / "kept-backup", SYSTEM)
    treatment_id, event_id = db.rows(
        "SELECT t.treatment_id, e.event_id FROM treatments t JOIN events e USING (treatment_id) "
        "JOIN injectors i USING (injector_id) WHERE i.name = 'Dr Ada Park' ORDER BY e.event_id LIMIT 1")[0]
    ctx = Ctx(tmp=tmp_path, spare_db=spare, backup_folder=tmp_path / "kept-backup", treatment_id=int(treatment_id),
              event_id=int(event_id), import_id=int(db.scalar("SELECT max(import_id) FROM imports")),
              upload=buf.getvalue())
    try:
        yield db, ctx
    finally:
        db.close()


@pytest.mark.parametrize("key", sorted(CHECKED), ids=[f"{m.rsplit('.', 1)[1]}.{n}" for m, n in sorted(CHECKED)])
def test_refuses_nobody_and_the_roles_the_table_refuses_and_serves_the_rest(ctx_db, key) -> None:
    db, ctx = ctx_db
    permission, call = CHECKED[key]
    allowed = _roles(permission)
    assert allowed, f"no role may {permission}"
    before = db.data_version()
    with pytest.raises(PermissionDenied):
        call(db, None, ctx)
    for role in sorted(set(ROLES) - allowed):
        with pytest.raises(PermissionDenied):
            call(db, USERS[role], ctx)
    assert db.data_version() == before, "a refused call changed the database"
    for role in sorted(allowed):
        call(db, USERS[role], ctx)  # the permitted role is served (any error here fails the test)


def test_the_role_table_decides_who_is_refused() -> None:
    """The expectations above come from the role table, so they follow it when it changes."""
    assert _roles("trends.view") == {"manager"}
    assert _roles("case.view_own") == {"practitioner", "manager"}
    assert _roles("backup.run") == {"manager", "admin"}
    assert _roles(SIGNED_IN) == set(ROLES)
    assert "practitioner" not in _roles(("demo.load", "accounts.manage"))


def test_practitioners_still_see_only_their_own_rows(ctx_db) -> None:
    from dashboard.practice import overview
    from dashboard.practice import repository as repo

    db, _ = ctx_db
    ada, manager = USERS["practitioner"], USERS["manager"]
    assert 0 < overview.totals(db, ada).treatments < overview.totals(db, manager).treatments
    mine, everyone = repo.list_cases(db, ada), repo.list_cases(db, manager)
    assert 0 < len(mine) < len(everyone)
    assert set(mine["injector"]) == {"Dr Ada Park"}
