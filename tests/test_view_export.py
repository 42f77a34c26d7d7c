"""The Quarterly export page: preview, prepare-then-download, audit, permissions; and a browser screenshot."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.authz import SYSTEM
from dashboard.core.db import open_database
from tests.test_export_data import seed, write_secret

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "export.py")


@pytest.fixture
def seeded(db_file: Path) -> Path:
    write_secret(Path(os.environ["INJECTWATCH_SECRET_FILE"]))
    db = open_database(db_file)
    seed(db)
    db.close()
    return db_file


def page(user) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = user
    return at.run()


def exports(db_file: Path) -> list[tuple]:
    db = open_database(db_file)
    try:
        return db.rows("SELECT actor, action, entity_id, detail FROM audit_log WHERE action LIKE 'export%' "
                       "ORDER BY audit_id")
    finally:
        db.close()


def test_manager_previews_prepares_and_gets_a_download(seeded, manager):
    at = page(manager)
    assert not at.exception
    at.selectbox(key="export_quarter").select("2026Q3").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Treatments given in the quarter": "2", "Adverse events that began in it": "3",
                       "Patient data": "De-identified"}
    assert at.subheader[0].value == "What will be exported: 2026 Q3 (1 Jul 2026 – 30 Sep 2026)"
    files = at.dataframe[0].value
    assert dict(zip(files["File"], files["Rows"], strict=True)) == {
        "treatments.csv": "3", "injections.csv": "5", "events.csv": "3", "event_versions.csv": "4",
        "summary.csv": "4", "data_dictionary.csv": "87", "manifest.json": "–"}
    assert any("also holds 1 treatment given before this quarter" in c.value for c in at.caption)
    assert "De-identified" in at.info[0].value
    assert not at.get("download_button")  # nothing is built before the button is pressed
    assert exports(seeded) == []

    at.button(key="export_prepare").click().run()
    assert not at.exception and not at.error
    assert "injectwatch-2026Q3.zip is ready" in at.success[0].value
    assert "De-identified export of 2026Q3" in at.text[0].value
    assert [b.label for b in at.get("download_button")] == ["Download injectwatch-2026Q3.zip"]
    data = at.session_state["export_ready"]["data"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("injectwatch-2026Q3/manifest.json"))
    assert manifest["exported_by"] == "mgr" and manifest["identified"] is False
    audited = exports(seeded)
    assert [(a, b, c) for a, b, c, _ in audited] == [("mgr", "export", "2026Q3")]
    recent = at.dataframe[1].value
    assert list(recent["quarter"]) == ["2026Q3"] and list(recent["treatments"]) == [3]


def test_identified_export_warns_and_is_audited_as_identified(seeded, manager):
    at = page(manager)
    at.selectbox(key="export_quarter").select("2026Q3").run()
    at.radio(key="export_mode").set_value("Identified").run()
    assert "Identified export" in at.warning[0].value
    assert at.button(key="export_prepare").label == "Prepare the identified export"
    at.button(key="export_prepare").click().run()
    assert not at.exception
    assert [(b, c) for _, b, c, _ in exports(seeded)] == [("export.identified", "2026Q3")]
    with zipfile.ZipFile(io.BytesIO(at.session_state["export_ready"]["data"])) as z:
        events = z.read("injectwatch-2026Q3/events.csv").decode("utf-8-sig")
    assert "narrative" in events.splitlines()[0]


def test_changing_the_quarter_drops_the_prepared_zip(seeded, manager):
    at = page(manager)
    at.selectbox(key="export_quarter").select("2026Q3").run()
    at.button(key="export_prepare").click().run()
    assert at.get("download_button")
    at.selectbox(key="export_quarter").select("2026Q2").run()
    assert not at.get("download_button")
    assert "export_ready" not in at.session_state


def test_empty_database_says_so_and_still_builds_a_valid_bundle(db_file, manager):
    at = page(manager)
    assert not at.exception
    assert any("Nothing was recorded in this quarter" in i.value for i in at.info)
    at.button(key="export_prepare").click().run()
    with zipfile.ZipFile(io.BytesIO(at.session_state["export_ready"]["data"])) as z:
        manifest = json.loads(next(z.read(n) for n in z.namelist() if n.endswith("manifest.json")))
    assert manifest["empty"] is True
    assert "No export yet." not in [c.value for c in at.caption]


def test_practitioner_cannot_open_the_page(seeded, practitioner):
    at = page(practitioner)
    assert "cannot open this page" in at.error[0].value
    assert not at.button and not at.selectbox
    assert exports(seeded) == []


@pytest.mark.browser
def test_export_page_in_a_browser(seeded, tmp_path):
    from dashboard.accounts import add_account
    from tests.e2e_support import app_server, browser_page, require_browser, screenshot, sign_in, wait_for_app

    require_browser()
    db = open_database(seeded)
    add_account(db, SYSTEM, username="morgan", password="correct horse battery", role="manager",
                display_name="Morgan Manager")
    db.close()
    with app_server(seeded) as url, browser_page() as pg:
        pg.goto(url, wait_until="networkidle")
        wait_for_app(pg)
        sign_in(pg, "morgan", "correct horse battery")
        pg.get_by_role("link", name="Quarterly export").click()  # a reload would start a new, signed-out session
        wait_for_app(pg)
        pg.get_by_role("heading", name="Quarterly export").wait_for()
        pg.locator("[data-testid='stSelectbox']").first.click()
        pg.get_by_role("option", name="2026 Q3", exact=False).click()
        wait_for_app(pg)
        pg.get_by_text("(1 Jul 2026 – 30 Sep 2026)").first.wait_for()
        screenshot(pg, "export-preview")
        pg.get_by_role("button", name="Prepare the de-identified export").click()
        wait_for_app(pg)
        pg.get_by_text("injectwatch-2026Q3.zip is ready").wait_for()
        screenshot(pg, "export-ready")
        with pg.expect_download() as info:
            pg.get_by_role("button", name="Download injectwatch-2026Q3.zip").click()
        target = tmp_path / "downloaded.zip"
        info.value.save_as(target)
    with zipfile.ZipFile(target) as z:
        manifest = json.loads(z.read("injectwatch-2026Q3/manifest.json"))
    assert manifest["exported_by"] == "morgan" and manifest["rows"]["events.csv"] == 3
    assert [(a, b) for a, b, _, _ in exports(seeded)] == [("morgan", "export")]
