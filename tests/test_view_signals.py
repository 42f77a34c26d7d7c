"""The Signals page (AppTest): guarded, lists signals most urgent first with evidence, chart, cases and review."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import config
from dashboard.core.authz import SYSTEM, User
from dashboard.core.db import open_database
from dashboard.signals.reviews import latest_reviews
from tests.test_signals_support import load_clinic

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "signals.py")


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
    cases = at.dataframe[1].value  # the first signal's evidence, then its cases
    assert list(cases.columns[:3]) == ["Case", "Treated on", "Onset"]
    assert not set(cases["Product"]) & set(config.PRODUCTS), "product codes instead of names"
    assert not set(cases["Area"]) & set(config.AREAS), "area codes instead of names"
    assert not set(cases["Outcome"]) & set(config.OUTCOMES), "outcome codes instead of names"


def test_mark_reviewed_saves_note_and_shows_it(demo_db, manager):
    at = _page(manager)
    at.text_area[0].input("Checked with the injector; retraining booked.")
    at.button[0].click().run()
    assert not at.exception
    db = open_database(demo_db)
    try:
        reviews = latest_reviews(db, manager)
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
    from dashboard.accounts import add_account
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
    add_account(db, SYSTEM, username="morgan", password="correct horse battery", role="manager",
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


def test_case_table_uses_names_and_readable_dates():
    import pandas as pd

    from dashboard.signals.presentation import readable_cases

    raw = pd.DataFrame({"event_ref": ["E-1", "E-2"], "treated_on": pd.to_datetime(["2026-02-23", "2026-03-01"]).date,
                        "onset_on": pd.to_datetime(["2026-02-25", "2026-03-04"]).date, "injector": ["Dr A", "Dr B"],
                        "clinic": ["North", "North"], "product": ["ona", "abo"], "lot": ["C1", None],
                        "area": ["lateral_canthal", None], "severity": [1, 3],
                        "outcome": ["not_recovered", "recovered_with_sequelae"], "treatment_ref": ["T-1", "T-2"]})
    names = {"product": {"ona": "BOTOX Cosmetic", "abo": "Dysport/Azzalure"},
             "area": {"lateral_canthal": "Crow's feet (lateral canthal)"}}
    t = readable_cases(raw, names)
    assert list(t.columns) == ["Case", "Treated on", "Onset", "Injector", "Clinic", "Product", "Lot", "Area", "Grade",
                               "Outcome", "Treatment"]
    assert list(t["Treated on"]) == ["23 Feb 2026", "01 Mar 2026"]
    assert list(t["Product"]) == ["BOTOX Cosmetic", "Dysport/Azzalure"]
    assert list(t["Area"]) == ["Crow's feet (lateral canthal)", "not recorded"]
    assert list(t["Outcome"]) == ["Not recovered", "Recovered with lasting effects"]


def test_evidence_dates_are_readable_and_missing_ones_a_dash():
    from dashboard.signals.presentation import evidence_table

    signal = {"observed": 82, "expected": 19.94, "rate_ratio": 4.112, "p_value": 1e-9, "q_value": 0.0123,
              "treatments": 1694, "window_start": "2026-02-23", "window_end": "2026-05-21"}
    row = evidence_table(signal).iloc[0]
    assert (row["From"], row["To"]) == ("23 Feb 2026", "21 May 2026")
    assert row["p-value"] == "below 0.0001" and row["q-value (after testing many groups)"] == "0.0123"
    assert row["Expected"] == 19.9 and row["Actual ÷ expected"] == 4.11
    row = evidence_table({**signal, "window_start": None, "window_end": None, "rate_ratio": None}).iloc[0]
    assert (row["From"], row["To"]) == ("-", "-") and pd_isna(row["Actual ÷ expected"])


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_dose_chart_uses_rates_per_1000_like_the_rest_of_the_app():
    import pandas as pd

    from dashboard.charts.signal_charts import dose_band_figure

    bands = pd.DataFrame({"dose_band": [0, 1, 2], "observed": [5, 2, 1], "expected": [1.0, 2.0, 1.0],
                          "treatments": [50, 400, 200]})
    fig = dose_band_figure(bands, "No effect", "Glabella", "Dysport", (25, 100))
    assert list(fig.data[0].y) == [100.0, 5.0, 5.0]
    assert fig.layout.yaxis.title.text == "Cases per 1,000 treatments"
    assert "per 1,000" in fig.layout.title.text
