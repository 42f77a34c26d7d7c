"""Visual checks from the DOM in headless chromium at 1,440 × 1,000 and 1,024 × 768: on Trends and Log
treatment no chart title overlaps its legend, no title runs past its chart, and the page does not scroll
sideways. Screenshots go to artifacts/layout/."""

from __future__ import annotations

import pytest

from tests.e2e_support import ARTIFACTS, app_server, browser_page, require_browser, sign_in, wait_for_app

SIZES = [(1440, 1000), (1024, 768)]

BOXES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  return {title: box(p.querySelector('.gtitle')), legend: box(p.querySelector('.legend')),
          chart: box(p.querySelector('svg.main-svg')),
          text: (p.querySelector('.gtitle') || {}).textContent || ''};
})"""


def _overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def _check_page(page, name: str) -> None:
    page.wait_for_timeout(1500)
    (ARTIFACTS / "layout").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "layout" / f"{name}.png"), full_page=True)
    for chart in page.evaluate(BOXES_JS):
        title, legend, svg = chart["title"], chart["legend"], chart["chart"]
        if title and legend:
            assert not _overlap(title, legend), f"{name}: the legend sits on the title {chart['text']!r}"
        if title and svg:
            assert title[2] <= svg[2] + 1, f"{name}: the title {chart['text']!r} runs past its chart"
    sideways = page.evaluate(
        "() => { const m = document.querySelector(\"[data-testid='stMain']\");"
        " return m ? m.scrollWidth - m.clientWidth : 0; }")
    assert sideways <= 1, f"{name}: the page scrolls sideways by {sideways} px"


@pytest.mark.browser
@pytest.mark.slow
def test_trends_and_log_treatment_have_no_overlap_cut_off_or_sideways_scroll(db_file):
    from dashboard.accounts import add_account
    from dashboard.core.authz import SYSTEM
    from dashboard.core.db import open_database
    from dashboard.demo.command import load_demo_file as load_demo

    require_browser()
    load_demo(db_file, treatments=3000, seed=2)
    db = open_database(db_file)
    add_account(db, SYSTEM, username="morgan", password="correct horse battery", role="manager",
                display_name="Morgan", injector_name="Dr Ada Park")
    db.close()
    with app_server(db_file) as url:
        for width, height in SIZES:
            with browser_page(width, height) as page:
                page.goto(url)
                wait_for_app(page)
                sign_in(page, "morgan", "correct horse battery")
                nav = page.get_by_test_id("stSidebarNav")
                if not nav.is_visible():
                    page.get_by_test_id("stExpandSidebarButton").click()
                    wait_for_app(page)
                for title in ("Trends", "Log treatment", "Cases", "Report adverse event"):
                    nav.get_by_text(title, exact=True).click()
                    wait_for_app(page)
                    _check_page(page, f"{title.lower().replace(' ', '_')}_{width}")
