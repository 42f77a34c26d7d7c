"""AppTest for the Trends page: renders with data, filters round-trip through the URL, empty states, roles."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.authz import User
from dashboard.core.db import Database
from dashboard.trends.refresh import refresh_in
from tests.test_trends_fixture import build_clinic

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "trends.py")
MANAGER = User(username="mgr", role="manager", display_name="Morgan Manager")
JAN = {"start": "2026-01-01", "end": "2026-01-31"}


def _app(user: User = MANAGER, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["user"] = user
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


@pytest.fixture
def filled(db: Database) -> Database:
    build_clinic(db)  # raw inserts: the app brings the cells up to date once, when it opens the database
    return db


def test_viewing_the_page_writes_nothing(filled: Database) -> None:
    """One write path: a page view adds no audit row and leaves data_version() where it was."""
    at = _app(params=JAN)  # the app's first open of this database brings its cells up to date
    before = (filled.data_version(), filled.scalar("SELECT count(*) FROM audit_log"))
    at.run()
    _app(params={**JAN, "area": "forehead"})
    assert not at.exception
    assert (filled.data_version(), filled.scalar("SELECT count(*) FROM audit_log")) == before


def test_page_renders_kpis_charts_and_cases(filled: Database) -> None:
    at = _app(params=JAN)
    assert not at.exception
    m = _metrics(at)
    assert m["Treatments"] == ("40", "+20")
    assert m["Adverse events"] == ("4", "+3")
    assert m["Events per 1,000 treatments"] == ("100.0", "+50.0")
    # the bare changes are explained once, above the cards
    assert any("change from the previous period, 01 Dec" in c.value for c in at.caption)
    assert m["Serious events"][0] == "1" and m["Open cases"][0] == "2"
    listing = at.dataframe[-1].value
    assert set(listing["event_ref"]) == {"E1", "E2", "E3", "E5"}
    plain = {r[0] for r in filled.rows("SELECT plain_name FROM ref_terms WHERE code IN "
                                       "('eyelid_ptosis', 'injection_site_bruising', 'headache', 'brow_ptosis')")}
    assert set(listing["event"]) == plain  # plain names, not codes
    assert len(at.get("plotly_chart")) >= 5


def test_link_filters_are_applied_and_widget_changes_update_the_link(filled: Database) -> None:
    at = _app(params={**JAN, "area": "forehead"})
    assert at.selectbox(key="f_area").value == "forehead"
    assert _metrics(at)["Treatments"][0] == "10"
    at.selectbox(key="f_injector").select(2).run()
    assert at.query_params["injector"] == ["2"] or at.query_params["injector"] == "2"
    assert _metrics(at)["Treatments"][0] == "10"
    at.toggle(key="f_serious").set_value(True).run()
    assert _metrics(at)["Adverse events"][0] == "1"
    qp = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert qp == {**JAN, "area": "forehead", "injector": "2", "serious_only": "1"}


def test_reset_and_defaults_keep_the_link_clean(filled: Database) -> None:
    at = _app(params={**JAN, "product": "abo"})
    at.button[0].click().run()
    assert not at.exception
    assert dict(at.query_params) == {}


def test_bad_link_value_is_explained(filled: Database) -> None:
    at = _app(params={**JAN, "clinic": "north"})
    assert any("clinic value 'north'" in w.value for w in at.warning)
    assert _metrics(at)["Treatments"][0] == "40"


def test_filter_with_no_rows_says_so(filled: Database) -> None:
    at = _app(params={"start": "2030-01-01", "end": "2030-01-31"})
    assert not at.exception
    assert any("No treatments match these filters" in i.value for i in at.info)


def test_no_data_says_so(db: Database) -> None:
    at = _app()
    assert not at.exception
    assert any("No treatments recorded yet" in i.value for i in at.info)


def test_start_after_end_is_refused_next_to_the_dates(filled: Database) -> None:
    at = _app(params=JAN)
    from datetime import date

    at.date_input(key="f_start").set_value(date(2026, 2, 15)).run()
    assert any("start date is after the end date" in e.value for e in at.error)


def test_practitioner_cannot_open_the_page(filled: Database) -> None:
    at = _app(User(username="ada", role="practitioner", display_name="Ada", injector_name="Dr A"))
    assert any("cannot open this page" in e.value for e in at.error)
    assert not at.metric


def test_a_saved_record_shows_on_the_next_run(filled: Database) -> None:
    at = _app(params=JAN)
    assert _metrics(at)["Adverse events"][0] == "4"

    def report(cur) -> None:
        cur.execute("INSERT INTO events (event_id, clinic_id, event_ref, treatment_id, created_at) "
                    "VALUES (9, 1, 'E9', 4, now())")
        cur.execute("INSERT INTO event_versions (version_id, event_id, version, term, onset_at, severity, "
                    "reported_at, changed_at, changed_by) VALUES (9, 9, 1, 'headache', TIMESTAMP '2026-01-07', 1, "
                    "TIMESTAMP '2026-01-07', now(), 't')")
        filled.audit(cur, "t", "event.report")
        refresh_in(cur)  # as every write of records does (the page itself never refreshes)

    filled.write(report)
    at.run()
    assert _metrics(at)["Adverse events"][0] == "5"
    assert "E9" in set(at.dataframe[-1].value["event_ref"])


def test_charts_go_to_the_browser_plain_so_they_draw_once(filled: Database) -> None:
    """No template and a datarevision in what Streamlit sends (see dashboard/charts/plain.py), Streamlit's theme off."""
    import json

    at = _app(params=JAN)
    charts = at.get("plotly_chart")
    assert len(charts) >= 5
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert "template" not in spec["layout"]
        assert len(spec["layout"]["datarevision"]) == 16
        assert chart.proto.theme == ""
        assert spec["layout"]["hovermode"] == "closest" and spec["layout"]["dragmode"] == "pan"
