"""`python -m dashboard init`: idempotent, and the demo clinic only on the very first start."""

from __future__ import annotations

import subprocess
import sys

from dashboard.core.db import open_database
from tests.e2e_support import ROOT


def _init(db_path, *extra):
    return subprocess.run([sys.executable, "-m", "dashboard", "init", "--db", str(db_path), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_init_is_idempotent(tmp_path):
    path = tmp_path / "c.duckdb"
    for _ in range(2):
        proc = _init(path)
        assert proc.returncode == 0, proc.stderr
        assert "schema version" in proc.stderr
    db = open_database(path)
    assert db.scalar("SELECT count(*) FROM treatments") == 0
    db.close()


def test_demo_loads_on_the_first_start_only(tmp_path):
    path = tmp_path / "c.duckdb"
    proc = _init(path, "--demo-if-new")
    assert proc.returncode == 0, proc.stderr
    assert "demo accounts" in proc.stderr
    db = open_database(path)
    n = db.scalar("SELECT count(*) FROM treatments")
    assert n > 10000
    db.close()
    again = _init(path, "--demo-if-new")
    assert again.returncode == 0
    assert "demo accounts" not in again.stderr


def test_plain_init_does_not_use_up_the_first_demo_start(tmp_path):
    path = tmp_path / "c.duckdb"
    assert _init(path).returncode == 0  # first start without the demo flag marks nothing
    proc = _init(path, "--demo-if-new")
    assert "demo accounts" in proc.stderr  # the first start that asks for the demo gets it
    assert "demo accounts" not in _init(path, "--demo-if-new").stderr
