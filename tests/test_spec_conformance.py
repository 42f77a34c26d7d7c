"""Interchange-v1 conformance: behaviour the contract fixes and that an audit found the code got wrong.

Each test names the section it pins down.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dashboard.cli import main
from dashboard.core.authz import User, system_user
from dashboard.core.db import Database, open_database
from dashboard.export.bundle import write_bundle
from dashboard.export.quarter import parse_quarter
from dashboard.importer import import_path, list_quarantine

IMPORTER = system_user("import")  # the import command's actor

FIXTURES = Path(__file__).parent / "fixtures" / "import"
EVENTS_HEADER = ("event_id,treatment_id,term,onset_at,severity,serious,seriousness,outcome,resolved_at,side,area,"
                 "causality,action_taken,reported_by,reported_at,narrative")


def _dataset(tmp_path: Path, events: str, newline: str = "\n") -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(FIXTURES / "valid", folder)
    (folder / "events.csv").write_bytes(events.replace("\n", newline).encode("utf-8"))
    return folder


def _lines(db: Database, import_id: int | None) -> dict[int, tuple[str, str]]:
    df = list_quarantine(db, import_id)
    return {int(r.line): (r.reasons, r.messages) for r in df.itertuples()}


def test_quarantine_line_numbers_count_the_lines_of_multi_line_values(db: Database, tmp_path: Path) -> None:
    """§2: the quarantine keeps the line number, also after a quoted narrative that spans lines."""
    events = "\n".join([
        EVENTS_HEADER,                                            # line 1
        "E1,T1,headache,2026-01-12,1,,,,,,,,,,,\"first line",     # line 2
        "second line",                                            # line 3
        "third line\"",                                           # line 4
        "E2,T1,headache,2026-01-12,1,,,",                         # line 5: too few columns
        "E3,T1,headache,2026-01-12,9,,,,,,,,,,,",                 # line 6: severity out of range
        "E3,T1,headache,2026-01-12,9,,,,,,,,,,,",                 # line 7: the same again
    ]) + "\n"
    for newline in ("\n", "\r\n"):
        # each newline style into an empty database: a repeat of the same rows is not quarantined again (§2)
        fresh = db if newline == "\n" else open_database(tmp_path / "crlf.duckdb")
        try:
            result = import_path(fresh, IMPORTER, _dataset(tmp_path / newline.encode().hex(), events, newline))
            found = _lines(fresh, result.import_id)
            assert set(found) == {5, 6, 7}, found
            assert found[5] == ("malformed_row", "the line has 8 values where the header has 16 columns")
            assert found[6][0] == "out_of_range"
            assert "repeats line 6" in found[7][1]
            narrative = fresh.scalar("SELECT narrative FROM events_current WHERE event_ref = 'E1'")
            assert narrative.replace("\r\n", "\n") == "first line\nsecond line\nthird line"
        finally:
            if fresh is not db:
                fresh.close()


def test_an_empty_line_inside_a_quoted_value_is_not_a_skipped_line(db: Database, tmp_path: Path) -> None:
    """§2: a narrative with an empty paragraph is one row; only empty lines between rows are skipped."""
    events = "\n".join([
        EVENTS_HEADER,                                            # line 1
        "E1,T1,headache,2026-01-12,1,,,,,,,,,,,\"para one",       # line 2
        "",                                                       # line 3 (inside the quotes)
        "para two\"",                                             # line 4
        "",                                                       # line 5: empty, skipped
        "E2,T1,headache,2026-01-12,0,,,,,,,,,,,",                 # line 6: severity out of range
    ]) + "\n"
    result = import_path(db, IMPORTER, _dataset(tmp_path, events))
    assert _lines(db, result.import_id) == {6: ("out_of_range", "severity 0 is not a grade from 1 to 5")}
    assert result.files["events"].imported == 1


def test_a_resolution_date_on_the_day_of_a_timed_onset_is_not_before_it(db: Database, tmp_path: Path) -> None:
    """§1 and §1.3: a datetime may be a date alone; resolved_at 2026-01-12 is not before onset 2026-01-12T10:00."""
    events = "\n".join([
        EVENTS_HEADER,
        "E1,T1,headache,2026-01-12T10:00,1,,,recovered,2026-01-12,,,,,,,",        # line 2: same day, accepted
        "E2,T1,headache,2026-01-12T10:00,1,,,recovered,2026-01-11,,,,,,,",        # line 3: the day before
        "E3,T1,headache,2026-01-12T10:00,1,,,recovered,2026-01-12T09:59,,,,,,,",  # line 4: a minute before
    ]) + "\n"
    result = import_path(db, IMPORTER, _dataset(tmp_path, events))
    found = _lines(db, result.import_id)
    assert {line: reasons for line, (reasons, _) in found.items()} == {3: "out_of_range", 4: "out_of_range"}
    # stored no earlier than the onset (the database keeps resolved_at >= onset_at); a re-import changes nothing
    assert str(db.scalar("SELECT resolved_at FROM events_current WHERE event_ref = 'E1'")) == "2026-01-12 10:00:00"
    again = import_path(db, IMPORTER, _dataset(tmp_path / "again", events))
    assert again.files["events"].unchanged == 1 and again.files["events"].imported == 0


def test_an_unreadable_input_does_not_create_the_database(tmp_path: Path) -> None:
    """§3: exit 2 on an unreadable input, and then nothing changes (not even a new database file or folder)."""
    missing_column = tmp_path / "missing_column"
    shutil.copytree(FIXTURES / "valid", missing_column)
    (missing_column / "injections.csv").write_text("treatment_id,area,side\nT1,glabella,C\n")
    no_injections = tmp_path / "no_injections"
    shutil.copytree(FIXTURES / "valid", no_injections)
    (no_injections / "injections.csv").unlink()
    for source in (tmp_path / "nowhere", missing_column, no_injections):
        target = tmp_path / "new" / "clinic.duckdb"
        assert main(["import", str(source), "--db", str(target)]) == 2
        assert not (tmp_path / "new").exists(), source
    existing = tmp_path / "clinic.duckdb"
    assert main(["import", str(FIXTURES / "valid"), "--db", str(existing)]) == 0


def test_an_identified_export_of_a_date_only_onset_imports_again(db: Database, tmp_path: Path) -> None:
    """§5: an identified export imported into an empty database reproduces the same data; E2's onset was given as
    the date of its treatment (2026-02-01, treated 09:15) and must not come back as onset_before_treatment."""
    import_path(db, IMPORTER, FIXTURES / "valid")
    bundle = write_bundle(db, User("tester", "manager", "Tester"), parse_quarter("2026Q1"), tmp_path, identified=True)
    events = (bundle.folder / "events.csv").read_text(encoding="utf-8-sig")
    assert '"E2","T3","headache",2026-02-01,' in events
    copy = open_database(tmp_path / "copy.duckdb")
    try:
        result = import_path(copy, IMPORTER, bundle.folder)
        assert result.quarantined == 0, list_quarantine(copy, result.import_id)["messages"].tolist()
        query = "SELECT event_ref, onset_at FROM events_current ORDER BY event_ref"
        assert copy.rows(query) == db.rows(query)
    finally:
        copy.close()
