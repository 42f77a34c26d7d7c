"""The Signals page (AppTest): guarded, lists signals most urgent first with evidence, chart, cases and review."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.authz import User
from dashboard.db import open_database
from dashboard.signals.reviews import latest_reviews
from tests.test_signals_support import load_clinic

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "views" / "signals.py")


def _page(user: User | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if user is not None:
        at.session_state["user"] = user
    return at.run()


@pytest.fixture
def demo_db(db_file: Path) -> Path:
    load_clinic(db_file, 6000, 1)
    return db_file


def test_needs_permission(db_file, practitioner):
    at = _page(practitioner)
    assert at.error and "cannot open" in at.error[0].value
    assert not _page(None).expander


def test_empty_clinic_says_so(db_file, manager):
    at = _page(manager)
    assert not at.exception
    assert "No treatments recorded yet" in at.info[0].value


def test_lists_signals_with_evidence_chart_cases_and_review(demo_db, manager):
    at = _page(manager)
    assert not at.exception, at.exception
    assert at.expander, "the demo clinic has signals"
    labels = [e.label for e in at.expander if "·" in e.label]
    levels = [lab.split("·")[0].strip() for lab in labels]
    assert levels == sorted(levels), "ACT before WATCH"
    assert at.dataframe and at.get("plotly_chart")
    assert any("Cases behind this signal" in m.value for m in at.markdown)
    assert at.text_area and at.button


def test_mark_reviewed_saves_note_and_shows_it(demo_db, manager):
    at = _page(manager)
    at.text_area[0].input("Checked with the injector; retraining booked.")
    at.button[0].click().run()
    assert not at.exception
    db = open_database(demo_db)
    try:
        reviews = latest_reviews(db)
    finally:
        db.close()
    assert [r["note"] for r in reviews.values()] == ["Checked with the injector; retraining booked."]
    assert any("reviewed" in e.label for e in at.expander)


def test_empty_note_is_refused_next_to_the_field(demo_db, manager):
    at = _page(manager)
    at.button[0].click().run()
    assert any("Write a short note" in e.value for e in at.error)


@pytest.mark.browser
def test_signals_page_in_the_browser(db_file):
    from dashboard.accounts import create_user
    from tests.e2e_support import (
        app_server,
        browser_page,
        open_page,
        require_browser,
        screenshot,
        sign_in,
        wait_for_app,
    )

    require_browser()
    load_clinic(db_file, 20000, 1)
    db = open_database(db_file)
    create_user(db, username="morgan", password="correct horse battery", role="manager",
                display_name="Morgan Manager")
    db.close()
    with app_server(db_file) as url, browser_page(width=1400, height=1000) as pg:
        pg.goto(url, wait_until="networkidle")
        wait_for_app(pg)
        sign_in(pg, "morgan", "correct horse battery")
        open_page(pg, "Signals")
        pg.get_by_role("heading", name="Signals").wait_for()
        pg.locator(".js-plotly-plot").first.wait_for(timeout=180_000)
        wait_for_app(pg, timeout=180_000)
        pg.wait_for_timeout(1500)
        assert pg.locator("[data-testid='stExpander']").count() >= 3
        screenshot(pg, "signals-demo")
        expanders = pg.locator("[data-testid='stExpander'] summary")
        for i in (2, 3, 4):
            if expanders.count() > i:
                expanders.nth(i).click()
                pg.wait_for_timeout(800)
        wait_for_app(pg)
        pg.wait_for_timeout(1500)
        screenshot(pg, "signals-demo-more")
        pg.get_by_label("Review note").first.fill("Checked with the injector; retraining booked.")
        pg.get_by_role("button", name="Mark reviewed").first.click()
        wait_for_app(pg, timeout=180_000)
        pg.get_by_text("reviewed", exact=False).first.wait_for()
