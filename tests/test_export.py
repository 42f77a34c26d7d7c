"""The quarterly export bundle (spec section 5) on the small hand-built clinic of test_export_data."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.core.authz import PermissionDenied, User
from dashboard.export import (
    ExportError,
    export_zip_for,
    parse_quarter,
    preview,
    verify_bundle,
    write_bundle,
)
from dashboard.export.bundle import CSV_FILES, MANIFEST, UTF8_BOM
from dashboard.export.dictionary import dictionary_rows
from dashboard.export.pseudonym import birth_band, pseudonym
from dashboard.export.secret import ensure_secret, load_secret
from tests.test_export_data import (
    ACTIONS,
    CHANGE_NOTES,
    NARRATIVES,
    PATIENT_REFS,
    REPORTERS,
    SECRET_HEX,
    seed,
    write_secret,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "export"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
Q3 = parse_quarter("2026Q3")
MANAGER = User("t", "manager", "T")


@pytest.fixture
def clinic(db, db_file):
    """The seeded database with the fixed test secret in place."""
    write_secret(Path(os.environ["INJECTWATCH_SECRET_FILE"]))
    seed(db)
    return db


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read an exported CSV (BOM included) into dicts of raw strings."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def header(path: Path) -> list[str]:
    """The header row of an exported CSV."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


def export(db, tmp_path: Path, quarter=Q3, identified=False, actor="tester"):
    out = tmp_path / ("identified" if identified else "deidentified")
    out.mkdir(parents=True, exist_ok=True)
    return write_bundle(db, User(actor, "manager", actor), quarter, out, identified=identified, now=NOW)


@pytest.mark.parametrize("identified", [False, True], ids=["deidentified", "identified"])
def test_bundle_matches_the_golden_files(clinic, tmp_path, identified):
    result = export(clinic, tmp_path, identified=identified)
    golden = GOLDEN / ("identified" if identified else "deidentified")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.mkdir(parents=True, exist_ok=True)
        for name in (*CSV_FILES, MANIFEST):
            (golden / name).write_bytes((result.folder / name).read_bytes())
    assert sorted(p.name for p in result.folder.iterdir()) == sorted((*CSV_FILES, MANIFEST))
    for name in (*CSV_FILES, MANIFEST):
        assert (result.folder / name).read_bytes() == (golden / name).read_bytes(), name


def test_quarter_boundaries_and_earlier_treatments(clinic, tmp_path):
    result = export(clinic, tmp_path)
    treatments = read_csv(result.folder / "treatments.csv")
    # 0042 at 00:00:00 on 1 July and T-003 at 23:59:59 on 30 September are in; T-004 (23:59:59 on 30 June) and
    # T-005 (00:00:00 on 1 October) are out; T-001 (June) is in because the eyelid ptosis of 2 July follows it.
    assert [t["treatment_id"] for t in treatments] == ["T-001", "0042", "T-003"]
    assert treatments[0]["treated_at"] == "2026-06-20T10:00:00"
    events = read_csv(result.folder / "events.csv")
    # E-3 at 23:59:59 on 30 September is in; E-4 (00:10 on 1 October) and E-5 (23:59:59 on 30 June) are out.
    assert [(e["event_id"], e["treatment_id"]) for e in events] == [("E-1", "T-001"), ("E-2", "0042"),
                                                                     ("E-3", "T-003")]
    injections = read_csv(result.folder / "injections.csv")
    assert [i["treatment_id"] for i in injections] == ["T-001", "0042", "0042", "T-003", "T-003"]
    assert result.manifest["rows"]["treatments.csv"] == 3
    assert "1 earlier treatment that" in result.manifest["note"]

    q2 = export(clinic, tmp_path / "q2", parse_quarter("2026Q2"))
    assert [t["treatment_id"] for t in read_csv(q2.folder / "treatments.csv")] == ["T-001", "T-004"]
    assert [e["event_id"] for e in read_csv(q2.folder / "events.csv")] == ["E-5"]
    q4 = export(clinic, tmp_path / "q4", parse_quarter("2026Q4"))
    assert [t["treatment_id"] for t in read_csv(q4.folder / "treatments.csv")] == ["T-003", "T-005"]
    assert [e["event_id"] for e in read_csv(q4.folder / "events.csv")] == ["E-4"]


