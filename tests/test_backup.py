"""Backup and restore: identical database (tables, rows, schema, sequences), checksums, refusals, the lock error."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dashboard.accounts import add_account
from dashboard.backup.snapshot import MANIFEST, BackupError, backup_database, restore, sha256_file, verify_backup
from dashboard.cli import main
from dashboard.core.authz import SYSTEM, User
from dashboard.core.db import open_database
from dashboard.trends.refresh import refresh_in

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 2, 10, 30)


def _fill(db) -> None:
    """Put rows in every clinical table (ids from the sequences), with awkward text."""
    add_account(db, SYSTEM, username="ada", password="correct horse battery", role="practitioner", display_name="Dr Ada Park")

    def work(cur):
        cur.execute("INSERT INTO clinics (name) VALUES ('North'), ('South ☀ جنوب')")
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr Ada Park'), ('Dr O''Brien')")
        cur.execute("INSERT INTO patients (patient_ref, birth_year, sex) VALUES ('P-1', 1980, 'F'), ('P-2', NULL, 'U')")
        cur.execute("INSERT INTO lots (product, lot_number) VALUES ('ona', 'L1'), ('inco', 'L2')")
        cur.execute("INSERT INTO imports (source, actor, started_at, rows_read) VALUES ('x.zip', 'mgr', $t, 3)", {"t": NOW})
        cur.execute("INSERT INTO quarantine (import_id, file, line, raw, reasons, messages) "
                    "VALUES (1, 'treatments.csv', 2, '{\"a\": \"<script>\"}', 'bad_code', 'Unknown code.')")
        for i in range(1, 4):
            cur.execute(
                "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product, "
                "lot_id, vial_units, diluent_ml, alcohol_48h, created_at, created_by) "
                "VALUES (1, $ref, $t, 1, 1, 'ona', 1, 100, 2.5, $b, $t, 'ada')",
                {"ref": f"T-{i}", "t": NOW, "b": i % 2 == 0})
            cur.execute("INSERT INTO injections (treatment_id, area, side, units, points) "
                        "VALUES ($t, 'glabella', 'B', 20.5, 5)", {"t": i})
        cur.execute("INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) VALUES (1, 'E-1', 1, $t)",
                    {"t": NOW})
        for v in (1, 2):
            cur.execute(
                "INSERT INTO event_versions (event_id, version, term, onset_at, severity, reported_at, narrative, "
                "changed_at, changed_by) VALUES (1, $v, 'eyelid_ptosis', $t, $v, $t, $n, $t, 'ada')",
                {"v": v, "t": NOW, "n": "Left lid <b>droop</b>; '; DROP TABLE events; -- 😀"})
        db.audit(cur, "ada", "event.create", "event", "1", None)
        refresh_in(cur)  # as every write of records does

    db.write(work)


@pytest.fixture
def source(db_file):
    db = open_database(db_file)
    _fill(db)
    db.close()
    return db_file


def _tables(con) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").fetchall()]


def _schema(con) -> list[tuple]:
    cols = con.execute("SELECT table_name, column_name, data_type, is_nullable, column_default "
                       "FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY table_name, column_index").fetchall()
    cons = con.execute("SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() "
                       "WHERE schema_name = 'main' ORDER BY ALL").fetchall()
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
    return [*cols, *cons, *views]


def _rows(con, table: str) -> list[tuple]:
    return con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()  # table from the catalog


def _next_ids(con) -> dict[str, int]:
    names = [r[0] for r in con.execute("SELECT sequence_name FROM duckdb_sequences() ORDER BY 1").fetchall()]
    return {n: con.execute("SELECT nextval($s)", {"s": n}).fetchone()[0] for n in names}


def test_backup_then_restore_gives_an_identical_database(source, tmp_path, capsys):
    out, target = tmp_path / "backup", tmp_path / "restored.duckdb"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    assert main(["restore", str(out), "--db", str(target)]) == 0
    assert "checksums and row counts verified" in capsys.readouterr().err

    a, b = duckdb.connect(str(source)), duckdb.connect(str(target))
    try:
        assert _tables(a) == _tables(b)
        assert _schema(a) == _schema(b)
        for table in _tables(a):
            if table != "audit_log":
                assert _rows(a, table) == _rows(b, table), table
        # the only rows added after the snapshot: backup.create in the source, backup.restore in the copy
        src_audit = a.execute("SELECT * FROM audit_log WHERE action <> 'backup.create' ORDER BY audit_id").fetchall()
        dst_audit = b.execute("SELECT * FROM audit_log WHERE action <> 'backup.restore' ORDER BY audit_id").fetchall()
        assert src_audit == dst_audit and len(src_audit) == 2
        assert b.execute("SELECT count(*) FROM audit_log WHERE action = 'backup.restore'").fetchone()[0] == 1
        assert b.execute("SELECT narrative FROM event_versions WHERE version = 2").fetchone()[0] == \
            "Left lid <b>droop</b>; '; DROP TABLE events; -- 😀"
        # sequences continue after the max id, exactly as in the source
        next_a, next_b = _next_ids(a), _next_ids(b)
        assert next_a == next_b
        assert next_b["seq_treatment"] == 1 + b.execute("SELECT max(treatment_id) FROM treatments").fetchone()[0]
        assert next_b["seq_event_version"] == 3
        assert next_b["seq_account"] == 2
    finally:
        a.close()
        b.close()
    # and the app's data layer can write to it: a new treatment gets the next id
    db = open_database(target)
    try:
        db.write(lambda cur: cur.execute(
            "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product, "
            "created_at, created_by) VALUES (1, 'T-new', $t, 2, 2, 'inco', $t, 'ada')", {"t": NOW}))
        assert db.scalar("SELECT treatment_id FROM treatments WHERE treatment_ref = 'T-new'") > 3
    finally:
        db.close()


def test_manifest_lists_schema_version_counts_and_checksums(source, tmp_path):
    out = tmp_path / "b"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["schema_version"] == max(manifest["migrations"]) >= 2
    assert manifest["tables"]["treatments"] == 3 and manifest["tables"]["event_versions"] == 2
    assert manifest["tables"]["accounts"] == 1
    assert {"schema.sql", "load.sql", "treatments.parquet"} <= set(manifest["files"])
    assert all(sha256_file(out / n) == h for n, h in manifest["files"].items())
    db = open_database(source)
    try:
        assert db.scalar("SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 1") == "backup.create"
    finally:
        db.close()


def test_restore_refuses_a_database_with_data_unless_forced_and_keeps_the_old_file(source, tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    assert main(["restore", str(out), "--db", str(source)]) == 2
    assert "already holds data" in capsys.readouterr().err
    assert main(["restore", str(out), "--db", str(source), "--force"]) == 0
    kept = list(tmp_path.glob("clinic.before-restore-*.duckdb"))
    assert len(kept) == 1
    con = duckdb.connect(str(kept[0]))
    assert con.execute("SELECT count(*) FROM treatments").fetchone()[0] == 3
    con.close()


def test_restore_into_a_freshly_initialised_database_needs_no_force(source, tmp_path):
    out, fresh = tmp_path / "b", tmp_path / "fresh.duckdb"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    assert main(["init", "--db", str(fresh)]) == 0
    assert main(["restore", str(out), "--db", str(fresh)]) == 0


@pytest.mark.parametrize("damage", ["flip_byte", "delete_file", "extra_file", "no_manifest"])
def test_a_damaged_backup_is_refused_before_anything_changes(source, tmp_path, capsys, damage):
    out, target = tmp_path / "b", tmp_path / "t.duckdb"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    victim = out / "event_versions.parquet"
    if damage == "flip_byte":
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    elif damage == "delete_file":
        victim.unlink()
    elif damage == "extra_file":
        (out / "evil.sql").write_text("DROP TABLE accounts;")
    else:
        (out / MANIFEST).unlink()
    assert main(["restore", str(out), "--db", str(target)]) == 2
    err = capsys.readouterr().err
    expected = {"flip_byte": "checksum mismatch for event_versions.parquet", "delete_file": "missing event_versions",
                "extra_file": "does not list: evil.sql", "no_manifest": "manifest.json is missing"}[damage]
    assert expected in err
    assert not target.exists()
    with pytest.raises(BackupError):
        verify_backup(out)


def test_backup_refuses_a_folder_that_is_not_empty(source, tmp_path, capsys):
    out = tmp_path / "b"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "keep me"


def test_the_running_app_can_back_up_through_its_own_connection(db, tmp_path):
    _fill(db)
    manager = User("mgr", "manager", "Morgan")
    manifest = backup_database(db, tmp_path / "live", manager)
    assert manifest["tables"]["treatments"] == 3
    result = restore(tmp_path / "live", tmp_path / "copy.duckdb", manager)
    assert result.tables == manifest["tables"]


def test_a_second_process_gets_the_lock_error_with_advice(source, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from dashboard.core.db import open_database; "
         f"db = open_database({str(source)!r}); print('ready', flush=True); time.sleep(60)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        done = subprocess.run([sys.executable, "-m", "dashboard", "backup", "--db", str(source),
                               "--out", str(tmp_path / "b")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2
    assert "is open in another process (DuckDB allows one process per file)" in done.stderr
    assert "Conflicting lock is held in" in done.stderr
    assert not (tmp_path / "b").exists()


def test_back_up_now_from_the_accounts_page_while_the_app_holds_the_file(db_file, tmp_path, monkeypatch, manager):
    from streamlit.testing.v1 import AppTest

    from dashboard.backup.snapshot import list_backups
    from dashboard.core.authz import PermissionDenied, User

    monkeypatch.setenv("INJECTWATCH_BACKUP_DIR", str(tmp_path / "backups"))
    db = open_database(db_file)
    _fill(db)
    db.close()
    at = AppTest.from_file(str(ROOT / "dashboard" / "web" / "views" / "accounts.py"), default_timeout=30)
    at.session_state["user"] = manager
    at.run()
    at.button(key="acc_backup").click().run()
    assert not at.exception
    assert "Backup written" in at.success[0].value
    backups = list_backups(tmp_path / "backups", manager)
    assert len(backups) == 1 and backups[0]["rows"] > 0
    verify_backup(Path(backups[0]["folder"]))
    from dashboard.web.ui import get_db, get_scheduler

    with pytest.raises(PermissionDenied):
        get_scheduler().back_up_now(User("ada", "practitioner", "Ada", "Ada"))
    assert get_db().scalar("SELECT actor FROM audit_log WHERE action = 'backup.create'") == "mgr"
    # the button goes through the scheduler's job: the run is recorded as a manual one, with its folder
    run = get_db().rows("SELECT trigger, ok, path, actor FROM scheduled_runs")
    assert run == [("manual", True, backups[0]["folder"], "mgr")]


def _own_secret_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two installation folders whose secrets live beside their databases (config.secret_path's default)."""
    monkeypatch.delenv("INJECTWATCH_SECRET_FILE", raising=False)
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    db = open_database(old / "clinic.duckdb")
    _fill(db)
    db.close()
    return old / "clinic.duckdb", new / "clinic.duckdb"


