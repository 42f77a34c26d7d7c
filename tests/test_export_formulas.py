"""Spreadsheet formulas in written CSVs (spec 7.6): text cells starting like a formula get an apostrophe in the
export bundle, its summary, the quarantine download and the audit trail; numbers never do; the import removes it."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core.authz import User, system_user
from dashboard.core.db import open_database
from dashboard.core.spreadsheet import FORMULA_START, inert, inert_frame
from dashboard.export import parse_quarter, write_bundle
from dashboard.importer import import_path
from dashboard.importer.quarantine import quarantine_csv
from tests.test_export_data import write_secret

MANAGER = User("t", "manager", "T")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
Q3 = parse_quarter("2026Q3")
HOSTILE = {
    "clinic": '=HYPERLINK("http://x","y")',
    "injector": "@SUM(A1:A9)",
    "patient": "+P-1001",
    "lot": "-C1234C3",
    "treatment": "=T-1",
    "event": "-E-1",
    "narrative": "=1+1 then\tmore",
    "action": "\tcmd|' /C calc'!A0",
    "reporter": "\r=reporter",
}
NUMERIC = {"units", "points", "volume_ml", "vial_units", "diluent_ml", "severity", "patient_birth_year", "version",
           "treatments", "events", "rate_per_1000"}


def _write_set(folder: Path) -> None:
    """A small data set whose every free-text column starts like a spreadsheet formula."""
    h = HOSTILE
    folder.mkdir(parents=True)
    rows = {
        "treatments.csv": [
            ["treatment_id", "clinic", "treated_at", "patient_ref", "patient_birth_year", "patient_sex", "injector",
             "product", "lot", "vial_units", "diluent_ml", "reconstituted_at", "alcohol_48h", "anticoagulant"],
            [h["treatment"], h["clinic"], "2026-07-10T10:00", h["patient"], "1980", "F", h["injector"], "ona",
             h["lot"], "100", "2.5", "2026-07-10T09:30", "no", "no"],
            ["T-2", "North Clinic", "2026-07-11T11:30", "P2", "1975", "M", "Dr Ada Park", "inco", "1E5", "100",
             "2.5", "", "yes", "no"],
        ],
        "injections.csv": [
            ["treatment_id", "area", "side", "point", "units", "points", "volume_ml", "depth"],
            [h["treatment"], "glabella", "C", "", "20", "5", "0.5", "intramuscular"],
            ["T-2", "lateral_canthal", "L", "", "12", "3", "", "intramuscular"],
        ],
        "events.csv": [
            ["event_id", "treatment_id", "term", "onset_at", "severity", "serious", "seriousness", "outcome",
             "resolved_at", "side", "area", "causality", "action_taken", "reported_by", "reported_at", "narrative"],
            [h["event"], h["treatment"], "eyelid_ptosis", "2026-07-17T08:00", "2", "false", "", "recovering", "", "L",
             "glabella", "probable", h["action"], h["reporter"], "2026-07-18T09:00", h["narrative"]],
        ],
    }
    for name, lines in rows.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(lines)


@pytest.fixture
def hostile(db, db_file, tmp_path):
    write_secret(Path(os.environ["INJECTWATCH_SECRET_FILE"]))
    _write_set(tmp_path / "hostile-set")
    result = import_path(db, system_user("t"), tmp_path / "hostile-set")
    assert result.exit_code == 0, result.summary()
    assert db.scalar("SELECT name FROM injectors WHERE name LIKE '@%'") == HOSTILE["injector"]
    return db


def _cells(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_the_rule_prefixes_text_only():
    assert [inert(v) for v in ("=1", "+A1", "-x", "@a", "\tb", "\rc")] == ["'=1", "'+A1", "'-x", "'@a", "'\tb", "'\rc"]
    assert inert("-2.5") == "-2.5" and inert("+1e3") == "+1e3" and inert("-2.5x") == "'-2.5x"
    assert inert("P-1") == "P-1" and inert("'=x") == "'=x" and inert(-5) == -5 and inert(None) is None
    frame = pd.DataFrame({"n": [-1.5, 2.0], "t": ["=A1", None], "d": pd.to_datetime(["2026-01-01", None])})
    out = inert_frame(frame)
    assert out["n"].tolist() == [-1.5, 2.0] and out["t"].tolist()[0] == "'=A1" and out["t"].isna().tolist()[1]
    assert frame["t"].tolist()[0] == "=A1"  # the caller's frame is left alone


@pytest.mark.parametrize("identified", [True, False])
def test_no_text_cell_of_the_bundle_starts_like_a_formula(hostile, tmp_path, identified):
    bundle = write_bundle(hostile, MANAGER, Q3, tmp_path, identified=identified, now=NOW)
    seen_prefixed = 0
    for name in ("treatments.csv", "injections.csv", "events.csv", "event_versions.csv", "summary.csv",
                 "data_dictionary.csv"):
        for row in _cells(bundle.folder / name):
            for column, value in row.items():
                assert not value.startswith(FORMULA_START), (name, column, value)
                if value.startswith("'"):
                    seen_prefixed += 1
                    assert column not in NUMERIC, (name, column, value)
    assert seen_prefixed >= (9 if identified else 6)
    summary = _cells(bundle.folder / "summary.csv")
    assert {r["clinic"] for r in summary} >= {"'" + HOSTILE["clinic"]}
    assert {r["injector"] for r in summary} >= {"'" + HOSTILE["injector"]}
    if identified:
        events = {r["event_id"]: r for r in _cells(bundle.folder / "events.csv")}
        assert events["'" + HOSTILE["event"]]["narrative"] == "'" + HOSTILE["narrative"]


def test_identified_export_with_formula_values_round_trips(hostile, tmp_path):
    (tmp_path / "a").mkdir()
    first = write_bundle(hostile, MANAGER, Q3, tmp_path / "a", identified=True, now=NOW)
    target = open_database(tmp_path / "copy.duckdb")
    try:
        result = import_path(target, system_user("roundtrip"), first.zip_path)
        assert result.exit_code == 0, result.summary()
        assert target.scalar("SELECT name FROM clinics WHERE name LIKE '%HYPERLINK%'") == HOSTILE["clinic"]
        assert target.scalar("SELECT count(*) FROM patients WHERE patient_ref = $v", {"v": HOSTILE["patient"]}) == 1
        assert target.scalar("SELECT count(*) FROM lots WHERE lot_number = $v", {"v": HOSTILE["lot"]}) == 1
        narrative = target.scalar("SELECT narrative FROM event_versions v JOIN events e USING (event_id) "
                                  "WHERE e.event_ref = $v", {"v": HOSTILE["event"]})
        assert narrative == HOSTILE["narrative"]
        (tmp_path / "b").mkdir()
        second = write_bundle(target, MANAGER, Q3, tmp_path / "b", identified=True, now=NOW)
        for name in ("treatments.csv", "injections.csv", "events.csv", "summary.csv"):
            assert (second.folder / name).read_bytes() == (first.folder / name).read_bytes(), name
    finally:
        target.close()


def test_quarantine_download_is_formula_safe(db, db_file, tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "treatments.csv").write_text(
        "treatment_id,clinic,treated_at,patient_ref,patient_birth_year,patient_sex,injector,product,lot,"
        "vial_units,diluent_ml\n"
        '=cmd,"=HYPERLINK(""http://x"")",2026-01-05T10:00:00,@P1,1980,F,+Dr X,ona,-L1,100,-2.5\n',
        encoding="utf-8")
    (folder / "injections.csv").write_text("treatment_id,area,units\n", encoding="utf-8")
    (folder / "events.csv").write_text("event_id,treatment_id,term,onset_at,severity\n", encoding="utf-8")
    import_path(db, system_user("t"), folder)
    rows = _cells_from_bytes(quarantine_csv(db))
    assert rows, "the bad row is in the quarantine"
    for row in rows:
        for column, value in row.items():
            assert value == "-2.5" or not value.startswith(FORMULA_START), (column, value)
    assert rows[0]["diluent_ml"] == "-2.5" and rows[0]["clinic"].startswith("'=HYPERLINK")


def _cells_from_bytes(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
