"""Browser-test support: run the real app on a loopback port and drive Debian's chromium with Playwright.

The app process owns the DuckDB file while it runs (one process per file): prepare the database before
`app_server`, and read it back for assertions after the context has exited.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import CHROMIUM, have_chromium, require_or_skip

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


def require_browser() -> None:
    """Skip (or fail under INJECTWATCH_REQUIRE_ALL=1) when chromium or Playwright is missing."""
    require_or_skip(have_chromium(), "Debian chromium (/usr/bin/chromium) is not installed")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require_or_skip(False, "playwright is not installed")


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def app_server(db_path: Path, *, env: dict[str, str] | None = None, timeout: float = 90) -> Iterator[str]:
    """Run `streamlit run dashboard/app.py` against db_path; yield its base URL; stop it afterwards."""
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")
    full_env = dict(os.environ)
    full_env.update({"INJECTWATCH_DB": str(db_path), "PYTHONUNBUFFERED": "1"})
    full_env.setdefault("INJECTWATCH_SECRET_FILE", str(Path(db_path).with_suffix(".secret")))
    full_env.update(env or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {log.name}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer within {timeout}s; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """Yield a Playwright page in headless Debian chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def wait_for_app(page: Any, timeout: float = 60_000) -> None:
    """Wait until Streamlit is connected and the script has finished running."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
        " return a && a.getAttribute('data-test-script-state') !== 'running'; }",
        timeout=timeout,
    )
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
        " || !document.querySelector(\"[data-testid='stStatusWidget']\").innerText.includes('Running')",
        timeout=timeout,
    )


def sign_in(page: Any, username: str, password: str) -> None:
    """Fill the sign-in form and wait for the app to load the first page."""
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_timeout(500)
    wait_for_app(page)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # Streamlit scrolls inside its main container, so grow the viewport to the content's height first.
    size = page.viewport_size
    height = page.evaluate(
        "() => { const m = document.querySelector(\"[data-testid='stMain']\") ||"
        " document.querySelector('section.main'); return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height) + 40, 12000))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def open_page(page: Any, title: str) -> None:
    """Open a page through the sidebar menu (a reload would start a new, signed-out session)."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    page.wait_for_timeout(500)
    wait_for_app(page)