def test_the_export_secret_travels_with_the_backup_and_restores_the_same_pseudonyms(tmp_path, monkeypatch, capsys):
    from dashboard.backup.snapshot import SECRET_FILE
    from dashboard.export.pseudonym import pseudonym
    from dashboard.export.secret import load_secret

    source, target = _own_secret_dirs(tmp_path, monkeypatch)
    before = pseudonym(load_secret(source), "P-1")
    out = tmp_path / "b"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["files"][SECRET_FILE] == sha256_file(out / SECRET_FILE)
    assert (out / SECRET_FILE).read_bytes() == (source.parent / "clinic.secret").read_bytes()
    assert (out / SECRET_FILE).stat().st_mode & 0o077 == 0

    capsys.readouterr()
    assert main(["restore", str(out), "--db", str(target)]) == 0
    assert "export secret restored to" in capsys.readouterr().err
    restored = target.parent / "clinic.secret"
    assert restored.read_bytes() == (source.parent / "clinic.secret").read_bytes()
    assert restored.stat().st_mode & 0o077 == 0
    assert pseudonym(load_secret(target), "P-1") == before


def test_a_backup_made_before_any_export_still_carries_a_secret(tmp_path, monkeypatch):
    from dashboard.backup.snapshot import SECRET_FILE

    source, _ = _own_secret_dirs(tmp_path, monkeypatch)
    assert not (source.parent / "clinic.secret").exists()
    out = tmp_path / "b"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    # the secret is created at backup time, so later exports and the backup agree
    assert (out / SECRET_FILE).read_bytes() == (source.parent / "clinic.secret").read_bytes()


