"""The Imports page: upload a .zip and import it, past imports, quarantined rows and their CSV; permissions."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.core.authz import SYSTEM, PermissionDenied
from dashboard.core.db import open_database
from dashboard.importer import quarantine_csv
from dashboard.importer.history import (
    import_upload,
    list_imports,
    quarantine_download,
    quarantine_rows,
    source_label,
    upload_name,
)

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "dashboard" / "web" / "views" / "imports.py")
VALID = ROOT / "tests" / "fixtures" / "import" / "valid"
HOSTILE_POINT = "**bold** <b>x</b> :red[r]"
# line 9 of injections.csv: an unknown area and units below zero, with markdown/HTML in the point label
BAD_ROW = f'T2,nose,B,"{HOSTILE_POINT}",-5,,,\n'


def dataset_zip(*, bad: bool = True) -> bytes:
    """The valid fixture as a .zip (inside a folder, as people zip them), with one bad injection row if asked."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("treatments.csv", "injections.csv", "events.csv"):
            text = (VALID / name).read_text(encoding="utf-8")
            if bad and name == "injections.csv":
                text = text.rstrip("\n") + "\n" + BAD_ROW
            z.writestr(f"clinic-export/{name}", text)
    return buf.getvalue()


class RecordingStorage(MemoryMediaFileStorage):
    """Media storage that keeps every instance, so a test can read what a download button serves."""

    made: list[RecordingStorage] = []

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        RecordingStorage.made.append(self)


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> type[RecordingStorage]:
    RecordingStorage.made = []
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", RecordingStorage)
    return RecordingStorage


def served_bytes(media: type[RecordingStorage], url: str) -> bytes:
    name = url.rsplit("/", 1)[-1]
    for storage in reversed(media.made):
        try:
            return storage.get_file(name).content
        except Exception:
            continue
    raise AssertionError(f"no media file behind {url}")


def page(user) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["user"] = user
    return at.run()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="imp_file").set_value((name, data, "application/zip")).run()
    return at.button(key="imp_run").click().run()


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has this column (per-file result: 'rows_read' and 'file'; past imports:
    'source_label'; quarantined rows: 'problem')."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def audit_rows(db_file: Path, action: str) -> list[tuple]:
    db = open_database(db_file)
    try:
        return db.rows("SELECT actor, entity_id, detail FROM audit_log WHERE action = $a ORDER BY audit_id",
                       {"a": action})
    finally:
        db.close()


def markdown_texts(at: AppTest) -> list[str]:
    texts = [str(e.value) for k in ("markdown", "caption", "title", "subheader", "error", "warning", "info",
                                    "success") for e in at.get(k)]
    return texts + [str(getattr(e, "label", "")) for k in ("button", "selectbox", "download_button")
                    for e in at.get(k)]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_manager_and_admin_open_the_page_on_an_empty_database(db_file, role, request):
    at = page(request.getfixturevalue(role))
    assert not at.exception
    assert at.title[0].value == "Imports"
    assert [i.value for i in at.info] == ["No data set has been imported yet."]
    assert at.file_uploader(key="imp_file").allowed_type == [".zip"]
    assert at.button(key="imp_run").disabled  # nothing uploaded yet
    assert not at.dataframe and not at.get("download_button")


def test_practitioner_is_refused_by_the_page_and_by_the_data_layer(db_file, db, practitioner):
    at = page(practitioner)
    assert [e.value for e in at.error] == ["Your role (practitioner) cannot open this page."]
    assert not at.file_uploader and not at.button and not at.dataframe
    for call in (lambda: import_upload(db, practitioner, "x.zip", dataset_zip()),
                 lambda: list_imports(db, practitioner),
                 lambda: quarantine_rows(db, practitioner, 1),
                 lambda: quarantine_download(db, practitioner, None)):
        with pytest.raises(PermissionDenied):
            call()
    assert db.scalar("SELECT count(*) FROM imports") == 0


