"""Browser journey of a practitioner in headless Debian chromium: log a treatment with two areas picked
on the face chart, report an adverse event on it, open the case and add a follow-up; then check the
database. Screenshots of every page go to artifacts/."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from dashboard.accounts import add_account
from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from tests.e2e_support import app_server, browser_page, require_browser, screenshot, sign_in, wait_for_app

PASSWORD = "ada-e2e-password-1"


def pick(scope, label: str, option: str, page) -> None:
    """Open a selectbox by its label and click an option."""
    try:
        box = scope.get_by_role("combobox", name=label, exact=True)
        box.click()
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).first.click()
    except Exception:
        screenshot(page, "practitioner_failure")
        raise
    wait_for_app(page)


def type_into(page, label: str, text: str) -> None:
    """Fill a text or number input by its label and commit it."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def set_date(scope, label: str, day: date, page) -> None:
    """Type a date into Streamlit's segmented date field (DD/MM/YYYY)."""
    scope.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(day.strftime("%d%m%Y"))
    page.keyboard.press("Tab")
    wait_for_app(page)


def set_time(scope, label: str, hour: int, minute: int, page) -> None:
    """Type a time into Streamlit's segmented time field (24 h)."""
    scope.get_by_role("spinbutton", name=f"hour, {label}").click()
    page.keyboard.type(f"{hour:02d}{minute:02d}")
    page.keyboard.press("Tab")
    wait_for_app(page)


def click_face_point(page, index: int) -> None:
    """Click one marker of the face chart (0 = glabella, 1 = forehead) where the user would."""
    # the area markers are the chart's last trace (danger zones and injection points come before them)
    point = page.locator(".js-plotly-plot .scatterlayer .trace:last-child path.point").nth(index)
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)
    wait_for_app(page)


