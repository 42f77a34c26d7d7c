"""Shared fixtures: a real DuckDB file per test, users, and the skip-or-fail rule for browsers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.core.authz import User
from dashboard.core.db import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def require_or_skip(ok: bool, reason: str) -> None:
    """Skip when a heavy dependency is missing, but fail instead under INJECTWATCH_REQUIRE_ALL=1 (CI)."""
    if ok:
        return
    if os.environ.get("INJECTWATCH_REQUIRE_ALL") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def have_chromium() -> bool:
    """Return True when Debian's chromium is installed."""
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, migrated database file; INJECTWATCH_DB points at it for the app and the CLI."""
    path = tmp_path / "clinic.duckdb"
    open_database(path).close()
    monkeypatch.setenv("INJECTWATCH_DB", str(path))
    monkeypatch.setenv("INJECTWATCH_SECRET_FILE", str(tmp_path / "clinic.secret"))
    return path


@pytest.fixture
def db(db_file: Path) -> Iterator[Database]:
    """An open Database on db_file (closed after the test)."""
    database = open_database(db_file)
    yield database
    database.close()


@pytest.fixture
def manager() -> User:
    """A manager user."""
    return User(username="mgr", role="manager", display_name="Morgan Manager")


@pytest.fixture
def practitioner() -> User:
    """A practitioner user who is also the injector 'Dr Ada Park'."""
    return User(username="ada", role="practitioner", display_name="Dr Ada Park", injector_name="Dr Ada Park")


@pytest.fixture
def admin() -> User:
    """An admin user."""
    return User(username="root", role="admin", display_name="Alex Admin")


@pytest.fixture(autouse=True)
def _no_scheduled_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """An app started by a test (AppTest or `streamlit run`) runs no nightly backup by itself, which would add
    audit rows and files at random moments; the scheduler's own tests switch it back on."""
    monkeypatch.setenv("INJECTWATCH_SCHEDULER", "off")


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> Iterator[None]:
    """Streamlit caches outlive AppTest instances: clear them so tests never share a database."""
    yield
    try:
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()
    except Exception:
        pass
