"""`python -m dashboard init`: create or migrate the database and load the reference data."""

from __future__ import annotations

import argparse
import sys

from dashboard.core.db import Database, open_database
from dashboard.export.secret import ensure_secret

FIRST_START = "first_start_done"
DEMO_TREATMENTS, DEMO_SEED = 20000, 1


def first_start(db: Database) -> bool:
    """Mark the first start; return True only the very first time and only for an empty database."""
    never_used = db.query_scalar("settings_get", {"key": FIRST_START}) is None
    empty = not db.scalar("SELECT count(*) FROM treatments")

    def mark(cur) -> None:
        db.execute_named(cur, "settings_set_once", {"key": FIRST_START, "value": "yes"})
        if never_used:
            db.audit(cur, "system", "init.first_start", "database", str(db.path), None)

    db.write(mark)
    return never_used and empty


def run(args: argparse.Namespace) -> int:
    """Create or migrate the database (idempotent); optionally load the demo clinic on first start."""
    db = open_database(args.db)
    try:
        versions = db.applied_migrations()
        ensure_secret(db.path)  # the key of the export pseudonyms, beside the database (0600)
        print(f"database {db.path}: schema version {max(versions)}, reference data loaded", file=sys.stderr)
        load = getattr(args, "demo_if_new", False) and first_start(db)
    finally:
        db.close()
    if load:
        from dashboard.demo import command as demo

        print("first start: loading the demo clinic", file=sys.stderr)
        return demo.run(argparse.Namespace(db=args.db, treatments=DEMO_TREATMENTS, seed=DEMO_SEED))
    return 0
