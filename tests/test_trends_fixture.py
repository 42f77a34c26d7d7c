"""A small hand-built clinic with known answers, shared by the Trends tests (plus checks of the data itself).

January 2026 (the period): Dr A treats 30 glabella sessions (BOTOX lot L1, 20 U, 5 Jan); Dr B treats 10
sessions of glabella 50 U + forehead 30 U (Dysport lot L2, 20 Jan). December 2025 (the previous period):
Dr A, 20 glabella sessions (10 Dec). Events:
  E1 t1  eyelid ptosis, area glabella, grade 2, recovered
  E2 t2  bruising, no area (-> glabella), grade 1, recovering (open)
  E3 t31 headache, no area (-> glabella and forehead), grade 3, serious, outcome unknown (open)
  E4 t41 eyelid ptosis (December), glabella, grade 2, recovered
  E5 t3  version 1 headache grade 1; version 2 brow ptosis, area glabella, grade 2, recovered
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from dashboard.core.db import Database
from dashboard.trends.filters import Filters

JAN = Filters(start=date(2026, 1, 1), end=date(2026, 1, 31))


def build_clinic(db: Database) -> None:
    """Insert the hand-built data set described in the module docstring."""
    now = datetime(2026, 2, 1, 9, 0)

    def fill(cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute("INSERT INTO clinics (clinic_id, name) VALUES (1, 'North'), (2, 'South')")
        cur.execute("INSERT INTO injectors (injector_id, name) VALUES (1, 'Dr A'), (2, 'Dr B')")
        cur.execute("INSERT INTO lots (lot_id, product, lot_number) VALUES (1, 'ona', 'L1'), (2, 'abo', 'L2')")
        rows = []
        for tid in range(1, 61):
            if tid <= 30:
                rows.append((tid, 1, datetime(2026, 1, 5, 10), 1, "ona", 1))
            elif tid <= 40:
                rows.append((tid, 2, datetime(2026, 1, 20, 11), 2, "abo", 2))
            else:
                rows.append((tid, 1, datetime(2025, 12, 10, 9), 1, "ona", 1))
        for tid, clinic, when, inj, product, lot in rows:
            cur.execute("INSERT INTO patients (patient_id, patient_ref) VALUES ($id, $ref)", {"id": tid, "ref": f"P{tid}"})
            cur.execute(
                "INSERT INTO treatments (treatment_id, clinic_id, treatment_ref, treated_at, patient_id, injector_id, "
                "product, lot_id, created_at, created_by) VALUES ($id, $c, $ref, $at, $id, $inj, $p, $lot, $now, 'test')",
                {"id": tid, "c": clinic, "ref": f"T{tid}", "at": when, "inj": inj, "p": product, "lot": lot, "now": now})
        iid = 0
        for tid, *_ in rows:
            areas = [("glabella", 50), ("forehead", 30)] if 31 <= tid <= 40 else [("glabella", 20)]
            for area, units in areas:
                iid += 1
                cur.execute("INSERT INTO injections (injection_id, treatment_id, area, units) VALUES ($i, $t, $a, $u)",
                            {"i": iid, "t": tid, "a": area, "u": units})
        events = [
            # event, treatment, versions: (term, area, severity, serious, seriousness, outcome, resolved)
            (1, 1, [("eyelid_ptosis", "glabella", 2, False, None, "recovered", datetime(2026, 2, 1))]),
            (2, 2, [("injection_site_bruising", None, 1, False, None, "recovering", None)]),
            (3, 31, [("headache", None, 3, True, "medically_important", "unknown", None)]),
            (4, 41, [("eyelid_ptosis", "glabella", 2, False, None, "recovered", datetime(2026, 1, 10))]),
            (5, 3, [("headache", None, 1, False, None, "recovering", None),
                    ("brow_ptosis", "glabella", 2, False, None, "recovered", datetime(2026, 1, 30))]),
        ]
        vid = 0
        for eid, tid, versions in events:
            cur.execute("INSERT INTO events (event_id, clinic_id, event_ref, treatment_id, created_at) "
                        "VALUES ($e, 1, $ref, $t, $now)", {"e": eid, "ref": f"E{eid}", "t": tid, "now": now})
            for n, (term, area, sev, serious, why, outcome, resolved) in enumerate(versions, start=1):
                vid += 1
                onset = datetime(2026, 1, 8) if tid <= 40 else datetime(2025, 12, 12)
                cur.execute(
                    "INSERT INTO event_versions (version_id, event_id, version, term, onset_at, severity, serious, "
                    "seriousness, outcome, resolved_at, area, reported_at, changed_at, changed_by) VALUES "
                    "($v, $e, $n, $term, $onset, $sev, $serious, $why, $outcome, $resolved, $area, $onset, $now, 'test')",
                    {"v": vid, "e": eid, "n": n, "term": term, "onset": onset, "sev": sev, "serious": serious,
                     "why": why, "outcome": outcome, "resolved": resolved, "area": area, "now": now})
        db.audit(cur, "test", "test.fixture")

    db.write(fill)


@pytest.fixture(name="clinic")
def clinic_fixture(db: Database) -> Database:
    """The db fixture filled with the hand-built clinic and the trends cells refreshed."""
    from dashboard.trends.refresh import refresh

    build_clinic(db)
    refresh(db)
    return db


def test_fixture_has_the_documented_shape(clinic: Database) -> None:
    assert clinic.scalar("SELECT count(*) FROM treatments") == 60
    assert clinic.scalar("SELECT count(*) FROM injections") == 70
    assert clinic.scalar("SELECT count(*) FROM events_current") == 5
    assert clinic.scalar("SELECT term FROM events_current WHERE event_id = 5") == "brow_ptosis"


def test_cells_hold_every_treatment_once(clinic: Database) -> None:
    assert clinic.scalar("SELECT sum(treatments) FROM trends_treatment_cells") == 60
    assert clinic.scalar("SELECT sum(treatments) FROM trends_area_cells") == 70
    assert clinic.scalar("SELECT sum(treatments) FROM trends_dose_cells") == 70
    # E3 has no area and its treatment had two: it appears once per area, once in totals
    assert clinic.scalar("SELECT count(*) FROM trends_event_facts WHERE event_id = 3") == 2
    assert clinic.scalar("SELECT count(DISTINCT event_id) FROM trends_event_facts") == 5
