"""Loading the demo chain into a real DuckDB file through the import's bulk path, and the `demo` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dashboard.core.authz import system_user
from dashboard.core.db import open_database
from dashboard.demo.command import load_demo_file, load_demo_imports
from dashboard.demo.followups import split_follow_ups
from dashboard.demo.generator import generate
from dashboard.importer import import_path
from tools.csvout import write_dataset

ROOT = Path(__file__).resolve().parent.parent


def _counts(path: Path) -> tuple[int, int, int, int]:
    db = open_database(path)
    try:
        return (db.scalar("SELECT count(*) FROM treatments"), db.scalar("SELECT count(*) FROM injections"),
                db.scalar("SELECT count(*) FROM events"), db.scalar("SELECT count(*) FROM event_versions"))
    finally:
        db.close()


def test_load_demo_imports_everything_and_nothing_is_quarantined(db_file: Path) -> None:
    frames = generate(3000, 1)
    db = open_database(db_file)
    try:
        main, follow = load_demo_imports(db, 3000, 1)
    finally:
        db.close()
    assert main.quarantined == 0 and follow is not None and follow.quarantined == 0
    assert main.files["treatments"].imported == 3000
    assert main.files["injections"].imported == len(frames["injections"])
    assert main.files["events"].imported == len(frames["events"])
    _, final = split_follow_ups(frames["events"], 1)
    assert follow.files["events"].new_versions == len(final) > 0
    treatments, injections, events, versions = _counts(db_file)
    assert (treatments, injections, events) == (3000, len(frames["injections"]), len(frames["events"]))
    assert versions == events + len(final)  # follow-ups are second versions, the first stays readable
    db = open_database(db_file)
    try:
        from dashboard.trends.refresh import is_current

        assert is_current(db)  # the load built the Trends cells, so the first Trends view need not
    finally:
        db.close()
    db = open_database(db_file)
    try:
        outcomes = dict(db.rows("SELECT outcome, count(*) FROM events_current GROUP BY outcome"))
        assert db.scalar("SELECT count(DISTINCT name) FROM injectors") == frames["treatments"]["injector"].nunique()
    finally:
        db.close()
    assert outcomes == frames["events"]["outcome"].value_counts().to_dict()  # latest version = final state


def test_loading_the_same_demo_again_changes_nothing(db_file: Path) -> None:
    load_demo_file(db_file, 1500, 2)
    before = _counts(db_file)
    again = load_demo_file(db_file, 1500, 2)
    assert again.imported == 0 and again.quarantined == 0 and again.unchanged == again.rows_read > 0
    assert _counts(db_file) == before


def test_the_csv_data_set_imports_without_quarantine(db_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "demo-csv"
    frames = generate(2000, 6)
    write_dataset(frames, folder)
    db = open_database(db_file)
    try:
        result = import_path(db, system_user("test"), folder)
    finally:
        db.close()
    assert result.quarantined == 0
    assert result.files["events"].imported == len(frames["events"])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True,
                          env=os.environ.copy(), timeout=300)


def test_demo_command_loads_creates_accounts_and_refuses_foreign_data(db_file: Path) -> None:
    done = _cli("demo", "--treatments", "1200", "--seed", "4", "--db", str(db_file))
    assert done.returncode == 0, done.stderr
    assert "1,200 treatments" in done.stderr
    assert "manager" in done.stderr and "practitioner" in done.stderr
    before = _counts(db_file)
    other = _cli("demo", "--treatments", "1200", "--seed", "5", "--db", str(db_file))
    assert other.returncode == 2 and "already holds 1,200 treatments" in other.stderr
    assert _counts(db_file) == before


def test_demo_command_rejects_a_bad_size(db_file: Path) -> None:
    done = _cli("demo", "--treatments", "0", "--db", str(db_file))
    assert done.returncode == 2 and "--treatments" in done.stderr
    assert _counts(db_file)[0] == 0
