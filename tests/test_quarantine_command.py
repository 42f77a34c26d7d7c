"""`python -m dashboard quarantine [--import ID] [--out FILE.csv]`: the CSV, the summary, exit codes and the audit row."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.core.authz import system_user
from dashboard.core.db import open_database
from dashboard.importer import import_path, quarantine_csv

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def two_imports(db_file: Path, tmp_path: Path) -> Path:
    """Import 1 quarantines treatments.csv line 6 (a future date); import 2 repeats the valid rows and quarantines none."""
    folder = tmp_path / "ds"
    shutil.copytree(FIXTURES / "valid", folder)
    shutil.copy(FIXTURES / "rules" / "future_date" / "treatments.csv", folder / "treatments.csv")
    db = open_database(db_file)
    try:
        assert import_path(db, system_user("mgr"), folder).quarantined == 1
        assert import_path(db, system_user("mgr"), FIXTURES / "valid").quarantined == 0
    finally:
        db.close()
    return db_file


def _db_rows(db_file: Path, sql: str) -> list[tuple]:
    db = open_database(db_file)
    try:
        return db.rows(sql)
    finally:
        db.close()


def test_every_import_to_stdout(two_imports: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["quarantine"]) == 0
    out, err = capsysbinary.readouterr()
    table = pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)
    assert table[["import_id", "file", "line", "reasons"]].values.tolist() == [
        ["1", "treatments.csv", "6", "future_date"]]
    assert table.loc[0, "messages"] == "treated_at 2099-01-01T10:00 is in the future"
    assert table.loc[0, ["treatment_id", "treated_at", "patient_ref"]].tolist() == ["T5", "2099-01-01T10:00", "P9"]
    assert err.decode() == ("Wrote 1 quarantined row of the 2 imports so far to stdout (file, line, reasons, what is "
                            "wrong, then the raw values).\n")
    audited = _db_rows(two_imports, "SELECT actor, entity_id, detail FROM audit_log "
                                    "WHERE action = 'quarantine.export'")
    assert len(audited) == 1 and audited[0][0].startswith("cli") and audited[0][1] is None
    assert '"rows": 1' in audited[0][2]


def test_one_import_to_a_file(two_imports: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    target = tmp_path / "q.csv"
    assert main(["quarantine", "--import", "1", "--out", str(target)]) == 0
    out, err = capsysbinary.readouterr()
    assert out == b""
    db = open_database(two_imports)
    try:
        assert target.read_bytes() == quarantine_csv(db, 1)
    finally:
        db.close()
    assert f"Wrote 1 quarantined row of import 1 to {target}" in err.decode()

    assert main(["quarantine", "--import", "2", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8").strip() == "import_id,file,line,reasons,messages"
    assert "No quarantined rows in import 2; wrote only the header row" in capsysbinary.readouterr().err.decode()


def test_unknown_import_exits_2_and_writes_nothing(two_imports: Path, tmp_path: Path,
                                                    capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    target = tmp_path / "q.csv"
    assert main(["quarantine", "--import", "7", "--out", str(target)]) == 2
    out, err = capsysbinary.readouterr()
    assert out == b"" and not target.exists()
    assert "there is no import 7 (the newest: 2, 1). Nothing was written." in err.decode()
    assert main(["quarantine", "--import", "seven"]) == 2
    assert _db_rows(two_imports, "SELECT count(*) FROM audit_log WHERE action = 'quarantine.export'") == [(0,)]


def test_bad_out_or_missing_database_exits_2(db_file: Path, tmp_path: Path,
                                            capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["quarantine", "--out", str(tmp_path / "nowhere" / "q.csv")]) == 2
    assert "does not exist" in capsysbinary.readouterr().err.decode()
    assert main(["quarantine", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsysbinary.readouterr().err.decode()
    missing = tmp_path / "none.duckdb"
    assert main(["quarantine", "--db", str(missing)]) == 2
    assert "no database at" in capsysbinary.readouterr().err.decode() and not missing.exists()


def test_no_import_yet_gives_the_header_row(db_file: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["quarantine"]) == 0
    out, err = capsysbinary.readouterr()
    assert out.decode().strip() == "import_id,file,line,reasons,messages"
    assert "No quarantined rows in any import (none has been run yet)" in err.decode()
