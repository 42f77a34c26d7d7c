"""Damaged and foreign-made data sets (spec 7.3-7.6): each is taken or refused with a plain message.

The corpus is tests/data/damaged/<case>/: the files that differ from the valid fixture, and case.json with what
`python -m dashboard import` must do (exit code, reason codes, words of the message, stored values). Files that are
awkward to commit (UTF-16, binary, a 2 MB cell, zips) are made here by GENERATED. Every case checks that rows read
= imported + quarantined + unchanged and that no message holds parser or codec jargon.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.core.db import open_database

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "fixtures" / "import" / "valid"
CORPUS = ROOT / "tests" / "data" / "damaged"
JARGON = ("state machine", "codec", "0x", "position", "traceback", "constraint", "unicodedecodeerror",
          "invalid input error", "expected number of columns")
CHECKS = {  # case.json key -> the stored values it lists, sorted
    "clinics": "SELECT name FROM clinics ORDER BY name",
    "lots": "SELECT lot_number FROM lots ORDER BY lot_number",
    "diluent_ml": "SELECT CAST(diluent_ml AS DOUBLE) FROM treatments WHERE diluent_ml IS NOT NULL ORDER BY 1",
    "treated_at": "SELECT strftime(treated_at, '%Y-%m-%d %H:%M:%S') FROM treatments ORDER BY 1",
}


@dataclass
class Case:
    """One damaged data set: how to lay it out in a folder, and what the import must do with it."""

    name: str
    build: Callable[[Path], Path]
    exit: int
    reasons: list[str] = field(default_factory=list)
    says: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    stored: dict[str, list[object]] = field(default_factory=dict)


def _valid_copy(folder: Path) -> Path:
    shutil.copytree(VALID, folder)
    return folder


def _from_corpus(name: str) -> Case:
    spec = json.loads((CORPUS / name / "case.json").read_text(encoding="utf-8"))
    files = CORPUS / spec.get("same_as", name)

    def build(tmp: Path) -> Path:
        folder = _valid_copy(tmp / "ds")
        for src in files.glob("*.csv"):
            shutil.copy(src, folder / src.name)
        return folder

    return Case(name, build, spec["exit"], spec["reasons"], spec["says"], spec["args"],
                {k: spec[k] for k in CHECKS if k in spec})


def _zip(tmp: Path, members: dict[str, bytes]) -> Path:
    path = tmp / "dataset.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _valid_bytes() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in VALID.glob("*.csv")}


def _zip_with_folders(tmp: Path) -> Path:
    return _zip(tmp, {f"export/2026/north clinic/{n}": b for n, b in _valid_bytes().items()} | {"readme.txt": b"x"})


def _zip_slip(tmp: Path) -> Path:
    return _zip(tmp, {f"../../escaped/{n}": b for n, b in _valid_bytes().items()})


def _utf16(tmp: Path) -> Path:
    folder = _valid_copy(tmp / "ds")
    text = (VALID / "treatments.csv").read_text(encoding="utf-8").replace("North Clinic", "Klinik Süd")
    (folder / "treatments.csv").write_bytes(text.encode("utf-16"))
    return folder


def _workbook(tmp: Path) -> Path:
    folder = _valid_copy(tmp / "ds")
    with zipfile.ZipFile(folder / "treatments.csv", "w") as z:  # an .xlsx is a zip: saved under the CSV's name
        z.writestr("xl/workbook.xml", "<workbook/>")
    return folder


def _binary(tmp: Path) -> Path:
    folder = _valid_copy(tmp / "ds")
    (folder / "injections.csv").write_bytes(bytes(range(256)) * 40)
    return folder


def _big_cells(tmp: Path, size: int = 2_000_000) -> Path:
    folder = _valid_copy(tmp / "ds")
    with open(folder / "events.csv", "a", encoding="utf-8") as fh:
        fh.write(f'E3,T2,headache,2026-01-12,1,,,,,,,,,,,"{"n" * size}"\n')
    with open(folder / "treatments.csv", "a", encoding="utf-8") as fh:
        fh.write(f'T5,North Clinic,{"2" * size},P9,,,Dr Ada Park,ona,,,,,,\n')
    return folder


GENERATED = [
    Case("zip_with_folders", _zip_with_folders, 0),
    Case("zip_slip_names", _zip_slip, 0),
    Case("utf16", _utf16, 2, says=["UTF-16", "--encoding utf-16"]),
    Case("utf16_named", _utf16, 0, args=["--encoding", "utf-16"], stored={"clinics": ["Klinik Süd", "South Clinic"]}),
    Case("excel_workbook_named_csv", _workbook, 2, says=["Excel workbook", "CSV UTF-8"]),
    Case("binary_file", _binary, 2, says=["injections.csv is not a text file"]),
    Case("two_megabyte_cells", _big_cells, 3, reasons=["too_long"],
         says=["narrative is 2000000 characters long; at most 4000 are allowed",
               "treated_at is 2000000 characters long; at most 200 are allowed"]),
]
CASES = [_from_corpus(d.name) for d in sorted(CORPUS.iterdir()) if (d / "case.json").exists()] + GENERATED


def test_the_corpus_covers_every_case_of_the_brief() -> None:
    names = {c.name for c in CASES}
    assert {"mixed_line_endings", "windows_1252", "utf16", "binary_file", "two_megabyte_cells", "nul_in_cell",
            "semicolons_decimal_commas", "day_first_dates_named", "formula_apostrophes", "truncated_last_line",
            "utf8_bom", "duplicated_header", "extra_column", "zip_with_folders", "zip_slip_names",
            "quoted_newlines"} <= names


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_damaged_data_set_is_taken_or_refused_in_plain_words(
        case: Case, db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = case.build(tmp_path)
    code = main(["import", str(source), *case.args])
    err = capsys.readouterr().err
    assert code == case.exit, err
    for words in case.says:
        assert words in err, err
    db = open_database(db_file)
    try:
        messages = " ".join(r[0] for r in db.rows("SELECT messages FROM quarantine"))
        for text in (err, messages):
            low = text.lower()
            assert not [j for j in JARGON if j in low], text[:2000]
        imports = db.rows("SELECT rows_read, imported, quarantined, unchanged FROM imports")
        if case.exit == 2:
            assert imports == [] and db.scalar("SELECT count(*) FROM treatments") == 0
            assert "Nothing was changed" in err
            return
        (read, imported, quarantined, unchanged), = imports
        assert read > 0 and read == imported + quarantined + unchanged
        reasons = {r for (codes,) in db.rows("SELECT reasons FROM quarantine") for r in codes.split(",")}
        assert reasons == set(case.reasons), messages[:2000]
        assert (quarantined > 0) == bool(case.reasons)
        for key, expected in case.stored.items():
            assert [r[0] for r in db.rows(CHECKS[key])] == expected, key
    finally:
        db.close()
    assert not (tmp_path.parent / "escaped").exists() and not (Path(os.getcwd()) / "escaped").exists()


def test_in_a_big_file_a_line_longer_than_the_reader_takes_is_quarantined_as_too_long(
        db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from dashboard.importer import staging

    monkeypatch.setattr(staging, "WHOLE_FILE_LINES", 0)  # every file takes the big-file path
    assert main(["import", str(_big_cells(tmp_path, 2_200_000))]) == 3
    err = capsys.readouterr().err
    assert "treatments.csv:6 too_long - the line is longer than 2 MB" in err
    assert "events.csv:4 too_long - the line is longer than 2 MB" in err
    db = open_database(db_file)
    try:
        assert db.rows("SELECT rows_read, imported, quarantined, unchanged FROM imports") == [(15, 13, 2, 0)]
        assert db.scalar("SELECT count(*) FROM treatments") == 4
    finally:
        db.close()
