"""`python -m dashboard export`: exit codes, what it writes and what it audits (spec sections 3 and 5)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.core.db import open_database
from dashboard.export import parse_quarter, quarter_of
from dashboard.export.quarter import BadQuarterError, Quarter
from tests.test_export_data import seed, write_secret

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def seeded(db_file: Path) -> Path:
    write_secret(Path(os.environ["INJECTWATCH_SECRET_FILE"]))
    db = open_database(db_file)
    seed(db)
    db.close()
    return db_file


@pytest.mark.parametrize("bad", ["2026Q5", "2026-Q3", "26Q3", "Q3", "2026Q0", "", "2026 Q 3 x"])
def test_bad_quarter_exits_2_and_writes_nothing(seeded, tmp_path, capsys, bad):
    assert main(["export", "--quarter", bad, "--out", str(tmp_path)]) == 2
    assert "2026Q3" in capsys.readouterr().err  # the message shows the expected form
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic.duckdb", "clinic.secret"]


def test_missing_database_and_bad_out_exit_2(seeded, tmp_path, capsys):
    assert main(["export", "--quarter", "2026Q3", "--db", str(tmp_path / "none.duckdb"), "--out",
                 str(tmp_path)]) == 2
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()
    assert main(["export", "--quarter", "2026Q3", "--out", str(tmp_path / "missing")]) == 2
    assert "is not an existing folder" in capsys.readouterr().err


def test_export_writes_folder_and_zip_and_audits(seeded, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", "--quarter", "2026q3", "--out", str(out), "--actor", "morgan"]) == 0
    err = capsys.readouterr().err
    assert "de-identified export of 2026Q3" in err and "3 events" in err
    assert (out / "injectwatch-2026Q3" / "manifest.json").is_file()
    assert (out / "injectwatch-2026Q3.zip").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["injectwatch-2026Q3", "injectwatch-2026Q3.zip"]

    assert main(["export", "--quarter", "2026Q3", "--out", str(out), "--identified", "--actor", "morgan"]) == 0
    assert "IDENTIFIED" in capsys.readouterr().err
    db = open_database(seeded)
    try:
        rows = db.rows("SELECT actor, action, entity_id FROM audit_log WHERE action LIKE 'export%' ORDER BY audit_id")
    finally:
        db.close()
    assert rows == [("morgan", "export", "2026Q3"), ("morgan", "export.identified", "2026Q3")]


def test_cli_default_actor_is_the_os_user(seeded, tmp_path):
    assert main(["export", "--quarter", "2025Q1", "--out", str(tmp_path)]) == 0
    db = open_database(seeded)
    try:
        actor = db.scalar("SELECT actor FROM audit_log WHERE action = 'export'")
    finally:
        db.close()
    assert actor.startswith("cli")


def test_python_dash_m_dashboard_export_runs(seeded, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    env = {**os.environ, "INJECTWATCH_DB": str(seeded)}
    done = subprocess.run([sys.executable, "-m", "dashboard", "export", "--quarter", "2026Q3", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (out / "injectwatch-2026Q3.zip").is_file()
    bad = subprocess.run([sys.executable, "-m", "dashboard", "export", "--quarter", "2026Q9"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--quarter must look like 2026Q3" in bad.stderr


def test_init_creates_the_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("INJECTWATCH_SECRET_FILE", raising=False)
    db_path = tmp_path / "fresh.duckdb"
    assert main(["init", "--db", str(db_path)]) == 0
    secret = tmp_path / "fresh.secret"
    assert secret.is_file() and oct(secret.stat().st_mode & 0o777) == "0o600"
    before = secret.read_bytes()
    assert main(["init", "--db", str(db_path)]) == 0
    assert secret.read_bytes() == before  # idempotent: the key never changes under the clinic's feet


def test_quarter_arithmetic():
    q = parse_quarter(" 2026q4 ")
    assert (q.label, str(q.first_day), str(q.last_day), q.describe()) == (
        "2026Q4", "2026-10-01", "2026-12-31", "1 Oct 2026 – 31 Dec 2026")
    assert q.next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == q
    assert parse_quarter("2024Q1").last_day.isoformat() == "2024-03-31"
    assert str(parse_quarter("2024Q2").start) == "2024-04-01 00:00:00"
    assert str(parse_quarter("2024Q2").end) == "2024-07-01 00:00:00"
    from datetime import datetime

    assert quarter_of(datetime(2026, 6, 30, 23, 59, 59)) == Quarter(2026, 2)
    assert quarter_of(datetime(2026, 7, 1, 0, 0, 0)) == Quarter(2026, 3)
    with pytest.raises(BadQuarterError):
        Quarter(2026, 5)
