"""One failing file per import rule of spec section 2: reason code, line number, and nothing else lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.core.authz import system_user
from dashboard.core.db import Database
from dashboard.importer import ImportResult, import_path, list_quarantine

IMPORTER = system_user("import")  # the import command's actor

FIXTURES = Path(__file__).parent / "fixtures" / "import"
VALID = {"treatments": 4, "injections": 7, "events": 2}


def dataset(tmp_path: Path, rule: str | None = None) -> Path:
    """The valid data set with the files of one rule folder laid over it."""
    out = tmp_path / (rule or "valid")
    shutil.copytree(FIXTURES / "valid", out)
    if rule:
        for f in (FIXTURES / "rules" / rule).iterdir():
            shutil.copy(f, out / f.name)
    return out


def quarantined(db: Database, result: ImportResult) -> set[tuple[str, int, str]]:
    """(file, line, reasons) of every quarantined row of the import."""
    df = list_quarantine(db, result.import_id)
    return {(r.file, int(r.line), r.reasons) for r in df.itertuples()}


def assert_balanced(result: ImportResult) -> None:
    for file, c in result.files.items():
        assert c.balanced(), (file, c)


def stored_counts(db: Database) -> dict[str, int]:
    return {
        "treatments": db.scalar("SELECT count(*) FROM treatments"),
        "injections": db.scalar("SELECT count(*) FROM injections"),
        "events": db.scalar("SELECT count(*) FROM events"),
    }


def test_valid_dataset_imports_everything(db: Database, tmp_path: Path) -> None:
    result = import_path(db, IMPORTER, dataset(tmp_path))
    assert result.exit_code == 0
    assert {f: c.imported for f, c in result.files.items()} == VALID
    assert stored_counts(db) == VALID
    assert result.warnings == []
    assert_balanced(result)
    assert "Imported 4 treatments, 7 injection rows and 2 events" in result.summary()
    # values arrive typed and as written
    row = db.rows("SELECT t.treated_at, t.diluent_ml, t.alcohol_48h, p.birth_year, p.sex, l.lot_number "
                  "FROM treatments t JOIN patients p USING (patient_id) LEFT JOIN lots l USING (lot_id) "
                  "WHERE treatment_ref = 'T1'")[0]
    assert str(row[0]) == "2026-01-10 10:00:00" and float(row[1]) == 2.5 and row[2] is False
    assert (row[3], row[4], row[5]) == (1980, "F", "C1234")
    assert db.scalar("SELECT narrative FROM events_current WHERE event_ref = 'E1'") == 'Left lid droop, "mild", since day 7'
    # defaults: side B, outcome unknown, serious false, reported_at = import time
    assert db.scalar("SELECT side FROM injections i JOIN treatments t USING (treatment_id) WHERE treatment_ref='T2'") == "B"
    assert db.rows("SELECT outcome, serious, reported_at IS NOT NULL FROM events_current WHERE event_ref='E2'") == [
        ("unknown", False, True)]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'import'") == 1
    assert db.rows("SELECT rows_read, imported, quarantined, unchanged FROM imports") == [(13, 13, 0, 0)]


# rule folder -> (expected quarantine rows (file, line, reasons), rows imported per file)
CASES = {
    "missing_required": ({("treatments.csv", 6, "missing_required")}, VALID),
    "missing_seriousness": ({("events.csv", 4, "missing_required")}, VALID),
    "bad_type": ({("injections.csv", 9, "bad_type")}, VALID),
    "bad_datetime": ({("treatments.csv", 6, "bad_type")}, VALID),
    "unknown_code": ({("treatments.csv", 6, "unknown_code")}, VALID),
    "out_of_range": ({("injections.csv", 9, "out_of_range")}, VALID),
    "future_date": ({("treatments.csv", 6, "future_date")}, VALID),
    "onset_before_treatment": ({("events.csv", 4, "onset_before_treatment")}, VALID),
    "unknown_treatment": ({("events.csv", 4, "unknown_treatment")}, VALID),
    "quarantined_parent": ({("treatments.csv", 6, "future_date"), ("injections.csv", 9, "unknown_treatment")},
                           VALID),
    # T2 twice with different products: both lines out, and so T2's injection row
    "duplicate_in_file": ({("treatments.csv", 3, "duplicate_in_file"), ("treatments.csv", 6, "duplicate_in_file"),
                           ("injections.csv", 5, "unknown_treatment")},
                          {"treatments": 3, "injections": 6, "events": 2}),
    # T2 twice, identical: the first is imported, the repeat quarantined
    "duplicate_identical": ({("treatments.csv", 6, "duplicate_in_file")}, VALID),
    "malformed_row": ({("injections.csv", 9, "malformed_row")}, VALID),
    "inconsistent": ({("events.csv", 4, "inconsistent")}, VALID),
    "patient_mismatch": ({("treatments.csv", 6, "conflicts_with_existing")}, VALID),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_quarantines_the_bad_row_and_keeps_the_rest(db: Database, tmp_path: Path, rule: str) -> None:
    expected_rows, expected_imported = CASES[rule]
    result = import_path(db, IMPORTER, dataset(tmp_path, rule))
    assert quarantined(db, result) == expected_rows
    assert {f: c.imported for f, c in result.files.items()} == expected_imported
    assert stored_counts(db) == expected_imported
    assert result.quarantined == len(expected_rows)
    assert result.exit_code == 3
    assert_balanced(result)
    # the quarantine keeps the raw values and a human sentence for every reason
    q = list_quarantine(db, result.import_id)
    assert all(q["raw"].str.startswith("{")) and all(q["messages"].str.len() > 10)


def test_messages_are_specific(db: Database, tmp_path: Path) -> None:
    result = import_path(db, IMPORTER, dataset(tmp_path, "bad_type"))
    msg = list_quarantine(db, result.import_id)["messages"][0]
    assert msg == "units 'ten' is not a number (use digits with '.' as decimal separator)"
    result = import_path(db, IMPORTER, dataset(tmp_path / "b", "duplicate_in_file"))
    msgs = set(list_quarantine(db, result.import_id)["messages"])
    assert "treatment T2 was quarantined (treatments.csv line 3)" in msgs


def test_treatment_contradicting_a_stored_one_is_a_conflict(db: Database, tmp_path: Path) -> None:
    import_path(db, IMPORTER, dataset(tmp_path))
    result = import_path(db, IMPORTER, FIXTURES / "conflicts" / "treatment")
    assert quarantined(db, result) == {("treatments.csv", 2, "conflicts_with_existing")}
    msg = list_quarantine(db, result.import_id)["messages"][0]
    assert "already stored with a different product" in msg
    assert db.scalar("SELECT product FROM treatments WHERE treatment_ref = 'T1'") == "ona"
    assert_balanced(result)


def test_injection_contradicting_a_stored_one_is_a_conflict(db: Database, tmp_path: Path) -> None:
    import_path(db, IMPORTER, dataset(tmp_path))
    result = import_path(db, IMPORTER, FIXTURES / "conflicts" / "injection")
    # units changed on a stored row; a new area added to a treatment that already has its rows
    assert quarantined(db, result) == {("injections.csv", 2, "conflicts_with_existing"),
                                       ("injections.csv", 3, "conflicts_with_existing")}
    assert result.files["treatments"].unchanged == 1
    assert stored_counts(db) == VALID
    assert_balanced(result)


def test_rows_after_a_malformed_line_keep_their_line_numbers(db: Database, tmp_path: Path) -> None:
    folder = dataset(tmp_path)
    lines = (folder / "injections.csv").read_text().splitlines()
    lines.insert(2, "T1,forehead,B")  # line 3: too few columns
    lines.append("T4,glabella,B,,zero,,,")  # line 10
    (folder / "injections.csv").write_text("\n".join(lines) + "\n")
    result = import_path(db, IMPORTER, folder)
    assert quarantined(db, result) == {("injections.csv", 3, "malformed_row"), ("injections.csv", 10, "bad_type")}
    assert result.files["injections"].imported == 7
    raw = list_quarantine(db, result.import_id).set_index("line")["raw"]
    assert "T1,forehead,B" in raw[3] and '"units":"zero"' in raw[10]


def test_blank_lines_do_not_shift_line_numbers(db: Database, tmp_path: Path) -> None:
    folder = dataset(tmp_path)
    lines = (folder / "injections.csv").read_text().splitlines()
    lines.insert(3, "")  # line 4 is empty
    lines.append("T4,glabella,B,,zero,,,")  # line 10
    (folder / "injections.csv").write_text("\n".join(lines) + "\n\n")
    result = import_path(db, IMPORTER, folder)
    assert quarantined(db, result) == {("injections.csv", 10, "bad_type")}
    assert result.files["injections"].imported == 7


def test_injections_of_an_already_stored_treatment(db: Database, tmp_path: Path) -> None:
    """A stored treatment without injection rows accepts them later; identical re-sends are unchanged."""
    folder = dataset(tmp_path)
    inj = (folder / "injections.csv").read_text()
    (folder / "injections.csv").write_text(inj.split("\n")[0] + "\n")
    (folder / "events.csv").unlink()
    import_path(db, IMPORTER, folder)
    assert stored_counts(db)["injections"] == 0
    later = tmp_path / "later"
    later.mkdir()
    (later / "treatments.csv").write_text("treatment_id,clinic,treated_at,patient_ref,injector,product\n")
    (later / "injections.csv").write_text(inj)
    result = import_path(db, IMPORTER, later)
    assert result.files["injections"].imported == 7 and result.exit_code == 0
    again = import_path(db, IMPORTER, later)
    assert again.files["injections"].unchanged == 7 and again.imported == 0
