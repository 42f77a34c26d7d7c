"""Patient self-report links: one treatment per token, stored as a hash, refused when changed, expired, revoked,
replayed or rate-limited; answers become patient reports that count in Trends and Signals only once confirmed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dashboard.followup import links
from dashboard.followup import repository as fu
from dashboard.trends.filters import Filters
from dashboard.trends.queries import kpis
from dashboard.trends.refresh import refresh
from tests.followup_support import BOB, treat

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert('x')</script> '; DROP TABLE events; -- =HYPERLINK(\"http://evil\") **bold** \u202e"


@pytest.fixture
def two(db, practitioner):
    """Ada's treatment with a link, and Bob's treatment."""
    mine = treat(db, practitioner, "P-ADA", "Dr Ada Park", 5)
    bobs = treat(db, BOB, "P-BOB", "Dr Bob Lee", 5, clinic="South")
    return mine, bobs, links.create_link(db, practitioner, mine)


def test_only_the_hash_is_stored_and_the_page_sees_date_and_clinic_only(db, two):
    mine, _, link = two
    stored = db.rows("SELECT token_hash FROM patient_links")
    assert stored == [(links.token_hash(link.token),)]
    assert link.token not in json.dumps([list(map(str, r)) for r in db.rows("SELECT * FROM audit_log")])
    access = links.open_link(db, link.token)
    assert access.ok and access.treatment_id == mine and access.clinic == "North"
    assert link.expires_at - datetime.now() > timedelta(days=41)


def test_changed_expired_revoked_and_replayed_tokens_are_refused(db, practitioner, two):
    _, _, link = two
    body, sig = link.token.split(".")
    changed = [f"{body[:-1]}{'A' if body[-1] != 'A' else 'B'}.{sig}", f"{body}.{sig[::-1]}", "", "x" * 500,
               link.token + "x"]
    for bad in changed:
        assert links.open_link(db, bad).reason == "invalid"
    later = datetime.now() + timedelta(days=43)
    assert links.open_link(db, link.token, now=later).reason == "expired"
    ok = links.submit_answers(db, link.token, {"headache": True}, None, None, nonce="n1")
    assert ok.ok
    replay = links.submit_answers(db, link.token, {"headache": True}, None, None, nonce="n1")
    assert (replay.ok, replay.reason) == (False, "replayed")
    assert links.revoke_link(db, practitioner, link.link_id)
    assert links.open_link(db, link.token).reason == "revoked"
    assert links.submit_answers(db, link.token, {"headache": True}, None, None, nonce="n2").reason == "revoked"
    assert db.scalar("SELECT count(*) FROM patient_submissions") == 1


def test_a_token_reads_and_writes_only_its_own_treatment(db, practitioner, two):
    mine, bobs, link = two
    links.submit_answers(db, link.token, {"droop": True}, None, None, nonce="n")
    assert {r[0] for r in db.rows("SELECT treatment_id FROM patient_reports")} == {mine}
    other = links.create_link(db, BOB, bobs)
    assert links.open_link(db, other.token).treatment_id == bobs
    # a practitioner cannot make or revoke links on another injector's treatment
    with pytest.raises(PermissionError):
        links.create_link(db, practitioner, bobs)
    with pytest.raises(PermissionError):
        links.revoke_link(db, practitioner, other.link_id)


def test_rate_limits(db, two):
    _, _, link = two
    for i in range(links.FAILS_PER_ADDRESS_HOUR):
        assert links.open_link(db, f"bad{i}.sig", address="203.0.113.9").reason == "invalid"
    assert links.open_link(db, link.token, address="203.0.113.9").reason == "too_many"
    assert links.open_link(db, link.token, address="203.0.113.10").ok  # another address is not held up
    for i in range(links.ANSWERS_PER_LINK_DAY):
        assert links.submit_answers(db, link.token, {}, f"note {i}", None, nonce=f"n{i}").ok
    assert links.submit_answers(db, link.token, {}, "one more", None, nonce="last").reason == "busy"


def test_hostile_text_is_stored_verbatim(db, manager, two):
    _, _, link = two
    assert links.submit_answers(db, link.token, {}, HOSTILE, None, nonce="h").ok
    assert db.scalar("SELECT free_text FROM patient_submissions") == HOSTILE.strip()
    report = fu.patient_reports(db, manager).iloc[0]
    assert report["narrative"] == HOSTILE.strip() and report["term"] == "other"
    assert db.scalar("SELECT count(*) FROM events") == 0  # the table is still there and untouched


def test_bad_input_gets_plain_words(db, two):
    _, _, link = two
    long = links.submit_answers(db, link.token, {}, "x" * 2001, None, nonce="a")
    assert long.reason == "too_long" and "2000" in long.message
    future = links.submit_answers(db, link.token, {"headache": True}, None,
                                  (datetime.now() + timedelta(days=2)).date(), nonce="b")
    assert future.reason == "bad_date" and "between your treatment date and today" in future.message
    with pytest.raises(ValueError, match="unknown questions"):
        links.submit_answers(db, link.token, {"bogus": True}, None, None, nonce="c")


def test_red_flag_queues_a_notification_and_marks_the_follow_up_urgent(db, practitioner, two):
    mine, _, link = two
    sent = links.submit_answers(db, link.token, {"breathing": True, "headache": True}, None, None, nonce="r")
    assert sent.ok and sent.red_flag and sent.reports == 2
    (subject, body, source), = db.rows("SELECT subject, body, source FROM notification_outbox")
    assert "red flag" in subject and "dysphagia" in body and source == "patient"
    row = fu.list_followups(db, practitioner).iloc[0]
    assert (row["treatment_id"], row["status"], row["red_flag_reports"]) == (mine, "urgent", 1)


def _counts(db, manager):
    refresh(db)
    k = kpis(db, manager, Filters().resolved(datetime.now().date()))
    return (int(k.iloc[0]["events"]), int(db.scalar("SELECT count(*) FROM trends_event_facts")),
            int(db.scalar("SELECT count(DISTINCT event_id) FROM signal_event_rows")))


def test_only_confirmed_patient_reports_count_in_trends_and_signals(db, manager, practitioner, two):
    _, _, link = two
    before = _counts(db, manager)
    links.submit_answers(db, link.token, {"droop": True, "headache": True, "no_effect": True}, "my left eye",
                         None, nonce="c")
    assert _counts(db, manager) == before  # received: nowhere yet
    droop, headache, no_effect = (int(r) for r in fu.patient_reports(db, practitioner).sort_values("report_id")
                                  ["report_id"])
    assert fu.edit_patient_report(db, practitioner, droop, term="brow_ptosis", severity=2, narrative="left brow",
                                  note="seen in clinic") == 2
    assert _counts(db, manager) == before  # edited: still waiting
    fu.reject_patient_report(db, practitioner, headache, note="tension headache, unrelated")
    event_id, ref = fu.confirm_patient_report(db, practitioner, droop, severity=2)
    after = _counts(db, manager)
    assert after[0] == before[0] + 1 and after[1] > before[1] and after[2] == before[2] + 1
    versions = fu.patient_report_versions(db, practitioner, droop)
    assert list(versions["status"]) == ["received", "edited", "confirmed"]  # every version kept
    assert int(versions.iloc[-1]["event_id"]) == event_id
    term, reported_by = db.rows("SELECT term, reported_by FROM events_current WHERE event_id = ?", [event_id])[0]
    assert (term, reported_by) == ("brow_ptosis", "patient")
    with pytest.raises(ValueError, match="already confirmed"):
        fu.confirm_patient_report(db, practitioner, droop)
    with pytest.raises(ValueError, match="Say why"):
        fu.reject_patient_report(db, practitioner, no_effect, note=" ")


def test_patient_link_command_prints_the_link(db_file, practitioner):
    from dashboard.core.db import open_database

    db = open_database(db_file)
    try:
        tid = treat(db, practitioner, "P-CLI", "Dr Ada Park", 2)
    finally:
        db.close()
    out = subprocess.run([sys.executable, "-m", "dashboard", "patient-link", str(tid), "--base-url",
                          "https://clinic.example/"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    assert url.startswith("https://clinic.example/?report=")
    db = open_database(db_file)
    try:
        assert links.open_link(db, url.split("=", 1)[1]).treatment_id == tid
    finally:
        db.close()
    bad = subprocess.run([sys.executable, "-m", "dashboard", "patient-link", "999999"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no treatment 999999" in bad.stderr


def test_followups_command_lists_urgent_first_as_json_and_table(db_file, practitioner):
    from dashboard.core.db import open_database

    db = open_database(db_file)
    try:
        late = treat(db, practitioner, "P-LATE", "Dr Ada Park", 20)
        red = treat(db, practitioner, "P-RED", "Dr Ada Park", 3)
        links.submit_answers(db, links.create_link(db, practitioner, red).token, {"vision": True}, None, None,
                             nonce="n")
    finally:
        db.close()
    out = subprocess.run([sys.executable, "-m", "dashboard", "followups", "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["followups"]
    assert [(r["treatment_id"], r["status"]) for r in rows] == [(red, "urgent"), (late, "overdue")]
    assert len(rows[0]["review_due"]) == 10 and "1 urgent, 1 overdue" in out.stderr
    only = subprocess.run([sys.executable, "-m", "dashboard", "followups", "--urgent"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert only.returncode == 0 and "urgent" in only.stdout and "P-LATE" not in only.stdout
    assert "overdue" not in only.stdout.splitlines()[1]
