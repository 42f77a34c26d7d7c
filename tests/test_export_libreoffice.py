"""The export opens correctly in a spreadsheet: LibreOffice Calc (headless) converts it to xlsx and openpyxl reads
it back. Required in CI (.ci/run installs libreoffice-calc): skipped locally only when soffice is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from dashboard.core.authz import User
from dashboard.export import parse_quarter, write_bundle
from tests.conftest import require_or_skip
from tests.test_export_data import seed, write_secret

# CSV import options of Calc: comma, double quote, UTF-8 (76), from line 1, default column formats, default
# language, "Format quoted field as text" ON, "Detect special numbers" OFF — the choices the data dictionary asks for.
QUOTED_AS_TEXT = "CSV:44,34,76,1,,0,true,false"
# Only the charset given: what a user gets when they accept every other default of the Text Import dialog.
DEFAULTS = "CSV:44,34,76,1"


def soffice_to_xlsx(files: list[Path], outdir: Path, profile: Path, infilter: str) -> None:
    """Convert CSV files to xlsx with LibreOffice headless, using a private user profile."""
    cmd = [shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
           "--norestore", f"--infilter={infilter}", "--convert-to", "xlsx", "--outdir", str(outdir),
           *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(profile)})
    assert done.returncode == 0, done.stderr
    for f in files:
        assert (outdir / (f.stem + ".xlsx")).is_file(), done.stdout + done.stderr


def sheet(path: Path) -> list[list[object]]:
    """All cell values of the first sheet."""
    import openpyxl

    ws = openpyxl.load_workbook(path).active
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory) -> Path:
    """One private LibreOffice profile for the module (its first start is the slow part)."""
    return tmp_path_factory.mktemp("lo-profile")


@pytest.fixture
def bundle(db, db_file, tmp_path):
    write_secret(Path(os.environ["INJECTWATCH_SECRET_FILE"]))
    seed(db)
    out = tmp_path / "out"
    out.mkdir()
    return write_bundle(db, User("t", "manager", "T"), parse_quarter("2026Q3"), out, identified=True).folder


@pytest.mark.slow
def test_libreoffice_reads_the_csv_with_ids_as_text(bundle, tmp_path, lo_profile):
    require_or_skip(shutil.which("soffice") is not None, "LibreOffice (soffice, Debian libreoffice-calc) is missing")
    files = [bundle / n for n in ("treatments.csv", "injections.csv", "events.csv", "summary.csv")]
    soffice_to_xlsx(files, tmp_path / "xlsx", lo_profile, QUOTED_AS_TEXT)

    t = sheet(tmp_path / "xlsx" / "treatments.xlsx")
    assert t[0][:6] == ["treatment_id", "clinic", "treated_at", "patient_ref", "patient_birth_year", "patient_sex"]
    assert len(t) == 4  # header + 3 rows, no index column
    assert [r[0] for r in t[1:]] == ["T-001", "0042", "T-003"]  # leading zeros kept
    assert [r[3] for r in t[1:]] == ["P-1001", "000123", "P-ZOË"]  # UTF-8 and leading zeros
    assert [r[8] for r in t[1:]] == ["C1234C3", "004567", "1E5"]  # no number, no scientific notation
    assert t[2][1] == "North Clinic" and t[3][1] == "Süd Praxis, Köln"
    assert t[2][2] == datetime(2026, 7, 1, 0, 0, 0)  # ISO times are real date-times
    assert t[1][4] == 1985 and t[1][10] == 2.5  # numbers stay numbers

    e = sheet(tmp_path / "xlsx" / "events.xlsx")
    assert [r[:2] for r in e[1:]] == [["E-1", "T-001"], ["E-2", "0042"], ["E-3", "T-003"]]
    assert e[3][3] == datetime(2026, 9, 30, 23, 59, 59)
    narrative = e[0].index("narrative")
    assert e[1][narrative] == "Jane Roe: lid a little better, drops help."

    i = sheet(tmp_path / "xlsx" / "injections.xlsx")
    assert i[2][:2] == ["0042", "forehead"] and i[3][:5] == ["0042", "glabella", "C", "G1", 15]

    s = sheet(tmp_path / "xlsx" / "summary.xlsx")
    assert s[0] == ["clinic", "injector", "area", "term", "treatments", "events", "serious_events",
                    "events_after_earlier_treatments", "rate_per_1000"]
    assert s[2][3] == "eyelid_ptosis" and s[2][8] == 1000


@pytest.mark.slow
def test_libreoffice_defaults_keep_text_like_ids_and_utf8(bundle, tmp_path, lo_profile):
    require_or_skip(shutil.which("soffice") is not None, "LibreOffice (soffice, Debian libreoffice-calc) is missing")
    soffice_to_xlsx([bundle / "events.csv", bundle / "treatments.csv"], tmp_path / "xlsx", lo_profile,
                    DEFAULTS)
    e = sheet(tmp_path / "xlsx" / "events.xlsx")
    assert e[0][0] == "event_id"  # the byte-order mark is not glued to the first header
    assert [r[0] for r in e[1:]] == ["E-1", "E-2", "E-3"]
    t = sheet(tmp_path / "xlsx" / "treatments.xlsx")
    assert t[3][1] == "Süd Praxis, Köln" and t[1][8] == "C1234C3"
