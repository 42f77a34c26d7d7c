"""The small hand-built clinic behind the export tests, written straight into the schema.

Quarter 2026Q3 holds: T-001 (a June treatment whose eyelid ptosis began on 2 July, two versions), 0042 (treated at
exactly midnight on 1 July, two areas, a headache with no area stated) and T-003 (one second before the end of
September, a bruise noticed in that same last second). Around it: T-004 (one second before Q3, its event too) and T-005
(exactly at the start of Q4) and an event of T-003 ten minutes into Q4. Ids that look like numbers (0042, 000123,
lot 1E5) check that nothing turns them into numbers.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.core.db import Database

SECRET_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
PATIENT_REFS = ("P-1001", "000123", "P-ZOË", "P-2002")
NARRATIVES = ("Jane Roe phoned: left lid drooping since yesterday morning.",
              "Jane Roe: lid a little better, drops help.", "Mild headache after the session, settled.")
REPORTERS = ("Nurse Kim Lee", "Jane Roe (patient)")
ACTIONS = ("Apraclonidine 0.5% drops, review in 2 weeks",)
CHANGE_NOTES = ("follow-up call by Nurse Kim Lee",)

_TREATMENTS = [
    # ref, clinic, treated_at, patient, injector, product, lot, vial, diluent, flags(alcohol, anticoag)
    ("T-001", 1, "2026-06-20 10:00:00", 1, 1, "ona", 1, 100, 2.5, True, False),
    ("0042", 1, "2026-07-01 00:00:00", 2, 1, "ona", 3, 100, 2.5, None, True),
    ("T-003", 2, "2026-09-30 23:59:59", 3, 2, "inco", 2, 50, 1.25, False, None),
    ("T-004", 1, "2026-06-30 23:59:59", 4, 2, "ona", None, None, None, None, None),
    ("T-005", 2, "2026-10-01 00:00:00", 1, 2, "inco", 2, 50, 1.25, None, None),
]
_INJECTIONS = [
    # treatment_id (sequence order), area, side, point, units, points, volume, depth
    (1, "glabella", "C", None, 20, 5, 0.5, "intramuscular"),
    (2, "glabella", "C", "G1", 15, 3, None, "intramuscular"),
    (2, "forehead", "B", None, 10, 4, None, None),
    (3, "lateral_canthal", "L", "L1", 12, 3, 0.3, "intradermal"),
    (3, "lateral_canthal", "R", "R1", 12, 3, 0.3, "intradermal"),
    (4, "masseter", "B", None, 50, 6, None, "intramuscular"),
    (5, "glabella", "C", None, 20, 5, None, None),
]


def write_secret(path: Path) -> None:
    """Write the fixed test secret where INJECTWATCH_SECRET_FILE points (0600)."""
    path.write_text(SECRET_HEX + "\n", encoding="ascii")
    path.chmod(0o600)


def seed(db: Database) -> None:
    """Fill an empty, migrated database with the hand-built clinic."""

    def work(cur) -> None:
        cur.execute("INSERT INTO clinics (name) VALUES ('North Clinic'), ('Süd Praxis, Köln')")
        cur.execute("INSERT INTO injectors (name) VALUES ('Dr Ada Park'), ('Dr Ben Ortiz')")
        cur.execute("INSERT INTO patients (patient_ref, birth_year, sex) VALUES "
                    "('P-1001', 1985, 'F'), ('000123', 1990, 'M'), ('P-ZOË', NULL, 'U'), ('P-2002', 1979, 'F')")
        cur.execute("INSERT INTO lots (product, lot_number) VALUES ('ona', 'C1234C3'), ('inco', '1E5'), "
                    "('ona', '004567')")
        for ref, clinic, at, patient, injector, product, lot, vial, dil, alcohol, anticoag in _TREATMENTS:
            cur.execute(
                "INSERT INTO treatments (clinic_id, treatment_ref, treated_at, patient_id, injector_id, product,"
                " lot_id, vial_units, diluent_ml, reconstituted_at, alcohol_48h, anticoagulant, created_at,"
                " created_by) VALUES ($clinic, $ref, CAST($at AS TIMESTAMP), $patient, $injector, $product, $lot,"
                " $vial, $dil, CAST($at AS TIMESTAMP) - INTERVAL 1 HOUR, $alcohol, $anticoag,"
                " TIMESTAMP '2026-10-02 09:00:00', 'seed')",
                {"clinic": clinic, "ref": ref, "at": at, "patient": patient, "injector": injector,
                 "product": product, "lot": lot, "vial": vial, "dil": dil, "alcohol": alcohol,
                 "anticoag": anticoag})
        for t, area, side, point, units, points, volume, depth in _INJECTIONS:
            cur.execute(
                "INSERT INTO injections (treatment_id, area, side, point, units, points, volume_ml, depth)"
                " VALUES ($t, $area, $side, $point, $units, $points, $volume, $depth)",
                {"t": t, "area": area, "side": side, "point": point, "units": units, "points": points,
                 "volume": volume, "depth": depth})
        events = [("E-1", 1, 1), ("E-2", 1, 2), ("E-3", 2, 3), ("E-4", 2, 3), ("E-5", 1, 4)]
        for ref, clinic, t in events:
            cur.execute("INSERT INTO events (clinic_id, event_ref, treatment_id, created_at) VALUES "
                        "($c, $r, $t, TIMESTAMP '2026-10-02 09:00:00')", {"c": clinic, "r": ref, "t": t})
        versions = [
            # event, version, term, onset, severity, outcome, area, side, action, reporter, narrative, changed_at, note
            (1, 1, "eyelid_ptosis", "2026-07-02 08:00:00", 2, "unknown", "glabella", "L", None, REPORTERS[1],
             NARRATIVES[0], "2026-07-02 09:15:00", None),
            (1, 2, "eyelid_ptosis", "2026-07-02 08:00:00", 2, "recovering", "glabella", "L", ACTIONS[0],
             REPORTERS[0], NARRATIVES[1], "2026-07-16 11:00:00", CHANGE_NOTES[0]),
            (2, 1, "headache", "2026-07-05 14:00:00", 1, "recovered", None, None, None, REPORTERS[1], NARRATIVES[2],
             "2026-07-06 10:00:00", None),
            (3, 1, "injection_site_bruising", "2026-09-30 23:59:59", 1, "unknown", "lateral_canthal", "L", None,
             None, None, "2026-10-01 08:00:00", None),
            (4, 1, "headache", "2026-10-01 00:10:00", 1, "recovered", None, None, None, None, None,
             "2026-10-01 08:05:00", None),
            (5, 1, "headache", "2026-06-30 23:59:59", 1, "recovered", "masseter", "B", None, None, None,
             "2026-07-01 08:00:00", None),
        ]
        for ev, v, term, onset, sev, outcome, area, side, action, reporter, narrative, changed, note in versions:
            cur.execute(
                "INSERT INTO event_versions (event_id, version, term, onset_at, severity, outcome, area, side,"
                " action_taken, reported_by, reported_at, narrative, changed_at, changed_by, change_note)"
                " VALUES ($e, $v, $term, CAST($onset AS TIMESTAMP), $sev, $outcome, $area, $side, $action,"
                " $reporter, CAST($changed AS TIMESTAMP), $narrative, CAST($changed AS TIMESTAMP), 'seed', $note)",
                {"e": ev, "v": v, "term": term, "onset": onset, "sev": sev, "outcome": outcome, "area": area,
                 "side": side, "action": action, "reporter": reporter, "narrative": narrative,
                 "changed": changed, "note": note})
        db.audit(cur, "seed", "seed")

    db.write(work)