def test_restore_never_overwrites_a_different_existing_secret(tmp_path, monkeypatch, capsys):
    source, target = _own_secret_dirs(tmp_path, monkeypatch)
    out = tmp_path / "b"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    theirs = target.parent / "clinic.secret"
    theirs.write_text("ab" * 32 + "\n")
    capsys.readouterr()
    assert main(["restore", str(out), "--db", str(target)]) == 0
    err = capsys.readouterr().err
    assert "already holds a different export secret and was NOT overwritten" in err
    assert str(out.resolve() / "export.secret") in err
    assert theirs.read_text() == "ab" * 32 + "\n"

    # the same secret already in place: nothing to say, nothing changed
    theirs.write_bytes((source.parent / "clinic.secret").read_bytes())
    capsys.readouterr()
    assert main(["restore", str(out), "--db", str(target), "--force"]) == 0
    err = capsys.readouterr().err
    assert "secret" not in err
    assert theirs.read_bytes() == (source.parent / "clinic.secret").read_bytes()


def test_an_older_backup_without_a_secret_restores_and_says_so(tmp_path, monkeypatch, capsys):
    from dashboard.backup.snapshot import SECRET_FILE

    source, target = _own_secret_dirs(tmp_path, monkeypatch)
    out = tmp_path / "b"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    (out / SECRET_FILE).unlink()
    manifest = json.loads((out / MANIFEST).read_text())
    del manifest["files"][SECRET_FILE]
    (out / MANIFEST).write_text(json.dumps(manifest))
    capsys.readouterr()
    assert main(["restore", str(out), "--db", str(target)]) == 0
    assert "holds no export secret" in capsys.readouterr().err
    assert not (target.parent / "clinic.secret").exists()


def test_a_tampered_secret_in_the_backup_is_refused(source, tmp_path, capsys):
    from dashboard.backup.snapshot import SECRET_FILE

    out, target = tmp_path / "b", tmp_path / "t.duckdb"
    assert main(["backup", "--db", str(source), "--out", str(out)]) == 0
    (out / SECRET_FILE).write_text("cd" * 32 + "\n")
    assert main(["restore", str(out), "--db", str(target)]) == 2
    assert f"checksum mismatch for {SECRET_FILE}" in capsys.readouterr().err
    assert not target.exists()