def test_upload_with_a_bad_row_imports_and_lists_and_downloads_its_quarantine(db_file, admin, media):
    at = upload(page(admin), "clinic export.zip", dataset_zip())
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == ["Import 1 finished, but 1 row was quarantined: see below."]
    assert at.text[0].value.startswith("Imported 4 treatments, 7 injection rows and 2 events; 1 row quarantined")
    per_file = frame_with(at, "rows_read").set_index("file")
    assert per_file.loc["injections.csv"].to_dict() == {"rows_read": 8, "imported": 7, "quarantined": 1,
                                                        "unchanged": 0}
    assert per_file.loc["treatments.csv"].to_dict() == {"rows_read": 4, "imported": 4, "quarantined": 0,
                                                        "unchanged": 0}

    past = frame_with(at, "source_label")
    assert past[["import_id", "source_label", "actor", "rows_read", "imported", "quarantined"]].values.tolist() == [
        [1, "clinic export.zip (uploaded)", "root", 14, 13, 1]]
    assert at.selectbox(key="imp_chosen").value == 1

    rows = frame_with(at, "problem")
    assert rows[["file", "line"]].values.tolist() == [["injections.csv", 9]]
    problem, reasons, raw = rows.loc[0, ["problem", "reasons", "raw"]]
    assert "area 'nose' is not a known area code" in problem and problem.endswith(".")
    assert "units" in problem
    assert reasons == "a value is outside the possible range; a code is not one of the allowed codes"
    assert f"point: {HOSTILE_POINT}" in raw and "units: -5" in raw
    assert at.selectbox(key="imp_row_1").value == 0  # the one row, read in full below the table
    assert problem in [t.value for t in at.text]
    cells = dict(frame_with(at, "value").values.tolist())
    assert cells["point"] == HOSTILE_POINT and cells["units"] == "-5" and cells["area"] == "nose"
    assert cells["volume_ml"] == ""
    for text in markdown_texts(at):  # the file's text is shown as text only
        assert "**bold**" not in text and "<b>" not in text and ":red[" not in text

    assert not at.get("download_button") and audit_rows(db_file, "quarantine.export") == []
    at.button(key="imp_prepare").click().run()
    buttons = at.get("download_button")
    assert [b.label for b in buttons] == ["Download quarantine-import-1.csv (1 row)"]
    served = served_bytes(media, buttons[0].proto.url)
    db = open_database(db_file)
    try:
        assert served == quarantine_csv(db, 1)
    finally:
        db.close()
    table = pd.read_csv(io.BytesIO(served), dtype=str, keep_default_na=False)
    assert table.loc[0, ["import_id", "file", "line", "reasons"]].tolist() == [
        "1", "injections.csv", "9", "out_of_range,unknown_code"]
    assert table.loc[0, ["area", "point", "units"]].tolist() == ["nose", HOSTILE_POINT, "-5"]
    assert [(a, e) for a, e, _ in audit_rows(db_file, "quarantine.export")] == [("root", "1")]


def test_a_second_clean_import_says_nothing_was_quarantined(db_file, manager):
    at = upload(page(manager), "first.zip", dataset_zip())
    at = upload(at, "first.zip", dataset_zip())  # the same data set again: only the bad row is quarantined again
    assert at.selectbox(key="imp_chosen").value == 2
    at = upload(at, "clean.zip", dataset_zip(bad=False))
    assert [s.value for s in at.success] == ["Import 3 finished."]
    assert at.text[0].value.startswith("Nothing changed: all 13 rows were already stored")
    assert frame_with(at, "source_label")["import_id"].tolist() == [3, 2, 1]  # newest first
    assert at.selectbox(key="imp_chosen").value == 3
    assert [i.value for i in at.info] == [
        "Import 3 quarantined no new rows: every row was imported, already stored, or already in the quarantine of "
        "an earlier import with the same values and reasons (see the list above)."]
    assert [b.key for b in at.button if b.key == "imp_prepare"] == []
    at.selectbox(key="imp_chosen").select(1).run()
    assert frame_with(at, "problem")["line"].tolist() == [9]


def test_an_upload_that_is_not_a_data_set_changes_nothing(db_file, manager):
    at = upload(page(manager), "notes.zip", b"this is not a zip")
    assert [e.value for e in at.error] == ["The data set could not be imported, and nothing was changed:"]
    assert at.text[0].value.startswith("notes.zip is not a .zip file")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "no csv here")
    at = upload(at, "empty.zip", buf.getvalue())
    assert "has no treatments.csv" in at.text[0].value
    assert [i.value for i in at.info] == ["No data set has been imported yet."]


def test_upload_names_are_made_safe_and_shown_plainly():
    assert upload_name("../../etc/passwd") == "passwd.zip"
    assert upload_name("C:\\Users\\me\\clinic.zip") == "clinic.zip"
    assert upload_name("<i>x:y?.zip") == "_i_x_y_.zip"
    assert upload_name("") == "upload.zip"
    assert source_label(str(Path(tempfile.gettempdir()) / "injectwatch-upload-abc123" / "clinic.zip")) == \
        "clinic.zip (uploaded)"
    assert source_label("/srv/exports/2026Q1") == "/srv/exports/2026Q1"


