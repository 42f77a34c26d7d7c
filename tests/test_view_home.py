"""The Clinic overview page: empty state, headline figures and the monthly rate query."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.authz import PermissionDenied
from dashboard.practice import overview

HOME = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "home.py")


def _seed(db) -> None:
    def work(cur):
        cur.execute("INSERT INTO clinics (name) VALUES ('North')")
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr A')")
        cur.execute("INSERT INTO patients (patient_ref) VALUES ('P-1')")
        for i, month in enumerate(["2026-01-10", "2026-01-20", "2026-02-03", "2026-02-04"], start=1):
            cur.execute(
                "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product,"
                " created_at, created_by) VALUES (1, $ref, CAST($at AS TIMESTAMP), 1, 1, 'ona', now(), 't')",
                {"ref": f"T{i}", "at": month})
        cur.execute("INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) VALUES (1, 'E1', 1, now())")
        for v, outcome in ((1, "unknown"), (2, "recovered")):
            cur.execute(
                "INSERT INTO event_versions (event_id, version, term, onset_at, severity, outcome, reported_at,"
                " changed_at, changed_by, serious, seriousness) VALUES (1, $v, 'eyelid_ptosis',"
                " TIMESTAMP '2026-01-14 09:00', 2, $o, now(), now(), 't', TRUE, 'medically_important')",
                {"v": v, "o": outcome})
        db.audit(cur, "t", "seed")

    db.write(work)


def test_empty_state_offers_demo_to_managers(db_file, manager):
    at = AppTest.from_file(HOME, default_timeout=30)
    at.session_state["user"] = manager
    at.run()
    assert not at.exception
    assert "No treatments recorded yet" in at.info[0].value
    assert any("demo clinic" in b.label for b in at.button)


def test_empty_state_hides_demo_button_from_practitioners(db_file, practitioner):
    at = AppTest.from_file(HOME, default_timeout=30)
    at.session_state["user"] = practitioner
    at.run()
    assert not at.exception
    assert not at.button


def test_headline_counts_current_versions_once(db, manager):
    _seed(db)
    t = overview.totals(db, manager)
    assert (t.treatments, t.events, t.serious_events, t.open_cases) == (4, 1, 1, 0)
    assert t.rate_per_1000 == 250.0


def test_monthly_rate_attributes_events_to_the_treatment_month(db, manager):
    _seed(db)
    m = overview.monthly_rate(db, manager)
    assert list(m["treatments"]) == [2, 2]
    assert list(m["events"]) == [1, 0]
    assert list(m["rate_per_1000"]) == [500.0, 0.0]


def test_page_shows_metrics_and_latest_events(db, manager):
    _seed(db)
    db.close()
    at = AppTest.from_file(HOME, default_timeout=30)
    at.session_state["user"] = manager
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Treatments"] == "4"
    assert metrics["Events per 1,000 treatments"] == "250.0"
    latest = at.dataframe[0].value
    assert list(latest["event"]) == ["Drooping upper eyelid"]
    assert list(latest["outcome"]) == ["Recovered"]  # the plain name, as on the Cases page


def test_monthly_chart_axes_read_plainly(db, manager):
    _seed(db)
    fig = overview.monthly_rate_figure(overview.monthly_rate(db, manager))
    assert fig.layout.yaxis.title.text == "Treatments" and fig.layout.yaxis.tickformat == ",d"  # 1,000 not 1000
    assert fig.layout.yaxis2.title.text == "Events per 1,000 treatments"
    assert fig.layout.yaxis2.tickmode == "auto" and fig.layout.yaxis2.showgrid is False
    assert fig.layout.xaxis.title.text == "Month of treatment"


def test_practitioner_sees_only_their_own_treatments_and_cases(db, practitioner, admin):
    _seed(db)  # every treatment is Dr A's, logged by 't'

    def add_own(cur):
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr Ada Park')")
        cur.execute(
            "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product,"
            " created_at, created_by) VALUES (1, 'T9', TIMESTAMP '2026-02-05 10:00', 1, 2, 'ona', now(), 'ada')")
        db.audit(cur, "t", "seed")

    db.write(add_own)
    mine = overview.totals(db, practitioner)
    assert (mine.treatments, mine.events, mine.open_cases) == (1, 0, 0)
    assert overview.latest_events(db, practitioner).empty
    assert list(overview.monthly_rate(db, practitioner)["treatments"]) == [1]
    # admins see clinic-wide counts but no case list
    assert overview.totals(db, admin).treatments == 5
    with pytest.raises(PermissionDenied):
        overview.latest_events(db, admin)


def test_practitioner_page_lists_no_one_elses_events(db, practitioner):
    _seed(db)
    db.close()
    at = AppTest.from_file(HOME, default_timeout=30)
    at.session_state["user"] = practitioner
    at.run()
    assert not at.exception
    assert at.title[0].value == "Your treatments and cases"
    assert not at.dataframe
    assert "No treatments recorded yet" in at.info[0].value