def test_latest_version_in_events_and_every_version_in_event_versions(clinic, tmp_path):
    result = export(clinic, tmp_path, identified=True)
    events = {e["event_id"]: e for e in read_csv(result.folder / "events.csv")}
    assert events["E-1"]["outcome"] == "recovering"
    assert events["E-1"]["narrative"] == NARRATIVES[1]
    versions = read_csv(result.folder / "event_versions.csv")
    assert [(v["event_id"], v["version"], v["changed_at"]) for v in versions] == [
        ("E-1", "1", "2026-07-02T09:15:00"), ("E-1", "2", "2026-07-16T11:00:00"),
        ("E-2", "1", "2026-07-06T10:00:00"), ("E-3", "1", "2026-10-01T08:00:00")]
    assert versions[0]["outcome"] == "unknown" and versions[1]["change_note"] == CHANGE_NOTES[0]


def test_deidentified_bundle_holds_no_patient_ref_free_text_or_reporter(clinic, tmp_path):
    result = export(clinic, tmp_path)
    secret_files = [result.folder / n for n in (*CSV_FILES, MANIFEST)]
    blobs = [p.read_bytes() for p in secret_files] + [result.zip_path.read_bytes()]
    with zipfile.ZipFile(result.zip_path) as z:
        blobs += [z.read(n) for n in z.namelist()]
    forbidden = [*PATIENT_REFS, *NARRATIVES, *REPORTERS, *ACTIONS, *CHANGE_NOTES, "Jane Roe", "Kim Lee", SECRET_HEX]
    for blob in blobs:
        text = blob.decode("utf-8", errors="replace")
        for value in forbidden:
            # "000123" is short enough to occur inside a hex checksum: look for it as a whole CSV field
            needle = f'"{value}"' if value.isdigit() else value
            assert needle not in text, value
    for name in CSV_FILES[:-1]:
        for row in read_csv(result.folder / name):
            for cell in row.values():
                assert cell not in PATIENT_REFS
    for name in ("events.csv", "event_versions.csv"):
        assert not {"narrative", "action_taken", "reported_by", "change_note"} & set(header(result.folder / name))
    assert "patient_birth_year" not in header(result.folder / "treatments.csv")


def test_pseudonyms_are_the_keyed_hmac_and_birth_years_become_bands(clinic, tmp_path):
    result = export(clinic, tmp_path)
    rows = read_csv(result.folder / "treatments.csv")
    secret = bytes.fromhex(SECRET_HEX)
    assert [r["patient_ref"] for r in rows] == [pseudonym(secret, ref) for ref in ("P-1001", "000123", "P-ZOË")]
    assert [r["patient_birth_band"] for r in rows] == ["1980-1989", "1990-1999", ""]
    assert birth_band(1979) == "1970-1979" and birth_band(2000) == "2000-2009" and birth_band(None) is None
    again = export(clinic, tmp_path / "again")
    assert [r["patient_ref"] for r in read_csv(again.folder / "treatments.csv")] == [r["patient_ref"] for r in rows]
    # another installation (another secret) gives unrelated pseudonyms
    other = pseudonym(b"\x01" * 32, "P-1001")
    assert other != rows[0]["patient_ref"] and other.startswith("px-") and len(other) == 23


def test_identified_bundle_keeps_refs_and_free_text(clinic, tmp_path):
    result = export(clinic, tmp_path, identified=True)
    rows = read_csv(result.folder / "treatments.csv")
    assert [(r["patient_ref"], r["patient_birth_year"]) for r in rows] == [
        ("P-1001", "1985"), ("000123", "1990"), ("P-ZOË", "")]
    events = read_csv(result.folder / "events.csv")
    assert events[1]["reported_by"] == REPORTERS[1] and events[0]["action_taken"] == ACTIONS[0]


