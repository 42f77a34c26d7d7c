"""Browser journey: the running app backs up its own database while a manager is signed in (the night missed while
the app was down, by the scheduler's thread, and Back up now, through the same job), and the backup restores with
`python -m dashboard restore` into the same data. Screenshot of the Accounts page goes to artifacts/."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from dashboard.accounts import add_account
from dashboard.backup.snapshot import MANIFEST, verify_backup
from dashboard.cli import main
from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from dashboard.scheduling.jobs import RunRecord, record_run
from tests.e2e_support import app_server, browser_page, open_page, require_browser, screenshot, sign_in, wait_for_app

PW = "backup-e2e-password"
AFTER_SNAPSHOT = {"audit_log", "scheduled_runs"}  # rows the app adds once a snapshot is written


def _seed(db) -> None:
    """A few rows in the clinical tables, with text a backup must keep exactly."""
    def work(cur):
        cur.execute("INSERT INTO clinics (name) VALUES ('North'), ('South ☀ جنوب')")
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr Ada Park'), ('Dr O''Brien')")
        cur.execute("INSERT INTO patients (patient_ref, birth_year, sex) VALUES ('P-1', 1980, 'F'), ('P-2', NULL, 'U')")
        cur.execute("INSERT INTO lots (product, lot_number) VALUES ('ona', 'L1')")
        for i in range(1, 6):
            cur.execute(
                "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product, "
                "lot_id, vial_units, diluent_ml, created_at, created_by) "
                "VALUES (1 + $i % 2, $ref, now()::TIMESTAMP, 1 + $i % 2, 1, 'ona', 1, 100, 2.5, now()::TIMESTAMP, 't')",
                {"i": i, "ref": f"T-{i}"})
            cur.execute("INSERT INTO injections (treatment_id, area, side, units, points) "
                        "VALUES ($t, 'glabella', 'B', 20.5, 5)", {"t": i})
        cur.execute("INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) "
                    "VALUES (1, 'E-1', 2, now()::TIMESTAMP)")
        cur.execute("INSERT INTO event_versions (event_id, version, term, onset_at, severity, reported_at, narrative, "
                    "changed_at, changed_by) VALUES (1, 1, 'eyelid_ptosis', now()::TIMESTAMP, 2, now()::TIMESTAMP, "
                    "'Left lid <b>droop</b>; ''; DROP TABLE events; --', now()::TIMESTAMP, 't')")
        db.audit(cur, "t", "seed")

    db.write(work)


def _prepare(db_path: Path, backups: Path) -> None:
    """A small clinic, a manager, and a last nightly backup three nights ago (the app was down since)."""
    db = open_database(db_path)
    _seed(db)
    add_account(db, SYSTEM, username="morgan", password=PW, role="manager", display_name="Morgan Manager")
    night = datetime.combine(datetime.now().date() - timedelta(days=3), datetime.min.time()).replace(hour=2)
    record_run(db, RunRecord("backup", "schedule", night, night, night + timedelta(seconds=4), True,
                             str(backups / "injectwatch-old"), 1000, "an earlier backup", "scheduler"),
               None, "database", str(db_path), None)
    db.close()


def _app_backups(backups: Path) -> list[Path]:
    return sorted(p.parent for p in backups.glob(f"injectwatch-*/{MANIFEST}"))


def _wait_for_backups(backups: Path, count: int, timeout: float = 30.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while len(found := _app_backups(backups)) < count:
        assert time.monotonic() < deadline, f"expected {count} backups in {backups}, found {found}"
        time.sleep(0.2)
    return found


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()  # table names from the catalog


@pytest.mark.browser
def test_backups_taken_by_the_running_app_while_signed_in_restore_to_the_same_data(tmp_path):
    require_browser()
    db_path, backups = tmp_path / "clinic.duckdb", tmp_path / "backups"
    _prepare(db_path, backups)

    with app_server(db_path, env={"INJECTWATCH_SCHEDULER": "on"}) as url, browser_page() as page:
        page.goto(url)
        wait_for_app(page)
        sign_in(page, "morgan", PW)
        # the scheduler's thread starts at the first visit and backs up the missed night by itself
        [nightly] = _wait_for_backups(backups, 1)
        open_page(page, "Accounts")
        page.get_by_text("Last backup (nightly)").wait_for()
        page.get_by_role("button", name="Back up now").click()
        page.get_by_text("Backup written:").wait_for()
        wait_for_app(page)
        page.get_by_text("Last backup (Back up now by morgan)").wait_for()
        screenshot(page, "backup-01-accounts-status")
        found = _wait_for_backups(backups, 2)
        # the app held the file all along: a second process could not even read it
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(db_path), read_only=True)

    latest = next(p for p in found if p != nightly)
    verify_backup(nightly)
    restored = tmp_path / "restored.duckdb"
    assert main(["restore", str(latest), "--db", str(restored)]) == 0

    src, dst = duckdb.connect(str(db_path), read_only=True), duckdb.connect(str(restored), read_only=True)
    try:
        tables = [r[0] for r in src.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        assert tables == [r[0] for r in dst.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        for table in sorted(set(tables) - AFTER_SNAPSHOT):
            assert _rows(src, table) == _rows(dst, table), table
        assert dst.execute("SELECT count(*) FROM treatments").fetchone()[0] == 5
        # the sign-in is in the copy; what the source has beyond it is only the record of that very backup
        copy_audit = dst.execute("SELECT * FROM audit_log WHERE action <> 'backup.restore' ORDER BY audit_id").fetchall()
        source_audit = src.execute("SELECT * FROM audit_log ORDER BY audit_id").fetchall()
        assert source_audit[:len(copy_audit)] == copy_audit
        assert [r[3] for r in source_audit[len(copy_audit):]] == ["backup.create"]
        assert any(r[2] == "morgan" and r[3] == "login.success" for r in copy_audit)
        runs = src.execute("SELECT trigger, ok, path, actor FROM scheduled_runs ORDER BY run_id").fetchall()
        assert runs[1:] == [("schedule", True, str(nightly), "scheduler"), ("manual", True, str(latest), "morgan")]
    finally:
        src.close()
        dst.close()
