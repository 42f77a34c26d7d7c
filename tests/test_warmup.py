"""The background warm-up: reads the default Trends view without writing, and never raises into the app."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dashboard.core.db import open_database
from dashboard.demo.command import load_demo_file
from dashboard.trends.refresh import refresh
from dashboard.web.warmup import start_warm_up, warm_up


def _state(db) -> tuple[int, int]:
    return db.data_version(), int(db.scalar("SELECT count(*) FROM audit_log"))


def test_warm_up_reads_the_trends_view_and_changes_nothing(db_file: Path) -> None:
    load_demo_file(db_file, 1500, 3)
    db = open_database(db_file)
    try:
        refresh(db, actor="test")  # so the read has cells and every Trends figure is built from real rows
        assert int(db.scalar("SELECT count(*) FROM trends_area_cells")) > 0
        before = _state(db)
        warm_up(db)
        assert _state(db) == before
    finally:
        db.close()


def test_warm_up_thread_finishes_on_an_empty_database(db, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="dashboard.web.warmup")
    thread = start_warm_up(db)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert thread.daemon
    assert not caplog.records


def test_a_failing_warm_up_is_logged_not_raised(db, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="dashboard.web.warmup")
    db.close()  # every read now fails
    thread = start_warm_up(db)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert [r.getMessage() for r in caplog.records] == ["warm-up failed"]
