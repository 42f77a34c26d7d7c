"""Shared fixtures: a real DuckDB file per test, users, the skip-or-fail rule for browsers, and the test tiers.

Tiers (markers, set here from what a test uses, so nobody has to remember them):
- unit: no database file; integration: uses a database file (db_file / db) or runs the command line;
- app: drives a page with Streamlit's AppTest (files named test_view_*, and the other page tests listed below);
- e2e: drives the real app in headless chromium (the `browser` marker);
- slow: takes many seconds (explicit marker, property tests with many examples, the listed files).
`make test-fast` runs `-m "not app and not e2e and not slow"` (unit + integration); `make test` runs everything.
"""

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
    """Return True when Debian's chromium is installed at /usr/bin/chromium, the binary the browser tests launch
    (a chromium elsewhere on PATH would not be the one they start)."""
    return Path(CHROMIUM).is_file()


APP_MODULES = {"test_roles", "test_accounts_page", "test_backup_schedule_page", "test_hostile_input", "test_signin"}
SLOW_MODULES = {"test_init", "test_bench", "test_calibration", "test_signin_timing", "test_page_timing"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every test its tier marker (see the module docstring)."""
    for item in items:
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.e2e)
        elif module.startswith("test_view_") or module in APP_MODULES:
            item.add_marker(pytest.mark.app)
        elif {"db_file", "db"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
        elif not item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.unit)
        if module in SLOW_MODULES or getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated (and its reference data loaded) once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "clinic.duckdb"
    open_database(path).close()
    return path


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template_db: Path) -> Path:
    """A fresh, migrated database file (a copy of the session's template); INJECTWATCH_DB points at it for the app
    and the CLI."""
    path = tmp_path / "clinic.duckdb"
    shutil.copyfile(template_db, path)
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