@pytest.mark.browser
def test_practitioner_logs_reports_and_follows_up(tmp_path):
    require_browser()
    db_path = tmp_path / "clinic.duckdb"
    db = open_database(db_path)
    add_account(db, SYSTEM, username="ada", password=PASSWORD, role="practitioner", display_name="Dr Ada Park",
                injector_name="Dr Ada Park")
    db.close()
    treated = date.today() - timedelta(days=2)
    onset = date.today() - timedelta(days=1)

    with app_server(db_path) as url, browser_page(height=1100) as page:
        page.goto(url)
        wait_for_app(page)
        sign_in(page, "ada", PASSWORD)

        # ---------------------------------------------------------------- log a treatment
        page.get_by_role("link", name="Log treatment").click()
        wait_for_app(page)
        pick(page, "Patient", "New patient…", page)
        type_into(page, "New patient reference", "P-E2E-7")
        pick(page, "Clinic", "New clinic…", page)
        type_into(page, "New clinic name", "Harbour Clinic")
        set_date(page, "Treatment date", treated, page)
        set_time(page, "Treatment time", 10, 0, page)
        pick(page, "Product", "BOTOX Cosmetic (ona)", page)
        pick(page, "Lot / batch", "New lot…", page)
        type_into(page, "New lot number", "C9911")
        type_into(page, "Vial size (U)", "100")
        type_into(page, "Diluent (mL)", "2.5")
        page.get_by_text("Anticoagulant / antiplatelet / NSAID", exact=True).click()
        wait_for_app(page)
        click_face_point(page, 0)  # glabella
        click_face_point(page, 1)  # forehead
        units_glabella = page.get_by_label("Units in Glabella (frown lines)", exact=True)
        units_forehead = page.get_by_label("Units in Forehead lines", exact=True)
        expect(units_glabella).to_be_visible()
        expect(units_forehead).to_be_visible()
        expect(page.get_by_text("Usual for BOTOX Cosmetic: 10–40 U (label 20 U)")).to_be_visible()
        type_into(page, "Units in Glabella (frown lines)", "20")
        type_into(page, "Units in Forehead lines", "30")  # above the usual 6–20 U: a warning to confirm
        expect(page.get_by_text("30 U is above the usual 6–20 U (label 20 U) for BOTOX Cosmetic")).to_be_visible()
        screenshot(page, "practitioner_1_log_treatment")
        page.get_by_role("button", name="Save treatment").click()
        wait_for_app(page)
        screenshot(page, "practitioner_1b_unconfirmed")
        expect(page.get_by_text("Tick to confirm this warning, or correct the value.")).to_be_visible()
        assert page.get_by_label("Units in Forehead lines", exact=True).input_value() == "30.0"  # nothing typed is lost
        page.get_by_text("I have checked this: record it as entered").click()
        wait_for_app(page)
        type_into(page, "Reason (optional)", "Strong frontalis, reviewed at last visit")
        page.get_by_role("button", name="Save treatment").click()
        wait_for_app(page)
        saved = page.get_by_text("Saved: treatment T-")
        expect(saved).to_be_visible()
        treatment_ref = f"T-{treated:%Y%m%d}-0001"
        assert treatment_ref in saved.inner_text()
        screenshot(page, "practitioner_2_treatment_saved")

        # ---------------------------------------------------------------- report an adverse event on it
        page.get_by_role("link", name="Report adverse event").click()
        wait_for_app(page)
        expect(page.get_by_text(f"{treatment_ref} — ")).to_be_visible()  # preselected, summary shown
        pick(page, "Body region", "Eyes and eyelids", page)
        pick(page, "Event", "Drooping upper eyelid · Eyelid ptosis — Eyes and eyelids (eyelid droop, lid drop, "
                            "blepharoptosis)", page)
        expect(page.get_by_text("lid drop ≤ 2 mm (MRD1), cosmetic only")).to_be_visible()
        set_date(page, "Onset date", onset, page)
        set_time(page, "Onset time", 9, 0, page)
        page.get_by_text("Grade 2 · moderate").click()
        wait_for_app(page)
        pick(page, "Side", "Left", page)
        pick(page, "Outcome so far", "Not recovered", page)
        page.get_by_label("Narrative").fill("Left upper lid 2 mm lower. <b>not bold</b>")
        page.get_by_label("Action taken").fill("Apraclonidine drops, review in a week")
        page.get_by_label("Action taken").blur()
        wait_for_app(page)
        screenshot(page, "practitioner_3_report_event")
        page.get_by_role("button", name="Save adverse event").click()
        wait_for_app(page)
        saved = page.get_by_text("Saved: adverse event E-")
        expect(saved).to_be_visible()
        assert "grade 2" in saved.inner_text()
        expect(page.get_by_text(f"On treatment: {treatment_ref}")).to_be_visible()
        event_ref = saved.inner_text().split("adverse event ")[1].split(" ")[0]

        # ---------------------------------------------------------------- open the case, add a follow-up
        page.get_by_role("link", name="Cases").click()
        wait_for_app(page)
        pick(page, "Open a case", f"{event_ref} · {onset:%d %b %Y} · Drooping upper eyelid · patient P-E2E-7", page)
        expect(page.get_by_text("Left upper lid 2 mm lower. <b>not bold</b>")).to_be_visible()  # inert text
        form = page.get_by_test_id("stForm")
        form.get_by_role("radio", name="Recovered", exact=True).click()  # one tap (pills)
        set_date(form, "Resolved on", date.today(), page)
        set_time(form, "Resolved at", 0, 5, page)
        pick(form, "Causality", "Probable", page)
        form.get_by_label("Note").fill("Fully recovered at phone review")
        screenshot(page, "practitioner_4_case_follow_up")
        form.get_by_role("button", name="Save follow-up").click()
        wait_for_app(page)
        expect(page.get_by_text("Saved: follow-up, the case is now at version 2.")).to_be_visible()
        expect(page.get_by_text("Warnings confirmed at entry: dose outside the usual range (Forehead lines)",
                                exact=False)).to_be_visible()
        screenshot(page, "practitioner_5_case_version_2")

    db = open_database(db_path)
    try:
        t = db.rows("SELECT t.treatment_ref, t.treated_at, p.patient_ref, c.name, i.name, t.product, l.lot_number,"
                    " t.vial_units, t.anticoagulant, t.warnings_confirmed, t.override_reason, t.created_by"
                    " FROM treatments t JOIN patients p USING (patient_id) JOIN clinics c USING (clinic_id)"
                    " JOIN injectors i USING (injector_id) JOIN lots l USING (lot_id)")
        assert t == [(treatment_ref, datetime.combine(treated, datetime.min.time()).replace(hour=10), "P-E2E-7",
                      "Harbour Clinic", "Dr Ada Park", "ona", "C9911", 100, True, "dose_outside_range:forehead",
                      "Strong frontalis, reviewed at last visit", "ada")]
        assert db.rows("SELECT area, CAST(units AS DOUBLE) FROM injections ORDER BY area") == [
            ("forehead", 30.0), ("glabella", 20.0)]
        v = db.rows("SELECT e.event_ref, v.version, v.term, v.severity, v.outcome, v.causality, v.side,"
                    " v.narrative, v.change_note, v.changed_by FROM events e JOIN event_versions v USING (event_id)"
                    " ORDER BY v.version")
        assert v == [
            (event_ref, 1, "eyelid_ptosis", 2, "not_recovered", None, "L",
             "Left upper lid 2 mm lower. <b>not bold</b>", None, "ada"),
            (event_ref, 2, "eyelid_ptosis", 2, "recovered", "probable", "L",
             "Left upper lid 2 mm lower. <b>not bold</b>", "Fully recovered at phone review", "ada"),
        ]
        actions = [r[0] for r in db.rows("SELECT action FROM audit_log ORDER BY audit_id")]
        for action in ("treatment.create", "event.create", "event.follow_up"):
            assert actions.count(action) == 1
    finally:
        db.close()
