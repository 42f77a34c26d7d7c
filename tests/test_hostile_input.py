"""Hostile input: SQL injection attempts, HTML/<script>, markdown, 10,000-character strings, right-to-left and emoji.

Through the import and through the forms, text is stored verbatim (or refused with a clear length message where a
limit applies), and every page renders it inert: never inside an element that Streamlit renders as markdown.
"""

from __future__ import annotations

import csv
from datetime import date, time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.accounts import add_account, get_account
from dashboard.core.authz import SYSTEM, User, system_user
from dashboard.core.db import open_database
from dashboard.web.navigation import PAGES, VIEWS
from tests.accounts_support import fast_hashes  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashes")
ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    "Robert'); DROP TABLE treatments;--",
    "x' OR '1'='1",
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)><b>bold</b>",
    "**bold** [click](javascript:alert(1)) :red[red] $x^2$",
    "\u202eevil\u202c مرحبا שלום",
    "😀👩‍⚕️💉🇬🇧",
]
# fragments that would change meaning if a page rendered the text as markdown/HTML
RAW_FRAGMENTS = ("<script", "<img", "<b>", "**bold**", "[click](", ":red[", "$x^2$")
LONG = "L" * 10_000
PW = "correct horse battery"


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _dataset(folder: Path, *, too_long: bool = False) -> Path:
    """Hostile text in every text column; with too_long, two more rows whose text exceeds the limits."""
    folder.mkdir()
    treatments = [
        {"treatment_id": f"T-{i}", "clinic": text, "treated_at": "2026-10-01T10:00", "patient_ref": text,
         "injector": text, "product": "ona", "lot": text}
        for i, text in enumerate(HOSTILE)
    ]
    if too_long:
        treatments.append({"treatment_id": "T-long", "clinic": "North", "treated_at": "2026-10-01T10:00",
                           "patient_ref": LONG, "injector": "Dr A", "product": "ona", "lot": ""})
    _write_csv(folder / "treatments.csv", treatments)
    _write_csv(folder / "injections.csv", [
        {"treatment_id": t["treatment_id"], "area": "glabella", "units": "20", "point": t["lot"][:200]}
        for t in treatments
    ])
    events = [
        {"event_id": f"E-{i}", "treatment_id": f"T-{i}", "term": "eyelid_ptosis", "onset_at": "2026-10-03T09:00",
         "severity": "2", "action_taken": text, "reported_by": text, "narrative": " / ".join([text] * 3)}
        for i, text in enumerate(HOSTILE)
    ]
    events.append({"event_id": "E-4000", "treatment_id": "T-0", "term": "other", "onset_at": "2026-10-03T09:00",
                   "severity": "1", "action_taken": "", "reported_by": "", "narrative": "N" * 4000})
    if too_long:
        events.append({"event_id": "E-long", "treatment_id": "T-1", "term": "other", "onset_at": "2026-10-03T09:00",
                       "severity": "1", "action_taken": "", "reported_by": "", "narrative": LONG})
    _write_csv(folder / "events.csv", events)
    return folder


@pytest.fixture
def hostile_db(db_file, tmp_path):
    importer = pytest.importorskip("dashboard.importer")
    db = open_database(db_file)
    try:
        importer.import_path(db, system_user("mgr"), _dataset(tmp_path / "hostile"))
        add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name=HOSTILE[4],
                    injector_name=HOSTILE[2])
    finally:
        db.close()
    return db_file


