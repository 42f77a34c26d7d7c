"""Browser journey of a patient on a phone (390 x 844, headless Debian chromium): open the self-report link
without signing in, see only the treatment date and the clinic, answer a red-flag question with hostile free text,
see the emergency instruction with the clinic's phone; then a changed and a revoked link each get a plain page, and
the clinician's Follow-ups page shows the case as urgent. Screenshots go to artifacts/ (not committed)."""

from __future__ import annotations

from pathlib import Path

from dashboard.accounts import add_account
from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from dashboard.followup import escalation, links
from tests.e2e_support import app_server, browser_page, require_browser, screenshot, sign_in, wait_for_app
from tests.followup_support import treat

PASSWORD = "ada-e2e-password-1"
HOSTILE = "<img src=x onerror=alert(1)> **bold** =cmd|' /C calc'!A0"


def _prepare(db_file: Path, ada) -> tuple[str, str, int]:
    db = open_database(db_file)
    try:
        add_account(db, SYSTEM, username="ada", password=PASSWORD, role="practitioner", display_name="Dr Ada Park",
                    injector_name="Dr Ada Park")
        tid = treat(db, ada, "P-PHONE-7", "Dr Ada Park", 3, clinic="Riverside Clinic")
        clinic_id = int(db.scalar("SELECT clinic_id FROM clinics WHERE name = 'Riverside Clinic'"))
        escalation.save_settings(db, SYSTEM, {f"clinic_phone:{clinic_id}": "020 7946 0000"})
        good = links.create_link(db, ada, tid)
        revoked = links.create_link(db, ada, tid)
        links.revoke_link(db, ada, revoked.link_id)
        return good.token, revoked.token, tid
    finally:
        db.close()


def test_patient_reports_a_red_flag_from_a_phone(db_file, practitioner):
    require_browser()
    token, revoked, tid = _prepare(db_file, practitioner)
    with app_server(db_file) as url, browser_page(390, 844) as page:
        page.goto(f"{url}/?report={token}")
        wait_for_app(page)
        body = page.inner_text("body")
        assert "Riverside Clinic" in body and "P-PHONE-7" not in body and "Dr Ada Park" not in body
        assert page.get_by_test_id("stSidebar").count() == 0 or not page.get_by_test_id("stSidebar").is_visible()
        assert "Sign in" not in body and "Password" not in body
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        screenshot(page, "patient_report_phone")
        page.get_by_role("radiogroup", name="Any trouble swallowing, speaking or breathing?").get_by_text("Yes").click()
        page.get_by_label("Anything else you want to tell us (optional)").fill(HOSTILE)
        page.get_by_role("button", name="Send to my clinic").click()
        page.wait_for_timeout(500)
        wait_for_app(page)
        text = page.inner_text("body")
        assert "Get emergency help now" in text and "020 7946 0000" in text
        assert page.locator("img[src='x']").count() == 0  # the patient's text never became markup
        screenshot(page, "patient_report_red_flag")

        page.goto(f"{url}/?report={token[:-3]}abc")
        wait_for_app(page)
        assert "This link does not work" in page.inner_text("body")
        assert page.get_by_role("button", name="Send to my clinic").count() == 0
        page.goto(f"{url}/?report={revoked}")
        wait_for_app(page)
        assert "This link has been switched off" in page.inner_text("body")
        screenshot(page, "patient_report_revoked")

    with app_server(db_file) as url, browser_page(1400, 1000) as page:
        page.goto(url)
        wait_for_app(page)
        sign_in(page, "ada", PASSWORD)
        page.get_by_test_id("stSidebarNav").get_by_text("Follow-ups", exact=True).click()
        page.wait_for_timeout(500)
        wait_for_app(page)
        assert "1 urgent" in page.inner_text("body")
        screenshot(page, "followups_urgent")

    db = open_database(db_file)
    try:
        assert db.scalar("SELECT free_text FROM patient_submissions") == HOSTILE
        assert db.scalar("SELECT count(*) FROM notification_outbox WHERE treatment_id = ?", [tid]) == 1
    finally:
        db.close()