def test_every_export_is_audited_with_who_and_when(clinic, tmp_path):
    export(clinic, tmp_path, actor="mgr")
    export(clinic, tmp_path, identified=True, actor="mgr")
    audit = clinic.rows("SELECT actor, action, entity_id, occurred_at, detail FROM audit_log "
                        "WHERE action LIKE 'export%' ORDER BY audit_id")
    assert [(a, b, c) for a, b, c, _, _ in audit] == [("mgr", "export", "2026Q3"),
                                                      ("mgr", "export.identified", "2026Q3")]
    assert all(isinstance(row[3], datetime) for row in audit)
    detail = json.loads(audit[1][4])
    assert detail["identified"] is True and detail["rows"]["events.csv"] == 3


def test_manifest_checksums_verify_and_catch_tampering(clinic, tmp_path):
    result = export(clinic, tmp_path)
    m = json.loads((result.folder / MANIFEST).read_text(encoding="utf-8"))
    assert m["format"] == "injectwatch-export/1" and m["quarter"] == "2026Q3" and m["exported_by"] == "tester"
    assert m["exported_at"] == "2026-11-25T10:00:00+00:00" and m["identified"] is False and m["empty"] is False
    assert m["rows"] == {"treatments.csv": 3, "injections.csv": 5, "events.csv": 3, "event_versions.csv": 4,
                         "summary.csv": 4, "data_dictionary.csv": len(dictionary_rows(False))}
    assert verify_bundle(result.folder) == []
    with open(result.folder / "events.csv", "ab") as f:
        f.write(b'"E-9","T-001","headache",2026-07-09T10:00:00,1,false,,,,,,,\n')
    (result.folder / "extra.txt").write_text("x")
    assert verify_bundle(result.folder) == ["events.csv: SHA-256 does not match the manifest",
                                            "extra.txt: not listed in the manifest"]


def test_zip_holds_the_same_files_in_a_named_folder(clinic, tmp_path):
    result = export(clinic, tmp_path)
    assert result.zip_path.name == "injectwatch-2026Q3.zip"
    with zipfile.ZipFile(result.zip_path) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert names == [f"injectwatch-2026Q3/{n}" for n in (*CSV_FILES, MANIFEST)]
        for n in (*CSV_FILES, MANIFEST):
            assert z.read(f"injectwatch-2026Q3/{n}") == (result.folder / n).read_bytes()


def test_empty_quarter_gives_a_valid_bundle_that_says_so(clinic, tmp_path):
    result = export(clinic, tmp_path, parse_quarter("2025Q1"))
    m = result.manifest
    assert m["empty"] is True and "no treatments and no adverse events" in m["note"]
    assert all(m["rows"][f] == 0 for f in CSV_FILES[:-1])
    for name in CSV_FILES[:-1]:
        lines = (result.folder / name).read_bytes().splitlines()
        assert len(lines) == 1 and lines[0].startswith(UTF8_BOM)
    assert header(result.folder / "treatments.csv")[0] == "treatment_id"
    assert verify_bundle(result.folder) == []


def test_files_are_utf8_with_bom_iso_times_quoted_ids_and_no_index(clinic, tmp_path):
    result = export(clinic, tmp_path, identified=True)
    raw = (result.folder / "treatments.csv").read_bytes()
    assert raw.startswith(UTF8_BOM)
    text = raw[3:].decode("utf-8")
    assert text.startswith('"treatment_id","clinic",treated_at,')
    assert '"0042","North Clinic",2026-07-01T00:00:00,"000123",1990,' in text
    assert '"Süd Praxis, Köln"' in text and '"1E5"' in text
    assert '"0042","glabella","C","G1",15.00,3,,"intramuscular"' in (result.folder / "injections.csv").read_text(
        encoding="utf-8-sig")


