"""Roles: every page checks its permission, the menu lists only allowed pages, and the data layer refuses too."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.accounts import add_account, change_role, list_accounts
from dashboard.accounts.audit_trail import AuditFilter, audit_entries
from dashboard.core.authz import PERMISSIONS, ROLES, SYSTEM, PermissionDenied, User, require
from dashboard.core.db import open_database
from dashboard.web.navigation import PAGES, VIEWS, pages_for
from tests.accounts_support import fast_hashes  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashes")
APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PW = "correct horse battery"
USERS = {
    "practitioner": User("ada", "practitioner", "Dr Ada Park", "Dr Ada Park"),
    "manager": User("mgr", "manager", "Morgan Manager"),
    "admin": User("root", "admin", "Alex Admin"),
}
DENIED = [(p, r) for p in PAGES if p.permission for r in ROLES if r not in PERMISSIONS[p.permission]]
ALLOWED = [(p, r) for p in PAGES for r in ROLES if p.permission is None or r in PERMISSIONS[p.permission]]


def _page_file(spec) -> str:
    path = VIEWS / spec.file
    assert path.is_file(), f"{spec.file} is in the menu but its page file is missing"
    return str(path)


def test_every_page_in_the_menu_has_its_file():
    assert [p.file for p in PAGES if not (VIEWS / p.file).is_file()] == []


def test_the_role_matrix_is_what_the_readme_says():
    assert pages_for_titles("practitioner") == ["Clinic overview", "Reference", "Log treatment", "Report adverse event",
                                                "Cases", "Follow-ups"]
    assert set(pages_for_titles("manager")) == {p.title for p in PAGES}
    assert "Trends" not in pages_for_titles("admin") and "Signals" not in pages_for_titles("admin")
    assert {r for r in ROLES if r in PERMISSIONS["accounts.manage"]} == {"manager", "admin"}
    for permission, roles in PERMISSIONS.items():
        for role in ROLES:
            user = User("u", role, "U")
            if role in roles:
                assert require(user, permission) is user
            else:
                with pytest.raises(PermissionDenied):
                    require(user, permission)
        with pytest.raises(PermissionDenied):
            require(None, permission)


def pages_for_titles(role: str) -> list[str]:
    return [p.title for p in pages_for(role)]


@pytest.mark.parametrize("spec,role", DENIED, ids=[f"{p.file}-{r}" for p, r in DENIED])
def test_each_page_refuses_a_role_without_its_permission(db_file, spec, role):
    at = AppTest.from_file(_page_file(spec), default_timeout=30)
    at.session_state["user"] = USERS[role]
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"Your role ({role}) cannot open this page."]
    assert not at.dataframe and not at.get("download_button") and not at.get("plotly_chart")
    assert not at.text_input and not at.button and not at.metric


@pytest.mark.parametrize("spec", [p for p in PAGES if p.permission], ids=[p.file for p in PAGES if p.permission])
def test_each_page_refuses_anyone_not_signed_in(db_file, spec):
    at = AppTest.from_file(_page_file(spec), default_timeout=30).run()
    assert [e.value for e in at.error] == ["Please sign in to use InjectWatch."]
    assert not at.dataframe and not at.text_input


@pytest.mark.parametrize("spec,role", ALLOWED, ids=[f"{p.file}-{r}" for p, r in ALLOWED])
def test_each_allowed_role_opens_the_page_on_an_empty_database(db_file, spec, role):
    at = AppTest.from_file(_page_file(spec), default_timeout=30)
    at.session_state["user"] = USERS[role]
    at.run()
    assert not at.exception, at.exception
    assert "cannot open this page" not in " ".join(e.value for e in at.error)


def _signed_in_app(db_file, username: str, role: str) -> AppTest:
    db = open_database(db_file)
    add_account(db, SYSTEM, username=username, password=PW, role=role, display_name=username.title())
    if role != "admin":
        add_account(db, SYSTEM, username="keeper", password=PW, role="admin", display_name="Keeper")
    db.close()
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(PW)
    at.button(key="sign_in_submit").click().run()
    assert at.session_state["user"].role == role
    return at


def test_practitioner_menu_has_no_manager_page_and_switching_to_one_fails(db_file):
    at = _signed_in_app(db_file, "ada", "practitioner")
    assert not at.exception
    for spec in PAGES:
        if spec in pages_for("practitioner"):
            continue
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(str(VIEWS / spec.file))  # not registered for this session: not reachable by URL either
    for spec in pages_for("practitioner"):
        at.switch_page(str(VIEWS / spec.file)).run()
        assert not at.exception


def test_a_manager_demoted_while_on_a_manager_page_loses_it_at_the_next_click(db_file):
    at = _signed_in_app(db_file, "kim", "manager")
    at.switch_page(str(VIEWS / "audit.py")).run()
    assert at.title[0].value == "Audit trail" and at.dataframe
    from dashboard.web.ui import get_db

    change_role(get_db(), SYSTEM, "kim", "practitioner")
    at.run()
    assert at.session_state["user"].role == "practitioner"
    assert at.title[0].value == "Your treatments and cases"  # back on the overview: the audit page is gone
    assert not any("Audit trail" == t.value for t in at.title)


def test_the_data_layer_refuses_a_practitioner(db, practitioner):
    with pytest.raises(PermissionDenied):
        list_accounts(db, practitioner)
    with pytest.raises(PermissionDenied):
        audit_entries(db, practitioner, AuditFilter())
    from dashboard.trends import queries as trends

    for fn in (trends.bounds, trends.options):
        with pytest.raises(PermissionDenied):
            fn(db, practitioner)
