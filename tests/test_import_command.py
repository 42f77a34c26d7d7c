"""`python -m dashboard import PATH`: exit codes, the stderr summary, and all-or-nothing after a kill."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.core.db import open_database
from tools.synth import write_dataset

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "import"


def test_exit_0_on_a_clean_import_and_again_on_the_repeat(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(FIXTURES / "valid"), "--db", str(db_file)]) == 0
    err = capsys.readouterr().err
    assert "Imported 4 treatments, 7 injection rows and 2 events." in err
    assert "treatments.csv: 4 read, 4 imported, 0 quarantined, 0 unchanged" in err
    assert main(["import", str(FIXTURES / "valid")]) == 0  # INJECTWATCH_DB from the fixture
    assert "Nothing changed" in capsys.readouterr().err


def test_an_import_brings_the_trends_cells_up_to_date(db_file: Path) -> None:
    from dashboard.trends.refresh import is_current

    assert main(["import", str(FIXTURES / "valid")]) == 0
    db = open_database(db_file)
    try:
        assert is_current(db)  # the first Trends view after the import finds nothing left to build
        assert db.scalar("SELECT count(*) FROM trends_treatment_cells") > 0
        assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'trends.refresh'") == 1
    finally:
        db.close()
    assert main(["import", str(FIXTURES / "valid")]) == 0  # nothing added: no second refresh
    db = open_database(db_file)
    try:
        assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'trends.refresh'") == 1
    finally:
        db.close()


def test_exit_3_when_rows_were_quarantined(db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(FIXTURES / "valid", folder)
    shutil.copy(FIXTURES / "rules" / "future_date" / "treatments.csv", folder / "treatments.csv")
    assert main(["import", str(folder)]) == 3
    err = capsys.readouterr().err
    assert "1 row quarantined" in err and "treatments.csv: 5 read, 4 imported, 1 quarantined" in err
    assert "treatments.csv:6 future_date - treated_at 2099-01-01T10:00 is in the future" in err


def test_a_repeat_with_only_already_quarantined_rows_exits_0_and_says_where_they_are(
        db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(FIXTURES / "valid", folder)
    shutil.copy(FIXTURES / "rules" / "future_date" / "treatments.csv", folder / "treatments.csv")
    assert main(["import", str(folder)]) == 3
    capsys.readouterr()
    assert main(["import", str(folder)]) == 0  # nothing new was stored or quarantined (spec sections 2 and 3)
    err = capsys.readouterr().err
    assert "Nothing changed: 13 rows were already stored with the same values and 1 row was already quarantined " \
           "(see the quarantine of import 1)." in err
    assert "treatments.csv: 5 read, 0 imported, 0 quarantined, 4 unchanged, 1 already quarantined" in err
    assert "Quarantined rows" not in err
    db = open_database(db_file)
    try:
        assert db.rows("SELECT import_id, count(*) FROM quarantine GROUP BY import_id") == [(1, 1)]
    finally:
        db.close()


def test_exit_2_on_unreadable_input_and_nothing_changes(db_file: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "treatments.csv").unlink()
    assert main(["import", str(folder)]) == 2
    assert "no treatments.csv" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "nowhere")]) == 2
    db = open_database(db_file)
    try:
        assert db.scalar("SELECT count(*) FROM imports") == 0
    finally:
        db.close()


def test_the_module_entry_point(db_file: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "dashboard", "import", str(FIXTURES / "valid")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr
    assert "Imported 4 treatments" in proc.stderr and proc.stdout == ""


@pytest.mark.slow
def test_a_killed_import_leaves_all_or_nothing(db_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "big"
    rows = write_dataset(data, 60_000, seed=3)
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "import", str(data)], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # the progress bar prints one line per stage when stderr is not a terminal
        seen.append(line)
        if "storing" in line:
            time.sleep(0.3)  # well inside the set-wise inserts
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    db = open_database(db_file)
    try:
        got = (db.scalar("SELECT count(*) FROM treatments"), db.scalar("SELECT count(*) FROM injections"),
               db.scalar("SELECT count(*) FROM events"), db.scalar("SELECT count(*) FROM imports"))
        assert got in ((0, 0, 0, 0), (rows["treatments"], rows["injections"], rows["events"], 1)), got
    finally:
        db.close()
    # the database is healthy: the same import now runs to the end
    assert main(["import", str(data)]) == 0
    db = open_database(db_file)
    try:
        assert db.scalar("SELECT count(*) FROM treatments") == rows["treatments"]
        assert db.scalar("SELECT count(*) FROM injections") == rows["injections"]
    finally:
        db.close()


def test_running_out_of_memory_mid_import_stores_nothing_and_says_what_to_do(
        db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    from dashboard.importer import pipeline

    real = pipeline._exec

    def failing(cur, name, params):
        if name == "import_insert_injections":  # the treatments of this import are already inserted
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")
        return real(cur, name, params)

    monkeypatch.setattr(pipeline, "_exec", failing)
    monkeypatch.setenv("INJECTWATCH_MEMORY_LIMIT", "1GB")
    assert main(["import", str(FIXTURES / "valid"), "--db", str(db_file)]) == 1
    err = capsys.readouterr().err
    assert "more working memory than INJECTWATCH_MEMORY_LIMIT allows (1GB)" in err
    assert "nothing was stored" in err and "INJECTWATCH_MEMORY_LIMIT=4GB" in err and "smaller parts" in err
    db = open_database(db_file)
    try:
        assert db.scalar("SELECT count(*) FROM treatments") == 0
        assert db.scalar("SELECT count(*) FROM imports") == 0
    finally:
        db.close()


def _fail_storing(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.importer import pipeline

    real = pipeline._exec

    def failing(cur, name, params):
        if name == "import_insert_injections":  # the treatments of this import are already inserted
            raise RuntimeError("an internal detail that belongs in the log")
        return real(cur, name, params)

    monkeypatch.setattr(pipeline, "_exec", failing)


def test_an_unexpected_error_exits_2_with_one_sentence_naming_a_log_file(
        db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _fail_storing(monkeypatch)
    assert main(["import", str(FIXTURES / "valid")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal detail" not in err
    assert err.startswith("import: An unexpected problem stopped the command, and nothing was changed; "
                          "the details are in ")
    log = Path(err.split("the details are in ", 1)[1].split(" (send", 1)[0])
    assert log.parent == db_file.resolve().parent / "logs"
    details = log.read_text(encoding="utf-8")
    assert "Traceback" in details and "RuntimeError: an internal detail that belongs in the log" in details
    db = open_database(db_file)
    try:
        assert db.scalar("SELECT count(*) FROM imports") == 0 and db.scalar("SELECT count(*) FROM treatments") == 0
    finally:
        db.close()


def test_the_log_goes_to_the_temporary_folder_when_the_database_folder_is_not_writable(
        db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import tempfile

    _fail_storing(monkeypatch)
    (db_file.parent / "logs").write_text("a file where the logs folder would be")  # the folder cannot be made
    spare = tmp_path / "spare-tmp"
    spare.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    assert main(["import", str(FIXTURES / "valid")]) == 2
    err = capsys.readouterr().err
    logs = list(spare.glob("injectwatch-import-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err


@pytest.mark.parametrize("args, words", [
    (["--encoding", "klingon"], "'klingon' is not a text encoding this installation knows"),
    (["--encoding", "rot13"], "'rot13' is not a text encoding this installation knows"),
    (["--date-format", "YYYY/DD/MM"], "invalid choice"),
])
def test_a_bad_encoding_or_date_format_is_a_usage_error(db_file: Path, capsys: pytest.CaptureFixture[str],
                                                        args: list[str], words: str) -> None:
    assert main(["import", str(FIXTURES / "valid"), *args]) == 2
    assert words in capsys.readouterr().err