def test_data_dictionary_describes_every_column_of_every_file(clinic, tmp_path):
    for identified in (False, True):
        result = export(clinic, tmp_path, identified=identified)
        rows = read_csv(result.folder / "data_dictionary.csv")
        for name in CSV_FILES:
            described = [r["column"] for r in rows if r["file"] == name]
            assert described == header(result.folder / name), name
        manifest_keys = [r["column"] for r in rows if r["file"] == MANIFEST]
        assert manifest_keys == list(result.manifest)
        assert all(r["meaning"] for r in rows)
        bom = [r for r in rows if r["file"] == "*"]
        assert "byte-order mark" in bom[0]["meaning"]


def test_summary_counts_and_rates(clinic, tmp_path):
    result = export(clinic, tmp_path)
    rows = [(r["clinic"], r["injector"], r["area"], r["term"], r["treatments"], r["events"],
             r["events_after_earlier_treatments"], r["rate_per_1000"]) for r in read_csv(result.folder / "summary.csv")]
    assert rows == [
        ("North Clinic", "Dr Ada Park", "forehead", "", "1", "0", "0", "0.00"),
        # E-1 follows the June treatment T-001; the denominator is Q3's glabella treatments (0042 only)
        ("North Clinic", "Dr Ada Park", "glabella", "eyelid_ptosis", "1", "1", "1", "1000.00"),
        # E-2 names no area and 0042 treated two: counted against all of Dr Park's Q3 treatments at North
        ("North Clinic", "Dr Ada Park", "", "headache", "1", "1", "0", "1000.00"),
        ("Süd Praxis, Köln", "Dr Ben Ortiz", "lateral_canthal", "injection_site_bruising", "1", "1", "0", "1000.00"),
    ]


def test_preview_counts_match_what_is_written(clinic, tmp_path):
    pv = preview(clinic, MANAGER, Q3)
    result = export(clinic, tmp_path)
    assert pv.rows() == result.manifest["rows"]
    assert pv.treatments_from_earlier_quarters == 1 and not pv.empty
    assert preview(clinic, MANAGER, parse_quarter("2025Q1")).empty


def test_reexport_replaces_the_bundle_but_never_a_foreign_folder(clinic, tmp_path):
    first = export(clinic, tmp_path)
    (first.folder / "events.csv").write_text("edited by hand")
    second = export(clinic, tmp_path)
    assert verify_bundle(second.folder) == []
    foreign = tmp_path / "x"
    (foreign / "injectwatch-2026Q3").mkdir(parents=True)
    (foreign / "injectwatch-2026Q3" / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="is not an InjectWatch export"):
        write_bundle(clinic, MANAGER, Q3, foreign, now=NOW)
    assert (foreign / "injectwatch-2026Q3" / "notes.txt").read_text() == "mine"
    assert [p.name for p in foreign.iterdir()] == ["injectwatch-2026Q3"]  # no half-written leftovers


def test_secret_is_created_once_beside_the_database_owner_only(db_file, tmp_path):
    path, created = ensure_secret(db_file)
    assert created and path == Path(os.environ["INJECTWATCH_SECRET_FILE"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = load_secret(db_file)
    assert len(key) == 32
    assert ensure_secret(db_file) == (path, False) and load_secret(db_file) == key
    path.chmod(0o644)
    load_secret(db_file)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.hex() not in db_file.read_bytes().hex()


def test_secret_default_location_is_beside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv("INJECTWATCH_SECRET_FILE", raising=False)
    path, _ = ensure_secret(tmp_path / "clinic.duckdb")
    assert path == tmp_path / "clinic.secret"


def test_page_entry_point_checks_permissions(clinic, practitioner, manager):
    with pytest.raises(PermissionDenied):
        export_zip_for(clinic, practitioner, Q3)
    admin_without_export = User("root", "admin", "Alex")
    with pytest.raises(PermissionDenied):
        export_zip_for(clinic, admin_without_export, Q3, identified=True)
    name, data, result = export_zip_for(clinic, manager, Q3, now=NOW)
    assert name == "injectwatch-2026Q3.zip" and result.manifest["exported_by"] == "mgr"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "injectwatch-2026Q3/manifest.json" in z.namelist()
