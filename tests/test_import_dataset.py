"""Data sets as a whole: encodings, zips, unknown columns, idempotency, follow-ups, frames and the quarantine CSV."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core.authz import system_user
from dashboard.core.db import Database
from dashboard.importer import ImportInputError, import_frames, import_path, list_quarantine, quarantine_csv

IMPORTER = system_user("import")  # the import command's actor

FIXTURES = Path(__file__).parent / "fixtures" / "import"
VALID = FIXTURES / "valid"


def counts(db: Database) -> tuple[int, int, int, int]:
    return (db.scalar("SELECT count(*) FROM treatments"), db.scalar("SELECT count(*) FROM injections"),
            db.scalar("SELECT count(*) FROM events"), db.scalar("SELECT count(*) FROM event_versions"))


def test_bom_crlf_and_case_insensitive_headers(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(VALID, folder)
    text = (folder / "treatments.csv").read_text()
    header, rest = text.split("\n", 1)
    (folder / "treatments.csv").write_bytes(b"\xef\xbb\xbf" + (header.upper() + "\n" + rest).replace("\n", "\r\n")
                                            .encode())
    (folder / "Injections.CSV").write_bytes((folder / "injections.csv").read_bytes())
    (folder / "injections.csv").unlink()
    result = import_path(db, IMPORTER, folder)
    assert result.exit_code == 0 and result.warnings == []
    assert counts(db)[:3] == (4, 7, 2)
    assert db.scalar("SELECT treatment_ref FROM treatments ORDER BY treatment_id LIMIT 1") == "T1"


def test_unknown_columns_are_reported_and_ignored(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(VALID, folder)
    rows = list(csv.reader(io.StringIO((folder / "injections.csv").read_text())))
    rows[0].append("Photo_URL")
    for r in rows[1:]:
        r.append("http://x")
    with open(folder / "injections.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = import_path(db, IMPORTER, folder)
    assert result.warnings == ["injections.csv: column 'Photo_URL' is not part of the format and was ignored"]
    assert result.exit_code == 0 and counts(db)[:3] == (4, 7, 2)


def test_zip_with_a_top_folder(db: Database, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in VALID.iterdir():
            zf.write(f, f"clinic-export/{f.name}")
        zf.writestr("__MACOSX/clinic-export/._treatments.csv", "junk")
    result = import_path(db, IMPORTER, archive)
    assert result.exit_code == 0 and counts(db)[:3] == (4, 7, 2)


@pytest.mark.parametrize("make, message", [
    (lambda d: (d / "treatments.csv").unlink(), "no treatments.csv"),
    (lambda d: (d / "injections.csv").unlink(), "no injections.csv"),
    (lambda d: (d / "treatments.csv").write_text("treatment_id,clinic,treated_at\nT1,A,2026-01-01\n"),
     "treatments.csv has no column patient_ref, injector, product"),
    (lambda d: (d / "treatments.csv").write_bytes(b""), "treatments.csv is empty"),
    (lambda d: (d / "treatments.csv").write_bytes(b"treatment_id,clin\xe9\n"), "is not saved as UTF-8"),
])
def test_unreadable_input_changes_nothing(db: Database, tmp_path: Path, make: Callable[[Path], object],
                                          message: str) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(VALID, folder)
    make(folder)
    before = db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ImportInputError, match=message):
        import_path(db, IMPORTER, folder)
    assert counts(db) == (0, 0, 0, 0)
    assert db.scalar("SELECT count(*) FROM imports") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == before


def test_not_a_zip_or_folder(db: Database, tmp_path: Path) -> None:
    bogus = tmp_path / "data.zip"
    bogus.write_text("not a zip")
    with pytest.raises(ImportInputError, match="neither a folder nor a .zip"):
        import_path(db, IMPORTER, bogus)
    with pytest.raises(ImportInputError, match="does not exist"):
        import_path(db, IMPORTER, tmp_path / "missing")


def _with_bad_rows(tmp_path: Path) -> Path:
    """The valid data set with a future treatment (rule check) and an injection line with a surplus value (reader)."""
    folder = tmp_path / "bad"
    shutil.copytree(VALID, folder)
    shutil.copy(FIXTURES / "rules" / "future_date" / "treatments.csv", folder / "treatments.csv")
    shutil.copy(FIXTURES / "rules" / "malformed_row" / "injections.csv", folder / "injections.csv")
    return folder


def test_a_repeat_with_quarantined_rows_changes_nothing_and_names_the_first_import(db: Database,
                                                                                   tmp_path: Path) -> None:
    folder = _with_bad_rows(tmp_path)
    first = import_path(db, IMPORTER, folder)
    assert first.quarantined == 2 and first.exit_code == 3
    quarantine_before = db.rows("SELECT import_id, file, line, raw, reasons FROM quarantine ORDER BY quarantine_id")
    before = counts(db)
    second = import_path(db, IMPORTER, folder)
    assert counts(db) == before
    assert db.rows("SELECT import_id, file, line, raw, reasons FROM quarantine ORDER BY quarantine_id") \
        == quarantine_before
    assert second.imported == 0 and second.quarantined == 0 and second.already_quarantined == 2
    assert second.files["treatments"].already_quarantined == 1 and second.files["injections"].already_quarantined == 1
    assert all(c.balanced() for c in second.files.values())
    assert second.known_imports == [first.import_id]
    assert second.exit_code == 0
    assert second.summary() == (f"Nothing changed: 13 rows were already stored with the same values and 2 rows were "
                                f"already quarantined (see the quarantine of import {first.import_id}).")
    assert db.rows("SELECT quarantined, unchanged FROM imports WHERE import_id = $i", {"i": second.import_id}) \
        == [(0, 15)]


def test_a_repeat_quarantines_a_bad_row_again_when_its_values_or_reasons_changed(db: Database,
                                                                                 tmp_path: Path) -> None:
    folder = _with_bad_rows(tmp_path)
    first = import_path(db, IMPORTER, folder)
    path = folder / "treatments.csv"
    path.write_text(path.read_text().replace("2099-01-01T10:00", "2098-01-01T10:00"))  # same reason, other value
    second = import_path(db, IMPORTER, folder)
    assert second.quarantined == 1 and second.already_quarantined == 1 and second.exit_code == 3
    assert second.files["treatments"].quarantined == 1 and second.files["injections"].already_quarantined == 1
    assert second.summary().endswith(f"; 1 row quarantined (see the quarantine of import {second.import_id}); "
                                     f"1 row was already quarantined (see the quarantine of import "
                                     f"{first.import_id}).")
    assert [r[0] for r in db.rows("SELECT import_id FROM quarantine ORDER BY quarantine_id")] \
        == [first.import_id, first.import_id, second.import_id]


def test_second_import_changes_nothing_and_says_so(db: Database) -> None:
    first = import_path(db, IMPORTER, VALID)
    snapshot = db.df("SELECT * FROM treatments ORDER BY treatment_id").drop(columns=["import_id"])
    before = counts(db)
    second = import_path(db, IMPORTER, VALID)
    assert counts(db) == before
    assert second.imported == 0 and second.quarantined == 0 and second.unchanged == first.imported == 13
    assert second.summary() == "Nothing changed: all 13 rows were already stored with the same values."
    assert second.exit_code == 0
    pd.testing.assert_frame_equal(snapshot, db.df("SELECT * FROM treatments ORDER BY treatment_id")
                                  .drop(columns=["import_id"]))
    assert db.rows("SELECT imported, unchanged FROM imports ORDER BY import_id") == [(13, 0), (0, 13)]


def test_follow_up_creates_version_2_and_keeps_version_1(db: Database) -> None:
    import_path(db, IMPORTER, VALID)
    result = import_path(db, IMPORTER, FIXTURES / "followup")
    assert result.files["events"].imported == 1 and result.files["events"].new_versions == 1
    assert "1 follow-up to stored events" in result.summary()
    versions = db.rows("SELECT v.version, v.outcome, v.resolved_at, v.reported_at, v.change_note FROM event_versions v "
                       "JOIN events e USING (event_id) WHERE e.event_ref = 'E1' ORDER BY v.version")
    assert [(v[0], v[1]) for v in versions] == [(1, "recovering"), (2, "recovered")]
    assert versions[0][2] is None and versions[1][2] == datetime(2026, 2, 20)
    assert versions[1][3] == versions[0][3]  # reported_at kept
    assert "outcome, resolved_at" in versions[1][4]
    assert db.scalar("SELECT version FROM events_current WHERE event_ref = 'E1'") == 2
    audit = db.rows("SELECT actor, entity_id, detail FROM audit_log WHERE action = 'event.follow_up'")
    assert len(audit) == 1 and '"version":2' in audit[0][2]
    # the same follow-up again: unchanged
    again = import_path(db, IMPORTER, FIXTURES / "followup")
    assert again.files["events"].unchanged == 1 and db.scalar("SELECT count(*) FROM event_versions") == 3


def test_quarantine_listing_and_csv(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    shutil.copytree(VALID, folder)
    with open(folder / "injections.csv", "a") as fh:
        fh.write('T2,glabella,B,"=cmd|x",0,,,\n')
    result = import_path(db, IMPORTER, folder)
    listing = list_quarantine(db, result.import_id)
    assert list(listing[["file", "line", "reasons"]].itertuples(index=False, name=None)) == [
        ("injections.csv", 9, "out_of_range")]
    assert list_quarantine(db).shape[0] == 1 and list_quarantine(db, result.import_id + 1).empty
    table = pd.read_csv(io.BytesIO(quarantine_csv(db, result.import_id)), dtype=str, keep_default_na=False)
    assert list(table.columns[:5]) == ["import_id", "file", "line", "reasons", "messages"]
    assert table.loc[0, "units"] == "0" and table.loc[0, "point"] == "'=cmd|x"  # inert in a spreadsheet (7.6)
    assert table.loc[0, "messages"].startswith("units 0 is impossible in one row")


def test_import_frames_accepts_typed_columns(db: Database) -> None:
    t = pd.DataFrame({
        "treatment_id": ["F1", "F2"], "clinic": ["Demo", "Demo"],
        "treated_at": pd.to_datetime(["2026-01-05 10:00", "2026-01-06 11:15:30"], format="ISO8601"),
        "patient_ref": ["Q1", "Q2"], "patient_birth_year": [1980, None], "injector": ["Dr X", "Dr Y"],
        "product": ["ona", "abo"], "vial_units": [100.0, None], "diluent_ml": [2.5, 1.0],
        "alcohol_48h": [True, False], "anticoagulant": pd.array([None, True], dtype="boolean"),
    })
    i = pd.DataFrame({"treatment_id": ["F1", "F2"], "area": ["glabella", "masseter"], "units": [20, 45.5],
                      "points": [5, None]})
    e = pd.DataFrame({"event_id": ["FE1"], "treatment_id": ["F1"], "term": ["headache"],
                      "onset_at": pd.to_datetime(["2026-01-06 08:00"]), "severity": [1], "serious": [False]})
    result = import_frames(db, {"treatments": t, "injections": i, "events": e}, "demo", "demo")
    assert result.quarantined == 0, list_quarantine(db)
    assert counts(db)[:3] == (2, 2, 1)
    assert db.rows("SELECT treated_at, vial_units, alcohol_48h, anticoagulant FROM treatments ORDER BY treatment_ref") == [
        (datetime(2026, 1, 5, 10, 0), 100, True, None), (datetime(2026, 1, 6, 11, 15, 30), None, False, True)]
    assert [float(u) for (u,) in db.rows("SELECT units FROM injections ORDER BY units")] == [20.0, 45.5]
    again = import_frames(db, {"treatments": t, "injections": i, "events": e}, "demo", "demo")
    assert again.imported == 0 and again.unchanged == 5


def test_zoned_times_use_the_installation_time_zone(db: Database, tmp_path: Path) -> None:
    db.write(lambda cur: cur.execute("INSERT INTO settings (key, value) VALUES ('timezone', 'Europe/Berlin')"))
    folder = tmp_path / "ds"
    shutil.copytree(VALID, folder)
    text = (folder / "treatments.csv").read_text().replace("2026-01-10T10:00,", "2026-01-10T10:00Z,")
    (folder / "treatments.csv").write_text(text)
    import_path(db, IMPORTER, folder)
    assert db.scalar("SELECT treated_at FROM treatments WHERE treatment_ref = 'T1'") == datetime(2026, 1, 10, 11, 0)
    assert db.scalar("SELECT treated_at FROM treatments WHERE treatment_ref = 'T2'") == datetime(2026, 1, 11, 11, 30)


def test_empty_quarantine_gives_a_header_only_csv(db: Database) -> None:
    import_path(db, IMPORTER, VALID)
    assert list_quarantine(db).empty
    assert quarantine_csv(db).decode().strip() == "import_id,file,line,reasons,messages"


def test_an_unusable_time_zone_setting_is_an_input_error(db: Database) -> None:
    db.write(lambda cur: cur.execute("INSERT INTO settings (key, value) VALUES ('timezone', 'Mars/Olympus')"))
    with pytest.raises(ImportInputError, match="unknown time zone 'Mars/Olympus'"):
        import_path(db, IMPORTER, VALID)
    assert counts(db) == (0, 0, 0, 0)
