"""Behaviour pin: the demo clinic's signals JSON and one quarterly export bundle, byte for byte.

A freshly generated demo database (`python -m dashboard demo`, 20,000 treatments, seed 1) must give exactly the
signals JSON of `python -m dashboard signals --format json` stored in tests/golden/demo/signals.json (with the
run's `generated_at` clock time replaced by a fixed value) and exactly the de-identified 2026Q3 export bundle
stored in tests/golden/demo/export-2026Q3/ (written with a fixed clock and a fixed pseudonym secret, on a copy of
the database whose event versions recorded by the load carry a fixed time instead of the load's clock time).

When a change is *meant* to change the output (e.g. the signal engine's statistics), refresh the goldens with

    make golden          # same as: UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_demo.py

then read `git diff tests/golden/demo` and commit the new files together with the change that explains them.
A restructuring must never need that.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.core.authz import User
from dashboard.core.db import open_database
from dashboard.export import parse_quarter, write_bundle
from dashboard.export.bundle import CSV_FILES, MANIFEST

pytestmark = [pytest.mark.slow, pytest.mark.integration]

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "demo"
SECRET_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
FIXED_CLOCK = "2026-12-01T00:00:00Z"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
QUARTER = "2026Q3"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A freshly generated demo database and the environment that points the command line at it."""
    folder = tmp_path_factory.mktemp("golden-demo")
    secret = folder / "clinic.secret"
    secret.write_text(SECRET_HEX + "\n", encoding="ascii")
    secret.chmod(0o600)
    path = folder / "clinic.duckdb"
    env = {**os.environ, "INJECTWATCH_DB": str(path), "INJECTWATCH_SECRET_FILE": str(secret)}
    _cli("demo", "--db", str(path), env=env)
    return path, env


def _check(name: str, produced: bytes) -> None:
    target = GOLDEN / name
    if UPDATE:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(produced)
    assert target.is_file(), f"no golden {target}; run `make golden` once"
    assert produced == target.read_bytes(), f"{name} differs from its golden (see this module's docstring)"


def test_demo_signals_json_matches_the_golden(demo):
    path, env = demo
    out = _cli("signals", "--db", str(path), "--format", "json", env=env).stdout
    result = json.loads(out)
    assert result["signals"], "the demo clinic's planted problems should give signals"
    result["generated_at"] = FIXED_CLOCK
    _check("signals.json", (json.dumps(result, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def test_demo_quarter_export_matches_the_golden(demo, tmp_path, monkeypatch):
    source, env = demo
    monkeypatch.setenv("INJECTWATCH_SECRET_FILE", env["INJECTWATCH_SECRET_FILE"])
    path = tmp_path / "clinic.duckdb"
    shutil.copyfile(source, path)
    out = tmp_path / "out"
    out.mkdir()
    db = open_database(path)
    try:
        # the demo load stamps each event version with the clock time of the load: pin it
        db.write(lambda cur: cur.execute("UPDATE event_versions SET changed_at = $at WHERE changed_by = 'demo'",
                                         {"at": NOW.replace(tzinfo=None)}))
        result = write_bundle(db, User("golden", "manager", "Golden"), parse_quarter(QUARTER), out, now=NOW)
    finally:
        db.close()
    assert sorted(p.name for p in result.folder.iterdir()) == sorted((*CSV_FILES, MANIFEST))
    for name in (*CSV_FILES, MANIFEST):
        _check(f"export-{QUARTER}/{name}", (result.folder / name).read_bytes())
