"""Time the real Trends page in headless chromium: `python -m tests.page_timing --treatments N` (or `--db PATH`).

Starts the app with `streamlit run` on a copy of the database (or a fresh demo chain of N treatments), signs in
as a temporary manager and prints one JSON object to stdout:
{"treatments": N, "timings": {NAME: {"median_s": x, "max_s": y}}}
with NAME `trends_first_view` (menu click on the drawn Clinic overview until every chart of the Trends page is
drawn, empty Streamlit caches), `trends_view` (the same, caches warm) and `filter_change` (a filter changed until
every chart is redrawn; in turn: one injector, weekly trend, reset filters). Target: ≤ 2 s each.
It lives with the tests because it needs Playwright and Debian's chromium (the dev requirements).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboard.core.authz import SYSTEM

MANAGER = ("page_timing_manager", "page timing only, not a real account")

# The script finished, the page is the one we asked for (and its link changed, after a filter change), every
# chart on it is drawn (at least `plots` of them) and the case listing at the bottom is there.
_PAGE_READY = """([title, plots, search]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') === 'running') return false;
  const h1 = document.querySelector('h1');
  if (!h1 || !h1.innerText.includes(title)) return false;
  if (search !== null && window.location.search === search) return false;
  const drawn = [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('svg.main-svg'));
  const all = document.querySelectorAll('.js-plotly-plot').length;
  return drawn.length >= plots && drawn.length === all && document.body.innerText.includes('Cases behind the charts');
}"""


def _summary(times: list[float]) -> dict[str, float]:
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def prepare(db_path: Path, treatments: int | None, seed: int = 7) -> int:
    """Fill db_path with a demo chain when `treatments` is given, refresh the trends cells, add the manager."""
    from dashboard.accounts import add_account, get_account
    from dashboard.core.db import open_database
    from dashboard.demo.command import load_demo_file
    from dashboard.trends.refresh import refresh

    if treatments:
        load_demo_file(db_path, treatments=treatments, seed=seed)
    db = open_database(db_path)
    try:
        refresh(db, actor="page_timing")
        if get_account(db, MANAGER[0]) is None:
            add_account(db, SYSTEM, username=MANAGER[0], password=MANAGER[1], role="manager",
                        display_name="Page timing")
        return int(db.scalar("SELECT count(*) FROM treatments"))
    finally:
        db.close()


# The overview page (where each timed Trends visit starts) has drawn its chart: a click while the browser is still
# loading and drawing the previous page would time that page too (the first visit after sign-in lost ~2 s to the
# overview's chart code loading).
_OVERVIEW_DRAWN = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') === 'running') return false;
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  return plots.length >= 1 && plots.every(p => p.querySelector('svg.main-svg'));
}"""


def _on_drawn_overview(page: Any, timeout_ms: float) -> None:
    """Wait until the Clinic overview is on screen with its chart drawn, and the app is idle."""
    from tests.e2e_support import wait_for_app

    page.wait_for_function(_OVERVIEW_DRAWN, timeout=timeout_ms, polling=50)
    wait_for_app(page, timeout=timeout_ms)


def _timed_until_ready(page: Any, action: Callable[[], None], title: str, plots: int, *,
                       url_changes: bool, timeout_ms: float) -> float:
    """Run action and return the seconds until the page is ready again (URL changed first when asked)."""
    search = page.evaluate("() => window.location.search") if url_changes else None
    t0 = time.perf_counter()
    action()
    try:
        page.wait_for_function(_PAGE_READY, arg=[title, plots, search], timeout=timeout_ms, polling=50)
    except Exception:
        from tests.e2e_support import screenshot

        state = page.evaluate("""() => ({
            script: document.querySelector("[data-testid='stApp']")?.getAttribute('data-test-script-state'),
            h1: document.querySelector('h1')?.innerText, search: window.location.search,
            plots: document.querySelectorAll('.js-plotly-plot').length,
            drawn: [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('svg.main-svg')).length,
            cases: document.body.innerText.includes('Cases behind the charts')})""")
        print(f"page not ready ({state}, search before: {search!r}); see {screenshot(page, 'page-timing-failure')}",
              file=sys.stderr)
        raise
    seconds = time.perf_counter() - t0
    # let the app settle before the next action (not timed): a click that lands while Streamlit is still
    # finishing the previous rerun can change the widget without starting a new run
    from tests.e2e_support import wait_for_app

    wait_for_app(page, timeout=timeout_ms)
    return seconds


def measure(db_path: Path, runs: int = 6, timeout_s: float = 120) -> dict[str, dict[str, float]]:
    """Start the app on db_path and time the Trends page: views and filter changes."""
    from tests.e2e_support import app_server, browser_page, open_page, sign_in, wait_for_app

    timeout_ms = timeout_s * 1000
    first: list[float] = []
    views: list[float] = []
    changes: list[float] = []
    # no nightly backup of the measured copy while it is being timed
    with app_server(db_path, env={"INJECTWATCH_SCHEDULER": "off"}, timeout=timeout_s) as url, \
            browser_page(width=1500, height=1100) as page:
        page.set_default_timeout(timeout_ms)
        page.goto(url, wait_until="networkidle")
        wait_for_app(page, timeout=timeout_ms)
        sign_in(page, *MANAGER)
        _on_drawn_overview(page, timeout_ms)
        nav = page.get_by_test_id("stSidebarNav")
        plots = 6
        first.append(_timed_until_ready(page, lambda: nav.get_by_text("Trends", exact=True).click(), "Trends",
                                        plots, url_changes=False, timeout_ms=timeout_ms))

        def one_injector() -> None:
            box = page.locator("[data-testid='stSelectbox']").nth(1)
            box.locator("input").click()
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")

        actions = [one_injector, lambda: page.get_by_text("Week", exact=True).click(),
                   lambda: page.get_by_role("button", name="Reset filters").click()]
        for i in range(runs):
            changes.append(_timed_until_ready(page, actions[i % len(actions)], "Trends", 1, url_changes=True,
                                              timeout_ms=timeout_ms))
        for _ in range(runs):
            open_page(page, "Clinic overview")
            _on_drawn_overview(page, timeout_ms)
            views.append(_timed_until_ready(page, lambda: nav.get_by_text("Trends", exact=True).click(), "Trends",
                                            plots, url_changes=False, timeout_ms=timeout_ms))
    return {"trends_first_view": _summary(first), "trends_view": _summary(views),
            "filter_change": _summary(changes)}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, prepare a database copy, measure, print the JSON object."""
    parser = argparse.ArgumentParser(prog="python -m tests.page_timing", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--db", type=Path, help="an existing database (copied; the original is not touched)")
    source.add_argument("--treatments", type=int, help="build a demo chain of this size in a temporary database")
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="injectwatch-page-") as tmp:
        work = Path(tmp) / "clinic.duckdb"
        if args.db:
            if not args.db.exists():
                print(f"error: no database at {args.db}", file=sys.stderr)
                return 2
            shutil.copyfile(args.db, work)
        treatments = prepare(work, args.treatments)
        timings = measure(work, runs=args.runs)
    json.dump({"treatments": treatments, "timings": timings}, sys.stdout)
    sys.stdout.write("\n")
    print(", ".join(f"{k} {v['median_s']:.2f} s (max {v['max_s']:.2f})" for k, v in timings.items()),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
