"""An identified export imported into an empty database reproduces the same data (spec section 5); a
de-identified export is itself a valid data set; zoned times land in the right clinic-local quarter."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.core.authz import User, system_user
from dashboard.core.db import open_database
from dashboard.export import parse_quarter, write_bundle
from dashboard.importer import import_path
from tests.test_export_data import seed, write_secret

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
Q3 = parse_quarter("2026Q3")
MANAGER = User("t", "manager", "T")
SAME_FILES = ("treatments.csv", "injections.csv", "events.csv", "summary.csv")


@pytest.fixture
def source(db, db_file):
    write_secret(Path(os.environ["INJECTWATCH_SECRET_FILE"]))
    seed(db)
    return db


def _bundle(db, out: Path, identified: bool):
    out.mkdir(parents=True, exist_ok=True)
    return write_bundle(db, MANAGER, Q3, out, identified=identified, now=NOW)


def test_identified_export_imported_into_an_empty_database_reproduces_the_rows(source, tmp_path):
    first = _bundle(source, tmp_path / "a", identified=True)
    target = open_database(tmp_path / "copy.duckdb")
    try:
        result = import_path(target, system_user("roundtrip"), first.zip_path)
        assert result.exit_code == 0, result.summary()
        second = _bundle(target, tmp_path / "b", identified=True)
        for name in SAME_FILES:
            assert (second.folder / name).read_bytes() == (first.folder / name).read_bytes(), name
        # the import stores the latest version of each event as its first version
        versions = target.rows("SELECT count(*), max(version) FROM event_versions")[0]
        assert versions == (3, 1)
        # and the same data seen from the tables: patients, lots, clinics
        assert target.rows("SELECT patient_ref, birth_year, sex FROM patients ORDER BY patient_ref") == [
            ("000123", 1990, "M"), ("P-1001", 1985, "F"), ("P-ZOË", None, "U")]
        assert sorted(target.rows("SELECT product, lot_number FROM lots")) == [
            ("inco", "1E5"), ("ona", "004567"), ("ona", "C1234C3")]
    finally:
        target.close()


def test_importing_the_same_export_twice_changes_nothing(source, tmp_path):
    first = _bundle(source, tmp_path / "a", identified=True)
    target = open_database(tmp_path / "copy.duckdb")
    try:
        import_path(target, system_user("roundtrip"), first.folder)
        again = import_path(target, system_user("roundtrip"), first.folder)
        assert again.exit_code == 0
        assert target.scalar("SELECT count(*) FROM treatments") == 3
        assert target.scalar("SELECT count(*) FROM event_versions") == 3
    finally:
        target.close()


def test_deidentified_export_is_a_valid_data_set(source, tmp_path):
    bundle = _bundle(source, tmp_path / "a", identified=False)
    target = open_database(tmp_path / "copy.duckdb")
    try:
        result = import_path(target, system_user("roundtrip"), bundle.folder)
        assert result.exit_code == 0, result.summary()
        assert target.scalar("SELECT count(*) FROM treatments") == 3
        refs = [r[0] for r in target.rows("SELECT patient_ref FROM patients")]
        assert all(ref.startswith("px-") for ref in refs)
        assert target.scalar("SELECT count(*) FROM patients WHERE birth_year IS NOT NULL") == 0
        assert target.scalar("SELECT count(*) FROM event_versions WHERE narrative IS NOT NULL") == 0
    finally:
        target.close()


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    with open(folder / name, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_zoned_times_fall_in_the_clinic_local_quarter(db, tmp_path, monkeypatch):
    """An installation in Berlin (UTC+2 in summer, +1 from 25 October): instants near midnight at quarter ends."""
    monkeypatch.setenv("INJECTWATCH_TZ", "Europe/Berlin")
    write_secret(Path(os.environ["INJECTWATCH_SECRET_FILE"]))
    src = tmp_path / "zoned"
    src.mkdir()
    base = {"clinic": "North Clinic", "patient_ref": "P-1", "injector": "Dr A", "product": "ona"}
    _write(src, "treatments.csv", [
        # 22:30 UTC on 30 June is 00:30 on 1 July in Berlin: Q3
        {**base, "treatment_id": "Z-1", "treated_at": "2026-06-30T22:30:00Z"},
        # 21:59 UTC on 30 June is 23:59 on 30 June in Berlin: Q2
        {**base, "treatment_id": "Z-2", "treated_at": "2026-06-30T21:59:00+00:00"},
        # 23:30 in New York on 30 September is 05:30 on 1 October in Berlin: Q4
        {**base, "treatment_id": "Z-3", "treated_at": "2026-09-30T23:30:00-04:00"},
        # no zone: clinic-local as written, one minute before the end of Q3
        {**base, "treatment_id": "Z-4", "treated_at": "2026-09-30T23:59"},
    ])
    _write(src, "injections.csv", [{"treatment_id": t, "area": "glabella", "units": "20"}
                                   for t in ("Z-1", "Z-2", "Z-3", "Z-4")])
    _write(src, "events.csv", [
        # follows the June treatment Z-2; begins at 00:10 on 1 July Berlin time (22:10 UTC): a Q3 event
        {"event_id": "ZE-1", "treatment_id": "Z-2", "term": "headache", "onset_at": "2026-06-30T22:10:00Z",
         "severity": "1"},
    ])
    result = import_path(db, system_user("t"), src)
    assert result.exit_code == 0, result.summary()
    out = tmp_path / "out"
    out.mkdir()
    bundle = write_bundle(db, MANAGER, Q3, out, now=NOW)
    with open(bundle.folder / "treatments.csv", encoding="utf-8-sig", newline="") as f:
        treatments = {r["treatment_id"]: r["treated_at"] for r in csv.DictReader(f)}
    assert treatments == {"Z-2": "2026-06-30T23:59:00", "Z-1": "2026-07-01T00:30:00",
                          "Z-4": "2026-09-30T23:59:00"}
    with open(bundle.folder / "events.csv", encoding="utf-8-sig", newline="") as f:
        events = [(r["event_id"], r["onset_at"]) for r in csv.DictReader(f)]
    assert events == [("ZE-1", "2026-07-01T00:10:00")]
    assert bundle.manifest["rows"]["treatments.csv"] == 3
    assert "1 earlier treatment that" in bundle.manifest["note"]
