"""Practitioner journeys of issues 17 and 18, counted as a practitioner would do them, in headless chromium
at 1,440 × 1,000 and at 1,024 × 768 (a tablet in landscape):

1. a returning patient's usual treatment (3 areas, same product, new lot): at most 12 interactions from
   opening Log treatment to saved;
2. report eyelid ptosis (onset 7 days after, grade 2) opened from the treatment: at most 7;
3. add a follow-up (outcome recovering) to that case: at most 4.

An interaction is a click, a typed field (its focusing click included) or a key that picks (Enter);
signing in is not counted. Each step's screenshot goes to artifacts/journeys/.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from dashboard.accounts import add_account
from dashboard.core.authz import SYSTEM, User
from dashboard.core.db import open_database
from dashboard.practice import repository as repo
from dashboard.practice.validation import AreaEntry, TreatmentDraft
from tests.e2e_support import ARTIFACTS, app_server, browser_page, require_browser, sign_in, wait_for_app

PASSWORD = "ada-journey-password-1"
ADA = User(username="ada", role="practitioner", display_name="Dr Ada Park", injector_name="Dr Ada Park")
TARGETS = {"returning_treatment": 12, "report_event": 7, "follow_up": 4}
SIZES = {"1440x1000": (1440, 1000), "1024x768": (1024, 768)}


class Journey:
    """Counts a practitioner's interactions and keeps a screenshot of every step."""

    def __init__(self, page, name: str, size: str) -> None:
        self.page, self.name, self.size, self.count, self.steps = page, name, size, 0, []

    def _done(self, what: str, n: int = 1) -> None:
        self.count += n
        self.steps.append(what)
        wait_for_app(self.page)
        folder = ARTIFACTS / "journeys"
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{self.name}_{self.size}_{self.count:02d}.png"))

    def click(self, locator, what: str) -> None:
        locator.scroll_into_view_if_needed()
        locator.click()
        self.page.wait_for_timeout(300)
        self._done(what)

    def type(self, locator, text: str, what: str, *, commit: str = "Enter") -> None:
        """A typed field: its focusing click and the key that commits the value count as one."""
        locator.scroll_into_view_if_needed()
        locator.fill(text)
        locator.press(commit)
        self.page.wait_for_timeout(300)
        self._done(what)

    def search_and_pick(self, label: str, text: str, what: str) -> None:
        """Open a picker (1), type into it (1) and take the first match with Enter (1)."""
        box = self.page.get_by_role("combobox", name=label, exact=True)
        box.scroll_into_view_if_needed()
        box.click()
        self.count += 1
        self.page.keyboard.type(text)
        self.count += 1
        self.page.wait_for_timeout(300)
        self.page.keyboard.press("Enter")
        self.page.wait_for_timeout(300)
        self._done(what)

    def check(self) -> None:
        print(f"{self.name} at {self.size}: {self.count} interactions: {'; '.join(self.steps)}")
        assert self.count <= TARGETS[self.name], \
            f"{self.name} took {self.count} interactions at {self.size} (target ≤ {TARGETS[self.name]})"


