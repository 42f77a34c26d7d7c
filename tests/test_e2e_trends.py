"""Browser check: the Trends page renders with the demo clinic in headless chromium; screenshots to artifacts/."""

from __future__ import annotations

import pytest

from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database

pytestmark = pytest.mark.browser


def test_trends_page_with_the_demo_clinic(db_file) -> None:
    from dashboard.accounts import add_account
    from dashboard.demo.command import load_demo_file
    from tests.e2e_support import app_server, browser_page, require_browser, screenshot, sign_in, wait_for_app

    require_browser()
    load_demo_file(db_file, treatments=20000, seed=1)
    db = open_database(db_file)
    add_account(db, SYSTEM, username="morgan", password="correct horse battery", role="manager",
                display_name="Morgan Manager")
    db.close()
    with app_server(db_file) as url, browser_page(width=1500, height=1100) as pg:
        pg.goto(url, wait_until="networkidle")
        wait_for_app(pg)
        sign_in(pg, "morgan", "correct horse battery")
        pg.get_by_role("link", name="Trends").click()
        wait_for_app(pg)
        pg.get_by_role("heading", name="Trends").wait_for()
        pg.locator("[data-testid='stMetricValue']").first.wait_for()
        pg.locator(".js-plotly-plot").nth(5).wait_for()
        assert pg.locator(".js-plotly-plot").count() >= 6
        metrics = pg.locator("[data-testid='stMetricLabel']").all_inner_texts()
        assert any("per 1,000 treatments" in m for m in metrics)
        pg.get_by_text("Cases behind the charts").wait_for()
        pg.locator("[data-testid='stSelectbox']").nth(5).wait_for()
        pg.locator("[data-testid='stDateInput']").first.wait_for()
        pg.wait_for_timeout(1500)
        assert pg.locator("[data-testid='stDataFrame']").count() == 2
        screenshot(pg, "trends-demo")

        # a filter change reruns the panel and lands in the shareable link
        pg.get_by_text("Week", exact=True).click()
        wait_for_app(pg)
        pg.wait_for_function("() => window.location.search.includes('grain=week')")
        pg.locator(".js-plotly-plot").nth(5).wait_for()

        # clicking an area on the face filters the page by it
        face = pg.locator(".js-plotly-plot").nth(1)
        face.scroll_into_view_if_needed()
        face.locator("path.point").last.click(force=True)
        wait_for_app(pg)
        pg.wait_for_function("() => window.location.search.includes('area=')", timeout=15_000)

        # clicking a bar lists its cases
        bars = pg.locator(".js-plotly-plot").nth(3)
        bars.scroll_into_view_if_needed()
        bars.locator("g.point path").last.click(force=True)  # the highest rate (bars are sorted)
        wait_for_app(pg)
        pg.get_by_text("Showing the cases of your chart selection").wait_for(timeout=15_000)
        screenshot(pg, "trends-demo-drill")
        assert pg.locator("[data-testid='stException']").count() == 0
