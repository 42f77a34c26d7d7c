"""`python -m dashboard demo [--treatments N] [--seed S]`: fill the database with the synthetic demo chain."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from dashboard.core.authz import system_user
from dashboard.core.db import Database, open_database
from dashboard.demo.catalog import INJECTORS
from dashboard.demo.followups import split_follow_ups
from dashboard.demo.generator import generate
from dashboard.demo.planted import PLANTED
from dashboard.importer import ImportResult, import_frames

EXIT_OK, EXIT_USAGE, EXIT_QUARANTINE = 0, 2, 3
DEMO = system_user("demo")  # the demo loader's actor in the audit trail (admin role: demo.load, import.run)
MAX_TREATMENTS = 5_000_000


def load_demo_imports(db: Database, treatments: int, seed: int, *, planted: bool = True
                      ) -> tuple[ImportResult, ImportResult | None]:
    """Generate the demo chain and import it into `db` (the caller's Database: the app's own, or the one the
    command opened) in two steps: the data set (some events still open), then the follow-up reports that close
    them. Each import brings the trends cells and signal rows up to date. Returns (main ImportResult, follow-up
    ImportResult or None)."""
    frames = generate(treatments, seed, planted=planted)
    first, final = split_follow_ups(frames["events"], seed)
    source = demo_source(seed, planted)
    if db.query_rows("demo_existing_data", {"source": source})[0][1]:
        # Loaded before: import the final state, which changes nothing when it is the same demo.
        return import_frames(db, frames, source=source, actor=DEMO.username), None
    main = import_frames(db, {**frames, "events": first}, source=source, actor=DEMO.username)
    follow = None
    if len(final):
        parents = frames["treatments"][frames["treatments"]["treatment_id"].isin(set(final["treatment_id"]))]
        follow = import_frames(db, {"treatments": parents, "events": final},
                               source=f"{source} follow-ups", actor=DEMO.username)
    return main, follow


def load_demo(db: Database, treatments: int, seed: int, *, planted: bool = True) -> ImportResult:
    """Generate the demo chain and write it through the importer's bulk path; returns the main ImportResult.

    planted=False loads the same chain with nothing to find (for testing that signals stay quiet)."""
    return load_demo_imports(db, treatments, seed, planted=planted)[0]


def seed_followups(db: Database, seed: int) -> dict[str, int]:
    """Give the loaded demo its follow-up reviews and patient reports (acting as the demo's manager, as both the
    `demo` command and the Home page's demo button do); returns what was added."""
    from dashboard.followup.demo import seed_demo_followups

    return seed_demo_followups(db, system_user("demo", "manager"), seed)


def load_demo_file(db_path: str | Path | None, treatments: int, seed: int, *, planted: bool = True
                   ) -> ImportResult:
    """`load_demo` on a database file that nothing else has open (tests and tooling)."""
    db = open_database(db_path)
    try:
        return load_demo(db, treatments, seed, planted=planted)
    finally:
        db.close()


def demo_source(seed: int, planted: bool = True) -> str:
    """The import source name of a demo load."""
    return f"demo seed {seed}" if planted else f"demo seed {seed} without planted problems"


def existing_data(db: Database, seed: int) -> tuple[int, int]:
    """Return (treatments stored, imports already made from this demo seed)."""
    row = db.query_rows("demo_existing_data", {"source": demo_source(seed)})[0]
    return int(row[0]), int(row[1])


def _create_accounts(db: Database) -> list[tuple[str, str, str]]:
    from dashboard.accounts import create_demo_accounts

    return create_demo_accounts(db, DEMO, [inj.name for inj in INJECTORS])


def run(args: argparse.Namespace) -> int:
    """Generate and load the demo chain, create the demo accounts and print them to stderr."""
    n, seed = int(args.treatments), int(args.seed)
    if not 1 <= n <= MAX_TREATMENTS:
        print(f"error: --treatments must be between 1 and {MAX_TREATMENTS:,} (got {n})", file=sys.stderr)
        return EXIT_USAGE
    db = open_database(args.db)  # one Database for the whole command
    try:
        stored, same = existing_data(db, seed)
        if stored and not same:
            print(f"error: the database already holds {stored:,} treatments that are not this demo (seed {seed}); "
                  "the demo is meant for an empty database. Use another --db file, or the same --seed to reload "
                  "it.", file=sys.stderr)
            return EXIT_USAGE
        start = time.perf_counter()
        print(f"demo: generating {n:,} treatments (seed {seed}) ...", file=sys.stderr)
        result, follow = load_demo_imports(db, n, seed)
        print(f"demo: {result.summary()}", file=sys.stderr)
        if follow is not None:
            added = follow.files["events"].new_versions
            print(f"demo: {added:,} follow-up reports added to stored events" if added else
                  "demo: follow-up reports were already stored", file=sys.stderr)
        quarantined = result.quarantined + (follow.quarantined if follow is not None else 0)
        print(f"demo: done in {time.perf_counter() - start:.1f} s; {len(PLANTED)} problems are planted for the "
              "signals to find (listed in the README, 'The demo clinic and its planted problems')", file=sys.stderr)
        added_fu = seed_followups(db, seed)
        print(f"demo: {added_fu['reviews']:,} follow-up reviews and {added_fu['patient_reports']} patient reports "
              "added", file=sys.stderr)
        accounts = _create_accounts(db)
    finally:
        db.close()
    print("demo accounts (username / password / role) - write these down, they are shown only once:",
          file=sys.stderr)
    for username, password, role in accounts:
        print(f"  {username:<20} {password:<20} {role}", file=sys.stderr)
    return EXIT_QUARANTINE if quarantined else EXIT_OK