def _seed(db_path) -> None:
    db = open_database(db_path)
    try:
        add_account(db, SYSTEM, username="ada", password=PASSWORD, role="practitioner", display_name="Dr Ada Park",
                    injector_name="Dr Ada Park")
        now = datetime.now().replace(second=0, microsecond=0)
        for i, clinic in enumerate(["North Clinic", "Zeta Clinic"]):  # more clinics than the one Ada works at
            repo.save_treatment(db, ADA, TreatmentDraft(f"P-90{i}", clinic, "Dr Bob Lee", now - timedelta(days=200),
                                                        "inco", [AreaEntry("forehead", 10, 4)]),
                                confirmed=[], client_token=f"other{i}")
        for i in range(12):  # a practice with history: other patients and lots
            repo.save_treatment(db, ADA, TreatmentDraft(
                f"P-1{i:02d}", "Harbour Clinic", "Dr Ada Park", now - timedelta(days=3 + i * 4), "ona",
                [AreaEntry("glabella", 20, 5)], lot_number=f"C10{i:02d}", vial_units=100, diluent_ml=2.5),
                confirmed=[], client_token=f"hist{i}")
        # the returning patient: 3 areas, 101 days ago
        repo.save_treatment(db, ADA, TreatmentDraft(
            "P-0042", "Harbour Clinic", "Dr Ada Park", now - timedelta(days=101), "ona",
            [AreaEntry("glabella", 20, 5), AreaEntry("forehead", 10, 4), AreaEntry("lateral_canthal", 24, 6)],
            lot_number="C0901", vial_units=100, diluent_ml=2.5), confirmed=[], client_token="returning")
        # the patient back at review with a drooping lid: treated 8 days ago
        repo.save_treatment(db, ADA, TreatmentDraft(
            "P-0077", "Harbour Clinic", "Dr Ada Park", now - timedelta(days=8), "ona",
            [AreaEntry("glabella", 20, 5), AreaEntry("forehead", 10, 4)],
            lot_number="C1000", vial_units=100, diluent_ml=2.5), confirmed=[], client_token="review")
    finally:
        db.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("size", list(SIZES))
def test_practitioner_journeys_meet_their_interaction_targets(tmp_path, size):
    require_browser()
    db_path = tmp_path / "clinic.duckdb"
    _seed(db_path)
    width, height = SIZES[size]
    with app_server(db_path) as url, browser_page(width, height) as page:
        page.goto(url)
        wait_for_app(page)
        sign_in(page, "ada", PASSWORD)
        nav = page.get_by_test_id("stSidebarNav")
        if not nav.is_visible():  # a narrow window starts with the menu folded away
            page.get_by_test_id("stExpandSidebarButton").click()
            wait_for_app(page)

        # ------------------------------------------------ 1. returning patient, same as last time, new lot
        j = Journey(page, "returning_treatment", size)
        j.click(nav.get_by_text("Log treatment", exact=True), "open Log treatment")
        j.search_and_pick("Patient", "P-0042", "patient")
        expect(page.get_by_text("Glabella 20 U", exact=False).first).to_be_visible()
        j.click(page.get_by_role("button", name="Same as last time"), "same as last time")
        j.search_and_pick("Lot / batch", "C2222", "new lot typed")
        expect(page.get_by_text("Total this session: 54 U", exact=False)).to_be_visible()
        j.click(page.get_by_role("button", name="Save treatment"), "save")
        expect(page.get_by_text("Saved: treatment T-", exact=False)).to_be_visible()
        j.check()

        # ------------------------------------------------ 2. report eyelid ptosis from the treatment
        page.get_by_role("button", name="Log another treatment").click()
        wait_for_app(page)
        page.get_by_role("combobox", name="Patient", exact=True).click()
        page.keyboard.type("P-0077")
        page.keyboard.press("Enter")
        wait_for_app(page)
        j = Journey(page, "report_event", size)
        j.click(page.get_by_role("button", name="Report an event on it"), "open from the treatment")
        expect(page.get_by_text("patient P-0077", exact=False).first).to_be_visible()
        j.search_and_pick("Event", "ptosis", "event")
        expect(page.get_by_text("Coded as: Eyelid ptosis (eyelid_ptosis)")).to_be_visible()
        j.type(page.get_by_label("Days after the treatment", exact=True), "7", "onset 7 days after")
        j.click(page.get_by_text("Grade 2 · moderate"), "grade 2")
        j.click(page.get_by_role("button", name="Save adverse event"), "save")
        saved = page.get_by_text("Saved: adverse event E-", exact=False)
        expect(saved).to_be_visible()
        j.check()

        # ------------------------------------------------ 3. follow-up: recovering
        j = Journey(page, "follow_up", size)
        j.click(nav.get_by_text("Cases", exact=True), "open Cases")
        grid = page.get_by_test_id("stDataFrame").first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # the first row, below the header
        page.wait_for_timeout(400)
        j._done("click the case's row")
        expect(page.get_by_text("Case: Drooping upper eyelid")).to_be_visible()
        form = page.get_by_test_id("stForm")
        j.click(form.get_by_role("radio", name="Recovering", exact=True), "outcome recovering")
        j.click(form.get_by_role("button", name="Save follow-up"), "save")
        expect(page.get_by_text("Saved: follow-up, the case is now at version 2.")).to_be_visible()
        j.check()

    db = open_database(db_path)
    try:
        got = db.rows("SELECT l.lot_number, count(*), sum(CAST(j.units AS DOUBLE)) FROM treatments t"
                      " JOIN lots l USING (lot_id) JOIN injections j USING (treatment_id) WHERE l.lot_number = 'C2222'"
                      " GROUP BY ALL")
        assert got == [("C2222", 3, 54.0)]
        assert db.rows("SELECT v.term, v.severity, v.outcome, date_diff('day', t.treated_at, v.onset_at)"
                       " FROM event_versions v JOIN events e USING (event_id) JOIN treatments t USING (treatment_id)"
                       " ORDER BY v.version") == [("eyelid_ptosis", 2, "unknown", 7),
                                                  ("eyelid_ptosis", 2, "recovering", 7)]
    finally:
        db.close()