def test_import_stores_hostile_text_verbatim(hostile_db):
    db = open_database(hostile_db)
    try:
        assert sorted(r[0] for r in db.rows("SELECT patient_ref FROM patients")) == sorted(HOSTILE)
        assert sorted(r[0] for r in db.rows("SELECT name FROM clinics")) == sorted(HOSTILE)
        assert sorted(r[0] for r in db.rows("SELECT name FROM injectors")) == sorted(HOSTILE)
        assert sorted(r[0] for r in db.rows("SELECT lot_number FROM lots")) == sorted(HOSTILE)
        stored = dict(db.rows("SELECT event_ref, narrative FROM events_current"))
        for i, text in enumerate(HOSTILE):
            assert stored[f"E-{i}"] == " / ".join([text] * 3)
        assert stored["E-4000"] == "N" * 4000  # exactly at the limit: kept whole
        assert dict(db.rows("SELECT event_ref, reported_by FROM events_current WHERE event_ref <> 'E-4000'")) == \
            {f"E-{i}": t for i, t in enumerate(HOSTILE)}
        assert db.scalar("SELECT count(*) FROM treatments") == len(HOSTILE)  # DROP TABLE did nothing
    finally:
        db.close()


def test_import_refuses_10000_characters_with_a_length_message(db_file, tmp_path):
    importer = pytest.importorskip("dashboard.importer")
    db = open_database(db_file)
    try:
        result = importer.import_path(db, system_user("mgr"), _dataset(tmp_path / "long", too_long=True))
        # T-long, its injection row (unknown_treatment) and E-long
        assert result.quarantined == 3 and result.exit_code == 3
        messages = " ".join(r[0] for r in db.rows("SELECT messages FROM quarantine"))
        assert "is 10000 characters long; at most 200 are allowed" in messages
        assert "is 10000 characters long; at most 4000 are allowed" in messages
        assert db.scalar("SELECT count(*) FROM treatments") == len(HOSTILE)  # the other rows are in
    finally:
        db.close()


def _markdown_texts(at: AppTest) -> list[str]:
    """Every string that Streamlit renders as markdown: text elements, alerts, and widget/expander labels."""
    texts: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success",
                 "latex"):
        texts += [str(e.value) for e in at.get(kind)]
    for kind in ("button", "checkbox", "selectbox", "multiselect", "radio", "text_input", "text_area",
                 "number_input", "date_input", "time_input", "toggle", "expander", "tab", "metric"):
        texts += [str(getattr(e, "label", "")) for e in at.get(kind)]
    return texts