@pytest.mark.browser
def test_imports_page_in_a_browser(db_file, tmp_path):
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
    db = open_database(db_file)
    add_account(db, SYSTEM, username="alex", password="correct horse battery", role="admin", display_name="Alex Admin")
    db.close()
    data = tmp_path / "clinic-export.zip"
    data.write_bytes(dataset_zip())
    with app_server(db_file) as url, browser_page() as pg:
        pg.goto(url, wait_until="networkidle")
        wait_for_app(pg)
        sign_in(pg, "alex", "correct horse battery")
        open_page(pg, "Imports")
        pg.get_by_role("heading", name="Imports", exact=True).wait_for()
        pg.get_by_text("No data set has been imported yet.").wait_for()
        pg.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(data))
        pg.get_by_text("clinic-export.zip").first.wait_for()
        wait_for_app(pg)
        pg.get_by_role("button", name="Import", exact=True).click()
        wait_for_app(pg)
        pg.get_by_text("Import 1 finished, but 1 row was quarantined").wait_for()
        pg.get_by_role("button", name="Prepare CSV of 1 quarantined row").click()
        wait_for_app(pg)
        with pg.expect_download() as info:
            pg.get_by_role("button", name="Download quarantine-import-1.csv (1 row)").click()
        target = tmp_path / "downloaded.csv"
        info.value.save_as(target)
        screenshot(pg, "imports-after-upload")
    table = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert table[["import_id", "file", "line", "area", "units"]].values.tolist() == [
        ["1", "injections.csv", "9", "nose", "-5"]]
    assert [(a, e) for a, e, _ in audit_rows(db_file, "quarantine.export")] == [("alex", "1")]
    assert [a for a, _, _ in audit_rows(db_file, "import")] == ["alex"]


def test_an_upload_that_runs_out_of_memory_says_so_and_stores_nothing(db_file, db, manager, monkeypatch):
    import duckdb

    from dashboard.importer import history as imports
    def out_of_memory(*args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB")

    monkeypatch.setattr(imports, "import_path", out_of_memory)
    monkeypatch.setenv("INJECTWATCH_MEMORY_LIMIT", "1GB")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("treatments.csv", "treatment_id\n")
    with pytest.raises(imports.ImportInputError, match=r"clinic.zip needed more working memory .* \(1GB, set by"):
        imports.import_upload(db, manager, "clinic.zip", buf.getvalue())
    at = upload(page(manager), "clinic.zip", buf.getvalue())
    assert [e.value for e in at.error] == ["The data set could not be imported, and nothing was changed:"]
    assert "import it in smaller parts" in at.text[0].value


def _windows_1252_zip() -> bytes:
    """The valid data set with treatments.csv saved as Windows-1252 (an accented clinic name)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("treatments.csv", "injections.csv", "events.csv"):
            text = (VALID / name).read_text(encoding="utf-8")
            if name == "treatments.csv":
                z.writestr(name, text.replace("North Clinic", "Clinique Générale").encode("cp1252"))
            else:
                z.writestr(name, text)
    return buf.getvalue()


def test_a_file_that_is_not_utf8_is_refused_in_plain_words_then_read_with_its_encoding_named(db_file, admin):
    at = upload(page(admin), "spreadsheet.zip", _windows_1252_zip())
    assert not at.exception
    assert [e.value for e in at.error] == ["The data set could not be imported, and nothing was changed:"]
    said = at.text[0].value
    assert "treatments.csv is not saved as UTF-8" in said and "Windows-1252" in said and "File encoding" in said
    assert "0x" not in said and "codec" not in said and "position" not in said
    at.selectbox(key="imp_encoding").set_value("windows-1252").run()
    at.button(key="imp_run").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Import 1 finished."]
    db = open_database(db_file)
    try:
        assert "Clinique Générale" in [r[0] for r in db.rows("SELECT name FROM clinics")]
    finally:
        db.close()


def test_dates_written_day_first_are_read_when_the_page_says_so(db_file, admin):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("treatments.csv", "injections.csv"):
            text = (VALID / name).read_text(encoding="utf-8")
            z.writestr(name, text.replace("2026-01-10T10:00", "10/01/2026 10:00"))
    at = upload(page(admin), "dates.zip", buf.getvalue())
    rows = frame_with(at, "problem").set_index("file")
    assert "--date-format DD/MM/YYYY or MM/DD/YYYY (Dates on the Imports page)" in rows.loc["treatments.csv", "problem"]
    at.selectbox(key="imp_dates").set_value("DD/MM/YYYY").run()
    at.button(key="imp_run").click().run()
    assert not at.exception and at.text[0].value.startswith("Imported 1 treatment, 3 injection rows and 0 events; 7 rows were already stored")


def test_an_unexpected_error_is_one_sentence_naming_a_log_file(db_file, db, admin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail that belongs in the log")

    monkeypatch.setattr("dashboard.importer.history.import_path", broken)
    from dashboard.importer import ImportInputError

    with pytest.raises(ImportInputError) as err:
        import_upload(db, admin, "x.zip", dataset_zip())
    said = str(err.value)
    assert said.startswith("An unexpected problem stopped the import, and nothing was changed; the details are in ")
    assert "internal detail" not in said
    log = Path(said.split("the details are in ", 1)[1].split(" (send", 1)[0])
    assert log.parent == db_file.resolve().parent / "logs"
    assert "RuntimeError: internal detail that belongs in the log" in log.read_text(encoding="utf-8")