FOCUSED_JS = """() => { const e = document.activeElement; if (!e) return '';
  const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText) || '';
  const text = (e.innerText || '').split('\\n').map(t => t.trim()).filter(Boolean);
  return (label || text[text.length - 1] || e.getAttribute('placeholder') || e.tagName).trim(); }"""


def _tab_to(page, wanted: str, seen: list[str], limit: int = 80) -> None:
    """Press Tab until the focused element's name starts with `wanted`, keeping the names passed on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_timeout(60)
        name = page.evaluate(FOCUSED_JS)
        seen.append(name)
        if name.startswith(wanted):
            return
    raise AssertionError(f"Tab never reached {wanted!r}; it went through {seen[-limit:]}")


@pytest.mark.browser
@pytest.mark.slow
def test_returning_patient_treatment_by_keyboard_only(tmp_path):
    require_browser()
    db_path = tmp_path / "clinic.duckdb"
    _seed(db_path)
    with app_server(db_path) as url, browser_page(1024, 768) as page:
        page.goto(url)
        wait_for_app(page)
        sign_in(page, "ada", PASSWORD)
        nav = page.get_by_test_id("stSidebarNav")
        if not nav.is_visible():
            page.get_by_test_id("stExpandSidebarButton").click()
            wait_for_app(page)
        nav.get_by_text("Log treatment", exact=True).click()
        wait_for_app(page)
        seen: list[str] = []
        page.get_by_role("combobox", name="Patient", exact=True).focus()  # the form's first field
        page.keyboard.type("P-0042")
        page.keyboard.press("Enter")
        wait_for_app(page)
        _tab_to(page, "Same as last time", seen)
        page.keyboard.press("Enter")
        wait_for_app(page)
        page.get_by_role("button", name="Started from last time: start again").focus()
        _tab_to(page, "Lot / batch", seen)
        page.keyboard.type("C7777")
        page.keyboard.press("Enter")
        wait_for_app(page)
        page.get_by_role("combobox", name="Lot / batch", exact=True).focus()
        _tab_to(page, "Save treatment", seen, limit=150)
        page.keyboard.press("Enter")
        wait_for_app(page)
        expect(page.get_by_text("Saved: treatment T-", exact=False)).to_be_visible()
        order = [n for n in seen if n]
        # the Tab order follows the form: product and vial, then the areas' units, then the risk factors, then save
        positions = [next(i for i, n in enumerate(order) if n.startswith(w))
                     for w in ("Product", "Vial size", "Units in", "Alcohol within 48 h", "Save treatment")]
        assert positions == sorted(positions), order
    db = open_database(db_path)
    try:
        assert db.rows("SELECT count(*) FROM treatments t JOIN lots l USING (lot_id) WHERE l.lot_number = 'C7777'") \
            == [(1,)]
    finally:
        db.close()