def _inert_everywhere(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: {at.exception}"
    for text in _markdown_texts(at):
        for fragment in RAW_FRAGMENTS:
            assert fragment not in text, f"{where}: markdown-rendered text holds {fragment!r}: {text[:200]!r}"


USERS = {
    "manager": User("mgr", "manager", "Morgan Manager"),
    "practitioner": User("ada", "practitioner", HOSTILE[4], HOSTILE[2]),
    "admin": User("root", "admin", "Alex Admin"),
}
CASES = [(p, r) for p in PAGES for r in USERS if p.permission is None or r in __import__(
    "dashboard.core.authz", fromlist=["PERMISSIONS"]).PERMISSIONS[p.permission]]


@pytest.mark.parametrize("spec,role", CASES, ids=[f"{p.file}-{r}" for p, r in CASES])
def test_every_page_renders_hostile_data_inert(hostile_db, spec, role):
    path = VIEWS / spec.file
    if not path.exists():
        pytest.skip(f"{spec.file} is not written yet")
    at = AppTest.from_file(str(path), default_timeout=60)
    at.session_state["user"] = USERS[role]
    at.run()
    _inert_everywhere(at, f"{spec.file} as {role}")


def test_signed_in_app_shows_a_hostile_display_name_as_plain_text(hostile_db):
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    at.text_input(key="signin_username").input("ada")
    at.text_input(key="signin_password").input(PW)
    at.button(key="sign_in_submit").click().run()
    assert at.session_state["user"].display_name == HOSTILE[4]
    assert at.sidebar.text[0].value == f"Signed in as {HOSTILE[4]} (practitioner)"
    _inert_everywhere(at, "app.py as practitioner")


@pytest.mark.parametrize("username", ["' OR 1=1 --", "<script>", "a" * 10_000, "ünïcode", "😀", ""])
def test_sign_in_with_hostile_usernames_fails_cleanly_and_is_audited_inert(db_file, username):
    db = open_database(db_file)
    add_account(db, SYSTEM, username="mgr", password=PW, role="manager", display_name="M")
    db.close()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    at.text_input(key="signin_username").set_value(username)  # set_value skips max_chars, like a crafted client
    at.text_input(key="signin_password").set_value("' OR '1'='1")
    at.button(key="sign_in_submit").click().run()
    assert not at.exception and "user" not in at.session_state
    assert at.error
    if username:
        from dashboard.web.ui import get_db

        actor = get_db().scalar("SELECT actor FROM audit_log WHERE action = 'login.failure' "
                                "ORDER BY audit_id DESC LIMIT 1")
        assert actor == (username if len(username) <= 200 else username[:199] + "…")


def test_account_forms_store_hostile_names_verbatim_and_refuse_long_ones(db_file, admin):
    db = open_database(db_file)
    add_account(db, SYSTEM, username="root", password=PW, role="admin", display_name="Alex Admin")
    db.close()
    at = AppTest.from_file(str(VIEWS / "accounts.py"), default_timeout=60)
    at.session_state["user"] = admin
    at.run()

    def add(username: str, display: str, injector: str = "") -> AppTest:
        # set_value skips the widgets' max_chars, as a crafted client could: the server must still refuse
        at.text_input(key="acc_add_username").set_value(username)
        at.text_input(key="acc_add_display_name").set_value(display)
        at.text_input(key="acc_add_injector_name").set_value(injector)
        at.text_input(key="acc_add_password").input(PW)
        at.text_input(key="acc_add_password_again").input(PW)
        return at.button(key="acc_add_submit").click().run()

    add("x'; DROP TABLE accounts; --", "Fine Name")
    assert any("no spaces" in e.value for e in at.error)
    add("long", LONG)
    assert any("at most 200 characters (it has 10000)" in e.value for e in at.error)
    assert at.text_input(key="acc_add_display_name").value == LONG  # nothing typed is lost
    for i, text in enumerate(HOSTILE):
        add(f"user{i}", text, text)
        assert not at.error, at.error
        account = get_account(_app_db(), f"user{i}")
        assert (account.display_name, account.injector_name) == (text, text)
    _inert_everywhere(at, "accounts.py after hostile names")
    assert set(HOSTILE) <= set(at.dataframe[0].value["display_name"])


def _app_db():
    from dashboard.web.ui import get_db

    return get_db()


def test_report_event_form_stores_hostile_text_verbatim_and_never_more_than_4000_characters(hostile_db):
    path = VIEWS / "report_event.py"
    if not path.exists():
        pytest.skip("report_event.py is not written yet")
    at = AppTest.from_file(str(path), default_timeout=60)
    at.session_state["user"] = USERS["manager"]
    at.run()
    text = " | ".join(HOSTILE)

    def report(narrative: str) -> AppTest:
        at.selectbox(key="re_treatment").select_index(0).run()
        at.selectbox(key="re_term").set_value("eyelid_ptosis").run()
        at.date_input(key="re_onset_date").set_value(date(2026, 10, 2))
        at.time_input(key="re_onset_time").set_value(time(9, 0))
        at.radio(key="re_severity").set_value(2)
        at.text_area(key="re_narrative").set_value(narrative)  # set_value skips max_chars, as a crafted client could
        at.text_input(key="re_reported_by").set_value(HOSTILE[0])
        at.text_area(key="re_action").set_value(HOSTILE[2])
        return at.button(key="re_save").click().run()

    report(text)
    assert not at.exception
    assert at.success, [e.value for e in at.error]
    _inert_everywhere(at, "report_event.py after save")
    row = _app_db().rows("SELECT narrative, reported_by, action_taken FROM events_current "
                         "ORDER BY event_id DESC LIMIT 1")[0]
    assert row == (text, HOSTILE[0], HOSTILE[2])
    at.button(key="re_again").click().run()
    report(LONG)
    assert not at.exception
    longest = _app_db().scalar("SELECT max(length(narrative)) FROM event_versions")
    assert longest <= 4000  # refused with a message, or cut at the form's 4,000-character limit
