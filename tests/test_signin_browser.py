"""Browser end-to-end: first-start setup, sign-in with a wrong then right password, Accounts and Audit pages, sign-out.

Drives headless Debian chromium against `streamlit run dashboard/app.py`; screenshots go to artifacts/.
"""

from __future__ import annotations

import pytest

from dashboard.core.db import open_database
from tests.e2e_support import (
    app_server,
    browser_page,
    open_page,
    require_browser,
    screenshot,
    sign_in,
    wait_for_app,
)

PW = "correct horse battery"


@pytest.mark.browser
def test_setup_sign_in_accounts_audit_and_sign_out(db_file, tmp_path):
    require_browser()
    backups = tmp_path / "backups"
    with app_server(db_file, env={"INJECTWATCH_BACKUP_DIR": str(backups)}) as url, browser_page() as page:
        page.goto(url)
        wait_for_app(page)
        page.get_by_text("Welcome to InjectWatch").wait_for()
        page.get_by_label("Username", exact=True).fill("morgan")
        page.get_by_label("Display name", exact=True).fill("Morgan Manager")
        page.get_by_label("Password", exact=True).fill("short")
        page.get_by_label("Password again", exact=True).fill("short")
        page.get_by_role("button", name="Create manager account").click()
        page.get_by_text("The password needs at least 10 characters").wait_for()
        screenshot(page, "signin-01-first-start-setup")
        page.get_by_label("Password", exact=True).fill(PW)
        page.get_by_label("Password again", exact=True).fill(PW)
        page.get_by_role("button", name="Create manager account").click()
        wait_for_app(page)
        page.get_by_test_id("stSidebar").get_by_text("Signed in as Morgan Manager (manager)").wait_for()

        open_page(page, "Accounts")
        page.get_by_label("Username", exact=True).fill("ada.park")
        page.get_by_label("Display name", exact=True).fill("Dr Ada Park")
        page.get_by_label("Password", exact=True).fill(PW)
        page.get_by_label("Password again", exact=True).fill(PW)
        page.get_by_role("button", name="Add account").click()
        page.get_by_text("Account 'ada.park' created (practitioner).").wait_for()
        page.get_by_role("button", name="Back up now").click()
        page.get_by_text("Backup written:").wait_for()
        screenshot(page, "signin-02-accounts")
        assert len(list(backups.glob("injectwatch-*/manifest.json"))) == 1

        page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        wait_for_app(page)
        page.get_by_text("You have signed out.").wait_for()
        assert page.get_by_test_id("stSidebarNav").count() == 0  # no menu of the signed-out session left behind
        page.get_by_label("Username", exact=True).fill("ada.park")
        page.get_by_label("Password", exact=True).fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("The username or password is not right, or there were too many failed tries.").wait_for()
        screenshot(page, "signin-03-wrong-password")
        sign_in(page, "ada.park", PW)
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_text("Log treatment", exact=True).wait_for()
        page.get_by_text("There was 1 failed sign-in attempt on your account since you last signed in").wait_for()
        screenshot(page, "signin-07-failed-tries-notice")
        assert nav.get_by_text("Audit trail", exact=True).count() == 0
        assert nav.get_by_text("Accounts", exact=True).count() == 0
        page.goto(url + "/audit")  # a new session: asks to sign in first, then opens the page linked to
        wait_for_app(page)
        page.get_by_role("button", name="Sign in").wait_for()
        assert page.get_by_text("Page not found").count() == 0
        screenshot(page, "signin-05-signed-out-deep-link")
        sign_in(page, "morgan", PW)
        screenshot(page, "signin-06-after-deep-link")
        page.get_by_test_id("stDataFrame").wait_for()
        assert page.get_by_role("heading", name="Audit trail").count() == 1
        screenshot(page, "signin-04-audit-trail")

    db = open_database(db_file)
    try:
        actions = [r[0] for r in db.rows("SELECT action FROM audit_log ORDER BY audit_id")]
    finally:
        db.close()
    assert actions[:2] == ["account.create", "login.success"]
    assert actions[2:] == ["account.create", "backup.create", "logout", "login.failure", "login.success", "login.success"]
